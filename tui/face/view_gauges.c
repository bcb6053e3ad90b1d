/* view_gauges.c — one meter per gauge the scenario shows, htop style.
 *
 *   Python heap   98.4 MB      what, and how much now
 *   [██████████│ ] /200 MB     the bar, its stated scale; │ marks the peak
 *   ▁▂▂▃▃▄▅▆▇ +98.2 MB        the history, and the growth since the step began
 *
 * The bar and the sparkline share one scale, which only ever grows during a
 * run (to the next 1, 2 or 5 times a power of ten above the peak), so a flat
 * line means no growth. The chain and frames gauges say which object they
 * follow. Labels, numbers and words carry the meaning; colour only helps. */
#include "view.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "sample.h"

#define BYTES_FLOOR 10e6   /* bytes gauges never scale below 10 MB */

/* Smallest 1, 2 or 5 times a power of ten that is >= v: a scale people read. */
static double nice_ceil(double v)
{
	double p = pow(10, floor(log10(v)));

	if (v <= p)
		return p;
	if (v <= 2 * p)
		return 2 * p;
	if (v <= 5 * p)
		return 5 * p;
	return 10 * p;
}

static double gauge_scale(const struct model *m, int id)
{
	const struct series *ser = &m->series[id];

	switch (id) {
	case PROBE_HEAP:
	case PROBE_RSS:
		return nice_ceil(fmax(ser->peak, BYTES_FLOOR));
	case PROBE_GC0:
		/* Collections start at the threshold: the bar shows how close. */
		return m->gc_threshold0 > 0 ? m->gc_threshold0 : nice_ceil(fmax(ser->peak, 1));
	default:
		return nice_ceil(fmax(ser->peak, 1));
	}
}

static void format_value(int id, double v, char *buf, size_t size)
{
	if (probe_info[id].unit == PROBE_UNIT_BYTES)
		util_fmt_bytes(v, buf, size);
	else
		util_fmt_count(v, buf, size);
}

static int width_of(const struct screen *s, const char *text)
{
	return screen_text_width(text, strlen(text), s->ascii);
}

static void put_right(struct screen *s, struct screen_rect r, int y, const char *text,
                      enum screen_attr attr)
{
	screen_put(s, r, r.x + r.w - width_of(s, text), y, text, attr);
}

/* Cells of a bar `w` wide that `v` fills on `scale`. */
static int cells(double v, double scale, int w)
{
	double f = v / scale;

	f = f < 0 ? 0 : f > 1 ? 1 : f;
	return (int)lround(f * w);
}

/* The bar, and its scale stated after it: "[████   ] /200 MB". */
static void draw_bar(struct screen *s, struct screen_rect r, int y, int id,
                     const struct series *ser, double scale)
{
	char text[40], num[32];
	int w, fill, peak, i;

	format_value(id, scale, num, sizeof num);
	snprintf(text, sizeof text, " /%s", num);
	w = r.w - 2 - width_of(s, text);
	fill = cells(ser->last, scale, w);
	peak = cells(ser->peak, scale, w);
	screen_put(s, r, r.x, y, "[", SCREEN_BORDER);
	for (i = 0; i < fill; i++)
		screen_putc(s, r, r.x + 1 + i, y, 0x2588, SCREEN_GAUGE_BAR);
	if (peak > fill)
		screen_putc(s, r, r.x + peak, y, 0x2502, SCREEN_PEAK);
	screen_put(s, r, r.x + 1 + w, y, "]", SCREEN_BORDER);
	put_right(s, r, y, text, SCREEN_DIM);
}

/* The newest `w` samples, right-aligned, one eighth-block level per cell. */
static void draw_sparkline(struct screen *s, struct screen_rect r, int y, int w,
                           const struct series *ser, double scale)
{
	int n = ser->len < w ? ser->len : w, i;

	for (i = 0; i < n; i++) {
		double v = ser->values[(ser->start + ser->len - n + i) % MODEL_HISTORY];
		int level = (int)ceil(v / scale * 8);

		level = level < 0 ? 0 : level > 8 ? 8 : level;
		if (level > 0)
			screen_putc(s, r, r.x + w - n + i, y, (wchar_t)(0x2580 + level), SCREEN_GAUGE_BAR);
	}
}

