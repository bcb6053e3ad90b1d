"""exclab probe --headless as CI uses it: the report (text on standard error
or in --report FILE, or JSON), --every, and --fail-on's exit status.

usage: test_probe_report.py EXCLAB
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
EXCLAB = os.path.abspath(sys.argv[1])
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)


def probe(*args, cwd=os.path.join(CORPUS, "singleton_deep")):
    p = subprocess.run([EXCLAB, "probe", "--headless", *args], capture_output=True, cwd=cwd,
                       timeout=60, text=True)
    return p.returncode, p.stdout, p.stderr


tmp = tempfile.mkdtemp(prefix="exclab-report-")
report = os.path.join(tmp, "report.json")

# JSON: the program, how it ended, each finding with where and how much.
status, out, err = probe("--json", "--report", report, "leaky.py")
doc = json.load(open(report))
check(status == 0 and out == "300 requests found nothing\n" and err == "",
      f"--json --report: the program's own output only: {status} {out!r} {err!r}")
check(doc["program"] == "leaky.py" and doc["python"].startswith("3.") and not doc["running"],
      f"JSON: program and python: {doc['program']!r} {doc['python']!r}")
check(doc["end"] == {"how": "exited", "status": 0, "message": ""}, f"JSON: end: {doc['end']}")
kinds = sorted(f["kind"] for f in doc["findings"])
check(kinds == ["hint", "reused"], f"JSON: a reused instance and its hint: {kinds}")
reused = next(f for f in doc["findings"] if f["kind"] == "reused")
check(reused["raise_at"] == "leaky.py:15" and reused["except_at"] == "leaky.py:29" and
      reused["count"] == 300 and reused["bytes"] > 2_000_000 and reused["detail"],
      f"JSON: the reused finding: {reused}")
reasons = doc["bytes_by_reason"]
check(reasons["traceback_only"] >= reused["bytes"] * 0.9 and reasons["heap"] > reasons[
      "traceback_only"], f"JSON: bytes by reason: {reasons}")

# Text, to standard error by default: the program's stdout stays its own.
status, out, err = probe("leaky.py")
check(out == "300 requests found nothing\n", f"text: stdout is the program's: {out!r}")
check("reused exception instance: LookupError" not in err and
      "reused exception instance: NotFound('no such row') raised 300 times" in err and
      "raised at leaky.py:15, caught at leaky.py:29" in err and
      "the program exited with status 0" in err, f"text report on stderr:\n{err}")

# --fail-on: 3 when the program succeeded but its findings pass the limit.
for args, name, want in ((["--fail-on", "any"], "leaky.py", 3),
                         (["--fail-on", "any"], "fixed.py", 0),
                         (["--fail-on", "1MB"], "leaky.py", 3),
                         (["--fail-on", "100MB"], "leaky.py", 0),
                         (["--fail-on", "2.5MiB"], "leaky.py", 3)):
    status, out, err = probe(*args, name)
    check(status == want, f"{' '.join(args)} {name}: status {status}, want {want}")
status, out, err = probe("--fail-on", "any", "leaky.py")
check("pass --fail-on: exit status 3" in err, f"--fail-on: the report says why: {err[-200:]!r}")

# A failing program keeps its own status, --fail-on or not.
bad = os.path.join(tmp, "fails.py")
with open(bad, "w") as f:
    f.write("X = ValueError('x')\nfor _ in range(3):\n    try:\n        raise X\n"
            "    except ValueError:\n        pass\nraise SystemExit(4)\n")
status, out, err = probe("--fail-on", "any", bad, cwd=tmp)
check(status == 4 and "reused exception instance" in err,
      f"a failing program's status wins over --fail-on: {status}")

for limit in ("lots", "-5", "10XB", ""):
    status, out, err = probe("--fail-on", limit, "leaky.py")
    check(status == 2 and "--fail-on needs" in err, f"--fail-on {limit!r}: refused: {status} {err!r}")

# --every: a report while the program runs, as JSON lines, then the last.
status, out, err = probe("--json", "--every", "0.5", "--time-limit", "2", "--report", report,
                         os.path.join(HERE, "live", "leaks_slowly.py"), cwd=tmp)
lines = [json.loads(line) for line in open(report) if line.strip()]
check(status == 125 and len(lines) >= 3, f"--every 0.5 for 2 s: {len(lines)} reports, status {status}")
check(all(d["running"] for d in lines[:-1]) and not lines[-1]["running"] and
      lines[-1]["end"]["how"] == "stopped", "--every: running reports, then the end")
grew = [sum(f["bytes"] for f in d["findings"] if f["kind"] == "kept") for d in lines]
check(grew[0] > 0 and grew[-2] > grew[0], f"--every: the kept bytes grow: {grew}")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
