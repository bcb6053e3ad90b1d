"""The terminal tests' harness: exclab in tmux panes of fixed sizes, keys in
with send-keys, the screen out with capture-pane.

One tmux server per Server (its own socket), started with an environment
of its own: a UTF-8 locale, no NO_COLOR, and HOME and the XDG folders in a
temp folder of the server's, so exclab never reads or writes the user's
progress or exercise copies. Cases that want another locale or colour say
so on their own command line.

Every wait polls the screen against a deadline, so a slow machine only
makes the cases slower, and a case that never reaches its screen fails
with the last screen it saw. run() runs a script's cases and prints, for
each, "ok NAME (time)" or "FAIL NAME: why" and that screen.

Screen helpers (status_line, gauges, the console, the Predict panel) read
what a learner would read; check_restored() checks how exclab left the
terminal when it ended in a wrapper pane.
"""
import array
import fcntl
import os
import re
import shutil
import subprocess
import sys
import tempfile
import termios
import time
import traceback

ROOT = os.getcwd()
W, H = 80, 24
UNITS = {"B": 1, "KB": 1000, "MB": 1000 ** 2, "GB": 1000 ** 3, "TB": 1000 ** 4}


class Failure(Exception):
    def __init__(self, why, screen=None):
        super().__init__(why)
        self.screen = screen


def q(s):
    """Quote for the pane's sh -c."""
    return "'" + s.replace("'", "'\\''") + "'"


class Server:
    """A tmux server of the test's own, and the learner's temp home.

    `tmp` is a scratch folder for the case's files; `home`, `state` and
    `data` are HOME, XDG_STATE_HOME and XDG_DATA_HOME (progress is kept in
    state/exclab/progress.json, working copies in data/exclab/work/)."""

    def __init__(self, exclab, name, w=W, h=H, env=None):
        self.exclab = exclab
        self.w, self.h = w, h
        self.socket = f"exclab-{name}-{os.getpid()}"
        self.tmp = tempfile.mkdtemp(prefix=f"exclab-{name}-")
        self.home = os.path.join(self.tmp, "home")
        self.state = os.path.join(self.tmp, "state")
        self.data = os.path.join(self.tmp, "data")
        os.makedirs(self.home)
        self.progress = os.path.join(self.state, "exclab", "progress.json")
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("NO_COLOR", "LANG", "LANGUAGE", "EDITOR", "VISUAL")
                    and not k.startswith(("LC_", "XDG_"))}
        self.env.update(LC_ALL="C.UTF-8", SHELL="/bin/sh", HOME=self.home,
                        XDG_STATE_HOME=self.state, XDG_DATA_HOME=self.data,
                        XDG_CONFIG_HOME=os.path.join(self.tmp, "config"),
                        XDG_CACHE_HOME=os.path.join(self.tmp, "cache"))
        self.env.update(env or {})
        self.count = 0
        self.last = ""          # the last screen any of its panes showed

    def tmux(self, *args, check=True):
        proc = subprocess.run(["tmux", "-u", "-f", "/dev/null", "-L", self.socket, *args],
                              capture_output=True, text=True, env=self.env, timeout=20)
        if check and proc.returncode != 0:
            raise Failure(f"tmux {' '.join(args)} failed ({proc.returncode}): "
                          f"{proc.stderr.strip()}", self.last or None)
        return proc.stdout

    def start(self):
        """A session that keeps the server up while cases come and go, and
        panes that stay (dead) when their command ends, to show what it left."""
        self.tmux("new-session", "-d", "-s", "keep", "-x", str(self.w), "-y", str(self.h),
                  "sleep 100000")
        self.tmux("set-option", "-g", "remain-on-exit", "on")
        return self

    def stop(self):
        sock = self.tmux("display-message", "-p", "#{socket_path}", check=False).strip()
        self.tmux("kill-server", check=False)
        if sock.endswith(self.socket):   # the server leaves its socket file behind
            try:
                os.unlink(sock)
            except OSError:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def pane(self, command, w=None, h=None):
        return Pane(self, command, w or self.w, h or self.h)

    def exclab_pane(self, *args, env="", w=None, h=None, wrapper=False):
        """exclab ARGS in a pane. With `wrapper` (a path), the pane records
        exclab's pid there, then shows its exit status and the terminal's
        modes after it ends (see check_restored)."""
        cmd = " ".join([q(self.exclab), *map(q, args)])
        if env:
            cmd = f"env {env} {cmd}"
        if wrapper:
            cmd = (f"sh -c {q('echo $$ > ' + q(wrapper) + '; exec ' + cmd)}; "
                   "echo EXITED $?; echo STTY; stty -a; sleep 60")
        return self.pane(cmd, w, h)

    def write(self, name, text):
        """A file in the scratch folder (a scenario, an editor script); its path."""
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return path


