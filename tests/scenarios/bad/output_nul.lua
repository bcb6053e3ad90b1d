-- NUL bytes printed from Lua and from Python: the rest of the line must not be lost.
scenario { title = "NUL in output" }
step("print", function()
  print("lua a\0b end")
  py.exec("print('python a\\x00b end')")
end)
