-- 5000 lines from one py.exec: every one must reach the headless output.
scenario { title = "Many lines" }
step("print", function()
  py.exec("for i in range(5000): print('line', i)")
end)