class Pane:
    """One tmux session running one command in a WxH window."""

    def __init__(self, server, command, w=W, h=H):
        self.server = server
        server.count += 1
        self.name = f"t{server.count}"
        server.tmux("new-session", "-d", "-s", self.name, "-x", str(w), "-y", str(h),
                    "-c", ROOT, command)
        self.last = ""

    def screen(self, escapes=False):
        args = ["capture-pane", "-p", "-t", self.name]
        if escapes:
            args.insert(1, "-e")
        text = self.server.tmux(*args, check=False)
        if not escapes:
            self.last = self.server.last = text
        return text

    def fmt(self, f):
        return self.server.tmux("display-message", "-p", "-t", self.name, f).strip()

    def keys(self, *keys):
        self.server.tmux("send-keys", "-t", self.name, *keys)

    def resize(self, w, h):
        self.server.tmux("resize-window", "-t", self.name, "-x", str(w), "-y", str(h))

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

    def settled(self, escapes=False, timeout=2.0):
        """The screen once two captures 0.15 s apart agree: never a frame
        half drawn."""
        before = self.screen(escapes)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            time.sleep(0.15)
            now = self.screen(escapes)
            if now == before:
                return now
            before = now
        return before

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
        self.server.tmux("kill-session", "-t", self.name, check=False)


# --- reading the screen ------------------------------------------------------

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


# While the scenario loads, the status line reads "run step 1/0:" with no
# title: only a count and a title say it has loaded.
STEP1 = re.compile(r"\[space\] run step 1/([1-9]\d*): \S")


def step_count(s):
    """N in the status line's "run step 1/N: title"."""
    m = STEP1.search(status_line(s))
    if m is None:
        raise Failure("no 'run step 1/N: ...' in the status line", s)
    return int(m.group(1))


def page_count(s):
    """N in the lesson pane's "page 1/N"."""
    m = re.search(r"page 1/(\d+)", s)
    if m is None:
        raise Failure("no 'page 1/N' indicator", s)
    return int(m.group(1))


PREDICT_TITLE = " Predict "


def asking(s, key="[0-9]"):
    """The Predict panel is up and the status line asks for a prediction."""
    return (PREDICT_TITLE in s and
            f"{key} your prediction: " in status_line(s))


def console_rows(s):
    """The console's rows on this screen: between its rule and the status line."""
    lines = s.rstrip("\n").split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^(\u2500\u2500|--) console ", line):
            return lines[i + 1:-1]
    raise Failure("no console rule on the screen", s)


def above_console(s):
    """The screen above the console's rule: the lesson or graph and the gauges."""
    lines = s.rstrip("\n").split("\n")
    for i, line in enumerate(lines):
        if re.match(r"^(\u2500\u2500|--) console ", line):
            return "\n".join(lines[:i])
    raise Failure("no console rule on the screen", s)


