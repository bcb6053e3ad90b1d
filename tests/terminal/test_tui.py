"""The interface in a real terminal: exclab runs in tmux panes of fixed sizes,
keys go in with send-keys, and each case asserts what a learner would see on
the screen (capture-pane), plus how the terminal is left when exclab exits.
The harness (tmux, panes, waits, screen helpers, the private home) is
harness.py's.

Every wait polls the screen against a deadline, so a slow machine only makes
the cases slower, and a case that never reaches its screen fails with the last
screen it saw.

usage: test_tui.py EXCLAB   (run from the project root, as meson does)
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (PREDICT_TITLE, STEP1, W, H, Failure, asking,  # noqa: E402
                     check_restored, console_rows, console_transcript, flat,
                     run_all_skipping,
                     gauge_bytes, gauge_count, page_count, run, status_line, step_count)

TITLE = "Reusing one exception instance"
LESSON = "lessons/02-reusing-an-exception.md"

# A step that never ends on its own: real work in the loop, so the
# KeyboardInterrupt is checked between bytecodes.
LOOP_SCENARIO = """\
scenario { title = "Endless loop", time_limit = 60 }
step("Spin forever", function()
  py.exec("n = 0\\nwhile True:\\n    n += 1\\n")
end)
"""


def exclab_pane(srv, *args, **kw):
    """exclab in a pane of the server: the lesson these cases read, whatever
    comes first in the course, unless other arguments are given."""
    return srv.exclab_pane(*(args or (LESSON,)), **kw)


def ready(s):
    """The lesson loaded, its scenario waiting for step 1, the gauges read."""
    return (STEP1.search(status_line(s)) is not None and
            gauge_bytes(s, "Python heap") is not None and
            gauge_count(s, "Traceback chain") is not None)


# --- the cases ---------------------------------------------------------------

def case_start(srv):
    """80x24: title, gauges, and a status line that says what space does."""
    p = exclab_pane(srv)
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


def case_step1(srv):
    """Space runs step 1: the learner predicts the chain's length (200, typed
    in), then chain 0 -> 200, the heap grows by the 100 payloads, and the
    console sets the prediction beside the measurement."""
    p = exclab_pane(srv)
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
        if not re.search(r"^ \u25c6 You predicted 200: measured 200\. Right\.$", s, re.M):
            raise Failure("no '\u25c6 You predicted 200: measured 200. Right.' in the console", s)
        heap1 = gauge_bytes(s, "Python heap")
        # 100 raises, each keeping a 500 KB local alive: about 50 MB.
        if heap1 is None or heap1 - heap0 < 40e6:
            raise Failure(f"heap went {heap0:.0f} -> {heap1} bytes; expected +40 MB or more", s)
        if not re.search(r"^ \u2713 chain: \+2 entries per raise", "\n".join(console_transcript(p, s)),
                         re.M):
            raise Failure("no \u2713 check line for the chain in the console", s)
        if "\u2717" in s:
            raise Failure("a \u2717 on screen after step 1", s)
    finally:
        p.close()


def case_help(srv):
    """? opens the key list over the lesson; any key closes it."""
    p = exclab_pane(srv)
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


def case_pages(srv):
    """n and p move between the lesson's pages."""
    p = exclab_pane(srv)
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


def case_resize(srv):
    """Below 80x24 a message names the minimum; keys wait; 80x24 restores."""
    p = exclab_pane(srv)
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


def case_run_all(srv):
    """a runs every step, but still asks each prediction (one nobody saw is
    never scored); skipping each with Esc: every check passes, the count in
    "N passed" is the number of \u2713 lines in the console, every step 1..N
    ran, and every prediction skipped was revealed as "Measured:"."""
    p = exclab_pane(srv)
    try:
        s = p.wait_for(ready)
        n = step_count(s)
        s, skipped = run_all_skipping(p)
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
            raise Failure("a prediction skipped with Esc was scored", text)
        checks = [r for r in rows if r.startswith(" \u2713 ")]
        if len(checks) != passed:
            raise Failure(f"{len(checks)} \u2713 check lines in the console, "
                          f"but the scenario says {passed} passed", text)
        steps = re.findall(r"^ \u25b6 Step (\d+)/(\d+): ", text, re.M)
        if [int(i) for i, _ in steps] != list(range(1, n + 1)) or {t for _, t in steps} != {str(n)}:
            raise Failure(f"the console shows steps {steps}, not 1..{n} of {n} in order", text)
        measured = [r for r in rows
                    if re.match(r"^ \u25c7 Measured: \S.* \(you skipped the prediction\)\.$", r)]
        if not skipped or len(measured) != skipped:
            raise Failure(f"{skipped} predictions skipped, {len(measured)} 'Measured:' lines", text)
    finally:
        p.close()


