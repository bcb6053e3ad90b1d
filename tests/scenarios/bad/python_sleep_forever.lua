-- time.sleep(1e9) blocks in C: the time limit must interrupt the sleep.
scenario { title = "Python sleeps forever", time_limit = 1 }
step("sleep", function()
  py.exec("import time; time.sleep(1e9)")
end)
step("never runs", function() print("STEP AFTER FAILURE RAN") end)
