-- A loop that catches KeyboardInterrupt inside itself and goes on: Ctrl-C or the limit must end the lab.
scenario { title = "Python swallows KeyboardInterrupt", time_limit = 60 }
step("spin", function()
  py.exec([[
import os
print('lab pid', os.getpid())
while True:
    try:
        while True:
            pass
    except KeyboardInterrupt:
        pass
]])
end)
