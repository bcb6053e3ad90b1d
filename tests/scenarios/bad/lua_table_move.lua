-- table.move over 2^63 slots: a loop in C the count hook never sees.
scenario { title = "Move the whole integer range" }
step("move", function()
  table.move({}, math.mininteger, math.maxinteger, 1)
end)
