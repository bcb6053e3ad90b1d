-- Allocates without bound, swallowing each memory error with pcall.
scenario { title = "Lua memory bomb" }
step("grow", function()
  local keep = {}
  while true do
    pcall(function() keep[#keep + 1] = string.rep("x", 1000000) .. #keep end)
  end
end)
