"""Accuracy test for lesson 2: exclab's figures against plain Python.

    check_reuse.py [PYTHON [EXCLAB]]

PYTHON (default: the interpreter running this script) runs
scenarios/02-reuse/reuse.py, which measures with tracemalloc. EXCLAB
(default: build/tui/exclab) runs scenarios/02-reuse/scenario.lua headless
with --json. Both do the same batches in the same order; this script
compares the figures and exits 1 on any mismatch, 2 if either run fails.

Use the interpreter exclab embeds for PYTHON (meson's python_exe; on
Debian 12 /usr/bin/python3.11), or the heap figures are not like for like.
"""
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIO = os.path.join("scenarios", "02-reuse", "scenario.lua")
WORKLOAD = os.path.join("scenarios", "02-reuse", "reuse.py")

N = 100                 # raises per batch: scenario.lua's N
REL = 0.02              # heap growth of the big batches: within 2% (DESIGN.md)
SMALL = 32 * 1024       # small heap figures: within 32 KB of each other

# Where each figure sits in exclab's JSON. Each entry names a step (by
# index, with the start of its title as a guard) and which of its samples
# was taken right after the py.call of that batch; the reading before the
# batch is the sample just before that one, in run order. Adapt here when
# the scenario's steps change.
STEPS = {
    "shared": (0, "Raise the shared instance", 2),
    "more": (2, "Raise it 100 more", 0),
    "collect": (3, "Ask the garbage collector", 0),
    "fresh": (4, "Raise a fresh instance", 0),
    "reset": (5, "Reset the shared instance", 0),
    "cause": (6, "A stale cause", 2),
    "notes": (7, "Notes pile up", 1),
    "threads": (8, "Two threads", 1),
    "loop": (9, "The article's small loop", 5),
}


def fail(msg, code=2):
    print(f"check_reuse: {msg}", file=sys.stderr)
    sys.exit(code)


def run_python(python):
    cmd = [python, WORKLOAD, str(N)]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(cmd)} exited {p.returncode}:\n{p.stderr}")
    figures = {}
    for line in p.stdout.splitlines():
        key, _, value = line.partition(" ")
        figures[key] = int(value) if value.lstrip("-").isdigit() else value
    return figures


def run_exclab(exclab):
    cmd = [exclab, "run", SCENARIO, "--headless", "--json"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
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
    """Samples of exclab's run, found by step and position."""

    def __init__(self, report):
        self.steps = report["steps"]
        self.flat = [(i, j) for i, s in enumerate(self.steps)
                     for j in range(len(s["samples"]))]

    def sample(self, i, j):
        return self.steps[i]["samples"][j]

    def step(self, name):
        i, title, j = STEPS[name]
        if i >= len(self.steps) or not self.steps[i]["title"].startswith(title):
            fail(f"step {i + 1} should start with {title!r}; "
                 f"update STEPS in {os.path.basename(__file__)}")
        return i, j

    def around(self, name):
        """(before, after) the batch of step `name`."""
        i, j = self.step(name)
        k = self.flat.index((i, j))
        if k == 0:
            fail(f"no reading before step {i + 1}'s batch")
        return self.sample(*self.flat[k - 1]), self.sample(i, j)

    def got(self, name, message_start):
        """The value a check of step `name` saw, from its detail text."""
        i, _ = self.step(name)
        for c in self.steps[i]["checks"]:
            if c["message"].startswith(message_start):
                m = re.search(r'got "?([^"]*?)"?\)?$', c["detail"])
                if m:
                    return m.group(1)
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
        limit = abs(theirs) * tolerance if relative else tolerance
        ok = abs(ours - theirs) <= limit
        mismatches += not ok
        how = (f"within {tolerance:.0%}" if relative else
               f"within {tolerance} bytes" if tolerance else "exactly")
        print(f"{'ok  ' if ok else 'FAIL'} {what}: exclab {ours:.0f}, "
              f"python {theirs} ({how})")

    def text(what, ours, theirs):
        nonlocal mismatches
        ok = str(ours) == str(theirs)
        mismatches += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: exclab {ours}, python {theirs} (exactly)")

    if report.get("python") != py["python.version"]:
        print(f"FAIL versions differ: exclab embeds {report.get('python')}, "
              f"{python} is {py['python.version']}: run it with the embedded one")
        return 1
    print(f"Python {py['python.version']}, {N} raises per batch")

    before, after = r.around("shared")
    compare("shared: chain entries", after["chain"], py[f"shared.chain_after_{N}"])
    compare("shared: frames kept", after["frames"], py[f"shared.frames_after_{N}"])
    compare("shared: heap growth", after["heap"] - before["heap"],
            py[f"shared.heap_growth_{N}"], REL, relative=True)
    start = before

    before, after = r.around("more")
    compare("more: chain entries", after["chain"], py[f"more.chain_after_{2 * N}"])
    compare("more: frames kept", after["frames"], py[f"more.frames_after_{2 * N}"])
    compare("more: heap growth", after["heap"] - before["heap"],
            py[f"more.heap_growth_{N}"], REL, relative=True)

    before, after = r.around("collect")
    compare("collect: chain entries", after["chain"], py["collect.chain"])
    compare("collect: heap change", after["heap"] - before["heap"],
            py["collect.heap_change"], SMALL)

    before, after = r.around("fresh")
    compare("fresh: heap growth", after["heap"] - before["heap"],
            py[f"fresh.heap_growth_{N}"], SMALL)
    compare("fresh: shared chain", after["chain"], py["fresh.shared_chain"])

    before, after = r.around("reset")
    compare("reset: chain entries", after["chain"], py[f"reset.chain_after_{N}"])
    compare("reset: frames kept", after["frames"], py[f"reset.frames_after_{N}"])
    compare("reset: heap above the start", after["heap"] - start["heap"],
            py["reset.heap_above_start"], SMALL)

    # The steps after the two fixes: a stale cause, notes, threads, the loop.
    _, after = r.around("cause")
    compare("cause: heap above the start", after["heap"] - start["heap"],
            py["cause.heap_above_start"], SMALL)
    text("cause: __cause__ after the plain raises",
         r.got("cause", "it still holds the ConnectionError"), py["cause.type"])
    text("cause: __context__", r.got("cause", "and as __context__"), py["cause.context"])
    if py[f"notes.count_after_{N}"] != "n/a":
        compare("notes: __notes__ after the noted raises",
                int(r.got("notes", "notes: +1 per request")), py[f"notes.count_after_{N}"])
    shared = py["threads.shared"].split(",")
    compare("threads: entries thread A saw", int(r.got("threads", "A sees 4 entries")),
            int(shared[1]))
    text("threads: fresh instances, what each saw",
         r.got("threads", "with a fresh instance"), py["threads.fresh"])
    _, after = r.around("loop")
    first = r.sample(STEPS["loop"][0], 0)
    compare("loop: chain after 5 x 2000 raises", after["chain"], py["loop.chain_after_10000"])
    compare("loop: frames kept", after["frames"], py["loop.frames"])
    compare("loop: heap growth", after["heap"] - first["heap"], py["loop.heap_growth"], SMALL)

    failed_checks = report.get("failed", 0)
    if failed_checks:
        print(f"note: {failed_checks} scenario check(s) failed "
              "(the scenario test reports them)")
    print(f"{'all figures agree' if not mismatches else f'{mismatches} mismatch(es)'}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
