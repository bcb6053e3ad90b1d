-- A Python syntax error on line 2 of broken.py.
scenario { title = "Python syntax error" }
step("load", function()
  py.load("broken.py")
end)
