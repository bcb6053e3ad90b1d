"""Bad decks: each gives a clear message naming the deck's file and line,
and present --check fails; a good deck around the bad part is unharmed.
Also the checks a speaker relies on the morning of the talk: a figure that
no longer holds fails with its line, and an inline scenario's error names
the deck's own file and line.

usage: test_bad_decks.py EXCLAB   (from the project root, as meson runs it)
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

DEMOS = os.path.abspath("slides/demos")

FRONT = "---\ntitle: A bad deck\n---\n\n"


def run(exclab, *args, timeout=300):
    p = subprocess.run([exclab, *args], capture_output=True, text=True, timeout=timeout,
                       errors="replace")
    return p.returncode, p.stdout + p.stderr


def live(options, body=""):
    return "```exclab\n" + options + "```\n" + body


CASES = [
    # (name, deck text (bytes or str), the line, words of the message)
    ("missing scenario",
     FRONT + "# Demo\n\n" + live("scenario: demos/nope.lua\n"),
     7, ["scenario did not load", "nope.lua"]),
    ("unknown option",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\npase: 20\n"),
     9, ["unknown live block option \"pase\""]),
    ("step out of range",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\nsteps: 2-7\n"),
     7, ["runs steps 2-7", "has 3 steps"]),
    ("placeholder nothing fills",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\nsteps: 1\n") +
     "\n---\n\n## Later\n\nA figure from step 2: 5<!-- fig: chain@2 -->.\n",
     16, ["quotes step 2", "runs steps 1-1"]),
    ("placeholder the run never reaches",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\n") +
     "\nAfter step 9: 5<!-- fig: chain@9 -->.\n",
     11, ["nothing measured it", "step 9"]),
    ("figure that no longer holds",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\nsteps: 1\n") +
     "\n100 requests: 400<!-- fig: chain@1 --> entries.\n",
     12, ["figure 400 (chain@1) no longer holds", "measured 200"]),
    ("not UTF-8",
     (FRONT + "# Demo\n\nsome text\n").encode() + b"caf\xe9\n",
     8, ["not UTF-8"]),
    ("a figure after no number",
     FRONT + "# Demo\n\n" + live("scenario: demos/reuse.lua\n") + "\nmany<!-- fig: chain@1 -->\n",
     11, ["follows no number"]),
    ("inline scenario error",
     FRONT + "# Demo\n\n" + live("gauges: heap\n\nscenario { title = \"x\" }\n"
                                "step(\"boom\", function()\n  error(\"no such thing\")\nend)\n"),
     12, ["no such thing"]),
    ("linked file gone",
     FRONT + "# Demo\n\nSee [the lesson](../lessons/99-nothing.md).\n",
     7, ["99-nothing.md", "no such file"]),
]


def check_case(exclab, tmp, name, text, line, words):
    path = os.path.join(tmp, "deck.md")
    with open(path, "wb") as f:
        f.write(text if isinstance(text, bytes) else text.encode())
    status, out = run(exclab, "present", "--check", path)
    where = f"{path}:{line}:"
    problems = []
    if status != 1:
        problems.append(f"exit status {status}, expected 1")
    hit = [l for l in out.splitlines() if where in l]
    if not hit:
        problems.append(f"no message names {where}")
    for w in words:
        if not any(w in l for l in hit):
            problems.append(f"no message at {where} says {w!r}")
    return problems, out


def huge(exclab, tmp):
    """50,000 slides check in reasonable time; a file over the size limit
    is refused with a message, not read."""
    path = os.path.join(tmp, "huge.md")
    with open(path, "w") as f:
        for i in range(50000):
            f.write(f"## Slide {i + 1}\n\nSome text.\n\n---\n\n")
    t0 = time.monotonic()
    status, out = run(exclab, "present", "--check", path, timeout=120)
    took = time.monotonic() - t0
    problems = []
    if status != 0 or "50000 slides" not in out or "all 50000 slides fit" not in out:
        problems.append(f"status {status}: {out[-400:]}")
    if took > 60:
        problems.append(f"it took {took:.0f} s")
    with open(path, "wb") as f:
        f.truncate(65 * 1024 * 1024)
    status, out = run(exclab, "present", "--check", path)
    if status != 1 or path not in out or "more than the 64 MB" not in out:
        problems.append(f"a 65 MB deck: status {status}: {out.strip()[-300:]}")
    return problems, f"50,000 slides checked in {took:.1f} s"


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    exclab = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp(prefix="exclab-decks-")
    os.symlink(DEMOS, os.path.join(tmp, "demos"))
    failed = 0
    try:
        for name, text, line, words in CASES:
            problems, out = check_case(exclab, tmp, name, text, line, words)
            if problems:
                failed += 1
                print(f"FAIL {name}: " + "; ".join(problems) + "\n--- output ---\n" + out.strip())
            else:
                print(f"ok {name}")
        problems, note = huge(exclab, tmp)
        if problems:
            failed += 1
            print("FAIL huge: " + "; ".join(problems))
        else:
            print(f"ok huge ({note})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = len(CASES) + 1
    print(f"{total - failed}/{total} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