def console_transcript(p, s):
    """Every console row, oldest first: scroll back with [ to the top,
    stitching each screen onto the rows already seen. [ scrolls half the
    console's height;
    the last press may scroll fewer (clamped at the top), and a scrolled
    console draws a hint over its bottom row, so that row is never used.
    Only the console's rows are compared: the gauges keep moving."""
    def settled(old_rows, timeout):
        """The console's rows once they differ from `old_rows` and two
        captures agree (never a frame half drawn); None if they never do."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = console_rows(p.screen())
            if rows != old_rows:
                time.sleep(0.1)
                again = console_rows(p.screen())
                if again == rows:
                    return rows
                continue
            time.sleep(0.05)
        return None

    rows = console_rows(s)
    h = len(rows)
    step = h // 2 if h > 3 else 1
    if h <= step + 1:
        raise Failure(f"a console of {h} rows cannot be stitched", s)
    seen, win = list(rows), rows
    for _ in range(400):
        p.keys("[")
        new = settled(win, 1.5)
        if new is None:
            return seen   # the top: [ moves it no further
        if len(new) != h:
            raise Failure(f"the console changed height while scrolling ({h} -> {len(new)})",
                          p.last)
        for d in [step] + list(range(1, step)):
            if new[d:h - 1] == seen[:h - 1 - d]:
                seen = new[:d] + seen
                break
        else:
            raise Failure("a scrolled console screen does not continue the one before",
                          "\n".join(["--- before:", *win, "--- after [:", *new]))
        win = new
    raise Failure("[ kept scrolling the console for 400 presses", p.last)


def run_all_skipping(p, timeout=90):
    """a runs the remaining steps; each prediction it still asks is skipped
    with Esc. Returns (the screen once "Scenario finished" shows, how many
    predictions were skipped)."""
    p.keys("a")
    skipped = 0
    deadline = time.monotonic() + timeout
    s = p.screen()
    while "Scenario finished" not in s:
        s = p.wait_for(lambda s: " Predict " in s or "Scenario finished" in s,
                       timeout=max(1.0, deadline - time.monotonic()),
                       why="the scenario never finished, nor asked a prediction")
        if "Scenario finished" in s:
            break
        asked = status_line(s)
        p.keys("Escape")
        skipped += 1
        s = p.wait_for(lambda s: status_line(s) != asked, why="Esc did not skip the prediction")
    return s, skipped


# --- how exclab left the terminal --------------------------------------------

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


# --- running the cases --------------------------------------------------------

def run(doc, cases, name, w=W, h=H, env=None, server_per_case=False, setup=None):
    """Run `cases` ((name, fn(server)) pairs) against the exclab in argv[1];
    the exit status for sys.exit. One server for all the cases, or, with
    `server_per_case`, a fresh server and home for each. `setup(server)`
    runs before a server starts (its env is then the panes'). A case's
    return value, if any, is printed after its "ok"."""
    if len(sys.argv) < 2:
        print(doc.strip().splitlines()[-1])
        return 2
    if shutil.which("tmux") is None:
        print("FAIL setup: tmux is not installed")
        return 1
    exclab = os.path.abspath(sys.argv[1])
    failed = 0
    t_all = time.monotonic()
    server = None
    try:
        for case, fn in cases:
            if server is None:
                server = Server(exclab, name, w, h, env)
                try:
                    if setup is not None:
                        setup(server)
                    server.start()
                except Exception as e:
                    why = str(e) if isinstance(e, Failure) else traceback.format_exc()
                    print(f"FAIL setup: the tmux server did not start: {why}", flush=True)
                    return 1
            t0 = time.monotonic()
            try:
                note = fn(server)
                note = f" {note}" if note else ""
                print(f"ok {case} ({time.monotonic() - t0:.1f}s){note}", flush=True)
            except Failure as e:
                failed += 1
                screen = e.screen if e.screen is not None else server.last
                print(f"FAIL {case}: {e}\n--- screen ---\n{screen.rstrip()}\n--------------",
                      flush=True)
            except Exception:
                failed += 1
                print(f"FAIL {case}: {traceback.format_exc()}--- screen ---\n"
                      f"{server.last.rstrip()}\n--------------", flush=True)
            if server_per_case:
                server.stop()
                server = None
    finally:
        if server is not None:
            server.stop()
    print(f"{len(cases) - failed}/{len(cases)} passed in {time.monotonic() - t_all:.1f}s")
    return 1 if failed else 0
