"""The course in a real terminal: the menu, a lesson, a prediction, the
exercise panel (working copy, verification on save, the solution once it
passes, $EDITOR), progress kept between runs, and a corrupt progress file.

Each case is a fresh learner: a tmux server of its own (harness.py) whose
HOME and XDG folders point into a temp folder, and EDITOR a script of ours,
so nothing of the user's is read or touched. Every wait polls the screen
against a deadline and fails with the last screen seen.

usage: test_course.py EXCLAB   (run from the project root, as meson does)
"""
import glob
import json
import os
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import ROOT, Failure, q, run, status_line  # noqa: E402

W, H = 100, 30
LESSON1 = "01-what-a-traceback-holds"
SOLUTION1 = os.path.join(ROOT, "scenarios/01-traceback/exercise/solution.py")


def setup(srv):
    """EDITOR: a script that says what it was given, then exits: no save."""
    srv.editor_log = os.path.join(srv.tmp, "editor.log")
    srv.editor = srv.write("editor.sh", f"#!/bin/sh\necho \"$@\" >> {q(srv.editor_log)}\n")
    os.chmod(srv.editor, 0o755)
    srv.env["EDITOR"] = srv.editor


def start(srv):
    """exclab with no argument, as a learner starts it; the pane stays
    after it exits and says how it ended."""
    return srv.pane(f"{q(srv.exclab)}; echo EXITED $?; sleep 60")


def quit(p):
    p.keys("q")
    p.wait_for("EXITED 0", timeout=15, why="q did not end exclab with status 0")


def lesson_titles():
    """Every lesson's title, as the lesson files say, in course order."""
    titles = []
    for path in sorted(glob.glob(os.path.join(ROOT, "lessons", "*.md"))):
        if os.path.basename(path) == "README.md":
            continue
        with open(path, encoding="utf-8") as f:
            titles.append(next(l[2:].strip() for l in f if l.startswith("# ")))
    return titles


def menu_line(s, number):
    """The menu's line for lesson `number` (1-based)."""
    for line in s.split("\n"):
        if f" {number}. " in line:
            return line
    raise Failure(f"no line for lesson {number} on the menu", s)


