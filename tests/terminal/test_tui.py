"""The interface in a real terminal: exclab runs in tmux panes of fixed sizes,
keys go in with send-keys, and each case asserts what a learner would see on
the screen (capture-pane), plus how the terminal is left when exclab exits.

Every wait polls the screen against a deadline, so a slow machine only makes
the cases slower, and a case that never reaches its screen fails with the last
screen it saw.

usage: test_tui.py EXCLAB   (run from the project root, as meson does)
"""
import array
import fcntl
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time
import traceback

EXCLAB = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
ROOT = os.getcwd()
SOCKET = f"exclab-test-{os.getpid()}"
TITLE = "Reusing one exception instance"
LESSON = "lessons/02-reusing-an-exception.md"
W, H = 80, 24

# The tmux server, and so every pane, gets a UTF-8 locale and no NO_COLOR,
# whatever the caller's environment: cases that want otherwise say so.
ENV = {k: v for k, v in os.environ.items()
       if k not in ("NO_COLOR", "LANG", "LANGUAGE") and not k.startswith("LC_")}
ENV.update(LC_ALL="C.UTF-8", SHELL="/bin/sh")

# A step that never ends on its own: real work in the loop, so the
# KeyboardInterrupt is checked between bytecodes.
LOOP_SCENARIO = """\
scenario { title = "Endless loop", time_limit = 60 }
step("Spin forever", function()
  py.exec("n = 0\\nwhile True:\\n    n += 1\\n")
end)
"""

