-- A table whose __len claims 2^40 items: Python must see its raw length.
scenario { title = "A lying __len" }
step("len", function()
  py.exec("def length(x): return len(x)")
  local t = setmetatable({ 1, 2, 3 }, { __len = function() return 2^40 end })
  check.equals("Lua sees the lie", #t, 2^40)
  check.equals("Python sees the raw length", py.call("length", 1, t), 3)
end)