def case_menu_lesson_exercise(c):
    titles = lesson_titles()
    if len(titles) != 6:
        raise Failure(f"expected the six lessons of the course, found {len(titles)}")
    p = start(c)
    # The whole menu, not its first rows: tmux may capture a paint half done.
    s = p.wait_for(lambda s: titles[-1] in s and s.count("not started") >= len(titles) and s)
    for i, title in enumerate(titles, 1):
        if title not in menu_line(s, i) or "not started" not in menu_line(s, i):
            raise Failure(f"lesson {i} ({title!r}) not listed as not started", s)
    if "[enter] open the lesson" not in status_line(s):
        raise Failure("the status line does not say Enter opens a lesson", s)
    if os.path.exists(c.progress):
        raise Failure("a fresh start wrote a progress file before anything happened")

    # Enter opens the first lesson; step 1 asks a prediction first.
    p.keys("Enter")
    s = p.wait_for(lambda s: "[space] run step 1/" in status_line(s), timeout=20)
    if titles[0] not in s.split("\n")[0]:
        raise Failure("the title bar does not name lesson 1", s)
    p.keys("Space")
    s = p.wait_for("Predict", timeout=20)
    p.keys("1")
    s = p.wait_for(lambda s: "[space] run step 2/" in status_line(s), timeout=30)
    if "You predicted" not in s:
        raise Failure("the prediction was not revealed in the console", s)
    saved = json.load(open(c.progress))["lessons"][LESSON1]
    if saved["steps_done"] != 1 or saved["predictions_asked"] != 1 or saved["finished"]:
        raise Failure(f"progress after step 1: {saved}")

    # x: the exercise panel with the working copy's full path.
    work = os.path.join(c.data, "exclab", "work", LESSON1, "importer.py")
    p.keys("x")
    # The panel is drawn over the lesson: wait until it is all there, not
    # just its title (a capture can land between two writes of one frame).
    s = p.wait_for(lambda s: "Exercise" in s and work in s and "Not started" in s)
    if work not in s:
        raise Failure(f"the working copy's path {work} is not on the panel", s)
    if not os.path.isfile(work):
        raise Failure(f"the working copy {work} was not made")
    if "Not started" not in s:
        raise Failure("an untouched copy is not said to be not started", s)
    p.keys("s")
    p.wait_for("unlocks once your copy passes")

    # o: the editor gets the terminal and the path; the panel comes back.
    p.keys("o")
    deadline = time.monotonic() + 10
    # The shell makes the log file before echo writes to it: wait for a line.
    while (not os.path.exists(c.editor_log) or not open(c.editor_log).read().endswith("\n")) \
            and time.monotonic() < deadline:
        time.sleep(0.05)
    if not os.path.exists(c.editor_log) or open(c.editor_log).read().strip() != work:
        raise Failure("$EDITOR was not run on the working copy")
    s = p.wait_for(lambda s: "Exercise" in s and "[o] edit" in s)
    if "EXITED" in s:
        raise Failure("exclab ended after the editor", s)

    # Fix it from the shell, as a learner saving in another terminal.
    t0 = time.monotonic()
    shutil.copyfile(SOLUTION1, work)
    s = p.wait_for("✓ Verified: all", timeout=60)
    took = time.monotonic() - t0
    if "VERIFIED" not in status_line(s):
        raise Failure("the status line does not say VERIFIED", s)
    p.keys("s")
    s = p.wait_for("The reference solution:")
    p.keys("x")
    p.wait_for(lambda s: "Exercise" not in s)
    quit(p)

    saved = json.load(open(c.progress))["lessons"][LESSON1]
    if saved["exercise"] != "passed" or saved["working_copy"] != work:
        raise Failure(f"progress after the exercise: {saved}")

    # The same learner, later: the menu remembers.
    p = start(c)
    s = p.wait_for("The course")
    line = menu_line(s, 1)
    want = f"1/{saved['steps_total']} steps"
    for part in (want, "exercise passed", "predictions right"):
        if part not in line:
            raise Failure(f"lesson 1's progress on the menu lacks {part!r}", s)
    if "not started" not in menu_line(s, 2):
        raise Failure("lesson 2 is not shown as not started", s)
    quit(p)
    return f"verified {took:.1f} s after the save"


def case_corrupt(c):
    os.makedirs(os.path.dirname(c.progress), exist_ok=True)
    with open(c.progress, "wb") as f:
        f.write(b'{"version": 1, "lessons": {"01-what\x00 garbage')
    p = start(c)
    p.wait_for("The course")
    # The message may come a frame after the menu.
    s = p.wait_for(lambda s: all(part in " ".join(s.split())
                                 for part in (c.progress, "corrupt", "set aside")),
                   why="no clear message naming the corrupt progress file")
    aside = glob.glob(c.progress + ".corrupt-*")
    if len(aside) != 1:
        raise Failure(f"the corrupt file was not set aside: {aside}")
    # exclab keeps working: open a lesson, run a step, progress is written anew.
    p.keys("Down", "Enter")
    p.wait_for(lambda s: "[space] run step 1/" in status_line(s), timeout=20)
    p.keys("Space")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        s = p.screen()
        if "Predict" in s:
            p.keys("Escape")
        if "run step 2/" in status_line(s):
            break
        time.sleep(0.1)
    else:
        raise Failure("step 1 of lesson 2 did not end", p.last)
    quit(p)
    saved = json.load(open(c.progress))
    if saved["lessons"]["02-reusing-an-exception"]["steps_done"] != 1:
        raise Failure(f"progress after the corrupt file: {saved}")


CASES = [
    ("menu-lesson-exercise", case_menu_lesson_exercise),
    ("corrupt", case_corrupt),
]


def main():
    # A fresh learner for each case: its own home, progress and EDITOR.
    return run(__doc__, CASES, "course", W, H, server_per_case=True, setup=setup)


if __name__ == "__main__":
    sys.exit(main())
