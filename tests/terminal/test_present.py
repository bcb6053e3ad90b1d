"""exclab present in a real terminal: tmux panes at 80x24 and 120x40 run the
talk in slides/ (or a copy of it, for the cases that edit it), keys go in
with send-keys, and each case checks what the room, or the speaker in the
notes window, would see. Also the lesson's jump to a step.

Each server gets an XDG_RUNTIME_DIR of its own, so the slides and notes
windows of a case meet each other and nothing else.

usage: test_present.py EXCLAB   (run from the project root, as meson does)
"""
import os
import re
import shutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as t  # noqa: E402
from harness import Failure, flat, gauge_count, status_line  # noqa: E402

DECK = "slides/talk.md"


def slide_count(path):
    """The deck's slides, by the rule slides/README.md gives: front matter
    first, then a thematic break or <!-- end_slide --> outside code ends a
    slide."""
    lines = open(path, encoding="utf-8").read().splitlines()
    if lines and lines[0] == "---":
        lines = lines[lines.index("---", 1) + 1:]
    slides, fence = 1, None
    for line in lines:
        m = re.match(r"\s*(```+|~~~+)", line)
        if m and (fence is None or m.group(1).startswith(fence)):
            fence = None if fence else m.group(1)
        elif fence is None and (re.fullmatch(r" {0,3}([-*_])( *\1){2,} *", line)
                                or line.strip() == "<!-- end_slide -->"):
            slides += 1
    return slides


SLIDES = slide_count(DECK)
TITLE_BLOCKS = "\u2588\u2580\u2580 \u2588 \u2588 \u2584\u2580\u2580"   # "EXC" in block letters


def setup(srv):
    run = os.path.join(srv.tmp, "run")
    os.makedirs(run, mode=0o700)
    srv.env["XDG_RUNTIME_DIR"] = run


def counter(s):
    """(slide, slides) from the footer's "N/M"."""
    m = re.search(r"(\d+)/(\d+)\s*$", status_line(s))
    if m is None:
        raise Failure("no slide counter N/M at the end of the footer", s)
    return int(m.group(1)), int(m.group(2))


def at_slide(n):
    def on(s):
        m = re.search(r"(\d+)/(\d+)\s*$", status_line(s))
        return m is not None and int(m.group(1)) == n
    on.__name__ = f"slide {n} in the footer"
    return on


def present(srv, *args, env="", w=None, h=None, deck=DECK):
    p = srv.exclab_pane("present", *args, deck, env=env, w=w, h=h)
    p.wait_for(lambda s: re.search(r"\d+/\d+\s*$", status_line(s)) is not None,
               why="the deck never showed")
    return p


def go(p, n):
    p.keys(*str(n), "Enter")
    return p.wait_for(at_slide(n), why=f"{n} then enter did not go to slide {n}")


def case_title(srv):
    """The title slide in block letters, centred; the counter in the footer."""
    p = present(srv)
    try:
        s = p.settled()
        if TITLE_BLOCKS not in s:
            raise Failure("the title is not drawn in block letters", s)
        if counter(s) != (1, SLIDES):
            raise Failure(f"footer counter {counter(s)}, expected 1/{SLIDES}", s)
        line = next(l for l in s.split("\n") if TITLE_BLOCKS in l)
        indent = len(line) - len(line.lstrip())
        if indent < 4:
            raise Failure(f"the title slide is not centred (indent {indent})", s)
        if "every number on these" not in flat(s):
            raise Failure("the title slide's text is missing", s)
    finally:
        p.close()


def case_paging(srv):
    """space and the arrows page; Home and End go to the ends."""
    p = present(srv)
    try:
        p.keys("Space")
        s = p.wait_for(at_slide(2))
        if "A service's memory climbs" not in flat(s):
            raise Failure("slide 2's text is not on screen", s)
        p.keys("Left")
        p.wait_for(at_slide(1), why="left did not go back")
        p.keys("End")
        s = p.wait_for(at_slide(SLIDES), why="End did not go to the last slide")
        if "Thank you." not in s:
            raise Failure("the last slide's text is missing", s)
        p.keys("Home")
        p.wait_for(at_slide(1), why="Home did not go to the first slide")
    finally:
        p.close()


