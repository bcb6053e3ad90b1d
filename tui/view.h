/* view.h — the interface's views, each a small vtable with private data
 * (as tmux's window modes): draw into a screen rectangle, answer keys.
 *
 * Views read the model and the lesson; they never call an interpreter, and
 * they never call curses: ui.c presents the screen through term.c. */
#ifndef EXCLAB_VIEW_H
#define EXCLAB_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "lesson.h"
#include "model.h"
#include "screen.h"

/* Below this size the whole screen shows only view_small. */
#define VIEW_MIN_WIDTH 80
#define VIEW_MIN_HEIGHT 24

/* What every view may read while drawing. */
struct view_ctx {
	const struct model *model;
	const struct lesson *lesson;   /* NULL when only a scenario runs */
	const char *scenario;          /* the scenario's path, NULL when none */
};

struct view_ops {
	const char *name;
	void *(*init)(void);                 /* private data; may be NULL */
	void (*free)(void *data);            /* accepts NULL */
	void (*draw)(void *data, struct screen *s, struct screen_rect r,
	             const struct view_ctx *ctx);
	/* A key for this view (a character or a TERM_KEY_*); true when used.
	 * NULL for views that take no keys. */
	bool (*key)(void *data, int key);
};

struct view {
	const struct view_ops *ops;
	void *data;
};

extern const struct view_ops view_lesson;   /* the current lesson page, scrollable */
extern const struct view_ops view_gauges;   /* one meter per shown probe */
extern const struct view_ops view_console;  /* scenario output and check results */
extern const struct view_ops view_title;    /* the top line: lesson and Python version */
extern const struct view_ops view_status;   /* the bottom line: state and the next key */
extern const struct view_ops view_help;     /* an overlay listing every key */
extern const struct view_ops view_small;    /* "this terminal is too small" */
extern const struct view_ops view_graph;    /* the object graph of the scenario's roots */
extern const struct view_ops view_predict;  /* the learner's prediction, before a step's result */

/* The learner answered or skipped the question: true once, with the answer. */
bool view_predict_take(void *data, char *answer, size_t size, bool *skipped);

/* The object the learner asked "why is it alive?" about, once (0: none). */
uintptr_t view_graph_take_why(void *data);

#endif
