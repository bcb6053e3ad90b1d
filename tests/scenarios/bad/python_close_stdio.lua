-- The scenario closes file descriptors 1 and 2: print() must still reach the console.
scenario { title = "stdout and stderr closed" }
step("close", function()
  py.exec("import os; os.close(1); os.close(2)")
  py.exec("print('print still works')")
  py.exec("import sys; print('stderr still works', file=sys.stderr)")
  check.equals("Python still runs", py.eval("1 + 1"), 2)
end)
