-- A string.find pattern that backtracks 2^40 ways, in C: the lab must be ended.
scenario { title = "Pathological pattern", time_limit = 1 }
step("find", function()
  print("finding")
  string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40))
end)
