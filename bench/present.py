"""exclab present, timed as the room sees it.

Slide change: the talk runs in a 200x50 pseudo-terminal; 'n' and 'p' go
back and forth between two slides, and the clock runs from writing the key
to the last byte of the output burst that follows (no output for 15 ms).
That includes reading the key and the pty round trip: an upper bound on
the change itself. A lesson's page turn (its 'n' and 'p') is timed in the
same rounds, for scale.

A live slide's first gauge frame: the talk's "The chain grows" in a
200x50 tmux pane; space runs its step (100 raises at 20 a second), and the
clock runs from tmux's send-keys to the first capture of the pane in which
the chain gauge has moved off 0. Captures are polled back to back, so this
also counts tmux's own latency and the polling (a few ms each): again an
upper bound. r, between rounds, brings the demo back in a fresh lab.

usage: python3 bench/present.py EXCLAB [ROUNDS]    (from the project root)
       python3 bench/present.py EXCLAB --smoke     (a few keys: that it runs)
"""
import fcntl
import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time

DECK = "slides/talk.md"
LESSON = "lessons/02-reusing-an-exception.md"


def drain(fd, quiet=0.015, timeout=5.0):
    """Read until no output for `quiet` seconds; the time of the last byte."""
    last = None
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < timeout:
        r, _, _ = select.select([fd], [], [], quiet)
        if not r:
            if last is not None:
                return last
            continue
        try:
            if not os.read(fd, 1 << 16):
                break
        except OSError:
            break
        last = time.perf_counter()
    return last


def spawn(argv, cols, rows, env):
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(env)
        os.execv(argv[0], argv)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    return pid, fd


def page_turns(argv, keys, rounds, env, settle=1.0):
    """Key to last byte, for `rounds` presses cycling through `keys`."""
    pid, fd = spawn(argv, 200, 50, env)
    time.sleep(settle)
    drain(fd, quiet=0.3)
    times = []
    for i in range(rounds):
        t0 = time.perf_counter()
        os.write(fd, keys[i % len(keys)])
        end = drain(fd)
        if end is not None:
            times.append(end - t0)
    os.kill(pid, signal.SIGTERM)
    os.waitpid(pid, 0)
    os.close(fd)
    return times


def tmux(sock, *args):
    return subprocess.run(["tmux", "-L", sock, "-f", "/dev/null", *args], capture_output=True,
                          text=True, timeout=20).stdout


def chain(screen):
    m = re.search(r"Traceback chain\s+([\d,]+)\s*$", screen, re.M)
    return int(m.group(1).replace(",", "")) if m else None


def wait_screen(sock, pred, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = tmux(sock, "capture-pane", "-p", "-t", "a")
        if pred(s):
            return s
        time.sleep(0.02)
    raise SystemExit(f"bench: timed out; the screen was:\n{s}")


def first_gauge_frames(exclab, rounds, env):
    sock = f"exclab-bench-{os.getpid()}"
    cmd = " ".join(f"{k}={v}" for k, v in env.items()) + f" {exclab} present {DECK}"
    tmux(sock, "new-session", "-d", "-s", "a", "-x", "200", "-y", "50", "-c", os.getcwd(),
         f"env {cmd}")
    times = []
    try:
        wait_screen(sock, lambda s: re.search(r"1/\d+\s*$", s.rstrip()) is not None)
        tmux(sock, "send-keys", "-t", "a", "6", "Enter")
        for _ in range(rounds):
            wait_screen(sock, lambda s: "space: step 1/1" in s and chain(s) == 0)
            t0 = time.perf_counter()
            tmux(sock, "send-keys", "-t", "a", "Space")
            while True:
                s = tmux(sock, "capture-pane", "-p", "-t", "a")
                if (chain(s) or 0) > 0:
                    break
                if time.perf_counter() - t0 > 10:
                    raise SystemExit("bench: the gauge never moved")
            times.append(time.perf_counter() - t0)
            tmux(sock, "send-keys", "-t", "a", "s", "r")
    finally:
        tmux(sock, "kill-server")
    return times


def show(name, times):
    ms = [t * 1000 for t in times]
    print(f"{name:<44} {statistics.median(ms):>9.2f} {min(ms):>8.2f} {max(ms):>8.2f}  ({len(ms)})")


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip().splitlines()[-2])
        return 2
    exclab = os.path.abspath(sys.argv[1])
    smoke = len(sys.argv) > 2 and sys.argv[2] == "--smoke"
    rounds = 4 if smoke else int(sys.argv[2]) if len(sys.argv) > 2 else 41
    home = tempfile.mkdtemp(prefix="exclab-bench-")
    run = os.path.join(home, "run")
    os.makedirs(run, mode=0o700)
    env = {"TERM": "xterm-256color", "LC_ALL": "C.UTF-8", "HOME": home,
           "XDG_RUNTIME_DIR": run, "XDG_STATE_HOME": os.path.join(home, "state")}
    try:
        print(f"{'200x50, key to last byte (ms)':<44} {'median':>9} {'min':>8} {'max':>8}")
        slides, pages = [], []
        # Interleaved: a round of each, so both see the same machine.
        for _ in range(3 if smoke else 5):
            slides += page_turns([exclab, "present", "--dark", DECK], [b"n", b"p"],
                                 max(2, rounds // 5), env)
            pages += page_turns([exclab, LESSON], [b"n", b"p"], max(2, rounds // 5), env)
        show("slide change (talk, slides 1 and 2)", slides)
        show("lesson page turn (lesson 2), for scale", pages)
        if shutil.which("tmux") is None:
            print("first gauge frame: skipped, tmux is not installed")
            return 0
        show("live slide: key to the first gauge frame", first_gauge_frames(
            exclab, 2 if smoke else max(5, rounds // 4), env))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
