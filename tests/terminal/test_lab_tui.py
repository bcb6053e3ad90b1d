"""The lab in a process of its own, as a learner meets it in a real terminal:
whatever the scenario's Python or Lua does, the interface stays live, says
what happened, and gives the terminal back.

Each case runs exclab in a tmux pane (harness.py), types keys, and
asserts what the screen shows, how long it took, and, where exclab exits,
the exit status and `stty -a` afterwards.

usage: test_lab_tui.py EXCLAB   (run from the project root, as meson does)
"""
import os
import re
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as t  # noqa: E402
from harness import Failure  # noqa: E402


def scenario(srv, name, python, time_limit=60):
    """A one-step scenario that runs `python` (statements) in the step."""
    return srv.write(name + ".lua",
                     f'scenario {{ title = "{name}", time_limit = {time_limit} }}\n'
                     f'step("Run it", function()\n  py.exec([[\n{python}\n]])\n'
                     f'  print("STEP ENDED")\nend)\n')


def status(s):
    return t.status_line(s)


def start_step(p):
    """Space on step 1/1, until the status line says it runs: for a step
    that does not end by itself."""
    p.wait_for(lambda s: "[space] run step 1/1: Run it" in status(s),
               why="not waiting for step 1/1")
    p.keys("Space")
    p.wait_for(lambda s: status(s).startswith(" RUNNING"), why="the step did not start")


def unwrapped(s):
    """The text with no white space: a console line wrapped mid-word reads whole."""
    return "".join(s.split())


def alive_and_helpful(p, why):
    """exclab still answers keys: ? opens the help, Esc closes it."""
    if p.fmt("#{pane_dead}") != "0":
        raise Failure(f"exclab exited {why}", p.last)
    p.keys("?")
    p.wait_for("Press any key to close.", timeout=2, why=f"{why}: ? shows no help")
    p.keys("Escape")
    p.wait_for(lambda s: "Press any key" not in s, timeout=2, why="the help did not close")


def case_sleep(srv):
    """time.sleep(1e9): Ctrl-C stops it at once (KeyboardInterrupt in the sleep)."""
    p = srv.exclab_pane("run", scenario(srv, "sleep", "import time\ntime.sleep(1e9)"))
    try:
        start_step(p)
        time.sleep(0.3)
        t0 = time.monotonic()
        p.keys("C-c")
        s = p.wait_for(lambda s: status(s).startswith(" STOPPED"), timeout=5,
                       why="Ctrl-C did not stop time.sleep")
        took = time.monotonic() - t0
        if "stopped by the learner (KeyboardInterrupt)" not in t.flat(s):
            raise Failure("no 'stopped by the learner (KeyboardInterrupt)'", s)
        if took > 1.5:
            raise Failure(f"Ctrl-C took {took:.2f} s to stop time.sleep", s)
        alive_and_helpful(p, "after stopping time.sleep")
    finally:
        p.close()


C_LOOP = "import itertools\nsum(itertools.repeat(1))"


def case_c_loop(srv):
    """A C loop that never looks at signals: s asks, and a second later the lab
    is ended; r brings a fresh lab that runs the step again."""
    p = srv.exclab_pane("run", scenario(srv, "cloop", C_LOOP))
    try:
        start_step(p)
        time.sleep(0.3)
        t0 = time.monotonic()
        p.keys("s")
        s = p.wait_for(lambda s: status(s).startswith(" STOPPED"), timeout=5,
                       why="s did not end a C loop")
        took = time.monotonic() - t0
        if "did not stop within 1 s of Ctrl-C" not in t.flat(s):
            raise Failure("no word that the lab had to be ended", s)
        if not 0.9 <= took <= 2.0:
            raise Failure(f"the lab was ended {took:.2f} s after s (grace is 1 s)", s)
        alive_and_helpful(p, "after the lab was ended")
        p.keys("r")
        start_step(p)   # a fresh lab: the step runs again
    finally:
        p.close()


def case_crash(srv):
    """A segfault in the lab is a message, not the end of exclab."""
    crash = "import ctypes\nctypes.string_at(0)"
    p = srv.exclab_pane("run", scenario(srv, "crash", crash))
    try:
        # The crash can come before a capture sees the step running, and
        # Python's fatal-error report pushes the step's first line out of
        # view: the crash report names the step that ran.
        for run in ("the first lab", "the fresh lab after r"):
            p.wait_for(lambda s: "[space] run step 1/1: Run it" in status(s),
                       why=f"{run}: not waiting for step 1/1")
            p.keys("Space")
            s = p.wait_for(lambda s: status(s).startswith(" FAILED"), timeout=10,
                           why=f"{run}: the crash was not reported")
            if "The lab crashed: killed by SIGSEGV" not in t.flat(s):
                raise Failure(f"{run}: no 'The lab crashed: killed by SIGSEGV'", s)
            if "instep1(Runit)" not in unwrapped(s):
                raise Failure(f"{run}: the crash report does not name step 1 (Run it)", s)
            alive_and_helpful(p, f"after {run} crashed")
            p.keys("r")
    finally:
        p.close()


