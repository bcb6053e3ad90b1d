-- SIGINT ignored by the scenario (signal.SIG_IGN), then a long sleep: Ctrl-C must still end it.
scenario { title = "SIGINT ignored", time_limit = 60 }
step("sleep", function()
  py.exec("import signal, time; signal.signal(signal.SIGINT, signal.SIG_IGN)")
  py.exec("import os; print('lab pid', os.getpid()); time.sleep(1e9)")
end)
