/* view_lesson.c — the current page of the lesson, scrollable.
 *
 * The lesson is rendered again whenever the pane's width or the glyph set
 * changes, so text always wraps to what is on screen. The last row says which
 * page this is and whether more of it lies below.
 *
 * The text follows the run (mdrender.h): when a step comes whose page the
 * lesson marks with <!-- step N -->, the view turns to it, and a part held
 * back until a step has run shows as its placeholder until then, so no page
 * gives away what a prediction is about to ask. */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"

#define MAX_TEXT_WIDTH 88   /* longer lines are hard to read */

struct lesson_view {
	struct mdrender_doc doc;
	bool rendered, ascii;
	int width;
	int page, scroll;
	int followed;        /* the step whose page the view last turned to */
	int *shown;          /* the current page's visible lines (indexes in doc) */
	int nshown, shown_cap;
};

static void *page_init(void)
{
	return xcalloc(1, sizeof(struct lesson_view));
}

static void page_free(void *data)
{
	struct lesson_view *v = data;

	if (v == NULL)
		return;
	mdrender_free(&v->doc);
	free(v->shown);
	free(v);
}

static int clamp(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* Steps the learner has seen run, in this run or an earlier one. */
static int steps_run(const struct view_ctx *ctx)
{
	const struct model *m = ctx->model;
	int done = m->state == RUN_DONE ? m->step_count
	         : m->state == RUN_LOADING ? 0 : m->step_index;

	return done > ctx->steps_done_before ? done : ctx->steps_done_before;
}

/* The step the run waits to begin (1-based), or 0. */
static int step_coming(const struct model *m)
{
	return m->state == RUN_BEFORE_STEP ? m->step_index + 1 : 0;
}

/* Turn to the page of the step that comes, once per step. */
static void follow_run(struct lesson_view *v, const struct view_ctx *ctx)
{
	int step = step_coming(ctx->model);

	if (step == 0 || step == v->followed)
		return;
	v->followed = step;
	for (int i = 0; i < v->doc.npages; i++) {
		if (v->doc.pages[i].step == step) {
			v->page = i;
			v->scroll = 0;
			return;
		}
	}
}

/* The lines of the current page the learner may see now. */
static void visible_lines(struct lesson_view *v, const struct mdrender_page *pg, int done)
{
	v->nshown = 0;
	for (int i = pg->first; i < pg->first + pg->count; i++) {
		const struct mdrender_line *l = &v->doc.lines[i];
		if ((l->shown_after && l->shown_after > done) || (l->hidden_after && l->hidden_after <= done))
			continue;
		if (v->nshown == v->shown_cap) {
			v->shown_cap = v->shown_cap * 2 + 64;
			v->shown = xrealloc(v->shown, (size_t)v->shown_cap * sizeof *v->shown);
		}
		v->shown[v->nshown++] = i;
	}
}

static void draw_no_lesson(struct screen *s, struct screen_rect r, const struct view_ctx *ctx)
{
	int y = r.y + 1;

	screen_put(s, r, r.x + 1, y++, "No lesson: running a scenario.", SCREEN_HEADING);
	if (ctx->scenario != NULL)
		screen_put(s, r, r.x + 1, ++y, ctx->scenario, SCREEN_CODE);
	screen_put(s, r, r.x + 1, y + 2, "Press space to begin, ? for help.", SCREEN_NORMAL);
}

static void page_draw(void *data, struct screen *s, struct screen_rect r,
                        const struct view_ctx *ctx)
{
	struct lesson_view *v = data;
	const struct mdrender_page *pg;
	int width = clamp(r.w - 2, 1, MAX_TEXT_WIDTH), rows = r.h - 1, i, max_scroll;
	char indicator[48];

	if (ctx->lesson == NULL) {
		draw_no_lesson(s, r, ctx);
		return;
	}
	if (!v->rendered || v->width != width || v->ascii != s->ascii) {
		mdrender_free(&v->doc);
		lesson_render(ctx->lesson, &v->doc, width, s->ascii);
		v->rendered = true;
		v->width = width;
		v->ascii = s->ascii;
	}
	follow_run(v, ctx);
	v->page = clamp(v->page, 0, v->doc.npages - 1);
	pg = &v->doc.pages[v->page];
	visible_lines(v, pg, steps_run(ctx));
	max_scroll = v->nshown > rows ? v->nshown - rows : 0;
	v->scroll = clamp(v->scroll, 0, max_scroll);

	for (i = 0; i < rows && v->scroll + i < v->nshown; i++) {
		const struct mdrender_line *l = &v->doc.lines[v->shown[v->scroll + i]];
		int x = r.x + 1, k;

		for (k = 0; k < l->nspans; k++)
			x = screen_put(s, r, x, r.y + i, l->spans[k].text, (enum screen_attr)l->spans[k].attr);
		if (x > r.x + r.w)   /* a code line runs on past the pane */
			screen_putc(s, r, r.x + r.w - 1, r.y + i, 0x203A, SCREEN_DIM);
	}

	snprintf(indicator, sizeof indicator, "page %d/%d", v->page + 1, v->doc.npages);
	screen_put(s, r, r.x + r.w - 1 - screen_text_width(indicator, strlen(indicator), s->ascii),
	           r.y + r.h - 1, indicator, SCREEN_DIM);
	if (v->scroll < max_scroll)
		screen_put(s, r, r.x + 1, r.y + r.h - 1, "\u2193 more below (j/\u2193)", SCREEN_DIM);
	else if (v->page + 1 < v->doc.npages)
		screen_put(s, r, r.x + 1, r.y + r.h - 1, "next page: n", SCREEN_DIM);
}

static bool page_key(void *data, int key)
{
	struct lesson_view *v = data;

	switch (key) {
	case 'n':
	case TERM_KEY_PGDN:
	case TERM_KEY_RIGHT:
		v->page++;   /* clamped when drawn */
		v->scroll = 0;
		return true;
	case 'p':
	case TERM_KEY_PGUP:
	case TERM_KEY_LEFT:
		v->page = v->page > 0 ? v->page - 1 : 0;
		v->scroll = 0;
		return true;
	case 'j':
	case TERM_KEY_DOWN:
		v->scroll++;
		return true;
	case 'k':
	case TERM_KEY_UP:
		v->scroll = v->scroll > 0 ? v->scroll - 1 : 0;
		return true;
	case TERM_KEY_HOME:
		v->scroll = 0;
		return true;
	case TERM_KEY_END:
		v->scroll = 1 << 20;
		return true;
	default:
		return false;
	}
}

const struct view_ops view_lesson = {
	.name = "lesson",
	.init = page_init,
	.free = page_free,
	.draw = page_draw,
	.key = page_key,
};
