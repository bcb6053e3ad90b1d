-- A Python exception in a called function, raised on line 3 of raises.py.
scenario { title = "Python exception", python = "raises.py" }
step("call", function()
  py.call("divide", 1, 1, 0)
end)
