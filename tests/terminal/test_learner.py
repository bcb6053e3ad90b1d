"""A new learner takes the whole course at 80x24, the projector size, in a
real terminal: from the menu, every lesson, every step, every prediction
answered. What they must never meet, checked at every step:

- a prediction's answer on the lesson pane before the question is asked
  (the measured figure, 10 or more and not given by the question, or the
  right choice's words, three or more: what a reader cannot miss);
- a reveal that is not on screen once the step has ended ("You predicted
  ...; measured ..." stays in view until the learner goes on);
- a code line cut at the pane's edge (the old cut mark, "\u203a");
- gauges that carry the last lesson's state (a new lesson's heap gauge
  reads "flat" before its first step), or chain and frames gauges that do
  not say which object they follow.

After each lesson, m goes back to the menu with the cursor on the lesson
the learner came from.

usage: test_learner.py EXCLAB   (run from the project root, as meson does)
"""
import glob
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import (ROOT, PREDICT_TITLE, Failure, asking, console_rows, q,  # noqa: E402
                     run, status_line)

W, H = 80, 24
LESSONS = 6
# Right: "◆ You predicted X: measured X. Right."; wrong: "◇ You predicted X; measured Y."
REVEAL = re.compile(r"^ (?:\u25c6 You predicted .*: measured (.*)\. Right|"
                    r"\u25c7 You predicted .*; measured (.*))\.$")
STEP_WAIT = re.compile(r"\[space\] run step (\d+)/(\d+): \S")


def panes(s):
    """(lesson pane, gauge column): the rows above the console, split at the
    column rule the two share, where it meets the console's rule (\u2534): a
    table on the page draws \u2502 too."""
    rows = s.rstrip("\n").split("\n")[1:]
    rule = next((r for r in rows if re.match(r"^(\u2500\u2500|--) console ", r)), None)
    if rule is None or "\u2534" not in rule:
        raise Failure("no console rule meeting the gauge column", s)
    at = rule.index("\u2534")
    above = rows[:rows.index(rule)]
    return "\n".join(r[:at] for r in above), "\n".join(r[at + 1:] for r in above)


def logical_rows(rows):
    """Console rows with wrapped lines joined: a continuation is indented."""
    out = []
    for r in rows:
        if out and r.startswith("   ") and r.strip():
            out[-1] += " " + r.strip()
        else:
            out.append(r)
    return out


def is_number(text):
    return re.fullmatch(r"\d+(\.\d+)?", text) is not None


def shows_answer(pane, question, answer):
    """The answer on the lesson pane, as `exclab check` looks for it: a
    figure of 10 or more that the question does not give, or the words of a
    choice of three words or more (one line of the pane: a phrase wrapped
    across lines is for exclab check to find)."""
    if is_number(answer):
        if float(answer) < 10:
            return False
        figure = re.compile(r"(?<![\d.,])" + re.escape(answer) + r"(?![\d]|[.,]\d)")
        if figure.search(question):
            return False
        return figure.search(pane.replace(",", "")) is not None
    if answer.count(" ") < 2:
        return False
    return answer.lower() in " ".join(pane.split()).lower()


def check_screen(s, lesson):
    """What every screen of a lesson must be: no cut code line, and chain or
    frames gauges that name what they follow."""
    pane, gauges = panes(s)
    if "\u203a" in pane:
        raise Failure(f"lesson {lesson}: a line of the lesson pane is cut (\u203a)", s)
    if ("Traceback chain" in gauges or "Frames kept" in gauges) and \
            not re.search(r"^ (following \S+:|of \S+)", gauges, re.M):
        raise Failure(f"lesson {lesson}: the chain or frames gauge does not say which object "
                      "it follows", s)


def answer(p, s):
    """Answer the prediction on screen (the first choice, or the number 1);
    the question as the status line shows it (perhaps cut short)."""
    question = status_line(s).split("your prediction: ", 1)[1].strip()
    if "[1] " in s.split(PREDICT_TITLE, 1)[1]:
        p.keys("1")
    else:
        p.keys("1", "Enter")
    return question


def reveals_by_step(exclab, lesson):
    """{step: [question, ...]}: the predictions each step reveals, from a
    headless run of the lesson's scenario (a question may be asked in one
    step and revealed in a later one)."""
    path = sorted(glob.glob(os.path.join(ROOT, "lessons", f"0{lesson}-*.md")))[0]
    with open(path, encoding="utf-8") as f:
        link = re.search(r"\]\(([^)\s]+\.lua)\)", f.read()).group(1)
    scenario = os.path.normpath(os.path.join(os.path.dirname(path), link))
    out = subprocess.run([exclab, "run", scenario, "--headless", "--json"], capture_output=True,
                         text=True, timeout=120).stdout
    report = json.loads(out)
    return {i: [p["question"] for p in st["predictions"]]
            for i, st in enumerate(report["steps"], 1) if st["predictions"]}


