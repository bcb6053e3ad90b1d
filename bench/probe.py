"""exclab probe's cost and latency: three realistic programs (a request
loop, a retry loop, a thread pool) under plain python3, exclab probe with
findings on, python3 -X tracemalloc and python3 with objgraph's growth
tracking (objgraph.growth() every second, bench/probe_programs/
objgraph_growth.py; skipped when objgraph is not installed), interleaved in
one run; medians of each program's own timing, and the speed against plain
python3 (higher is faster). Then the latency of a finding: how long after
a leak starts the first report that shows it is written (--every 0.1).

Last, the design question of README.md ("How exclab probe sees without
changing the program"): exception cycles made fast, with the collector
running as usual (bench/probe_programs/cycles.py), under plain python3,
exclab probe, and the two rejected designs simulated under python3.

usage: python3 bench/probe.py EXCLAB PYTHON [ROUNDS] [--smoke]
--smoke: one small round, checking that each run works (the test suite's).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "probe_programs")
SIZES = {"request_loop.py": 20000, "retry_loop.py": 200000, "thread_pool.py": 30000}
SMOKE_SIZES = {"request_loop.py": 500, "retry_loop.py": 3000, "thread_pool.py": 500}


def seconds(output):
    m = re.search(r"seconds (\d+\.\d+)", output)
    if not m:
        raise SystemExit("no timing in output:\n" + output)
    return float(m.group(1))


def has_objgraph(python):
    return subprocess.run([python, "-c", "import objgraph"], capture_output=True).returncode == 0


def latency(exclab, tmp):
    report = os.path.join(tmp, "latency.json")
    out = subprocess.run([exclab, "probe", "--headless", "--json", "--every", "0.1", "--report",
                          report, os.path.join(PROGRAMS, "leak_latency.py")],
                         capture_output=True, text=True, check=True).stdout
    start = float(re.search(r"leak starts (\d+\.\d+)", out).group(1))
    for line in open(report):
        doc = json.loads(line)
        if any(f["kind"] == "kept" for f in doc["findings"]) and doc["time"] >= start:
            return doc["time"] - start
    raise SystemExit("the leak was never reported")


def design(args, rounds):
    cycles = os.path.join(PROGRAMS, "cycles.py")
    n = "200" if args.smoke else "3000"
    runs = {
        "plain python3": [args.python, cycles, n],
        "exclab probe (SAVEALL inside each collection)": [
            args.exclab, "probe", "--headless", "--report", os.devnull, cycles, n],
        "A: DEBUG_SAVEALL always, gc.garbage emptied": [args.python, cycles, n, "--saveall-always"],
        "B: a private pass at each collection": [args.python, cycles, n, "--private-pass"],
    }
    got = {name: [] for name in runs}
    for _ in range(rounds):
        for name, argv in runs.items():
            out = subprocess.run(argv, capture_output=True, text=True, check=True).stdout
            got[name].append((seconds(out), float(re.search(r"peak_rss_mb (\d+)", out).group(1))))
    print(f"exception cycles, {n} requests of 100 KB, collector on: median seconds, peak RSS")
    for name, rs in got.items():
        print(f"{name:<48} {statistics.median(r[0] for r in rs):>8.3f} s "
              f"{statistics.median(r[1] for r in rs):>6.0f} MB")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exclab")
    ap.add_argument("python")
    ap.add_argument("rounds", nargs="?", type=int, default=5)
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    rounds, sizes = (1, SMOKE_SIZES) if args.smoke else (args.rounds, SIZES)
    modes = {
        "plain python3": lambda p, n: [args.python, p, n],
        "exclab probe": lambda p, n: [args.exclab, "probe", "--headless", "--report", os.devnull,
                                      p, n],
        "python3 -X tracemalloc": lambda p, n: [args.python, "-X", "tracemalloc", p, n],
    }
    if has_objgraph(args.python):
        growth = os.path.join(PROGRAMS, "objgraph_growth.py")
        modes["python3 + objgraph growth"] = lambda p, n: [args.python, growth, p, n]
    else:
        print("objgraph is not installed for", args.python, "(apt-get install python3-objgraph):"
              " its column is left out")
    times = {(prog, mode): [] for prog in sizes for mode in modes}
    for _ in range(rounds):
        for prog, n in sizes.items():
            for mode, argv in modes.items():   # interleaved: noise hits all alike
                out = subprocess.run(argv(os.path.join(PROGRAMS, prog), str(n)),
                                     capture_output=True, text=True, check=True).stdout
                times[prog, mode].append(seconds(out))
    print(f"{rounds} round{'s' if rounds > 1 else ''}, interleaved; median seconds "
          f"(speed against plain python3)")
    print(f"{'program':<16}" + "".join(f"{m:>28}" for m in modes))
    for prog in sizes:
        base = statistics.median(times[prog, "plain python3"])
        row = f"{prog[:-3]:<16}"
        for mode in modes:
            med = statistics.median(times[prog, mode])
            row += f"{med:>19.3f} ({base / med:.2f}x)"
        print(row)
    with tempfile.TemporaryDirectory() as tmp:
        waits = [latency(args.exclab, tmp) for _ in range(1 if args.smoke else 3)]
    print(f"a finding after the leak starts: {', '.join(f'{w:.2f} s' for w in waits)} "
          f"(reports every 0.1 s)")
    design(args, rounds)
    return 1 if args.smoke and max(waits) > 3 else 0


if __name__ == "__main__":
    sys.exit(main())