UNITS = {"B": 1, "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, "TB": 1000 ** 4}


class Failure(Exception):
    def __init__(self, why, screen=None):
        super().__init__(why)
        self.screen = screen


def tmux(*args, check=True):
    proc = subprocess.run(["tmux", "-u", "-f", "/dev/null", "-L", SOCKET, *args],
                          capture_output=True, text=True, env=ENV, timeout=20)
    if check and proc.returncode != 0:
        raise Failure(f"tmux {' '.join(args)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def q(s):
    """Quote for the pane's sh -c."""
    return "'" + s.replace("'", "'\\''") + "'"


class Pane:
    """One tmux session running one command in a WxH window."""
    count = 0

    def __init__(self, command, w=W, h=H):
        Pane.count += 1
        self.name = f"t{Pane.count}"
        tmux("new-session", "-d", "-s", self.name, "-x", str(w), "-y", str(h),
             "-c", ROOT, command)
        self.last = ""

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(1, "-e")
        text = tmux(*args, check=False)
        if not escapes:
            self.last = text
        return text

    def fmt(self, f):
        return tmux("display-message", "-p", "-t", self.name, f).strip()

    def keys(self, *keys):
        tmux("send-keys", "-t", self.name, *keys)

    def resize(self, w, h):
        tmux("resize-window", "-t", self.name, "-x", str(w), "-y", str(h))

    def wait_for(self, what, timeout=10.0, why=None):
        """Poll until `what` (a string on screen, or a predicate on the screen
        text returning a true value) holds; return the screen (or the value)."""
        deadline = time.monotonic() + timeout
        while True:
            s = self.screen()
            got = (what in s) if isinstance(what, str) else what(s)
            if got:
                return s if got is True else got
            if time.monotonic() > deadline:
                if why is None:
                    why = what if isinstance(what, str) else what.__name__
                    why = f"waited {timeout:.0f} s for {why!r}"
                raise Failure(why, s)
            time.sleep(0.05)

    def wait_change(self, old, timeout=3.0):
        """The screen after it differs from `old`; `old` itself if it never does."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s = self.screen()
            if s != old:
                return s
            time.sleep(0.05)
        return old

    def wait_keys_read(self, timeout=10.0):
        """Until the program in the pane has read every key sent to it: the
        tty's input queue is empty. For keys that change nothing on screen."""
        fd = os.open(self.fmt("#{pane_tty}"), os.O_RDONLY | os.O_NOCTTY | os.O_NONBLOCK)
        try:
            deadline = time.monotonic() + timeout
            while True:
                n = array.array("i", [0])
                fcntl.ioctl(fd, termios.FIONREAD, n)
                if n[0] == 0:
                    return
                if time.monotonic() > deadline:
                    raise Failure(f"{n[0]} bytes of input never read", self.screen())
                time.sleep(0.02)
        finally:
            os.close(fd)

    def close(self):
        tmux("kill-session", "-t", self.name, check=False)


def exclab_pane(*args, env="", w=W, h=H, wrapper=False):
    """exclab in a pane. With `wrapper`, the pane records exclab's pid, then
    shows its exit status and the terminal's modes after it ends."""
    args = args or (LESSON,)   # the lesson these cases read, whatever comes first in the course
    cmd = " ".join([q(EXCLAB), *map(q, args)])
    if env:
        cmd = f"env {env} {cmd}"
    if wrapper:
        cmd = (f"sh -c {q('echo $$ > ' + q(wrapper) + '; exec ' + cmd)}; "
               "echo EXITED $?; echo STTY; stty -a; sleep 60")
    return Pane(cmd, w, h)


def status_line(s):
    lines = s.rstrip("\n").split("\n")
    return lines[-1] if lines else ""


def gauge_bytes(s, label):
    m = re.search(re.escape(label) + r"\s+(-?[\d.,]+) (B|KB|MB|GB|TB)\s*$", s, re.M)
    return None if m is None else float(m.group(1).replace(",", "")) * UNITS[m.group(2)]


def gauge_count(s, label):
    m = re.search(re.escape(label) + r"\s+(-?[\d,]+)\s*$", s, re.M)
    return None if m is None else int(m.group(1).replace(",", ""))


def flat(s):
    """The screen as one line of words: for text the layout may wrap."""
    return " ".join(s.split())


def ready(s):
    """Lesson 1 loaded, its scenario waiting for step 1, the gauges read."""
    return ("[space] run step 1/6" in status_line(s) and
            gauge_bytes(s, "Python heap") is not None and
            gauge_count(s, "Traceback chain") is not None)


def stty_modes(s):
    """The words `stty -a` printed after STTY."""
    return set(s.split("STTY", 1)[1].split()) if "STTY" in s else set()


def exit_status(s):
    m = re.search(r"^EXITED (\d+)$", s, re.M)
    return None if m is None else int(m.group(1))


def check_restored(p, s, status_ok):
    """After exclab ended in a wrapper pane: its status, a sane tty, and the
    normal screen back (no alternate screen, no remnants of the interface)."""
    st = exit_status(s)
    if st not in status_ok:
        raise Failure(f"exit status {st}, expected one of {sorted(status_ok)}", s)
    modes = stty_modes(s)
    for mode in ("icanon", "echo"):
        if mode not in modes or "-" + mode in modes:
            raise Failure(f"terminal not restored: stty -a lacks {mode} "
                          f"({'-' + mode if '-' + mode in modes else 'missing'})", s)
    if p.fmt("#{alternate_on}") != "0":
        raise Failure("the pane is still on the alternate screen", s)
    for remnant in ("exclab \u00b7", "console \u2500", "[space]", "Python heap"):
        if remnant in s:
            raise Failure(f"interface remnant {remnant!r} on the screen after exit", s)


# --- the cases ---------------------------------------------------------------

def case_start(tmp):
    """80x24: title, gauges, and a status line that says what space does."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready, why="lesson 1 never became ready for step 1")
        top = s.split("\n")[0]
        if TITLE not in top or "exclab" not in top:
            raise Failure("the title line does not name exclab and the lesson", s)
        for label in ("Python heap", "Process RSS", "Traceback chain", "Frames kept", "console"):
            if label not in s:
                raise Failure(f"{label!r} not on screen", s)
        st = status_line(s)
        if not re.match(r"^ (WAITING|READY) +\[space\] run step 1/6: Raise", st):
            raise Failure(f"status line does not invite space for step 1: {st!r}", s)
        if "page 1/6" not in s:
            raise Failure("no page indicator 1/6", s)
    finally:
        p.close()


def case_step1(tmp):
    """Space runs step 1: chain 0 -> 200, the heap grows by the 100 payloads."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready)
        heap0, chain0 = gauge_bytes(s, "Python heap"), gauge_count(s, "Traceback chain")
        if chain0 != 0:
            raise Failure(f"Traceback chain reads {chain0} before step 1, expected 0", s)
        p.keys("Space")
        s = p.wait_for(lambda s: "[space] go on" in status_line(s) and
                       gauge_count(s, "Traceback chain") == 200,
                       timeout=30, why="step 1 never finished with the chain at 200")
        heap1 = gauge_bytes(s, "Python heap")
        # 100 raises, each keeping a 500 KB local alive: about 50 MB.
        if heap1 is None or heap1 - heap0 < 40e6:
            raise Failure(f"heap went {heap0:.0f} -> {heap1} bytes; expected +40 MB or more", s)
        if not re.search(r"^ \u2713 chain: \+2 entries per raise", s, re.M):
            raise Failure("no \u2713 check line for the chain in the console", s)
        if "\u2717" in s:
            raise Failure("a \u2717 on screen after step 1", s)
    finally:
        p.close()


def case_help(tmp):
    """? opens the key list over the lesson; any key closes it."""
    p = exclab_pane()
    try:
        before = p.wait_for(ready)
        p.keys("?")
        s = p.wait_for("Press any key to close.", why="? did not open the help")
        for text in ("Keys", "run all remaining steps", "stop the running step",
                     "quit (stops a running step first)"):
            if text not in s:
                raise Failure(f"help lacks {text!r}", s)
        p.keys("x")
        s = p.wait_for(lambda s: "Press any key to close." not in s,
                       why="x did not close the help")
        if "Keys" in s or "run all remaining steps" in s:
            raise Failure("help remnants after closing", s)
        # x only closed the help: the scenario did not move.
        if status_line(s) != status_line(before):
            raise Failure(f"status changed: {status_line(before)!r} -> {status_line(s)!r}", s)
    finally:
        p.close()


def lesson_top(s):
    """The lesson pane's first line (left of the split)."""
    return s.split("\n")[1].split("\u2502")[0].strip()


def case_pages(tmp):
    """n and p move between the lesson's pages."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready)
        first = lesson_top(s)
        p.keys("n")
        s = p.wait_for("page 2/6", why="n did not go to page 2/6")
        if lesson_top(s) == first or "page 1/6" in s:
            raise Failure("page 2 still shows page 1's heading", s)
        p.keys("p")
        s = p.wait_for("page 1/6", why="p did not go back to page 1/6")
        if lesson_top(s) != first:
            raise Failure(f"back on page 1 the heading is {lesson_top(s)!r}, not {first!r}", s)
    finally:
        p.close()


def case_resize(tmp):
    """Below 80x24 a message names the minimum; keys wait; 80x24 restores."""
    p = exclab_pane()
    try:
        p.wait_for(ready)
        p.resize(60, 20)
        s = p.wait_for(lambda s: "exclab needs at least 80x24; this terminal is 60x20." in flat(s),
                       why="no too-small message naming 80x24 and 60x20")
        if TITLE in s or "Python heap" in s:
            raise Failure("the lesson is still drawn under the too-small message", s)
        p.keys("Space")   # ignored while too small: no step may start
        # Read before the resize back, or ncurses would hand it over after.
        p.wait_keys_read()
        p.resize(W, H)
        s = p.wait_for(lambda s: TITLE in s and "Python heap" in s and "page 1/6" in s,
                       why="resizing back to 80x24 did not restore the lesson")
        if "needs at least" in s:
            raise Failure("the too-small message stayed", s)
        if "run step 1/6" not in status_line(s) or gauge_count(s, "Traceback chain") != 0:
            raise Failure("space pressed while too small started the step", s)
    finally:
        p.close()


def case_run_all(tmp):
    """a runs every step: 17 checks pass, and no ✗ anywhere in the console."""
    p = exclab_pane()
    try:
        p.wait_for(ready)
        p.keys("a")
        s = p.wait_for("Scenario finished:", timeout=60, why="the scenario never finished")
        if "Scenario finished: 17 checks passed, 0 failed." not in s:
            raise Failure("not 17 checks passed, 0 failed", s)
        if not re.match(r"^ DONE +\[r\] run again \(17 passed, 0 failed\)", status_line(s)):
            raise Failure(f"status line: {status_line(s)!r}", s)
        # Scroll the whole console back with [ and look at every line.
        seen, steps = [s], set()
        while True:
            steps.update(re.findall(r"\u25b6 Step (\d)/6", s))
            if "\u2717" in s:
                raise Failure("a \u2717 in the console", s)
            if len(seen) > 60:
                raise Failure("[ kept scrolling the console for 60 presses", s)
            p.keys("[")
            new = p.wait_change(s, timeout=1.5)
            if new == s:
                break
            s = new
            seen.append(s)
        if steps != set("123456"):
            raise Failure(f"scrolling back showed steps {sorted(steps)} only", s)
    finally:
        p.close()


def case_stop(tmp):
    """A Python loop that never ends: s, and Ctrl-C, stop it; exclab lives on."""
    path = os.path.join(tmp, "loop.lua")
    with open(path, "w") as f:
        f.write(LOOP_SCENARIO)
    p = exclab_pane("run", path)
    try:
        for how, key in (("s", "s"), ("Ctrl-C", "C-c")):
            p.wait_for(lambda s: "[space] run step 1/1: Spin forever" in status_line(s),
                       why=f"before {how}: not waiting for step 1/1")
            p.keys("Space")
            p.wait_for(lambda s: status_line(s).startswith(" RUNNING  [s] stop step 1/1"),
                       why=f"before {how}: the step did not start running")
            time.sleep(0.3)   # well inside the while loop
            t0 = time.monotonic()
            p.keys(key)
            s = p.wait_for(lambda s: status_line(s).startswith(" STOPPED"), timeout=10,
                           why=f"{how} did not stop the running step")
            took = time.monotonic() - t0
            if "Stopped: stopped by the learner (KeyboardInterrupt)" not in s:
                raise Failure(f"after {how}: no 'stopped by the learner (KeyboardInterrupt)'", s)
            if took > 3:
                raise Failure(f"{how} took {took:.1f} s to stop the loop", s)
            if p.fmt("#{pane_dead}") != "0":
                raise Failure(f"exclab exited after {how}", s)
            p.keys("?")
            s = p.wait_for("Press any key to close.", why=f"after {how}: ? shows no help")
            p.keys("Escape")
            p.wait_for(lambda s: "Press any key" not in s, why="help did not close")
            p.keys("r")   # fresh state for the next way of stopping
    finally:
        p.close()


def sgr_colours(s):
    """Colour parameters (not attributes, not default-colour resets) in SGR sequences."""
    found = []
    for params in re.findall(r"\x1b\[([0-9;:]*)m", s):
        for n in re.split(r"[;:]", params):
            if n and (30 <= int(n) <= 38 or 40 <= int(n) <= 48 or
                      90 <= int(n) <= 97 or 100 <= int(n) <= 107):
                found.append(n)
    return found


def case_ascii(tmp):
    """NO_COLOR=1 LC_ALL=C: only ASCII on screen, no colours, checks in words."""
    p = exclab_pane(env="NO_COLOR=1 LC_ALL=C")
    try:
        s = p.wait_for(lambda s: "[space] run step 1/6" in s,
                       why="lesson 1 never became ready in the C locale")
        if TITLE not in s.split("\n")[0]:
            raise Failure("no title in the C locale", s)
        odd = sorted({c for c in s if ord(c) > 127})
        if odd:
            raise Failure(f"non-ASCII characters on screen: {' '.join(odd)}", s)
        if not re.search(r"^-- console -+\+-+$", s, re.M) or not re.search(r" \| Python heap", s):
            raise Failure("no ASCII rules (| between lesson and gauges, -- console --+--)", s)
        colours = sgr_colours(p.screen(escapes=True))
        if colours:
            raise Failure(f"NO_COLOR set, yet colour SGR parameters {sorted(set(colours))}", s)
        p.keys("Space")
        s = p.wait_for(lambda s: "[space] go on" in status_line(s), timeout=30,
                       why="step 1 did not finish in the C locale")
        if not re.search(r"^ OK chain: \+2 entries per raise", s, re.M):
            raise Failure("check lines do not read 'OK ...' in ASCII", s)
        if not re.search(r"^ \[#+ *\]$", s.split("\n")[2].split("|")[-1]):
            raise Failure("heap bar is not drawn with #", s)
        odd = sorted({c for c in s if ord(c) > 127})
        if odd:
            raise Failure(f"non-ASCII characters after step 1: {' '.join(odd)}", s)
    finally:
        p.close()


def case_quit(tmp):
    """q exits with status 0 and gives the terminal back as it was."""
    pidfile = os.path.join(tmp, "quit.pid")
    p = exclab_pane(wrapper=pidfile)
    try:
        p.wait_for(ready)
        p.keys("q")
        s = p.wait_for(lambda s: "STTY" in s and "icanon" in s, timeout=15,
                       why="q did not end exclab")
        check_restored(p, s, {0})
    finally:
        p.close()


def signal_case(tmp, sig, status_ok, scenario=None, crash_msg=False):
    pidfile = os.path.join(tmp, f"sig{int(sig)}.pid")
    p = exclab_pane(*(("run", scenario) if scenario else ()), wrapper=pidfile)
    try:
        if scenario:
            p.wait_for("[space] run step 1/1")
            p.keys("Space")
            p.wait_for(lambda s: status_line(s).startswith(" RUNNING"),
                       why="the loop did not start")
        else:
            p.wait_for(ready)
        with open(pidfile) as f:
            pid = int(f.read())
        os.kill(pid, sig)
        s = p.wait_for(lambda s: "STTY" in s and "icanon" in s, timeout=15,
                       why=f"{sig.name} did not end exclab")
        check_restored(p, s, status_ok)
        if crash_msg and "exclab crashed; the terminal has been restored." not in flat(s):
            raise Failure("no crash message", s)
        if not crash_msg and "crashed" in s:
            raise Failure(f"a crash message after {sig.name}", s)
    finally:
        p.close()


def case_sigterm(tmp):
    """SIGTERM while idle: a clean exit and a restored terminal."""
    # Exiting 0 (what exclab does) or 128+15 are both fair; a crash is not.
    signal_case(tmp, signal.SIGTERM, {0, 143})


def case_sigterm_running(tmp):
    """SIGTERM while a Python loop runs: Python is stopped, exclab exits cleanly."""
    path = os.path.join(tmp, "loop.lua")
    with open(path, "w") as f:
        f.write(LOOP_SCENARIO)
    signal_case(tmp, signal.SIGTERM, {0, 143}, scenario=path)


def case_sigsegv(tmp):
    """SIGSEGV: the crash handler restores the tty, says so, and dies of the signal."""
    signal_case(tmp, signal.SIGSEGV, {128 + signal.SIGSEGV}, crash_msg=True)


CASES = [
    ("start", case_start),
    ("step1", case_step1),
    ("help", case_help),
    ("pages", case_pages),
    ("resize", case_resize),
    ("run-all", case_run_all),
    ("stop", case_stop),
    ("ascii", case_ascii),
    ("quit", case_quit),
    ("sigterm", case_sigterm),
    ("sigterm-running", case_sigterm_running),
    ("sigsegv", case_sigsegv),
]


def main():
    if EXCLAB is None:
        print(__doc__.strip().splitlines()[-1])
        return 2
    if shutil.which("tmux") is None:
        print("FAIL setup: tmux is not installed")
        return 1
    failed = 0
    tmp = tempfile.mkdtemp(prefix="exclab-tui-")
    t_all = time.monotonic()
    try:
        # A session that keeps the server up while cases come and go, and
        # panes that stay (dead) when their command ends, to show what it left.
        tmux("new-session", "-d", "-s", "keep", "-x", str(W), "-y", str(H), "sleep 100000")
        tmux("set-option", "-g", "remain-on-exit", "on")
        for name, fn in CASES:
            t0 = time.monotonic()
            try:
                fn(tmp)
                print(f"ok {name} ({time.monotonic() - t0:.1f}s)", flush=True)
            except Failure as e:
                failed += 1
                screen = e.screen if e.screen is not None else ""
                print(f"FAIL {name}: {e}\n--- screen ---\n{screen.rstrip()}\n--------------",
                      flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {name}: {traceback.format_exc()}", flush=True)
    finally:
        sock = tmux("display-message", "-p", "#{socket_path}", check=False).strip()
        tmux("kill-server", check=False)
        if sock.endswith(SOCKET):   # the server leaves its socket file behind
            try:
                os.unlink(sock)
            except OSError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(CASES) - failed}/{len(CASES)} passed in {time.monotonic() - t_all:.1f}s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