def run_lesson(p, exclab, lesson):
    revealed = reveals_by_step(exclab, lesson)
    s = p.wait_for(lambda s: STEP_WAIT.search(status_line(s)) is not None, timeout=30,
                   why=f"lesson {lesson} to load and wait for step 1")
    # A lesson starts afresh: no growth carried over from the last one.
    _, gauges = panes(s)
    heap_trend = re.search(r"Python heap.*\n.*\n(.*)", gauges)
    if heap_trend is None or not heap_trend.group(1).rstrip().endswith("flat"):
        raise Failure(f"lesson {lesson}: before step 1 the heap gauge does not read flat", s)
    asked = {}   # question as the status line showed it -> the pane read before it
    while True:
        m = STEP_WAIT.search(status_line(s))
        step, count = int(m.group(1)), int(m.group(2))
        check_screen(s, lesson)
        before = panes(s)[0]   # what the learner has read when the step begins
        p.keys("Space")
        while True:
            s = p.wait_for(lambda s: asking(s, "[0-9]") or asking(s, "[1-9]") or
                           "go on" in status_line(s) or "Scenario finished" in s or
                           (STEP_WAIT.search(status_line(s)) and
                            int(STEP_WAIT.search(status_line(s)).group(1)) == step + 1) and s,
                           timeout=60, why=f"lesson {lesson}, step {step}/{count} to ask, "
                                           "pause or end")
            if PREDICT_TITLE in s and "your prediction: " in status_line(s):
                asked[answer(p, s)] = before
                p.wait_for(lambda s: PREDICT_TITLE not in s, why="the answer to be taken")
                continue
            if "go on" in status_line(s):
                check_screen(s, lesson)
                p.keys("Space")
                p.wait_for(lambda s: "go on" not in status_line(s) or "Scenario finished" in s,
                           why="space to go on after a pause")
                continue
            break
        # A short settle: the step's last lines reach the console together.
        time.sleep(0.3)
        s = p.screen()
        check_screen(s, lesson)
        questions = revealed.get(step, [])
        if questions:
            reveals = [r for r in map(REVEAL.match, logical_rows(console_rows(s))) if r]
            if len(reveals) < len(questions):
                raise Failure(f"lesson {lesson}, step {step}: {len(questions)} reveal(s) due, "
                              f"{len(reveals)} on screen once the step has ended", s)
            for question, reveal in zip(questions, reveals[-len(questions):]):
                shown = next((k for k in asked if question.startswith(k[:30])), None)
                if shown is None:
                    raise Failure(f"lesson {lesson}, step {step}: {question!r} is revealed but "
                                  "was never asked", s)
                measured = reveal.group(1) or reveal.group(2)
                if shows_answer(asked[shown], question, measured):
                    raise Failure(f"lesson {lesson}, step {step}: the lesson pane showed the "
                                  f"answer ({measured}) before {question!r} was asked",
                                  asked[shown])
        if "Scenario finished" in s:
            if not re.search(r"Scenario finished: \d+ checks? passed, 0 failed\.", s):
                raise Failure(f"lesson {lesson}: a check failed", s)
            return step, len(asked)


def case_course(srv):
    p = srv.pane(f"{q(srv.exclab)}; echo EXITED $?; sleep 60")
    try:
        p.wait_for("The course", why="the course menu")
        seen = []
        for lesson in range(1, LESSONS + 1):
            p.keys(str(lesson), "Enter")
            steps, predictions = run_lesson(p, srv.exclab, lesson)
            seen.append(f"{steps} steps/{predictions} predictions")
            p.keys("m")
            s = p.wait_for("The course", why=f"m to go back to the menu after lesson {lesson}")
            row = next((l for l in s.split("\n") if f" {lesson}. " in l), "")
            if not row.lstrip().startswith("\u25b6"):
                raise Failure(f"back on the menu, the cursor is not on lesson {lesson}", s)
        p.keys("q")
        p.wait_for("EXITED 0", timeout=15, why="q to end exclab")
        return "lessons: " + ", ".join(seen)
    finally:
        p.close()


CASES = [("course", case_course)]


def main():
    return run(__doc__, CASES, "learner", W, H, server_per_case=True)


if __name__ == "__main__":
    sys.exit(main())
