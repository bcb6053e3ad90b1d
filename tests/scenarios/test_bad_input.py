"""Bad input: each hostile scenario ends with a clear message naming the file
and line, and the headless runner exits with status 2 (never a crash).

usage: test_bad_input.py EXCLAB
"""
import os
import re
import resource
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")

# scenario -> regex the error line must match (file:line: message)
CASES = {
    "lua_syntax.lua": r"lua_syntax\.lua:4: unexpected symbol near '='",
    "lua_runtime.lua": r"lua_runtime\.lua:5: attempt to index a nil value \(local 't'\)",
    "lua_runaway.lua": r"lua_runaway\.lua:\d+: the scenario used up its budget of 200 million Lua instructions",
    "lua_memory_bomb.lua": r"lua_memory_bomb\.lua:\d+: the scenario used up its Lua memory budget of 64 MB",
    "python_exception.lua": r"raises\.py:3: ZeroDivisionError: division by zero \(from .*python_exception\.lua:4\)",
    "python_syntax.lua": r"broken\.py:2: SyntaxError: .*\(from .*python_syntax\.lua:4\)",
    "python_missing.lua": r"no_such_file\.py: cannot open: No such file or directory",
    "python_forever.lua": r"python_forever\.lua:4: stopped: Python ran past its time limit of 1\.0 s",
    "python_memory_bomb.lua": r"python_memory_bomb\.lua:4: stopped: the Python heap reached its cap of 200 MB",
    "malformed.lua": r"malformed\.lua:2: scenario\{\}: unknown field 'titel'",
    "does_not_exist.lua": r"does_not_exist\.lua: cannot open: No such file or directory",
}

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL", msg)


def run_case(exclab, name, pattern):
    path = os.path.join(BAD, name)
    t0 = time.monotonic()
    proc = subprocess.run([exclab, "run", path, "--headless"], capture_output=True,
                          text=True, timeout=60)
    took = time.monotonic() - t0
    errors = [l for l in proc.stdout.splitlines() if l.startswith("✗")]
    if proc.returncode != 2:
        fail(f"{name}: exit status {proc.returncode}, expected 2\n{proc.stdout}{proc.stderr}")
    elif not errors or not re.search(pattern, errors[-1]):
        fail(f"{name}: no error line matching {pattern!r} in:\n{proc.stdout}{proc.stderr}")
    elif "STEP AFTER FAILURE RAN" in proc.stdout:
        fail(f"{name}: a step after the failure ran")
    else:
        print(f"ok {name} ({took:.2f}s): {errors[-1]}")


def run_interrupt(exclab):
    """SIGINT (Ctrl-C in a terminal) stops a Python loop that ignores nothing."""
    path = os.path.join(BAD, "python_forever.lua")
    proc = subprocess.Popen([exclab, "run", path, "--headless", "--time-limit", "60"],
                            stdout=subprocess.PIPE, text=True)
    time.sleep(0.5)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=20)
    took = time.monotonic() - t0
    if proc.returncode != 2 or "stopped by the learner (KeyboardInterrupt)" not in out:
        fail(f"interrupt: exit {proc.returncode}, output:\n{out}")
    elif took > 2:
        fail(f"interrupt: took {took:.2f}s to stop")
    else:
        print(f"ok interrupt: stopped {took:.2f}s after SIGINT")


def main():
    exclab = sys.argv[1]
    for name, pattern in CASES.items():
        run_case(exclab, name, pattern)
    # The memory bomb must have been stopped near its cap, far from swap.
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if peak_mb > 200 + 100:
        fail(f"memory bomb: a child peaked at {peak_mb:.0f} MB RSS, cap was 200 MB")
    else:
        print(f"ok memory bomb peak RSS {peak_mb:.0f} MB (cap 200 MB)")
    run_interrupt(exclab)
    print(f"{failures} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
