/* bigtext.h — titles readable from the back of a room: capitals from a
 * 5-pixel-high font. At scale 1 a pixel is half a cell: half blocks (▀ ▄ █)
 * in 3 rows, or '#' in 5 rows where the screen is ASCII. At scale 2, for
 * big screens, a pixel is two cells side by side (a square, as cells are
 * twice as high as wide): 5 rows. Lower case is drawn as capitals; a text
 * with any other character has no big form (the caller draws it as an
 * ordinary heading). Pure: it draws into a screen. */
#ifndef EXCLAB_BIGTEXT_H
#define EXCLAB_BIGTEXT_H

#include <stdbool.h>

#include "screen.h"

/* Rows a line of big text takes at scale 1 or 2. */
int bigtext_height(bool ascii, int scale);
/* Columns text takes, or -1 when a character has no glyph. */
int bigtext_width(const char *text, int scale);
/* Break text between words into at most max lines of at most w columns
 * each, as newly allocated strings in lines[]. Returns how many, or -1 when
 * it does not fit (lines[] is then empty). */
int bigtext_wrap(const char *text, int w, int scale, char **lines, int max);
/* Draw one line with its top-left corner at (x, y), clipped to clip. */
void bigtext_draw(struct screen *s, struct screen_rect clip, int x, int y, const char *text,
                  int scale, enum screen_attr attr);

#endif
