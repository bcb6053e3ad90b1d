"""Bad input: each hostile scenario ends with a clear message naming the file
and line, and the headless runner exits with the status a user would see
(2 when the scenario failed, never a crash), in a bounded time, with no
output lost, no process left behind and memory bounded.

Each attack is one small scenario in bad/, with a comment saying what it
attacks. Cases run a few at a time in threads; a case that measures peak
memory runs exclab under a Python process of its own, so that its
RUSAGE_CHILDREN peak is its own.

usage: test_bad_input.py EXCLAB
"""
import concurrent.futures
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import sanitizer

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
MiB = 1024 * 1024


class Case:
    """One headless run and what a user must see of it.

    not_sanitized: why the outcome cannot hold under the sanitizers (ASan
    handles stack overflows itself, and the memory backstop is off there
    because ASan's shadow memory would count), or None.
    outcome: regex on the outcome line: the last line starting with "✗" or
    "Stopped:" when status is not 0, else the final "checks:" line.
    within: the run must end in under this many seconds (from its start, or
    from the signal for the signal cases).
    lines: regexes that must each match a whole line of output.
    absent: substrings that must appear nowhere in the output.
    peak_mb: the peak RSS of exclab and its lab (MiB) must stay under this.
    """

    def __init__(self, name, outcome, status=2, within=10.0, args=(), lines=(), absent=(),
                 peak_mb=None, at_least=0.0, path=None, not_sanitized=None):
        self.name, self.outcome, self.status, self.within = name, outcome, status, within
        self.args, self.lines, self.absent, self.peak_mb = list(args), lines, absent, peak_mb
        self.at_least = at_least
        self.path = path or os.path.join(BAD, name)
        # Why the case cannot run under the sanitizer setup, when it cannot.
        self.not_sanitized = not_sanitized


# 200 million Lua instructions take 1.5 s of CPU, more with other cases on
# the same cores: a time limit far away, so that the budget is what ends them.
BUDGET = dict(args=["--time-limit", "60"], within=20)

