"""Run one scenario headless: it must finish, every check must hold, and it
must have made at least MIN checks (so a scenario that silently stops
checking fails too). Under the sanitizer setup, checks on RSS are excused
(sanitizer.py).

usage: test_checks.py EXCLAB SCENARIO MIN
"""
import json
import subprocess
import sys

import sanitizer


def main():
    exclab, scenario, minimum = sys.argv[1], sys.argv[2], int(sys.argv[3])
    proc = subprocess.run([exclab, "run", scenario, "--headless", "--json"],
                          capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        # A crash or a usage error: say what exclab said, not where json failed.
        print(f"FAIL exclab printed no JSON report (exit {proc.returncode}):\n"
              f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        sys.exit(1)
    failed = excused = 0
    for step in report["steps"]:
        for c in step["checks"]:
            if sanitizer.excused(c):
                excused += 1
                print("excused under a sanitizer:", c["message"], "--", c["detail"])
                continue
            failed += not c["passed"]
            print("ok  " if c["passed"] else "FAIL", c["message"], "--", c["detail"], c["where"])
    if report["error"]:
        print("FAIL scenario error:", report["error"])
    if sanitizer.report_in(proc.stderr):
        print("FAIL a sanitizer report:\n" + proc.stderr)
    ok = (proc.returncode in (0, 1) and report["error"] is None and failed == 0 and
          report["passed"] + excused >= minimum and not sanitizer.report_in(proc.stderr))
    print(f"{report['passed']} checks passed, {failed} failed, {excused} excused "
          f"(at least {minimum} wanted)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
