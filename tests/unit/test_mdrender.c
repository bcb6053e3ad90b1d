/* test_mdrender.c — Markdown to wrapped, styled lines, compared as text. */
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "mdrender.h"

/* Lines first..first+count of doc joined with '\n', each line ending in '\n'. */
static char *lines_text(const struct mdrender_doc *d, int first, int count)
{
	static char *last;
	size_t n = 0;
	int i;

	free(last);
	last = malloc(1);
	last[0] = '\0';
	for (i = first; i < first + count; i++) {
		char *t = mdrender_line_text(&d->lines[i]);

		last = realloc(last, n + strlen(t) + 2);
		memcpy(last + n, t, strlen(t));
		n += strlen(t);
		last[n++] = '\n';
		last[n] = '\0';
		free(t);
	}
	return last;
}

static void render(struct mdrender_doc *d, const char *md, int width, bool ascii)
{
	CHECK(mdrender_parse(d, md, strlen(md), width, ascii) == 0);
}

/* The attribute of the span holding `needle` on line i, or -1. */
static int attr_of(const struct mdrender_doc *d, int i, const char *needle)
{
	int k;

	for (k = 0; k < d->lines[i].nspans; k++)
		if (strstr(d->lines[i].spans[k].text, needle))
			return (int)d->lines[i].spans[k].attr;
	return -1;
}

static const char lesson[] =
	"# Reusing one exception\n"
	"\n"
	"Python keeps a *traceback* for every **raise**; `raise exc` on an old\n"
	"instance grows it. Run [the scenario](../s/scenario.lua).\n"
	"\n"
	"- a first item long enough to wrap around\n"
	"- second\n"
	"  - nested\n"
	"\n"
	"1. one\n"
	"2. two\n"
	"\n"
	"> A quote that wraps at forty columns, yes.\n"
	"\n"
	"<!-- not for the reader -->\n"
	"\n"
	"## Fresh instance per raise\n"
	"\n"
	"```python\n"
	"def make(n):  # new each time\n"
	"    s = \"\"\"two\n"
	"    lines\"\"\" + 'x' * 0x10\n"
	"\treturn None\n"
	"```\n"
	"\n"
	"Tom &amp; Jerry &#x2192; done.\n";

static void test_golden(void)
{
	struct mdrender_doc d;

	render(&d, lesson, 40, false);
	CHECK(d.npages == 2);
	CHECK_STR(d.title, "Reusing one exception");
	CHECK_STR(d.pages[0].title, "Reusing one exception");
	CHECK_STR(d.pages[1].title, "Fresh instance per raise");
	CHECK_STR(lines_text(&d, d.pages[0].first, d.pages[0].count),
	          "Reusing one exception\n"
	          "═════════════════════\n"
	          "\n"
	          "Python keeps a traceback for every\n"
	          "raise; raise exc on an old instance\n"
	          "grows it. Run the scenario.\n"
	          "\n"
	          "• a first item long enough to wrap\n"
	          "  around\n"
	          "• second\n"
	          "  • nested\n"
	          "\n"
	          "1. one\n"
	          "2. two\n"
	          "\n"
	          "│ A quote that wraps at forty columns,\n"
	          "│ yes.\n");
	CHECK_STR(lines_text(&d, d.pages[1].first, d.pages[1].count),
	          "Fresh instance per raise\n"
	          "────────────────────────\n"
	          "\n"
	          "  def make(n):  # new each time\n"
	          "      s = \"\"\"two\n"
	          "      lines\"\"\" + 'x' * 0x10\n"
	          "      return None\n"
	          "\n"
	          "Tom & Jerry → done.\n");
	/* Styles. */
	CHECK(attr_of(&d, 0, "Reusing") == SCREEN_TITLE);
	CHECK(attr_of(&d, 3, "traceback") == SCREEN_EMPH);
	CHECK(attr_of(&d, 4, "raise;") == -1);   /* "raise" is its own span */
	CHECK(attr_of(&d, 4, "raise exc") == SCREEN_CODE);
	CHECK(attr_of(&d, 5, "the scenario") == SCREEN_LINK);
	CHECK(attr_of(&d, 15, "A quote") == SCREEN_QUOTE);
	CHECK(d.nlinks == 1);
	CHECK_STR(d.links[0].text, "the scenario");
	CHECK_STR(d.links[0].href, "../s/scenario.lua");
	mdrender_free(&d);
}

