-- Lesson 5: case studies.
-- The Python side is cases.py (runnable on its own: it prints the same
-- figures from tracemalloc, in the order of these steps), and, for case 4
-- and the exercise, exercise/negcache.py.

local PAYLOAD = 1 * MB       -- cases 1, 2, 5: the Payload a failing call holds
local REQUEST = 100 * KB     -- case 3 and 4: what each reading request holds
local TRIES = 5              -- case 1: attempts before giving up
local RING = 20              -- case 5: records the log buffer keeps
local N = 100                -- cases 3 and 4: reads or lookups per batch
local EXTRA = 8 * KB         -- what a kept failure may hold besides its
                             -- payload: exception, tracebacks, frames, a Future
local NOISE = REQUEST // 4   -- heap tolerance, "flat": a quarter of the
                             -- smallest thing a leak would keep per call
local ROOT = "last_error()"  -- the newest exception, through a weak reference
-- What a kept reader's frames cost besides its 100 KB: frame objects
-- shrank in 3.11 (0.5-0.8 KB from 3.11 on, 1.1-1.6 KB on 3.8-3.10).
local FRAME_COST = (python.major == 3 and python.minor >= 11) and KB or 2 * KB
local DEEP = { depth = 100000 }  -- capture whole chains: the default depth
                                 -- (GRAPH_DEPTH in tui/lab/pyjobs.c) is
                                 -- 100000 too; said here so that these
                                 -- checks do not depend on it

local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

-- One call of a cases.py entry point: the readings around it and what the
-- weak reference sees right after it.
local function request(name, ...)
  local before = probe.sample()
  local result = py.call(name, 1, ...)
  local after = probe.sample()
  local g = graph.capture(ROOT)
  print(("%s(): %s; heap %+d bytes; the exception is %s%s")
    :format(name, tostring(result), math.floor(after.heap - before.heap),
            g.alive and "alive" or "gone",
            g.alive and (g.on_cycle and ", on a cycle" or ", on no cycle") or ""))
  if g.cycle then print("cycle: " .. g.cycle) end
  return before, after, g, result
end

