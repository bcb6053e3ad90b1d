/* view.h — the interface's views, each a small vtable with private data
 * (as tmux's window modes): update from the model, draw into a screen
 * rectangle, answer keys.
 *
 * Views read the model and the lesson; they never call an interpreter, and
 * they never call curses: ui.c presents the screen through term.c. */
#ifndef EXCLAB_VIEW_H
#define EXCLAB_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "exwatch.h"
#include "lesson.h"
#include "exercise.h"
#include "model.h"
#include "progress.h"
#include "screen.h"

/* Below this size the whole screen shows only view_small. */
#define VIEW_MIN_WIDTH 80
#define VIEW_MIN_HEIGHT 24

/* What every view may read while updating and drawing. */
struct view_ctx {
	const struct model *model;
	const struct lesson *lesson;   /* NULL when only a scenario runs */
	int steps_done_before;         /* steps of this lesson run in earlier sessions */
	const char *scenario;          /* the scenario's path, NULL when none */

	/* where the learner is, and which keys lead elsewhere */
	enum view_place { VIEW_IN_LESSON, VIEW_IN_MENU, VIEW_IN_EXERCISE } place;
	bool has_course;                    /* m goes back to the menu */
	bool has_exercise;                  /* x opens the lesson's exercise */
	bool in_graph;                      /* the object graph is on screen */

	/* the course menu */
	const char *const *course_titles;   /* every lesson's title, in order */
	const char *const *course_keys;     /* their progress keys */
	int course_len;
	const struct progress *progress;    /* NULL when not kept */
	const char *notice;                 /* a message for the learner, or NULL */

	/* the exercise panel */
	const struct exwatch *exercise;             /* the watched working copy */
	const struct exercise_info *exercise_info;  /* its hints */
	int hints_shown;
	const char *solution;                       /* text, once unlocked; else NULL */

	const char *step_entry;   /* t: the step number being typed, in words; else NULL */
	unsigned gauges_shown;    /* nonzero: these gauges (1u << probe id), not the scenario's */
	unsigned console_hide;    /* console lines of these kinds (1u << console_kind) not shown */
	bool on_slide;            /* drawn on a presented slide: for a room, which presses no keys */
};

struct view_ops {
	const char *name;
	void *(*init)(void);                 /* private data; may be NULL */
	void (*free)(void *data);            /* accepts NULL */
	/* Bring what the view derives from the model up to date (as tmux's
	 * window modes update), so that draw only paints. Called before every
	 * frame, shown or not: cheap when nothing it depends on has moved.
	 * NULL for views that derive nothing. */
	void (*update)(void *data, const struct view_ctx *ctx);
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
extern const struct view_ops view_menu;     /* the course: every lesson and its progress */
extern const struct view_ops view_exercise; /* the exercise: working copy, verification, hints */
extern const struct view_ops view_findings; /* exclab probe: the findings, the heap by reason */

/* The lesson the learner picked on the menu (Enter): its index, once; -1: none. */
int view_menu_take(void *data);
/* Put the menu's cursor on lesson `index` (the one the learner comes back from). */
void view_menu_select(void *data, int index);

/* What the learner asked of the exercise panel, once. */
enum view_exercise_action {
	VIEW_EX_NONE,
	VIEW_EX_CLOSE,      /* x, Esc */
	VIEW_EX_EDIT,       /* o: the working copy in $EDITOR */
	VIEW_EX_HINT,       /* h: one more hint */
	VIEW_EX_RESET,      /* R, then y: back to the starting file */
	VIEW_EX_VERIFY,     /* v: verify now */
};
enum view_exercise_action view_exercise_take(void *data);

/* The learner answered or skipped the question: true once, with the answer. */
bool view_predict_take(void *data, char *answer, size_t size, bool *skipped);

/* The finding chosen in view_findings, or NULL when there is none. */
const struct finding *view_findings_selected(void *data, const struct model *m);

/* The object the learner asked "why is it alive?" about, once (0: none). */
uintptr_t view_graph_take_why(void *data);

#endif
