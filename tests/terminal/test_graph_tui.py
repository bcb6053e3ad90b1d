"""The graph view in a real terminal, driven through tmux: lesson 3's
reference cycle is drawn and marked, followed and explained, and after the
last fix the graph shows what the fix keeps instead (a list holding one
TracebackException, no cycle, no frame); a root reaching a million objects
is summarised while the interface keeps answering keys.

At 80x24, what a new learner reads: the names the lessons teach in full on
the cycle and on the way to the selection; the interpreter's machinery
hidden, said so, and shown with f; "no reference cycle" when c finds none;
the whole of "why is it alive" in the details, scrolled; words, not
scenario jargon, before a step has drawn a graph; panning that stops at the
drawing; and the selection back in view after a resize.

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
    # At the right edge its box may be cut (3.13's report has more fields).
    if "\u250c StackSum" not in graph:
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


def lesson3_graph(srv, w=t.W, h=t.H):
    """Lesson 3 after its step 1 (the prediction answered), the graph open:
    the pane and its screen."""
    p = srv.exclab_pane(LESSON3, w=w, h=h)
    p.wait_for(lambda s: t.STEP1.search(t.status_line(s)) is not None, why="lesson 3 to load")
    p.keys("Space")
    p.wait_for(lambda s: t.asking(s, "[1-9]"), timeout=20, why="step 1's prediction")
    p.keys("Escape")
    p.wait_for(lambda s: "[space] run step 2/" in t.status_line(s), why="step 1 to end")
    p.keys("g")
    return p, p.wait_for("1 cycle", why="the graph of lesson 3's cycle")


def graph_rows(s):
    """The graph's own rows: under its two header lines, above the trail line
    (the last row above the console)."""
    return t.above_console(s).split("\n")[3:-1]


def trail(s):
    """The line under the graph: how a root reaches the selection."""
    return t.above_console(s).split("\n")[-1].strip()


CUT = re.compile(r"(__tr|__co|__ca|tb_n|tb_f|f_ba|f_bac|tb_fr|tb_ne|__tra|__trac)\w*\u2026")


def case_full_labels(srv):
    """At 80x24 the cycle's names are whole, on the drawing and on the way
    from the root to the selected frame."""
    p, s = lesson3_graph(srv)
    try:
        # The scenario points out the frame that holds the exception.
        want = ("last_error() \u2500__traceback__\u2192 traceback \u2500tb_next\u2192 traceback "
                "\u2500tb_frame\u2192 frame")
        s = p.wait_for(lambda s: trail(s) == want and s, timeout=5,
                       why="the way from the root to the selected frame, every name whole")
        graph = "\n".join(graph_rows(s))
        for label in ("\u27f2 tb_next", "\u27f2 tb_frame", "\u27f2 exc", "f_back"):
            if label not in graph:
                raise t.Failure(f"{label!r} is not drawn whole next to the selected frame", s)
        m = CUT.search(graph)
        if m:
            raise t.Failure(f"a name the lesson teaches is cut: {m.group(0)!r}", s)
        p.keys("Home")
        s = p.wait_for(lambda s: "\u27f2 __traceback__" in "\n".join(graph_rows(s)) and s,
                       why="the root's \u27f2 __traceback__ edge drawn whole")
        if not trail(s).startswith("last_error() refers to") or "\u2500args\u2192 tuple" not in trail(s):
            raise t.Failure("the line under the root does not list what it refers to", s)
    finally:
        p.close()


def case_hidden(srv):
    """Code, functions and classes are hidden at first, the header says how
    many and which key shows them; f shows them (the frame's f_code appears
    in its details) and f again hides them."""
    p, s = lesson3_graph(srv)
    try:
        m = re.search(r"\+(\d+) hidden \(code, functions, classes[^)]*\) \u00b7 f: show all", s)
        if m is None:
            raise t.Failure("no '+N hidden (code, functions, classes...) \u00b7 f: show all' line", s)
        graph = "\n".join(graph_rows(s))
        for box in ("\u250c code ", "\u250c function ", "\u250c type ", "\u250c NoneType "):
            if box in graph:
                raise t.Failure(f"{box.strip()!r} is drawn though hidden", s)
        p.keys("Enter")   # the selected frame's details
        s = p.wait_for("refers to:", why="the frame's details")
        if "f_code \u2192 code" in s:
            raise t.Failure("the hidden code object is listed among the frame's referents", s)
        p.keys("Escape")
        p.keys("f")
        s = p.wait_for(lambda s: f"all shown \u00b7 f: hide {m.group(1)} objects" in s and s,
                       why="f to show everything, and say how to hide it again")
        p.keys("Enter")
        p.wait_for("f_code \u2192 code", why="the frame's code object among its referents after f")
        p.keys("Escape")
        p.keys("f")
        p.wait_for(f"+{m.group(1)} hidden", why="f again to hide the machinery")
        p.keys("Escape")   # no details open: Esc leaves the graph, as g does
        p.wait_for(lambda s: "Graph of" not in s and "[space] run step 2/" in t.status_line(s),
                   why="Esc with no details open to go back to the lesson")
    finally:
        p.close()


def case_no_cycle(srv):
    """c on an object no cycle passes through says so."""
    p, s = lesson3_graph(srv)
    try:
        p.keys("Home")
        p.wait_for(lambda s: trail(s).startswith("last_error() refers to"), why="Home to the root")
        p.keys("Tab")   # the root's first edge: args, a tuple on no cycle
        p.wait_for(lambda s: trail(s) == "last_error() \u2500args\u2192 tuple",
                   why="tab to follow args to the tuple")
        p.keys("c")
        s = p.wait_for("no reference cycle through this object",
                       why="c on the args tuple to say there is no cycle through it")
        p.keys("Home")
        p.wait_for(lambda s: "no reference cycle" not in s, why="the message to go with the next key")
    finally:
        p.close()


# Eight hops from the globals to one object, each by an attribute of its own
# name (no chain to fold): its "why is it alive" is longer than the details
# box at 80x24.
DEEP = """\
scenario { title = "A long way to one object" }
step("Hide a buffer eight hops deep", function()
  py.exec([[
class Link:
    pass
def build(names):
    first = node = Link()
    for name in names:
        setattr(node, name, Link())
        node = getattr(node, name)
    node.buffer = bytearray(100000)
    return first
keeper = build(("orders", "by_customer", "pending", "retry_queue", "last_attempt",
                "its_response", "raw_body"))
]])
  graph.show("keeper", { highlight = "keeper.orders.by_customer.pending.retry_queue.last_attempt.its_response.raw_body" })
  pause("the graph")
end)
"""
HOPS = ["orders", "by_customer", "pending", "retry_queue", "last_attempt", "its_response",
        "raw_body"]


def case_why_scrolls(srv):
    """The details' "why is it alive" is all there at 80x24: wrapped to the
    box, and scrolled with j to its last hop."""
    path = srv.write("deep.lua", DEEP)
    p = srv.exclab_pane("run", path)
    try:
        p.wait_for("run step 1/", why="the scenario to load")
        p.keys("Space")
        p.wait_for("the graph", timeout=20, why="the step's pause")
        p.keys("g")
        p.wait_for(lambda s: trail(s).endswith("\u2500raw_body\u2192 Link"),
                   why="the highlighted object, eight hops down, selected")
        p.keys("Enter")
        s = p.wait_for("-[keeper]-> Link", timeout=10, why="the why-alive answer")
        if "\u2193 more: j k scroll" not in s:
            raise t.Failure("a why longer than the box does not say it scrolls", s)
        seen = t.flat(s)
        for _ in range(30):
            if "-[raw_body]-> Link" in seen:
                break
            p.keys("j")
            s = p.wait_change(s, timeout=2)
            seen += " " + t.flat(s)
        for hop in ["keeper"] + HOPS:
            if f"-[{hop}]-> Link" not in seen:
                raise t.Failure(f"the why never shows its hop -[{hop}]-> Link, scrolled to the end", s)
    finally:
        p.close()


def case_no_graph_yet(srv):
    """Before a step draws a graph, g says so in the learner's words."""
    p = srv.exclab_pane(LESSON3)
    try:
        p.wait_for(lambda s: t.STEP1.search(t.status_line(s)) is not None, why="lesson 3 to load")
        p.keys("g")
        s = p.wait_for("No graph yet", why="the graph view before any step")
        text = t.flat(s)
        if "this lesson draws one when a step shows it" not in text:
            raise t.Failure("the empty graph view does not say a step will draw one", s)
        for jargon in ("Graph of ?", "graph.show"):
            if jargon in s:
                raise t.Failure(f"the empty graph view says {jargon!r} to a learner", s)
    finally:
        p.close()


