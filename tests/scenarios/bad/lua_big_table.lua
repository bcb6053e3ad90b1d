-- A 200,000-item table for Python: more than a conversion may carry.
scenario { title = "A table too big" }
step("convert", function()
  py.exec("def length(x): return len(x)")
  local t = {}
  for i = 1, 200000 do t[i] = i end
  py.call("length", 1, t)
  print("STEP AFTER FAILURE RAN")
end)
