-- The lab is killed from outside (SIGKILL) mid-step: the test reads its pid and kills it.
scenario { title = "Killed from outside", time_limit = 60 }
step("sleep", function()
  py.exec("import os, time; print('lab pid', os.getpid())")
  py.exec("time.sleep(1e9)")
end)
