"""Each lesson's key figures, read from the raw samples of its scenario's
JSON report, independently of the scenario's own checks.

The lesson-NN tests (test_checks.py, in tests/meson.build) run each
scenario and hold its checks to a minimum count. A check can still be
wrong in the scenario itself: compare the wrong readings, or grow a
tolerance that lets the leak through. This test does not read the checks:
it recomputes the figures each lesson's text states (7 MB kept, 5 MB freed
by clear_frames, one payload per raise, no collection for 100 MB, ...)
from the heap, chain, frames and gc_runs samples exclab recorded after
every Python job, with the same tolerances the lesson states.

A step's readings are the last sample of the step before it (the reading
before its first job), then its own samples. Of them:

    rise   the largest growth from one reading to the next: what the
           step's biggest job kept (a leak shows here, a fix does not)
    fall   the largest drop from one reading to the next: what a
           collection or a fix gave back
    net    the last reading less the first

Every lesson scenario must have figures here: a new lesson without them
fails, with a word to add them. A failed scenario check does not fail this
test (the lesson-NN test reports it); a scenario that did not run to its
end, or a sanitizer report (tests/scenarios/sanitizer.py), does.

usage: test_lessons.py EXCLAB
"""
import glob
import json
import os
import subprocess
import sys

import sanitizer

KB, MB = 1000, 1000 * 1000

failures = 0


class Missing(Exception):
    pass


def expect(cond, msg):
    global failures
    if cond:
        print("ok  ", msg)
    else:
        failures += 1
        print("FAIL", msg)


def size(n):
    return f"{n:+,} B"


class Steps:
    """The report's steps, found by the start of their title."""

    def __init__(self, lesson, report):
        self.lesson = lesson
        self.steps = report["steps"]
        self.python = tuple(int(p) for p in report["python"].split(".")[:2])

    def __call__(self, title):
        for i, s in enumerate(self.steps):
            if s["title"].startswith(title):
                if not s["samples"]:
                    raise Missing(f"step {title!r} recorded no sample")
                before = self.steps[i - 1]["samples"][-1:] if i > 0 else []
                return Readings(self.lesson, s["title"], before + s["samples"])
        raise Missing(f"no step whose title starts {title!r}")


class Readings:
    def __init__(self, lesson, title, samples):
        self.lesson, self.title, self.samples = lesson, title, samples
        self.first, self.last = samples[0], samples[-1]
        steps = [b["heap"] - a["heap"] for a, b in zip(samples, samples[1:])] or [0]
        self.rise = max(max(steps), 0)
        self.fall = max(-min(steps), 0)
        self.net = self.last["heap"] - self.first["heap"]

    def bytes(self, what, value, low, high):
        """`value` (bytes) in [low, high]."""
        expect(low <= value <= high,
               f"{self.lesson}, {self.title!r}: {what} "
               f"({size(value)}; lesson: {size(low)} to {size(high)})")

    def small(self, what, value, limit):
        expect(abs(value) < limit,
               f"{self.lesson}, {self.title!r}: {what} ({size(value)}; lesson: under {limit:,} B)")

    def equals(self, what, value, want):
        expect(value == want, f"{self.lesson}, {self.title!r}: {what} ({value}; lesson: {want})")


def lesson1(step):
    """What a traceback holds: 5 MB buffer, 2 MB history."""
    buffer, history, extra, noise = 5 * MB, 2 * MB, 8 * KB, 250 * KB
    s = step("Catch it, use it, return")
    s.small("no job keeps the buffer once the handler ends", s.rise, noise)
    keep = step("Keep it: saved = e")
    keep.bytes("saved = e keeps both big locals, 7 MB, plus under 8 KB",
               keep.rise, buffer + history, buffer + history + extra)
    keep.equals("chain entries", keep.last["chain"], 2)
    keep.equals("frames kept (run_job() through f_back)", keep.last["frames"], 3)
    s = step("traceback.clear_frames")
    s.bytes("clear_frames frees the buffer alone, 5 MB", s.fall, buffer - extra, buffer + extra)
    s.bytes("and leaves the 2 MB history: 5 MB down in all", -s.net, buffer - extra,
            buffer + extra)
    s.equals("the chain is still there", s.last["chain"], 2)
    s = step("saved.__traceback__ = None")
    s.small("the heap is back to where it was before saved = e",
            s.last["heap"] - keep.first["heap"], noise)
    s.equals("chain entries", s.last["chain"], 0)
    s.equals("frames kept", s.last["frames"], 0)
    ctx = step("Kept without asking: __context__")
    ctx.bytes("__context__ keeps both big locals again", ctx.rise, buffer + history,
              buffer + history + extra)
    ctx.bytes("and dropping saved's own traceback frees none of it", ctx.net,
              buffer + history - noise, buffer + history + noise)
    s = step("Drop every traceback in the chain")
    s.bytes("dropping the chain's tracebacks frees all 7 MB", s.fall, buffer + history - noise,
            buffer + history + noise)
    s.small("the heap is back to where it was before run_job_wrapped()",
            s.last["heap"] - ctx.first["heap"], noise)


