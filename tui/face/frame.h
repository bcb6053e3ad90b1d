/* frame.h — the whole screen: where each view goes, and drawing them all.
 *
 * Pure composition: views draw into the off-screen screen, nothing here
 * calls curses, so a frame can be drawn in a unit test and compared with a
 * golden text (tests/unit/test_views.c). ui.c owns the views and presents
 * the screen. */
#ifndef EXCLAB_FRAME_H
#define EXCLAB_FRAME_H

#include <stdbool.h>

#include "screen.h"
#include "view.h"

enum frame_view {
	V_TITLE, V_LESSON, V_GAUGES, V_CONSOLE, V_STATUS, V_HELP, V_SMALL, V_GRAPH, V_PREDICT,
	V_MENU, V_EXERCISE, V_COUNT
};

extern const struct view_ops *const frame_views[V_COUNT];

/* Where things go on a screen of one size. */
/* The gauges' column at 80 columns, and so the lesson text's width there:
 * what lessons are written for (lessons/README.md, checked by exclab check). */
#define FRAME_GAUGES_WIDTH 24
#define FRAME_TEXT_WIDTH_80 (VIEW_MIN_WIDTH - FRAME_GAUGES_WIDTH - 3)
/* Rows of lesson text at 80x24, and the most rows a page should have. */
#define FRAME_TEXT_ROWS_24 16
#define FRAME_PAGE_MAX (3 * FRAME_TEXT_ROWS_24)

struct frame_layout {
	bool too_small;
	bool wide;             /* the text has the gauges' room too */
	struct screen_rect title, lesson, gauges, console, status;
	int split_x, rule_y;   /* the line between lesson and gauges; above the console */
};

void frame_layout(struct frame_layout *l, int w, int h, bool wide);

/* What is on screen besides the lesson. */
struct frame_shows {
	bool menu, graph, help, exercise;
};

/* Draw every view of the frame into s (cleared first). */
void frame_draw(struct screen *s, const struct frame_layout *l, struct view views[V_COUNT],
                const struct frame_shows *shows, const struct view_ctx *ctx);

#endif
