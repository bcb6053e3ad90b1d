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
import atexit
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
# Progress and exercise copies go to a folder of the test's own, never the
# user's home (exclab saves progress as the learner goes).
_HOME = tempfile.mkdtemp(prefix="exclab-test-home-")
atexit.register(shutil.rmtree, _HOME, True)
ENV.update(HOME=_HOME, XDG_STATE_HOME=os.path.join(_HOME, "state"),
           XDG_DATA_HOME=os.path.join(_HOME, "data"))

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


# While the scenario loads, the status line reads "run step 1/0:" with no
# title: only a count and a title say it has loaded.
STEP1 = re.compile(r"\[space\] run step 1/([1-9]\d*): \S")


def ready(s):
    """Lesson 1 loaded, its scenario waiting for step 1, the gauges read."""
    return (STEP1.search(status_line(s)) is not None and
            gauge_bytes(s, "Python heap") is not None and
            gauge_count(s, "Traceback chain") is not None)


# Counts the lesson author may change (steps, pages, checks) are read from the
# screen, never written here.
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


def console_transcript(p, s, step=3):
    """Every console row, oldest first: scroll back with [ to the top,
    stitching each screen onto the rows already seen. [ scrolls `step` rows;
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
        if not re.match(r"^ (WAITING|READY) +\[space\] run step 1/\d+: Raise", st):
            raise Failure(f"status line does not invite space for step 1: {st!r}", s)
        if step_count(s) < 2:
            raise Failure(f"the scenario has {step_count(s)} step(s)", s)
        if page_count(s) < 2:
            raise Failure(f"the lesson has {page_count(s)} page(s)", s)
    finally:
        p.close()


def case_step1(tmp):
    """Space runs step 1: the learner predicts the chain's length (200, typed
    in), then chain 0 -> 200, the heap grows by the 100 payloads, and the
    console sets the prediction beside the measurement."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready)
        n = step_count(s)
        heap0, chain0 = gauge_bytes(s, "Python heap"), gauge_count(s, "Traceback chain")
        if chain0 != 0:
            raise Failure(f"Traceback chain reads {chain0} before step 1, expected 0", s)
        p.keys("Space")
        s = p.wait_for(lambda s: asking(s, "[0-9]"), timeout=30,
                       why="step 1 never asked for a number prediction")
        if "Type a number, then Enter. Esc to skip." not in s:
            raise Failure("the Predict panel does not say how to answer", s)
        if "chain:" in "\n".join(console_rows(s)):
            raise Failure("step 1's result is on screen before the prediction", s)
        p.keys("2", "0", "0")
        p.wait_for("Your answer: 200_", why="the typed 200 is not echoed in the panel")
        p.keys("Enter")
        s = p.wait_for(lambda s: f"[space] run step 2/{n}" in status_line(s) and
                       gauge_count(s, "Traceback chain") == 200,
                       timeout=30, why="step 1 never finished with the chain at 200")
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after the answer", s)
        if not re.search(r"^ \u2713 You predicted 200: measured 200$", s, re.M):
            raise Failure("no '\u2713 You predicted 200: measured 200' in the console", s)
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
        n = page_count(s)
        p.keys("n")
        s = p.wait_for(f"page 2/{n}", why=f"n did not go to page 2/{n}")
        if lesson_top(s) == first or f"page 1/{n}" in s:
            raise Failure("page 2 still shows page 1's heading", s)
        p.keys("p")
        s = p.wait_for(f"page 1/{n}", why=f"p did not go back to page 1/{n}")
        if lesson_top(s) != first:
            raise Failure(f"back on page 1 the heading is {lesson_top(s)!r}, not {first!r}", s)
    finally:
        p.close()