# The scenario failed: its error line says where and why (exit status 2).
ERRORS = [
    Case("lua_syntax.lua", r"lua_syntax\.lua:4: unexpected symbol near '='$"),
    Case("lua_runtime.lua", r"lua_runtime\.lua:5: attempt to index a nil value \(local 't'\)$"),
    Case("lua_runaway.lua", r"lua_runaway\.lua:\d+: the scenario used up its budget of 200 million Lua instructions \(a runaway loop\?\)$",
         **BUDGET),
    Case("python_exception.lua", r"raises\.py:3: ZeroDivisionError: division by zero \(from .*python_exception\.lua:4\)$"),
    Case("python_syntax.lua", r"broken\.py:2: SyntaxError: .*\(from .*python_syntax\.lua:4\)$"),
    Case("python_missing.lua", r"no_such_file\.py: cannot open: No such file or directory$"),
    Case("python_forever.lua", r"python_forever\.lua:4: stopped: Python ran past its time limit of 1\.0 s$", within=3),
    Case("malformed.lua", r"malformed\.lua:2: scenario\{\}: unknown field 'titel' \(known: title, python, gauges, watch, memory_limit, time_limit, step_time_limit\)$"),
    Case("does_not_exist.lua", r"does_not_exist\.lua: cannot open: No such file or directory$"),

    # Python that blocks, loops in C, or leaves the lab.
    Case("python_sleep_forever.lua", r"python_sleep_forever\.lua:4: stopped: Python ran past its time limit of 1\.0 s$", within=3),
    Case("python_event_wait.lua", r"python_event_wait\.lua:4: stopped: Python ran past its time limit of 1\.0 s$", within=3),
    # _sre checks for signals as it backtracks: the time limit stops it like any Python code.
    Case("python_regex.lua", r"python_regex\.lua:4: stopped: Python ran past its time limit of 1\.0 s$", within=3),
    Case("python_c_loop.lua", r"^✗ py\.exec at .*python_c_loop\.lua:4 ran past its time limit of 1\.0 s in step 1 \(sum forever\) and did not stop when interrupted \(C code that ignores signals, or a loop that catches KeyboardInterrupt\?\), so the lab was ended\. Press r for a fresh lab\.$",
         within=3, at_least=1.9),
    # A loop that catches KeyboardInterrupt is almost always inside its try
    # when the guard's SIGINT comes (every 100 ms), so the lab is ended; now
    # and then one lands on the loop's own jump, and Python stops it.
    Case("python_catch_interrupt.lua", r"(^✗ py\.exec at .*python_catch_interrupt\.lua:4 ran past its time limit of 1\.0 s in step 1 \(spin\) and did not stop when interrupted \(C code that ignores signals, or a loop that catches KeyboardInterrupt\?\), so the lab was ended\. Press r for a fresh lab\.|python_catch_interrupt\.lua:4: stopped: Python ran past its time limit of 1\.0 s)$",
         within=3, at_least=0.9, args=["--time-limit", "1"]),
    Case("python_step_limit_c_loop.lua", r"^✗ py\.exec at .*python_step_limit_c_loop\.lua:5 ran past the step's time limit of 2 s in step 1 \(sleep, then sum forever\) and did not stop when interrupted \(C code that ignores signals, or a loop that catches KeyboardInterrupt\?\), so the lab was ended\. Press r for a fresh lab\.$",
         within=4, at_least=2.9),
    Case("python_segfault.lua", r"^✗ The lab crashed: killed by SIGSEGV \(Segmentation fault\), while running py\.exec at .*python_segfault\.lua:4 in step 1 \(crash\)\. Press r for a fresh lab\.$",
         lines=[r"  python stderr: Fatal Python error: Segmentation fault",
                r'  python stderr:   File "<py\.exec at .*python_segfault\.lua:4>", line 2 in <module>'],
         not_sanitized="ASan reports the segfault itself and exits 1"),
    # Recursion through C overflows the C stack on 3.11; from 3.12 the
    # interpreter counts C recursion too and raises RecursionError.
    Case("python_deep_recursion.lua", r"^✗ (The lab crashed: killed by SIGSEGV \(Segmentation fault\), while running py\.exec at .*python_deep_recursion\.lua:5 in step 1 \(recurse\)\. Press r for a fresh lab\.|<py\.exec at .*python_deep_recursion\.lua:5>:4: RecursionError: maximum recursion depth exceeded.* \(from .*python_deep_recursion\.lua:5\))$",
         not_sanitized="ASan reports the stack overflow itself and exits 1"),
    Case("python_os_exit.lua", r"^✗ The lab ended: it exited with status 3 while running py\.exec at .*python_os_exit\.lua:4 in step 1 \(exit\) \(os\._exit, or sys\.exit in a thread\?\)\. Press r for a fresh lab\.$"),
    Case("python_sys_exit.lua", r"^✗ <py\.exec at .*python_sys_exit\.lua:4>:2: SystemExit: 3 \(from .*python_sys_exit\.lua:4\)$",
         lines=[r"  python stderr: SystemExit: 3"]),
    Case("python_nul_source.lua", r"nul\.py: SyntaxError: source code cannot contain null bytes$"),

    # Lua that loops in C, floods, or hides a budget.
    Case("lua_rep_huge.lua", r"lua_rep_huge\.lua:4: string\.rep: the result would not fit the scenario's Lua memory budget of 64 MB$", within=2),
    Case("lua_table_move.lua", r"lua_table_move\.lua:4: table\.move: more than 10000000 elements at once$", within=2),
    Case("lua_find_backtrack.lua", r"^✗ the scenario's Lua code ran past its time limit of 1\.0 s in step 1 \(find\) and did not stop when interrupted \(a Lua library call that loops in C\?\), so the lab was ended\. Press r for a fresh lab\.$",
         within=3, at_least=1.9, lines=[r"  finding"]),
    Case("lua_coroutines.lua", r"lua_coroutines\.lua:5: the scenario used up its budget of 200 million Lua instructions \(a runaway loop\?\)$",
         **BUDGET),
    Case("lua_resume_swallow.lua", r"lua_resume_swallow\.lua:5: the scenario used up its budget of 200 million Lua instructions \(a runaway loop\?\)$",
         absent=["resume returned", "went on after the budget"], **BUDGET),
    Case("lua_gc_finalizer.lua", r"lua_gc_finalizer\.lua:4: __gc finalizers are not available in scenarios \(they would run outside the time budget\)$", within=2),
    Case("lua_xpcall_handler.lua", r"lua_xpcall_handler\.lua:[45]: the scenario used up its budget of 200 million Lua instructions \(a runaway loop\?\)$",
         **BUDGET),
    Case("lua_step_time.lua", r"lua_step_time\.lua:4: (stopped: Python|the scenario's Lua code) ran past the step's time limit of 2 s",
         within=4, at_least=1.9),
    Case("lua_py_in_coroutine.lua", r"lua_py_in_coroutine\.lua:4: .*py\.\*, probe\.watch and graph\.\* cannot be used inside a coroutine the scenario made: call it from the step itself$", within=2),
    Case("lua_big_table.lua", r"lua_big_table\.lua:7: a value for Python has more than 100000 items in all$", within=2),
    Case("exercise_bad_hints.lua", r"^✗ .*exercise_bad_hints\.lua:3: exercise\{\}: hints\[2\] is a boolean, not a string$", within=2),
    Case("exercise_bad_cheats.lua", r"^✗ .*exercise_bad_cheats\.lua:3: exercise\{\}: cheats\[1\] is a table, not a string$", within=2),

    # Files exclab must not read.
    Case("/dev/zero", r"^✗ /dev/zero: cannot read: it is not a regular file$", within=2, path="/dev/zero"),
    Case("a folder", r"^✗ .*/bad: cannot read: it is a folder$", within=2, path=BAD),
]

