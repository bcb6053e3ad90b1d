"""The graph view in a real terminal, driven through tmux: lesson 3's
reference cycle is drawn and marked, followed and explained, and after the
last fix the graph shows what the fix keeps instead (a list holding one
TracebackException, no cycle, no frame); a root reaching a million objects
is summarised while the interface keeps answering keys.

usage: test_graph_tui.py EXCLAB   (from the project root; the harness is harness.py)
"""
import os
import re
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as t  # noqa: E402

LESSON3 = "lessons/03-exception-cycles.md"

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
    p = srv.exclab_pane(LESSON3)
    try:
        p.wait_for(lambda s: t.STEP1.search(t.status_line(s)) is not None,
                   why="lesson 3 to load")
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
        before = p.settled(escapes=True)   # not a frame half drawn
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
        # Collect, then run the rest: the fixes, the last of which keeps a report.
        p.keys("Space")
        p.wait_for(lambda s: "[space] run step 3/" in t.status_line(s), timeout=20,
                   why="step 2, the collection, to finish")
        s, _ = t.run_all_skipping(p, timeout=60)
        console = "\n".join(t.console_transcript(p, s))
        if not re.search(r"^ \u25c6 You predicted yes: measured yes\. Right\.$", console, re.M):
            raise t.Failure("step 2 does not reveal '\u25c6 You predicted yes: measured yes. Right.'",
                            console)
        fixed_graph(p)
    finally:
        p.close()


# The last step, "Fix 3: keep a TracebackException", shows kept_reports: a
# list holding one TracebackException, which keeps the report's text (a
# StackSummary) and no frame, no traceback, no cycle.
FIXED = re.compile(r"Graph of kept_reports: (\d+) objects, 0 cycles")


def fixed_graph(p):
    """The graph after the last fix: what it keeps, drawn, and no cycle."""
    p.keys("g")
    p.wait_for(lambda s: FIXED.search(s), why="the graph of the fix's kept_reports, 0 cycles")
    s = p.settled()
    n = int(FIXED.search(s).group(1))
    graph = t.above_console(s)
    if n < 3:
        raise t.Failure(f"the graph of kept_reports has {n} object(s): the list, the "
                        "TracebackException and its StackSummary at least", s)
    # The list's [0] edge goes into the TracebackException's box.
    if not re.search(r"^\u250c kept_reports \u2500", graph, re.M):
        raise t.Failure("no single-line box for the root, kept_reports", s)
    if not re.search(r"\u2502 1 item +\u2502\u2500\[0\]\u2500*\u25b6\u2502 <TracebackExcep", graph):
        raise t.Failure("kept_reports (1 item) has no [0] edge into a TracebackException box", s)
    if "\u250c StackSummary " not in graph:
        raise t.Failure("the report's StackSummary is not drawn", s)
    if "\u27f2" in graph:
        raise t.Failure("after the last fix, the graph still marks a cycle (\u27f2)", s)
    if any(c in graph for c in "\u2554\u2557\u255a\u255d\u2550\u2551"):
        raise t.Failure("after the last fix, a box is drawn double (on a cycle)", s)
    m = re.search(r"[\u250c\u2554] (frame|traceback|AppError)\b", graph)
    if m:
        raise t.Failure(f"after the last fix, the graph draws a {m.group(1)} box", s)
    # The root's details: alive through the globals, and it keeps bytes, not
    # the 5 MB payload a leaky request keeps.
    p.keys("Home")
    p.keys("Enter")
    s = p.wait_for("why is it alive?", why="the details of kept_reports")
    s = p.wait_for(lambda s: "-[kept_reports]-> list" in s and s, timeout=5,
                   why="kept_reports is not alive through the scenario's globals")
    text = t.flat(s)
    if "the scenario's globals" not in text or "only a cycle" in text:
        raise t.Failure("kept_reports's why-alive does not start at the scenario's globals", s)
    m = re.search(r"keeps ([\d.,]+) (B|KB|MB|GB) alive alone", text)
    if m is None:
        raise t.Failure("the details do not say what kept_reports keeps alive", s)
    kept = float(m.group(1).replace(",", "")) * t.UNITS[m.group(2)]
    if kept >= 100_000:
        raise t.Failure(f"kept_reports keeps {m.group(1)} {m.group(2)} alive: the fix should "
                        "keep a report of bytes, not the 5 MB payload", s)
    p.keys("Escape")


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