def case_resize(tmp):
    """Below 80x24 a message names the minimum; keys wait; 80x24 restores."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready)
        pages = page_count(s)
        p.resize(60, 20)
        s = p.wait_for(lambda s: "exclab needs at least 80x24; this terminal is 60x20." in flat(s),
                       why="no too-small message naming 80x24 and 60x20")
        if TITLE in s or "Python heap" in s:
            raise Failure("the lesson is still drawn under the too-small message", s)
        p.keys("Space")   # ignored while too small: no step may start
        # Read before the resize back, or ncurses would hand it over after.
        p.wait_keys_read()
        p.resize(W, H)
        s = p.wait_for(lambda s: TITLE in s and "Python heap" in s and f"page 1/{pages}" in s,
                       why="resizing back to 80x24 did not restore the lesson")
        if "needs at least" in s:
            raise Failure("the too-small message stayed", s)
        if "run step 1/" not in status_line(s) or gauge_count(s, "Traceback chain") != 0:
            raise Failure("space pressed while too small started the step", s)
    finally:
        p.close()


def case_run_all(tmp):
    """a runs every step, skipping the predictions: every check passes, the
    count in "N passed" is the number of \u2713 lines in the console, every
    step 1..N ran, and every prediction asked was revealed as "Measured:"."""
    p = exclab_pane()
    try:
        s = p.wait_for(ready)
        n = step_count(s)
        p.keys("a")
        s = p.wait_for("Scenario finished:", timeout=90, why="the scenario never finished")
        m = re.search(r"Scenario finished: (\d+) checks? passed, (\d+) failed\.", s)
        if m is None:
            raise Failure("no 'Scenario finished: N checks passed, M failed.'", s)
        passed, failed = int(m.group(1)), int(m.group(2))
        if failed != 0 or passed == 0:
            raise Failure(f"{passed} checks passed, {failed} failed", s)
        if not re.match(rf"^ DONE +\[r\] run again \({passed} passed, 0 failed\)", status_line(s)):
            raise Failure(f"status line: {status_line(s)!r}", s)
        # Scroll the whole console back with [ and read every line.
        rows = console_transcript(p, s)
        text = "\n".join(rows)
        if "\u2717" in text:
            raise Failure("a \u2717 in the console", text)
        if "You predicted" in text:
            raise Failure("run-all answered a prediction: it should skip them", text)
        checks = [r for r in rows if r.startswith(" \u2713 ")]
        if len(checks) != passed:
            raise Failure(f"{len(checks)} \u2713 check lines in the console, "
                          f"but the scenario says {passed} passed", text)
        steps = re.findall(r"^ \u25b6 Step (\d+)/(\d+): ", text, re.M)
        if [int(i) for i, _ in steps] != list(range(1, n + 1)) or {t for _, t in steps} != {str(n)}:
            raise Failure(f"the console shows steps {steps}, not 1..{n} of {n} in order", text)
        asked = [r for r in rows if r.startswith(" Predict: ")]
        measured = [r for r in rows if re.match(r"^ Measured: \S", r)]
        if not asked or len(measured) != len(asked):
            raise Failure(f"{len(asked)} predictions skipped, {len(measured)} 'Measured:' lines", text)
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
    """NO_COLOR=1 LC_ALL=C: only ASCII on screen (the Predict panel too), no
    colours, checks in words; step 1's prediction skipped with Esc."""
    p = exclab_pane(env="NO_COLOR=1 LC_ALL=C")
    try:
        s = p.wait_for(lambda s: STEP1.search(status_line(s)) is not None,
                       why="lesson 1 never became ready in the C locale")
        n = step_count(s)
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
        s = p.wait_for(lambda s: asking(s), timeout=30,
                       why="step 1 did not ask its prediction in the C locale")
        if not re.search(r"\+-  Predict  -+\+", s):
            raise Failure("the Predict panel is not boxed in ASCII (+- Predict --+)", s)
        odd = sorted({c for c in s if ord(c) > 127})
        if odd:
            raise Failure(f"non-ASCII characters with the Predict panel up: {' '.join(odd)}", s)
        p.keys("Escape")
        s = p.wait_for(lambda s: f"[space] run step 2/{n}" in status_line(s), timeout=30,
                       why="Esc did not skip the prediction and let step 1 finish")
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after Esc", s)
        m = re.search(r"^ Measured: (\d+)$", s, re.M)
        if m is None or "You predicted" in s:
            raise Failure("a skipped prediction does not read 'Measured: N'", s)
        if int(m.group(1)) != gauge_count(s, "Traceback chain"):
            raise Failure(f"'Measured: {m.group(1)}' is not the chain gauge's reading", s)
        if not re.search(r"^ OK chain: \+2 entries per raise", s, re.M):
            raise Failure("check lines do not read 'OK ...' in ASCII", s)
        if not re.search(r"^ \[#+ *\]$", s.split("\n")[2].split("|")[-1]):
            raise Failure("heap bar is not drawn with #", s)
        odd = sorted({c for c in s if ord(c) > 127})
        if odd:
            raise Failure(f"non-ASCII characters after step 1: {' '.join(odd)}", s)
    finally:
        p.close()


