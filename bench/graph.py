"""Object graph of about 10,000 objects (bench/graph_workload.py): exclab's
capture + collapse + layout (graph_bench, medians of 21 runs) against
objgraph.show_refs drawing the same root with Graphviz (medians of 5 runs),
in one run. objgraph is given exclab's rules for what not to follow (classes,
modules, code, module dicts) so both walk the same objects.

usage: python3 bench/graph.py GRAPH_BENCH [ROUNDS]
  (needs python3-objgraph and graphviz: apt-get install python3-objgraph graphviz)
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD = os.path.join(HERE, "graph_workload.py")

OBJGRAPH = r'''
import sys, time, types, runpy
sys.path.insert(0, "/usr/lib/python3/dist-packages")
import objgraph
ns = runpy.run_path(sys.argv[1], run_name="__bench__")
root = ns["root"]
def follow(o):
    if isinstance(o, (type, types.ModuleType, types.CodeType)):
        return False
    return not (isinstance(o, dict) and "__builtins__" in o)
t0 = time.perf_counter()
objgraph.show_refs([root], max_depth=100000, too_many=1000000, filter=follow,
                   filename=sys.argv[2])
print("seconds", time.perf_counter() - t0)
'''


def run(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def main():
    bench = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ex = run([bench, WORKLOAD, "21"])
    og = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            r = run([sys.executable, "-c", OBJGRAPH, WORKLOAD, os.path.join(tmp, f"g{i}.png")])
            og.append(float(r["seconds"]))
    total = float(ex["capture_ms"]) + float(ex["collapse_ms"]) + float(ex["layout_ms"])
    med = statistics.median(og) * 1000
    print(f"object graph of {ex['nodes']} objects ({ex['shown']} drawn after collapsing)")
    print(f"{'step':<40} {'median ms':>10}")
    print(f"{'exclab capture (walk, labels, sizes)':<40} {float(ex['capture_ms']):>10.2f}")
    print(f"{'exclab collapse, cycles, retained':<40} {float(ex['collapse_ms']):>10.2f}")
    print(f"{'exclab layout':<40} {float(ex['layout_ms']):>10.2f}")
    print(f"{'exclab total':<40} {total:>10.2f}")
    print(f"{'objgraph.show_refs + Graphviz (PNG)':<40} {med:>10.1f}")
    print(f"ratio objgraph / exclab: {med / total:.0f}x")


if __name__ == "__main__":
    main()
