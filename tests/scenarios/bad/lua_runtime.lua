-- A Lua runtime error on line 5.
scenario { title = "Lua runtime error" }
step("index nil", function()
  local t = nil
  print(t.field)
end)
