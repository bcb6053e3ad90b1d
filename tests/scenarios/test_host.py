"""The host's promises, checked by tests/scenarios/host/host.lua under hostile
PYTHON* variables: isolation, no pinned exceptions, probes that do not change
what they measure, gc events. And `exclab --version` names the CPython this
script runs under: meson's python_exe, the one exclab embeds.

usage: test_host.py EXCLAB
"""
import json
import os
import platform
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    env = dict(os.environ,
               PYTHONPATH="/tmp/exclab-must-not-see-this",
               PYTHONMALLOC="malloc",
               PYTHONDEVMODE="1",
               PYTHONSTARTUP="/tmp/exclab-must-not-see-this.py")
    proc = subprocess.run([sys.argv[1], "run", os.path.join(HERE, "host", "host.lua"),
                           "--headless", "--json"], capture_output=True, text=True,
                          env=env, timeout=60)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        # A crash or a usage error: say what exclab said, not where json failed.
        print(f"FAIL exclab printed no JSON report (exit {proc.returncode}):\n"
              f"{proc.stdout[-2000:]}{proc.stderr[-2000:]}")
        sys.exit(1)
    for step in report["steps"]:
        for c in step["checks"]:
            print("ok " if c["passed"] else "FAIL", c["message"], "--", c["detail"])
    if report["error"]:
        print("FAIL scenario error:", report["error"])
    version = subprocess.run([sys.argv[1], "--version"], capture_output=True, text=True,
                             timeout=10).stdout.strip()
    named = version.endswith(f"(embeds Python {platform.python_version()})")
    print("ok " if named else "FAIL", "--version names the embedded CPython --", version)
    if proc.returncode != 0 or report["failed"] or report["passed"] < 15 or not named:
        print(f"FAIL exit {proc.returncode}, {report['passed']} passed, {report['failed']} failed")
        sys.exit(1)


if __name__ == "__main__":
    main()
