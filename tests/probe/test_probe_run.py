"""exclab probe runs a program as python3 runs it.

Each program in bad/ is run twice, under plain python3 (the interpreter
exclab embeds) and under `exclab probe --headless --report FILE`, from the
same folder with the same input: standard output, standard error and the
exit status must be identical. Then what only exclab does: Ctrl-C (one
KeyboardInterrupt, the second ends it), --time-limit, the heap cap, a
missing script, and a .py handed to the other commands.

usage: test_probe_run.py PYTHON EXCLAB
"""
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zipapp

HERE = os.path.dirname(os.path.abspath(__file__))
BAD = os.path.join(HERE, "bad")
PYTHON, EXCLAB = sys.argv[1], os.path.abspath(sys.argv[2])
failures = []


def check(ok, what):
    print(("ok   " if ok else "FAIL ") + what)
    if not ok:
        failures.append(what)


def run(argv, stdin=b"", timeout=60, cwd=BAD):
    p = subprocess.run(argv, input=stdin, capture_output=True, cwd=cwd, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def same_as_python(name, args=(), stdin=b"", module=False):
    target = ["-m", name] if module else [name + ".py"]
    want = run([PYTHON, *target, *args], stdin)
    with tempfile.TemporaryDirectory() as tmp:
        report = os.path.join(tmp, "report.txt")
        got = run([EXCLAB, "probe", "--headless", "--report", report, *target, *args], stdin)
        text = open(report).read() if os.path.exists(report) else ""
    label = " ".join(target + list(args))
    check(got[0] == want[0], f"{label}: status {got[0]}, python3 {want[0]}")
    for i, stream in ((1, "stdout"), (2, "stderr")):
        same = got[i] == want[i]
        check(same, f"{label}: {stream} as python3's" +
              ("" if same else f"\n  got  {got[i]!r}\n  want {want[i]!r}"))
    check(text.startswith("exclab probe: "), f"{label}: the report went to the file: {text[:80]!r}")
    return text


same_as_python("exits_at_once")
same_as_python("syntax_error")
same_as_python("uncaught")
same_as_python("system_exit")
same_as_python("excepthook")
same_as_python("keyboard_interrupt")
same_as_python("argv_path", ["one", "--two", "-m"])
same_as_python("argv_path", ["x"], module=True)
same_as_python("reads_stdin", stdin=b"first line\nsecond line\n" * 1000)
text = same_as_python("os_exit")
check("os._exit" in text or "status 7" in text, f"os_exit: the report says how it ended: {text!r}")
same_as_python("threads_outlive_main")
same_as_python("changes_nothing")
same_as_python("imports_as_python")
same_as_python("legacy_finalizer")
same_as_python("forks")
text = same_as_python("callbacks_cleared")
check("took exclab probe's entry out of gc.callbacks" in text,
      f"callbacks_cleared: the report says the probe could not see later cycles: {text!r}")

# A zip application runs its __main__ as python3 runs it, from the zip.
with tempfile.TemporaryDirectory() as tmp:
    zipapp.create_archive(os.path.join(BAD, "zipapp_main"), os.path.join(tmp, "app.pyz"))
    want = run([PYTHON, "app.pyz", "one"], cwd=tmp)
    got = run([EXCLAB, "probe", "--headless", "--report", os.path.join(tmp, "r"), "app.pyz", "one"],
              cwd=tmp)
    check(got == want and want[0] == 0, f"app.pyz: as python3's\n  got  {got!r}\n  want {want!r}")

# After atexit, the interpreter finishes as python3's does: finalizers run,
# a file never closed is flushed.
with tempfile.TemporaryDirectory() as tmp:
    for who, argv in (("python3", [PYTHON]), ("exclab", [EXCLAB, "probe", "--headless"])):
        path = os.path.join(tmp, who + ".txt")
        status, out, err = run(argv + ["unclosed_at_exit.py", path])
        check(status == 0 and out == b"main done\nfreed at exit\n",
              f"{who}: finalizers at exit: {status} {out!r}")
        check(open(path).read() == "written, never closed\n", f"{who}: the unclosed file is flushed")

# A missing script: python3's message, with exclab's name, and status 2.
status, out, err = run([EXCLAB, "probe", "--headless", "missing.py"])
check(status == 2 and b"can't open file '" + os.path.join(BAD, "missing.py").encode() in err,
      f"missing script: status {status}, {err[:200]!r}")

# A Python file handed to the lesson commands points at exclab probe.
for argv in (["run", "app.py"], ["app.py"], ["run", "app.py", "--headless"]):
    status, out, err = run([EXCLAB, *argv])
    check(status == 2 and b"exclab probe app.py" in err,
          f"exclab {' '.join(argv)}: points at probe: {status} {err[:200]!r}")


def start(args):
    p = subprocess.Popen([EXCLAB, "probe", "--headless", *args], cwd=BAD, stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    line = p.stdout.readline()
    return p, line


# Ctrl-C: a KeyboardInterrupt the program catches and goes on; the second
# one ends it, within a second.
p, first = start(["forever.py"])
check(first == b"serving\n", f"forever: started: {first!r}")
p.send_signal(signal.SIGINT)
second = p.stdout.readline()
check(second == b"shutting down\n", f"forever: the first Ctrl-C is a KeyboardInterrupt: {second!r}")
time.sleep(0.5)
check(p.poll() is None, "forever: still running after the first Ctrl-C, as under python3")
t0 = time.monotonic()
p.send_signal(signal.SIGINT)
out, err = p.communicate(timeout=10)
check(p.returncode == 125 and time.monotonic() - t0 < 1.5,
      f"forever: the second Ctrl-C ends it with status 125: {p.returncode}")
check(b"second Ctrl-C" in err, f"forever: the report says so: {err[-300:]!r}")

# --time-limit ends a program that does not stop by itself.
t0 = time.monotonic()
status, out, err = run([EXCLAB, "probe", "--headless", "--time-limit", "1", "forever.py"])
took = time.monotonic() - t0
check(status == 125 and took < 4, f"forever --time-limit 1: status {status} in {took:.1f} s")
check(b"time limit of 1 s" in err, f"forever --time-limit 1: says why: {err[-300:]!r}")

# The heap cap stops a memory bomb with a message, and memory stays bounded.
before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
status, out, err = run([EXCLAB, "probe", "--headless", "--mem-limit", "200", "memory_bomb.py"])
peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
check(status == 125 and b"heap reached its cap of 200 MB" in err,
      f"memory bomb: status {status}, {err[-300:]!r}")
check(peak_mb < 600, f"memory bomb: peak RSS {peak_mb:.0f} MB")

print(f"{len(failures)} failed")
sys.exit(1 if failures else 0)