# The scenario ran to its end: all its checks held (exit status 0).
FINISHED = [
    Case("python_thread_forever.lua", r"^checks: 1 passed, 0 failed$", status=0, within=2),
    Case("python_close_stdio.lua", r"^checks: 1 passed, 0 failed$", status=0, within=2,
         lines=[r"  print still works", r"  python stderr: stderr still works"]),
    Case("python_fork_sleeper.lua", r"^checks: 1 passed, 0 failed$", status=0, within=2),
    Case("python_fork_carry_on.lua", r"^checks: 2 passed, 0 failed$", status=0, within=2),
    Case("python_many_lines.lua", r"^checks: 0 passed, 0 failed$", status=0, within=5),
    Case("lua_rep_empty.lua", r"^checks: 2 passed, 0 failed$", status=0, within=2),
    Case("lua_fake_steps.lua", r"^checks: 2 passed, 0 failed$", status=0, within=2,
         lines=[r"▶ Step 1/2: one", r"▶ Step 2/2: two"], absent=["FAKE"]),
    Case("lua_load.lua", r"^checks: 5 passed, 0 failed$", status=0, within=2),
    Case("lua_len_lie.lua", r"^checks: 2 passed, 0 failed$", status=0, within=2),
    Case("lua_nul_strings.lua", r"^checks: 4 passed, 0 failed$", status=0, within=2),
    Case("output_escapes.lua", r"^checks: 1 passed, 0 failed$", status=0, within=2,
         lines=[r"  \^\[\[2J\^\[\]0;title\^G", r"  \^\[\[2J\^\[\]0;title\^G\ufffd1m",
                r"  ✓ \^\[\[31mred\^\[\[0m check \(true\)"]),
    Case("output_nul.lua", r"^checks: 0 passed, 0 failed$", status=0, within=2,
         lines=[r"  lua a\?b end", r"  python a\?b end"]),
]