def case_pause(srv):
    """A slide with a pause shows its first part; the next key reveals the rest."""
    p = present(srv)
    try:
        s = go(p, 7)
        if "Two per request" not in flat(s) and "handler included" not in flat(s):
            raise Failure("slide 7 is not 'Two per request'", s)
        if "It is not a cycle" in flat(s):
            raise Failure("the part after the pause shows before the key", s)
        p.keys("Space")
        s = p.wait_for(lambda s: "It is not a cycle" in flat(s),
                       why="space did not reveal the part after the pause")
        if counter(s)[0] != 7:
            raise Failure("revealing a part changed the slide", s)
        p.keys("Space")
        p.wait_for(at_slide(8), why="space after the last part did not go on")
    finally:
        p.close()


def case_overview(srv):
    """o lists every slide; arrows choose; enter goes there."""
    p = present(srv)
    try:
        p.keys("o")
        s = p.wait_for(f"{SLIDES} slides", why="o did not open the overview")
        for title in ("A quiet leak", "The chain grows", "The cycle, drawn"):
            if title not in s:
                raise Failure(f"the overview lacks {title!r}", s)
        if not re.search(r"The chain grows\s+live", s):
            raise Failure("the overview does not mark live slides", s)
        # A list longer than the screen scrolls to the chosen slide.
        p.keys("End")
        s = p.wait_for(lambda s: re.search(rf"{SLIDES}\s+Questions", s) is not None,
                       why="End in the overview did not show the last slide")
        if "A checklist" not in s or "A quiet leak" in s:
            raise Failure("the overview did not scroll to its end", s)
        p.keys("Home")
        p.wait_for("A quiet leak", why="Home in the overview did not come back to the top")
        p.keys("Down", "Down", "Enter")
        s = p.wait_for(at_slide(3), why="two downs and enter did not open slide 3")
        if f"{SLIDES} slides" in s:
            raise Failure("the overview stayed open", s)
    finally:
        p.close()


def case_jump(srv):
    """A number then enter goes to that slide; a number past the end says so."""
    p = present(srv)
    try:
        go(p, 16)
        p.keys("9", "9", "Enter")
        s = p.wait_for("No slide 99", why="99 then enter gave no message")
        if counter(s)[0] != 16:
            raise Failure("a slide that does not exist moved the deck", s)
        # The word was about this slide: the next one does not keep it.
        p.keys("n")
        s = p.wait_for(at_slide(17), why="n did not go on after the message")
        if "No slide 99" in s:
            raise Failure("the message outlived the slide it was about", s)
    finally:
        p.close()


def case_live_climb(srv):
    """The chain grows: space runs the step at 20 raises a second, and the
    chain gauge climbs while it runs, then the demo is done and the slide's
    figure shows what it measured."""
    p = present(srv)
    try:
        go(p, 6)
        p.wait_for(lambda s: "space: step 1/1" in status_line(s), timeout=30,
                   why="the demo never became ready for step 1")
        p.keys("Space")
        seen = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            s = p.screen()
            v = gauge_count(s, "Traceback chain")
            if v is not None and (not seen or v != seen[-1]):
                seen.append(v)
            if "demo done" in status_line(s):
                break
            time.sleep(0.1)
        if "demo done" not in status_line(s):
            raise Failure("the demo never finished", s)
        rising = [v for v in seen if 0 < v < 200]
        if len(rising) < 4 or rising != sorted(rising):
            raise Failure(f"the chain did not climb while the step ran: readings {seen}", s)
        if seen[-1] != 200:
            raise Failure(f"the chain ended at {seen[-1]}, expected 200", s)
        if not re.search(r"\b200 chain\s", s):
            raise Failure("the slide's figure does not show 200 entries", s)
        return f"chain readings while running: {rising[:6]}..."
    finally:
        p.close()


