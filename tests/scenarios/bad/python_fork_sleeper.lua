-- os.fork() with a child that sleeps forever: the child must not outlive exclab.
scenario { title = "A forked child that sleeps" }
step("fork", function()
  py.exec([[
import os, time
pid = os.fork()
if pid == 0:
    time.sleep(1e9)
    os._exit(0)
print('lab pid', os.getpid())
print('child', pid)
]])
  check.truthy("the parent goes on", py.eval("pid > 0"))
end)
