-- A Lua syntax error on line 4.
scenario { title = "Lua syntax error" }
step("never runs", function()
  local x = = 1
end)
