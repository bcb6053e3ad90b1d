"""Generated scenarios that call the whole Lua API with hostile values.

Each scenario is random but seeded: the same seed writes the same scripts.
It declares a scenario (mostly sound, now and then not), defines a few
Python objects built to misbehave (a __len__ of 2**62, a __repr__ that
raises, a __getattr__ that loops), then makes dozens of API calls with
values drawn from a pool of edge cases (NaN, the largest integers, NUL
bytes, invalid UTF-8, escape sequences, deep and self-referencing tables,
metatables, functions, coroutines), each inside pcall so that one run
covers many calls.

Whatever a scenario does, exclab must: end within its time limit plus the
grace period, exit 0, 1 or 2, print its final "checks:" line, never report
that the lab crashed (hostile values are the API's to refuse, not to crash
on), and never print a sanitizer report. A scenario whose declarations are
sound (scenario{} not mangled, no exercise{}, its fields drawn from the hostile values) must
also run every step to its end: its API calls are what this test is for,
and a scenario refused at load makes none of them.

usage: fuzz_scenarios.py EXCLAB [--seed N] [--runs N] [--keep DIR]
"""
import argparse
import os
import random
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios"))
import sanitizer  # noqa: E402

VALUES = [
    "nil", "true", "false", "0", "-1", "1.5", "0/0", "1/0", "-1/0", "1e308", "-1e308",
    "math.maxinteger", "math.mininteger", "2^53", "2^63", "-(2^63)",
    '""', '"x"', '"a\\0b"', '"\\255\\254"', '"\\27[2J\\27]0;t\\7"', '("x"):rep(100000)',
    '"evil"', '"evil.x"', '"evil()"', '"ref()"', '"ref().x"', '"a..b"', '"."', '"()"',
    '("a."):rep(500) .. "a"', '"__builtins__"', '"len"', '"print"', '"1+"', '"import os"',
    "{}", "{1, 2, 3}", "{{{{{1}}}}}", "deep", "selfref", "lenbomb", "idxbomb", "{n = 1}",
    "big", "function() end", "coroutine.create(function() end)", "py", "print",
    "{depth = -1}", "{nodes = 10^9}", "{depth = 0/0, nodes = 1/0}", "{highlight = {}}",
    '{question = "q?", choices = {"a", "b"}}', '{question = "q?", number = true}',
    '{question = {}, choices = 7}',
]

CALLS = [
    "py.exec({v})", "py.eval({v})", "py.call({v})", "py.call({v}, {v})", "py.call({v}, {v}, {v}, {v})",
    'py.call("len", {v})', 'py.call("repr", {v})', "py.load({v})", "py.collect({v})",
    "probe.watch({v})", "probe.sample()", "gauges.show({v})", 'gauges.show({{"heap", {v}}})',
    "graph.show({v})", "graph.show({v}, {v})", 'graph.show("evil", {v})', "graph.capture({v})",
    "graph.capture({v}, {v})", "graph.why({v})", "graph.only_through_traceback({v})",
    "check.equals({v}, {v}, {v})", "check.equals({v}, {v}, {v}, {v})", "check.grows({v}, {v}, {v})",
    "check.flat({v}, {v}, {v}, {v})", "check.truthy({v}, {v})", "print({v}, {v})",
    "reveal({v}, {v}, {v})", "load({v})", "load({v}, {v})", "string.rep({v}, {v})",
    "string.rep({v}, {v}, {v})", "table.move({v}, {v}, {v}, {v})", "setmetatable({v}, {v})",
    "xpcall({v}, {v})", "coroutine.wrap(function() return {v} end)()",
    "coroutine.resume(coroutine.create(function() py.exec({v}) end))",
    "tostring({v})", "string.format('%s %d', {v}, {v})", "utf8.char({v})",
]

PYTHON = r'''
import weakref
class Evil:
    def __len__(self): return 2**62
    def __repr__(self): raise RuntimeError("no repr")
    def __getattr__(self, name):
        if name == "x":
            return self
        raise KeyError(name)
evil = Evil()
class Box: pass
box = Box()
ref = weakref.ref(box)
try:
    raise ValueError("kept")
except ValueError as e:
    kept = e
'''

