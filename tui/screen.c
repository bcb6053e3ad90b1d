/* screen.c — the off-screen cell grid; no curses here. */
#ifndef _XOPEN_SOURCE
#define _XOPEN_SOURCE 700   /* wcwidth */
#endif
#include "screen.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

#define REPLACEMENT 0xFFFD

/* What a glyph becomes on an ASCII screen. Sorted by ch for bsearch. */
struct ascii_glyph {
	wchar_t ch;
	const char *ascii;
};

static const struct ascii_glyph ascii_glyphs[] = {
	{ 0x00A0, " " },    /* no-break space */
	{ 0x00B1, "+-" },   /* plus-minus */
	{ 0x00B7, "." },    /* middle dot */
	{ 0x00D7, "x" },    /* multiplication sign */
	{ 0x2013, "-" },    /* en dash */
	{ 0x2014, "--" },   /* em dash */
	{ 0x2018, "'" },
	{ 0x2019, "'" },
	{ 0x201C, "\"" },
	{ 0x201D, "\"" },
	{ 0x2022, "*" },    /* bullet */
	{ 0x2026, "..." },
	{ 0x203A, ">" },    /* single right angle quote: "clipped here" */
	{ 0x2190, "<-" },
	{ 0x2191, "^" },
	{ 0x2192, "->" },
	{ 0x2193, "v" },
	{ 0x2248, "~" },
	{ 0x2264, "<=" },
	{ 0x21A9, "\\" },   /* a code line carried on below */
	{ 0x2265, ">=" },
	{ 0x2500, "-" },    /* box drawing: light, heavy, double, dashed */
	{ 0x2501, "=" },
	{ 0x2502, "|" },
	{ 0x2503, "#" },
	{ 0x2504, "-" },
	{ 0x2506, ":" },
	{ 0x250C, "+" },
	{ 0x250F, "#" },
	{ 0x2510, "+" },
	{ 0x2513, "#" },
	{ 0x2514, "+" },
	{ 0x2517, "#" },
	{ 0x2518, "+" },
	{ 0x251B, "#" },
	{ 0x251C, "+" },
	{ 0x2523, "#" },
	{ 0x2524, "+" },
	{ 0x252B, "#" },
	{ 0x252C, "+" },
	{ 0x2533, "#" },
	{ 0x2534, "+" },
	{ 0x253B, "#" },
	{ 0x253C, "+" },
	{ 0x254B, "#" },
	{ 0x2550, "=" },
	{ 0x2551, "#" },
	{ 0x2554, "#" },
	{ 0x2557, "#" },
	{ 0x255A, "#" },
	{ 0x255D, "#" },
	{ 0x2581, "_" },    /* sparkline levels, low to high */
	{ 0x2582, "_" },
	{ 0x2583, "." },
	{ 0x2584, "-" },
	{ 0x2585, "-" },
	{ 0x2586, "=" },
	{ 0x2587, "=" },
	{ 0x2588, "#" },    /* full block: gauge bars */
	{ 0x2591, "." },
	{ 0x25B2, "^" },
	{ 0x25B6, ">" },
	{ 0x25B8, ">" },
	{ 0x25BC, "v" },
	{ 0x25C0, "<" },
	{ 0x25C6, "*" },    /* a prediction that held, and one that did not */
	{ 0x25C7, "-" },
	{ 0x25E6, "o" },
	{ 0x2713, "OK" },   /* check results keep their meaning in words */
	{ 0x2717, "FAIL" },
	{ 0x27F2, "@" },    /* on a reference cycle */
	{ REPLACEMENT, "?" },
};

static int glyph_cmp(const void *key, const void *elem)
{
	wchar_t ch = *(const wchar_t *)key;
	const struct ascii_glyph *g = elem;

	return (ch > g->ch) - (ch < g->ch);
}

/* The ASCII text for a non-ASCII ch. */
static const char *ascii_for(wchar_t ch)
{
	const struct ascii_glyph *g;

	if (ch >= 0x2800 && ch <= 0x28FF)   /* braille: any dot shows */
		return ch == 0x2800 ? " " : "#";
	g = bsearch(&ch, ascii_glyphs, sizeof ascii_glyphs / sizeof ascii_glyphs[0],
	            sizeof ascii_glyphs[0], glyph_cmp);
	return g ? g->ascii : "?";
}

static bool is_control(wchar_t ch)
{
	return ch < 0x20 || ch == 0x7F || (ch >= 0x80 && ch < 0xA0);
}

