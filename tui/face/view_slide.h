/* view_slide.h — what `exclab present` draws: a slide (with its live demo
 * beside the text), the overview of all slides, the presenter's notes
 * window, and the keys.
 *
 * Drawing only: everything comes in a frame struct, and everything goes
 * into an off-screen screen, so each screen is tested as a golden text
 * (tests/unit/test_slides.c). The Markdown is rendered by mdrender and kept
 * in a cache until the slide, its part, the width or a figure changes. */
#ifndef EXCLAB_VIEW_SLIDE_H
#define EXCLAB_VIEW_SLIDE_H

#include <stdbool.h>

#include "deck.h"
#include "model.h"
#include "screen.h"
#include "view.h"

/* The live block of the slide, as the presenter runs it. */
struct slide_live {
	const struct deck_live *block;
	const struct model *model;
	struct view *gauges, *graph, *console;   /* their data is the presenter's */
	bool graph_full;         /* g: the graph takes the slide's room */
	const char *error;       /* what went wrong before the demo could run, or NULL */
};

struct slide_frame {
	const struct deck *deck;
	unsigned generation;     /* changes when the deck is read again */
	int slide, part;
	const char *const *figures;   /* a measured text per figure (NULL: as written) */
	unsigned figures_version;     /* changes when any of them does */
	const struct slide_live *live;   /* NULL when the slide has no live block */
	const char *status;      /* the footer's left: the demo's state and key, or NULL */
	const char *message;     /* the footer's middle: a typed number, a reload error */
	double countdown;        /* seconds left on a countdown slide; < 0: none */
};

struct slide_cache;
struct slide_cache *slide_cache_new(void);
void slide_cache_free(struct slide_cache *c);

/* The slide on the whole screen, its footer on the last row. */
void slide_draw(struct slide_cache *c, struct screen *s, const struct slide_frame *f);

/* Every slide in a list, `selected` highlighted, `current` marked. */
void slide_draw_overview(struct screen *s, const struct deck *d, int current, int selected,
                         const char *message);

/* The presenter's window. */
struct notes_frame {
	const struct deck *deck;
	unsigned generation;
	int slide, part;
	const char *const *figures;
	unsigned figures_version;
	double elapsed;          /* seconds since the talk began */
	bool connected;          /* to the window the room sees */
	const char *status;      /* what that window says in its footer */
};
void slide_draw_notes(struct slide_cache *now, struct slide_cache *next, struct screen *s,
                      const struct notes_frame *f);

/* Every key, over what is on screen. */
void slide_draw_help(struct screen *s, bool notes);

/* "12:34" (or "1:02:03"), with a leading '-' for negative times. */
void slide_format_time(double seconds, char *buf, size_t size);

#endif
