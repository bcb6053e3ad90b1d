"""Object graphs of about 100 to 10,000 objects (bench/graph_workload.py):
exclab's capture + collapse + layout (graph_bench, medians of 21 runs)
against objgraph, in one run: objgraph's walk alone (writing a .dot file) and
objgraph.show_refs drawing a PNG with Graphviz, the way its users draw
graphs. objgraph is given exclab's rules for what not to follow (classes,
modules, code, module dicts), so both walk the same objects. Graphviz runs
get a time limit; one that does not finish is killed with everything it
started, and reported as such.

--smoke runs the smallest graph once, to check that every side still runs
and reports (the test suite runs it). Without objgraph or Graphviz it runs
exclab's side and says what it skipped; the full run needs both.

usage: python3 bench/graph.py GRAPH_BENCH [ROUNDS] [LIMIT_S]
       python3 bench/graph.py GRAPH_BENCH --smoke
  (needs python3-objgraph and graphviz: apt-get install python3-objgraph graphviz)
"""
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOAD = os.path.join(HERE, "graph_workload.py")
DIST_PACKAGES = "/usr/lib/python3/dist-packages"   # python3-objgraph's, whatever runs this
EXCLAB_KEYS = ("nodes", "capture_ms", "collapse_ms", "layout_ms")

OBJGRAPH = r'''
import sys, time, types, runpy
sys.path.insert(0, sys.argv[3])
import objgraph
ns = runpy.run_path(sys.argv[1], run_name="__bench__")
root = ns["root"]
def follow(o):
    if isinstance(o, (type, types.ModuleType, types.CodeType)):
        return False
    # a module's namespace, as exclab tells it: __builtins__ or __spec__
    return not (isinstance(o, dict) and "__name__" in o and ("__builtins__" in o or "__spec__" in o))
t0 = time.perf_counter()
objgraph.show_refs([root], max_depth=100000, too_many=1000000, filter=follow,
                   filename=sys.argv[2])
print("seconds", time.perf_counter() - t0)
'''


def parse(out):
    return dict(line.split(" ", 1) for line in out.splitlines() if " " in line)


def leftovers(pgid):
    """Processes of group pgid still running. Zombies do not count: what is
    orphaned here goes to a PID 1 that may never reap it."""
    alive = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                state, _, group = f.read().rsplit(")", 1)[1].split()[:3]
        except OSError:
            continue   # ended while we looked
        if int(group) == pgid and state != "Z":
            alive.append(int(pid))
    return alive


def run_group(cmd, env, limit):
    """Run cmd in a process group of its own, and kill the whole group when
    it ends or runs out of time: killing objgraph alone leaves its `dot`
    running (one was found 30 minutes later at 6.6 GB). Its output, or None
    if it ran out of time."""
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=env, start_new_session=True) as p:
        try:
            out, err = p.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            out = None
        finally:   # Ctrl-C too: a session of its own is out of the terminal's reach
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + 5
    while leftovers(p.pid):
        if time.monotonic() > deadline:
            raise SystemExit(f"processes {leftovers(p.pid)} outlived killing {cmd[0]}'s group")
        time.sleep(0.05)
    if out is not None and p.returncode != 0:
        raise SystemExit(f"objgraph failed (exit {p.returncode}):\n{err}")
    return out


def objgraph_ms(env, suffix, rounds, limit):
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(rounds):
            path = os.path.join(tmp, f"g{i}.{suffix}")
            out = run_group([sys.executable, "-c", OBJGRAPH, WORKLOAD, path, DIST_PACKAGES],
                            env, limit)
            if out is None:
                return None   # Graphviz did not finish: further rounds would not either
            if not os.path.isfile(path) or os.path.getsize(path) == 0:
                raise SystemExit(f"objgraph wrote no .{suffix} file:\n{out}")
            times.append(float(parse(out)["seconds"]) * 1000)
    return statistics.median(times)


def missing_tools():
    """What the objgraph side lacks: objgraph (for sys.executable), Graphviz."""
    probe = f"import sys; sys.path.insert(0, {DIST_PACKAGES!r}); import objgraph"
    missing = []
    if subprocess.run([sys.executable, "-c", probe], capture_output=True).returncode != 0:
        missing.append("python3-objgraph")
    if shutil.which("dot") is None:
        missing.append("graphviz")
    return missing


def shown(ms, limit):
    return f"{ms:.0f} ms" if ms is not None else f"> {limit:.0f} s (killed)"


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))   # so that run_group kills its group
    bench = sys.argv[1]
    smoke = sys.argv[2:] == ["--smoke"]
    rounds = 1 if smoke else int(sys.argv[2]) if len(sys.argv) > 2 else 3
    limit = float(sys.argv[3]) if len(sys.argv) > 3 else 120
    sizes = ("12",) if smoke else ("12", "40", "125", "1250")
    missing = missing_tools()
    if missing and not smoke:
        raise SystemExit(f"graph.py: {' and '.join(missing)} missing: "
                         f"sudo apt-get install {' '.join(missing)}")
    if missing:
        what = "objgraph" if "python3-objgraph" in missing else "objgraph's Graphviz PNG"
        print(f"skipped {what}: {' and '.join(missing)} not installed "
              f"(sudo apt-get install {' '.join(missing)}); exclab's side ran")
    print(f"{'objects':>8} {'exclab capture':>15} {'collapse':>9} {'layout':>7} {'exclab total':>13}"
          f" {'objgraph walk (.dot)':>21} {'objgraph + Graphviz PNG':>24} {'ratio':>7}")
    for raises in sizes:
        env = dict(os.environ, RAISES=raises)
        ex = parse(subprocess.run([bench, WORKLOAD, str(1 if smoke else 21)], capture_output=True,
                                  text=True, check=True, env=env).stdout)
        if any(k not in ex for k in EXCLAB_KEYS):
            raise SystemExit(f"graph_bench did not report {EXCLAB_KEYS}: {ex}")
        total = sum(float(ex[k]) for k in EXCLAB_KEYS[1:])
        walk_text = png_text = ratio = "skipped"
        if "python3-objgraph" not in missing:
            walk_text = shown(objgraph_ms(env, "dot", rounds, limit), limit)
        if not missing:
            png = objgraph_ms(env, "png", rounds, limit)
            png_text = shown(png, limit)
            ratio = f"{png / total:.0f}x" if png is not None else f"> {limit * 1000 / total:.0f}x"
        print(f"{ex['nodes']:>8} {float(ex['capture_ms']):>12.2f} ms {float(ex['collapse_ms']):>6.2f} ms"
              f" {float(ex['layout_ms']):>4.2f} ms {total:>10.2f} ms {walk_text:>21} {png_text:>24} {ratio:>7}")


if __name__ == "__main__":
    main()