# Memory: each in a Python process of its own, for its own peak RSS.
MEMORY = [
    Case("python_memory_bomb.lua", r"python_memory_bomb\.lua:4: stopped: the Python heap reached its cap of 200 MB$",
         peak_mb=300),
    # mmap.mmap(-1, n) maps MAP_SHARED, which RLIMIT_DATA does not count.
    Case("python_mmap_bomb.lua", r"python_mmap_bomb\.lua:4: stopped: the lab's resident memory reached its limit of \d+ MB \(memory outside the Python heap: mmap, or a C extension\?\)$",
         peak_mb=600, not_sanitized="the memory backstop is off: ASan's shadow memory would count"),
    Case("python_mmap_private.lua", r"^✗ <py\.exec at .*python_mmap_private\.lua:4>:4: OSError: \[Errno 12\] Cannot allocate memory \(from .*python_mmap_private\.lua:4\)$",
         peak_mb=600, not_sanitized="the memory backstop is off: ASan's shadow memory would count"),
    Case("python_long_line.lua", r"^checks: 1 passed, 0 failed$", status=0, within=30, peak_mb=400,
         lines=[r"  y{4032} … \[1999995968 more bytes\]"]),
    Case("lua_memory_bomb.lua", r"lua_memory_bomb\.lua:\d+: the scenario used up its Lua memory budget of 64 MB$", peak_mb=200,
         **BUDGET),
    Case("lua_memory_nopcall.lua", r"lua_memory_nopcall\.lua:5: the scenario used up its Lua memory budget of 64 MB$", peak_mb=200),
]

# A Python process that runs exclab and reports its status, output and peak.
MEASURE = """
import json, resource, subprocess, sys
p = subprocess.run(sys.argv[1:], capture_output=True)
print(json.dumps({"status": p.returncode, "out": p.stdout.decode("utf-8", "replace"),
                  "err": p.stderr.decode("utf-8", "replace"),
                  "peak": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024}))
"""

lock = threading.Lock()
failures = 0


def fail(msg):
    global failures
    with lock:
        failures += 1
        print("FAIL", msg, flush=True)


def ok(msg):
    with lock:
        print("ok", msg, flush=True)


def outcome_line(out, status):
    """What the user reads as the outcome of a run: the last error or stop
    line when it failed, else the last line ("checks: ...")."""
    lines = out.splitlines()
    found = [l for l in lines if l.startswith("✗") or l.startswith("Stopped:")]
    if status != 0 and found:
        return found[-1]
    return lines[-1] if lines else ""


def process_gone(pid):
    """True once pid has ended. A zombie has ended too: on some machines
    (containers) nobody reaps an orphan the lab's kill left behind."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def group_alive(pgid):
    """Processes of this group that have not ended."""
    alive = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry))
    return alive


def leftovers(out):
    """Every lab the output names (its process group) and every child it
    names must be gone within a second of exclab's end."""
    labs = [int(p) for p in re.findall(r"lab pid (\d+)", out)]
    children = [int(p) for p in re.findall(r"child (\d+)", out)]
    deadline = time.monotonic() + 1
    while True:
        left = [p for p in children if not process_gone(p)]
        for lab in labs:
            left += group_alive(lab)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.02)


def judge(case, status, out, took, peak=None):
    """Everything a user would see of a run, against what the case expects."""
    what = f"{case.name} ({took:.2f}s)"
    line = outcome_line(out, status)
    if status != case.status:
        return fail(f"{what}: exit status {status}, expected {case.status}\n{out}")
    if not re.search(case.outcome, line):
        return fail(f"{what}: outcome {line!r} does not match {case.outcome!r}\n{out}")
    if took >= case.within or took < case.at_least:
        return fail(f"{what}: took {took:.2f}s, expected {case.at_least}s to {case.within}s\n{out}")
    if "STEP AFTER FAILURE RAN" in out:
        return fail(f"{what}: a step after the failure ran")
    for pattern in case.lines:
        if not any(re.fullmatch(pattern, l) for l in out.splitlines()):
            return fail(f"{what}: no line matching {pattern!r} in:\n{out}")
    for text in case.absent:
        if text in out:
            return fail(f"{what}: {text!r} is in the output:\n{out}")
    # Under AddressSanitizer every allocation carries shadow memory and freed
    # blocks wait in its quarantine: the bound is the same budget, doubled.
    allowed = case.peak_mb * (2 if sanitizer.SANITIZED else 1) if peak is not None else None
    if peak is not None and peak > allowed * MiB:
        return fail(f"{what}: peak RSS {peak / MiB:.0f} MiB, allowed {allowed} MiB")
    left = leftovers(out)
    if left:
        return fail(f"{what}: processes left behind: {left}")
    extra = f", peak RSS {peak / MiB:.0f} MiB" if peak is not None else ""
    ok(f"{what}{extra}: {line}")


