/* view_menu.c — the course: every lesson with its progress in words and
 * marks (never colour alone). Up/down select, Enter opens; ui.c takes the
 * choice with view_menu_take(). A notice (a corrupt progress file set aside,
 * a lesson that would not load) shows above the list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"
#include "view.h"

struct menu_view {
	int selected, top, len;   /* len: the course's length when last drawn */
	int picked;               /* -1 until Enter */
};

static void *menu_init(void)
{
	struct menu_view *v = xcalloc(1, sizeof *v);

	v->picked = -1;
	return v;
}

static void menu_free(void *data)
{
	free(data);
}

/* "done · 3/3 predictions right · exercise passed", and a mark for the line. */
static void describe(const struct progress_lesson *l, char *buf, size_t size, const char **mark)
{
	int n = 0;

	if (l == NULL || (l->steps_done == 0 && !l->finished && l->predictions_asked == 0 &&
	                  l->exercise == PROGRESS_EX_NOT_STARTED)) {
		snprintf(buf, size, "not started");
		*mark = " ";
		return;
	}
	if (l->finished)
		n = snprintf(buf, size, "done");
	else
		n = snprintf(buf, size, "%d/%d steps", l->steps_done, l->steps_total);
	if (l->predictions_asked > 0 && n < (int)size)
		n += snprintf(buf + n, size - (size_t)n, " \u00b7 %d/%d predictions right",
		              l->predictions_right, l->predictions_asked);
	if (l->exercise != PROGRESS_EX_NOT_STARTED && n < (int)size)
		snprintf(buf + n, size - (size_t)n, " \u00b7 exercise %s",
		         progress_exercise_word(l->exercise));
	*mark = l->finished && l->exercise == PROGRESS_EX_PASSED ? "\u2713" : "\u2026";
}

static void menu_draw(void *data, struct screen *s, struct screen_rect r,
                      const struct view_ctx *ctx)
{
	struct menu_view *v = data;
	struct screen_rect in = screen_inset(r, 1);
	int y = in.y, rows, title_w = 0, per = 1;

	v->len = ctx->course_len;
	if (v->selected >= v->len)
		v->selected = v->len > 0 ? v->len - 1 : 0;
	screen_put(s, in, in.x + 1, y++, "The course", SCREEN_HEADING);
	if (ctx->notice != NULL && ctx->notice[0]) {
		struct screen_rect nr = { in.x + 1, y + 1, in.w - 2, 4 };
		y = screen_put_wrapped(s, nr, nr.y, ctx->notice, 0, SCREEN_ERROR, true);
	}
	y++;
	if (ctx->course_len == 0) {
		screen_put(s, in, in.x + 1, y, "No lessons found.", SCREEN_NORMAL);
		return;
	}
	for (int i = 0; i < ctx->course_len; i++) {
		char label[300];
		int w;
		snprintf(label, sizeof label, "%d. %s", i + 1, ctx->course_titles[i]);
		w = screen_text_width(label, strlen(label), s->ascii);
		title_w = w > title_w ? w : title_w;
	}
	if (title_w > in.w / 2)
		title_w = in.w / 2;
	/* A lesson's state goes beside its title, or under it when a row is
	 * too narrow for both: nothing is cut at 80 columns. */
	for (int i = 0; i < ctx->course_len; i++) {
		const struct progress_lesson *l =
			ctx->progress ? progress_find(ctx->progress, ctx->course_keys[i]) : NULL;
		char state[300];
		const char *mark;
		describe(l, state, sizeof state, &mark);
		if (4 + title_w + 3 + screen_text_width(state, strlen(state), s->ascii) > in.w)
			per = 2;
	}
	rows = (in.y + in.h - 2 - y) / per;   /* the last row says which keys do what */
	if (rows < 1)
		rows = 1;
	if (v->selected < v->top)
		v->top = v->selected;
	if (v->selected >= v->top + rows)
		v->top = v->selected - rows + 1;
	for (int i = v->top; i < ctx->course_len && i < v->top + rows; i++, y += per) {
		const struct progress_lesson *l =
			ctx->progress ? progress_find(ctx->progress, ctx->course_keys[i]) : NULL;
		bool sel = i == v->selected;
		char label[300], state[300];
		const char *mark;
		struct screen_rect row = { in.x, y, in.w, 1 };
		int x;

		describe(l, state, sizeof state, &mark);
		snprintf(label, sizeof label, "%d. %s", i + 1, ctx->course_titles[i]);
		row.h = per;
		if (sel)
			screen_fill(s, row, L' ', SCREEN_SELECTED);
		x = screen_put(s, row, in.x, y, sel ? "\u25b6" : " ", sel ? SCREEN_SELECTED : SCREEN_NORMAL);
		x = screen_put(s, row, x + 1, y, mark, sel ? SCREEN_SELECTED : SCREEN_PASS);
		screen_put(s, (struct screen_rect){ x + 1, y, title_w, 1 }, x + 1, y, label,
		           sel ? SCREEN_SELECTED : SCREEN_STRONG);
		if (per == 1)
			screen_put(s, row, x + 1 + title_w + 3, y, state, sel ? SCREEN_SELECTED : SCREEN_DIM);
		else
			screen_put(s, row, x + 4, y + 1, state, sel ? SCREEN_SELECTED : SCREEN_DIM);
	}
	screen_put(s, in, in.x + 1, in.y + in.h - 1,
	           "\u2191 \u2193 choose a lesson \u00b7 Enter opens it \u00b7 in a lesson, m comes back here",
	           SCREEN_DIM);
}

static bool menu_key(void *data, int key)
{
	struct menu_view *v = data;

	switch (key) {
	case TERM_KEY_UP:
	case 'k':
		if (v->selected > 0)
			v->selected--;
		return true;
	case TERM_KEY_DOWN:
	case 'j':
		if (v->selected + 1 < v->len)
			v->selected++;
		return true;
	case TERM_KEY_HOME:
		v->selected = 0;
		return true;
	case TERM_KEY_END:
		v->selected = v->len > 0 ? v->len - 1 : 0;
		return true;
	case TERM_KEY_ENTER:
	case ' ':
		if (v->len > 0)
			v->picked = v->selected;
		return true;
	default:
		if (key >= '1' && key <= '9' && key - '1' < v->len) {
			v->selected = key - '1';
			return true;
		}
		return false;
	}
}

void view_menu_select(void *data, int index)
{
	struct menu_view *v = data;

	v->selected = index > 0 ? index : 0;
}

int view_menu_take(void *data)
{
	struct menu_view *v = data;
	int picked = v->picked;

	v->picked = -1;
	return picked;
}

const struct view_ops view_menu = {
	.name = "menu",
	.init = menu_init,
	.free = menu_free,
	.draw = menu_draw,
	.key = menu_key,
};
