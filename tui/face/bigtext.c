/* bigtext.c — the font, and drawing it.
 *
 * Each glyph is five rows of pixels ('#' on), 1 to 5 wide, with one column
 * of space after it. Pairs of pixel rows share a terminal row: the upper
 * pixel is ▀, the lower ▄, both █. */
#include "bigtext.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

struct glyph {
	char ch;
	const char *rows[5];
};

static const struct glyph font[] = {
	{ 'A', { ".#.", "#.#", "###", "#.#", "#.#" } },
	{ 'B', { "##.", "#.#", "##.", "#.#", "##." } },
	{ 'C', { ".##", "#..", "#..", "#..", ".##" } },
	{ 'D', { "##.", "#.#", "#.#", "#.#", "##." } },
	{ 'E', { "###", "#..", "##.", "#..", "###" } },
	{ 'F', { "###", "#..", "##.", "#..", "#.." } },
	{ 'G', { ".##", "#..", "#.#", "#.#", ".##" } },
	{ 'H', { "#.#", "#.#", "###", "#.#", "#.#" } },
	{ 'I', { "###", ".#.", ".#.", ".#.", "###" } },
	{ 'J', { "..#", "..#", "..#", "#.#", ".#." } },
	{ 'K', { "#.#", "#.#", "##.", "#.#", "#.#" } },
	{ 'L', { "#..", "#..", "#..", "#..", "###" } },
	{ 'M', { "#...#", "##.##", "#.#.#", "#...#", "#...#" } },
	{ 'N', { "#..#", "##.#", "#.##", "#..#", "#..#" } },
	{ 'O', { ".#.", "#.#", "#.#", "#.#", ".#." } },
	{ 'P', { "##.", "#.#", "##.", "#..", "#.." } },
	{ 'Q', { ".#.", "#.#", "#.#", "##.", ".##" } },
	{ 'R', { "##.", "#.#", "##.", "#.#", "#.#" } },
	{ 'S', { ".##", "#..", ".#.", "..#", "##." } },
	{ 'T', { "###", ".#.", ".#.", ".#.", ".#." } },
	{ 'U', { "#.#", "#.#", "#.#", "#.#", "###" } },
	{ 'V', { "#.#", "#.#", "#.#", "#.#", ".#." } },
	{ 'W', { "#...#", "#...#", "#.#.#", "##.##", "#...#" } },
	{ 'X', { "#.#", "#.#", ".#.", "#.#", "#.#" } },
	{ 'Y', { "#.#", "#.#", ".#.", ".#.", ".#." } },
	{ 'Z', { "###", "..#", ".#.", "#..", "###" } },
	{ '0', { "###", "#.#", "#.#", "#.#", "###" } },
	{ '1', { ".#.", "##.", ".#.", ".#.", "###" } },
	{ '2', { "##.", "..#", ".#.", "#..", "###" } },
	{ '3', { "##.", "..#", ".#.", "..#", "##." } },
	{ '4', { "#.#", "#.#", "###", "..#", "..#" } },
	{ '5', { "###", "#..", "##.", "..#", "##." } },
	{ '6', { ".##", "#..", "###", "#.#", "###" } },
	{ '7', { "###", "..#", ".#.", ".#.", ".#." } },
	{ '8', { "###", "#.#", "###", "#.#", "###" } },
	{ '9', { "###", "#.#", "###", "..#", "##." } },
	{ ' ', { "..", "..", "..", "..", ".." } },
	{ '.', { ".", ".", ".", ".", "#" } },
	{ ',', { ".", ".", ".", "#", "#" } },
	{ ':', { ".", "#", ".", "#", "." } },
	{ ';', { ".", "#", ".", "#", "#" } },
	{ '!', { "#", "#", "#", ".", "#" } },
	{ '?', { "##.", "..#", ".#.", "...", ".#." } },
	{ '\'', { "#", "#", ".", ".", "." } },
	{ '"', { "#.#", "#.#", "...", "...", "..." } },
	{ '-', { "...", "...", "###", "...", "..." } },
	{ '+', { "...", ".#.", "###", ".#.", "..." } },
	{ '=', { "...", "###", "...", "###", "..." } },
	{ '*', { "...", "#.#", ".#.", "#.#", "..." } },
	{ '/', { "..#", "..#", ".#.", "#..", "#.." } },
	{ '_', { "...", "...", "...", "...", "###" } },
	{ '%', { "#.#", "..#", ".#.", "#..", "#.#" } },
	{ '(', { ".#", "#.", "#.", "#.", ".#" } },
	{ ')', { "#.", ".#", ".#", ".#", "#." } },
	{ '[', { "##", "#.", "#.", "#.", "##" } },
	{ ']', { "##", ".#", ".#", ".#", "##" } },
	{ '<', { "..#", ".#.", "#..", ".#.", "..#" } },
	{ '>', { "#..", ".#.", "..#", ".#.", "#.." } },
	{ '&', { ".#.", "#.#", ".#.", "#.#", ".##" } },
	{ '#', { "#.#", "###", "#.#", "###", "#.#" } },
};

