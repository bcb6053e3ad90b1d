-- Lesson 2: exception reference cycles.
-- The Python side is cycles.py (runnable on its own: it prints the same
-- figures from tracemalloc). tests/accuracy/check_cycles.py compares the
-- two, so the steps below call the same functions, in the same order, as
-- its _main().

local PAYLOAD = 5 * MB       -- bytes: the Payload each loader holds
local N = 20                 -- leaky requests in the GC-count step: 100 MB
local NOISE = PAYLOAD // 20  -- heap tolerance, "flat": 250 KB, a twentieth
                             -- of what one kept payload would add
local EXTRA = 8 * KB         -- what a kept request may hold besides its
                             -- payload: exception, 2 tracebacks, 2 frames
local ROOT = "last_error()"  -- the newest exception, through a weak reference
local per_request            -- containers a leaky request adds (step 3)

-- The default generation-0 threshold: 700 up to 3.12, 2000 from 3.13.
local DEFAULT_THRESHOLD = (python.major == 3 and python.minor >= 13) and 2000 or 700

-- Units as the gauges show them: KB = 1000 bytes, MB = 1000 KB.
local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

-- One call of a cycles.py entry point: the readings around it and what
-- the weak reference sees right after it.
local function request(name)
  local before = probe.sample()
  py.call(name)
  local after = probe.sample()
  local g = graph.capture(ROOT)
  print(("%s(): heap %+d bytes; the exception is %s%s")
    :format(name, math.floor(after.heap - before.heap),
            g.alive and "alive" or "gone",
            g.alive and (g.on_cycle and ", on a cycle" or ", on no cycle") or ""))
  if g.cycle then print("cycle: " .. g.cycle) end
  return before, after, g
end

-- Free what the previous step left, so each step starts clean.
local function clean_slate()
  local before = probe.sample()
  py.collect()
  local after = probe.sample()
  print(("gc.collect() first: heap %s -> %s"):format(mb(before.heap), mb(after.heap)))
end

-- The checks every leaky variant must pass, and every fix must fail.
local function leaked(before, after, g, cycle)
  check.equals("the exception is still alive", g.alive, true)
  check.equals("it is on a reference cycle", g.on_cycle, true)
  check.equals("the cycle runs through the frame's local", g.cycle, cycle)
  check.equals(("heap: one payload kept, plus under %s"):format(kb(EXTRA)),
    after.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2)
end

