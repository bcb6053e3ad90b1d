/* test_deck.c — cutting decks into slides: separators, parts, notes, live
 * blocks, figures, the time plan, and bad decks named by file and line. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "deck.h"

static int parse_n(struct deck *d, const char *text, size_t len, struct error *err)
{
	memset(err, 0, sizeof *err);
	return deck_parse(d, "slides/talk.md", text, len, err);
}

static int parse(struct deck *d, const char *text, struct error *err)
{
	int rc = parse_n(d, text, strlen(text), err);

	if (rc < 0)
		fprintf(stderr, "  parse: %s:%d: %s\n", err->file, err->line, err->msg);
	return rc;
}

/* The error a bad deck of len bytes gives: its line, and words from its message. */
static void bad_n(const char *text, size_t len, int line, const char *words)
{
	struct deck d;
	struct error err;

	CHECK(parse_n(&d, text, len, &err) == -1);
	if (err.line != line || strstr(err.msg, words) == NULL || strcmp(err.file, "slides/talk.md"))
		fprintf(stderr, "  for deck:\n%s\n  got %s:%d: %s\n  want line %d and \"%s\"\n", text,
		        err.file, err.line, err.msg, line, words);
	CHECK(err.line == line);
	CHECK(strstr(err.msg, words) != NULL);
	CHECK(strcmp(err.file, "slides/talk.md") == 0);
	CHECK(d.nslides == 0);
}

static void bad(const char *text, int line, const char *words)
{
	bad_n(text, strlen(text), line, words);
}

static void test_slides(void)
{
	static const char text[] =
		"---\n"                                   /* 1 */
		"title: Exceptions that keep memory alive\n"
		"duration: 30\n"
		"theme: light\n"
		"---\n"                                   /* 5 */
		"\n"
		"# Exceptions that keep memory alive\n"
		"\n"
		"A talk.\n"
		"\n"                                      /* 10 */
		"---\n"
		"\n"
		"## Setext, code, comments\n"
		"\n"
		"Not a break\n"                           /* 15 */
		"---\n"
		"\n"
		"```python\n"
		"---\n"
		"<!-- pause -->\n"                        /* 20 */
		"```\n"
		"<!-- an author's comment -->\n"
		"<!-- end_slide -->\n"
		"\n"
		"***\n"                                   /* 25 */
		"\n"
		"Untitled text.\n"
		"***\n"                                   /* "***" under text still ends a slide */
		"Last.\n";
	struct deck d;
	struct error err;

	CHECK(parse(&d, text, &err) == 0);
	CHECK(d.nslides == 4);
	CHECK_STR(d.title, "Exceptions that keep memory alive");
	CHECK(d.duration == 30);
	CHECK(d.theme == DECK_THEME_LIGHT && d.theme_given);
	if (d.nslides == 4) {
		CHECK_STR(d.slides[0].title, "Exceptions that keep memory alive");
		CHECK(d.slides[0].title_level == 1);
		CHECK(d.slides[0].line == 7);
		CHECK_STR(d.slides[0].body, "A talk.");
		CHECK_STR(d.slides[1].title, "Setext, code, comments");
		CHECK(d.slides[1].title_level == 2);
		CHECK(d.slides[1].line == 13);
		/* "---" under text is a heading's underline; in code it is code,
		 * and so is a comment; an author's comment is shown as nothing. */
		CHECK_STR(d.slides[1].body, "Not a break\n---\n\n```python\n---\n<!-- pause -->\n```");
		CHECK(d.slides[1].nparts == 1);
		CHECK_STR(d.slides[2].title, "");
		CHECK(d.slides[2].title_level == 0);
		CHECK(d.slides[2].line == 27);
		CHECK_STR(d.slides[2].body, "Untitled text.");
		CHECK_STR(d.slides[3].body, "Last.");
		/* The plan: 30 minutes in four even shares. */
		CHECK(d.slides[2].plan_start == 15 && d.slides[3].plan_end == 30);
	}
	deck_free(&d);
}

static void test_parts_notes(void)
{
	static const char text[] =
		"## Parts\n"
		"\n"
		"One\n"
		"<!-- pause -->\n"
		"Two\n"
		"<!-- speaker_note: say why -->\n"
		"<!--\n"
		"  speaker_note: and then\n"
		"  the second line\n"
		"-->\n"
		"<!-- pause -->\n"
		"Three\n"
		"<!-- minutes: 4 -->\n"
		"<!-- countdown -->\n"
		"---\n"
		"\n"
		"## Next\n";
	struct deck d;
	struct error err;
	char *t;

	CHECK(parse(&d, text, &err) == 0);
	CHECK(d.nslides == 2);
	if (d.nslides != 2) {
		deck_free(&d);
		return;
	}
	CHECK(d.slides[0].nparts == 3);
	t = deck_slide_text(&d, 0, 0, NULL);
	CHECK_STR(t, "One\n");
	free(t);
	t = deck_slide_text(&d, 0, 1, NULL);
	CHECK_STR(t, "One\nTwo\n");
	free(t);
	t = deck_slide_text(&d, 0, 2, NULL);
	CHECK_STR(t, "One\nTwo\nThree");
	free(t);
	CHECK_STR(d.slides[0].notes, "say why\nand then\n  the second line");
	CHECK(d.slides[0].minutes == 4 && d.slides[0].countdown);
	/* No duration: one minute for each slide without its own. */
	CHECK(d.slides[1].plan_start == 4 && d.slides[1].plan_end == 5);
	deck_free(&d);
}

