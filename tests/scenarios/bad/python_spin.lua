-- A plain bytecode loop that never ends: Ctrl-C must stop it with KeyboardInterrupt.
scenario { title = "Python spins", time_limit = 60 }
step("spin", function()
  py.exec("import os; print('lab pid', os.getpid())\nwhile True:\n    pass")
end)