static void test_python_highlight(void)
{
	struct mdrender_doc d;
	int i;

	render(&d, lesson, 40, false);
	i = d.pages[1].first + 3;   /* def make(n):  # new each time */
	CHECK(attr_of(&d, i, "def") == SCREEN_KEYWORD);
	CHECK(attr_of(&d, i, "make") == SCREEN_DEFNAME);
	CHECK(attr_of(&d, i, "# new") == SCREEN_COMMENT);
	CHECK(attr_of(&d, i + 1, "\"\"\"two") == SCREEN_STRING);
	CHECK(attr_of(&d, i + 2, "lines\"\"\"") == SCREEN_STRING);  /* triple quote spans lines */
	CHECK(attr_of(&d, i + 2, "'x'") == SCREEN_STRING);
	CHECK(attr_of(&d, i + 2, "0x10") == SCREEN_NUMBER);
	CHECK(attr_of(&d, i + 3, "return") == SCREEN_KEYWORD);
	CHECK(attr_of(&d, i + 3, "None") == SCREEN_KEYWORD);
	mdrender_free(&d);

	/* Other languages are code, unhighlighted. */
	render(&d, "```lua\nlocal x = 'y' -- c\n```\n", 40, false);
	CHECK(d.nlines == 1 && d.lines[0].nspans == 1 && d.lines[0].spans[0].attr == SCREEN_CODE);
	mdrender_free(&d);
}

static void test_wrap_never_exceeds_width(void)
{
	static const char text[] =
		"# T\n\nSome words, a verylongwordthatcannotpossiblyfitinnarrowcolumns, "
		"日本語のテキストも折り返す and **strong words** too.\n\n"
		"- item with a fairly long text\n  - nested item with text\n"
		"    > quoted inside a list item, long enough\n";
	struct mdrender_doc d;
	int width, i;

	for (width = 12; width <= 60; width += 7) {
		render(&d, text, width, false);
		for (i = 0; i < d.nlines; i++)
			CHECK(mdrender_line_width(&d.lines[i], false) <= width);
		mdrender_free(&d);
	}
	/* A code line wider than the text is never cut off: it goes on in
	 * lines of its own, the cut marked with ↩, every character kept. */
	render(&d, "```\nprint('a line longer than twenty columns')\n```\n", 20, false);
	CHECK(d.nlines == 3);
	for (i = 0; i < d.nlines; i++)
		CHECK(mdrender_line_width(&d.lines[i], false) <= 20);
	{
		char *l0 = mdrender_line_text(&d.lines[0]), *l1 = mdrender_line_text(&d.lines[1]);
		char *l2 = mdrender_line_text(&d.lines[2]);
		CHECK_STR(l0, "  print('a line lon\u21a9");
		CHECK_STR(l1, "  ger than twenty c\u21a9");
		CHECK_STR(l2, "  olumns')");
		free(l0);
		free(l1);
		free(l2);
	}
	mdrender_free(&d);
}

/* Every line of d as text with its width on a UTF-8 screen: "text|width\n". */
static char *lines_widths(const struct mdrender_doc *d)
{
	static char *last;
	size_t n = 0;
	int i;

	free(last);
	last = malloc(1);
	last[0] = '\0';
	for (i = 0; i < d->nlines; i++) {
		char *t = mdrender_line_text(&d->lines[i]);
		char w[16];

		snprintf(w, sizeof w, "|%d\n", mdrender_line_width(&d->lines[i], false));
		last = realloc(last, n + strlen(t) + strlen(w) + 1);
		memcpy(last + n, t, strlen(t));
		n += strlen(t);
		memcpy(last + n, w, strlen(w) + 1);
		n += strlen(w);
		free(t);
	}
	return last;
}

