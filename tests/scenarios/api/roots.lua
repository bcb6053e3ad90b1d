-- Roots a lesson author writes, right and wrong (tests/scenarios/test_api.py):
-- a name that names nothing is an error at its line; an object that is gone
-- is not; weak references, frame locals and addresses in graph roots and in
-- watch paths alike.
scenario {
  title = "Roots",
  python = "objects.py",
  watch = "last()._exc",   -- last is None until remember() runs: gone, not an error
}

-- The error a call raised, or nil when it did not fail.
local function error_of(f, ...)
  local ok, err = pcall(f, ...)
  return not ok and tostring(err) or nil
end

-- The call fails at its line in this file with exactly this message.
local function refused(what, message, f, ...)
  local err = error_of(f, ...)
  local ok = err ~= nil and err:sub(-#message) == message
    and err:sub(1, #err - #message):match("roots%.lua:%d+: $") ~= nil
  if not ok then print("got: " .. tostring(err)) end
  check.truthy(what, ok)
end

step("A name that names nothing is an error, in every API", function()
  local msg = "no name 'shraed' in the scenario's namespace"
  refused("graph.why", "graph.why: " .. msg, graph.why, "shraed")
  refused("graph.capture", "graph.capture: " .. msg, graph.capture, "shraed")
  refused("graph.show", "graph.show: " .. msg, graph.show, "box", "shraed")
  refused("graph.show's highlight", "graph.show: " .. msg, graph.show, "box", { highlight = "shraed" })
  refused("graph.only_through_traceback", "graph.only_through_traceback: " .. msg,
    graph.only_through_traceback, "shraed")
  refused("probe.watch", "probe.watch: " .. msg, probe.watch, "shraed")
  refused("an attribute that does not exist", "graph.capture: box (a Job) has no attribute 'reslt'",
    graph.capture, "box.reslt")
  refused("() on what is not a weak reference",
    "graph.capture: box is a Job, not a weak reference: \"()\" follows one", graph.capture, "box()")
  refused("a path with an empty part", "graph.why: 'box..result' is not a path: each part is a "
    .. "name, and \"()\" may only end one (last_error().__traceback__)", graph.why, "box..result")
end)

step("Gone, or None, is not an error", function()
  check.equals("an attribute that exists and is None: alive, a NoneType",
    graph.capture("box.result").type, "NoneType")
  check.equals("None along the way: gone", graph.capture("box.result.anything").alive, false)
  check.equals("a weak reference not made yet (None): gone", graph.capture("last()").alive, false)
  check.equals("a live weak reference: its object", graph.capture("box_ref()").type, "Job")
  py.exec("del box")
  check.equals("a dead weak reference: gone", graph.capture("box_ref()").alive, false)
  check.equals("graph.why of a dead weak reference says it is gone",
    graph.why("box_ref()")[1], "gone: the weak reference box_ref is dead: its object is gone")
  check.equals("only_through_traceback of a gone object: false",
    graph.only_through_traceback("box_ref()"), false)
  graph.show("box_ref()", "last()._exc")   -- gone roots are shown as gone, not refused
end)

step("Watch paths follow weak references as roots do", function()
  check.equals("before remember(): last() is None, chain 0", probe.sample().chain, 0)
  py.call("remember")
  check.equals("last()._exc: the stored error's chain, 2 entries", probe.sample().chain, 2)
  probe.watch("jobs")
  check.equals("jobs (a list): no chain", probe.sample().chain, 0)
  probe.watch("last()._exc")
  check.equals("probe.watch with () too", probe.sample().chain, 2)
end)

step("A frame's local, read in place", function()
  py.call("keep")
  local buffer = graph.capture("saved.__traceback__.tb_next.tb_frame.local:buffer")
  check.equals("local:buffer names parse()'s buffer", buffer.type, "bytearray")
  check.truthy("of 100,000 bytes", buffer.size >= 100000)
  check.equals("no locals dict was made on the frame", py.call("frame_has_locals_dict"), false)
  check.truthy("graph.why reaches it through the frame",
    table.concat(graph.why("saved.__traceback__.tb_next.tb_frame.local:buffer"), " ")
      :find("-[buffer]-> bytearray", 1, true) ~= nil)
  refused("a local the frame does not have",
    "graph.capture: saved.__traceback__.tb_next.tb_frame (the frame of parse()) has no local 'bufer'",
    graph.capture, "saved.__traceback__.tb_next.tb_frame.local:bufer")
  refused("local: on what is not a frame",
    "graph.capture: saved is a CustomError, not a frame: local:buffer reads a frame's local",
    graph.capture, "saved.local:buffer")
  refused("f_locals, which would make a dict",
    "graph.capture: saved.__traceback__.tb_frame.f_locals would make a dict on the frame, which "
    .. "changes what it keeps alive: name one local as saved.__traceback__.tb_frame.local:NAME",
    graph.capture, "saved.__traceback__.tb_frame.f_locals")
  py.exec("import traceback\ntraceback.clear_frames(saved.__traceback__)")
  check.equals("once the frame is cleared, its local is gone",
    graph.capture("saved.__traceback__.tb_next.tb_frame.local:buffer").alive, false)
end)

step("Garbage, named by its id", function()
  local ids = py.call("make_garbage")
  local err, frame = "#" .. ids[1], "#" .. ids[2]
  local g = graph.capture(err)
  check.equals("#id names the error only a cycle keeps", g.type, "CustomError")
  check.equals("it is on the cycle", g.on_cycle, true)
  check.truthy("graph.why: nothing in the globals reaches it",
    graph.why(err)[1]:find("only a reference cycle keeps it", 1, true) ~= nil)
  check.equals("#id.local:err: the frame's local is the error",
    graph.capture(frame .. ".local:err").type, "CustomError")
  probe.watch(err)
  check.equals("the gauges can follow it: chain 2", probe.sample().chain, 2)
  check.truthy("the collector finds it", py.collect() > 0)
  check.equals("once collected, #id is gone", graph.capture(err).alive, false)
  check.equals("#0: nothing is tracked there, gone", graph.capture("#0").alive, false)
  refused("# with no number", "graph.capture: '#x1': after # comes an object's id() in decimal "
    .. "(\"#\" .. py.eval(\"id(x)\"))", graph.capture, "#x1")
  py.exec("import gc\ngc.enable()")
end)

step("cycle_groups: groups of objects, not loops", function()
  py.call("make_groups")
  local ring = graph.capture("ring")
  check.equals("ring: two loops in one group", ring.cycle_groups, 1)
  check.equals("cycles is the same count, of groups", ring.cycles, 1)
  check.equals("pair: two groups", graph.capture("pair").cycle_groups, 2)
end)
