/* view_small.c — the whole screen when the terminal is below 80x24: a
 * centred message saying so, word-wrapped, readable even at 20x5. */
#include "view.h"

#include <stdio.h>
#include <string.h>

#define MAX_ROWS 24

/* Greedy word wrap of text into at most MAX_ROWS [start, end) ranges. */
static int wrap_words(const struct screen *s, const char *text, int width,
                      size_t start[], size_t end[])
{
	size_t len = strlen(text), i = 0;
	int n = 0;

	while (i < len && n < MAX_ROWS) {
		size_t line = i, last_fit = i, j = i;

		while (j <= len) {
			if (j == len || text[j] == ' ') {
				if (screen_text_width(text + line, j - line, s->ascii) > width)
					break;
				last_fit = j;
				if (j == len)
					break;
			}
			j++;
		}
		if (last_fit == line)   /* one word wider than the screen: clipped */
			for (last_fit = line; last_fit < len && text[last_fit] != ' '; last_fit++)
				;
		start[n] = line;
		end[n++] = last_fit;
		for (i = last_fit; i < len && text[i] == ' '; i++)
			;
	}
	return n;
}

static void small_draw(void *data, struct screen *s, struct screen_rect r,
                       const struct view_ctx *ctx)
{
	(void)ctx;
	(void)data;
	char text[256];
	size_t start[MAX_ROWS], end[MAX_ROWS];
	int n, i;

	snprintf(text, sizeof text, "exclab needs at least %dx%d; this terminal is %dx%d. "
	         "Enlarge it or press q to quit.", VIEW_MIN_WIDTH, VIEW_MIN_HEIGHT, r.w, r.h);
	n = wrap_words(s, text, r.w, start, end);
	if (n > r.h) {
		snprintf(text, sizeof text, "need %dx%d, have %dx%d. q quits.", VIEW_MIN_WIDTH, VIEW_MIN_HEIGHT, r.w, r.h);
		n = wrap_words(s, text, r.w, start, end);
	}
	for (i = 0; i < n; i++) {
		int w = screen_text_width(text + start[i], end[i] - start[i], s->ascii);
		int x = r.x + (w < r.w ? (r.w - w) / 2 : 0);
		int y = r.y + (n < r.h ? (r.h - n) / 2 : 0) + i;

		screen_putn(s, r, x, y, text + start[i], end[i] - start[i], SCREEN_STRONG);
	}
}

const struct view_ops view_small = {
	.name = "small",
	.draw = small_draw,
};