size_t screen_utf8_decode(const char *text, size_t len, wchar_t *ch)
{
	const unsigned char *p = (const unsigned char *)text;
	unsigned long c;
	size_t n, i;

	if (p[0] < 0x80) {
		*ch = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		goto invalid;
	}
	if (len < n)
		goto invalid;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto invalid;
		c = (c << 6) | (p[i] & 0x3F);
	}
	/* Overlong forms, surrogates and values past U+10FFFF. */
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		goto invalid;
	*ch = (wchar_t)c;
	return n;
invalid:
	*ch = REPLACEMENT;
	return 1;
}

/* What a character is stored as on a non-ASCII screen, and its width. */
static wchar_t display_char(wchar_t ch, int *width)
{
	int w;

	if (is_control(ch)) {
		*width = 1;
		return L' ';
	}
	w = wcwidth(ch);
	if (w < 0) {
		*width = 1;
		return REPLACEMENT;
	}
	*width = w;
	return ch;
}

int screen_char_width(wchar_t ch, bool ascii)
{
	int w;

	if (ascii && ch >= 0x80 && !is_control(ch))
		return (int)strlen(ascii_for(ch));
	display_char(ch, &w);
	return w;
}

int screen_text_width(const char *text, size_t len, bool ascii)
{
	size_t i = 0;
	int w = 0;
	wchar_t ch;

	while (i < len) {
		i += screen_utf8_decode(text + i, len - i, &ch);
		w += screen_char_width(ch, ascii);
	}
	return w;
}

struct screen *screen_new(int w, int h, bool ascii)
{
	struct screen *s = xcalloc(1, sizeof *s);

	s->ascii = ascii;
	screen_resize(s, w, h);
	return s;
}

void screen_free(struct screen *s)
{
	if (s == NULL)
		return;
	free(s->cells);
	free(s);
}

void screen_resize(struct screen *s, int w, int h)
{
	s->w = w > 0 ? w : 0;
	s->h = h > 0 ? h : 0;
	free(s->cells);
	s->cells = xcalloc((size_t)s->w * (size_t)s->h + 1, sizeof *s->cells);
	screen_clear(s);
}

void screen_clear(struct screen *s)
{
	screen_fill(s, screen_bounds(s), L' ', SCREEN_NORMAL);
}

struct screen_rect screen_bounds(const struct screen *s)
{
	return (struct screen_rect){ 0, 0, s->w, s->h };
}

struct screen_rect screen_inset(struct screen_rect r, int n)
{
	r.x += n;
	r.y += n;
	r.w = r.w > 2 * n ? r.w - 2 * n : 0;
	r.h = r.h > 2 * n ? r.h - 2 * n : 0;
	return r;
}

const struct screen_cell *screen_cell(const struct screen *s, int x, int y)
{
	if (x < 0 || y < 0 || x >= s->w || y >= s->h)
		return NULL;
	return &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
}

static struct screen_cell *cell_at(struct screen *s, int x, int y)
{
	return &s->cells[(size_t)y * (size_t)s->w + (size_t)x];
}

static bool in_clip(const struct screen *s, struct screen_rect clip, int x, int y)
{
	return x >= clip.x && x < clip.x + clip.w && y >= clip.y && y < clip.y + clip.h &&
	       x >= 0 && x < s->w && y >= 0 && y < s->h;
}

/* Store ch (width 1 or 2) at (x, y), blanking any wide character it cuts in half. */
static void set_cell(struct screen *s, int x, int y, wchar_t ch, int width,
                     enum screen_attr attr)
{
	struct screen_cell *c = cell_at(s, x, y);

	if (c->ch == 0 && x > 0)
		cell_at(s, x - 1, y)->ch = L' ';
	if (x + width < s->w && cell_at(s, x + width, y)->ch == 0)
		cell_at(s, x + width, y)->ch = L' ';
	c->ch = ch;
	c->attr = (unsigned char)attr;
	if (width == 2) {
		c[1].ch = 0;
		c[1].attr = (unsigned char)attr;
	}
}

/* Put an ASCII-only string, one cell per byte. */
static int put_ascii(struct screen *s, struct screen_rect clip, int x, int y,
                     const char *a, enum screen_attr attr)
{
	for (; *a; a++, x++)
		if (in_clip(s, clip, x, y))
			set_cell(s, x, y, (wchar_t)(unsigned char)*a, 1, attr);
	return x;
}

int screen_putc(struct screen *s, struct screen_rect clip, int x, int y,
                wchar_t ch, enum screen_attr attr)
{
	int w;

	if (s->ascii && ch >= 0x80 && !is_control(ch))
		return put_ascii(s, clip, x, y, ascii_for(ch), attr);
	ch = display_char(ch, &w);
	if (w == 0)
		return x;
	if (w == 2 && !(in_clip(s, clip, x, y) && in_clip(s, clip, x + 1, y))) {
		/* Half a wide character would not show: leave a space where it fits. */
		if (in_clip(s, clip, x, y))
			set_cell(s, x, y, L' ', 1, attr);
		return x + 2;
	}
	if (in_clip(s, clip, x, y))
		set_cell(s, x, y, ch, w, attr);
	return x + w;
}

