-- Lesson 1: reusing one exception instance.
-- The Python side is reuse.py (runnable on its own: it prints the same
-- figures from tracemalloc). tests/accuracy/check_reuse.py compares the two,
-- so the steps below run the same batches, in the same order, as its _main().

local N = 100                -- requests (raises) per batch, as in reuse.py
local PAYLOAD = 500 * KB     -- bytes: reuse.py's big local in lookup_user()
local ENTRIES = 2            -- chain entries per raise: handle_request + lookup_user
local FRAMES = 3             -- frames kept per raise: those two + raise_shared (f_back)
local NOISE = PAYLOAD // 4   -- heap tolerance: any payload kept would exceed it
-- What a raise may keep besides its payload: 3 frames, 2 entries. Frame
-- objects shrank in 3.11 (about 0.7 KB per raise; 1.4-1.5 KB on 3.8-3.10).
local OVERHEAD = (python.major == 3 and python.minor >= 11) and 1 * KB or 2 * KB

local start                  -- the first heap reading, for the last step

-- Units as the gauges show them: KB = 1000 bytes, MB = 1000 KB.
local function kb(bytes) return string.format("%.0f KB", bytes / KB) end
local function mb(bytes) return string.format("%.1f MB", bytes / MB) end

scenario {
  title = "Reusing one exception instance",
  python = "reuse.py",
  gauges = { "heap", "chain", "frames", "rss" },
  watch = "Errors.user_not_found",
  memory_limit = 256 * MB,   -- the leaky steps hold about 100 MB
}

step("Raise the shared instance 100 times", function()
  check.equals("reuse.py's payload is 500 KB", py.eval("PAYLOAD"), PAYLOAD)
  graph.show("Errors.user_not_found")  -- the graph view: watch the chain grow
  local before = probe.sample()
  start = before
  check.equals("the shared instance has no traceback yet", before.chain, 0)

  py.call("raise_shared", N)
  local after = probe.sample()
  local grown = after.heap - before.heap
  print(("%d raises: chain %d -> %d entries, frames %d -> %d")
    :format(N, before.chain, after.chain, before.frames, after.frames))
  print(("heap +%s, %.0f bytes per raise (payload %d)")
    :format(mb(grown), grown / N, PAYLOAD))

  check.equals("chain: +2 entries per raise",
    after.chain - before.chain, N * ENTRIES)
  check.equals("frames: +3 per raise (the caller too, via f_back)",
    after.frames - before.frames, N * FRAMES)
  check.equals(("heap: one payload per raise, plus under %d bytes"):format(OVERHEAD),
    grown // N, PAYLOAD, OVERHEAD)

  pause("Predict: 100 more raises. How long will the chain be then?")
end)

step("Read the chain, newest entry first", function()
  local names = py.eval("chain_names(Errors.user_not_found, 4)")
  for i, name in ipairs(names) do
    print(("entry %d: %s"):format(i, name))
  end
  print("a printed traceback lists them in this order: an impossible stack")
  check.equals("newest raise first: handler, raiser, then the older raise",
    table.concat(names, ","),
    "handle_request,lookup_user,handle_request,lookup_user")
end)

step("Raise it 100 more times", function()
  local before = probe.sample()
  py.call("raise_shared", N)
  local after = probe.sample()
  local grown = after.heap - before.heap
  print(("chain %d -> %d entries, frames %d -> %d, heap +%s (%s kept in all)")
    :format(before.chain, after.chain, before.frames, after.frames,
            mb(grown), mb(after.heap - start.heap)))

  check.equals("chain: 400 entries after 200 raises", after.chain, 2 * N * ENTRIES)
  check.equals("frames: 600 after 200 raises", after.frames, 2 * N * FRAMES)
  check.equals(("heap: one payload per raise, plus under %d bytes"):format(OVERHEAD),
    grown // N, PAYLOAD, OVERHEAD)
end)

step("Ask the garbage collector", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d unreachable objects; heap %s -> %s")
    :format(found, mb(before.heap), mb(after.heap)))

  check.flat(("heap: gc.collect() frees none of it (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE)
  check.equals("chain: still 400 entries", after.chain, 2 * N * ENTRIES)
end)

step("Raise a fresh instance 100 times", function()
  local before = probe.sample()
  py.call("raise_fresh", N)
  local after = probe.sample()
  local seen = py.eval("chain_in_handler")
  print(("heap %+d bytes over %d fresh raises; the handler saw %d entries")
    :format(math.floor(after.heap - before.heap), N, seen))

  check.flat(("heap: flat (within %s)"):format(kb(NOISE)),
    before.heap, after.heap, NOISE)
  check.equals("each fresh instance's chain: 2 entries, one unwind", seen, ENTRIES)
  check.equals("the shared instance is untouched: 400 entries",
    after.chain, 2 * N * ENTRIES)
end)

step("Reset the shared instance with with_traceback(None)", function()
  local before = probe.sample()
  py.call("raise_reset", N)
  local after = probe.sample()
  print(("chain %d -> %d entries, frames %d -> %d, heap %s -> %s")
    :format(before.chain, after.chain, before.frames, after.frames,
            mb(before.heap), mb(after.heap)))
  print(("still above the start: %s, the last raise's payload")
    :format(kb(after.heap - start.heap)))

  check.equals("chain: 2 entries, the last raise only", after.chain, ENTRIES)
  check.equals("frames: 3, the last raise's", after.frames, FRAMES)
  check.equals(("heap: one payload above the start (within %s)"):format(kb(NOISE)),
    after.heap - start.heap, PAYLOAD, NOISE)
end)
