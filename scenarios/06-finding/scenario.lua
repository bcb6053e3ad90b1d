-- Lesson 6: finding the leaks in your own program.
-- The Python side: seed_loop.py (the article's loop), app.py (a small
-- service with both leaks), findleaks.py (the tools), experiments.py
-- (one function per step, using the tools on app.py), fixed.py, and
-- serve.py (app.py as a program, for `exclab probe`).
-- `python3.11 experiments.py` prints the same figures as key-value lines.

local SHARD = 100 * KB       -- app.py: GET unpacks a 100 KB shard index
local UPLOAD = 200 * KB      -- app.py: POST unpacks a 200 KB upload
local BIG = 500 * KB         -- seed_loop.py: the raiser's big local
local N = 10                 -- requests per kind (experiments.N)
local TB = 56                -- bytes of one traceback object (3.8-3.13)
local EXTRA = 2 * KB         -- what a leaky request keeps besides its payload
local FLAT = 1 * KB          -- "no growth": under 1 KB per request
local PER_REQUEST = 7        -- containers a bad POST leaves for the GC:
                             -- BadRequest, args, 2 tracebacks, 3 frames

local function kb(bytes) return string.format("%.1f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end
local function mb2(bytes) return string.format("%.2f MB", bytes / MB) end

scenario {
  title = "Finding them in your own program",
  python = "app.py",
  gauges = { "heap", "rss", "chain", "gc_runs" },
  watch = "NOT_FOUND",
  memory_limit = 256 * MB,   -- the article's loop with a big local: 50 MB
}

step("The article's loop, measured", function()
  py.load("seed_loop.py")
  local guess = predict {
    question = "One instance raised and caught 10,000 times in a loop."
      .. " How much will RSS grow?",
    choices = { "under 1 MB", "1 to 10 MB", "over 10 MB" },
  }
  local before = probe.sample()
  local r = py.call("seed_loop", 1, 10000, 2000)
  local after = probe.sample()
  local grown, chain = r[1], r[2]
  local per_raise = (after.heap - before.heap) / 10000
  reveal(guess, grown < MB and "under 1 MB" or grown < 10 * MB and "1 to 10 MB"
    or "over 10 MB")
  print(("10,000 raises: RSS +%s, heap +%s (%.0f bytes per raise), chain %d entries")
    :format(mb(grown), mb(after.heap - before.heap), per_raise, chain))
  check.equals("the chain: one entry per raise (raise and handler share a frame)",
    chain, 10000)
  check.equals("heap: one traceback object per raise, 56 bytes", per_raise, TB, 8)
  check.truthy(("RSS: under 1 MB for 10,000 raises (%s)"):format(mb(grown)),
    grown < MB)

  py.call("reset")            -- start the next loop from an empty chain
  before = probe.sample()
  r = py.call("from_function", 1, 100)
  after = probe.sample()
  print(("100 raises from a function with a 500 KB local: RSS +%s, chain %d")
    :format(mb(r[1]), r[2]))
  check.equals("the chain: two entries per raise (handler and raiser)", r[2], 200)
  -- RSS grows by less when the process reuses memory it freed earlier
  -- (exclab check runs every lesson in one process: 412 KB per raise
  -- there, 504 KB in a fresh one); a leak still shows as over half.
  check.truthy(("RSS: half a big local per raise, or more (%s)"):format(kb(r[1] / 100)),
    r[1] / 100 >= BIG / 2 and r[1] / 100 <= BIG * 1.1)
  check.equals(("heap: one big local per raise, plus under %s"):format(kb(EXTRA)),
    (after.heap - before.heap) / 100, BIG + EXTRA / 2, EXTRA / 2, "bytes")
  before = probe.sample()
  py.call("reset")
  after = probe.sample()
  check.equals("reset: exc.__traceback__ = None gives it all back (within 1 MB)",
    before.heap - after.heap, 100 * BIG, MB, "bytes")
end)

step("Measure: growth per request", function()
  py.load("findleaks.py")
  py.load("experiments.py")
  local before = probe.sample()
  local m = py.call("step_measure", 1, 2 * N)
  local after = probe.sample()
  local kinds = { "get_ok", "get_missing", "post_ok", "post_bad" }
  local r = {}
  for i, kind in ipairs(kinds) do
    r[kind] = { rss = m[3 * i - 2], heap = m[3 * i - 1], after = m[3 * i] }
  end
  for _, kind in ipairs({ "get_ok", "post_ok" }) do
    check.truthy(("%s: heap under 1 KB per request (%d bytes)"):format(kind, r[kind].heap),
      math.abs(r[kind].heap) < FLAT)
    check.truthy(("%s: RSS under 50 KB per request (%s), half the smaller leak")
      :format(kind, kb(r[kind].rss)), r[kind].rss < SHARD / 2)
  end
  check.equals("GET missing: heap +100 KB per request, the shard index",
    r.get_missing.heap, SHARD + EXTRA / 2, EXTRA / 2, "bytes")
  -- Frames shrank in 3.11: 0.8-0.9 KB kept besides the index, 1.6 KB before.
  local modern = python.major == 3 and python.minor >= 11
  check.truthy(("GET missing: %s besides the index (%s)")
    :format(modern and "under 1.2 KB" or "1.2 to 2 KB", kb(r.get_missing.heap - SHARD)),
    modern and r.get_missing.heap - SHARD < 1.2 * KB
      or not modern and r.get_missing.heap - SHARD >= 1.2 * KB)
  check.equals("GET missing: still kept after gc.collect()",
    r.get_missing.after, SHARD + EXTRA / 2, EXTRA / 2)
  check.truthy(("GET missing: RSS over half an index per request (%s)")
    :format(kb(r.get_missing.rss)), r.get_missing.rss >= SHARD / 2
      and r.get_missing.rss <= SHARD * 1.2)
  check.equals("bad POST: heap +200 KB per request, the upload",
    r.post_bad.heap, UPLOAD + EXTRA / 2, EXTRA / 2, "bytes")
  check.truthy(("bad POST: gc.collect() gives it back (%d bytes per request left)")
    :format(r.post_bad.after), math.abs(r.post_bad.after) < FLAT)
  check.truthy(("bad POST: RSS over half an upload per request (%s)")
    :format(kb(r.post_bad.rss)), r.post_bad.rss >= UPLOAD / 2
      and r.post_bad.rss <= UPLOAD * 1.2)
  -- exclab's own heap gauge over the whole step: only the missing GETs'
  -- shard indexes stay (2N of them in each of the two passes).
  check.equals("exclab's heap gauge agrees: 4N shard indexes kept (within 2%)",
    after.heap - before.heap, 4 * N * (SHARD + EXTRA / 2), 4 * N * SHARD // 50, "bytes")
end)

step("gc.garbage: what the collector finds", function()
  local guess = predict {
    question = "10 bad POSTs and 10 missing GETs, then gc.collect() with"
      .. " DEBUG_SAVEALL. How many frame objects will gc.garbage hold?",
    number = true,
  }
  local g = py.call("step_garbage", 1, N)
  reveal(guess, g[4])
  check.equals("10 BadRequest exceptions: one per bad POST", g[1], N)
  check.equals("no NotFound: the shared instance is reachable, not garbage", g[2], 0)
  check.equals("20 tracebacks: 2 per bad POST (post_item, validate)", g[3], 2 * N)
  check.equals("31 frames: post_item, validate, handle per POST, and serve's",
    g[4], 3 * N + 1)
  check.equals("no bytes: the payloads are not containers", g[5], 0)
  check.equals("the cycle runs through post_item's local err", g[7],
    "BadRequest -> traceback -> frame post_item [err] -> BadRequest")
end)

step("gc.callbacks: when the collector runs", function()
  local w = py.call("step_gcwatch")
  local first, found, per, first_small, found_small, threshold =
    w[1], w[2], w[3], w[4], w[5], w[6]
  local expected = math.floor(threshold / PER_REQUEST) + 1
  print(("%s of uploads were kept when it ran"):format(mb((first - 1) * UPLOAD)))
  check.equals("a bad POST leaves 7 containers", math.floor(per + 0.5), PER_REQUEST)
  check.equals(("first collection: about threshold0 / 7 = %d requests in"):format(expected),
    first, expected, 2)
  check.equals("it found the 7 objects of each request before it",
    found, (first - 1) * PER_REQUEST, PER_REQUEST)
  check.equals("1 KB uploads: the same request (it counts containers, not bytes)",
    first_small, first)
  check.equals("and the same objects found", found_small, found)
end)

step("tracemalloc: which line allocated what stays", function()
  local t = py.call("step_tracemalloc", 1, N)
  local post_line, get_line = t[10], t[11]
  -- The lesson quotes these two line numbers.
  check.equals("app.py's upload line is line 87", post_line, "app.py:87")
  check.equals("app.py's index line is line 69", get_line, "app.py:69")
  check.equals("top line: POST's payload line (" .. post_line .. ")", t[1], post_line)
  check.equals("it grew by 10 uploads (within 1%)", t[2], N * UPLOAD, N * UPLOAD // 100)
  check.equals("in 10 blocks", t[3], N)
  check.equals("second line: GET's payload line (" .. get_line .. ")", t[4], get_line)
  check.equals("it grew by 10 shard indexes (within 1%)", t[5], N * SHARD, N * SHARD // 100)
  check.equals("after gc.collect(), the top line is GET's", t[6], get_line)
  check.equals("still 10 shard indexes (within 1%)", t[7], N * SHARD, N * SHARD // 100)
  check.equals("in 10 blocks", t[8], N)
  check.truthy(("the next line grew by under 10 KB (%s)"):format(kb(t[9])), t[9] < 10 * KB)
end)

step("Chains of long-lived exceptions", function()
  graph.show("NOT_FOUND")
  local now = probe.sample().chain
  local guess = predict {
    question = ("NOT_FOUND's chain has %d entries now. How many after 20"
      .. " more missing GETs?"):format(now),
    number = true,
  }
  local c = py.call("step_chains", 1, 2 * N)
  local after = probe.sample()
  reveal(guess, c[4])
  check.equals("exactly one live exception's chain grew", c[1], 1)
  check.equals("by 2 entries per request: handle and get_item", c[2], 4 * N)
  check.equals("it is app.NOT_FOUND", c[3], true)
  check.equals("exclab's chain gauge agrees", after.chain, c[4])
  -- The lesson quotes 122 and 162: 41 missing GETs in step 2, 10 in
  -- step 3, 10 in step 5, then these 20, at 2 entries each.
  check.equals("162 entries: 81 missing GETs so far, 2 each", c[4], 162)
end)

step("Fixed: the same tools, nothing found", function()
  py.load("fixed.py")
  local f = py.call("step_fixed", 1, N)
  check.truthy(("GET missing: heap under 1 KB per request (%d bytes)"):format(f[1]),
    math.abs(f[1]) < FLAT)
  check.truthy(("bad POST: heap under 1 KB per request (%d bytes)"):format(f[2]),
    math.abs(f[2]) < FLAT)
  check.equals("gc.collect() finds nothing", f[3], 0)
  check.equals("no exception among it", f[4], 0)
  check.equals("NOT_FOUND's chain no longer grows", f[5], 0)
  check.equals("the responses are unchanged",
    table.concat({ f[6], f[7], f[8], f[9] }, "|"),
    "200 apple|404 no such item|201 created 200000 bytes|400 bad request: not JSON")
end)

step("One more tool: exclab probe", function()
  -- The lab cannot start an exclab probe (it is one of exclab's own
  -- processes), so this step measures with the standard tools what the
  -- probe reports for serve.py: its requests, on a fresh app.py. That
  -- the probe reports these figures is tests/probe/test_lesson6.py's
  -- check, on every test run.
  local n = 2 * N
  local guess = predict {
    question = ("What will exclab probe report for the %d missing GETs?"):format(n),
    choices = { "nothing: NotFound is not garbage",
                ("one reused instance, %d raises"):format(n),
                ("%d exceptions kept"):format(n) },
  }
  local p = py.call("step_probe_figures", 1, n)
  local chain, instances, reused, cycles, freed = p[1], p[2], p[3], p[4], p[5]
  local raise_at, made_at, except_at, store_at = p[6], p[7], p[8], p[9]
  local not_found_garbage = p[10]
  reveal(guess, instances == 1 and ("one reused instance, %d raises"):format(chain // 2)
    or instances >= n and ("%d exceptions kept"):format(instances)
    or "nothing: NotFound is not garbage")
  check.equals("one NotFound instance alive for all the missing GETs", instances, 1)
  check.equals("and it is never garbage: the collector finds no NotFound",
    not_found_garbage, 0)
  check.equals("its chain: 40 entries from 20 raises", chain, 2 * n)
  check.equals(("dropping it frees an index per request, plus under %s"):format(kb(EXTRA)),
    reused, n * (SHARD + EXTRA / 2), n * EXTRA / 2, "bytes")
  check.equals("2.01 MB, as the lesson quotes", mb2(reused), "2.01 MB")
  check.equals("one cycle per bad POST", cycles, n)
  check.equals(("the collector frees an upload per cycle, plus under %s"):format(kb(EXTRA)),
    freed, n * (UPLOAD + EXTRA / 2), n * EXTRA / 2, "bytes")
  check.equals("4.02 MB, as the lesson quotes", mb2(freed), "4.02 MB")
  -- The lines the probe names, as the lesson quotes them.
  check.equals("the raise is at line 71", raise_at, "app.py:71")
  check.equals("the instance is made at line 53", made_at, "app.py:53")
  check.equals("the except clause is at line 79", except_at, "app.py:79")
  check.equals("err = e is at line 80", store_at, "app.py:80")
  print("In a shell, from the course's folder:")
  print("  exclab probe scenarios/06-finding/serve.py")
end)

-- The exercise: a price service with one of the two leaks in it.
local RESPONSES = table.concat({
  "200 apple: 120 cents",
  "200 pear: 95 cents",
  "503 plum: gave up after 3 attempts (last: plum: truncated response (attempt 3))",
  "404 no price for kiwi",
}, "\n")

exercise {
  file = "exercise/app_exercise.py",
  task = "Find which requests leak, then fix it: same responses, flat heap, nothing to collect.",
  solution = "exercise/solution.py",
  cheats = { "exercise/cheat_no_retry.py", "exercise/cheat_no_cause.py",
             "exercise/cheat_collect.py" },
  hints = {
    "Measure first: which of the four keys (apple, pear, plum, kiwi) makes"
      .. " the heap grow? Then run gc.collect() with DEBUG_SAVEALL after a"
      .. " few of those requests and count gc.garbage by type.",
    "Take one exception from gc.garbage and find_cycle() it: which frame is"
      .. " on the loop, and which of its locals points back at the exception?",
    "fetch() keeps the failed attempt in last_error. Wrap its loop and its"
      .. " raise in try: ... finally: last_error = None, as CPython's"
      .. " socket.create_connection does; the exception still reaches the"
      .. " handler as __cause__.",
  },
  verify = function(path)
    py.load(path)
    py.load("exercise/driver.py")
    check.equals("the responses are unchanged", py.call("warm"), RESPONSES)
    py.collect()
    local chain = py.call("longest_chain")
    local before = probe.sample()
    local stats = py.call("run", 1, 200)
    local after = probe.sample()
    check.equals("the stats are unchanged", stats,
      "failed=50 missing=50 ok=100 retried=200")
    check.equals("the program runs no collection itself", after.gc_runs,
      before.gc_runs)
    check.flat("heap: flat across 200 requests (within 64 KB)",
      before.heap, after.heap, 64 * KB, "bytes")
    check.equals("no chain grows", py.call("longest_chain"), chain)
    -- py.collect() would not do here: PyGC_Collect() does nothing while
    -- the GC is disabled; the driver calls gc.collect(), which does.
    check.equals("gc.collect() finds nothing: no exception cycles",
      py.call("collect"), 0)
  end,
}
