/* mdrender.h — Markdown (parsed by md4c) to styled lines wrapped at a width.
 *
 * Paragraphs, headings and list items are word-wrapped; list items get a
 * hanging indent; block quotes a bar; tables are laid out in columns (a
 * column too wide for the text gives way, its cells wrapping); code blocks are kept as written
 * (clipped by whoever draws them, never wrapped) and ```python blocks are
 * highlighted. The document is split into pages at each level-2 heading: the
 * text before the first one (the title, the introduction) is page 1.
 *
 * Lessons tie their text to the scenario's steps with two comments, which
 * GitHub shows as nothing:
 *     <!-- step 3 -->          this page goes with step 3 (the view turns to
 *                              it when step 3 comes)
 *     <!-- after step 3 -->    what follows, up to <!-- /after --> or the
 *     ...                      page's end, is held back until step 3 has
 *     <!-- /after -->          run: a prediction's answer is never shown
 *                              before it is asked
 * A held-back part renders as its lines plus one placeholder line; the
 * reader (view_lesson) shows one or the other.
 *
 * Pure data: no curses, so it is tested by comparing text. */
#ifndef EXCLAB_MDRENDER_H
#define EXCLAB_MDRENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "screen.h"

struct mdrender_span {
	char *text;              /* UTF-8, NUL-terminated */
	enum screen_attr attr;
};

struct mdrender_line {
	struct mdrender_span *spans;
	int nspans;
	int shown_after;         /* 0: always; N: only once step N has run */
	int hidden_after;        /* 0: always; N: only until step N has run (a placeholder) */
	bool carried;            /* a code line too wide for the text, carried on below */
};

struct mdrender_link {
	char *text;              /* what the reader sees */
	char *href;              /* the target, as written */
};

struct mdrender_page {
	int first, count;        /* lines [first, first + count) of the document */
	char *title;             /* the level-2 heading; page 1: the title or "" */
	int step;                /* the step this page goes with (1-based), or 0 */
};

struct mdrender_doc {
	struct mdrender_line *lines;
	int nlines;
	struct mdrender_page *pages;   /* at least one */
	int npages;
	struct mdrender_link *links;   /* in document order */
	int nlinks;
	char *title;                   /* text of the first level-1 heading, or NULL */
};

/* Render len bytes of Markdown at `width` columns (widths measured as the
 * screen will draw them, hence `ascii`). Returns 0, or -1 when md4c fails
 * (out of memory); the document is then empty but valid. */
int mdrender_parse(struct mdrender_doc *doc, const char *text, size_t len, int width,
                   bool ascii);
void mdrender_free(struct mdrender_doc *doc);

/* A line's text without attributes. Newly allocated. */
char *mdrender_line_text(const struct mdrender_line *line);
/* Columns a line takes on screen. */
int mdrender_line_width(const struct mdrender_line *line, bool ascii);

#endif
