"""The scenario API as a lesson author who knows only the docs meets it.
Each part runs small scenarios in api/ and holds exclab to what
scenarios/README.md says:

- roots: a name that names nothing (a typo, a missing attribute) is an error
  at the scenario's line, in graph.show/capture/why/only_through_traceback,
  probe.watch and scenario{watch}; an object that is gone is not; watch paths
  follow weak references as roots do; local:NAME and #ID name a frame's local
  and garbage; cycle_groups counts groups (api/roots.lua: its checks).
- options: fields of the wrong type or out of range are refused by name.
- report: the JSON report's start readings, labels, times, names, captures,
  predictions and printed lines (api/report.lua).
- naming: classes and tracebacks read as python3 prints them, and main
  blocks do not run (api/naming.lua, compared with python3 naming.py).
- check: a lesson whose scenario file is missing is one failure, not more;
  a page that states a prediction's answer before it is asked is named.

usage: test_api.py EXCLAB
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import sanitizer

HERE = os.path.dirname(os.path.abspath(__file__))
API = os.path.join(HERE, "api")

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL", msg, flush=True)


def ok(msg):
    print("ok  ", msg, flush=True)


def run(exclab, name, *extra):
    """exclab run on api/NAME headless: (exit status, stdout)."""
    proc = subprocess.run([exclab, "run", os.path.join(API, name), "--headless", *extra],
                          capture_output=True, text=True, timeout=60)
    if sanitizer.report_in(proc.stderr):
        fail(f"{name}: a sanitizer report:\n{proc.stderr}")
    return proc.returncode, proc.stdout


def report_of(exclab, name):
    """The JSON report of api/NAME, or None (and a failure) when there is none."""
    status, out = run(exclab, name, "--json")
    try:
        return json.loads(out)
    except ValueError:
        fail(f"{name}: exclab printed no JSON report (exit {status}):\n{out[-2000:]}")
        return None


def checks_hold(exclab, name, minimum):
    """Every check of api/NAME holds, and at least `minimum` of them ran."""
    report = report_of(exclab, name)
    if report is None:
        return None
    bad = [f"{c['where']}: {c['message']} ({c['detail']})"
           for s in report["steps"] for c in s["checks"] if not c["passed"]]
    if report["error"] or bad or report["passed"] < minimum:
        fail(f"{name}: error {report['error']!r}, {report['passed']} passed (at least {minimum} "
             f"wanted), failed: {bad}")
    else:
        ok(f"{name}: {report['passed']} checks hold")
    return report


# A scenario that fails: the last error line, whole, names its file and line.
ERRORS = [
    ("typo_why.lua", r"typo_why\.lua:4: graph\.why: no name 'shraed' in the scenario's namespace"),
    ("watch_typo.lua", r"watch_typo\.lua:2: scenario\{\}: watch: no name 'shraed' in the scenario's namespace"),
    ("field_type.lua", r"field_type\.lua:2: scenario\{\}: time_limit must be a number, not a boolean"),
    ("title_type.lua", r"title_type\.lua:2: scenario\{\}: title must be a string, not a table"),
    ("memory_huge.lua", r"memory_huge\.lua:2: scenario\{\}: memory_limit must be between 1 MB and "
                        r"1,000,000 GB \(got 1e\+308\)"),
    ("memory_2_64.lua", r"memory_2_64\.lua:2: scenario\{\}: memory_limit must be between 1 MB and "
                        r"1,000,000 GB \(got 1\.844674407371e\+19\)"),
]


def scenario_errors(exclab):
    for name, pattern in ERRORS:
        status, out = run(exclab, name)
        errors = [l for l in out.splitlines() if l.startswith("✗")]
        if status != 2 or not errors or not re.fullmatch(r"✗ .*" + pattern, errors[-1]):
            fail(f"{name}: exit {status}, expected 2 and an error line matching {pattern!r}:\n{out}")
        else:
            ok(f"{name}: {errors[-1]}")


def report_fields(exclab):
    """What a teacher reads in the report of api/report.lua."""
    report = checks_hold(exclab, "report.lua", 4)
    if report is None:
        return
    first, second = report["steps"]
    where = re.compile(r".*report\.lua:\d+$")
    # Each expectation is read lazily: a report without the field fails it, by name.
    expect = [
        ("the first step has its start reading, taken before any job", lambda:
         first["start"]["label"] == "the step begins" and first["start"]["heap"] > 0),
        ("the scenario's name for it", lambda: first["start"]["name"] == "first"),
        ("every sample says what made it, where, and when", lambda:
         all(s["label"] and s["where"] and where.match(s["where"]) and s["t"] >= 0
             for s in first["samples"])),
        ("labels name the call", lambda: [s["label"] for s in first["samples"][:2]] ==
         ["py.exec import sys…", "py.call keep"]),
        ("the probes are still there, as before", lambda: first["samples"][1]["chain"] == 2 and
         "heap" in first["samples"][1]),
        ("a named reading", lambda: first["samples"][1]["name"] == "after keep"),
        ("times grow", lambda: [s["t"] for s in first["samples"]] ==
         sorted(s["t"] for s in first["samples"])),
        ("a reading named twice keeps both names", lambda: second["start"]["name"] == "again, and again"),
        ("the capture's summary", lambda: len(first["captures"]) == 1 and
         {k: first["captures"][0][k] for k in ("root", "alive", "type", "cycles", "cycle_groups")} ==
         {"root": "saved", "alive": True, "type": "CustomError", "cycles": 0, "cycle_groups": 0} and
         first["captures"][0]["nodes"] > 3 and first["captures"][0]["retained"] > 100000 and
         where.match(first["captures"][0]["where"]) is not None),
        ("the prediction, skipped headless", lambda: first["predictions"] ==
         [{"question": "How many entries has its chain?", "guess": None, "actual": "2", "right": False}]),
        ("printed lines, by stream", lambda: first["output"] ==
         [{"stream": "stdout", "text": "printed from Lua"},
          {"stream": "stdout", "text": "printed from Python"},
          {"stream": "stderr", "text": "to stderr"}]),
        ("nothing printed while loading, nothing dropped", lambda:
         report["setup_output"] == [] and report["output_dropped"] == 0),
    ]
    held_all = True
    for what, holds in expect:
        try:
            held = bool(holds())
        except (KeyError, IndexError, TypeError) as e:
            held, what = False, f"{what} (the report has no {e})"
        held_all = held_all and held
        (ok if held else fail)(f"report: {what}")
    if not held_all:
        print(json.dumps(report, indent=1)[:6000])


def naming(exclab):
    """The scenario prints what python3 naming.py prints, less its main block."""
    report = checks_hold(exclab, "naming.lua", 6)
    plain = subprocess.run([sys.executable, os.path.join(API, "naming.py")], capture_output=True,
                           text=True, timeout=60).stdout.splitlines()
    if report is None:
        return
    printed = [o["text"] for o in report["steps"][0]["output"]]
    if plain[-1] != "main block ran" or printed != plain[:-1] or report["setup_output"]:
        fail(f"naming: exclab printed {report['setup_output']} while loading, then {printed}\n"
             f"python3 printed {plain}")
    else:
        ok(f"naming: as python3 prints it, ending {printed[-2]!r}, {printed[-1]!r}")
    status, out = run(exclab, "naming_fails.lua")
    lines = out.splitlines()
    if (status != 2 or "  python stderr: CustomError: bad record" not in lines or "__exclab__" in out
            or not re.search(r"^✗ .*naming\.py:13: CustomError: bad record \(from .*naming_fails\.lua:6\)$",
                             out, re.M)):
        fail(f"naming: a failing scenario's traceback does not read as python3's:\n{out}")
    else:
        ok("naming: a failing scenario's traceback ends 'CustomError: bad record'")


def check_missing_scenario(exclab):
    """exclab check on a lesson whose scenario file is missing, beside a
    Python file: one FAIL, for the missing file."""
    d = tempfile.mkdtemp()
    try:
        os.mkdir(os.path.join(d, "sc"))
        shutil.copy(os.path.join(API, "objects.py"), os.path.join(d, "sc", "objects.py"))
        with open(os.path.join(d, "01-missing.md"), "w") as f:
            f.write("# A lesson\n\nRun the [scenario](sc/scenario.lua).\n")
        proc = subprocess.run([exclab, "check", d], capture_output=True, text=True, timeout=60)
        fails = [l for l in proc.stdout.splitlines() if l.startswith("FAIL")]
        if (proc.returncode != 1 or len(fails) != 1 or
                not re.search(r"sc/scenario\.lua: cannot open: No such file or directory$", fails[0]) or
                "1 lesson checked, 1 problem" not in proc.stdout):
            fail(f"check, missing scenario: exit {proc.returncode}, expected 1 and one FAIL:\n{proc.stdout}")
        else:
            ok(f"check, missing scenario: {fails[0]}")
    finally:
        shutil.rmtree(d)


GIVEAWAY_SCENARIO = """
scenario { title = "giveaways" }
step("raise", function()
  local guess = predict { question = "How many entries?", number = true }
  reveal(guess, 200)
end)
step("free", function()
  local guess = predict { question = "What is freed?", choices = { "nothing", "the whole buffer" } }
  reveal(guess, "the whole buffer")
end)
step("small", function()
  local guess = predict { question = "How many, of 100?", number = true }
  reveal(guess, 100)
end)
"""

GIVEAWAY_LESSON = """# Giveaways