def case_pan_and_resize(srv):
    """Panning stops where the drawing does (its last column and row are
    never past the pane's), and after a resize the selection is in view."""
    p, s = lesson3_graph(srv)
    try:
        p.keys("Home")
        p.wait_for(lambda s: trail(s).startswith("last_error() refers to"), why="Home to the root")
        p.keys(*["l"] * 40)
        p.wait_keys_read()
        s = p.settled()
        if not any(len(r) >= t.W and r[t.W - 1] != " " for r in graph_rows(s)):
            raise t.Failure("panned right to the end, the last column shows nothing: "
                            "the view went past the drawing", s)
        p.keys(*["j"] * 40)
        p.wait_keys_read()
        s = p.settled()
        if not graph_rows(s)[-1].strip():
            raise t.Failure("panned down to the end, the last row shows nothing: "
                            "the view went past the drawing", s)
        if "\u2554 last_error() " in s:
            raise t.Failure("the root is still in view after panning away", s)
        p.resize(100, 30)
        p.wait_for("\u2554 last_error() ", why="the selected root back in view after a resize")
    finally:
        p.close()


CASES = [("cycle", case_cycle), ("million", case_million), ("full-labels", case_full_labels),
         ("hidden", case_hidden), ("no-cycle", case_no_cycle), ("why-scrolls", case_why_scrolls),
         ("no-graph-yet", case_no_graph_yet), ("pan-and-resize", case_pan_and_resize)]


def main():
    return t.run(__doc__, CASES, "graph-tui")


if __name__ == "__main__":
    sys.exit(main())