SETUP = r'''
local deep = {} ; do local t = deep ; for i = 1, 60 do t[1] = {} ; t = t[1] end end
local selfref = {} ; selfref[1] = selfref
local lenbomb = setmetatable({}, { __len = function() return 2^40 end })
local idxbomb = setmetatable({}, { __index = function() error("index!") end })
local big = {} ; for i = 1, 150000 do big[i] = i end
'''


def scenario_text(rng):
    """The script, and whether its declarations are sound (so that it must
    get to its steps' calls)."""
    sound = True
    lines = [SETUP]
    fields = ['title = "fuzz"', "time_limit = 2", "step_time_limit = 4"]
    if rng.random() < 0.2:
        sound = False
        fields.append(f"{rng.choice(['title', 'gauges', 'watch', 'memory_limit', 'python'])} = "
                      f"{rng.choice(VALUES)}")
    lines.append("scenario { " + ", ".join(fields) + " }")
    steps = rng.randint(1, 3)
    for s in range(steps):
        lines.append(f'step("step {s + 1}", function()')
        lines.append(f"  py.exec([[{PYTHON}]])")
        for _ in range(rng.randint(8, 25)):
            call = rng.choice(CALLS)
            while "{v}" in call:
                call = call.replace("{v}", rng.choice(VALUES), 1)
            lines.append(f"  pcall(function() return {call} end)")
        lines.append('  check.truthy("reached the end of the step", true)')
        lines.append("end)")
    if rng.random() < 0.3:
        sound = False
        lines.append(f"exercise {{ file = {rng.choice(VALUES)}, solution = {rng.choice(VALUES)}, "
                     f"cheats = {rng.choice(VALUES)}, hints = {rng.choice(VALUES)}, "
                     f"verify = function() end }}")
    return "\n".join(lines) + "\n", (steps if sound else 0)


def run_one(exclab, path, steps):
    """Why the run failed, or None; and its output. `steps`: how many
    steps must reach their end (0 for a scenario that may be refused)."""
    t0 = time.monotonic()
    try:
        proc = subprocess.run([exclab, "run", path, "--headless"], capture_output=True,
                              timeout=60)
    except subprocess.TimeoutExpired:
        return "did not end within 60 s", ""
    took = time.monotonic() - t0
    out = proc.stdout.decode("utf-8", "replace") + proc.stderr.decode("utf-8", "replace")
    lines = out.strip().splitlines()
    if proc.returncode not in (0, 1, 2):
        return f"exit status {proc.returncode}", out
    if not lines or not any(line.startswith("checks: ") for line in lines[-3:]):
        return "no final 'checks:' line", out
    if "The lab crashed" in out:
        return "the lab crashed", out
    if sanitizer.report_in(out):
        return "a sanitizer report", out
    if took > 20:
        return f"took {took:.1f} s (3 steps of 4 s at most, plus grace)", out
    reached = sum(line.strip().startswith("\u2713 reached the end of the step")
                  for line in lines)
    if reached < steps:
        return (f"sound declarations, yet {reached} of its {steps} step(s) reached their end: "
                "the API calls did not all run"), out
    return None, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exclab")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=25)
    ap.add_argument("--keep", help="write every scenario here (default: a temporary folder)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    folder = args.keep or tempfile.mkdtemp(prefix="exclab-fuzz-")
    os.makedirs(folder, exist_ok=True)
    failures = sound = 0
    for i in range(args.runs):
        path = os.path.join(folder, f"fuzz-{args.seed}-{i}.lua")
        text, steps = scenario_text(rng)
        sound += steps > 0
        with open(path, "w") as f:
            f.write(text)
        why, out = run_one(args.exclab, path, steps)
        if why:
            failures += 1
            print(f"FAIL {path}: {why}\n{out[-3000:]}")
        elif not args.keep:
            os.unlink(path)
    if not args.keep and not failures:
        os.rmdir(folder)   # every script passed and is gone; failing ones stay
    if sound == 0:
        failures += 1
        print(f"FAIL none of the {args.runs} scenarios had sound declarations: "
              "no API call was made")
    print(f"{args.runs} generated scenarios (seed {args.seed}), {sound} with sound "
          f"declarations, {failures} failed")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
