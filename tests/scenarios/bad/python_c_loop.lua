-- sum(itertools.repeat(1)) loops in C and never checks signals: the lab must be killed.
scenario { title = "A C loop", time_limit = 1 }
step("sum forever", function()
  py.exec("import itertools, os; print('lab pid', os.getpid()); sum(itertools.repeat(1))")
end)
