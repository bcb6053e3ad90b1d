-- load() of text: returns the chunk (not a wrapper that loses it), named or not.
scenario { title = "load" }
step("load", function()
  check.equals("load(\"return 1\")()", load("return 1")(), 1)
  check.equals("load(\"return 2\", \"=x\")()", load("return 2", "=x")(), 2)
  check.equals("with an environment", load("return x", "=e", "t", { x = 5 })(), 5)
  local f, err = load("\27Lua binary")
  check.equals("binary chunks refused", f, nil)
  check.truthy("with a message", type(err) == "string")
end)
