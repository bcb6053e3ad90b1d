/* view_console.c — what the scenario said: output, steps, check results and
 * errors, newest at the bottom. Long lines wrap with a small indent; `[` and
 * `]` scroll back and forth. Check lines carry their ✓/✗ (put there by the
 * scenario host), so pass and fail read the same without colour. */
#include "view.h"

#include <stdlib.h>
#include <string.h>

struct console_view {
	int scroll;   /* rows scrolled back from the newest */
	int rows;     /* rows the console had when last drawn */
};

#define CONT_INDENT 2

static void *console_init(void)
{
	return xcalloc(1, sizeof(struct console_view));
}

static void console_free(void *data)
{
	free(data);
}

static enum screen_attr kind_attr(enum console_kind kind)
{
	switch (kind) {
	case CONSOLE_STEP: return SCREEN_HEADING;
	case CONSOLE_ERROR: return SCREEN_ERROR;
	case CONSOLE_PASS: return SCREEN_PASS;
	case CONSOLE_FAIL: return SCREEN_FAIL;
	case CONSOLE_GC: return SCREEN_DIM;
	default: return SCREEN_NORMAL;
	}
}

/* Lay text out in r from row y: the first row full width, the rest indented,
 * broken between words (inside one only when it is longer than a row).
 * Returns the rows it takes; draws only when `draw`. */
static int wrap_rows(struct screen *s, struct screen_rect r, int y, const char *text,
                     enum screen_attr attr, bool draw)
{
	size_t len = strlen(text), i = 0;
	int rows = 0;

	do {
		int x = rows ? CONT_INDENT : 0, w = 0, avail = r.w - x;
		size_t start = i, space = 0;   /* just past the row's last space, or 0 */

		while (i < len) {
			wchar_t ch;
			size_t n = screen_utf8_decode(text + i, len - i, &ch);
			int cw = screen_char_width(ch, s->ascii);

			if (w + cw > avail && i > start) {
				if (space > start && ch != ' ')
					i = space;   /* the word that does not fit goes to the next row */
				break;
			}
			w += cw;
			i += n;
			if (ch == ' ')
				space = i;
		}
		if (draw)
			screen_putn(s, r, r.x + x, y + rows, text + start, i - start, attr);
		rows++;
		while (i < len && text[i] == ' ' && rows > 0)
			i++;   /* a row never starts with the space it broke at */
	} while (i < len);
	return rows;
}

/* Lines kept in sight below the console's own, newest last: the reveal of
 * the last prediction, until the next step begins, and the pause prompt,
 * in full, since the status line may cut it. */
static int pinned(const struct model *m, const char *lines[2], enum screen_attr attrs[2])
{
	int n = 0;

	if (m->reveal[0]) {
		lines[n] = m->reveal;
		attrs[n++] = SCREEN_STRONG;
	}
	if (m->state == RUN_PAUSED) {
		lines[n] = m->pause_text;
		attrs[n++] = SCREEN_STRONG;
	}
	return n;
}

/* The k-th line counting back from the newest; false past the oldest. Text is
 * NULL for lines the console does not show. */
static bool line_back(const struct model *m, unsigned hide, int k, const char **text,
                      enum screen_attr *attr)
{
	const struct console_line *l;
	const char *pins[2];
	enum screen_attr pin_attrs[2];
	int npins = pinned(m, pins, pin_attrs);

	if (k < npins) {
		*text = pins[npins - 1 - k];
		*attr = pin_attrs[npins - 1 - k];
		return true;
	}
	k -= npins;
	l = model_console_line(m, m->console_len - 1 - k);
	if (l == NULL)
		return false;
	/* The gauges show samples; the pinned reveal shows the newest reveal. */
	*text = l->kind == CONSOLE_SAMPLE || (hide >> l->kind & 1u) ||
	        (l->kind == CONSOLE_PREDICT && m->reveal[0] && strcmp(l->text, m->reveal) == 0)
	        ? NULL : l->text;
	*attr = kind_attr(l->kind);
	return true;
}

static void console_draw(void *data, struct screen *s, struct screen_rect r,
                         const struct view_ctx *ctx)
{
	struct console_view *v = data;
	const struct model *m = ctx->model;
	struct screen_rect in = { r.x + 1, r.y, r.w - 2, r.h };
	enum screen_attr attr;
	const char *text;
	int k, bottom, total = 0;

	v->rows = in.h;
	if (in.w < CONT_INDENT + 1 || in.h <= 0)
		return;
	/* How far back there is to scroll, counting no further than needed. */
	for (k = 0; total < v->scroll + in.h && line_back(m, ctx->console_hide, k, &text, &attr); k++)
		if (text != NULL)
			total += wrap_rows(s, in, 0, text, attr, false);
	if (v->scroll > total - in.h)
		v->scroll = total > in.h ? total - in.h : 0;

	/* Newest first, upwards from the bottom; the rectangle clips. */
	bottom = in.y + in.h - 1 + v->scroll;
	for (k = 0; bottom >= in.y && line_back(m, ctx->console_hide, k, &text, &attr); k++) {
		int n;

		if (text == NULL)
			continue;
		n = wrap_rows(s, in, 0, text, attr, false);
		/* On a slide, a line whose start would be cut reads as a fragment
		 * to the room ("   3)"): it goes whole, unless it is the newest. */
		if (ctx->on_slide && v->scroll == 0 && bottom - n + 1 < in.y &&
		    bottom < in.y + in.h - 1)
			break;
		if (bottom - n + 1 < in.y + in.h)
			wrap_rows(s, in, bottom - n + 1, text, attr, true);
		bottom -= n;
	}
	if (v->scroll > 0) {
		static const char hint[] = " \u2193 ] newer ";
		int w = screen_text_width(hint, strlen(hint), s->ascii);

		screen_put(s, in, in.x + in.w - w, in.y + in.h - 1, hint, SCREEN_SELECTED);
	}
}

/* [ and ] move half the console's height: what was at its top stays in sight. */
static int half_page(const struct console_view *v)
{
	return v->rows > 3 ? v->rows / 2 : 1;
}

static bool console_key(void *data, int key)
{
	struct console_view *v = data;

	switch (key) {
	case '[':
		v->scroll += half_page(v);   /* clamped when drawn */
		return true;
	case ']':
		v->scroll = v->scroll > half_page(v) ? v->scroll - half_page(v) : 0;
		return true;
	default:
		return false;
	}
}

const struct view_ops view_console = {
	.name = "console",
	.init = console_init,
	.free = console_free,
	.draw = console_draw,
	.key = console_key,
};
