-- Terminal escape sequences in output, from Lua and from Python: shown, never obeyed.
scenario { title = "Escapes" }
step("print", function()
  print("\27[2J\27]0;title\7")
  py.exec("print('\\x1b[2J\\x1b]0;title\\x07\\x9b1m')")
  check.truthy("\27[31mred\27[0m check", true)
end)
