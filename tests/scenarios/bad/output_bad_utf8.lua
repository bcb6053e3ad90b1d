-- Invalid UTF-8 from Lua (prints, titles, a check), a lone surrogate from Python: output stays UTF-8.
scenario { title = "Bad \255 UTF-8" }
step("print \192", function()
  print("bad \255\254 bytes \192")
  py.exec("import sys; sys.stdout.write('lone surrogate \\udcff\\n')")
  check.truthy("bad \255 message \237\160\128", true)
end)