def lesson2(step):
    """Reusing one exception instance: 100 raises of a 500 KB payload."""
    payload, n, noise = 500 * KB, 100, 125 * KB
    # Besides its payload a raise keeps under 1 KB from 3.11 on, under 2 KB before.
    extra = 1000 if step.python >= (3, 11) else 2000
    shared = step("Raise the shared instance 100 times")
    shared.equals("100 raises of the shared instance add 200 chain entries",
                  shared.last["chain"] - shared.first["chain"], 2 * n)
    shared.equals("and 300 frames", shared.last["frames"] - shared.first["frames"], 3 * n)
    shared.bytes(f"the heap keeps one 500 KB payload per raise, plus under {extra} bytes",
                 shared.net, n * payload, n * (payload + extra))
    s = step("Raise it 100 more times")
    s.equals("chain entries after 200 raises", s.last["chain"], 4 * n)
    s.bytes("100 more payloads kept", s.rise, n * payload, n * (payload + extra))
    s = step("Ask the garbage collector")
    s.small("gc.collect() frees none of it", s.net, noise)
    s = step("Raise a fresh instance 100 times")
    s.small("fresh instances leave the heap flat", s.net, noise)
    s = step("Reset the shared instance")
    s.equals("with_traceback(None) leaves a 2-entry chain", s.last["chain"], 2)
    s.bytes("and one payload above the start", s.last["heap"] - shared.first["heap"],
            payload - noise, payload + noise)


def lesson3(step):
    """Exception reference cycles: a 5 MB payload per leaky request."""
    payload, n, extra, noise = 5 * MB, 20, 8 * KB, 250 * KB
    s = step("One request that binds its exception")
    s.bytes("one request keeps its payload, plus under 8 KB", s.rise, payload, payload + extra)
    s.bytes("and still keeps it at the end of the step", s.net, payload - noise, payload + noise)
    s = step("Ask the garbage collector")
    s.bytes("gc.collect() frees the payload", s.fall, payload, payload + extra)
    s = step("20 more requests like step 1")
    s.bytes("20 requests keep 20 payloads, 100 MB", s.rise, n * payload, n * (payload + extra))
    s.equals("and the collector never ran for them", s.last["gc_runs"] - s.first["gc_runs"], 0)
    s = step("Collect them")
    s.bytes("gc.collect() frees all 20", s.fall, n * payload, n * (payload + extra))
    for title in ("Fix 1", "Fix 2", "except AppError as e", "Fix 3"):
        s = step(title)
        s.small("nothing kept", s.rise, noise)
    for title in ("The handler copies it", "The handler stores it"):
        s = step(title)
        s.bytes("one payload kept, plus under 8 KB", s.rise, payload, payload + extra)


def lesson4(step):
    """Breaking cycles: a 5 MB Giant, 1 MB bodies."""
    payload, body, failures, extra, noise = 5 * MB, 1 * MB, 20, 8 * KB, 250 * KB
    s = step("A Giant with a __del__")
    s.bytes("the Giant is kept after outer() returns", s.rise, payload, payload + extra)
    s = step("Ask the collector")
    s.bytes("gc.collect() frees it", s.fall, payload, payload + extra)
    for title in ("Fix: del exc in finally", "exc = None, or no name at all"):
        s = step(title)
        s.small("no reading shows the Giant kept", s.rise, noise)
        s.small("and the step ends where it began", s.net, noise)
    s = step("Keeping failures: exceptions or reports")
    s.bytes("20 kept exceptions keep a 1 MB body each, plus under 2 KB", s.rise,
            failures * body, failures * (body + 2 * KB))
    s = step("traceback.clear_frames")
    s.bytes("the kept exception holds the payload", s.rise, payload, payload + extra)
    s.bytes("clear_frames gives it back", s.fall, payload - extra, payload + extra)
    s = step("clear_frames inside the handler")
    s.bytes("the handler's own buffer stays: its frame was running", s.rise, payload,
            payload + extra)


