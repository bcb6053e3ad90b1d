/* test_slides.c — what `exclab present` draws, as golden screens: the
 * title slide (block letters and their ASCII form), a slide in parts, a
 * live slide with its gauges and output, the graph on a wide screen, the
 * overview, the notes window, a countdown, the keys. The deck
 * (tests/golden/slides/deck.md), the model and the clock are fixed here,
 * so only a change in drawing changes a golden.
 *
 *     EXCLAB_REGENERATE_GOLDENS=1 build/tests/test_slides   (then review the diff)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigtext.h"
#include "check.h"
#include "deck.h"
#include "golden.h"
#include "graph.h"
#include "model.h"
#include "view_slide.h"

#define DIR "tests/golden/slides/"

static struct deck deck;
static struct model model;
static struct view gauges = { &view_gauges, NULL }, graph, console;

static void golden(const char *name, const struct screen *s)
{
	char *text = screen_to_text(s), path[256];

	snprintf(path, sizeof path, DIR "%s.txt", name);
	check_golden_text(path, text);
	free(text);
}

static void sample(double heap, double chain)
{
	struct probe_sample s = {
		.v = { [PROBE_HEAP] = heap, [PROBE_CHAIN] = chain },
		.have = 1u << PROBE_HEAP | 1u << PROBE_CHAIN,
	};

	model_record_sample(&model, &s);
}

/* The demo halfway through step 1, and a graph with a cycle in it. */
static void setup_model(void)
{
	struct graph *g = graph_new();
	struct graph_node n = { .kind = GRAPH_EXCEPTION, .size = 88, .scc = -1 };

	model_init(&model);
	model_reset_run(&model);
	model_set_python(&model, "3.11.2", 700);
	model_set_scenario(&model, "One exception instance", "reuse.lua", 3, 256e6);
	model_set_settings(&model, 1u << PROBE_HEAP | 1u << PROBE_CHAIN, "NOT_FOUND", "last_error()");
	model_begin_step(&model, 0, "100 requests raise the shared instance");
	for (int i = 0; i <= 10; i++)
		sample(2.5e6 + i * 2.5e6, i * 10);
	model_console(&model, CONSOLE_OUTPUT, "50 requests: chain 0 -> 100 entries");
	model_console(&model, CONSOLE_PASS, "\u2713 two chain entries per request");
	model_running(&model);

	snprintf(n.type, sizeof n.type, "JobError");
	snprintf(n.repr, sizeof n.repr, "JobError('job failed')");
	n.root = true;
	snprintf(n.root_name, sizeof n.root_name, "last_error()");
	graph_add_node(g, &n);
	n = (struct graph_node){ .kind = GRAPH_TRACEBACK, .size = 64, .scc = -1 };
	snprintf(n.type, sizeof n.type, "traceback");
	graph_add_node(g, &n);
	n = (struct graph_node){ .kind = GRAPH_FRAME, .size = 400, .scc = -1 };
	snprintf(n.type, sizeof n.type, "frame");
	snprintf(n.repr, sizeof n.repr, "run_job");
	graph_add_node(g, &n);
	g->nodes[0].addr = 0x1000;
	g->nodes[1].addr = 0x2000;
	g->nodes[2].addr = 0x3000;
	graph_add_edge(g, 0, 1, "__traceback__");
	graph_add_edge(g, 1, 2, "tb_frame");
	graph_add_edge(g, 2, 0, "err");
	graph_find_cycles(g);
	model_set_graph(&model, g);
}

static void draw(struct screen *s, int slide, int part, const char *status, const char *message)
{
	struct slide_cache *c = slide_cache_new();
	const char *figures[4] = { NULL };
	struct slide_live live = { .model = &model, .gauges = &gauges, .graph = &graph,
	                           .console = &console };
	struct slide_frame f = { .deck = &deck, .slide = slide, .part = part,
	                         .figures = figures, .status = status, .message = message,
	                         .countdown = deck.slides[slide].countdown ? 754 : -1 };

	if (deck.slides[slide].live >= 0) {
		struct view_ctx ctx = { .model = &model };
		view_graph.update(graph.data, &ctx);
		live.block = &deck.lives[deck.slides[slide].live];
		f.live = &live;
	}
	slide_draw(c, s, &f);
	slide_cache_free(c);
}

