-- A runaway loop inside a coroutine: resume returns false, but the run must still fail.
scenario { title = "Budget swallowed by resume" }
step("swallow", function()
  local ok, err = coroutine.resume(coroutine.create(function() while true do end end))
  print("resume returned", ok, err)
  check.truthy("went on after the budget ran out", true)
end)
