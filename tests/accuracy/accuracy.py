"""What the accuracy checks share: run a lesson's Python under the plain
interpreter and its scenario in exclab, find exclab's readings by step, and
compare figure by figure.

A lesson's check names its scenario, its workload and where each figure
sits in exclab's JSON (STEPS: name -> (step index, start of its title,
sample index right after the call)); the reading before a call is the
sample just before it, in run order.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fail(msg, code=2):
    print(f"{os.path.basename(sys.argv[0])}: {msg}", file=sys.stderr)
    sys.exit(code)


def run_python(python, workload, *args):
    """The workload's `key value` lines, with integers and booleans parsed."""
    cmd = [python, workload, *map(str, args)]
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


def run_exclab(exclab, scenario):
    cmd = [exclab, "run", scenario, "--headless", "--json"]
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

    def __init__(self, report, steps, script):
        self.steps = report["steps"]
        self.table = steps
        self.script = script
        self.flat = [(i, j) for i, s in enumerate(self.steps)
                     for j in range(len(s["samples"]))]

    def sample(self, i, j):
        return self.steps[i]["samples"][j]

    def step(self, name):
        """(step index, sample index) of figure `name`: the table gives the
        sample by position, or by its label ("py.call fixed_tbexc"), the
        first of the step's samples with that label."""
        i, title, j = self.table[name]
        if i >= len(self.steps) or not self.steps[i]["title"].startswith(title):
            fail(f"step {i + 1} should start with {title!r}; update STEPS in {self.script}")
        if isinstance(j, str):
            labels = [s.get("label") for s in self.steps[i]["samples"]]
            if j not in labels:
                fail(f"step {i + 1} has no sample labelled {j!r} (it has {labels}); "
                     f"update STEPS in {self.script}")
            j = labels.index(j)
        return i, j

    def around(self, name):
        """(before, after) the call of step `name`."""
        i, j = self.step(name)
        k = self.flat.index((i, j))
        if k == 0:
            fail(f"no reading before step {i + 1}'s call")
        return self.sample(*self.flat[k - 1]), self.sample(i, j)

    def got(self, name, message_start):
        """The value a check of step `name` measured (its "got" in the report)."""
        i, _ = self.step(name)
        for c in self.steps[i]["checks"]:
            if c["message"].startswith(message_start):
                return c["got"]
        fail(f"step {i + 1} has no check starting {message_start!r}")


class Tally:
    """Figure-by-figure comparison, printed as it goes."""

    def __init__(self):
        self.mismatches = 0

    def _say(self, ok, what, ours, theirs, how):
        self.mismatches += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {what}: exclab {ours}, python {theirs} ({how})")

    def compare(self, what, ours, theirs, tolerance=0, relative=False):
        if isinstance(theirs, bool) or isinstance(ours, bool):
            self._say(ours == theirs, what, ours, theirs, "exactly")
            return
        limit = abs(theirs) * tolerance if relative else tolerance
        how = (f"within {tolerance:.0%}" if relative else
               f"within {tolerance}" if tolerance else "exactly")
        self._say(abs(ours - theirs) <= limit, what, ours, theirs, how)

    def text(self, what, ours, theirs):
        self._say(str(ours) == str(theirs), what, ours, theirs, "exactly")

    def finish(self, report):
        failed_checks = report.get("failed", 0)
        if failed_checks:
            print(f"note: {failed_checks} scenario check(s) failed "
                  "(the scenario test reports them)")
        print("all figures agree" if not self.mismatches else f"{self.mismatches} mismatch(es)")
        return 1 if self.mismatches else 0


def same_python(report, py, python):
    """exclab and the plain run must be the same CPython."""
    if report.get("python") == py["python.version"]:
        return True
    print(f"FAIL versions differ: exclab embeds {report.get('python')}, "
          f"{python} is {py['python.version']}: run it with the embedded one")
    return False


def arguments():
    """(python, exclab) from the command line, with their defaults."""
    python = sys.argv[1] if len(sys.argv) > 1 else sys.executable
    exclab = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "build", "tui", "exclab")
    return python, exclab
