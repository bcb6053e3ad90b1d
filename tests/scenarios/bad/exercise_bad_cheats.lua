-- exercise{} with a cheat that is a table, not a path.
scenario { title = "Bad cheats" }
exercise {
  file = "raises.py", solution = "raises.py",
  cheats = { {} },
  verify = function(path) end,
}
step("never runs", function() print("STEP AFTER FAILURE RAN") end)
