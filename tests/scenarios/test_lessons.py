"""Every lesson scenario runs headless and its checks hold; lesson 1's key
figures are also checked here, from the JSON samples, independently of the
scenario's own checks.

usage: test_lessons.py EXCLAB
"""
import glob
import json
import os
import subprocess
import sys

import sanitizer

failures = 0


def expect(cond, msg):
    global failures
    if cond:
        print("ok", msg)
    else:
        failures += 1
        print("FAIL", msg)


def run(exclab, scenario):
    proc = subprocess.run([exclab, "run", scenario, "--headless", "--json"],
                          capture_output=True, text=True, timeout=120)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = None
    return proc.returncode, report, proc.stdout + proc.stderr


def step(report, words):
    for s in report["steps"]:
        if words.lower() in s["title"].lower():
            return s
    raise KeyError(words)


def lesson1(report):
    shared = step(report, "shared instance 100 times")["samples"]
    first, last = shared[0], shared[-1]
    expect(last["chain"] - first["chain"] == 200,
           f"lesson 1: 100 raises of the shared instance add 200 chain entries "
           f"(got {last['chain'] - first['chain']})")
    grown = last["heap"] - first["heap"]
    expect(100 * 500_000 <= grown <= 100 * 500_000 * 1.01,
           f"lesson 1: the heap keeps one 500 KB payload per raise (+{grown} bytes)")
    fresh = step(report, "fresh instance")["samples"]
    delta = fresh[-1]["heap"] - fresh[0]["heap"]
    expect(abs(delta) < 125_000, f"lesson 1: fresh instances leave the heap flat ({delta:+d} bytes)")
    reset = step(report, "with_traceback")["samples"][-1]
    expect(reset["chain"] == 2, f"lesson 1: with_traceback(None) leaves a 2-entry chain ({reset['chain']})")


SPECIFIC = {"02-reuse": lesson1}


def main():
    exclab = sys.argv[1]
    scenarios = sorted(glob.glob("scenarios/*/scenario.lua"))
    expect(len(scenarios) >= 1, f"found {len(scenarios)} lesson scenario(s)")
    for path in scenarios:
        name = os.path.basename(os.path.dirname(path))
        status, report, output = run(exclab, path)
        failed = [c for s in report["steps"] for c in s["checks"]
                  if not c["passed"] and not sanitizer.excused(c)] if report else None
        ok = (status in (0, 1) and report and not failed and report["error"] is None and
              not sanitizer.report_in(output))
        expect(ok, f"{name}: exit {status}, "
               f"{report['passed'] if report else '?'} checks passed, "
               f"{len(failed) if failed is not None else '?'} failed")
        if not ok:
            print(output)
            continue
        expect(report["passed"] >= 3, f"{name}: checks something ({report['passed']} checks)")
        if name in SPECIFIC:
            SPECIFIC[name](report)
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
