-- An xpcall message handler that loops forever: Lua runs handlers with the hook off.
scenario { title = "Endless message handler" }
step("xpcall", function()
  xpcall(error, function() while true do end end)
  print("STEP AFTER FAILURE RAN")
end)