static void test_title(void)
{
	struct screen *s = screen_new(80, 24, false);

	draw(s, 0, 0, NULL, NULL);
	golden("title", s);
	screen_free(s);
	s = screen_new(80, 24, true);
	draw(s, 0, 0, NULL, NULL);
	golden("title.ascii", s);
	screen_free(s);
	/* A big screen: the title twice as large, when it fits. */
	s = screen_new(200, 50, false);
	draw(s, 0, 0, NULL, NULL);
	golden("title.200x50", s);
	screen_free(s);
}

static void test_parts(void)
{
	struct screen *s = screen_new(80, 24, false);
	char *text;

	draw(s, 1, 0, NULL, NULL);
	text = screen_to_text(s);
	CHECK(strstr(text, "one") != NULL);
	CHECK(strstr(text, "two, after a pause") == NULL);
	free(text);
	draw(s, 1, 1, NULL, "slide 4: enter, esc cancels");
	golden("parts", s);
	screen_free(s);
}

static void test_live(void)
{
	struct screen *s = screen_new(80, 24, false);

	draw(s, 2, 0, "\u25cf step 1/3 runs, 20 calls a second; s stops", NULL);
	golden("live", s);
	screen_free(s);
	s = screen_new(120, 40, false);
	draw(s, 3, 0, NULL, NULL);
	golden("graph.120x40", s);
	screen_free(s);
}

static void test_headings(void)
{
	struct screen *s = screen_new(80, 24, false);

	draw(s, 4, 0, NULL, NULL);
	golden("long_title", s);
	draw(s, 5, 0, NULL, NULL);
	golden("countdown", s);
	screen_free(s);
}

static void test_overview_notes_help(void)
{
	struct screen *s = screen_new(80, 24, false);
	struct slide_cache *a = slide_cache_new(), *b = slide_cache_new();
	struct notes_frame nf = { .deck = &deck, .slide = 1, .part = 0, .elapsed = 425,
	                          .connected = true };

	slide_draw_overview(s, &deck, 2, 4, NULL);
	golden("overview", s);
	slide_draw_notes(a, b, s, &nf);
	golden("notes", s);
	nf.connected = false;
	nf.elapsed = 1930;
	nf.slide = 5;
	slide_draw_notes(a, b, s, &nf);
	golden("notes_waiting", s);
	draw(s, 0, 0, NULL, NULL);
	slide_draw_help(s, false);
	golden("help", s);
	slide_cache_free(a);
	slide_cache_free(b);
	screen_free(s);
}

static void test_bigtext(void)
{
	char *lines[3];

	CHECK(bigtext_width("AB", 1) == 7);
	CHECK(bigtext_width("AB", 2) == 14);
	CHECK(bigtext_width("a b", 1) == bigtext_width("A B", 1));
	CHECK(bigtext_width("caf\u00e9", 1) == -1);   /* no glyph: drawn as a heading */
	CHECK(bigtext_wrap("The chain grows", 40, 1, lines, 3) == 2);
	CHECK_STR(lines[0], "The chain");
	CHECK_STR(lines[1], "grows");
	free(lines[0]);
	free(lines[1]);
	CHECK(bigtext_wrap("Unbreakablewordsthatneverend", 40, 1, lines, 3) == -1);
	CHECK(bigtext_wrap("one two three four", 8, 1, lines, 3) == -1);
}

static void test_time(void)
{
	char t[16];

	slide_format_time(754, t, sizeof t);
	CHECK_STR(t, "12:34");
	slide_format_time(-65, t, sizeof t);
	CHECK_STR(t, "-1:05");
	slide_format_time(3725, t, sizeof t);
	CHECK_STR(t, "1:02:05");
}

int main(void)
{
	struct error err;

	setlocale(LC_CTYPE, "C.UTF-8");
	if (deck_load(&deck, DIR "deck.md", &err) < 0) {
		fprintf(stderr, "FAIL %s:%d: %s\n", err.file, err.line, err.msg);
		return 1;
	}
	graph = (struct view){ &view_graph, view_graph.init() };
	console = (struct view){ &view_console, view_console.init() };
	setup_model();
	test_title();
	test_parts();
	test_live();
	test_headings();
	test_overview_notes_help();
	test_bigtext();
	test_time();
	view_graph.free(graph.data);
	view_console.free(console.data);
	model_free(&model);
	deck_free(&deck);
	return check_done("test_slides");
}
