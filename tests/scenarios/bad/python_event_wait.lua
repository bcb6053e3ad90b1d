-- threading.Event().wait() blocks on a lock forever: the time limit must interrupt it.
scenario { title = "Python waits forever", time_limit = 1 }
step("wait", function()
  py.exec("import threading; threading.Event().wait()")
end)