def case_stop_restart(srv):
    """s stops the running step; r runs the demo again from its first step;
    t with a step the slide does not show says so."""
    p = present(srv)
    try:
        go(p, 6)
        p.wait_for(lambda s: "space: step 1/1" in status_line(s), timeout=30)
        p.keys("Space")
        p.wait_for(lambda s: "runs" in status_line(s), why="the step did not start")
        time.sleep(1.0)
        p.keys("s")
        s = p.wait_for(lambda s: "stopped" in status_line(s), timeout=5,
                       why="s did not stop the step")
        chain = gauge_count(s, "Traceback chain")
        if chain is None or not 0 < chain < 200:
            raise Failure(f"the chain reads {chain} after a stop mid-step", s)
        p.keys("r")
        s = p.wait_for(lambda s: "space: step 1/1" in status_line(s) and
                       gauge_count(s, "Traceback chain") == 0, timeout=30,
                       why="r did not bring the demo back to step 1 in a fresh lab")
        p.keys("t", "3", "Enter")
        p.wait_for("runs steps 1-1", why="t 3 on a slide that runs step 1 only said nothing")
    finally:
        p.close()


def case_graph(srv):
    """The cycle slide draws the object graph beside the gauges: after the
    step, the newest error's cycle is marked; g gives it the whole slide;
    t, 2, enter goes back to step 2, the cycle made again."""
    p = present(srv, w=120, h=40)
    try:
        go(p, 12)
        p.wait_for(lambda s: "space: step 1/2" in status_line(s), timeout=30)
        p.keys("Space")
        s = p.wait_for(lambda s: "space: step 2/2" in status_line(s), timeout=30,
                       why="step 1 never ended")
        if "Graph of last_error()" not in s or "1 cycle" not in s or "\u27f2" not in s:
            raise Failure("no graph with its cycle marked beside the gauges", s)
        if "Python heap" not in s:
            raise Failure("the gauges left the slide", s)
        p.keys("g")
        s = p.wait_for(lambda s: "Python heap" not in s and "Graph of last_error()" in s,
                       why="g did not give the graph the slide")
        p.keys("g", "Space")
        s = p.wait_for(lambda s: "demo done" in status_line(s), timeout=30,
                       why="gc.collect() never ran")
        if "-20 MB" not in flat(s):
            raise Failure("the slide does not quote the heap's drop", s)
        # t, 2, enter: a fresh lab replays step 1 at once and waits at 2,
        # the cycle back in the graph.
        p.keys("t", "2", "Enter")
        s = p.wait_for(lambda s: "space: step 2/2" in status_line(s) and "1 cycle" in s,
                       timeout=30, why="t 2 enter did not bring the demo back to step 2")
    finally:
        p.close()


def case_graph_keys(srv):
    """At 80x24 the cycle runs off the slide's edge: on the whole-slide
    graph, c walks the cycle (the view follows it to the frame and its
    err), enter says why it is alive, → does not run the next step, and
    Esc gives the slide back."""
    p = present(srv)
    try:
        go(p, 12)
        p.wait_for(lambda s: "space: step 1/2" in status_line(s), timeout=30)
        p.keys("Space")
        p.wait_for(lambda s: "space: step 2/2" in status_line(s), timeout=30,
                   why="step 1 never ended")
        p.keys("g")
        p.wait_for(lambda s: "Python heap" not in s and "Graph of last_error()" in s,
                   why="g did not give the graph the slide")
        p.keys("c", "c")
        s = p.wait_for(lambda s: "\u2554 frame" in s and "\u27f2 err" in s,
                       why="c, c did not bring the cycle's frame and its err into view")
        p.keys("Enter")
        p.wait_for(lambda s: "why is it alive?" in s and "reference cycle" in flat(s),
                   why="enter did not say why the frame is alive")
        p.keys("Escape", "Right")
        s = p.settled()
        if "space: step 2/2" not in status_line(s):
            raise Failure("an arrow on the graph ran the demo's next step", s)
        p.keys("Escape")
        p.wait_for(lambda s: "Python heap" in s, why="Esc did not give the slide back")
    finally:
        p.close()


