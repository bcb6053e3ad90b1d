-- A misspelt root, not caught: the scenario fails at its line.
scenario { title = "Typo", python = "objects.py" }
step("why", function()
  print(graph.why("shraed")[1])
end)
