"""Accuracy test for lesson 3: exclab's figures against plain Python.

    check_cycles.py [PYTHON [EXCLAB]]

PYTHON (default: the interpreter running this script) runs
scenarios/03-cycles/cycles.py, which measures with tracemalloc. EXCLAB
(default: build/tui/exclab) runs scenarios/03-cycles/scenario.lua headless
with --json. Both call the same functions in the same order; this script
compares the figures and exits 1 on any mismatch, 2 if either run fails.

Heap figures come from exclab's samples. Whether the exception is alive,
and the count of requests before the GC ran by itself, are not samples:
they come from the "got" of the scenario's checks in the JSON report.

Use the interpreter exclab embeds for PYTHON (meson's python_exe; on
Debian 12 /usr/bin/python3.11), or the figures are not like for like.
"""
import os
import sys

from accuracy import Readings, Tally, arguments, run_exclab, run_python, same_python

SCENARIO = os.path.join("scenarios", "03-cycles", "scenario.lua")
WORKLOAD = os.path.join("scenarios", "03-cycles", "cycles.py")

N = 20                  # leaky requests in the GC-count batch: scenario.lua's N
REL = 0.02              # heap figures of payload size or more: within 2%
SMALL = 32 * 1024       # heap figures near zero: within 32 KB of each other
PAYLOAD_SIZED = 1000 * 1000  # figures above this are payloads kept: compared by REL
GC0 = 4                 # generation-0 count over the batch: within 4

# Where each figure sits in exclab's JSON: the step (by index, with the
# start of its title as a guard) and the label of the sample taken right
# after that call; the reading before the call is the sample just before
# it, in run order. Adapt here when the scenario's steps change.
STEPS = {
    "local": (0, "One request that binds", "py.call leaky_local"),
    "collect": (1, "Ask the garbage collector", "py.collect"),
    "observed": (2, "The article's assertion", "py.call observed_local"),
    "threshold": (3, "Count to the threshold", "py.call fresh_count"),
    "count": (4, "20 more requests", "py.call leaky_local"),
    "count_collect": (5, "Collect them", "py.collect"),
    "unbound": (6, "Fix 1", "py.call fixed_unbound"),
    "del": (7, "Fix 2", "py.call fixed_del"),
    "except_as": (8, "except AppError as e", "py.call safe_except_as"),
    "handler_copy": (9, "The handler copies it", "py.call leaky_handler_copy"),
    "self_append": (10, "The handler stores it", "py.call leaky_self_append"),
    "tbexc": (11, "Fix 3", "py.call fixed_tbexc"),
}


def main():
    python, exclab = arguments()
    py = run_python(python, WORKLOAD, N)
    report = run_exclab(exclab, SCENARIO)
    r = Readings(report, STEPS, os.path.basename(__file__))
    tally = Tally()
    compare = tally.compare

    if not same_python(report, py, python):
        return 1
    print(f"Python {py['python.version']}, {N} requests in the GC-count batch")

    def heap_change(name):
        before, after = r.around(name)
        return after["heap"] - before["heap"]

    # One leaky request, then gc.collect().
    compare("local: alive", r.got("local", "the exception is still alive"), py["local.alive"])
    compare("local: on a cycle", r.got("local", "it is on a reference cycle"),
            py["local.on_cycle"])
    compare("local: heap kept", heap_change("local"), py["local.heap_growth"], REL, True)
    compare("collect: alive", r.got("collect", "the exception is gone"), py["collect.alive"])
    compare("collect: heap change", heap_change("collect"), py["collect.heap_change"],
            REL, True)
    compare("collect: unreachable objects found",
            int(r.got("collect", "7 unreachable objects")), py["collect.unreachable"])

    # Seed 002's assertion through f_locals, on a request of its own.
    compare("observed: f_locals['exc'] is e",
            r.got("observed", "the raising frame's local exc"), py["observed.holds"])
    compare("observed: unreachable objects found",
            int(r.got("observed", "the same loop")), py["observed.unreachable"])

    # Empty lists until the collector runs by itself: where it started.
    compare("threshold: gc0 + lists when the collector started",
            int(r.got("threshold", "the collector started as gc0 passed")),
            py["threshold.passed_at"])

    # N leaky requests with the GC left alone, then gc.collect().
    before, after = r.around("count")
    compare("count: heap kept", after["heap"] - before["heap"], py["count.heap_growth"],
            REL, True)
    compare("count: gc0 growth", after["gc0"] - before["gc0"], py["count.gc0_growth"], GC0)
    compare("count: collections meanwhile", after["gc_runs"] - before["gc_runs"],
            py["count.gc_runs"])
    compare("count: heap change on gc.collect()", heap_change("count_collect"),
            py["count.collect_heap_change"], REL, True)
    compare("requests before the GC ran by itself",
            int(r.got("count_collect", "it waits for threshold0")), py["gcrun.requests"], 2)

    # The other variants, one request each.
    for name, message in [("unbound", "the exception is gone"),
                          ("del", "the exception is gone"),
                          ("except_as", "the exception is gone"),
                          ("handler_copy", "the exception is still alive"),
                          ("self_append", "the exception is still alive"),
                          ("tbexc", "the exception is gone")]:
        compare(f"{name}: alive", r.got(name, message), py[f"{name}.alive"])
        ours, theirs = heap_change(name), py[f"{name}.heap_growth"]
        if theirs > PAYLOAD_SIZED:
            compare(f"{name}: heap kept", ours, theirs, REL, True)
        else:
            compare(f"{name}: heap kept", ours, theirs, SMALL)

    return tally.finish(report)


if __name__ == "__main__":
    sys.exit(main())
