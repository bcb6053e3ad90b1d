/* view_predict.c — the learner's prediction, asked before a step shows its
 * result: the question, then numbered choices (keys 1-9) or a number typed
 * in (digits, backspace, enter). Escape skips it. ui.c takes the answer and
 * hands it to the runner. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "util.h"
#include "view.h"

struct predict_view {
	char typed[24];     /* a number being typed */
	bool ready;         /* an answer (or a skip) is waiting for ui.c */
	bool skipped;
	char answer[256];
	int n_choices;      /* of the question on screen: 0 when a number is asked */
	char choices[MODEL_MAX_CHOICES][128];
};

static void *predict_init(void)
{
	return xcalloc(1, sizeof(struct predict_view));
}

static void predict_free(void *data)
{
	free(data);
}

static void predict_draw(void *data, struct screen *s, struct screen_rect r,
                         const struct view_ctx *ctx)
{
	struct predict_view *v = data;
	const struct model *m = ctx->model;
	int w = r.w < 64 ? r.w : 64;
	/* Tall enough for the whole question, however it wraps, and every choice. */
	int question = screen_put_wrapped(s, (struct screen_rect){ 0, 0, w - 4, 1 }, 0,
	                                  m->ask_question, 0, SCREEN_STRONG, false);
	int h = question + 5 + (m->ask_n_choices ? m->ask_n_choices : 1);
	struct screen_rect box = { r.x + (r.w - w) / 2, r.y + (r.h - h) / 2, w, h < r.h ? h : r.h };
	struct screen_rect in;
	char line[300];
	int y;

	if (box.y < r.y)
		box.y = r.y;
	in = screen_inset(box, 1);

	/* Remember the choices, to answer with their text. */
	v->n_choices = m->ask_n_choices;
	for (int i = 0; i < m->ask_n_choices; i++)
		snprintf(v->choices[i], sizeof v->choices[i], "%s", m->ask_choices[i]);

	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, " Predict ", SCREEN_BORDER);
	in.x += 1;
	in.w -= 2;
	y = screen_put_wrapped(s, in, in.y, m->ask_question, 0, SCREEN_STRONG, true) + 1;
	if (m->ask_n_choices) {
		for (int i = 0; i < m->ask_n_choices && y < in.y + in.h; i++) {
			snprintf(line, sizeof line, "[%d] %s", i + 1, m->ask_choices[i]);
			screen_put(s, in, in.x, y++, line, SCREEN_NORMAL);
		}
	} else {
		snprintf(line, sizeof line, "Your answer: %s_", v->typed);
		screen_put(s, in, in.x, y++, line, SCREEN_NORMAL);
	}
	screen_put(s, in, in.x, in.y + in.h - 1,
	           m->ask_n_choices ? "Press a number to answer, Esc to skip."
	                            : "Type a number, then Enter. Esc to skip.", SCREEN_DIM);
}

static bool predict_key(void *data, int key)
{
	struct predict_view *v = data;
	size_t n = strlen(v->typed);

	if (key == TERM_KEY_ESCAPE) {
		v->ready = v->skipped = true;
	} else if (v->n_choices > 0) {
		if (key >= '1' && key < '1' + v->n_choices) {
			snprintf(v->answer, sizeof v->answer, "%s", v->choices[key - '1']);
			v->ready = true;
			v->skipped = false;
		}
	} else if (((key >= '0' && key <= '9') || (key == '-' && n == 0) || key == '.') &&
	           n + 1 < sizeof v->typed) {
		v->typed[n] = (char)key;
		v->typed[n + 1] = '\0';
	} else if (key == TERM_KEY_BACKSPACE && n > 0) {
		v->typed[n - 1] = '\0';
	} else if (key == TERM_KEY_ENTER && n > 0) {
		snprintf(v->answer, sizeof v->answer, "%s", v->typed);
		v->ready = true;
		v->skipped = false;
	}
	return true;   /* while asking, every key belongs to the question */
}

bool view_predict_take(void *data, char *answer, size_t size, bool *skipped)
{
	struct predict_view *v = data;

	if (!v->ready)
		return false;
	snprintf(answer, size, "%s", v->answer);
	*skipped = v->skipped;
	v->ready = v->skipped = false;
	v->typed[0] = '\0';
	return true;
}

const struct view_ops view_predict = {
	.name = "predict",
	.init = predict_init,
	.free = predict_free,
	.draw = predict_draw,
	.key = predict_key,
};
