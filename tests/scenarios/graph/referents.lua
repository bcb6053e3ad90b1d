-- The graph's edges are exactly gc.get_referents (same targets, as many times),
-- for every type the graph names edges for; and the names are the right ones.
scenario { title = "Graph edges against gc.get_referents", python = "fixtures.py" }

local FIXTURES = {
  "chained", "inner", "traceback", "frame", "closure", "cell", "plain", "with_dict",
  "own_dict", "slotted", "method", "a_dict", "a_list", "a_tuple", "a_set", "self_list",
  "AppError", "report", "builtin",
}

local function sorted_addrs(g)
  local out = {}
  for _, e in ipairs(g.edges_out) do out[#out + 1] = e.addr end
  table.sort(out)
  return table.concat(out, ",")
end

local function labels(g)
  local out = {}
  for _, e in ipairs(g.edges_out) do out[e.label] = e.type end
  return out
end

step("Edges equal gc.get_referents", function()
  for _, name in ipairs(FIXTURES) do
    local g = graph.capture(name, { depth = 1 })
    local expected = py.eval(("','.join(map(str, sorted(id(x) for x in __import__('gc').get_referents(%s))))"):format(name))
    check.equals(name .. ": the same referents as gc.get_referents", sorted_addrs(g), expected)
  end
end)

step("Edges are named by meaning", function()
  local l = labels(graph.capture("inner", { depth = 1 }))
  check.equals("exception -> __traceback__", l["__traceback__"], "traceback")
  check.equals("exception -> __context__", l["__context__"], "KeyError")
  check.equals("exception -> args", l["args"], "tuple")
  -- On 3.11 add_note() stores __notes__ as an attribute, in the __dict__.
  check.equals("exception -> __dict__ (its attributes, __notes__ among them)", l["__dict__"], "dict")
  l = labels(graph.capture("chained", { depth = 1 }))
  check.equals("exception -> __cause__", l["__cause__"], "AppError")
  l = labels(graph.capture("traceback", { depth = 1 }))
  check.equals("traceback -> tb_next", l["tb_next"], "traceback")
  check.equals("traceback -> tb_frame", l["tb_frame"], "frame")
  l = labels(graph.capture("frame", { depth = 1 }))
  check.equals("frame -> a local by name", l["payload"], "bytearray")
  check.equals("frame -> another local", l["helper"], "Plain")
  check.equals("frame -> f_back", l["f_back"], "frame")
  l = labels(graph.capture("plain", { depth = 1 }))
  check.equals("instance -> attribute (inline values)", l["items"], "list")
  check.equals("instance -> __class__", l["__class__"], "type")
  l = labels(graph.capture("own_dict", { depth = 1 }))
  check.equals("instance -> __dict__ once it has one", l["__dict__"], "dict")
  l = labels(graph.capture("with_dict", { depth = 1 }))
  if python.minor >= 13 then
    -- 3.13 builds the __dict__ on the inline values, which go on holding the
    -- attributes: tp_traverse visits them, not the dict.
    check.equals("instance -> attribute, still inline once __dict__ was read", l["items"], "list")
  else
    check.equals("instance -> __dict__ once __dict__ was read", l["__dict__"], "dict")
  end
  l = labels(graph.capture("a_dict", { depth = 1 }))
  check.equals("dict -> value by key", l["x"], "Plain")
  check.equals("dict -> value by int key", l["[1]"], "list")
  l = labels(graph.capture("a_list", { depth = 1 }))
  check.equals("list -> [0]", l["[0]"], "Plain")
  l = labels(graph.capture("cell", { depth = 1 }))
  check.equals("cell -> cell_contents", l["cell_contents"], "list")
  l = labels(graph.capture("closure", { depth = 1 }))
  check.equals("function -> __closure__", l["__closure__"], "tuple")
  check.equals("function -> __defaults__", l["__defaults__"], "tuple")
  check.equals("function -> __globals__", l["__globals__"], "dict")
  check.equals("function -> __builtins__", l["__builtins__"], "dict")
  check.equals("function -> __doc__", l["__doc__"], "NoneType")
  l = labels(graph.capture("method", { depth = 1 }))
  check.equals("method -> __self__", l["__self__"], "Plain")
  check.equals("method -> __func__", l["__func__"], "function")
  l = labels(graph.capture("builtin", { depth = 1 }))
  check.equals("built-in method -> __self__", l["__self__"], "list")
  l = labels(graph.capture("slotted", { depth = 1 }))
  check.equals("instance -> a slot by name", l["a"], "list")
  check.equals("instance -> another slot", l["b"], "dict")
  l = labels(graph.capture("report", { depth = 1 }))
  check.equals("list subclass -> [1]", l["[1]"], "Slotted")
  check.equals("list subclass -> __dict__", l["__dict__"], "dict")
  l = labels(graph.capture("AppError", { depth = 1 }))
  check.equals("class -> __mro__", l["__mro__"], "tuple")
  check.equals("class -> __bases__", l["__bases__"], "tuple")
  check.equals("class -> __base__", l["__base__"], "type")
  check.equals("class -> __dict__", l["__dict__"], "dict")
  -- Every edge has a name: a field, a key, a position, or "(referent)".
  for _, name in ipairs(FIXTURES) do
    local unnamed = 0
    for _, e in ipairs(graph.capture(name, { depth = 1 }).edges_out) do
      if e.label == "" or e.label == "?" then unnamed = unnamed + 1 end
    end
    check.equals(name .. ": every edge is named", unnamed, 0)
  end
end)

step("Cycles: found where they are, not where they are not", function()
  check.truthy("a list that contains itself", graph.capture("self_list").on_cycle)
  check.truthy("a closure cell pointing at its own list is no cycle",
    not graph.capture("cell").on_cycle)
  local g = graph.capture("traceback", { depth = 3 })
  check.equals("a plain traceback chain has no cycle", g.cycles, 0)
end)

step("Capturing changes nothing", function()
  local before = probe.sample()
  for _ = 1, 20 do graph.capture("chained") end
  local after = probe.sample()
  check.equals("no collection triggered", after.gc_runs, before.gc_runs)
  check.flat("gen-0 count unchanged", before.gc0, after.gc0, 2)
  check.equals("no locals dict was materialised on a captured frame",
    py.eval("any(type(r) is dict and 'payload' in r for r in __import__('gc').get_referents(frame))"),
    false)
  check.equals("plain still has inline attributes (no __dict__ built)",
    py.eval("__import__('gc').get_referents(plain)[0].__class__.__name__ != 'dict'"), true)
end)

step("A traceback's line, read without asking Python", function()
  -- From 3.12 tb_lineno is computed when Python code first reads it: the
  -- graph must name the line before anything has.
  py.exec([[
def _raise_here():
    raise KeyError("line")
try:
    _raise_here()
except KeyError as _e:
    fresh_tb = _e.__traceback__.tb_next
]])
  local why = graph.why("fresh_tb")
  local shown = why[#why]:match(":(%-?%d+)$")
  check.equals("the graph names the raise's line", tonumber(shown),
    py.eval("fresh_tb.tb_lineno"))
end)