static void test_live(void)
{
	static const char text[] =
		"---\n"
		"pace: 5\n"
		"---\n"
		"## Named\n"
		"```exclab\n"                    /* 5 */
		"# which demo\n"
		"scenario: demos/reuse.lua\n"
		"steps: 2-3\n"
		"pace: 20\n"
		"gauges: heap, chain\n"          /* 10 */
		"graph: on\n"
		"id: reuse\n"
		"```\n"
		"---\n"
		"\n"                             /* 15 */
		"## Inline\n"
		"<!-- pause -->\n"
		"```exclab\n"
		"gauges: gc0\n"
		"\n"                             /* 20 */
		"scenario { title = \"x\" }\n"
		"step(\"one\", function() end)\n"
		"```\n";
	struct deck d;
	struct error err;

	CHECK(parse(&d, text, &err) == 0);
	CHECK(d.nlives == 2);
	if (d.nlives != 2) {
		deck_free(&d);
		return;
	}
	CHECK(d.lives[0].line == 5 && d.lives[0].slide == 0 && d.lives[0].part == 0);
	CHECK_STR(d.lives[0].scenario, "slides/demos/reuse.lua");
	CHECK(d.lives[0].source == NULL);
	CHECK(d.lives[0].first_step == 2 && d.lives[0].last_step == 3);
	CHECK(d.lives[0].pace == 20);
	CHECK(d.lives[0].gauges == (1u << PROBE_HEAP | 1u << PROBE_CHAIN));
	CHECK(d.lives[0].graph);
	CHECK_STR(d.lives[0].id, "reuse");
	CHECK(d.slides[0].live == 0 && d.slides[1].live == 1);
	CHECK_STR(d.slides[0].body, "");
	/* Inline: the deck's pace, the part after the pause, and the Lua on
	 * the deck's own line numbers (line 21). */
	CHECK(d.lives[1].pace == 5 && d.lives[1].part == 1);
	CHECK(d.lives[1].scenario == NULL);
	CHECK(d.lives[1].first_step == 1 && d.lives[1].last_step == 0);
	CHECK_STR(d.lives[1].source, "\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n"
	          "scenario { title = \"x\" }\nstep(\"one\", function() end)\n");
	deck_free(&d);
}

static void test_figures(void)
{
	static const char text[] =
		"## Demo\n"
		"```exclab\n"
		"scenario: demos/reuse.lua\n"
		"graph: on\n"
		"id: reuse\n"
		"```\n"
		"It kept 400<!-- fig: chain@1 --> entries, `+100 MB`<!-- fig: +heap@1 --> more.\n"
		"\n"
		"---\n"
		"## Later\n"
		"Back then: 1,234<!-- fig: reuse.nodes@2 --> objects, ~5.0 MB<!--fig: rss@2-->.\n";
	struct deck d;
	struct error err;
	const char *texts[4] = { "402", NULL, "1,300", NULL };
	char *t;

	CHECK(parse(&d, text, &err) == 0);
	CHECK(d.nfigures == 4 && d.nslides == 2);
	if (d.nfigures != 4 || d.nslides != 2) {
		deck_free(&d);
		return;
	}
	CHECK_STR(d.figures[0].written, "400");
	CHECK(d.figures[0].kind == DECK_FIG_PROBE && d.figures[0].probe == PROBE_CHAIN);
	CHECK(d.figures[0].step == 1 && d.figures[0].live == 0 && d.figures[0].line == 7);
	CHECK_STR(d.figures[1].written, "+100 MB");
	CHECK(d.figures[1].kind == DECK_FIG_GROWTH && d.figures[1].probe == PROBE_HEAP);
	CHECK_STR(d.figures[2].written, "1,234");
	CHECK(d.figures[2].kind == DECK_FIG_NODES && d.figures[2].step == 2);
	CHECK(d.figures[2].live == 0 && d.figures[2].slide == 1);
	CHECK_STR(d.figures[3].written, "~5.0 MB");
	CHECK(d.figures[3].live == 0);   /* the nearest live block before it */
	t = deck_slide_text(&d, 0, 0, texts);
	/* A figure's spaces are no-break ones: "100 MB" never splits at a line's end. */
	CHECK_STR(t, "It kept 402 entries, `+100\u00a0MB` more.");
	free(t);
	t = deck_slide_text(&d, 1, 0, texts);
	CHECK_STR(t, "Back then: 1,300 objects, ~5.0\u00a0MB.");
	free(t);
	deck_free(&d);
}

