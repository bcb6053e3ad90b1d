/* screen.h — an off-screen grid of cells that views draw into.
 *
 * Each cell holds one character and a semantic attribute (what the text is,
 * not how it looks: term.c maps attributes to colours or to bold/reverse).
 * Only term.c turns a screen into terminal output, so a screen can also be
 * dumped as text for golden tests.
 *
 * With `ascii` set, box-drawing, block, braille, check-mark, arrow and
 * typographic glyphs are replaced by ASCII at put time; any other non-ASCII
 * character becomes '?'. Widths follow the replacement, so layout code asks
 * screen_text_width() rather than counting bytes. */
#ifndef EXCLAB_SCREEN_H
#define EXCLAB_SCREEN_H

#include <stdbool.h>
#include <stddef.h>
#include <wchar.h>

enum screen_attr {
	SCREEN_NORMAL,
	SCREEN_TITLE,      /* lesson title, title bar */
	SCREEN_HEADING,    /* page headings */
	SCREEN_EMPH,
	SCREEN_STRONG,
	SCREEN_CODE,       /* inline code and code blocks */
	SCREEN_LINK,
	SCREEN_QUOTE,      /* block quote text */
	SCREEN_KEYWORD,    /* Python syntax */
	SCREEN_STRING,
	SCREEN_COMMENT,
	SCREEN_NUMBER,
	SCREEN_DEFNAME,    /* the name after def/class */
	SCREEN_GAUGE_LABEL,
	SCREEN_GAUGE_BAR,
	SCREEN_PEAK,
	SCREEN_PASS,
	SCREEN_FAIL,
	SCREEN_ERROR,
	SCREEN_DIM,        /* secondary text: hints, GC notes */
	SCREEN_SELECTED,
	SCREEN_BORDER,
	SCREEN_STATUS,     /* the status line */
	SCREEN_KEY,        /* a key name in a hint: "[space]" */
	SCREEN_ATTR_COUNT
};

/* ch == 0 marks the right half of a wide character in the cell to its left. */
struct screen_cell {
	wchar_t ch;
	unsigned char attr;
};

struct screen {
	int w, h;
	bool ascii;
	struct screen_cell *cells;   /* h rows of w cells */
};

struct screen_rect {
	int x, y, w, h;
};

struct screen *screen_new(int w, int h, bool ascii);
void screen_free(struct screen *s);
/* New size; the content is cleared. */
void screen_resize(struct screen *s, int w, int h);
void screen_clear(struct screen *s);

/* The whole screen as a rectangle. */
struct screen_rect screen_bounds(const struct screen *s);
/* r shrunk by n cells on every side (never negative). */
struct screen_rect screen_inset(struct screen_rect r, int n);

const struct screen_cell *screen_cell(const struct screen *s, int x, int y);

/* Put UTF-8 text at (x, y), clipped to `clip` (and to the screen). Returns
 * the column after the text as if nothing were clipped, so spans can be
 * chained. Invalid UTF-8 shows as U+FFFD ('?' in ASCII); control characters
 * as spaces; combining characters are dropped. */
int screen_put(struct screen *s, struct screen_rect clip, int x, int y,
               const char *text, enum screen_attr attr);
int screen_putn(struct screen *s, struct screen_rect clip, int x, int y,
                const char *text, size_t len, enum screen_attr attr);
/* Put one character, as screen_put does. */
int screen_putc(struct screen *s, struct screen_rect clip, int x, int y,
                wchar_t ch, enum screen_attr attr);

/* text wrapped at spaces to the width of r, from row y; lines after the first
 * are indented by `indent`. Rows past r are not drawn, nor anything when
 * draw is false (to measure). Returns the row after the text. */
int screen_put_wrapped(struct screen *s, struct screen_rect r, int y, const char *text,
                       int indent, enum screen_attr attr, bool draw);

void screen_fill(struct screen *s, struct screen_rect r, wchar_t ch, enum screen_attr attr);
void screen_hline(struct screen *s, struct screen_rect clip, int x, int y, int w,
                  enum screen_attr attr);
void screen_vline(struct screen *s, struct screen_rect clip, int x, int y, int h,
                  enum screen_attr attr);
/* A border on the edge of r, with an optional title in its top line. */
void screen_box(struct screen *s, struct screen_rect r, const char *title,
                enum screen_attr attr);

/* The screen as UTF-8, one '\n'-terminated line per row, trailing spaces
 * trimmed. Newly allocated. */
char *screen_to_text(const struct screen *s);

/* Decode one character from UTF-8 text of len > 0 bytes into *ch; returns the
 * bytes used (at least 1). Invalid sequences give U+FFFD and use one byte. */
size_t screen_utf8_decode(const char *text, size_t len, wchar_t *ch);
/* Write ch as UTF-8 into out; returns the bytes written (1 to 4). */
size_t screen_utf8_encode(char out[4], wchar_t ch);
/* Columns ch takes when put (0 for combining characters). */
int screen_char_width(wchar_t ch, bool ascii);
/* Columns text takes when put. */
int screen_text_width(const char *text, size_t len, bool ascii);

#endif