Run the [scenario](sc/scenario.lua).

## Raise
<!-- step 1 -->

The chain grows by 2 a raise: 200 in all.

## Free
<!-- step 2 -->

What does clearing free?

<!-- after step 2 -->
Measured: the whole buffer.
<!-- /after -->

## Small
<!-- step 3 -->

Of 100 requests, how many?

<!-- after step 2 -->
And the whole buffer went, as step 2 showed.
<!-- /after -->
"""


def check_giveaways(exclab):
    """exclab check names a page that states a prediction's answer before it
    is asked, on any page (a learner may read ahead), and only that: an answer
    held back with <!-- after step N --> (up to N, or on a later page), or a
    figure the question itself gives, is fine."""
    d = tempfile.mkdtemp()
    try:
        os.mkdir(os.path.join(d, "sc"))
        with open(os.path.join(d, "sc", "scenario.lua"), "w") as f:
            f.write(GIVEAWAY_SCENARIO)
        with open(os.path.join(d, "01-giveaways.md"), "w") as f:
            f.write(GIVEAWAY_LESSON)
        proc = subprocess.run([exclab, "check", d], capture_output=True, text=True, timeout=60)
        lines = [l for l in proc.stdout.splitlines() if "gives away" in l]
        want = (r"^FAIL .*01-giveaways\.md: page 2 \(\"Raise\"\) gives away step 1's prediction "
                r"before it is asked: the answer, 200, is in \"The chain grows by 2 a raise: 200 in all\.\"; "
                r"hold it back with <!-- after step 1 -->$")
        if len(lines) != 1 or not re.search(want, lines[0]):
            fail("check, giveaways: expected one FAIL, for page 2's 200:\n" + proc.stdout)
        else:
            ok(f"check, giveaways: {lines[0]}")
    finally:
        shutil.rmtree(d)


def main():
    exclab = sys.argv[1]
    checks_hold(exclab, "roots.lua", 40)
    checks_hold(exclab, "options.lua", 11)
    scenario_errors(exclab)
    report_fields(exclab)
    naming(exclab)
    check_missing_scenario(exclab)
    check_giveaways(exclab)
    print(f"{failures} failure{'s' if failures != 1 else ''}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
