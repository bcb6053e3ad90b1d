"""Time from Ctrl-C to the interface showing the step stopped.

exclab runs a one-step scenario in an 80x24 pseudo-terminal; once the step
has run for 0.3 s, Ctrl-C is typed (the terminal sends SIGINT to exclab), and
the clock stops when the status line says STOPPED. Three steps: a bytecode
loop, time.sleep(1e9), and a C loop that never looks at signals
(sum(itertools.repeat(1))). With --before, an older exclab runs the same
cases interleaved; a case that is not stopped within the timeout is shown as
such, not timed.

usage: python3 bench/stop.py EXCLAB [ROUNDS] [--before OLD_EXCLAB] [--timeout S]
"""
import argparse
import fcntl
import os
import pty
import select
import signal
import statistics
import struct
import sys
import tempfile
import termios
import time

CASES = {
    "bytecode loop": "n = 0\nwhile True:\n    n += 1",
    "time.sleep(1e9)": "import time\ntime.sleep(1e9)",
    "C loop, no signals": "import itertools\nsum(itertools.repeat(1))",
}


def scenario(folder, name, code):
    path = os.path.join(folder, name.split()[0].replace(".", "_") + ".lua")
    with open(path, "w") as f:
        f.write(f'scenario {{ title = "stop", time_limit = 600 }}\n'
                f'step("Run", function() py.exec([[\n{code}\n]]) end)\n')
    return path


def read_until(fd, marker, deadline):
    """Read the pty until marker appears; the time it did, or None."""
    seen = b""
    while time.perf_counter() < deadline:
        r, _, _ = select.select([fd], [], [], 0.01)
        if r:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                return None
            if marker in seen:
                return time.perf_counter()
            seen = seen[-4096:]
    return None


def stop_time(exclab, path, timeout):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ.setdefault("LANG", "C.UTF-8")
        os.execv(exclab, [exclab, "run", path])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    try:
        # curses repaints only what changed: "run step 1" is already on
        # screen from the loading line, so wait for the rest of it.
        if read_until(fd, b"/1: Run", time.perf_counter() + 10) is None:
            raise SystemExit(f"{exclab} never waited for step 1")
        os.write(fd, b" ")
        if read_until(fd, b"stop step", time.perf_counter() + 10) is None:
            raise SystemExit(f"{exclab} never ran the step")
        time.sleep(0.3)
        t0 = time.perf_counter()
        os.write(fd, b"\x03")
        t1 = read_until(fd, b"STOPPED", t0 + timeout)
        return None if t1 is None else t1 - t0
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exclab")
    ap.add_argument("rounds", nargs="?", type=int, default=5)
    ap.add_argument("--before")
    ap.add_argument("--timeout", type=float, default=5.0)
    args = ap.parse_args()
    builds = {"exclab": args.exclab}
    if args.before:
        builds["before"] = args.before
    folder = tempfile.mkdtemp(prefix="exclab-stop-")
    paths = {name: scenario(folder, name, code) for name, code in CASES.items()}
    times = {(b, c): [] for b in builds for c in CASES}
    for _ in range(args.rounds):
        for case in CASES:   # interleaved: noise hits every build alike
            for build, exe in builds.items():
                times[(build, case)].append(stop_time(exe, paths[case], args.timeout))
    print(f"Ctrl-C to STOPPED on screen, 80x24, {args.rounds} rounds, interleaved")
    print(f"{'step':<22} {'build':<8} {'median ms':>10} {'max ms':>8}")
    for case in CASES:
        for build in builds:
            ts = times[(build, case)]
            stopped = [t for t in ts if t is not None]
            if len(stopped) < len(ts):
                print(f"{case:<22} {build:<8} {'not stopped':>10} in {len(ts) - len(stopped)} "
                      f"of {len(ts)} (waited {args.timeout:.0f} s)")
            else:
                print(f"{case:<22} {build:<8} {statistics.median(ts) * 1000:>10.0f} "
                      f"{max(ts) * 1000:>8.0f}")
    bad = [c for c in CASES if None in times[("exclab", c)]]
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