static const struct glyph *glyph_of(char c)
{
	c = (char)toupper((unsigned char)c);
	for (size_t i = 0; i < sizeof font / sizeof font[0]; i++)
		if (font[i].ch == c)
			return &font[i];
	return NULL;
}

int bigtext_height(bool ascii, int scale)
{
	return ascii || scale > 1 ? 5 : 3;
}

static int width_n(const char *text, size_t n, int scale)
{
	int w = 0;

	for (size_t i = 0; i < n; i++) {
		const struct glyph *g = glyph_of(text[i]);
		if (g == NULL)
			return -1;
		w += ((int)strlen(g->rows[0]) + (i + 1 < n)) * scale;
	}
	return w;
}

int bigtext_width(const char *text, int scale)
{
	return width_n(text, strlen(text), scale);
}

int bigtext_wrap(const char *text, int w, int scale, char **lines, int max)
{
	const char *s = text;
	int n = 0;

	if (bigtext_width(text, scale) < 0)
		return -1;
	while (*s) {
		const char *end = s, *best = NULL;

		while (*s == ' ')
			s++;
		if (!*s)
			break;
		/* The most words that fit. */
		for (end = s; *end;) {
			const char *next = end;
			while (*next == ' ')
				next++;
			while (*next && *next != ' ')
				next++;
			if (width_n(s, (size_t)(next - s), scale) > w)
				break;
			best = end = next;
		}
		if (best == NULL || n == max) {
			for (int i = 0; i < n; i++) {
				free(lines[i]);
				lines[i] = NULL;
			}
			return -1;
		}
		lines[n++] = xstrndup(s, (size_t)(best - s));
		s = best;
	}
	return n;
}

void bigtext_draw(struct screen *s, struct screen_rect clip, int x, int y, const char *text,
                  int scale, enum screen_attr attr)
{
	for (const char *c = text; *c; c++) {
		const struct glyph *g = glyph_of(*c);
		int gw;

		if (g == NULL)
			return;
		gw = (int)strlen(g->rows[0]);
		for (int col = 0; col < gw; col++) {
			if (scale > 1) {
				wchar_t ch = s->ascii ? '#' : 0x2588;
				for (int row = 0; row < 5; row++)
					for (int k = 0; g->rows[row][col] == '#' && k < scale; k++)
						screen_putc(s, clip, x + col * scale + k, y + row, ch, attr);
				continue;
			}
			if (s->ascii) {
				for (int row = 0; row < 5; row++)
					if (g->rows[row][col] == '#')
						screen_putc(s, clip, x + col, y + row, '#', attr);
				continue;
			}
			for (int row = 0; row < 5; row += 2) {
				bool top = g->rows[row][col] == '#';
				bool bottom = row + 1 < 5 && g->rows[row + 1][col] == '#';
				wchar_t ch = top && bottom ? 0x2588 : top ? 0x2580 : bottom ? 0x2584 : 0;
				if (ch)
					screen_putc(s, clip, x + col, y + row / 2, ch, attr);
			}
		}
		x += (gw + 1) * scale;
	}
}
