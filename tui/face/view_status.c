/* view_status.c — the title line at the top and the status line at the
 * bottom: what is loaded, what state the scenario is in, and which key does
 * the next thing. The state is a word, never only a colour. */
#include "view.h"

#include <stdio.h>
#include <string.h>

static int width_of(const struct screen *s, const char *text)
{
	return screen_text_width(text, strlen(text), s->ascii);
}

static void title_draw(void *data, struct screen *s, struct screen_rect r,
                       const struct view_ctx *ctx)
{
	(void)data;
	const struct model *m = ctx->model;
	const char *what = ctx->lesson ? lesson_title(ctx->lesson)
	                 : m->scenario_title[0] ? m->scenario_title : "";
	char right[64] = "";
	int x;

	screen_fill(s, r, L' ', SCREEN_TITLE);
	x = screen_put(s, r, r.x + 1, r.y, "exclab", SCREEN_TITLE);
	if (what[0]) {
		x = screen_put(s, r, x, r.y, " \u00b7 ", SCREEN_TITLE);
		screen_put(s, r, x, r.y, what, SCREEN_TITLE);
	}
	if (m->python_version[0])
		snprintf(right, sizeof right, " Python %s ", m->python_version);
	screen_put(s, r, r.x + r.w - width_of(s, right), r.y, right, SCREEN_TITLE);
}

/* A state word, and the hint after it. */
static const char *state_word(const struct view_ctx *ctx)
{
	if (ctx->place == VIEW_IN_MENU)
		return "COURSE";
	if (ctx->place == VIEW_IN_EXERCISE && ctx->exercise) {
		switch (ctx->exercise->state) {
		case EXWATCH_UNTOUCHED: return "EXERCISE";
		case EXWATCH_RUNNING: return "VERIFYING";
		case EXWATCH_PASSED: return "VERIFIED";
		case EXWATCH_FAILED:
		case EXWATCH_ERROR: return "NOT VERIFIED";
		}
	}
	if (ctx->scenario == NULL)
		return "READING";
	switch (ctx->model->state) {
	case RUN_LOADING: return "LOADING";
	case RUN_BEFORE_STEP:
	case RUN_PAUSED: return "WAITING";
	case RUN_ASKING: return "PREDICT";
	case RUN_RUNNING: return "RUNNING";
	case RUN_DONE: return "DONE";
	case RUN_FAILED: return "FAILED";
	case RUN_STOPPED: return "STOPPED";
	}
	return "";
}

/* The key that does the next thing, and what it does. */
static void next_action(const struct view_ctx *ctx, const char **key, char *what, size_t size)
{
	const struct model *m = ctx->model;

	*key = "space";
	if (ctx->place == VIEW_IN_MENU) {
		*key = "enter";
		snprintf(what, size, "open the lesson  [\u2191\u2193] choose");
		return;
	}
	if (ctx->place == VIEW_IN_EXERCISE) {
		*key = "o";
		snprintf(what, size, "edit your copy  [x] back to the lesson");
		return;
	}
	if (ctx->step_entry != NULL) {
		*key = "enter";
		snprintf(what, size, "%s  [esc] cancel", ctx->step_entry);
		return;
	}
	if (ctx->scenario == NULL) {
		*key = "n";
		snprintf(what, size, "next page (this lesson has no live part)");
		return;
	}
	switch (m->state) {
	case RUN_LOADING:
		snprintf(what, size, "run step 1 once the scenario has loaded");
		return;
	case RUN_ASKING:
		*key = m->ask_n_choices ? "1-9" : "0-9";
		snprintf(what, size, "your prediction: %s", m->ask_question);
		return;
	case RUN_BEFORE_STEP:
		snprintf(what, size, "run step %d/%d: %s", m->step_index + 1, m->step_count,
		         m->step_title);
		return;
	case RUN_PAUSED:
		snprintf(what, size, "go on \u2014 %s", m->pause_text);
		return;
	case RUN_RUNNING:
		*key = "s";
		snprintf(what, size, "stop step %d/%d: %s", m->step_index + 1, m->step_count,
		         m->step_title);
		return;
	case RUN_DONE:
		*key = "r";
		snprintf(what, size, "run again (%d passed, %d failed)", m->checks_passed,
		         m->checks_failed);
		return;
	case RUN_FAILED:
		*key = "r";
		snprintf(what, size, "restart (the console says what went wrong)");
		return;
	case RUN_STOPPED:
		*key = "r";
		snprintf(what, size, "restart the scenario");
		return;
	}
}

static void status_draw(void *data, struct screen *s, struct screen_rect r,
                        const struct view_ctx *ctx)
{
	(void)data;
	const char *help = ctx->place != VIEW_IN_LESSON ? " [?] help  [q] quit "
	                 : ctx->has_course && ctx->has_exercise ? " [x] exercise  [m] menu  [?] help  [q] quit "
	                 : ctx->has_course ? " [m] menu  [?] help  [q] quit "
	                 : ctx->has_exercise ? " [x] exercise  [?] help  [q] quit "
	                 : " [?] help  [q] quit ";
	const char *key;
	char what[400], badge[24], keyname[16];
	int x, help_w = width_of(s, help);
	struct screen_rect left = r;

	next_action(ctx, &key, what, sizeof what);
	snprintf(badge, sizeof badge, " %s ", state_word(ctx));
	snprintf(keyname, sizeof keyname, "[%s]", key);
	/* A pause's words are in the console in full: never half of them here. */
	if (ctx->model->state == RUN_PAUSED &&
	    width_of(s, badge) + width_of(s, keyname) + width_of(s, what) + 2 > r.w)
		snprintf(what, sizeof what, "go on (the console says why it paused)");

	screen_fill(s, r, L' ', SCREEN_STATUS);
	/* The help hint yields to the action when space is short. */
	if (width_of(s, badge) + width_of(s, keyname) + width_of(s, what) + 2 + help_w <= r.w) {
		screen_put(s, r, r.x + r.w - help_w, r.y, help, SCREEN_STATUS);
		left.w -= help_w;
	}
	x = screen_put(s, left, r.x, r.y, badge, SCREEN_STRONG);
	x = screen_put(s, left, x + 1, r.y, keyname, SCREEN_KEY);
	screen_put(s, left, x + 1, r.y, what, SCREEN_STATUS);
}

const struct view_ops view_title = {
	.name = "title",
	.draw = title_draw,
};

const struct view_ops view_status = {
	.name = "status",
	.draw = status_draw,
};
