-- What the JSON report carries for a teacher (tests/scenarios/test_api.py
-- reads it): each step's reading as it began, labelled and timed samples,
-- named readings, graph captures, predictions and printed lines.
scenario {
  title = "Report",
  python = "objects.py",
  watch = "saved",
}

step("Keep an error", function()
  local first = probe.sample("first")
  check.truthy("probe.sample() reads the probes before the step's first py.* call",
    first.heap ~= nil and first.heap > 0 and first.rss > 0 and first.chain == 0)
  print("printed from Lua")
  py.exec("import sys\nprint('printed from Python')\nprint('to stderr', file=sys.stderr)")
  py.call("keep")
  local after = probe.sample("after keep")
  check.equals("the chain of saved", after.chain, 2)
  local g = graph.capture("saved")
  check.equals("saved is the error", g.type, "CustomError")
  local guess = predict { question = "How many entries has its chain?", choices = { "1", "2" } }
  reveal(guess, tostring(after.chain))
end)

step("Read it again", function()
  local start = probe.sample()
  check.equals("the second step's start: the chain is still there", start.chain, 2)
  probe.sample("again")   -- the same reading, named twice
  probe.sample("and again")
end)
