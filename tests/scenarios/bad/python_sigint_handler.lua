-- A SIGINT handler that returns: time.sleep resumes after it, so Ctrl-C must end the lab.
scenario { title = "SIGINT handler that returns", time_limit = 60 }
step("sleep", function()
  py.exec([[
import os, signal, time
signal.signal(signal.SIGINT, lambda signum, frame: print("handler ran"))
print('lab pid', os.getpid())
time.sleep(1e9)
]])
end)
