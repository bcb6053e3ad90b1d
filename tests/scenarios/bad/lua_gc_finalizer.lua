-- A __gc finalizer with a 10^9 loop: finalizers run with the count hook off.
scenario { title = "Finalizer loop" }
step("finalizer", function()
  setmetatable({}, { __gc = function() for i = 1, 1e9 do end end })
  print("STEP AFTER FAILURE RAN")
end)
