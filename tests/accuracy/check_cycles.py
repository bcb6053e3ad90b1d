"""Accuracy test for lesson 3: exclab's figures against plain Python.

    check_cycles.py [PYTHON [EXCLAB]]

PYTHON (default: the interpreter running this script) runs
scenarios/03-cycles/cycles.py, which measures with tracemalloc. EXCLAB
(default: build/tui/exclab) runs scenarios/03-cycles/scenario.lua headless
with --json. Both call the same functions in the same order; this script
compares the figures and exits 1 on any mismatch, 2 if either run fails.

Heap figures come from exclab's samples. Whether the exception is alive,
and the count of requests before the GC ran by itself, are not samples:
they come from the scenario's checks ("... got true").

Use the interpreter exclab embeds for PYTHON (meson's python_exe; on
Debian 12 /usr/bin/python3.11), or the figures are not like for like.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join("scenarios", "03-cycles", "scenario.lua")
WORKLOAD = os.path.join("scenarios", "03-cycles", "cycles.py")

N = 20                  # leaky requests in the GC-count batch: scenario.lua's N
REL = 0.02              # heap figures of payload size or more: within 2%
SMALL = 32 * 1024       # heap figures near zero: within 32 KB of each other
PAYLOAD_SIZED = 1000 * 1000  # figures above this are payloads kept: compared by REL
GC0 = 4                 # generation-0 count over the batch: within 4

# Where each figure sits in exclab's JSON: the step (by index, with the
# start of its title as a guard) and which of its samples was taken right
# after that call; the reading before the call is the sample just before
# it, in run order. Adapt here when the scenario's steps change.
STEPS = {
    "local": (0, "One request that binds", 3),
    "collect": (1, "Ask the garbage collector", 0),
    "observed": (2, "The article's assertion", 0),
    "threshold": (3, "Count to the threshold", 0),
    "count": (4, "20 more requests", 0),
    "count_collect": (5, "Collect them", 0),
    "unbound": (6, "Fix 1", 0),
    "del": (7, "Fix 2", 0),
    "except_as": (8, "except AppError as e", 0),
    "handler_copy": (9, "The handler copies it", 0),
    "self_append": (10, "The handler stores it", 1),
    "tbexc": (11, "Fix 3", 1),
}


def fail(msg, code=2):
    print(f"check_cycles: {msg}", file=sys.stderr)
    sys.exit(code)


def run_python(python):
    cmd = [python, WORKLOAD, str(N)]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    figures = {}
    for line in p.stdout.splitlines():
        key, _, value = line.partition(" ")
        if value.lstrip("-").isdigit():
            value = int(value)
        elif value in ("True", "False"):
            value = value == "True"
        figures[key] = value
    return figures


def run_exclab(exclab):
    cmd = [exclab, "run", SCENARIO, "--headless", "--json"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=300)
    if p.returncode not in (0, 1):  # 1: a check failed, figures still valid
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stdout}{p.stderr}")
    try:
        report = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        fail(f"{' '.join(cmd)}: stdout is not JSON ({e})")
    if report.get("error"):
        fail(f"the scenario failed: {report['error']}")
    return report


class Readings:
    """Samples and check results of exclab's run, found by step."""

    def __init__(self, report):
        self.steps = report["steps"]
        self.flat = [(i, j) for i, s in enumerate(self.steps)
                     for j in range(len(s["samples"]))]

    def step(self, name):
        i, title, j = STEPS[name]
        if i >= len(self.steps) or not self.steps[i]["title"].startswith(title):
            fail(f"step {i + 1} should start with {title!r}; "
                 f"update STEPS in {os.path.basename(__file__)}")
        return i, j

    def around(self, name):
        """(before, after) the call of step `name`."""
        i, j = self.step(name)
        k = self.flat.index((i, j))
        if k == 0:
            fail(f"no reading before step {i + 1}'s call")
        before = self.steps[self.flat[k - 1][0]]["samples"][self.flat[k - 1][1]]
        return before, self.steps[i]["samples"][j]

    def got(self, name, message_start):
        """The value a check of step `name` saw, from its detail text."""
        i, _ = self.step(name)
        for c in self.steps[i]["checks"]:
            if c["message"].startswith(message_start):
                m = re.search(r"got (\S+)\)?$", c["detail"])
                if m:
                    v = m.group(1).rstrip(")")
                    return {"true": True, "false": False}.get(v, v)
        fail(f"step {i + 1} has no check starting {message_start!r}")


def main():
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    exclab = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "tui", "exclab")

    py = run_python(python)
    report = run_exclab(exclab)
    r = Readings(report)
    mismatches = 0

    def compare(what, ours, theirs, tolerance=0, relative=False):
        nonlocal mismatches
        if isinstance(theirs, bool) or isinstance(ours, bool):
            ok, how = ours == theirs, "exactly"
        else:
            limit = abs(theirs) * tolerance if relative else tolerance
            ok = abs(ours - theirs) <= limit
            how = (f"within {tolerance:.0%}" if relative else
                   f"within {tolerance}" if tolerance else "exactly")
        mismatches += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: exclab {ours}, python {theirs} ({how})")

    if report.get("python") != py["python.version"]:
        print(f"FAIL versions differ: exclab embeds {report.get('python')}, "
              f"{python} is {py['python.version']}: run it with the embedded one")
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

    failed_checks = report.get("failed", 0)
    if failed_checks:
        print(f"note: {failed_checks} scenario check(s) failed "
              "(the scenario test reports them)")
    print(f"{'all figures agree' if not mismatches else f'{mismatches} mismatch(es)'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
