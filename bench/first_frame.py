"""Time from launch to the first full frame: exclab starts in a pseudo-terminal
of 80x24 on lesson 1. ncurses writes a frame in one burst; the clock stops at
the last byte of the first burst (no output for 15 ms after it), and the run
only counts if that burst holds the whole screen: the title bar, a gauge, the
lesson text and the status line's keys. Medians of repeated runs; python3
printing one line is timed the same way for scale.

usage: python3 bench/first_frame.py EXCLAB PYTHON [RUNS]
"""
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
    exclab, python = sys.argv[1], sys.argv[2]
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    ex, py = [], []
    for _ in range(runs):
        t, seen = time_until([exclab], None)
        missing = [m.decode() for m in FULL_FRAME if m not in seen]
        if t is None or missing:
            raise SystemExit(f"exclab's first burst lacks {missing}")
        ex.append(t)
        py.append(time_until([python, "-c", "print('ready')"], b"ready")[0])
    print(f"launch to first full frame, 80x24, {runs} runs, interleaved")
    print(f"{'run':<34} {'median ms':>10} {'min ms':>8}")
    print(f"{'exclab, lesson 1':<34} {statistics.median(ex) * 1000:>10.1f} {min(ex) * 1000:>8.1f}")
    print(f"{'python3 -c print (for scale)':<34} {statistics.median(py) * 1000:>10.1f} {min(py) * 1000:>8.1f}")
    print(f"ratio exclab / python3 start-up: {statistics.median(ex) / statistics.median(py):.2f}")


if __name__ == "__main__":
    main()
