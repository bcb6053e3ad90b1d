-- A Python loop that never ends and swallows KeyboardInterrupt: the time limit stops it.
scenario { title = "Python loop", time_limit = 1 }
step("spin", function()
  py.exec([[
n = 0
while True:
    try:
        n += 1
    except BaseException:
        pass
]])
end)