def command(exclab, case):
    return [exclab, "run", case.path, "--headless", *case.args]


def run_case(exclab, case):
    t0 = time.monotonic()
    proc = subprocess.run(command(exclab, case), capture_output=True, timeout=60)
    took = time.monotonic() - t0
    judge(case, proc.returncode, proc.stdout.decode("utf-8", "replace"), took)


def run_measured(exclab, case):
    t0 = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", MEASURE, *command(exclab, case)],
                          capture_output=True, text=True, timeout=90)
    took = time.monotonic() - t0
    try:
        r = json.loads(proc.stdout)
    except ValueError:
        return fail(f"{case.name}: the measuring process said {proc.stdout!r} {proc.stderr!r}")
    judge(case, r["status"], r["out"], took, r["peak"])


def many_lines_all_there(exclab):
    """5000 print() lines in one py.exec: every one reaches the output, in order."""
    out = subprocess.run(command(exclab, Case("python_many_lines.lua", "")), capture_output=True,
                         text=True, timeout=60).stdout
    got = [l for l in out.splitlines() if l.startswith("  line ")]
    if got != [f"  line {i}" for i in range(5000)]:
        fail(f"many lines: {len(got)} of 5000 lines, or out of order")
    elif "dropped" in out:
        fail("many lines: console lines were dropped")
    else:
        ok("many lines: all 5000 in order")


def fork_output_once(exclab):
    """A forked child that carries on as the lab says nothing twice."""
    out = subprocess.run(command(exclab, Case("python_fork_carry_on.lua", "")), capture_output=True,
                         text=True, timeout=60).stdout
    for line in ["  after the fork", "  python after the fork", "  ✓ the parent goes on (true)",
                 "▶ Step 2/2: later"]:
        n = out.splitlines().count(line)
        if n != 1:
            return fail(f"fork carry on: {line!r} {n} times in:\n{out}")
    ok("fork carry on: every line once")


def special_files(exclab):
    """A FIFO as the scenario: refused at once, never opened for a blocking
    read. A 65 MB file (sparse): refused before it is read."""
    d = tempfile.mkdtemp()
    try:
        path = os.path.join(d, "scenario.lua")
        os.mkfifo(path)
        run_case(exclab, Case("a FIFO", r"^✗ .*scenario\.lua: cannot read: it is not a regular file$",
                              within=2, path=path))
        big = os.path.join(d, "big.lua")
        with open(big, "wb") as f:
            f.truncate(65 * MiB)
        run_case(exclab, Case("a 65 MB file", r"^✗ .*big\.lua: cannot read: 68157440 bytes is more than the 64 MB exclab reads$",
                              within=2, path=big))
    finally:
        shutil.rmtree(d)


def escapes_stay_text(exclab):
    """No escape or bell byte reaches the terminal, from Lua or Python."""
    out = subprocess.run(command(exclab, Case("output_escapes.lua", "")), capture_output=True,
                         timeout=60).stdout
    bad = [b for b in (b"\x1b", b"\x07", b"\xc2\x9b") if b in out]
    if bad:
        fail(f"escapes: {bad} in the headless output")
    else:
        ok("escapes: no ESC, BEL or CSI byte in the output")


def json_is_utf8(exclab):
    """Invalid UTF-8 from Lua, a lone surrogate from Python, bad bytes in a
    check's message and in titles: --json (and text) output is strict UTF-8."""
    case = Case("output_bad_utf8.lua", "")
    proc = subprocess.run(command(exclab, case) + ["--json"], capture_output=True, timeout=60)
    text = subprocess.run(command(exclab, case), capture_output=True, timeout=60)
    try:
        report = json.loads(proc.stdout.decode("utf-8", "strict"))
        text.stdout.decode("utf-8", "strict")
    except ValueError as e:
        return fail(f"bad UTF-8: {e}")
    checks = report["steps"][0]["checks"]
    if proc.returncode != 0 or report["passed"] != 1 or "\ufffd" not in checks[0]["message"]:
        return fail(f"bad UTF-8: status {proc.returncode}, report {report}")
    if "  lone surrogate ?" not in text.stdout.decode():
        return fail(f"bad UTF-8: the surrogate line is missing:\n{text.stdout.decode()}")
    ok("bad UTF-8: --json is strict UTF-8 and parses; the text output too")


