-- Allocates tables without bound, with no pcall around it.
scenario { title = "Lua memory bomb without pcall" }
step("grow", function()
  local keep = {}
  while true do keep[#keep + 1] = { #keep } end
end)
