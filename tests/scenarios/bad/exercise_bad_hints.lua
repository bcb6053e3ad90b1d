-- exercise{} with a hint that is not a string.
scenario { title = "Bad hints" }
exercise {
  file = "raises.py", solution = "raises.py",
  hints = { "ok", false },
  verify = function(path) end,
}
step("never runs", function() print("STEP AFTER FAILURE RAN") end)