def case_notes(srv):
    """The notes window follows the slides: its keys drive both, it shows
    the notes and the next slide, and its timer moves."""
    p = present(srv)
    n = srv.exclab_pane("present", "--notes", DECK, w=100, h=30)
    try:
        # The whole frame, not its first rows: under load tmux can capture a
        # frame half written, its header in and its "Next:" half not yet.
        s = n.wait_for(lambda s: f"slide 1/{SLIDES}" in s and "Next:" in s,
                       why="the notes window never showed slide 1 and a next one")
        if "Next: A quiet leak" not in s:
            raise Failure("the notes window does not show the next slide", s)
        m1 = re.search(r"(\d+:\d\d) elapsed", s)
        n.keys("Space")
        p.wait_for(at_slide(2), why="space in the notes window did not move the slides")
        s = n.wait_for(f"slide 2/{SLIDES}", why="the notes window did not follow")
        if "Ask the room" not in flat(s):
            raise Failure("slide 2's speaker note is not in the notes window", s)
        p.keys("Space")
        n.wait_for(f"slide 3/{SLIDES}", why="the notes window did not follow the slides' key")
        time.sleep(2.2)
        s = n.screen()
        m2 = re.search(r"(\d+:\d\d) elapsed", s)
        if not m1 or not m2 or m1.group(1) == m2.group(1):
            raise Failure("the timer did not move", s)
        if not re.search(r"left of 30 min", s) or not re.search(r"ahead|behind|on time", s):
            raise Failure("no time left, or no place against the plan", s)
        if "Ask the room" in flat(p.screen()):
            raise Failure("the speaker note shows on the room's screen", p.last)
        # The slides window goes: the notes window says so and waits.
        p.keys("q")
        s = n.wait_for("Waiting for the slides", why="the notes window did not notice")
        p2 = present(srv)
        n.wait_for(lambda s: "Waiting for the slides" not in s and f"slide 1/{SLIDES}" in s,
                   why="the notes window did not find the slides again")
        p2.close()
    finally:
        n.close()
        p.close()


def case_second(srv):
    """A second slides window for the same deck is refused with a message."""
    p = present(srv)
    q = srv.exclab_pane("present", DECK, wrapper=os.path.join(srv.tmp, "pid2"))
    try:
        s = q.wait_for("EXITED", why="the second present did not end")
        if "being presented in another window already" not in flat(s):
            raise Failure("no message about the other window", s)
        if t.exit_status(s) != 2:
            raise Failure(f"exit status {t.exit_status(s)}, expected 2", s)
        p.keys("Space")
        p.wait_for(at_slide(2), why="the first window stopped answering")
    finally:
        q.close()
        p.close()


def case_private(srv):
    """A socket folder that others could enter is refused, with a message,
    by both windows."""
    os.makedirs(os.path.join(srv.env["XDG_RUNTIME_DIR"], "exclab"), mode=0o755)
    os.chmod(os.path.join(srv.env["XDG_RUNTIME_DIR"], "exclab"), 0o755)
    for args in ((DECK,), ("--notes", DECK)):
        q = srv.exclab_pane("present", *args, wrapper=os.path.join(srv.tmp, "pid"))
        try:
            s = q.wait_for("EXITED", why="present did not end")
            if "not a private folder" not in flat(s) or t.exit_status(s) != 2:
                raise Failure("no refusal of a folder others may enter", s)
        finally:
            q.close()


def copy_deck(srv):
    d = os.path.join(srv.tmp, "deck")
    os.makedirs(d, exist_ok=True)
    shutil.copy(DECK, d)
    if not os.path.exists(os.path.join(d, "demos")):
        os.symlink(os.path.abspath("slides/demos"), os.path.join(d, "demos"))
    return os.path.join(d, "talk.md")