static void test_figure_values(void)
{
	struct deck_figure f = { .written = "400" };
	char buf[64];

	CHECK(deck_figure_holds(&f, 400));
	CHECK(!deck_figure_holds(&f, 402));
	deck_format_figure(&f, 401.6, buf, sizeof buf);
	CHECK_STR(buf, "402");
	f.written = "100 MB";
	CHECK(deck_figure_holds(&f, 100.4e6));
	CHECK(!deck_figure_holds(&f, 101e6));
	f.written = "+1.4 MB";
	deck_format_figure(&f, 1.43e6, buf, sizeof buf);
	CHECK_STR(buf, "+1.4 MB");
	deck_format_figure(&f, -2e5, buf, sizeof buf);
	CHECK_STR(buf, "-0.2 MB");
	f.written = "0.0 MB";
	deck_format_figure(&f, -8808, buf, sizeof buf);
	CHECK_STR(buf, "0.0 MB");
	CHECK(deck_figure_holds(&f, -8808));
	f.written = "~100 MB";
	CHECK(deck_figure_holds(&f, 108e6));
	CHECK(!deck_figure_holds(&f, 115e6));
	f.written = "12,345";
	deck_format_figure(&f, 1234567, buf, sizeof buf);
	CHECK_STR(buf, "1,234,567");
	f.written = "500KB";
	deck_format_figure(&f, 499.8e3, buf, sizeof buf);
	CHECK_STR(buf, "500KB");
}

static void test_bad_decks(void)
{
	bad("---\ntitle: x\n", 1, "never ends");
	bad("---\ntitel: x\n---\n# x\n", 2, "unknown front matter key \"titel\"");
	bad("---\ntheme: blue\n---\n# x\n", 2, "not a theme");
	bad("# x\n\nok\n\xff\xfe\n", 4, "not UTF-8");
	bad_n("# x\n\n\nnul\0here\n", 14, 4, "NUL");
	bad("", 0, "no slides");
	bad("# a\n```exclab\nscenario: a.lua\npase: 20\n```\n", 4, "unknown live block option \"pase\"");
	bad("# a\n```exclab\nscenario: a.lua\nsteps: 3-1\n```\n", 4, "not a step or a range");
	bad("# a\n```exclab\nscenario: a.lua\nsteps: 0\n```\n", 4, "not a step or a range");
	bad("# a\n```exclab\nscenario: a.lua\ngauges: heap, ram\n```\n", 4, "names a gauge");
	bad("# a\n```exclab\nsteps: 1\n```\n", 2, "names no scenario");
	bad("# a\n```exclab\nscenario: a.lua\n\nstep('x', function() end)\n```\n", 5,
	    "holds an inline one too");
	bad("# a\n```exclab\nscenario: a.lua\n```\n```exclab\nscenario: b.lua\n```\n", 5,
	    "a second live block");
	bad("# a\nwhat 400<!-- fig: chain@1 -->\n", 2, "no live block to quote");
	bad("# a\n```exclab\nscenario: a.lua\nsteps: 1-2\n```\nn 400<!-- fig: chain@3 -->\n", 6,
	    "quotes step 3");
	bad("# a\n```exclab\nscenario: a.lua\n```\nsome<!-- fig: chain@1 -->\n", 5, "follows no number");
	bad("# a\n```exclab\nscenario: a.lua\n```\n4<!-- fig: memory@1 -->\n", 5, "not GAUGE@STEP");
	bad("# a\n```exclab\nscenario: a.lua\n```\n4<!-- fig: cycles@1 -->\n", 5, "shows none");
	bad("# a\n```exclab\nscenario: a.lua\n```\n4<!-- fig: other.chain@1 -->\n", 5,
	    "no live block has the id \"other\"");
	bad("# a\n<!-- minutes: soon -->\n", 2, "not a number of minutes");
	bad("# a\n\n<!-- speaker_note: never\nends\n", 3, "never ends");
}

/* A deck of 20,000 slides parses, in one pass. */
static void test_huge(void)
{
	size_t cap = 20000 * 40, len = 0;
	char *text = xmalloc(cap);
	struct deck d;
	struct error err;

	for (int i = 0; i < 20000; i++)
		len += (size_t)snprintf(text + len, cap - len, "## Slide %d\n\ntext\n\n---\n\n", i + 1);
	CHECK(deck_parse(&d, "huge.md", text, len, &err) == 0);
	CHECK(d.nslides == 20000);
	if (d.nslides == 20000)
		CHECK_STR(d.slides[19999].title, "Slide 20000");
	deck_free(&d);
	free(text);
}

int main(void)
{
	setlocale(LC_CTYPE, "C.UTF-8");
	test_slides();
	test_parts_notes();
	test_live();
	test_figures();
	test_figure_values();
	test_bad_decks();
	test_huge();
	return check_done("test_deck");
}