static void test_long_words(void)
{
	struct mdrender_doc d;
	char *word;
	size_t n, got;
	int i, bad;

	/* Cut exactly at the width, on every line the word takes. */
	render(&d, "abcdefghijklmnopqrstuvwxyz\n", 10, false);
	CHECK_STR(lines_widths(&d), "abcdefghij|10\nklmnopqrst|10\nuvwxyz|6\n");
	mdrender_free(&d);
	/* Words before it end their line; words after it follow its last piece. */
	render(&d, "ab abcdefghijklm no pq\n", 10, false);
	CHECK_STR(lines_widths(&d), "ab|2\nabcdefghij|10\nklm no pq|9\n");
	mdrender_free(&d);
	/* Continuation lines hang under the item's text and keep the quote's bar. */
	render(&d, "- abcdefghijklmnopqrstuvwxyz\n", 12, false);
	CHECK_STR(lines_widths(&d), "• abcdefghij|12\n  klmnopqrst|12\n  uvwxyz|8\n");
	mdrender_free(&d);
	render(&d, "> abcdefghijklmnopqrstuvwxyz\n", 12, false);
	CHECK_STR(lines_widths(&d), "│ abcdefghij|12\n│ klmnopqrst|12\n│ uvwxyz|8\n");
	mdrender_free(&d);

	/* A wide character is never split: a line ends a column short instead. */
	render(&d, "一二三四五六七八九十\n", 9, false);
	CHECK_STR(lines_widths(&d), "一二三四|8\n五六七八|8\n九十|4\n");
	mdrender_free(&d);
	render(&d, "a漢字漢b\n", 4, false);
	CHECK_STR(lines_widths(&d), "a漢|3\n字漢|4\nb|1\n");
	mdrender_free(&d);

	/* A combining accent stays on its letter, also where the line is cut. */
	render(&d, "abcde\xcc\x81" "fgh\n", 5, false);
	CHECK_STR(lines_widths(&d), "abcde\xcc\x81|5\nfgh|3\n");
	mdrender_free(&d);
	render(&d, "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81\n", 3, false);
	CHECK_STR(lines_widths(&d),
	          "e\xcc\x81" "e\xcc\x81" "e\xcc\x81|3\n"
	          "e\xcc\x81" "e\xcc\x81" "e\xcc\x81|3\n"
	          "e\xcc\x81|1\n");
	mdrender_free(&d);
	/* Also on a character wider than the line, which goes alone. */
	render(&d, "漢\xcc\x81字\n", 1, false);
	CHECK_STR(lines_widths(&d), "漢\xcc\x81|2\n字|2\n");
	mdrender_free(&d);

	/* A 100 KB word: full lines, the last one the rest, nothing lost. */
	n = 100010;
	word = malloc(n + 2);
	for (i = 0; i < (int)n; i++)
		word[i] = (char)('a' + i % 26);
	word[n] = '\n';
	word[n + 1] = '\0';
	render(&d, word, 80, false);
	CHECK(d.nlines == (int)(n + 79) / 80);
	got = 0;
	bad = 0;
	for (i = 0; i < d.nlines; i++) {
		char *t = mdrender_line_text(&d.lines[i]);
		size_t k = strlen(t);

		bad += mdrender_line_width(&d.lines[i], false) != (i + 1 < d.nlines ? 80 : (int)n % 80);
		bad += got + k > n || memcmp(t, word + got, k) != 0;
		got += k;
		free(t);
	}
	CHECK(bad == 0);
	CHECK(got == n);
	mdrender_free(&d);
	free(word);
}

static void test_ascii_widths(void)
{
	struct mdrender_doc d;

	/* "→" is "->" on an ASCII screen: the wrap must count two columns. */
	render(&d, "a → b → c → d\n", 9, true);
	CHECK_STR(lines_text(&d, 0, d.nlines), "a → b →\nc → d\n");
	mdrender_free(&d);
	render(&d, "a → b → c → d\n", 9, false);
	CHECK_STR(lines_text(&d, 0, d.nlines), "a → b → c\n→ d\n");
	mdrender_free(&d);
}

static void test_pages(void)
{
	struct mdrender_doc d;

	/* No level-2 heading: one page. */
	render(&d, "# Only\n\ntext\n", 40, false);
	CHECK(d.npages == 1 && d.pages[0].first == 0 && d.pages[0].count == 4);
	mdrender_free(&d);
	/* Starting with a level-2 heading: no empty first page. */
	render(&d, "## A\n\none\n\n## B\n\ntwo\n", 40, false);
	CHECK(d.npages == 2);
	CHECK(d.title == NULL);
	CHECK_STR(d.pages[1].title, "B");
	CHECK_STR(lines_text(&d, d.pages[0].first, d.pages[0].count), "A\n─\n\none\n");
	mdrender_free(&d);
	/* Empty input: one empty page. */
	render(&d, "", 40, false);
	CHECK(d.npages == 1 && d.pages[0].count == 0 && d.nlines == 0);
	mdrender_free(&d);
}

