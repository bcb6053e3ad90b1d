"""Object graphs of about 150 to 10,000 objects (bench/graph_workload.py):
exclab's capture + collapse + layout (graph_bench, medians of 21 runs)
against objgraph, in one run: objgraph's walk alone (writing a .dot file) and
objgraph.show_refs drawing a PNG with Graphviz, the way its users draw
graphs. objgraph is given exclab's rules for what not to follow (classes,
modules, code, module dicts), so both walk the same objects. Graphviz runs
get a time limit; one that does not finish is reported as such.

usage: python3 bench/graph.py GRAPH_BENCH [ROUNDS] [LIMIT_S]
  (needs python3-objgraph and graphviz: apt-get install python3-objgraph graphviz)
"""
import os
import statistics
import subprocess
import sys
import tempfile

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


def run(cmd, env, timeout=None):
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env,
                         timeout=timeout).stdout
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def objgraph_ms(env, suffix, rounds, limit):
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            try:
                r = run([sys.executable, "-c", OBJGRAPH, WORKLOAD,
                         os.path.join(tmp, f"g{i}.{suffix}")], env, timeout=limit)
            except subprocess.TimeoutExpired:
                return None   # Graphviz did not finish: further rounds would not either
            times.append(float(r["seconds"]) * 1000)
    return statistics.median(times)


def main():
    bench = sys.argv[1]
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 120
    print(f"{'objects':>8} {'exclab capture':>15} {'collapse':>9} {'layout':>7} {'exclab total':>13}"
          f" {'objgraph walk (.dot)':>21} {'objgraph + Graphviz PNG':>24} {'ratio':>7}")
    for raises in ("12", "40", "125", "1250"):
        env = dict(os.environ, RAISES=raises)
        ex = run([bench, WORKLOAD, "21"], env)
        total = sum(float(ex[k]) for k in ("capture_ms", "collapse_ms", "layout_ms"))
        walk = objgraph_ms(env, "dot", rounds, limit)
        png = objgraph_ms(env, "png", rounds, limit)
        png_text = f"{png:.0f} ms" if png is not None else f"> {limit:.0f} s (killed)"
        ratio = f"{png / total:.0f}x" if png is not None else f"> {limit * 1000 / total:.0f}x"
        print(f"{ex['nodes']:>8} {float(ex['capture_ms']):>12.2f} ms {float(ex['collapse_ms']):>6.2f} ms"
              f" {float(ex['layout_ms']):>4.2f} ms {total:>10.2f} ms {walk:>18.0f} ms {png_text:>24} {ratio:>7}")


if __name__ == "__main__":
    main()
