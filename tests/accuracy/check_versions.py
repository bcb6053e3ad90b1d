"""Lesson 2's page "Other Python versions", checked: reuse.py runs under every
CPython 3.8+ found on this machine (the system's and pyenv's), and on each
the chain grows by 2 entries and 3 frames per raise, and a raise keeps its
payload plus under 1 KB from 3.11 on, under 2 KB before.

The interpreter exclab embeds (PYTHON_EMBEDDED) is always checked and must
pass. Every other interpreter found is either checked or reported as
skipped with the reason (older than 3.8, or it could not even say its
version): none is dropped silently. One of 3.8 or later on which reuse.py
fails is a FAIL, as is one whose figures disagree with the page.

usage: check_versions.py PYTHON_EMBEDDED
"""
import glob
import os
import subprocess
import sys

WORKLOAD = os.path.join("scenarios", "02-reuse", "reuse.py")
OLDEST = (3, 8)   # the page's oldest version
VERSION = "import sys; print('%d.%d.%d' % sys.version_info[:3])"


def interpreters(embedded):
    """The embedded interpreter first, then every other one found, each
    binary once (a symlink to one already listed is not run twice)."""
    found = glob.glob("/usr/bin/python[0-9]*")
    found += glob.glob(os.path.expanduser("~/.pyenv/versions/*/bin/python"))
    seen = {os.path.realpath(embedded)}
    others = []
    for p in sorted(found):
        if p.endswith("-config") or not os.access(p, os.X_OK):
            continue
        real = os.path.realpath(p)
        if real not in seen:
            seen.add(real)
            others.append(p)
    return [embedded] + others


def last_line(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    return lines[-1].strip() if lines else "(nothing on stderr)"


def run(cmd):
    """(returncode, stdout, stderr); a run that cannot start or times out
    is a returncode of None with the reason as its stderr."""
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after 120 s: {' '.join(cmd)}"
    except OSError as e:
        return None, "", f"could not run {cmd[0]}: {e}"
    return p.returncode, p.stdout, p.stderr


def version(python):
    """(major, minor, micro), or the reason there is none."""
    code, out, err = run([python, "-c", VERSION])
    if code is None:
        return None, err
    if code != 0:
        return None, f"it could not say its version (exit {code}): {last_line(err)}"
    try:
        return tuple(map(int, out.strip().split("."))), None
    except ValueError:
        return None, f"it printed {out.strip()!r} for its version"


def check(python, v):
    """reuse.py under `python`: (ok, the line to print)."""
    code, out, err = run([python, WORKLOAD, "100"])
    label = f"{'.'.join(map(str, v)):8}"
    if code is None:
        return False, f"FAIL {label} reuse.py {err}  [{python}]"
    if code != 0:
        return False, f"FAIL {label} reuse.py exited {code}:\n{err.rstrip()}\n  [{python}]"
    f = dict(line.split(" ", 1) for line in out.splitlines() if " " in line)
    need = ("python.version", "payload", "shared.bytes_per_raise",
            "shared.chain_after_100", "shared.frames_after_100")
    missing = [k for k in need if k not in f]
    if missing:
        return False, f"FAIL {label} reuse.py printed no {', '.join(missing)}  [{python}]"
    if f["python.version"] != ".".join(map(str, v)):
        return False, (f"FAIL {label} reuse.py says it ran on {f['python.version']}  "
                       f"[{python}]")
    overhead = int(f["shared.bytes_per_raise"]) - int(f["payload"])
    limit = 1000 if v >= (3, 11) else 2000
    ok = (int(f["shared.chain_after_100"]) == 200 and
          int(f["shared.frames_after_100"]) == 300 and
          0 <= overhead < limit)
    return ok, (f"{'ok  ' if ok else 'FAIL'} {label} chain {f['shared.chain_after_100']} "
                f"(page: 200), frames {f['shared.frames_after_100']} (page: 300), "
                f"{overhead} B per raise besides the payload (page: under {limit})  "
                f"[{python}]")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    embedded = sys.argv[1]
    failures = checked = 0
    for python in interpreters(embedded):
        what = "the embedded interpreter" if python == embedded else None
        v, why = version(python)
        if v is not None and v < OLDEST:
            why = f"Python {'.'.join(map(str, v))} is older than 3.8, the page's oldest"
        if why is not None:
            if what:
                # The one interpreter that must run: never a skip.
                failures += 1
                print(f"FAIL {what} {python}: {why}")
            else:
                print(f"skip {python}: {why}")
            continue
        ok, line = check(python, v)
        checked += 1
        failures += not ok
        print(line + (f" ({what})" if what else ""))
    print(f"{checked} interpreter(s) checked, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
