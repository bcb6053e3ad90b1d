-- A loop that never ends, hidden inside pcall: the budget must still stop it.
scenario { title = "Lua runaway loop" }
step("spin", function()
  while true do
    pcall(function() while true do end end)
  end
end)