def check_command(exclab, name, message):
    """exclab check on a lessons folder whose one lesson points at a
    malformed scenario: one clear FAIL, exit status 1, no crash."""
    d = tempfile.mkdtemp()
    try:
        os.mkdir(os.path.join(d, "sc"))
        shutil.copy(os.path.join(BAD, name), os.path.join(d, "sc", "scenario.lua"))
        shutil.copy(os.path.join(BAD, "raises.py"), os.path.join(d, "sc", "raises.py"))
        with open(os.path.join(d, "01-bad.md"), "w") as f:
            f.write("# A bad lesson\n\nRun the [scenario](sc/scenario.lua).\n")
        proc = subprocess.run([exclab, "check", d], capture_output=True, text=True, timeout=60)
        out = proc.stdout
        fails = [l for l in out.splitlines() if l.startswith("FAIL")]
        if proc.returncode != 1:
            fail(f"check {name}: exit status {proc.returncode}, expected 1\n{out}{proc.stderr}")
        elif len(fails) != 1 or not re.search(r"sc/scenario\.lua:3: " + message + "$", fails[0]):
            fail(f"check {name}: expected one FAIL saying {message!r}:\n{out}")
        elif "1 lesson checked, 1 problem" not in out:
            fail(f"check {name}: no summary line:\n{out}")
        else:
            ok(f"check {name}: {fails[0]}")
    finally:
        shutil.rmtree(d)


# ---- signals ----------------------------------------------------------------

def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start(exclab, name, spins):
    """exclab on a scenario that prints the lab's pid, then blocks or spins;
    (process, pid, lines so far) once it is well into that."""
    proc = subprocess.Popen([exclab, "run", os.path.join(BAD, name), "--headless"],
                            stdout=subprocess.PIPE, text=True)
    seen = []
    while True:
        line = proc.stdout.readline()
        seen.append(line)
        m = re.search(r"lab pid (\d+)", line)
        if m or not line:
            break
    if m and spins:
        # Into the loop for sure, on a busy machine too: 0.2 s of CPU spent in it.
        pid, deadline = int(m.group(1)), time.monotonic() + 10
        used = cpu_seconds(pid)
        while cpu_seconds(pid) < used + 0.2 and time.monotonic() < deadline:
            time.sleep(0.02)
    else:
        time.sleep(0.3)   # well into the blocking call
    return proc, int(m.group(1)) if m else None, "".join(seen)


def signal_case(exclab, name, sig, outcome, status, within, at_least=0.0, lines=(), to_lab=False,
                spins=False):
    """Start the scenario, signal exclab (or kill the lab), judge what follows:
    the time is from the signal."""
    proc, pid, seen = start(exclab, name, spins)
    if pid is None:
        proc.kill()
        return fail(f"{name}: no lab pid in {seen!r}")
    t0 = time.monotonic()
    if to_lab:
        os.kill(pid, sig)
    else:
        proc.send_signal(sig)
    try:
        out, _ = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return fail(f"{name}: exclab did not end within 20 s of the signal")
    took = time.monotonic() - t0
    case = Case(f"{name} + {signal.Signals(sig).name}{' to the lab' if to_lab else ''}", outcome,
                status=status, within=within, at_least=at_least, lines=lines)
    judge(case, proc.returncode, seen + out, took)