def case_reload(srv):
    """An edit is read again and the slide stays; a deck that no longer
    parses keeps the last good one on screen and says why; so does a deleted
    deck file."""
    path = copy_deck(srv)
    p = present(srv, deck=path)
    try:
        go(p, 2)
        text = open(path).read()
        with open(path, "w") as f:
            f.write(text.replace("A service's memory climbs", "A service's memory creeps up"))
        s = p.wait_for(lambda s: "memory creeps up" in flat(s), timeout=5,
                       why="the edit was not read again")
        if counter(s)[0] != 2:
            raise Failure("the reload moved the slide", s)
        with open(path, "w") as f:
            f.write(text.replace("pace: 20\n---", "pase: 20\n---", 1))
        s = p.wait_for(lambda s: "unknown front matter key" in s, timeout=5,
                       why="a broken deck was not reported in the footer")
        if not re.search(r" talk\.md:6: unknown front matter key", s) or \
                "memory creeps up" not in flat(s):
            raise Failure("no file:line, or the last good slide is gone", s)
        os.unlink(path)
        s = p.wait_for(lambda s: "deck file is gone" in s or "No such file" in s, timeout=5,
                       why="a deleted deck was not reported")
        p.keys("Space")
        s = p.wait_for(at_slide(3), why="the deck stopped working after its file went")
    finally:
        p.close()


BROKEN = """---
title: Broken demos
---

## Missing

```exclab
scenario: demos/nope.lua
```

---

## Failing

```exclab
gauges: heap

scenario { title = "fails" }
step("raise", function()
  py.exec("raise RuntimeError('the demo broke')")
end)
```

---

## After

The talk goes on.
"""


def case_demo_fails(srv):
    """A live block whose scenario is missing says so on its slide, with the
    deck's line; a demo that fails says why; the next key goes on."""
    d = os.path.join(srv.tmp, "broken")
    os.makedirs(d)
    path = os.path.join(d, "broken.md")
    with open(path, "w") as f:
        f.write(BROKEN)
    p = present(srv, deck=path)
    try:
        s = p.wait_for(lambda s: "did not load" in flat(s), timeout=30,
                       why="the missing scenario is not reported on its slide")
        if "broken.md:7:" not in flat(s) or "nope.lua" not in flat(s):
            raise Failure("the slide does not name the deck's line and the file", s)
        p.keys("Space")
        p.wait_for(at_slide(2))
        p.wait_for(lambda s: "space: step 1/1" in status_line(s), timeout=30)
        p.keys("Space")
        s = p.wait_for(lambda s: "the demo failed" in status_line(s), timeout=30,
                       why="a failing step was not reported in the footer")
        if "the demo broke" not in flat(s):
            raise Failure("the slide does not show the Python error", s)
        p.keys("Space")
        s = p.wait_for(at_slide(3), why="the talk did not go on past the failed demo")
        if "The talk goes on." not in s:
            raise Failure("the next slide's text is missing", s)
    finally:
        p.close()


def case_light(srv):
    """--light: dark text on white, everywhere on the screen."""
    p = present(srv, "--light")
    try:
        s = p.settled(escapes=True)
        if not re.search(r"\x1b\[[0-9;]*(47|107|48;5;231)m", s):
            raise Failure("no white background in the light theme", s)
    finally:
        p.close()


def case_ascii_nocolor(srv):
    """No UTF-8: titles in '#'; NO_COLOR: no colour at all."""
    p = present(srv, env="LC_ALL=C NO_COLOR=1")
    try:
        s = p.settled()
        if "\u2588" in s or "\u2580" in s:
            raise Failure("block glyphs on an ASCII terminal", s)
        if not re.search(r"###\s+#\s#\s+##", s):
            raise Failure("the title is not drawn in '#'", s)
        e = p.settled(escapes=True)
        if re.search(r"\x1b\[[0-9;]*(3[0-7]|4[0-7]|38;5|48;5)[;m]", e):
            raise Failure("colour escapes with NO_COLOR set", e)
    finally:
        p.close()


def case_wide(srv):
    """120x40: the live slide has its text, its gauges and its footer."""
    p = present(srv, w=120, h=40)
    try:
        s = go(p, 6)
        s = p.wait_for(lambda s: "space: step 1/1" in status_line(s), timeout=30)
        if "Python heap" not in s or "Traceback chain" not in s:
            raise Failure("no gauges at 120x40", s)
        if "def request(user_id=42):" not in s:
            raise Failure("the slide's code is cut at 120x40", s)
    finally:
        p.close()


