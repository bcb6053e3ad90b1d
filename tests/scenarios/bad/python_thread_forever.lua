-- A non-daemon thread that sleeps forever: the run must still finish at once.
scenario { title = "A thread left behind" }
step("start a thread", function()
  py.exec("import os, threading, time; print('lab pid', os.getpid()); threading.Thread(target=time.sleep, args=(1e9,)).start()")
  check.equals("the thread runs", py.eval("threading.active_count()"), 2)
end)
