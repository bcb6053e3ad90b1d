-- The slides' cycle demo: a handler that keeps its exception in a local
-- closes a loop through the traceback; the 1 MB each job held stays until
-- the cyclic collector runs, and gc.collect() frees it all at once. The
-- fix keeps the text instead. cycle.py is the Python, runnable on its own.

local JOBS = 20
local PAYLOAD = 1 * MB

scenario {
  title = "An exception cycle, and the collector",
  python = "cycle.py",
  gauges = { "heap", "gc0", "gc_runs" },
  memory_limit = 256 * MB,
}

step("20 jobs fail; each handler keeps its error", function()
  graph.show("last_error()", { highlight = "last_error()" })
  check.equals("cycle.py's jobs hold 1 MB each", py.eval("PAYLOAD"), PAYLOAD)
  local before = probe.sample()
  py.call("run_job", JOBS)
  local after = probe.sample()
  local g = graph.capture("last_error()")
  print(("%d jobs: heap +%.1f MB, %d collections meanwhile"):format(JOBS,
    (after.heap - before.heap) / MB, after.gc_runs - before.gc_runs))
  if g.alive then print("the newest error: " .. (g.cycle or "no cycle")) end
  check.truthy("the newest error is on a cycle", g.alive and g.on_cycle)
  check.equals("no collection ran meanwhile", after.gc_runs - before.gc_runs, 0)
  check.grows("each job's 1 MB stays", before.heap, after.heap, JOBS * PAYLOAD)
end)

step("gc.collect()", function()
  local before = probe.sample()
  local found = py.collect()
  local after = probe.sample()
  print(("gc.collect() found %d objects; heap %+.1f MB"):format(found,
    (after.heap - before.heap) / MB))
  check.truthy("it found the cycles", found >= JOBS * 3)
  check.grows("and freed each job's 1 MB", after.heap, before.heap, JOBS * PAYLOAD)
  check.equals("the newest error is gone", graph.capture("last_error()").alive, false)
end)

step("20 jobs with the fix: keep the text", function()
  local before = probe.sample()
  py.call("run_job_fixed", JOBS)
  local after = probe.sample()
  local found = py.collect()
  print(("%d jobs: heap %+.2f MB; the collector then found %d objects"):format(JOBS,
    (after.heap - before.heap) / MB, found))
  check.flat("nothing stays", before.heap, after.heap, PAYLOAD // 4)
  check.equals("nothing for the collector", found, 0)
end)
