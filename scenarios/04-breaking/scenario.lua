-- Lesson 4: breaking exception reference cycles.
-- The Python side is breaking.py (runnable on its own: it prints the same
-- figures from tracemalloc, in the same order as these steps).

local PAYLOAD = 5 * MB       -- the Giant's and each Payload's bytes
local BODY = 1 * MB          -- what each failed download holds
local FAILURES = 20          -- failures a client keeps
local NOISE = PAYLOAD // 20  -- "flat": 250 KB, a twentieth of one payload
local EXTRA = 8 * KB         -- what a kept request holds besides its payload
local CALLS = 50             -- calls in the standard-library step

local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

-- What happened in request(), in order, as breaking.py's `events` says.
local function events() return py.eval("'|'.join(events)") end

-- One request() with a variant of inner(); the readings around it.
local function request(variant)
  local before = probe.sample()
  py.call("request", 1, variant)
  local after = probe.sample()
  print(("request(%q): heap %+d bytes; events: %s")
    :format(variant, math.floor(after.heap - before.heap), events()))
  return before, after
end

-- The fixes: Giant finalised before outer() returned, nothing for the GC.
local function fixed(variant)
  py.collect()
  local before, after = request(variant)
  check.equals("Giant.__del__ ran before outer() returned", events(),
    "Giant.__del__|outer() returned")
  check.flat(("heap: flat (within %s)"):format(kb(NOISE)), before.heap, after.heap, NOISE, "bytes")
  check.equals("the exception is gone right after the call",
    graph.capture("last_error()").alive, false)
  local found = py.collect()
  print(("gc.collect() found %d unreachable objects"):format(found))
  return found
end

local del_guess          -- step 1's prediction, revealed in step 2

scenario {
  title = "Breaking exception cycles",
  python = "breaking.py",
  gauges = { "heap", "gc0", "gc_runs", "rss" },
  memory_limit = 256 * MB,   -- at most about 30 MB is kept at once
}

step("A Giant with a __del__", function()
  check.equals("breaking.py's payload is 5 MB", py.eval("PAYLOAD"), PAYLOAD, "bytes")
  graph.show("last_error()", { highlight = "last_error().__traceback__.tb_frame" })
  py.collect()
  del_guess = predict {
    question = "outer() holds a Giant and returns. When will Giant.__del__ run?",
    choices = { "as outer() returns", "at the next gc.collect()", "never" },
  }
  local before, after = request("bound")
  check.equals("outer() returned; Giant.__del__ has not run", events(), "outer() returned")
  check.equals("the Giant is alive", py.eval("alive('giant')"), true)
  local g = graph.capture("last_error()")
  check.equals("the exception is on a cycle", g.on_cycle, true)
  check.equals("heap: the Giant's 5 MB kept, plus under " .. kb(EXTRA),
    after.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
end)

step("Ask the collector", function()
  local before = probe.sample()
  py.exec("events.append('gc.collect()')")
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))
  check.equals("Giant.__del__ ran inside gc.collect()", events(),
    "outer() returned|gc.collect()|Giant.__del__")
  -- The exception, its args, 2 tracebacks, the frames of inner and outer,
  -- the Giant, and request()'s frame (outer's f_back).
  check.equals("gc.collect() found 8 objects", found, 8)
  check.equals(("heap: down by the Giant (within %s)"):format(kb(EXTRA)),
    before.heap - after.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
  reveal(del_guess, events():find("gc.collect()|Giant", 1, true)
    and "at the next gc.collect()" or "as outer() returns")
end)

step("Fix: del exc in finally", function()
  local guess = predict {
    question = "inner() now ends with finally: del exc. How many objects will gc.collect() find?",
    number = true,
  }
  local found = fixed("del")
  check.equals("gc.collect() found 0 objects", found, 0)
  reveal(guess, found)
end)

step("exc = None, or no name at all", function()
  check.equals("finally: exc = None: gc.collect() found 0", fixed("none"), 0)
  check.equals("raise LoadError(...): gc.collect() found 0", fixed("unbound"), 0)
  local out = py.call("first_ok_del")
  print("a retry loop with finally: del err, first attempt fine: " .. out)
  check.equals("del on a name never bound raises instead of returning",
    out, "UnboundLocalError")
end)

-- One client keeping FAILURES failures as `kind`; what that keeps.
local function keep(kind)
  py.collect()
  local before = probe.sample()
  py.exec(("client = Client(%q)"):format(kind))
  local n = py.call("client.fetch", 1, FAILURES)
  local after = probe.sample()
  local g = graph.capture("client.failures")
  local grown = after.heap - before.heap
  print(("%d failures kept as %s: heap +%d bytes (%d each); %d frames, %d tracebacks")
    :format(n, kind, math.floor(grown), math.floor(grown / FAILURES),
            g.count.frame or 0, g.count.traceback or 0))
  check.equals(("%s: %d failures kept"):format(kind, FAILURES), n, FAILURES)
  if kind ~= "exception" then
    local text = py.eval(kind == "report" and "''.join(client.failures[-1].format())"
                         or "client.failures[-1]")
    check.truthy(kind .. ": it still prints the traceback, download() and the message",
      text:find("in download", 1, true)
      and text:find("LoadError: attempt 19: connection reset", 1, true))
  end
  py.exec("client = None")
  local found = py.collect()
  print(("client dropped: gc.collect() found %d"):format(found))
  return grown, g, found
