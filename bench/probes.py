"""Probe overhead: the same raise-and-catch loop under plain python3, in a
minimal embedder of the same libpython exclab links (no probes), inside exclab
with every probe on, and under tracemalloc, interleaved in one run. Prints
medians and the ratios to plain python3 and to the embedder (speed: higher is
faster). The embedder row separates what embedding costs from what the probes
cost.

With --before, an older exclab runs the same loop in the same rounds.
--smoke runs one round of a thousand requests, to check that every contender
still runs and reports (the test suite runs it).

usage: python3 bench/probes.py EXCLAB PYTHON EMBED_BASELINE [ROUNDS] [--before OLD_EXCLAB] [--smoke]
"""
import argparse
import os
import re
import statistics
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))


def seconds(output):
    m = re.search(r"seconds (\d+\.\d+)", output)
    if not m:
        raise SystemExit("no timing in output:\n" + output)
    return float(m.group(1))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exclab")
    ap.add_argument("python")
    ap.add_argument("baseline")
    ap.add_argument("rounds", nargs="?", type=int, default=7)
    ap.add_argument("--before")
    ap.add_argument("--smoke", action="store_true")
    args = ap.parse_args()
    rounds = 1 if args.smoke else args.rounds
    requests = 1000 if args.smoke else 1_000_000
    env = dict(os.environ, REQUESTS=str(requests))   # workload.py reads it, in exclab too
    workload = os.path.join(HERE, "workload.py")
    lua = os.path.join(HERE, "workload.lua")
    runs = {
        "plain python3": [args.python, workload],
        "embedder, no probes": [args.baseline, workload],
        "exclab, probes on": [args.exclab, "run", lua, "--headless"],
        "python3 + tracemalloc": [args.python, workload, "--tracemalloc"],
    }
    if args.before:
        runs["exclab before"] = [args.before, "run", lua, "--headless"]
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, cmd in runs.items():   # interleaved: noise hits all alike
            out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                                 env=env).stdout
            times[name].append(seconds(out))
    base = statistics.median(times["plain python3"])
    embed = statistics.median(times["embedder, no probes"])
    print(f"raise-and-catch loop, {requests:,} requests, {rounds} rounds, interleaved")
    print(f"{'run':<24} {'median s':>9} {'vs plain python3':>17} {'vs embedder':>12}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<24} {med:>9.3f} {base / med:>16.2f}x {embed / med:>11.2f}x")


if __name__ == "__main__":
    main()
