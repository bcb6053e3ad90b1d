-- Endless cheap py.exec calls, each far within its time limit: the step's limit must end them.
scenario { title = "Many short calls", step_time_limit = 2 }
step("loop", function()
  while true do py.exec("pass") end
end)
