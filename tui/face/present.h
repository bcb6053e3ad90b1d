/* present.h — exclab present: a deck on the screen, its live demos run in
 * labs as lessons run theirs, a presenter's window beside it, the deck
 * checked before the talk, and a handout.
 *
 *   exclab present DECK.md                 the slides (the room's screen)
 *   exclab present --notes DECK.md         the presenter's window (notes, timer)
 *   exclab present --check DECK.md ...     run every live block; figures hold?
 *   exclab present --export OUT.html DECK.md   one self-contained HTML file
 */
#ifndef EXCLAB_PRESENT_H
#define EXCLAB_PRESENT_H

#include <stdbool.h>

enum present_mode { PRESENT_SLIDES, PRESENT_NOTES, PRESENT_CHECK, PRESENT_EXPORT };

struct present_args {
	enum present_mode mode;
	const char *const *decks;    /* one, or several for PRESENT_CHECK */
	int ndecks;
	const char *export_path;     /* PRESENT_EXPORT */
	int theme;                   /* -1: the deck's own; else a deck_theme */
	double pace;                 /* > 0: overrides every live block's pace */
};

/* Returns the exit status: 0, 1 when a check failed (--check), 2 when the
 * deck could not be read or shown (a message on standard error), or 128 +
 * the signal that ended it. */
int present_main(const struct present_args *a);

/* present --check: every live block runs without a terminal (its checks
 * must hold, its steps exist), every figure is measured and must hold,
 * every file a slide links to must exist, and every slide must fit 80x24.
 * Prints a line per finding; returns the number of problems. */
int present_check(const char *deck);

/* present --export: the deck as one HTML file, live blocks run as --check
 * runs them, their gauges and graph as measured. 0, or -1 with a message
 * on standard error. */
int present_export(const char *deck, const char *out);

#endif
