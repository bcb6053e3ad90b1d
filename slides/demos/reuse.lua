-- The slides' first demo: a shared exception instance's traceback chain
-- grows by two entries per request, and keeps each request's 500 KB alive;
-- the collector cannot help (no cycle); a fresh instance per request keeps
-- nothing. reuse.py is the Python, runnable on its own.

local N = 100
local PAYLOAD = 500 * KB
local NOISE = PAYLOAD // 4

scenario {
  title = "One exception instance, raised 100 times",
  python = "reuse.py",
  gauges = { "heap", "chain", "frames" },
  watch = "NOT_FOUND",
  memory_limit = 256 * MB,
}

step("100 requests raise the shared instance", function()
  check.equals("reuse.py's requests read 500 KB each", py.eval("PAYLOAD"), PAYLOAD)
  local before = probe.sample()
  py.call("request", N)
  local after = probe.sample()
  print(("%d requests: chain %d -> %d entries, heap +%.1f MB"):format(N, before.chain,
    after.chain, (after.heap - before.heap) / MB))
  check.equals("two chain entries per request", after.chain - before.chain, 2 * N)
  check.grows("each request's 500 KB stays", before.heap, after.heap, N * PAYLOAD)
end)

step("gc.collect()", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d objects; heap %+.1f MB"):format(found,
    (after.heap - before.heap) / MB))
  check.flat("the collector frees none of it: no cycle", before.heap, after.heap, NOISE)
end)

step("100 requests, a fresh instance each", function()
  local before = probe.sample()
  py.call("request_fresh", N)
  local after = probe.sample()
  print(("%d requests: heap %+.2f MB, shared chain still %d"):format(N,
    (after.heap - before.heap) / MB, after.chain))
  check.flat("a fresh instance keeps nothing", before.heap, after.heap, NOISE)
end)
