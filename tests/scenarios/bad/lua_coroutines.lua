-- 11 million fresh coroutines: each starts a fresh hook count, so each is charged.
scenario { title = "Coroutine flood" }
step("flood", function()
  for i = 1, 11000000 do
    coroutine.resume(coroutine.create(function() end))
  end
  print("STEP AFTER FAILURE RAN")
end)