def case_stop(srv):
    """A Python loop that never ends: s, and Ctrl-C, stop it; exclab lives on."""
    path = os.path.join(srv.tmp, "loop.lua")
    with open(path, "w") as f:
        f.write(LOOP_SCENARIO)
    p = exclab_pane(srv, "run", path)
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


def case_ascii(srv):
    """NO_COLOR=1 LC_ALL=C: only ASCII on screen (the Predict panel too), no
    colours, checks in words; step 1's prediction skipped with Esc."""
    p = exclab_pane(srv, env="NO_COLOR=1 LC_ALL=C")
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
        m = re.search(r"^ - Measured: (\d+) \(you skipped the prediction\)\.$", s, re.M)
        if m is None or "You predicted" in s:
            raise Failure("a skipped prediction does not read 'Measured: N'", s)
        if int(m.group(1)) != gauge_count(s, "Traceback chain"):
            raise Failure(f"'Measured: {m.group(1)}' is not the chain gauge's reading", s)
        if not re.search(r"^ OK chain: \+2 entries per raise", "\n".join(console_transcript(p, s)),
                         re.M):
            raise Failure("check lines do not read 'OK ...' in ASCII", s)
        if not re.search(r"^ \[#+ *\] /", s.split("\n")[2].split("|")[-1]):
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


def case_predict(srv):
    """The Predict panel: the question and its numbered choices; keys outside
    1..N (and space, a) do nothing; a wrong choice reads \u2717; Esc skips."""
    path = os.path.join(srv.tmp, "predict.lua")
    with open(path, "w") as f:
        f.write(PREDICT_SCENARIO)
    p = exclab_pane(srv, "run", path)
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
        p.keys("1", "Enter")   # "2": wrong; the Enter typed after it must not run step 2
        s = p.wait_for(lambda s: "[space] run step 2/2" in status_line(s),
                       why="choice 1 did not answer the question")
        p.wait_keys_read()
        time.sleep(0.3)   # a frame after the Enter
        s = p.screen()
        if "[space] run step 2/2" not in status_line(s) or asking(s, "[0-9]"):
            raise Failure("the Enter after a choice also ran the next step", s)
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after the answer", s)
        if not re.search(r"^ \u25c7 You predicted 2; measured 4\.$", s, re.M):
            raise Failure("no '\u25c7 You predicted 2; measured 4.' for the wrong choice", s)
        p.keys("Space")
        s = p.wait_for(lambda s: asking(s, "[0-9]"),
                       why="step 2 did not ask for a number")
        p.keys("4", "x")
        p.wait_for("Your answer: 4_", why="the typed 4 is not echoed (or x was taken)")
        p.keys("Escape")
        s = p.wait_for("Scenario finished:", why="Esc did not skip step 2's prediction")
        if PREDICT_TITLE in s:
            raise Failure("the Predict panel stayed after Esc", s)
        if (not re.search(r"^ \u25c7 Measured: 42 \(you skipped the prediction\)\.$", s, re.M)
                or "You predicted 4" in s):
            raise Failure("the skipped prediction does not read 'Measured: 42'", s)
    finally:
        p.close()


def case_quit(srv):
    """q exits with status 0 and gives the terminal back as it was."""
    pidfile = os.path.join(srv.tmp, "quit.pid")
    p = exclab_pane(srv, wrapper=pidfile)
    try:
        p.wait_for(ready)
        p.keys("q")
        s = p.wait_for(lambda s: "STTY" in s and "icanon" in s, timeout=15,
                       why="q did not end exclab")
        check_restored(p, s, {0})
    finally:
        p.close()


def signal_case(srv, sig, status_ok, scenario=None, crash_msg=False):
    pidfile = os.path.join(srv.tmp, f"sig{int(sig)}.pid")
    p = exclab_pane(srv, *(("run", scenario) if scenario else ()), wrapper=pidfile)
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


def case_sigterm(srv):
    """SIGTERM while idle: a clean exit and a restored terminal."""
    # Exiting 0 (what exclab does) or 128+15 are both fair; a crash is not.
    signal_case(srv, signal.SIGTERM, {0, 143})


def case_sigterm_running(srv):
    """SIGTERM while a Python loop runs: Python is stopped, exclab exits cleanly."""
    path = os.path.join(srv.tmp, "loop.lua")
    with open(path, "w") as f:
        f.write(LOOP_SCENARIO)
    signal_case(srv, signal.SIGTERM, {0, 143}, scenario=path)


def case_sigsegv(srv):
    """SIGSEGV: the crash handler restores the tty, says so, and dies of the signal."""
    signal_case(srv, signal.SIGSEGV, {128 + signal.SIGSEGV}, crash_msg=True)


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
    return run(__doc__, CASES, "test")


if __name__ == "__main__":
    sys.exit(main())
