"""Run one scenario headless: it must finish, every check must hold, and it
must have made at least MIN checks (so a scenario that silently stops
checking fails too).

usage: test_checks.py EXCLAB SCENARIO MIN
"""
import json
import subprocess
import sys


def main():
    exclab, scenario, minimum = sys.argv[1], sys.argv[2], int(sys.argv[3])
    proc = subprocess.run([exclab, "run", scenario, "--headless", "--json"],
                          capture_output=True, text=True, timeout=300)
    report = json.loads(proc.stdout)
    for step in report["steps"]:
        for c in step["checks"]:
            print("ok  " if c["passed"] else "FAIL", c["message"], "--", c["detail"], c["where"])
    if report["error"]:
        print("FAIL scenario error:", report["error"])
    ok = proc.returncode == 0 and report["failed"] == 0 and report["passed"] >= minimum
    print(f"{report['passed']} checks passed, {report['failed']} failed (at least {minimum} wanted)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