static void test_malformed(void)
{
	struct mdrender_doc d;
	char junk[2048];
	size_t i;

	for (i = 0; i < sizeof junk; i++)
		junk[i] = (char)((i * 7919u + 13u) % 256u);
	CHECK(mdrender_parse(&d, junk, sizeof junk, 30, false) == 0);
	CHECK(d.npages >= 1);
	mdrender_free(&d);
	render(&d, "> > > > > > > > > > > > > > > > > > > > > > deep\n", 20, false);
	CHECK(d.nlines == 1 && mdrender_line_width(&d.lines[0], false) <= 20);
	mdrender_free(&d);
}

/* <!-- step N --> ties a page to a step; <!-- after step N --> holds text
 * back behind one placeholder line until step N has run. */
static void test_step_directives(void)
{
	const char *md = "# T\n\nIntro.\n\n## Two\n\n<!-- step 2 -->\n\nWhat will it do?\n\n"
	                 "<!-- after step 2 -->\nIt stays flat.\n<!-- /after -->\n\nAfter.\n\n"
	                 "## Three\n\n<!-- after step 3 -->\nHeld to the end of the page.\n";
	struct mdrender_doc d;
	int held = 0, placeholders = 0, flat = -1, after = -1;

	CHECK(mdrender_parse(&d, md, strlen(md), 40, false) == 0);
	CHECK(d.npages == 3);
	CHECK(d.pages[0].step == 0 && d.pages[1].step == 2 && d.pages[2].step == 0);
	for (int i = d.pages[1].first; i < d.pages[1].first + d.pages[1].count; i++) {
		char *text = mdrender_line_text(&d.lines[i]);
		if (d.lines[i].hidden_after == 2) {
			placeholders++;
			CHECK(strstr(text, "once step 2 has run") != NULL);
		}
		if (strcmp(text, "It stays flat.") == 0)
			flat = d.lines[i].shown_after;
		if (strcmp(text, "After.") == 0)
			after = d.lines[i].shown_after;
		free(text);
	}
	CHECK(placeholders == 1);
	CHECK(flat == 2);      /* held back */
	CHECK(after == 0);     /* shown: the held part ended */
	for (int i = d.pages[2].first; i < d.pages[2].first + d.pages[2].count; i++) {
		char *text = mdrender_line_text(&d.lines[i]);
		held += strcmp(text, "Held to the end of the page.") == 0 && d.lines[i].shown_after == 3;
		free(text);
	}
	CHECK(held == 1);      /* the page's end closes an unclosed part */
	mdrender_free(&d);
}

/* Tables: columns as wide as their widest cell, a rule under the header;
 * a column too wide for the text wraps its cells, and no line is wider than
 * the text. */
static void test_tables(void)
{
	static const char md[] =
		"| request | heap |\n"
		"|---|---:|\n"
		"| GET `ok` | 0 |\n"
		"| GET missing | +101 KB |\n"
		"\n"
		"| a | b |\n"
		"|---|---|\n"
		"| one two three four five six seven | x |\n";
	struct mdrender_doc d;

	render(&d, md, 24, false);
	CHECK_STR(lines_text(&d, 0, d.nlines),
	          "request     \u2502 heap\n"
	          "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u253c\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\n"
	          "GET ok      \u2502 0\n"
	          "GET missing \u2502 +101 KB\n"
	          "\n"
	          "a                    \u2502 b\n"
	          "\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u253c\u2500\u2500\n"
	          "one two three four   \u2502 x\n"
	          "five six seven       \u2502\n");
	CHECK(attr_of(&d, 0, "request") == SCREEN_STRONG);
	CHECK(attr_of(&d, 2, "ok") == SCREEN_CODE);
	for (int i = 0; i < d.nlines; i++)
		CHECK(mdrender_line_width(&d.lines[i], false) <= 24);
	mdrender_free(&d);
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		printf("test_mdrender: skipped (no C.UTF-8 locale)\n");
		return 77;
	}
	test_golden();
	test_python_highlight();
	test_wrap_never_exceeds_width();
	test_long_words();
	test_step_directives();
	test_ascii_widths();
	test_pages();
	test_malformed();
	test_tables();
	return check_done("test_mdrender");
}