end

step("Keeping failures: exceptions or reports", function()
  py.call("warm_up")          -- first formatting reads the source: not ours
  graph.show("client.failures")
  local grown, g, found = keep("exception")
  check.equals(("exceptions: one 1 MB body per failure, plus under %s"):format(kb(2 * KB)),
    grown // FAILURES, BODY + KB, KB, "bytes")
  check.equals("exceptions: 21 frames kept, 20 download()s and fetch()",
    g.count.frame or 0, FAILURES + 1)
  check.grows("exceptions: a cycle through fetch()'s self, for the GC", 0, found)

  local guess = predict {
    question = "Kept as TracebackException instead, how much heap will 20 failures keep?",
    choices = { "about 20 MB", "about 2 MB", "under 100 KB" },
  }
  grown, g, found = keep("report")
  reveal(guess, grown < 100 * KB and "under 100 KB"
    or grown < 5 * MB and "about 2 MB" or "about 20 MB")
  -- A report is 0.6-0.7 KB up to 3.12; 3.13's is 0.9 KB (measured).
  local report = python.minor >= 13 and 900 or 700
  check.equals(("reports: about %.1f KB each (within 0.3 KB)"):format(report / KB),
    grown / FAILURES, report, 300, "bytes")
  check.equals("reports: no frame kept", g.count.frame or 0, 0)
  check.equals("reports: no traceback kept", g.count.traceback or 0, 0)
  check.equals("reports: nothing for the GC", found, 0)

  grown, g, found = keep("text")
  check.equals("text: about 0.6 KB each (within 0.3 KB)", grown / FAILURES, 600, 300)
  check.equals("text: no frame kept", g.count.frame or 0, 0)
  check.equals("text: nothing for the GC", found, 0)
end)

step("traceback.clear_frames", function()
  py.collect()
  graph.show("kept")
  local before = probe.sample()
  py.call("keep_error")
  local kept = probe.sample()
  check.equals("kept: the raising frame's payload is alive", py.eval("alive('payload')"), true)
  check.equals("heap: +5 MB while the exception is kept (within " .. kb(EXTRA) .. ")",
    kept.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
  py.call("clear_kept")
  local after = probe.sample()
  print(("clear_frames: heap %s -> %s"):format(mb(kept.heap), mb(after.heap)))
  check.equals("after clear_frames the payload is gone", py.eval("alive('payload')"), false)
  check.flat(("heap: back to where it was (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE, "bytes")
  check.equals("the exception itself is still kept", py.eval("kept is not None"), true)
  check.equals("and it still prints, naming load_payload",
    py.eval("'in load_payload' in kept_printed()"), true)
  py.call("drop_kept")
end)

step("Reading f_locals first", function()
  py.collect()
  local guess = predict {
    question = "An error reporter reads each frame's f_locals first. Will clear_frames free the 5 MB local?",
    choices = { "yes", "no" },
  }
  local before = probe.sample()
  py.call("keep_error")
  local names = py.call("read_locals")
  print("the reporter saw the locals: " .. table.concat(names, ", "))
  py.call("clear_kept")
  local after = probe.sample()
  local still = py.eval("alive('payload')")
  print(("clear_frames after f_locals: the payload is %s; heap %+d bytes")
    :format(still and "alive" or "gone", math.floor(after.heap - before.heap)))
  reveal(guess, still and "no" or "yes")
  -- gh-113939: fixed in 3.13, where clearing a frame clears f_locals too.
  local kept_by_f_locals = python.major == 3 and python.minor <= 12
  check.equals(("Python %d.%d: payload %s after clear_frames")
    :format(python.major, python.minor, kept_by_f_locals and "still alive" or "freed"),
    still, kept_by_f_locals)
  if kept_by_f_locals then
    check.equals("heap: still +5 MB (within " .. kb(EXTRA) .. ")",
      after.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
  end
  py.call("drop_kept")
  check.equals("dropping the exception frees it: no cycle here", py.eval("alive('payload')"), false)

  -- The same with the standard library's reporter reading the locals.
  py.call("keep_error")
  local seen = py.call("capture_locals")
  py.call("clear_kept")
  still = py.eval("alive('payload')")
  print(("TracebackException(capture_locals=True) saw %s; after clear_frames the payload is %s")
    :format(table.concat(seen, ", "), still and "alive" or "gone"))
  check.equals(("capture_locals=True first: payload %s after clear_frames")
    :format(kept_by_f_locals and "still alive" or "freed"), still, kept_by_f_locals)
  py.call("drop_kept")
end)

step("clear_frames inside the handler", function()
  py.collect()
  local before = probe.sample()
  py.call("clear_in_handler")
  local after = probe.sample()
  check.equals("the raising frame's payload is gone", py.eval("alive('payload')"), false)
  check.equals("the handler's own buffer is alive: its frame was running",
    py.eval("alive('buffer')"), true)
  check.equals("heap: +5 MB, the buffer (within " .. kb(EXTRA) .. ")",
    after.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
  py.call("clear_kept")       -- the handler has returned now
  check.equals("clear_frames after the handler returned frees it",
    py.eval("alive('buffer')"), false)
  py.call("drop_kept")
end)

-- Run `name` CALLS times with the GC off; what gc.collect() finds after.
local function gc_off(name)
  py.collect()
  py.exec("gc.disable()")
  local result = py.call(name, 1, CALLS)
  py.exec("gc.enable()")
  local found = py.collect()
  print(("%s(%d) with the GC off: gc.collect() found %d"):format(name, CALLS, found))
  return result, found
end

step("How the standard library does it", function()
  local refused, found = gc_off("refused")
  check.equals(("socket.create_connection refused %d times"):format(CALLS), refused, CALLS)
  check.equals("socket.create_connection: gc.collect() found 0", found, 0)
  found = select(2, gc_off("future_stdlib"))
  check.equals("Future.result(): gc.collect() found 0", found, 0)
  found = select(2, gc_off("future_naive"))
  check.equals("without self = None: 9 objects per call", found // CALLS, 9)
  found = select(2, gc_off("future_local"))
  check.equals("stdlib Future in the caller's local: 19 objects per call", found // CALLS, 19)
  found = select(2, gc_off("future_local_fixed"))
  check.equals("the caller adds finally: fut = None: gc.collect() found 0", found, 0)
end)

-- The exercise: connect() keeps the last error in `err` across attempts and
-- raises it at the end (socket.create_connection before bpo-31234). verify
-- runs the learner's connect() with the GC off and looks for cycles.
local VERIFY_CALLS = 50      -- calls per case; the leaky file keeps ~200 KB each
local HARNESS = [[
import gc as _gc

def _outcome(addresses):
    """What connect(addresses) did, as text."""
    try:
        return f"returned {connect(addresses)}"
    except Exception as e:
        return f"raised {type(e).__name__}: {e}"

def _chain(addresses):
    """Entries in the traceback of the error connect(addresses) raised."""
    try:
        connect(addresses)
    except Exception as e:
        tb, n = e.__traceback__, 0
        while tb is not None:
            tb, n = tb.tb_next, n + 1
        return n
    return 0

def _drive(n, addresses):
    for _ in range(n):
        _outcome(addresses)
]]

local ALL_FAIL = "['db1', 'db2', 'db3']"
local LATE_OK = "['db1', 'db2', 'up:db3']"

exercise {
  file = "exercise/connect.py",
  task = "Make connect() leave no cycle behind, whether an attempt succeeds or all fail.",
  solution = "exercise/solution.py",
  cheats = { "exercise/cheat_swallow.py", "exercise/cheat_generic.py",
             "exercise/partial_fix.py", "exercise/cheat_success_only.py" },
  hints = {
    "After connect() returns or raises, what still refers to the last error? Follow err.__traceback__.",
    "err's traceback holds connect()'s own frame, and that frame holds err. Drop the name before the frame is done, on every way out: also the return after a failure.",
    "Wrap the loop and the final raise in try: ... finally: err = None, as socket.create_connection has done on both ways out since bpo-36820 (2019). Not del err: when no attempt failed, err may not be bound.",
  },
  verify = function(path)
    py.load(path)
    py.exec(HARNESS)
    -- Behaviour: what the callers rely on.
    check.equals("the first address that answers is returned",
      py.eval("_outcome(['db1', 'up:db2', 'up:db3'])"), "returned connected to db2")
    check.equals("all refuse: the last error is raised, with its message",
      py.eval("_outcome(" .. ALL_FAIL .. ")"), "raised ConnectError: db3: connection refused")
    check.equals("no addresses: ConnectError('no addresses to try')",
      py.eval("_outcome([])"), "raised ConnectError: no addresses to try")
    local first = py.eval("_chain(" .. ALL_FAIL .. ")")
    py.exec(("_drive(%d, %s)"):format(VERIFY_CALLS, ALL_FAIL))
    check.equals("the raised error's traceback does not grow from call to call",
      py.eval("_chain(" .. ALL_FAIL .. ")"), first)

    -- Memory: with the GC off, nothing may be left for it to find.
    for _, case in ipairs({ { "all attempts fail", ALL_FAIL },
                            { "the last attempt succeeds", LATE_OK } }) do
      py.collect()
      py.exec("_gc.disable()")
      local before = probe.sample()
      py.exec(("_drive(%d, %s)"):format(VERIFY_CALLS, case[2]))
      local after = probe.sample()
      py.exec("_gc.enable()")
      local found = py.collect()
      print(("%s, %d calls with the GC off: heap %+d bytes; gc.collect() found %d")
        :format(case[1], VERIFY_CALLS, math.floor(after.heap - before.heap), found))
      check.flat(("%s: heap flat over %d calls (within 64 KB)"):format(case[1], VERIFY_CALLS),
        before.heap, after.heap, 64 * KB, "bytes")
      check.equals(("%s: gc.collect() finds no cycles left"):format(case[1]), found, 0)
    end
  end,
}