def case_lua_c_loop(srv):
    """Lua looping inside a library call: the screen answers keys meanwhile,
    and the time limit ends the lab a second after it passes."""
    path = srv.write("luafind.lua",
                     'scenario { title = "luafind", time_limit = 1 }\n'
                     'step("Run it", function()\n'
                     '  print(string.find(string.rep("a", 40), string.rep("a?", 40) .. string.rep("a", 40)))\n'
                     'end)\n')
    p = srv.exclab_pane("run", path)
    try:
        start_step(p)
        t0 = time.monotonic()
        alive_and_helpful(p, "while Lua loops in C")
        s = p.wait_for(lambda s: status(s).startswith(" FAILED"), timeout=6,
                       why="the Lua loop was never ended")
        took = time.monotonic() - t0
        if "a Lua library call that loops in C" not in t.flat(s):
            raise Failure("the message does not say what happened", s)
        if took > 3:
            raise Failure(f"ended {took:.1f} s after the step began (limit 1 s + 1 s grace)", s)
    finally:
        p.close()


def case_quit_busy(srv):
    """q while a C loop runs: exclab exits at once and the terminal is sane."""
    pidfile = os.path.join(srv.tmp, "quitbusy.pid")
    p = srv.exclab_pane("run", scenario(srv, "quitbusy", C_LOOP), wrapper=pidfile)
    try:
        start_step(p)
        t0 = time.monotonic()
        p.keys("q")
        s = p.wait_for(lambda s: "STTY" in s and "icanon" in s, timeout=5,
                       why="q did not end exclab")
        took = time.monotonic() - t0
        t.check_restored(p, s, {0})
        if took > 1.5:
            raise Failure(f"q took {took:.2f} s with the lab busy", s)
    finally:
        p.close()


def quit_signal_case(srv, sig, via_key=None):
    pidfile = os.path.join(srv.tmp, f"quit{int(sig)}.pid")
    path = scenario(srv, f"sig{int(sig)}", C_LOOP)
    if via_key:
        # A key's signal goes to the whole foreground group: the wrapper's
        # shell ignores it (exclab sets its own handler), so it lives to
        # report exclab's status and the terminal's modes.
        cmd = (f"trap '' QUIT; sh -c {t.q('echo $$ > ' + t.q(pidfile) + '; exec ' + t.q(srv.exclab) + ' run ' + t.q(path))}; "
               "echo EXITED $?; echo STTY; stty -a; sleep 60")
        p = srv.pane(cmd)
    else:
        p = srv.exclab_pane("run", path, wrapper=pidfile)
    try:
        start_step(p)
        if via_key:
            p.keys(via_key)
        else:
            with open(pidfile) as f:
                os.kill(int(f.read()), sig)
        s = p.wait_for(lambda s: "STTY" in s and "icanon" in s, timeout=5,
                       why=f"{sig.name} did not end exclab")
        t.check_restored(p, s, {128 + sig})
    finally:
        p.close()


def case_ctrl_backslash(srv):
    """Ctrl-\\ (SIGQUIT, a key a learner can press): clean exit, status 131."""
    quit_signal_case(srv, signal.SIGQUIT, via_key="C-\\")


def case_sighup(srv):
    """SIGHUP (the terminal went away): clean exit, status 129."""
    quit_signal_case(srv, signal.SIGHUP)


def case_restart_quiet(srv):
    """A thread the last run left printing says nothing after r."""
    ticker = ("import threading, time, itertools\n"
              "def tick():\n    for i in itertools.count():\n"
              "        print('tick', i)\n        time.sleep(0.05)\n"
              "threading.Thread(target=tick, daemon=True).start()")
    p = srv.exclab_pane("run", scenario(srv, "ticker", ticker))
    try:
        # The step ends as soon as the thread starts: its ticks show it ran.
        p.wait_for(lambda s: "[space] run step 1/1: Run it" in status(s),
                   why="not waiting for step 1/1")
        p.keys("Space")
        p.wait_for(lambda s: "tick 5" in s or "tick 6" in s, timeout=5,
                   why="the thread's ticks never showed")
        p.keys("r")
        p.wait_for(lambda s: "[space] run step 1/1: Run it" in status(s), timeout=5,
                   why="r did not bring a fresh run")
        time.sleep(0.5)
        s = p.screen()
        if re.search(r"\btick \d+", "\n".join(t.console_rows(s))):
            raise Failure("the old run's thread still prints after r", s)
    finally:
        p.close()


CASES = [
    ("sleep", case_sleep),
    ("c-loop", case_c_loop),
    ("crash", case_crash),
    ("lua-c-loop", case_lua_c_loop),
    ("quit-busy", case_quit_busy),
    ("ctrl-backslash", case_ctrl_backslash),
    ("sighup", case_sighup),
    ("restart-quiet", case_restart_quiet),
]


def main():
    return t.run(__doc__, CASES, "lab-tui")


if __name__ == "__main__":
    sys.exit(main())