def signal_cases(exclab):
    stopped = r"^Stopped: stopped by the learner \(KeyboardInterrupt\)$"
    ignored = (r"^Stopped: the lab did not stop within 1 s of Ctrl-C \(running py\.exec at .*{}:{} "
               r"in step 1 \({}\)\), so it was ended\. Press r for a fresh lab\.$")
    return [
        lambda: signal_case(exclab, "python_spin.lua", signal.SIGINT, stopped, 2, 1.5, spins=True),
        lambda: signal_case(exclab, "python_sleep.lua", signal.SIGINT, stopped, 2, 1.5),
        lambda: signal_case(exclab, "python_ignore_sigint.lua", signal.SIGINT,
                            ignored.format(r"python_ignore_sigint\.lua", 5, "sleep"), 2, 2, at_least=0.9),
        lambda: signal_case(exclab, "python_sigint_handler.lua", signal.SIGINT,
                            ignored.format(r"python_sigint_handler\.lua", 4, "sleep"), 2, 2, at_least=0.9,
                            lines=[r"  handler ran"]),
        # Ended a second after Ctrl-C, or (now and then) stopped by a later SIGINT.
        lambda: signal_case(exclab, "python_catch_interrupt.lua", signal.SIGINT,
                            "(" + ignored.format(r"python_catch_interrupt\.lua", 4, "spin") + "|" + stopped + ")",
                            2, 2, spins=True),
        lambda: signal_case(exclab, "python_killed.lua", signal.SIGKILL,
                            r"^✗ The lab crashed: killed by SIGKILL \(Killed\), while running py\.exec at "
                            r".*python_killed\.lua:5 in step 1 \(sleep\)\. Press r for a fresh lab\.$",
                            2, 1, to_lab=True),
        lambda: signal_case(exclab, "python_sleep.lua", signal.SIGTERM,
                            r"^checks: 0 passed, 0 failed \(the scenario did not finish\)$", 143, 1,
                            lines=[r"Terminated by SIGTERM\."]),
    ]


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
        ok(f"interrupt: stopped {took:.2f}s after SIGINT")


def limits_in_range(exclab):
    """A limit on the command line outside what scenario{} allows is refused, by name."""
    for args, said in [(["--mem-limit", "1e308"], "--mem-limit needs a size in MB, from 1 to"),
                       (["--mem-limit", "0.5"], "--mem-limit needs a size in MB, from 1 to"),
                       (["--time-limit", "inf"], "--time-limit needs a number of seconds, from 0.001"),
                       (["--time-limit", "nan"], "--time-limit needs a number of seconds, from 0.001")]:
        r = subprocess.run([exclab, "run", os.path.join(BAD, "python_forever.lua"), "--headless"] + args,
                           capture_output=True, text=True, timeout=10)
        if r.returncode != 2 or said not in r.stderr:
            return fail(f"limits: {' '.join(args)}: exit {r.returncode}, said {r.stderr!r}")
    ok("limits: out-of-range --mem-limit and --time-limit refused")


def main():
    exclab = os.path.abspath(sys.argv[1])
    t0 = time.monotonic()
    # An 8 MB stack for every lab, the usual default, so that deep C
    # recursion crashes the same way everywhere.
    hard = resource.getrlimit(resource.RLIMIT_STACK)[1]
    if hard == resource.RLIM_INFINITY or hard >= 8 * MiB:
        resource.setrlimit(resource.RLIMIT_STACK, (8 * MiB, hard))
    cases = ERRORS + FINISHED + MEMORY
    for c in cases:
        if sanitizer.SANITIZED and c.not_sanitized:
            print(f"skipped under a sanitizer: {c.name}: {c.not_sanitized}")
    cases = [c for c in cases if not (sanitizer.SANITIZED and c.not_sanitized)]
    jobs = [lambda c=c: run_case(exclab, c) for c in cases if c not in MEMORY]
    jobs += [lambda c=c: run_measured(exclab, c) for c in cases if c in MEMORY]
    jobs += signal_cases(exclab)
    jobs += [lambda: run_interrupt(exclab), lambda: many_lines_all_there(exclab),
             lambda: fork_output_once(exclab), lambda: special_files(exclab),
             lambda: escapes_stay_text(exclab), lambda: json_is_utf8(exclab),
             lambda: limits_in_range(exclab),
             lambda: check_command(exclab, "exercise_bad_hints.lua",
                                   r"exercise\{\}: hints\[2\] is a boolean, not a string"),
             lambda: check_command(exclab, "exercise_bad_cheats.lua",
                                   r"exercise\{\}: cheats\[1\] is a table, not a string")]
    # A few at a time: the timing bounds hold on a machine with two cores.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        for f in [pool.submit(job) for job in jobs]:
            try:
                f.result()
            except Exception as e:   # a timeout or a bug here is a failure too
                fail(f"{type(e).__name__}: {e}")
    print(f"{failures} failure(s) in {time.monotonic() - t0:.0f}s")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
