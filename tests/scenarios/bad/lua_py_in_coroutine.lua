-- py.exec from a coroutine the scenario made: its yield would reach the wrong resume.
scenario { title = "Python from a coroutine" }
step("wrap", function()
  coroutine.wrap(function() py.exec("x = 1") end)()
end)
