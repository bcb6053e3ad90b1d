/* slide_bench.c — drawing a slide at 200x50, in process: what exclab
 * present does between reading a key and handing the screen to curses.
 * Each round draws every slide of the talk once, the Markdown rendered
 * afresh (a new slide is never in the cache), and prints the median and
 * the slowest slide, so bench/present.py's key-to-last-byte can be split
 * into this and the terminal's share.
 *
 * usage: slide_bench [ROUNDS]   (default 21; from the project root)
 *        slide_bench --smoke    one round: the test suite runs this */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deck.h"
#include "util.h"
#include "view_slide.h"

#define DECK "slides/talk.md"

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	int rounds = smoke ? 1 : argc > 1 ? atoi(argv[1]) : 21;
	struct deck d;
	struct error err;
	struct screen *s = screen_new(200, 50, false);
	struct model m;
	struct view gauges = { &view_gauges, NULL };
	struct view graph = { &view_graph, view_graph.init() };
	struct view console = { &view_console, view_console.init() };
	double *t, worst = 0;
	int n = 0, worst_slide = 0;

	setlocale(LC_CTYPE, "C.UTF-8");
	if (deck_load(&d, DECK, &err) < 0) {
		fprintf(stderr, "slide_bench: %s:%d: %s\n", err.file, err.line, err.msg);
		return 1;
	}
	model_init(&m);
	t = xcalloc((size_t)(rounds * d.nslides), sizeof *t);
	for (int r = 0; r < rounds; r++) {
		for (int i = 0; i < d.nslides; i++) {
			struct slide_cache *c = slide_cache_new();
			struct slide_live live = { .model = &m, .gauges = &gauges, .graph = &graph,
			                           .console = &console };
			struct slide_frame f = { .deck = &d, .slide = i, .part = d.slides[i].nparts - 1,
			                         .countdown = -1 };
			double t0;

			if (d.slides[i].live >= 0) {
				live.block = &d.lives[d.slides[i].live];
				f.live = &live;
			}
			t0 = util_now();
			slide_draw(c, s, &f);
			t[n] = util_now() - t0;
			if (t[n] > worst) {
				worst = t[n];
				worst_slide = i + 1;
			}
			n++;
			slide_cache_free(c);
		}
	}
	qsort(t, (size_t)n, sizeof *t, cmp);
	printf("slide draw at 200x50, %s, %d draws: median %.1f us, slowest %.1f us (slide %d)\n",
	       DECK, n, t[n / 2] * 1e6, worst * 1e6, worst_slide);
	free(t);
	view_graph.free(graph.data);
	view_console.free(console.data);
	model_free(&m);
	screen_free(s);
	deck_free(&d);
	return 0;
}
