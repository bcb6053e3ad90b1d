"""Every lesson's pages follow its scenario's steps, as lessons/README.md
asks ("Pages that follow the steps"):

- each step has its page, marked <!-- step N -->, once, in order, one
  step a page, and step 1's is page 1 (else the lesson opens past it);
- every <!-- after step N --> names a step the scenario has;
- code lines fit the 53 columns of the lesson pane at 80x24 (a code block
  is drawn indented by 2);
- a heading has no bare double underscore (it would turn bold: `__del__`
  must be escaped or in a code span).

Whether a page gives away a prediction's answer is for the author to
check (the guide says how); this test checks what a script can.

usage: test_lesson_pages.py   (run from the project root, as meson does)
"""
import glob
import os
import re
import sys

WIDTH = 53          # the lesson text at 80x24
CODE_INDENT = 2     # mdrender draws a code block 2 columns in

STEP = re.compile(r"<!--\s*step\s+(\d+)\s*-->")
AFTER = re.compile(r"<!--\s*after\s+step\s+(\d+)\s*-->")
SCENARIO_LINK = re.compile(r"\]\(([^)\s]+\.lua)\)")
STEP_CALL = re.compile(r"^step\(", re.M)

failures = 0


def expect(cond, msg):
    global failures
    if not cond:
        failures += 1
        print("FAIL", msg)
    return cond


def pages(text):
    """[(page number, first line number, lines)], split at level-2 headings
    outside code blocks; page 1 is what comes before the first one."""
    out, current, start, fence = [], [], 1, False
    for n, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fence = not fence
        if not fence and line.startswith("## "):
            out.append((len(out) + 1, start, current))
            current, start = [], n
        current.append((n, line, fence or line.startswith("```")))
    out.append((len(out) + 1, start, current))
    return out


def check_lesson(path):
    name = os.path.relpath(path)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    link = SCENARIO_LINK.search(text)
    if not expect(link, f"{name}: links no scenario"):
        return
    scenario = os.path.normpath(os.path.join(os.path.dirname(path), link.group(1)))
    with open(scenario, encoding="utf-8") as f:
        steps = len(STEP_CALL.findall(f.read()))

    seen = []          # (step, page)
    for page, _, lines in pages(text):
        marks = [(n, int(m)) for n, line, code in lines if not code
                 for m in STEP.findall(line)]
        expect(len(marks) <= 1, f"{name}: page {page} is marked for steps "
               f"{[s for _, s in marks]}: one step a page")
        seen += [(s, page, n) for n, s in marks]
        for n, line, code in lines:
            if code:
                if not line.startswith("```"):
                    expect(len(line) + CODE_INDENT <= WIDTH,
                           f"{name}:{n}: a code line of {len(line)} characters: at most "
                           f"{WIDTH - CODE_INDENT} fit the lesson pane")
                continue
            for m in AFTER.findall(line):
                expect(1 <= int(m) <= steps,
                       f"{name}:{n}: <!-- after step {m} -->, but {scenario} has {steps} steps")
            if line.startswith("#"):
                bare = re.sub(r"`[^`]*`", "", line)
                expect(not re.search(r"(?<!\\)__\w", bare),
                       f"{name}:{n}: a heading with a bare __: escape it (\\_\\_) or use a code span")

    numbers = [s for s, _, _ in seen]
    expect(numbers == list(range(1, steps + 1)),
           f"{name}: step marks {numbers}, but {scenario} has steps 1 to {steps}: "
           "mark each step's page once, in order")
    if seen:
        expect(seen[0][0] != 1 or seen[0][1] == 1,
               f"{name}:{seen[0][2]}: <!-- step 1 --> is on page {seen[0][1]}: put it on "
               "page 1, or the lesson opens past its introduction")
    print(f"{'ok  ' if failures == 0 else '    '} {name}: {steps} steps, "
          f"{len(pages(text))} pages")


def main():
    lessons = sorted(p for p in glob.glob(os.path.join("lessons", "*.md"))
                     if os.path.basename(p) != "README.md")
    if not expect(lessons, "no lessons found: run from the project root"):
        return 1
    for path in lessons:
        check_lesson(path)
    print(f"{len(lessons)} lessons, {failures} problem(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