def lesson5(step):
    """Case studies: 1 MB payloads, 100 KB per reading request."""
    payload, request, n, extra, noise = 1 * MB, 100 * KB, 100, 8 * KB, 25 * KB
    s = step("Case 1: a retry loop keeps its last error")
    s.bytes("the last error keeps one payload", s.rise, payload, payload + extra)
    s = step("Case 1: the retry runs inside the handler")
    s.bytes("the last error keeps all 5 tries' payloads", s.rise, 5 * payload,
            5 * (payload + extra))
    s = step("Case 1 fixed")
    s.bytes("retrying after the handler gives back 4 of them", s.fall, 4 * payload,
            4 * (payload + extra))
    s = step("Case 2: a worker stores the error in a future")
    s.bytes("the future's cycle keeps one payload", s.rise, payload, payload + extra)
    s = step("Case 2 fixed")
    s.bytes("gc.collect() gives it back", s.fall, payload, payload + extra)
    s.small("and the fixed worker keeps nothing", s.rise, noise)
    s = step("Case 3: Future.result() re-raises")
    s.equals("100 result() calls add 3 chain entries each",
             s.last["chain"] - s.first["chain"], 3 * n)
    s.bytes("and keep each reader's 100 KB, plus under 1 KB", s.rise, n * request,
            n * (request + KB))
    s = step("Case 4: a negative cache re-raises")
    s.equals("100 cached misses on top of the first miss's 3 entries", s.last["chain"],
             3 + 2 * n)
    s.bytes("each keeps its request's 100 KB, plus under 1 KB", s.rise, n * request,
            n * (request + KB))
    s = step("Case 5: a log buffer keeps exc_info")
    s.bytes("the buffer's 20 records keep 20 orders", s.rise, 20 * payload,
            20 * (payload + extra))
    s = step("Case 5 fixed")
    s.bytes("emptying it gives them back", s.fall, 20 * payload - 20 * extra,
            20 * (payload + extra))
    s.small("and the text-only rings keep no order", s.rise, 64 * KB)


def lesson6(step):
    """Finding them: a 500 KB local per raise; NOT_FOUND's chain."""
    big, extra = 500 * KB, 2 * KB
    s = step("The article's loop, measured")
    s.bytes("100 raises from a function keep its 500 KB local each", s.rise, 100 * big,
            100 * (big + extra))
    s.bytes("and resetting the chain gives it all back (within 1 MB)", s.fall,
            100 * big - MB, 100 * big + MB)
    s = step("Chains of long-lived exceptions")
    s.equals("NOT_FOUND's chain before the 20 missing GETs (the lesson quotes 122)",
             s.first["chain"], 122)
    s.equals("and after them, 2 entries each (the lesson quotes 162)", s.last["chain"], 162)


FIGURES = {
    "01-traceback": ("lesson 1", lesson1),
    "02-reuse": ("lesson 2", lesson2),
    "03-cycles": ("lesson 3", lesson3),
    "04-breaking": ("lesson 4", lesson4),
    "05-cases": ("lesson 5", lesson5),
    "06-finding": ("lesson 6", lesson6),
}


def run(exclab, scenario):
    proc = subprocess.run([exclab, "run", scenario, "--headless", "--json"],
                          capture_output=True, text=True, timeout=300)
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        report = None
    return proc.returncode, report, proc.stderr


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[-1])
        return 2
    exclab = sys.argv[1]
    scenarios = sorted(glob.glob("scenarios/*/scenario.lua"))
    for name in sorted(set(FIGURES) - {os.path.basename(os.path.dirname(p)) for p in scenarios}):
        expect(False, f"{name}: figures here, but no scenarios/{name}/scenario.lua")
    for path in scenarios:
        name = os.path.basename(os.path.dirname(path))
        if name not in FIGURES:
            expect(False, f"{name}: no figure check for this lesson: add one to tests/scenarios/test_lessons.py")
            continue
        lesson, figures = FIGURES[name]
        # Exit 1 is a failed scenario check: the lesson-NN test reports it.
        # The samples are what this test reads, and they are all there.
        status, report, stderr = run(exclab, path)
        error = "no JSON report" if report is None else report["error"]
        ran = status in (0, 1) and error is None and not sanitizer.report_in(stderr)
        expect(ran, f"{lesson} ({name}): the scenario ran to its end "
               f"(exit {status}{'; ' + error if error else ''})")
        if not ran:
            print(stderr.rstrip())
            continue
        try:
            figures(Steps(lesson, report))
        except Missing as e:
            expect(False, f"{lesson} ({name}): {e}")
    print(f"{failures} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
