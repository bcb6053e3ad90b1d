"""A full redraw at 200x50: exclab runs lesson 2 in a 200x50 pseudo-terminal;
each '?' toggles the help overlay, which makes the interface compose every
view again and present the whole screen. The clock runs from writing the key
to the last byte of the output burst that follows (no output for 15 ms), so
it includes reading the key and the pty round trip: an upper bound on the
redraw itself. Medians over many keys; the same at 80x24 for scale. The run
fails unless the lesson is on screen, every key brings a redraw and every
other key the help (so KEYS 1 is a smoke test: the test suite runs it).

usage: python3 bench/redraw.py EXCLAB [KEYS]
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

LESSON = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lessons",
                      "02-reusing-an-exception.md")
TITLE = b"Reusing one exception instance"
HELP = b"Press any key to close."


def drain(fd, quiet=0.015, timeout=5.0):
    """Read until no output for `quiet` seconds: the time of the last byte
    (None if nothing came) and everything read."""
    last = None
    seen = b""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            if last is not None:
                break
            continue
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        last = time.perf_counter()
    return last, seen


def measure(exclab, cols, rows, keys):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ["TERM"] = "xterm-256color"
        os.environ.setdefault("LANG", "C.UTF-8")
        os.execv(exclab, [exclab, LESSON])
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    time.sleep(1.0)            # the scenario loads and the first frames settle
    if TITLE not in drain(fd, quiet=0.2)[1]:
        raise SystemExit(f"{cols}x{rows}: the lesson is not on screen")
    times = []
    for i in range(keys):
        t0 = time.perf_counter()
        os.write(fd, b"?")
        end, seen = drain(fd)
        if end is None or (i % 2 == 0 and HELP not in seen):
            raise SystemExit(f"{cols}x{rows}: key {i + 1} brought no redraw"
                             + (" of the help" if i % 2 == 0 else ""))
        times.append(end - t0)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return times


def main():
    exclab = os.path.abspath(sys.argv[1])
    keys = int(sys.argv[2]) if len(sys.argv) > 2 else 41
    print(f"key to full redraw ('?' toggles the help), {keys} keys, medians")
    print(f"{'screen':<10} {'median ms':>10} {'min ms':>8}")
    for cols, rows in ((80, 24), (200, 50)):
        t = measure(exclab, cols, rows, keys)
        print(f"{cols}x{rows:<7} {statistics.median(t) * 1000:>10.2f} {min(t) * 1000:>8.2f}")


if __name__ == "__main__":
    main()
