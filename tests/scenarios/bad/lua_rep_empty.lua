-- string.rep("", math.maxinteger): Lua would loop 2^63 times to build an empty string.
scenario { title = "Repeat nothing forever" }
step("rep", function()
  local t0 = os.clock()
  local s = string.rep("", math.maxinteger)
  local s2 = string.rep("", math.maxinteger, "")
  check.equals("an empty string", #s + #s2, 0)
  check.truthy("at once", os.clock() - t0 < 0.5)
end)
