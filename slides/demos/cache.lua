-- The slides' case study: a negative cache stores the exception of a miss
-- and raises that same instance on every later lookup, so its traceback
-- grows by a request's frames each time, and each request's 100 KB body
-- stays. Caching the fact instead, and raising a fresh error, keeps
-- nothing. cache.py is the Python, runnable on its own.

local N = 200
local BODY = 100 * KB

scenario {
  title = "A negative cache of exceptions",
  python = "cache.py",
  gauges = { "heap", "chain" },
  watch = "cached_miss",
  memory_limit = 256 * MB,
}

step("200 requests for a user that does not exist", function()
  check.equals("cache.py's requests carry 100 KB", py.eval("BODY"), BODY)
  local before = probe.sample()
  py.call("handle", N)
  local after = probe.sample()
  print(("%d requests: the cached error's chain is %d entries; heap +%.1f MB"):format(N,
    after.chain, (after.heap - before.heap) / MB))
  check.equals("two entries per request after the first", after.chain, 2 * N + 1)
  check.grows("every request's body stays", before.heap, after.heap, (N - 1) * BODY)
end)

step("200 requests with the fixed cache", function()
  local before = probe.sample()
  py.call("handle_fixed", N)
  local after = probe.sample()
  print(("%d requests: heap %+.2f MB"):format(N, (after.heap - before.heap) / MB))
  check.flat("nothing stays", before.heap, after.heap, BODY)
end)
