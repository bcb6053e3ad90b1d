-- Strings with NUL bytes both ways: neither side may cut them short.
scenario { title = "NUL bytes" }
step("nul", function()
  py.exec("def length(x): return len(x)")
  check.equals("Python's len of \"a\\0b\"", py.call("length", 1, "a\0b"), 3)
  local s = py.eval("'a\\x00b'")
  check.equals("Lua's # of 'a\\x00b'", #s, 3)
  check.truthy("the same bytes", s == "a\0b")
  check.equals("a round trip", py.call("str", 1, "x\0y\0"), "x\0y\0")
end)
