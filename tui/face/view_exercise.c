/* view_exercise.c — the exercise panel: where the learner's working copy is,
 * whether it verified, which checks failed and why, the hints asked for so
 * far, and the reference solution once the copy has passed.
 *
 * The view only draws and turns keys into actions (view_exercise_take):
 * ui.c copies files, runs the editor and the verification. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"
#include "view.h"

struct exercise_view {
	enum view_exercise_action action;
	bool confirm_reset, show_solution, unlocked, hints_left;
	char note[160];     /* the answer to the last key, e.g. "no more hints" */
	int scroll, rows, lines;
};

static void *exercise_init(void)
{
	return xcalloc(1, sizeof(struct exercise_view));
}

static void exercise_free(void *data)
{
	free(data);
}

/* Rows of the panel's body, drawn from `scroll` on: y counts every row, drawn or not. */
struct body {
	struct screen *s;
	struct screen_rect r;
	int y, skip;
};

static void row(struct body *b, int indent, const char *text, size_t len, enum screen_attr attr)
{
	if (b->y >= b->skip && b->y - b->skip < b->r.h)
		screen_putn(b->s, b->r, b->r.x + indent, b->r.y + b->y - b->skip, text, len, attr);
	b->y++;
}

/* Wrap at spaces, or anywhere in a word wider than the row (a long path). */
static void para(struct body *b, int indent, const char *text, enum screen_attr attr)
{
	int w = b->r.w - indent;
	const char *p = text;

	if (w < 10)
		w = 10;
	if (!*p)
		row(b, indent, "", 0, attr);
	while (*p) {
		size_t len = strcspn(p, "\n"), cut = len;
		if (screen_text_width(p, len, b->s->ascii) > w) {
			size_t fit = 0, space = 0;
			while (fit < len && screen_text_width(p, fit + 1, b->s->ascii) <= w) {
				fit++;
				if (p[fit] == ' ')
					space = fit;
			}
			cut = space ? space : fit ? fit : 1;
			while (cut < len && (p[cut] & 0xC0) == 0x80)   /* never split a character */
				cut++;
		}
		row(b, indent, p, cut, attr);
		p += cut;
		if (*p == '\n' && cut == len)
			p++;
		else
			while (*p == ' ')
				p++;
	}
}

/* The verdict in one line (two for an error). */
static void verdict(struct body *b, const struct exwatch *w)
{
	char line[1200];

	switch (w->state) {
	case EXWATCH_UNTOUCHED:
		para(b, 0, "Not started: this is still the starting file. Edit it; exclab verifies it "
		     "on every save.", SCREEN_STRONG);
		return;
	case EXWATCH_RUNNING:
		para(b, 0, "\u2026 Verifying your copy\u2026", SCREEN_STRONG);
		return;
	case EXWATCH_PASSED:
		snprintf(line, sizeof line, "\u2713 Verified: all %d checks hold.", w->result.passed);
		para(b, 0, line, SCREEN_PASS);
		return;
	case EXWATCH_FAILED:
		snprintf(line, sizeof line, "\u2717 Not verified: %d of %d checks failed.", w->result.failed,
		         w->result.passed + w->result.failed);
		para(b, 0, line, SCREEN_FAIL);
		return;
	case EXWATCH_ERROR:
		para(b, 0, "\u2717 Not verified: the check could not run.", SCREEN_FAIL);
		para(b, 2, w->error, SCREEN_ERROR);
		return;
	}
}

/* The failed checks of the last verification: what, the numbers, where. */
static void failures(struct body *b, const struct exwatch *w)
{
	char line[1200];

	if (w->result.n_fails > 0 && w->state != EXWATCH_RUNNING)
		para(b, 0, "Failed checks:", SCREEN_HEADING);
	for (int i = 0; i < w->result.n_fails; i++) {
		snprintf(line, sizeof line, "\u2717 %s", w->result.fails[i].message);
		para(b, 2, line, SCREEN_FAIL);
		if (w->result.fails[i].detail[0])
			para(b, 4, w->result.fails[i].detail, SCREEN_NORMAL);
		if (w->result.fails[i].where[0])
			para(b, 4, w->result.fails[i].where, SCREEN_DIM);
	}
}

