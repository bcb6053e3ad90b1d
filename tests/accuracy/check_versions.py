"""Lesson 2's page "Other Python versions", checked: reuse.py runs under every
CPython 3.8+ found on this machine (the system's and pyenv's), and on each
the chain grows by 2 entries and 3 frames per raise, and a raise keeps its
payload plus under 1 KB from 3.11 on, under 2 KB before. Always checks at
least the interpreter exclab embeds.

usage: check_versions.py PYTHON_EMBEDDED
"""
import glob
import os
import subprocess
import sys

WORKLOAD = os.path.join("scenarios", "02-reuse", "reuse.py")


def interpreters(embedded):
    found = {embedded}
    found.update(glob.glob("/usr/bin/python3.[0-9]*"))
    found.update(glob.glob(os.path.expanduser("~/.pyenv/versions/3.*/bin/python3")))
    return sorted(p for p in found if os.access(p, os.X_OK) and not p.endswith("-config"))


def figures(python):
    out = subprocess.run([python, WORKLOAD, "100"], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        return None
    return dict(line.split(" ", 1) for line in out.stdout.splitlines() if " " in line)


def main():
    failures = 0
    checked = 0
    for python in interpreters(sys.argv[1]):
        f = figures(python)
        if f is None or "python.version" not in f:
            continue
        major, minor = map(int, f["python.version"].split(".")[:2])
        if (major, minor) < (3, 8):
            continue
        checked += 1
        overhead = int(f["shared.bytes_per_raise"]) - int(f["payload"])
        limit = 1000 if minor >= 11 else 2000
        ok = (int(f["shared.chain_after_100"]) == 200 and
              int(f["shared.frames_after_100"]) == 300 and
              0 <= overhead < limit)
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {f['python.version']:8} chain {f['shared.chain_after_100']}, "
              f"frames {f['shared.frames_after_100']}, {overhead} B per raise besides the payload "
              f"(lesson: under {limit})  [{python}]")
    if checked == 0:
        print("FAIL: no interpreter ran reuse.py")
        failures += 1
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
