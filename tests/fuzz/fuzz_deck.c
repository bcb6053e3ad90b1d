/* fuzz_deck.c — a mutated deck: parsed, and when it parses, every slide
 * drawn in every part at 80x24 in UTF-8 and ASCII and in the notes window,
 * with its figures as written and as measured. */
#include <stdlib.h>
#include <string.h>

#include "deck.h"
#include "fuzz.h"
#include "view_slide.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deck d;
	struct error err;
	struct model m;
	struct view gauges = { &view_gauges, NULL };
	struct view graph = { &view_graph, NULL };
	struct view console = { &view_console, NULL };
	const char **measured;

	if (deck_parse(&d, "deck.md", (const char *)data, size, &err) < 0)
		return 0;   /* refused with a message: fine */
	if (d.nslides < 1 || err.line < 0)
		abort();
	model_init(&m);
	graph.data = view_graph.init();
	console.data = view_console.init();
	measured = calloc((size_t)d.nfigures + 1, sizeof *measured);
	for (int i = 0; i < d.nfigures; i++) {
		static char text[64][48];
		if (d.figures[i].live < 0 || d.figures[i].live >= d.nlives)
			abort();   /* every figure quotes a live block */
		deck_format_figure(&d.figures[i], (double)(i * 12345) - 1e6, text[i % 64], 48);
		deck_figure_holds(&d.figures[i], (double)i);
		measured[i] = text[i % 64];
	}
	for (int a = 0; a < 2; a++) {
		struct screen *s = screen_new(80, 24, a);
		struct slide_cache *c = slide_cache_new(), *n = slide_cache_new();
		for (int i = 0; i < d.nslides && i < 200; i++) {
			for (int part = 0; part < d.slides[i].nparts; part++) {
				struct slide_live live = { .model = &m, .gauges = &gauges, .graph = &graph,
				                           .console = &console };
				struct slide_frame f = { .deck = &d, .slide = i, .part = part,
				                         .figures = a ? measured : NULL,
				                         .countdown = d.slides[i].countdown ? 61 : -1 };
				struct notes_frame nf = { .deck = &d, .slide = i, .part = part,
				                          .elapsed = 100, .connected = a };
				if (d.slides[i].live >= 0) {
					live.block = &d.lives[d.slides[i].live];
					f.live = &live;
				}
				f.generation = nf.generation = (unsigned)(i * 64 + part);
				slide_draw(c, s, &f);
				slide_draw_notes(c, n, s, &nf);
			}
		}
		slide_draw_overview(s, &d, 0, d.nslides - 1, NULL);
		slide_cache_free(c);
		slide_cache_free(n);
		screen_free(s);
	}
	free(measured);
	view_graph.free(graph.data);
	view_console.free(console.data);
	model_free(&m);
	deck_free(&d);
	return 0;
}
