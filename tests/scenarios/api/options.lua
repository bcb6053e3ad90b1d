-- Options of the wrong type or name: each an error that names the option
-- (tests/scenarios/test_api.py).
scenario { title = "Options", python = "objects.py" }

-- Called from a Lua function, as a step calls it: the error names that line.
local function refused(what, message, f, ...)
  local ok, err = pcall(function(...) local r = f(...) return r end, ...)
  err = tostring(err)
  local good = not ok and err:sub(-#message) == message
    and err:sub(1, #err - #message):match("options%.lua:%d+: $") ~= nil
  if not good then print("got: " .. err) end
  check.truthy(what, good)
end

step("graph options and predict{} fields", function()
  py.call("keep")
  refused("depth of the wrong type", "graph.capture: depth must be an integer, not a string",
    graph.capture, "saved", { depth = "deep" })
  refused("depth not an integer", "graph.capture: depth must be an integer, not 1.5",
    graph.capture, "saved", { depth = 1.5 })
  refused("nodes out of range", "graph.capture: nodes must be from 1 to 200000 (got 1000000000)",
    graph.capture, "saved", { nodes = 10^9 })
  refused("a misspelt option", "graph.capture: unknown option 'node' (known: depth, nodes)",
    graph.capture, "saved", { node = 5 })
  refused("highlight is graph.show's", "graph.capture: unknown option 'highlight' (known: depth, nodes)",
    graph.capture, "saved", { highlight = "saved" })
  refused("options that are not a table",
    "graph.capture: its options must be a table {depth = n, nodes = n}, not a number",
    graph.capture, "saved", 5)
  refused("highlight of the wrong type", "graph.show: highlight must be a string (a root), not a number",
    graph.show, "saved", { highlight = 3 })
  refused("graph.why takes no options", "graph.why takes one root, and no options",
    graph.why, "saved", { depth = 1 })
  refused("predict{} question of the wrong type", "predict{}: question must be a string, not a number",
    predict, { question = 7, choices = { "a", "b" } })
  refused("predict{} choices of the wrong type",
    "predict{}: choices must be a list of strings, not a string", predict, { question = "q", choices = "ab" })
  check.equals("sound options still work", graph.capture("saved", { depth = 2, nodes = 50 }).type,
    "CustomError")
end)