# Predictions in a scenario of its own: a question with choices, then one
# that asks for a number, each revealed against a known answer.
PREDICT_SCENARIO = """\
scenario { title = "Predictions" }
step("Pick one of three", function()
  local guess = predict { question = "Which number comes after 3?",
                          choices = { "2", "4", "6" } }
  reveal(guess, tostring(2 + 2))
end)
step("Type a number", function()
  local guess = predict { question = "How much is 6 times 7?", number = true }
  reveal(guess, 6 * 7)
end)
"""


def case_predict(tmp):
    """The Predict panel: the question and its numbered choices; keys outside
    1..N (and space, a) do nothing; a wrong choice reads \u2717; Esc skips."""
    path = os.path.join(tmp, "predict.lua")
    with open(path, "w") as f:
        f.write(PREDICT_SCENARIO)
    p = exclab_pane("run", path)
    try:
        p.wait_for(lambda s: "[space] run step 1/2: Pick one of three" in status_line(s),
                   why="the scenario never became ready for step 1/2")
        p.keys("Space")
        s = p.wait_for(lambda s: asking(s, "[1-9]"), timeout=10,
                       why="step 1 did not ask its prediction with choices")
        if "[1-9] your prediction: Which number comes after 3?" not in status_line(s):
            raise Failure(f"the status line does not ask the question: {status_line(s)!r}", s)
        panel = s.split(PREDICT_TITLE, 1)[1]
        order = [panel.find(t) for t in ("Which number comes after 3?", "[1] 2", "[2] 4",
                                         "[3] 6", "Press a number to answer, Esc to skip.")]
        if -1 in order or order != sorted(order):
            raise Failure("the panel does not show the question, then [1] 2, [2] 4, [3] 6, "
                          "then how to answer", s)
        # Outside 1..3, and keys that mean something elsewhere: all ignored.
        p.keys("4", "9", "0", "Space", "Enter", "a", "n")
        p.wait_keys_read()
        time.sleep(0.3)   # a frame after the last key
        after = p.screen()
        if not asking(after, "[1-9]") or status_line(after) != status_line(s):
            raise Failure("a key outside 1..3 changed the question", after)
        if console_rows(after) != console_rows(s):
            raise Failure("a key outside 1..3 answered or ran something", after)
        p.keys("1")   # "2": wrong
        s = p.wait_for(lambda s: "[space] run step 2/2" in status_line(s),
                       why="choice 1 did not answer the question")
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after the answer", s)
        if not re.search(r"^ \u2717 You predicted 2; measured 4$", s, re.M):
            raise Failure("no '\u2717 You predicted 2; measured 4' for the wrong choice", s)
        p.keys("Space")
        s = p.wait_for(lambda s: asking(s, "[0-9]"),
                       why="step 2 did not ask for a number")
        p.keys("4", "x")
        p.wait_for("Your answer: 4_", why="the typed 4 is not echoed (or x was taken)")
        p.keys("Escape")
        s = p.wait_for("Scenario finished:", why="Esc did not skip step 2's prediction")
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after Esc", s)
        if not re.search(r"^ Measured: 42$", s, re.M) or "You predicted 4" in s:
            raise Failure("the skipped prediction does not read 'Measured: 42'", s)
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
    ("predict", case_predict),
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