local function freed(before, after, g)
  check.equals("the exception is gone right after the call", g.alive, false)
  check.flat(("heap: flat (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE)
end

scenario {
  title = "Exception reference cycles",
  python = "cycles.py",
  gauges = { "heap", "gc0", "gc_runs", "rss" },
  memory_limit = 256 * MB,   -- the GC-count step holds about 100 MB
}

step("One request that binds its exception", function()
  check.equals("cycles.py's payload is 5 MB", py.eval("PAYLOAD"), PAYLOAD)
  -- Point at the frame whose local closes the loop.
  graph.show(ROOT, { highlight = "last_error().__traceback__.tb_next.tb_frame" })
  py.collect()               -- a fresh generation-0 count, as cycles.py has
  local before, after, g = request("leaky_local")
  leaked(before, after, g,
    "AppError -[__traceback__]-> traceback -[tb_next]-> traceback"
    .. " -[tb_frame]-> frame -[exc]-> AppError")
  local retained = g.retained or 0
  check.truthy(("the payload is kept only through the exception (%s)")
    :format(mb(retained)), retained >= PAYLOAD)

  py.eval("alive()")         -- more Python runs; nothing frees it
  local later = probe.sample()
  check.flat("heap: still kept after more Python code ran",
    after.heap, later.heap, NOISE)

  pause("Predict: nothing refers to this exception any more. Will gc.collect() free it?")
end)

step("Ask the garbage collector", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  local g = graph.capture(ROOT)
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))
  check.equals("the exception is gone", g.alive, false)
  check.equals(("heap: down by one payload (within %s)"):format(kb(EXTRA)),
    before.heap - after.heap, PAYLOAD + EXTRA // 2, EXTRA // 2)

  local threshold = python.gc_threshold[1]
  print(("this interpreter's threshold0: %d (Python %s)"):format(threshold, python.version))
  check.equals(("threshold0 is Python %d.%d's default"):format(python.major, python.minor),
    threshold, DEFAULT_THRESHOLD)
  pause(("Predict: %d more of these requests keep %s. Will the GC run on its own?")
    :format(N, mb(N * PAYLOAD)))
end)

step("20 more requests, the GC left alone", function()
  local before = probe.sample()
  py.call("leaky_local", N)
  local after = probe.sample()
  local threshold = python.gc_threshold[1]
  per_request = (after.gc0 - before.gc0) / N
  print(("%d requests: heap +%s, gc0 %d -> %d, gc_runs %d -> %d")
    :format(N, mb(after.heap - before.heap), before.gc0, after.gc0,
            before.gc_runs, after.gc_runs))
  print(("gc0: +%.0f per request (the exception, its args, 2 tracebacks,"
    .. " 2 frames, the Payload); threshold0 %d"):format(per_request, threshold))

  check.equals(("heap: one payload per request, plus under %s"):format(kb(EXTRA)),
    (after.heap - before.heap) // N, PAYLOAD + EXTRA // 2, EXTRA // 2)
  check.equals("gc_runs: the GC did not run", after.gc_runs, before.gc_runs)
  check.truthy(("gc0: moved by %d, far below the threshold %d")
    :format(after.gc0 - before.gc0, threshold),
    after.gc0 - before.gc0 < threshold // 2)
end)

step("Collect them", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))
  check.equals(("heap: down by %d payloads (within %s)"):format(N, kb(N * EXTRA)),
    before.heap - after.heap, N * (PAYLOAD + EXTRA // 2), N * EXTRA // 2)
  check.equals("the newest exception is gone", graph.capture(ROOT).alive, false)

  -- How long the GC would have waited: cycles.py counts the requests, with
  -- the payload shrunk to 1 KB (bytes are no containers: the count is the same).
  local threshold = python.gc_threshold[1]
  local expected = math.floor(threshold / per_request) + 1
  local first = py.call("requests_until_gc")
  print(("the GC first ran by itself during request %d: with 5 MB payloads,"
    .. " %s kept by then"):format(first, mb((first - 1) * PAYLOAD)))
  check.equals(("it waits for threshold0 / %.0f containers: about %d requests")
    :format(per_request, expected), first, expected, 2)
end)

step("Fix 1: raise without binding", function()
  local before, after, g = request("fixed_unbound")
  freed(before, after, g)
end)

step("Fix 2: try: raise exc / finally: del exc", function()
  local before, after, g = request("fixed_del")
  freed(before, after, g)
end)

step("except AppError as e, nothing more", function()
  local before, after, g = request("safe_except_as")
  freed(before, after, g)
end)

step("The handler copies it: err = e", function()
  local before, after, g = request("leaky_handler_copy")
  leaked(before, after, g,
    "AppError -[__traceback__]-> traceback -[tb_frame]-> frame -[err]-> AppError")
end)

step("The handler stores it: self.errors.append(e)", function()
  clean_slate()
  local before, after, g = request("leaky_self_append")
  leaked(before, after, g,
    "AppError -[__traceback__]-> traceback -[tb_frame]-> frame -[self]-> OrderBatch"
    .. " -[errors]-> list -[[0]]-> AppError")
end)

step("Fix 3: keep a TracebackException", function()
  clean_slate()
  local before, after, g = request("fixed_tbexc")
  freed(before, after, g)
  graph.show("kept_reports")
  local kept = graph.capture("kept_reports")
  print(("kept_reports holds %d objects: %d frames, %d tracebacks")
    :format(kept.nodes, kept.count.frame, kept.count.traceback))
  check.equals("the report is kept", py.eval("len(kept_reports)"), 1)
  check.equals("it holds no frame", kept.count.frame, 0)
  check.equals("and no traceback", kept.count.traceback, 0)
end)
