"""The graph view in a real terminal, driven through tmux: lesson 2's
reference cycle is drawn and marked, followed and explained, and gone after
the fix; a root reaching a million objects is summarised while the
interface keeps answering keys.

usage: test_graph_tui.py EXCLAB   (from the project root; the harness is harness.py)
"""
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as t  # noqa: E402

LESSON2 = "lessons/03-exception-cycles.md"

MILLION = """\
scenario { title = "A million objects", time_limit = 60 }
step("Build them and show the graph", function()
  py.exec("big = [[i] for i in range(1_000_000)]")
  graph.show("big")
  pause("the graph of a million objects")
end)
step("Keep capturing while Python runs", function()
  py.exec("import time\\ndef tick():\\n    time.sleep(0.001)")
  py.call("tick", 3000)
end)
"""


def case_cycle(srv):
    p = srv.exclab_pane(LESSON2)
    try:
        p.wait_for(lambda s: t.STEP1.search(t.status_line(s)) is not None,
                   why="lesson 2 to load")
        p.keys("Space")
        # Step 1 ends by asking whether gc.collect() will free the exception;
        # step 2 collects and reveals it. Answer "yes", whichever key it is.
        s = p.wait_for(lambda s: t.asking(s, "[1-9]") and "gc.collect()" in s,
                       timeout=20, why="step 1 to ask whether gc.collect() frees it")
        m = re.search(r"\[(\d)\] yes\b", s.split(t.PREDICT_TITLE, 1)[1])
        if m is None:
            raise t.Failure("no '[k] yes' choice in the Predict panel", s)
        p.keys(m.group(1))
        p.wait_for(lambda s: "[space] run step 2/" in t.status_line(s),
                   why="the answer to end step 1")
        p.keys("g")
        p.wait_for("1 cycle", why="the graph header to count one cycle")
        # The scenario points out the frame whose local closes the loop.
        # (Polled: a capture can land while the graph is half drawn.)
        p.wait_for(lambda s: "⟲ exc" in s and "╔ frame" in s, timeout=5,
                   why="the highlighted frame and its ⟲ exc edge are not in view")
        p.keys("Home")
        p.wait_for("last_error()", why="the root, the exception, after Home")
        p.wait_for(lambda s: "AppError" in s and "═" in s, timeout=5,
                   why="the exception is not drawn as a double box on the cycle")
        # Walk the cycle: each press of c moves the selection along it.
        # The selection is drawn in reverse video: compare with attributes.
        before = p.screen(escapes=True)
        deadline = time.monotonic() + 2   # settled: not a frame half drawn
        while time.monotonic() < deadline:
            time.sleep(0.15)
            now = p.screen(escapes=True)
            if now == before:
                break
            before = now
        p.keys("c")
        deadline = time.monotonic() + 3
        while p.screen(escapes=True) == before and time.monotonic() < deadline:
            time.sleep(0.05)
        if p.screen(escapes=True) == before:
            raise t.Failure("c did not move the selection along the cycle", p.screen())
        # The details explain why it is alive.
        p.keys("Home")
        p.keys("Enter")
        p.wait_for("why is it alive?", why="the details panel")
        p.wait_for("nothing in the scenario's globals reaches", timeout=10,
                   why="the why-alive answer for a garbage cycle")
        p.keys("Escape")
        p.keys("g")
        # Collect, then walk on to the first fix: the graph has nothing to draw.
        p.keys("Space")
        p.wait_for(lambda s: "[space] run step 3/" in t.status_line(s), timeout=20,
                   why="step 2, the collection, to finish")
        p.keys("a")
        s = p.wait_for("Scenario finished", timeout=60, why="the scenario to finish")
        console = "\n".join(t.console_transcript(p, s))
        if not re.search(r"^ \u2713 You predicted yes: measured yes$", console, re.M):
            raise t.Failure("step 2 does not reveal '\u2713 You predicted yes: measured yes'",
                            console)
        p.keys("g")
        s = p.wait_for(lambda s: "Graph of" in s and s, why="the graph view")
        if "⟲" in s.split("── console")[0]:
            raise t.Failure("after the last fix, the graph still shows a cycle", s)
    finally:
        p.close()


def case_million(srv):
    path = srv.write("million.lua", MILLION)
    p = srv.exclab_pane("run", path)
    try:
        p.wait_for("run step 1/", why="the scenario to load")
        p.keys("Space")
        p.wait_for("the graph of a million objects", timeout=30, why="step 1's pause")
        p.keys("g")
        s = p.wait_for("(limited)", timeout=10,
                       why="the header to say the capture was limited")
        if "Graph of big: 20,001 objects" not in s or "1000000 items" not in s:
            raise t.Failure("the graph is not the summarised million", s)
        if not ("[1]" in s and "[2]" in s and s.index("[1]") < s.index("[2]")):
            raise t.Failure("the list's first items are not drawn first, in order", s)
        # Step 2 keeps Python busy and recaptures the graph four times a
        # second; the interface must still answer at once.
        p.keys("Space")
        p.wait_for("run step 2/2", timeout=10, why="the pause to end")
        p.keys("Space")
        p.wait_for("RUNNING", timeout=10, why="step 2 to run")
        delays = []
        for _ in range(5):
            p.keys("?")
            t0 = time.monotonic()
            p.wait_for("Press any key to close.", timeout=2, why="the help to open")
            delays.append(time.monotonic() - t0)
            p.keys("x")
            p.wait_for(lambda s: "Press any key to close." not in s, timeout=2,
                       why="the help to close")
        med = statistics.median(delays)
        print(f"    help opened in {med * 1000:.0f} ms (median of 5) while capturing")
        if med > 0.25:
            raise t.Failure(f"keys answered in {med * 1000:.0f} ms while the graph is captured")
    finally:
        p.close()


CASES = [("cycle", case_cycle), ("million", case_million)]


def main():
    return t.run(__doc__, CASES, "graph-tui")


if __name__ == "__main__":
    sys.exit(main())