static void exercise_draw(void *data, struct screen *s, struct screen_rect r,
                          const struct view_ctx *ctx)
{
	struct exercise_view *v = data;
	const struct exwatch *w = ctx->exercise;
	const struct exercise_info *info = ctx->exercise_info;
	struct screen_rect box = r, in;
	struct body b = { s, { 0 }, 0, 0 };
	char line[300];

	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, " Exercise ", SCREEN_BORDER);
	in = screen_inset(box, 1);
	in.x += 1;
	in.w -= 2;
	if (w == NULL || info == NULL) {
		screen_put(s, in, in.x, in.y, "This lesson has no exercise.", SCREEN_NORMAL);
		return;
	}
	v->unlocked = ctx->solution != NULL;
	v->hints_left = ctx->hints_shown < info->n_hints;
	/* The last two rows: the answer to a key, and the keys. */
	b.r = (struct screen_rect){ in.x, in.y, in.w, in.h - 2 };
	b.skip = v->scroll;
	v->rows = b.r.h;

	if (info->task && info->task[0]) {
		para(&b, 0, info->task, SCREEN_STRONG);
		row(&b, 0, "", 0, SCREEN_NORMAL);
	}
	para(&b, 0, "Fix this file in your own editor (o here, or any editor); exclab verifies "
	     "it each time you save:", SCREEN_NORMAL);
	para(&b, 2, w->path, SCREEN_CODE);
	row(&b, 0, "", 0, SCREEN_NORMAL);
	verdict(&b, w);
	if (ctx->hints_shown > 0) {
		row(&b, 0, "", 0, SCREEN_NORMAL);
		snprintf(line, sizeof line, "Hints (%d of %d):", ctx->hints_shown, info->n_hints);
		para(&b, 0, line, SCREEN_HEADING);
		for (int i = 0; i < ctx->hints_shown && i < info->n_hints; i++) {
			snprintf(line, sizeof line, "%d. %s", i + 1, info->hints[i]);
			para(&b, 2, line, SCREEN_NORMAL);
		}
	}
	if (w->result.n_fails > 0 && w->state != EXWATCH_RUNNING)
		row(&b, 0, "", 0, SCREEN_NORMAL);
	failures(&b, w);
	if (v->show_solution && ctx->solution) {
		row(&b, 0, "", 0, SCREEN_NORMAL);
		para(&b, 0, "The reference solution:", SCREEN_HEADING);
		para(&b, 2, ctx->solution, SCREEN_CODE);
	}
	v->lines = b.y;

	if (v->confirm_reset)
		screen_put(s, in, in.x, in.y + in.h - 2,
		           "Reset your copy? Your changes are lost. [y] yes, other keys: no", SCREEN_ERROR);
	else if (v->note[0])
		screen_put(s, in, in.x, in.y + in.h - 2, v->note, SCREEN_DIM);
	else if (v->lines > v->rows)
		screen_put(s, in, in.x, in.y + in.h - 2, "\u2191 \u2193 scroll", SCREEN_DIM);
	screen_put(s, in, in.x, in.y + in.h - 1, v->unlocked
	           ? "[o] edit  [v] verify  [h] hint  [R] reset  [s] solution  [x] close"
	           : v->hints_left ? "[o] edit  [v] verify  [h] hint  [R] reset  [x] close"
	           : "[o] edit  [v] verify  [R] reset  [x] close", SCREEN_KEY);
}

static bool exercise_key(void *data, int key)
{
	struct exercise_view *v = data;

	v->note[0] = '\0';
	if (v->confirm_reset) {
		v->confirm_reset = false;
		if (key == 'y' || key == 'Y')
			v->action = VIEW_EX_RESET;
		else
			snprintf(v->note, sizeof v->note, "Your copy is left as it is.");
		return true;
	}
	switch (key) {
	case 'x':
	case TERM_KEY_ESCAPE:
		v->action = VIEW_EX_CLOSE;
		v->show_solution = false;
		v->scroll = 0;
		return true;
	case 'o':
		v->action = VIEW_EX_EDIT;
		return true;
	case 'v':
		v->action = VIEW_EX_VERIFY;
		return true;
	case 'h':
		if (v->hints_left)
			v->action = VIEW_EX_HINT;
		else
			snprintf(v->note, sizeof v->note, "That was the last hint.");
		return true;
	case 'R':
		v->confirm_reset = true;
		return true;
	case 's':
		if (v->unlocked) {
			v->show_solution = !v->show_solution;
			if (v->show_solution && v->lines > v->rows)
				v->scroll = v->lines - v->rows;   /* it is drawn last: show it */
		} else {
			snprintf(v->note, sizeof v->note,
			         "The reference solution unlocks once your copy passes.");
		}
		return true;
	case TERM_KEY_UP:
	case 'k':
		if (v->scroll > 0)
			v->scroll--;
		return true;
	case TERM_KEY_DOWN:
	case 'j':
		if (v->scroll + v->rows < v->lines)
			v->scroll++;
		return true;
	case TERM_KEY_PGUP:
		v->scroll = v->scroll > v->rows ? v->scroll - v->rows : 0;
		return true;
	case TERM_KEY_PGDN:
		if (v->lines > v->rows)
			v->scroll = v->scroll + v->rows < v->lines - v->rows ? v->scroll + v->rows
			                                                     : v->lines - v->rows;
		return true;
	}
	return true;   /* the panel keeps every other key from the lesson */
}

enum view_exercise_action view_exercise_take(void *data)
{
	struct exercise_view *v = data;
	enum view_exercise_action a = v->action;

	v->action = VIEW_EX_NONE;
	return a;
}

const struct view_ops view_exercise = {
	.name = "exercise",
	.init = exercise_init,
	.free = exercise_free,
	.draw = exercise_draw,
	.key = exercise_key,
};
