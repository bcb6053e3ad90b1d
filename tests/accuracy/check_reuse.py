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
import os
import sys

from accuracy import Readings, Tally, arguments, run_exclab, run_python, same_python

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
    "cause": (6, "raise ... from e once", 2),
    "notes": (7, "A note in every handler", 1),
    "threads": (8, "Two threads", 1),
    "loop": (9, "The article's small loop", 5),
}


def main():
    python, exclab = arguments()
    py = run_python(python, WORKLOAD, N)
    report = run_exclab(exclab, SCENARIO)
    r = Readings(report, STEPS, os.path.basename(__file__))
    tally = Tally()
    compare, text = tally.compare, tally.text

    if not same_python(report, py, python):
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

    return tally.finish(report)


if __name__ == "__main__":
    sys.exit(main())
