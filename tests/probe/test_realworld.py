"""exclab probe on everyday programs it was not written against: asyncio,
unittest, generators, logging, worker threads. Those marked '# expect:
none' must get no finding at all (no false finding); those marked
'# expect: KIND' a finding of that kind (no missed leak). A later line
'# expect from 3.12: KIND' says what the program does from that version on
(CPython's own library changes too). Output and exit status are python3's
in every case.

usage: test_realworld.py PYTHON EXCLAB
"""
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "realworld")
PYTHON, EXCLAB = sys.argv[1], os.path.abspath(sys.argv[2])
VERSION = tuple(int(part) for part in subprocess.run(
    [PYTHON, "-c", "import sys; print(*sys.version_info[:2])"],
    capture_output=True, text=True, check=True).stdout.split())
failures = []


def expected_kind(path):
    """The kind of the last '# expect' line at the top of the file whose
    version is this PYTHON's or older."""
    kind = None
    for line in open(path):
        m = re.match(r"# expect(?: from (\d+)\.(\d+))?: (\w+)", line)
        if m is None:
            break
        if m.group(1) is None or VERSION >= (int(m.group(1)), int(m.group(2))):
            kind = m.group(3)
    return kind


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


for name in sorted(os.listdir(HERE)):
    path = os.path.join(HERE, name)
    expect = expected_kind(path)
    want = subprocess.run([PYTHON, name], capture_output=True, cwd=HERE, timeout=60)
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "r.json")
        got = subprocess.run([EXCLAB, "probe", "--headless", "--json", "--report", report, name],
                             capture_output=True, cwd=HERE, timeout=60)
        findings = json.load(open(report))["findings"]
    same = (got.returncode, got.stdout, got.stderr) == (want.returncode, want.stdout, want.stderr)
    check(same, f"{name}: output and status as under python3")
    kinds = sorted({f["kind"] for f in findings if f["kind"] != "hint" and not f["gone"]})
    if expect == "none":
        check(findings == [], f"{name}: no finding: {[(f['kind'], f['title']) for f in findings]}")
    else:
        check(kinds == [expect], f"{name}: a '{expect}' finding: {kinds}")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
