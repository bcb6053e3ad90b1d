/* view_help.c — an overlay listing every key of the view the learner is in
 * (the lesson, a prediction, the graph, the exercise, the menu), with what
 * the gauges' marks mean; any key closes it. It fits 80x24. */
#include "view.h"

#include <string.h>

#include "model.h"

struct help_line {
	const char *keys, *what;
};

#define END { NULL, NULL }

static const struct help_line lesson_keys[] = {
	{ "space, enter", "run the next step / go on past a pause" },
	{ "a", "run all remaining steps (predictions are still asked)" },
	{ "s, Ctrl-C", "stop the running step" },
	{ "r", "restart the scenario in a fresh lab" },
	{ "t, N, enter", "go to step N (the steps before it run again)" },
	{ "n p, \u2192 \u2190", "next / previous page of the lesson" },
	{ "j k, \u2193 \u2191", "scroll the page" },
	{ "w", "wide text: the gauges' room for the lesson, and back" },
	{ "[ ]", "scroll the console back / forward" },
	{ "g", "the object graph, and back" },
	{ "x", "the exercise: your copy, its verification, hints" },
	{ "m", "back to the course menu" },
	{ "q", "quit (stops a running step first)" },
	{ "", "" },
	{ "gauges", "[\u2588\u2588  \u2502 ] /200 MB: the bar, the peak (\u2502), its scale" },
	{ "", "\u2581\u2582\u2583 +5 MB: history, growth since the step began" },
	END,
};

static const struct help_line predict_keys[] = {
	{ "1-9", "pick a choice" },
	{ "0-9, enter", "type a number, then enter" },
	{ "backspace", "take back a digit" },
	{ "esc", "skip: the step shows its result anyway, and the" },
	{ "", "skipped prediction counts neither right nor wrong" },
	END,
};

static const struct help_line graph_keys[] = {
	{ "arrows", "move between objects" },
	{ "tab", "follow an edge" },
	{ "c", "walk the reference cycle of the selected object" },
	{ "enter", "details: size, bytes it keeps, why it is alive" },
	{ "", "(j k, PgUp PgDn scroll them; esc closes them)" },
	{ "e", "expand or fold long chains" },
	{ "f", "show all objects, or hide code, functions, classes," },
	{ "", "modules and constants again (hidden at first)" },
	{ "h j k l", "pan the drawing" },
	{ "home", "back to the root" },
	{ "g, esc", "back to the lesson" },
	{ "", "" },
	{ "marks", "\u27f2 and double boxes: on a reference cycle" },
	{ "", "the bottom line: how a root reaches the selection" },
	END,
};

static const struct help_line exercise_keys[] = {
	{ "o", "edit your copy in $EDITOR" },
	{ "v", "verify it now (every save is verified anyway)" },
	{ "h", "one more hint" },
	{ "R, then y", "reset your copy to the starting file" },
	{ "s", "the reference solution, once your copy has passed" },
	{ "j k", "scroll" },
	{ "x, esc", "back to the lesson" },
	END,
};

static const struct help_line menu_keys[] = {
	{ "\u2191 \u2193, j k", "choose a lesson" },
	{ "enter", "open it" },
	{ "q", "quit" },
	END,
};

#define KEY_COLUMN 14

static const struct help_line *keys_here(const struct view_ctx *ctx, const char **title)
{
	if (ctx->place == VIEW_IN_MENU) {
		*title = "Keys: the course";
		return menu_keys;
	}
	if (ctx->model->state == RUN_ASKING) {
		*title = "Keys: a prediction";
		return predict_keys;
	}
	if (ctx->place == VIEW_IN_EXERCISE) {
		*title = "Keys: the exercise";
		return exercise_keys;
	}
	if (ctx->in_graph) {
		*title = "Keys: the object graph";
		return graph_keys;
	}
	*title = "Keys: the lesson";
	return lesson_keys;
}

static void help_draw(void *data, struct screen *s, struct screen_rect r,
                      const struct view_ctx *ctx)
{
	const struct help_line *keys;
	const char *title;
	struct screen_rect box;
	int n = 0, y;

	(void)data;
	keys = keys_here(ctx, &title);
	while (keys[n].keys)
		n++;
	box.w = r.w < 72 ? r.w : 72;
	box.h = r.h < n + 4 ? r.h : n + 4;
	box.x = r.x + (r.w - box.w) / 2;
	box.y = r.y + (r.h - box.h) / 2;
	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, title, SCREEN_BORDER);
	box = screen_inset(box, 1);
	for (int i = 0; i < n; i++) {
		y = box.y + i;
		screen_put(s, box, box.x + 1, y, keys[i].keys, SCREEN_KEY);
		screen_put(s, box, box.x + 1 + KEY_COLUMN, y, keys[i].what, SCREEN_NORMAL);
	}
	screen_put(s, box, box.x + 1, box.y + box.h - 1, "Press any key to close.", SCREEN_DIM);
}

const struct view_ops view_help = {
	.name = "help",
	.draw = help_draw,
};