int screen_putn(struct screen *s, struct screen_rect clip, int x, int y,
                const char *text, size_t len, enum screen_attr attr)
{
	size_t i = 0;
	wchar_t ch;

	while (i < len) {
		i += screen_utf8_decode(text + i, len - i, &ch);
		x = screen_putc(s, clip, x, y, ch, attr);
	}
	return x;
}

int screen_put(struct screen *s, struct screen_rect clip, int x, int y,
               const char *text, enum screen_attr attr)
{
	return screen_putn(s, clip, x, y, text, strlen(text), attr);
}

void screen_fill(struct screen *s, struct screen_rect r, wchar_t ch, enum screen_attr attr)
{
	int x, y;

	for (y = r.y; y < r.y + r.h; y++) {
		for (x = r.x; x < r.x + r.w;) {
			int next = screen_putc(s, r, x, y, ch, attr);

			x = next > x ? next : x + 1;
		}
	}
}

void screen_hline(struct screen *s, struct screen_rect clip, int x, int y, int w,
                  enum screen_attr attr)
{
	for (; w > 0; w--, x++)
		screen_putc(s, clip, x, y, 0x2500, attr);
}

void screen_vline(struct screen *s, struct screen_rect clip, int x, int y, int h,
                  enum screen_attr attr)
{
	for (; h > 0; h--, y++)
		screen_putc(s, clip, x, y, 0x2502, attr);
}

void screen_box(struct screen *s, struct screen_rect r, const char *title,
                enum screen_attr attr)
{
	int right = r.x + r.w - 1, bottom = r.y + r.h - 1;

	if (r.w < 2 || r.h < 2)
		return;
	screen_hline(s, r, r.x + 1, r.y, r.w - 2, attr);
	screen_hline(s, r, r.x + 1, bottom, r.w - 2, attr);
	screen_vline(s, r, r.x, r.y + 1, r.h - 2, attr);
	screen_vline(s, r, right, r.y + 1, r.h - 2, attr);
	screen_putc(s, r, r.x, r.y, 0x250C, attr);
	screen_putc(s, r, right, r.y, 0x2510, attr);
	screen_putc(s, r, r.x, bottom, 0x2514, attr);
	screen_putc(s, r, right, bottom, 0x2518, attr);
	if (title != NULL && r.w > 6) {
		/* Keep the corners: the title is clipped to the top edge's inside. */
		struct screen_rect edge = { r.x + 1, r.y, r.w - 2, 1 };
		int x = screen_put(s, edge, r.x + 2, r.y, " ", attr);

		x = screen_put(s, edge, x, r.y, title, attr);
		screen_put(s, edge, x, r.y, " ", attr);
	}
}

size_t screen_utf8_encode(char out[4], wchar_t ch)
{
	unsigned long c = (unsigned long)ch;

	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | (c >> 6));
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | (c >> 12));
		out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (c >> 18));
	out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

char *screen_to_text(const struct screen *s)
{
	char *out = xmalloc((size_t)s->w * (size_t)s->h * 4 + (size_t)s->h + 1);
	size_t n = 0, line_end;
	int x, y;

	for (y = 0; y < s->h; y++) {
		line_end = n;
		for (x = 0; x < s->w; x++) {
			wchar_t ch = screen_cell(s, x, y)->ch;

			if (ch == 0)
				continue;
			n += screen_utf8_encode(out + n, ch);
			if (ch != L' ')
				line_end = n;
		}
		n = line_end;
		out[n++] = '\n';
	}
	out[n] = '\0';
	return out;
}

int screen_put_wrapped(struct screen *s, struct screen_rect r, int y, const char *text,
                       int indent, enum screen_attr attr, bool draw)
{
	const char *p = text;
	bool ascii = s ? s->ascii : false;
	int left = 0;

	while (*p) {
		int room = r.w - left, len = (int)strlen(p), cut = len;
		if (screen_text_width(p, (size_t)len, ascii) > room) {
			cut = 0;   /* the last space that still fits */
			for (int i = 1; i < len && screen_text_width(p, (size_t)i, ascii) <= room; i++)
				if (p[i] == ' ')
					cut = i;
			if (cut == 0)
				cut = len;   /* one long word: let it clip */
		}
		if (draw && y < r.y + r.h)
			screen_putn(s, r, r.x + left, y, p, (size_t)cut, attr);
		y++;
		p += cut;
		while (*p == ' ')
			p++;
		left = indent;
	}
	return y;
}
