"""exclab probe on the corpus: realistic programs, each leaky and fixed.

For each leaky program: exclab probe reports findings of the right kind,
at the lines marked '# probe: raise' and '# probe: except' in its source
(leaky.py's, or a module of its own it imports), all of them and no other,
with bytes within 5% of what plain python3 with tracemalloc measures of
the same leak (measure.py, corpus.json). For each fixed one: no finding at
all, hints included. For both: standard output, standard error and exit
status exactly those of plain python3.

usage: test_corpus.py PYTHON EXCLAB [NAME...]
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
PYTHON, EXCLAB = sys.argv[1], os.path.abspath(sys.argv[2])
TOLERANCE = 0.05
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def run(argv, cwd):
    p = subprocess.run(argv, capture_output=True, cwd=cwd, timeout=120)
    return p.returncode, p.stdout, p.stderr


def probe(name, program):
    """Run it under python3 and exclab probe; the JSON report."""
    cwd = os.path.join(CORPUS, name)
    want = run([PYTHON, program], cwd)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "report.json")
        got = run([EXCLAB, "probe", "--headless", "--json", "--report", path, program], cwd)
        report = json.load(open(path)) if os.path.exists(path) else {}
    label = f"{name}/{program}"
    check(got == want, f"{label}: output and status as under python3" +
          ("" if got == want else f"\n  got  {got}\n  want {want}"))
    return report


def markers(folder):
    """The lines marked in the program's files: leaky.py, or a module of
    its own it imports (fixed.py's never have any); a program with two
    findings of its kind marks two raises and two excepts."""
    found = {}
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".py"):
            continue
        for number, line in enumerate(open(os.path.join(folder, name)), 1):
            m = re.search(r"# probe: (raise|except)", line)
            if m:
                found.setdefault(m.group(1), set()).add(f"{name}:{number}")
    return found


def measure(name, spec):
    argv = [PYTHON, os.path.join(HERE, "measure.py"), os.path.join(CORPUS, name, "leaky.py"),
            spec["measure"]] + ([spec["release"]] if spec["measure"] == "release" else [])
    return int(subprocess.run(argv, capture_output=True, text=True, check=True,
                              timeout=120).stdout.strip())


manifest = json.load(open(os.path.join(CORPUS, "corpus.json")))
names = sys.argv[3:] or [n for n in manifest if n != "_"]
for name in names:
    spec = manifest[name]
    report = probe(name, "leaky.py")
    found = [f for f in report.get("findings", []) if f["kind"] == spec["kind"] and not f["gone"]]
    check(bool(found), f"{name}: a '{spec['kind']}' finding: "
          f"{[(f['kind'], f['title']) for f in report.get('findings', [])]}")
    for where, places in markers(os.path.join(CORPUS, name)).items():
        field = "raise_at" if where == "raise" else "except_at"
        check(found and {f[field] for f in found} == places,
              f"{name}: {where} at {sorted(places)}: {[f[field] for f in found]}")
    got = sum(f["bytes"] for f in found)
    want = measure(name, spec)
    check(want > 0 and abs(got - want) <= TOLERANCE * want,
          f"{name}: {got} bytes, tracemalloc {want} ({(got - want) / max(want, 1):+.1%})")
    report = probe(name, "fixed.py")
    check(report.get("findings") == [], f"{name}/fixed.py: no finding: "
          f"{[(f['kind'], f['title']) for f in report.get('findings', [])]}")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
