/* deck.h — a slide deck: a Markdown file cut into slides, with what the
 * presenter needs beside the text.
 *
 * The deck reads as ordinary Markdown on GitHub; what exclab needs hides in
 * places GitHub shows quietly (front matter as a table, comments as nothing,
 * a fenced block as code):
 *
 *   ---                          front matter, first thing in the file:
 *   title: My talk               title, author, date, duration (minutes),
 *   duration: 30                 theme (dark or light), pace (calls a second
 *   ---                          for live slides that do not set their own)
 *
 *   # A slide                    a slide ends at a thematic break ("---"
 *   <!-- pause -->               after a blank line, "***", "___") or at
 *   <!-- speaker_note: ... -->   <!-- end_slide -->; its first heading is its
 *   <!-- minutes: 2 -->          title. pause reveals the slide in parts;
 *   <!-- countdown -->           speaker_note is for the presenter's view only;
 *                                minutes plans the slide's time; countdown
 *                                shows that time running down (a break).
 *   ```exclab                    a live slide: options, then optionally a
 *   scenario: demos/reuse.lua    blank line and an inline Lua scenario
 *   steps: 1-2                   (scenarios/README.md) instead of a file.
 *   pace: 20
 *   gauges: heap, chain
 *   graph: on
 *   ```
 *
 *   kept 400<!-- fig: chain@1 --> entries
 *                                a figure: the number before the comment is
 *                                what GitHub shows; exclab shows what the
 *                                live block measured (here: the chain gauge
 *                                at the end of step 1), and present --check
 *                                fails when the two differ.
 *
 * Pure: parsing reads no other file and runs nothing, so it is tested on
 * strings. */
#ifndef EXCLAB_DECK_H
#define EXCLAB_DECK_H

#include <stdbool.h>
#include <stddef.h>

#include "sample.h"
#include "util.h"

enum deck_theme { DECK_THEME_DARK, DECK_THEME_LIGHT };

/* A live block: a scenario run on the slide. */
struct deck_live {
	int line;              /* of its opening fence in the deck */
	int slide;             /* the slide it is on */
	int part;              /* the part of that slide it shows in (0: at once) */
	char *id;              /* the name figures use for it, or NULL */
	char *scenario;        /* the scenario file, resolved against the deck's folder */
	char *source;          /* or the inline scenario, padded with newlines so
	                        * Lua's line numbers are the deck's */
	int first_step, last_step;  /* 1-based; last_step 0: to the end */
	double pace;           /* calls a second for py.call(name, n); 0: full speed */
	unsigned gauges;       /* probes to show (1u << id); 0: the scenario's own */
	bool graph;            /* show the object graph beside the gauges */
};

/* What a figure quotes. */
enum deck_fig_kind {
	DECK_FIG_PROBE,    /* a gauge at the end of a step */
	DECK_FIG_GROWTH,   /* a gauge's growth during a step */
	DECK_FIG_NODES,    /* objects in the graph shown at the end of a step */
	DECK_FIG_CYCLES,   /* reference cycles in that graph */
};

struct deck_figure {
	int line;
	int slide;
	int live;              /* index of the live block it quotes */
	enum deck_fig_kind kind;
	int probe;             /* PROBE_* for PROBE and GROWTH */
	int step;              /* 1-based */
	char *written;         /* the figure as written: "400", "~100 MB", "+1.4 MB" */
	char *spec;            /* as in the comment: "chain@1" */
};

struct deck_slide {
	int line;              /* its first line in the deck */
	char *title;           /* its first heading, or "" */
	int title_level;       /* 1 or 2; 0: none */
	char *body;            /* Markdown to show: the title and directives taken
	                        * out, each figure as "\x01<index>\x02" */
	size_t *part_end;      /* body bytes shown once part i is revealed */
	int nparts;            /* at least 1 */
	char *notes;           /* speaker notes, or "" */
	double minutes;        /* planned by <!-- minutes: N -->; 0: a share of the rest */
	double plan_start, plan_end;  /* minutes into the talk, from the plan */
	bool countdown;
	int live;              /* index of its live block, -1: none */
};

struct deck {
	char *path, *dir;
	char *title, *author, *date;   /* "" when not given */
	double duration;       /* minutes; 0: not given */
	enum deck_theme theme;
	bool theme_given;
	double pace;           /* the default for live blocks */
	struct deck_slide *slides;
	int nslides;           /* at least 1 */
	struct deck_live *lives;
	int nlives;
	struct deck_figure *figures;
	int nfigures;
};

/* Parse len bytes of text read from path. 0, or -1 with err naming the file
 * and the line. The deck is empty but valid after a failure. */
int deck_parse(struct deck *d, const char *path, const char *text, size_t len,
               struct error *err);
/* Read and parse the file. */
int deck_load(struct deck *d, const char *path, struct error *err);
void deck_free(struct deck *d);

/* The slide's body up to part `part`, each figure replaced by texts[i]
 * (NULL: as written). Newly allocated. */
char *deck_slide_text(const struct deck *d, int slide, int part, const char *const *texts);

/* The figure's value in the written figure's form: its unit, decimals,
 * sign and thousands separators. */
void deck_format_figure(const struct deck_figure *f, double value, char *buf, size_t size);
/* Whether value, written as the figure is, reads the same (within 10% when
 * the figure says "~"). */
bool deck_figure_holds(const struct deck_figure *f, double value);

#endif
