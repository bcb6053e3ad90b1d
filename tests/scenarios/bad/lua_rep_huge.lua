-- string.rep("x", 2^40): a terabyte string, refused before Lua tries to build it.
scenario { title = "Repeat a terabyte" }
step("rep", function()
  local s = string.rep("x", 2^40)
  print("STEP AFTER FAILURE RAN", #s)
end)
