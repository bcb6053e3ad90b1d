"""present --export, checked as a reader would get it: the HTML file is
well formed, self-contained (nothing to fetch: no src, no link, no script,
no url()), has a section per slide with the slide's title, and Debian's
chromium, headless, loads it: its DOM has every section and title, and it
renders a screenshot.

usage: test_export.py EXCLAB DECK...   (from the project root, as meson runs it)
"""
import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
VOID = {"meta", "br", "hr", "img", "input", "link"}


class Checker(html.parser.HTMLParser):
    """Tags balanced, and what the page would fetch."""

    def __init__(self):
        super().__init__()
        self.stack, self.problems, self.headings = [], [], []
        self.sections, self.doctype = 0, False
        self._in_heading = None

    def handle_decl(self, decl):
        self.doctype = self.doctype or decl.lower() == "doctype html"

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "srcset") or (name == "href" and tag != "a"):
                self.problems.append(f"<{tag} {name}={value!r}>: something to fetch")
        if tag in ("script", "link", "iframe", "object", "embed", "img"):
            self.problems.append(f"<{tag}>: not self-contained")
        if tag == "section":
            self.sections += 1
        if tag in ("h1", "h2"):
            self._in_heading = ""
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()
        if tag in ("h1", "h2") and self._in_heading is not None:
            self.headings.append(self._in_heading.strip())
            self._in_heading = None

    def handle_data(self, data):
        if self._in_heading is not None:
            self._in_heading += data


def deck_titles(path):
    """The deck's slide titles: the first # or ## heading of each slide,
    outside code fences, slides cut at thematic breaks and end_slide."""
    titles, fence, have, prev_text = [], None, False, False
    text = open(path, encoding="utf-8").read()
    lines = text.split("\n")
    if lines and lines[0].strip() == "---":     # front matter
        end = lines.index("---", 1) if "---" in lines[1:] else 0
        lines = lines[end + 1:]
    for line in lines:
        s = line.strip()
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence, prev_text = m.group(1), False
            continue
        if s == "<!-- end_slide -->" or (re.fullmatch(r"([-*_])( *\1){2,}", s) and not prev_text):
            have = False
            continue
        h = re.match(r"^ {0,3}#{1,2} +(.*?)(?: +#+)?$", line)
        if h and not have:
            titles.append(h.group(1).strip())
            have = True
        prev_text = bool(s) and not h and not s.startswith("<!--")
    return titles


def check_deck(exclab, deck, tmp):
    out = os.path.join(tmp, os.path.basename(deck) + ".html")
    proc = subprocess.run([exclab, "present", "--export", out, deck], capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        return [f"export failed ({proc.returncode}): {proc.stderr.strip()}"]
    page = open(out, encoding="utf-8").read()
    c = Checker()
    c.feed(page)
    c.close()
    problems = list(c.problems)
    if not c.doctype:
        problems.append("no <!DOCTYPE html>")
    if c.stack:
        problems.append(f"tags left open: {c.stack}")
    if re.search(r"url\(|@import", page):
        problems.append("the style sheet fetches something")
    m = re.search(r"(\d+) slides\.", page)
    if not m or int(m.group(1)) != c.sections:
        problems.append(f"{c.sections} sections, but the page says {m.group(1) if m else '?'} slides")
    for t in deck_titles(deck):
        if t not in c.headings:
            problems.append(f"the slide titled {t!r} has no heading in the HTML")

    # The same page in a real browser.
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")  # Ubuntu's name
    if chromium is None:
        problems.append("chromium is not installed: apt-get install chromium "
                        "(tests/run.sh does, as root)")
        return problems
    profile = tempfile.mkdtemp(dir=tmp)
    url = "file://" + os.path.abspath(out)
    dom = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                          "--dump-dom", url], capture_output=True, text=True, timeout=120)
    if dom.returncode != 0 or "<section" not in dom.stdout:
        problems.append(f"chromium did not load it ({dom.returncode}): {dom.stderr[-400:]}")
        return problems
    if dom.stdout.count("<section") != c.sections:
        problems.append(f"chromium's DOM has {dom.stdout.count('<section')} sections, "
                        f"the file {c.sections}")
    for t in c.headings:
        if html.escape(t, quote=False) not in dom.stdout:
            problems.append(f"chromium's DOM lacks the title {t!r}")
    shot = os.path.join(tmp, "shot.png")
    subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                    f"--screenshot={shot}", "--window-size=1200,1600", url],
                   capture_output=True, timeout=120)
    if not os.path.exists(shot) or open(shot, "rb").read(8) != b"\x89PNG\r\n\x1a\n" or \
            os.path.getsize(shot) < 10000:
        problems.append("chromium took no screenshot of it")
    return problems


def main():
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[-1])
        return 2
    exclab, decks = os.path.abspath(sys.argv[1]), sys.argv[2:]
    failed = 0
    tmp = tempfile.mkdtemp(prefix="exclab-export-")
    try:
        for deck in decks:
            problems = check_deck(exclab, deck, tmp)
            if problems:
                failed += 1
                print(f"FAIL {deck}:\n  " + "\n  ".join(problems))
            else:
                print(f"ok {deck}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"{len(decks) - failed}/{len(decks)} passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
