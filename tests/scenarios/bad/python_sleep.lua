-- A long time.sleep: Ctrl-C must interrupt it (KeyboardInterrupt); SIGTERM must end exclab and the lab.
scenario { title = "Python sleeps", time_limit = 60 }
step("sleep", function()
  py.exec("import os, time; print('lab pid', os.getpid()); time.sleep(1e9)")
end)