def case_lesson_jump(srv):
    """In a lesson, t, 3, enter: the steps before 3 run again at once and
    the run waits before step 3, with their effect on the gauges."""
    p = srv.exclab_pane("lessons/02-reusing-an-exception.md")
    try:
        p.wait_for(lambda s: t.STEP1.search(status_line(s)) is not None, timeout=30,
                   why="the lesson never became ready")
        p.keys("t")
        p.wait_for(lambda s: "go to step" in status_line(s), why="t did not ask for a step")
        p.keys("3", "Enter")
        s = p.wait_for(lambda s: "run step 3/" in status_line(s), timeout=60,
                       why="the run never waited before step 3")
        if gauge_count(s, "Traceback chain") != 200:
            raise Failure("the replayed step 1 did not leave its 200 entries", s)
        if "Replayed steps 1-2; step 3 waits." not in flat(s):
            raise Failure("the console does not say what was replayed", s)
    finally:
        p.close()


def panel_rows(s):
    """The live panel's rows at 80x24: what is right of the text's rule."""
    return [line.split("\u2502", 1)[1] for line in s.split("\n")[4:-1] if "\u2502" in line]


def case_whole_lines(srv):
    """At 80x24 the demo's output below the gauges shows whole lines: a
    line whose start would fall off the top ("    3)") is left out, so
    the room never reads a fragment."""
    p = present(srv)
    try:
        for slide, ready, done in ((6, "space: step 1/1", "demo done"),
                                   (8, "space: step 2/2", "demo done")):
            go(p, slide)
            p.wait_for(lambda s: ready in status_line(s), timeout=30,
                       why=f"slide {slide}'s demo never became ready")
            p.keys("Space")
            s = p.wait_for(lambda s: done in status_line(s), timeout=30,
                           why=f"slide {slide}'s step never ended")
            rows = panel_rows(s)
            last = max(i for i, r in enumerate(rows) if "Traceback chain" in r)
            out = [r for r in rows[last + 3:] if r.strip()]
            if not out:
                raise Failure(f"slide {slide} shows none of the demo's output", s)
            if out[0].startswith("    "):
                raise Failure(f"slide {slide}'s output starts mid-line: {out[0].strip()!r}", s)
    finally:
        p.close()


def case_room_words(srv):
    """What the room and the speaker read before a step runs: the graph's
    place on the cycle slide names no keys; t asks for a number rather
    than showing step 0; a figure and its unit stay on one line."""
    p = present(srv)
    try:
        go(p, 12)
        s = p.wait_for(lambda s: "space: step 1/2" in status_line(s), timeout=30)
        if "The graph appears when" not in flat(s) or "Press g" in s:
            raise Failure("before the step, the graph's place does not say what comes", s)
        p.keys("t")
        s = p.wait_for(lambda s: "demo at step" in status_line(s), why="t said nothing")
        if "step 0" in status_line(s):
            raise Failure("t shows step 0 before a number is typed", s)
        p.keys("Escape")
        go(p, 18)
        s = p.settled()
        if not re.search(r"\b20[ \u00a0]MB\b", s):
            raise Failure("the figure 20 MB is split over two lines", s)
    finally:
        p.close()


CASES = [
    ("title", case_title),
    ("paging", case_paging),
    ("pause", case_pause),
    ("overview", case_overview),
    ("jump", case_jump),
    ("live-climb", case_live_climb),
    ("stop-restart", case_stop_restart),
    ("graph", case_graph),
    ("graph-keys", case_graph_keys),
    ("notes", case_notes),
    ("second", case_second),
    ("private", case_private),
    ("reload", case_reload),
    ("demo-fails", case_demo_fails),
    ("light", case_light),
    ("ascii-nocolor", case_ascii_nocolor),
    ("wide", case_wide),
    ("lesson-jump", case_lesson_jump),
    ("whole-lines", case_whole_lines),
    ("room-words", case_room_words),
]


def main():
    return t.run(__doc__, CASES, "present", setup=setup, server_per_case=True)


if __name__ == "__main__":
    sys.exit(main())
