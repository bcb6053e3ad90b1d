-- A C loop started when 1.3 s of a 2 s step are spent: killed, and the step's limit named.
scenario { title = "Step limit, then a C loop", step_time_limit = 2 }
step("sleep, then sum forever", function()
  py.exec("import itertools, os, time; print('lab pid', os.getpid()); time.sleep(1.3)")
  py.exec("sum(itertools.repeat(1))")
end)
