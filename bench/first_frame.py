"""Time from launch to the first full frame: exclab starts in a pseudo-terminal
of 80x24 on lesson 2. ncurses writes a frame in one burst; the clock stops at
the last byte of the first burst (no output for 15 ms after it), and the run
only counts if that burst holds the whole screen: the title bar, a gauge, the
lesson text and the status line's keys. Medians of repeated runs; python3
printing one line is timed the same way for scale.

With --before, an older exclab is timed in the same runs.

usage: python3 bench/first_frame.py EXCLAB PYTHON [RUNS] [--before OLD_EXCLAB]
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
import termios
import time

LESSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lessons",
                      "02-reusing-an-exception.md")
# What the first frame must contain: title bar, gauges, lesson, status line.
FULL_FRAME = [b"exclab", b"Python heap", b"Reusing one exception instance", b"[q] quit"]


def time_until(argv, marker, timeout=5.0):
    """Seconds until `marker` is read, or with marker None until the end of the
    first burst of output; also returns everything read."""
    t0 = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ.setdefault("LANG", "C.UTF-8")
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    seen = b""
    took = None
    while time.perf_counter() - t0 < timeout:
        r, _, _ = select.select([fd], [], [], 0.015)
        if not r:
            if marker is None and seen:
                break
            continue
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        seen += chunk
        if marker is not None and marker in seen:
            took = time.perf_counter() - t0
            break
        if marker is None:
            took = time.perf_counter() - t0
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return took, seen


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("exclab")
    ap.add_argument("python")
    ap.add_argument("runs", nargs="?", type=int, default=15)
    ap.add_argument("--before")
    args = ap.parse_args()
    builds = {"exclab, lesson 2": args.exclab}
    if args.before:
        builds["exclab before"] = args.before
    times = {name: [] for name in builds}
    py = []
    for _ in range(args.runs):
        for name, exe in builds.items():
            t, seen = time_until([exe, LESSON], None)
            missing = [m.decode() for m in FULL_FRAME if m not in seen]
            if t is None or missing:
                raise SystemExit(f"{name}: the first burst lacks {missing}")
            times[name].append(t)
        py.append(time_until([args.python, "-c", "print('ready')"], b"ready")[0])
    print(f"launch to first full frame, 80x24, {args.runs} runs, interleaved")
    print(f"{'run':<34} {'median ms':>10} {'min ms':>8}")
    for name, ts in times.items():
        print(f"{name:<34} {statistics.median(ts) * 1000:>10.1f} {min(ts) * 1000:>8.1f}")
    print(f"{'python3 -c print (for scale)':<34} {statistics.median(py) * 1000:>10.1f} {min(py) * 1000:>8.1f}")
    ex = times["exclab, lesson 2"]
    print(f"ratio exclab / python3 start-up: {statistics.median(ex) / statistics.median(py):.2f}")


if __name__ == "__main__":
    main()