static void draw_trend(struct screen *s, struct screen_rect r, int y, int id,
                       const struct series *ser, double scale)
{
	char num[32], text[80];
	double d = ser->last - ser->base;
	int spark;

	format_value(id, fabs(d), num, sizeof num);
	if (d == 0)
		snprintf(text, sizeof text, "flat since step start");
	else
		snprintf(text, sizeof text, "%s%s since step start", d > 0 ? "+" : "-", num);
	/* The history needs room to show a climb: the words give way first. */
	if (width_of(s, text) + 12 > r.w)
		snprintf(text, sizeof text, "%s", d == 0 ? "flat" : "");
	if (d != 0 && !text[0])
		snprintf(text, sizeof text, "%s%s", d > 0 ? "+" : "-", num);
	spark = r.w - width_of(s, text) - 1;
	if (spark >= 4)
		draw_sparkline(s, r, y, spark, ser, scale);
	put_right(s, r, y, text, d > 0 ? SCREEN_STRONG : SCREEN_NORMAL);
}

/* Rows used: label and value, the bar, and (when `trend`) the sparkline. */
static void draw_gauge(struct screen *s, struct screen_rect r, int y, int id,
                       const struct model *m, bool trend)
{
	const struct series *ser = &m->series[id];
	double scale = gauge_scale(m, id);
	char value[64], limit[32];

	screen_put(s, r, r.x, y, probe_info[id].label, SCREEN_GAUGE_LABEL);
	if (!ser->has_value) {
		screen_put(s, r, r.x, y + 1, "no reading yet", SCREEN_DIM);   /* the label stays whole */
		return;
	}
	format_value(id, ser->last, value, sizeof value);
	if (id == PROBE_GC0 && m->gc_threshold0 > 0) {
		util_fmt_count(m->gc_threshold0, limit, sizeof limit);
		strncat(value, " of ", sizeof value - strlen(value) - 1);
		strncat(value, limit, sizeof value - strlen(value) - 1);
	}
	/* The value must show; the label gives way. */
	screen_put(s, r, r.x + r.w - width_of(s, value) - 1, y, " ", SCREEN_NORMAL);
	put_right(s, r, y, value, SCREEN_STRONG);
	draw_bar(s, r, y + 1, id, ser, scale);
	if (trend)
		draw_trend(s, r, y + 2, id, ser, scale);
}

static void gauges_draw(void *data, struct screen *s, struct screen_rect r,
                        const struct view_ctx *ctx)
{
	(void)data;
	const struct model *m = ctx->model;
	int ids[PROBE_COUNT], n = 0, rows, gap, fit, i, y, avail;
	bool follows;
	struct screen_rect in = { r.x + 1, r.y, r.w - 2, r.h };

	for (i = 0; i < PROBE_COUNT; i++)
		if (ctx->gauges_shown ? (ctx->gauges_shown >> i) & 1u : m->shown[i])
			ids[n++] = i;
	if (n == 0) {
		screen_put(s, in, in.x, in.y, "No gauges yet.", SCREEN_DIM);
		return;
	}
	/* The chain and frames gauges follow one object: a row says which. */
	follows = false;
	for (i = 0; i < n; i++)
		follows = follows || ids[i] == PROBE_CHAIN || ids[i] == PROBE_FRAMES;
	follows = follows && m->watch[0];
	avail = in.h - follows;
	/* Three rows each with a gap if they fit; else no gap; else no sparkline. */
	rows = n * 3 <= avail ? 3 : 2;
	gap = n * (rows + 1) - 1 <= avail ? 1 : 0;
	fit = (avail + gap) / (rows + gap);
	if (fit < n)
		fit = (avail - 1 + gap) / (rows + gap);   /* keep a row for "+N more" */
	for (i = 0, y = in.y; i < n && i < fit; i++, y += rows + gap) {
		if (follows && (ids[i] == PROBE_CHAIN || ids[i] == PROBE_FRAMES)) {
			char text[160];
			snprintf(text, sizeof text, "following %s:", m->watch);
			if (width_of(s, text) > in.w)
				snprintf(text, sizeof text, "of %s", m->watch);   /* the name matters most */
			screen_put(s, in, in.x, y++, text, SCREEN_DIM);
			follows = false;
		}
		draw_gauge(s, in, y, ids[i], m, rows == 3);
	}
	if (fit < n) {
		char more[48];

		snprintf(more, sizeof more, "+%d more (enlarge the terminal)", n - fit);
		screen_put(s, in, in.x, in.y + in.h - 1, more, SCREEN_DIM);
	}
}

const struct view_ops view_gauges = {
	.name = "gauges",
	.draw = gauges_draw,
};
