-- The benchmark workload inside exclab: the same loop as plain python3 runs,
-- with every probe on. bench/probes.py times it side by side.
scenario {
  title = "Benchmark: a raise-and-catch loop",
  python = "workload.py",
  gauges = { "heap", "rss", "gc0", "gc_runs" },
  time_limit = 120,
}

step("The loop in Python", function()
  py.call("run")
end)