local function leaked_on_cycle(before, after, g, cycle)
  check.equals("the exception is alive after the call", g.alive, true)
  check.equals("on a reference cycle", g.on_cycle, true)
  check.equals("the cycle", g.cycle, cycle)
  check.equals(("heap: one payload kept, plus under %s"):format(kb(EXTRA)),
    after.heap - before.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
end

local function freed(before, after, g)
  check.equals("the exception is gone right after the call", g.alive, false)
  check.flat(("heap: flat (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE, "bytes")
end

local function collect_frees_one(what)
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))
  check.equals(what .. ": gone after gc.collect()", graph.capture(ROOT).alive, false)
  check.equals(("heap: gc.collect() gives back the payload (within %s)"):format(kb(EXTRA)),
    before.heap - after.heap, PAYLOAD + EXTRA // 2, EXTRA // 2, "bytes")
end

scenario {
  title = "Case studies",
  python = "cases.py",
  gauges = { "heap", "chain", "frames", "gc_runs" },
  watch = "job._exception",    -- case 3's stored exception
  memory_limit = 256 * MB,     -- the most held at once is about 35 MB
}

step("Case 1: a retry loop keeps its last error", function()
  check.equals("cases.py's payload is 1 MB", py.eval("PAYLOAD"), PAYLOAD, "bytes")
  graph.show(ROOT, { highlight = "last_error().__traceback__.tb_frame" })
  py.collect()
  local before, after, g, result = request("check_keep_last")
  check.equals("the health check reports the backend down", result, "down")
  leaked_on_cycle(before, after, g,
    "FetchError -[__traceback__]-> traceback -[tb_frame]-> frame"
    .. " -[last_error]-> FetchError")
  pause("The graph view (g) shows the loop. Next: gc.collect(), then a retry inside the handler.")
end)

step("Case 1: the retry runs inside the handler", function()
  collect_frees_one("step 1's FetchError")
  local guess = predict {
    question = ("The last try's error is kept for a status page. Each try"
      .. " holds a 1 MB payload. How many payloads does it keep alive?"),
    choices = { "1", "4", "5" },
  }
  local before, after, _, result = request("page_in_handler")
  local depth = py.eval("context_depth(last_failure)")
  local kept = py.call("payloads_kept_by", 1, "last_failure")
  local g = graph.capture("last_failure")
  print(("last_failure: %d __context__ links, %d traceback entries, keeps"
    .. " %d payloads (%s retained)")
    :format(depth, py.eval("chain_length(last_failure)"), kept, mb(g.retained or 0)))
  reveal(guess, tostring(kept))
  check.equals("the status page says down", result, "down")
  check.equals(("%d tries: %d errors behind it on __context__"):format(TRIES, TRIES - 1),
    depth, TRIES - 1)
  check.equals("it keeps every try's payload", kept, TRIES)
  check.equals(("heap: %d payloads kept, plus under %s"):format(TRIES, kb(TRIES * EXTRA)),
    after.heap - before.heap, TRIES * (PAYLOAD + EXTRA // 2), TRIES * EXTRA // 2, "bytes")
  check.equals("no cycle: it is kept by a plain reference", g.on_cycle, false)
  -- Printing it formats every link (after the heap readings: formatting
  -- allocates).
  check.equals("its printout says \"During handling of the above exception\" 4 times",
    py.eval("during_handling(last_failure)"),
    TRIES - 1)
end)

step("Case 1 fixed: retry after the handler, keep nothing", function()
  local before = probe.sample()
  py.call("page_flat")
  local after = probe.sample()
  local depth = py.eval("context_depth(last_failure)")
  local kept = py.call("payloads_kept_by", 1, "last_failure")
  print(("last_failure: %d __context__ links, keeps %d payload; heap %s -> %s")
    :format(depth, kept, mb(before.heap), mb(after.heap)))
  check.equals("no __context__: each try's handler ended before the next", depth, 0)
  check.equals("last_failure keeps one payload, its own try's", kept, 1)
  check.equals(("heap: down by %d payloads"):format(TRIES - 1),
    before.heap - after.heap, (TRIES - 1) * PAYLOAD, (TRIES - 1) * EXTRA // 2, "bytes")

  local b2, a2, g2 = request("check_flat")
  freed(b2, a2, g2)
end)

step("Case 2: a worker stores the error in a future", function()
  graph.show(ROOT, { highlight = "last_error().__traceback__.tb_frame" })
  py.collect()
  local before, after, g = request("forget_work")
  leaked_on_cycle(before, after, g,
    "JobError -[__traceback__]-> traceback -[tb_frame]-> frame"
    .. " -[fut]-> Future -[_exception]-> JobError")
  pause("The graph view (g) shows the loop. Next: gc.collect(), then the fix.")
end)

step("Case 2 fixed: fut = None after set_exception", function()
  collect_frees_one("step 4's JobError")
  local before, after, g = request("forget_work_fixed")
  freed(before, after, g)
end)

step("Case 3: Future.result() re-raises the stored exception", function()
  graph.show("job._exception")
  local before = probe.sample()
  check.equals("job's exception: 2 entries, from the worker", before.chain, 2)
  local guess = predict {
    question = ("job's stored exception has 2 traceback entries. 100"
      .. " requests call job.result(). How many entries then?"),
    number = true,
  }
  py.call("read_job", N)
  local after = probe.sample()
  reveal(guess, after.chain)
  local names = py.eval("chain_names(job._exception, 3)")
  local grown = after.heap - before.heap
  print(("%d reads: chain %d -> %d, frames %d -> %d, heap +%s")
    :format(N, before.chain, after.chain, before.frames, after.frames, mb(grown)))
  print("newest entries: " .. table.concat(names, ", "))
  check.equals("chain: +3 entries per result() call", after.chain - before.chain, 3 * N)
  check.equals("newest entries: the reader, result, __get_result",
    table.concat(names, ","), "read_job,result,__get_result")
  check.equals("frames: +3 per call", after.frames - before.frames, 3 * N)
  check.equals(("heap: each reader's 100 KB is kept, plus under %s"):format(kb(FRAME_COST)),
    grown // N, REQUEST + FRAME_COST // 2, FRAME_COST // 2)

  local found = py.collect()
  local collected = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(after.heap), mb(collected.heap)))
  check.equals("gc.collect(): the chain is no garbage, still 302", collected.chain, 2 + 3 * N)
  check.flat(("gc.collect(): the heap keeps it all (within %s)"):format(kb(NOISE)),
    after.heap, collected.heap, NOISE, "bytes")
end)

step("Case 3 fixed: raise from it, or raise a copy", function()
  local function reads(name, root)
    local chain0 = py.eval("chain_length(" .. root .. ".exception())")
    local before = probe.sample()
    local result = py.call(name, N)
    local after = probe.sample()
    local chain1 = py.eval("chain_length(" .. root .. ".exception())")
    print(("%d x %s(): %s; %s's stored chain %d -> %d, heap %+d bytes")
      :format(N, name, result, root, chain0, chain1, math.floor(after.heap - before.heap)))
    check.equals(name .. ": the reader still sees the failure", result, "failed: job "
      .. (root == "job2" and "2" or "3") .. " failed")
    check.equals(name .. ": the stored chain stays at 2", chain1, 2)
    check.flat(("%s: heap flat (within %s)"):format(name, kb(NOISE)),
      before.heap, after.heap, NOISE, "bytes")
  end
  reads("read_job_from", "job2")
  reads("read_job_copy", "job3")

  -- asyncio.Future re-raises with the traceback it saved (3.10.x and 3.11+).
  py.call("make_aio_job")
  py.call("read_aio")
  local first = py.eval("chain_length(aio_job.exception())")
  py.call("read_aio")
  local second = py.eval("chain_length(aio_job.exception())")
  py.call("read_aio", N - 2)
  local last = py.eval("chain_length(aio_job.exception())")
  print(("asyncio.Future: stored chain %d after one result(), %d after two, %d after %d")
    :format(first, second, last, N))
  if python.minor >= 10 then
    check.equals("asyncio.Future: no growth from the second result() to the 100th",
      last, second)
    check.truthy("asyncio.Future: never longer than after the first call", last <= first)
    if python.minor <= 13 then
      check.equals("asyncio.Future (C, before gh-154791): the worker's 2 entries"
        .. " are gone after the second call", first - second, 2)
    end
  else
    check.equals("asyncio.Future (3.8, 3.9): +1 per result() call", last - second, N - 2)
  end
end)

step("Case 4: a negative cache re-raises its cached miss", function()
  py.load("exercise/negcache.py")
  check.equals("present key: its value", py.call("handle_request", 1, "ada"), "Ada Lovelace")
  check.equals("missing key: a 404", py.call("handle_request", 1, "bob"),
    "404 no user 'bob'")
  py.exec("cached_miss = cache.missing['bob']")   -- the same object the cache holds
  probe.watch("cached_miss")
  graph.show("cache")
  local before = probe.sample()
  local tb0 = graph.capture("cache", DEEP).count.traceback or 0
  py.call("handle_request", N, "bob")
  local after = probe.sample()
  local tb1 = graph.capture("cache", DEEP).count.traceback or 0
  local calls = py.eval("backend_calls")
  print(("%d more misses: chain %d -> %d, tracebacks the cache reaches %d -> %d,"
    .. " heap +%s, backend calls %d")
    :format(N, before.chain, after.chain, tb0, tb1, mb(after.heap - before.heap), calls))
  check.equals("the first miss: 3 entries (handler, get, backend)", before.chain, 3)
  check.equals("chain: +2 entries per cached miss", after.chain - before.chain, 2 * N)
  check.equals("the cache reaches 2 more tracebacks per miss", tb1 - tb0, 2 * N)
  check.equals(("heap: each request's 100 KB is kept, plus under %s"):format(kb(FRAME_COST)),
    (after.heap - before.heap) // N, REQUEST + FRAME_COST // 2, FRAME_COST // 2, "bytes")
  check.equals("the backend was asked once per key", calls, 2)
end)

step("Case 5: a log buffer keeps exc_info", function()
  py.call("warm_logging")
  py.call("use_handler", 1, "ring")
  py.collect()
  graph.show("ring.records")
  local guess = predict {
    question = ("30 requests fail, each holding a 1 MB order, and log.exception()"
      .. " it. The buffer keeps the newest 20 records. How many orders stay alive?"),
    choices = { "0", "20", "30" },
  }
  local before = probe.sample()
  py.call("handle_order", RING + 10, 7)
  local after = probe.sample()
  local kept = py.call("payloads_kept_by", 1, "ring")
  local g = graph.capture("ring.records")
  reveal(guess, tostring(kept))
  print(("%d failures logged: %d records, %d orders, %d frames; heap +%s")
    :format(RING + 10, py.eval("len(ring.records)"), kept, g.count.frame or 0,
            mb(after.heap - before.heap)))
  check.equals("the buffer holds 20 records", py.eval("len(ring.records)"), RING)
  check.equals("no cycle among them: plain references", g.cycles, 0)
  check.equals("their exc_info keeps 20 orders", kept, RING)
  check.equals("and 40 frames: the handler's and the loader's, per record",
    g.count.frame or 0, 2 * RING)
  check.equals(("heap: 20 orders, plus under %s each"):format(kb(EXTRA)),
    after.heap - before.heap, RING * (PAYLOAD + EXTRA // 2), RING * EXTRA // 2, "bytes")
end)

step("Case 5 fixed: keep text, or let QueueHandler prepare it", function()
  local before = probe.sample()
  py.exec("ring.records.clear()")
  local cleared = probe.sample()
  print(("the old buffer emptied: heap %s -> %s"):format(mb(before.heap), mb(cleared.heap)))
  check.equals("emptying it gives back the 20 orders", before.heap - cleared.heap,
    RING * (PAYLOAD + EXTRA // 2), RING * EXTRA // 2, "bytes")
  for _, name in ipairs({ "text_ring", "queue_ring" }) do
    py.call("use_handler", 1, name)
    local b = probe.sample()
    py.call("handle_order", RING + 10, 7)
    local a = probe.sample()
    local root = name == "text_ring" and "text_ring.records" or "queue_ring.queue"
    local g = graph.capture(root)
    print(("%s: %d entries, %d frames, %d orders; heap %+d bytes")
      :format(name, py.eval("len(" .. root .. ")"), g.count.frame or 0,
              py.call("payloads_kept_by", 1, name), math.floor(a.heap - b.heap)))
    check.equals(name .. ": 20 entries kept", py.eval("len(" .. root .. ")"), RING)
    check.equals(name .. ": no frames", g.count.frame or 0, 0)
    check.equals(name .. ": no orders", py.call("payloads_kept_by", 1, name), 0)
    check.truthy(name .. ": the traceback is kept as text", py.eval(
      "'Traceback (most recent call last)' in str(" .. root .. "[-1]"
      .. (name == "queue_ring" and ".msg" or "") .. ")"))
    check.flat(("%s: heap grows by text only (under %s)"):format(name, kb(64 * KB)),
      b.heap, a.heap, 64 * KB, "bytes")
  end
end)

exercise {
  file = "exercise/negcache.py",
  task = "Keep the negative cache working, but let nothing it keeps grow with the lookups.",
  solution = "exercise/solution.py",
  cheats = { "exercise/cheat_no_cache.py", "exercise/cheat_swallow.py",
             "exercise/cheat_reset.py" },
  hints = {
    "Which object does get() raise on the second miss of 'bob'? And on the third?",
    "The cached NotFound keeps its __traceback__: every raise adds entries, and each"
      .. " entry keeps a request's frame and its 100 KB. Even one raise keeps one.",
    "Cache what the miss said, not the exception: self.missing[key] = e.args,"
      .. " and raise NotFound(*self.missing[key]) on each cached miss.",
  },
  verify = function(path)
    py.load(path)
    py.exec([[
def _miss(key):
    try:
        cache.get(key)
    except Exception as e:
        return type(e).__name__ + ": " + str(e)
    return "no exception"
]])
    py.collect()
    local start = probe.sample()        -- before any lookup
    local tb0 = graph.capture("cache", DEEP).count.traceback or 0

    -- Behaviour first: what the program answers.
    check.equals("handle_request('ada') returns her name",
      py.call("handle_request", 1, "ada"), "Ada Lovelace")
    check.equals("handle_request('bob') returns a 404",
      py.call("handle_request", 1, "bob"), "404 no user 'bob'")
    check.equals("cache.get('bob') raises NotFound with its message",
      py.call("_miss", 1, "bob"), "NotFound: no user 'bob'")

    -- Many lookups: nothing the cache keeps may grow.
    local before = probe.sample()
    py.call("handle_request", 2 * N, "bob")
    py.call("handle_request", N, "ada")
    py.call("handle_request", N, "nobody")
    local after = probe.sample()
    local tb1 = graph.capture("cache", DEEP).count.traceback or 0
    print(("%d lookups: tracebacks the cache reaches %d -> %d, heap %s -> %s")
      :format(4 * N, tb0, tb1, mb(before.heap), mb(after.heap)))
    check.equals("the cache reaches no more tracebacks than before", tb1, tb0)
    check.flat(("heap: flat across %d lookups (within %s)"):format(4 * N, kb(NOISE)),
      before.heap, after.heap, NOISE, "bytes")
    check.equals("the backend was asked once per key: ada, bob, nobody",
      py.eval("backend_calls"), 3)
    check.equals("later misses still raise NotFound with its message",
      py.call("_miss", 1, "nobody"), "NotFound: no user 'nobody'")
    check.equals("no exception cycles left for the GC", py.collect(), 0)
    local final = probe.sample()
    check.flat(("heap: back to where it was before the first lookup (within %s)")
      :format(kb(NOISE)), start.heap, final.heap, NOISE, "bytes")
  end,
}
