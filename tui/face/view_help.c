/* view_help.c — an overlay listing every key; any key closes it. */
#include "view.h"

#include <string.h>

static const struct {
	const char *keys, *what;
} help_keys[] = {
	{ "space, enter", "run the next step / go on past a pause" },
	{ "a", "run all remaining steps" },
	{ "s, Ctrl-C", "stop the running step" },
	{ "r", "restart the scenario from step 1" },
	{ "n, PgDn, \u2192", "next lesson page" },
	{ "p, PgUp, \u2190", "previous lesson page" },
	{ "j k, \u2193 \u2191", "scroll the lesson page" },
	{ "[ ]", "scroll the console back / forward" },
	{ "g", "the object graph / back to the lesson" },
	{ "  arrows, tab", "graph: move between objects / follow an edge" },
	{ "  c, enter", "graph: follow the cycle / details and why alive" },
	{ "  e, h j k l", "graph: expand long chains / pan" },
	{ "x", "the exercise: your copy, its verification, hints" },
	{ "  o v h", "exercise: edit in $EDITOR / verify now / a hint" },
	{ "  R s", "exercise: reset your copy / the solution (once passed)" },
	{ "m", "back to the course menu" },
	{ "?", "this help" },
	{ "q", "quit (stops a running step first)" },
};

#define NKEYS ((int)(sizeof help_keys / sizeof help_keys[0]))
#define KEY_COLUMN 16

static void help_draw(void *data, struct screen *s, struct screen_rect r,
                      const struct view_ctx *ctx)
{
	(void)ctx;
	(void)data;
	struct screen_rect box;
	int i, y;

	box.w = r.w < 60 ? r.w : 60;
	box.h = r.h < NKEYS + 6 ? r.h : NKEYS + 6;
	box.x = r.x + (r.w - box.w) / 2;
	box.y = r.y + (r.h - box.h) / 2;
	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, "Keys", SCREEN_BORDER);
	box = screen_inset(box, 1);
	for (i = 0, y = box.y + 1; i < NKEYS; i++, y++) {
		screen_put(s, box, box.x + 1, y, help_keys[i].keys, SCREEN_KEY);
		screen_put(s, box, box.x + 1 + KEY_COLUMN, y, help_keys[i].what, SCREEN_NORMAL);
	}
	screen_put(s, box, box.x + 1, y + 1, "Press any key to close.", SCREEN_DIM);
}

const struct view_ops view_help = {
	.name = "help",
	.draw = help_draw,
};
