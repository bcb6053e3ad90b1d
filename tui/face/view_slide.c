/* view_slide.c — slides, the overview, the notes window and the keys, drawn
 * into an off-screen screen.
 *
 * A slide: its title in big letters when they fit (view_slide.h), the text
 * below, and on a live slide the demo's gauges, graph or output in a
 * column on the right. The last row is the footer: the demo's state or the
 * deck's title, a message, and the slide's number. */
#include "view_slide.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bigtext.h"
#include "mdrender.h"

#define MAX_TEXT 110      /* wider text is hard to follow on a wall */
#define PANEL_MIN 30
#define PANEL_MAX 90
#define BIG_LINES_H1 3    /* a title slide's title may take this many big lines */
#define BIG_SCREEN 40     /* rows from which titles are drawn twice as large */

struct slide_cache {
	bool valid;
	unsigned generation, figures_version;
	int slide, part, width;
	bool ascii;
	struct mdrender_doc doc;
};

struct slide_cache *slide_cache_new(void)
{
	return xcalloc(1, sizeof(struct slide_cache));
}

void slide_cache_free(struct slide_cache *c)
{
	if (c == NULL)
		return;
	mdrender_free(&c->doc);
	free(c);
}

/* The slide's text up to `part`, rendered at `width`, from the cache when
 * nothing it depends on has changed. */
static const struct mdrender_doc *rendered(struct slide_cache *c, const struct deck *d,
                                           unsigned generation, int slide, int part,
                                           const char *const *figures, unsigned fv, int width,
                                           bool ascii)
{
	char *text;

	if (c->valid && c->generation == generation && c->slide == slide && c->part == part &&
	    c->width == width && c->ascii == ascii && c->figures_version == fv)
		return &c->doc;
	mdrender_free(&c->doc);
	text = deck_slide_text(d, slide, part, figures);
	mdrender_parse(&c->doc, text, strlen(text), width, ascii);
	free(text);
	*c = (struct slide_cache){ .valid = true, .generation = generation, .slide = slide,
	                           .part = part, .width = width, .ascii = ascii,
	                           .figures_version = fv, .doc = c->doc };
	return &c->doc;
}

static int text_width(const struct screen *s, const char *t)
{
	return screen_text_width(t, strlen(t), s->ascii);
}

static void put_right(struct screen *s, struct screen_rect r, int y, const char *t,
                      enum screen_attr attr)
{
	screen_put(s, r, r.x + r.w - text_width(s, t), y, t, attr);
}

void slide_format_time(double seconds, char *buf, size_t size)
{
	long t = lround(fabs(seconds));

	if (t >= 3600)
		snprintf(buf, size, "%s%ld:%02ld:%02ld", seconds < 0 ? "-" : "", t / 3600,
		         t / 60 % 60, t % 60);
	else
		snprintf(buf, size, "%s%ld:%02ld", seconds < 0 ? "-" : "", t / 60, t % 60);
}

/* Lines of a rendered document from row y, at most until `bottom`; returns
 * the row after the last one drawn. A cut-off text says so in its last row. */
static int draw_lines(struct screen *s, struct screen_rect r, int y, int bottom,
                      const struct mdrender_doc *doc, bool center)
{
	int n = doc->nlines;

	while (n > 0 && doc->lines[n - 1].nspans == 0)
		n--;
	for (int i = 0; i < n; i++, y++) {
		const struct mdrender_line *l = &doc->lines[i];
		int x = r.x;

		if (center)
			x += (r.w - mdrender_line_width(l, s->ascii)) / 2;
		if (y >= bottom)
			break;
		if (y == bottom - 1 && i + 1 < n) {
			screen_put(s, r, r.x, y, "\u2193 more than the screen holds", SCREEN_DIM);
			return bottom;
		}
		for (int k = 0; k < l->nspans; k++)
			x = screen_put(s, r, x, y, l->spans[k].text, (enum screen_attr)l->spans[k].attr);
	}
	return y;
}

/* Rows a rendered document takes, trailing blank lines aside. */
static int doc_rows(const struct mdrender_doc *doc)
{
	int n = doc->nlines;

	while (n > 0 && doc->lines[n - 1].nspans == 0)
		n--;
	return n;
}

/* The title: in big letters when they fit in `max_big` lines, else as an
 * ordinary heading. Returns the rows it takes (drawn only when `draw`). */
static int draw_title(struct screen *s, struct screen_rect r, int y, const char *title,
                      int max_big, bool center, bool draw)
{
	char *lines[BIG_LINES_H1] = { 0 };
	int scale = s->h >= BIG_SCREEN ? 2 : 1, n = -1, bh, rows;

	/* As large as fits: twice the size on a big screen, if the lines allow. */
	for (; title[0] && max_big > 0 && scale >= 1 && n < 0; scale--)
		n = bigtext_wrap(title, r.w, scale, lines, max_big);
	scale++;
	bh = bigtext_height(s->ascii, scale);

	if (!title[0])
		return 0;
	if (n > 0) {
		for (int i = 0; i < n; i++) {
			int x = center ? r.x + (r.w - bigtext_width(lines[i], scale)) / 2 : r.x;
			if (draw)
				bigtext_draw(s, r, x, y + i * (bh + 1), lines[i], scale, SCREEN_HEADING);
			free(lines[i]);
		}
		return n * (bh + 1);
	}
	/* An ordinary heading, underlined so it reads without colour. */
	{
		int w = text_width(s, title), x = r.x;
		if (center && w < r.w) {
			x += (r.w - w) / 2;
			r.w -= x - r.x;
			r.x = x;
		}
		rows = screen_put_wrapped(s, r, y, title, 0, SCREEN_HEADING, draw) - y;
		if (draw)
			screen_hline(s, r, r.x, y + rows, w < r.w ? w : r.w, SCREEN_HEADING);
	}
	return rows + 2;
}

/* The column where the demo shows. */
static void draw_live(struct screen *s, struct screen_rect r, const struct slide_live *lv)
{
	const struct model *m = lv->model;
	/* The demo's own words and its checks; the room needs no lab notices. */
	struct view_ctx ctx = { .model = m, .place = VIEW_IN_LESSON,
	                        .gauges_shown = lv->block->gauges,
	                        .console_hide = 1u << CONSOLE_INFO | 1u << CONSOLE_STEP,
	                        .on_slide = true };
	int n = 0, need, gh, rest;
	unsigned shown = 0;

	if (lv->error) {
		screen_put_wrapped(s, r, r.y, lv->error, 2, SCREEN_ERROR, true);
		return;
	}
	for (int i = 0; i < PROBE_COUNT; i++)
		shown |= (lv->block->gauges ? (lv->block->gauges >> i) & 1u : m->shown[i]) << i;
	for (int i = 0; i < PROBE_COUNT; i++)
		n += (shown >> i) & 1u;
	/* Three rows and a gap each, and a row naming what chain and frames follow. */
	need = n * 4 - 1 + ((shown & (1u << PROBE_CHAIN | 1u << PROBE_FRAMES)) && m->watch[0]);
	/* The graph and the output need room too: the gauges give up their gaps,
	 * then their histories, before the rest disappears. */
	rest = lv->block->graph ? r.h / 2 : 4;
	gh = need < r.h - rest ? need : r.h - rest;
	if (gh < n * 2)
		gh = n * 2 < r.h ? n * 2 : r.h;
	lv->gauges->ops->draw(lv->gauges->data, s, (struct screen_rect){ r.x - 1, r.y, r.w + 2, gh },
	                      &ctx);
	rest = r.h - gh - 1;
	if (rest < 2)
		return;
	{
		struct screen_rect below = { r.x, r.y + gh + 1, r.w, rest };

		if (m->state == RUN_ASKING) {
			/* The scenario asks the room: the question, and its choices. */
			int y = screen_put_wrapped(s, below, below.y, m->ask_question, 2, SCREEN_STRONG, true);
			for (int i = 0; i < m->ask_n_choices; i++) {
				char line[300];
				snprintf(line, sizeof line, "%d  %s", i + 1, m->ask_choices[i]);
				y = screen_put_wrapped(s, below, y, line, 3, SCREEN_NORMAL, true);
			}
			return;
		}
		if (lv->block->graph)
			lv->graph->ops->draw(lv->graph->data, s, below, &ctx);
		else
			lv->console->ops->draw(lv->console->data, s, below, &ctx);
	}
}

static void draw_footer(struct screen *s, int y, const struct slide_frame *f)
{
	struct screen_rect r = { 0, y, s->w, 1 };
	char count[32];
	const char *left = f->status ? f->status : f->deck->title;
	int right_w, x;

	snprintf(count, sizeof count, " %d/%d ", f->slide + 1, f->deck->nslides);
	right_w = text_width(s, count);
	put_right(s, r, y, count, SCREEN_DIM);
	r.w -= right_w + 1;
	if (f->message && f->message[0]) {
		int mw = text_width(s, f->message) + 2;
		mw = mw < r.w ? mw : r.w;   /* the slide's number stays in sight */
		x = r.w - mw;
		screen_put(s, (struct screen_rect){ 0, y, x - 1 > 0 ? x - 1 : 0, 1 }, 1, y, left,
		           f->status ? SCREEN_STRONG : SCREEN_DIM);
		screen_fill(s, (struct screen_rect){ x, y, mw, 1 }, L' ', SCREEN_STATUS);
		screen_put(s, (struct screen_rect){ x, y, mw, 1 }, x + 1, y, f->message, SCREEN_STATUS);
		return;
	}
	screen_put(s, r, 1, y, left, f->status ? SCREEN_STRONG : SCREEN_DIM);
}

void slide_draw(struct slide_cache *c, struct screen *s, const struct slide_frame *f)
{
	const struct deck_slide *sl = &f->deck->slides[f->slide];
	int cw = s->w - 4 < MAX_TEXT ? s->w - 4 : MAX_TEXT;
	int x0 = (s->w - cw) / 2, top = s->h >= 30 ? 2 : 1, bottom = s->h - 2;
	bool live = f->live != NULL && f->part >= f->live->block->part, center;
	int panel = 0, tw, y, title_rows, body_rows, big = sl->title_level == 1 ? BIG_LINES_H1 : 1;
	struct screen_rect text;
	const struct mdrender_doc *doc;

	screen_clear(s);
	if (s->w < 20 || s->h < 6) {
		screen_put(s, screen_bounds(s), 0, 0, "The terminal is too small for slides.",
		           SCREEN_ERROR);
		return;
	}
	if (live && !f->live->graph_full) {
		/* A graph needs more room than gauges; a slide with no text gives
		 * the demo all of it. */
		panel = f->live->block->graph ? cw * 3 / 5 : cw * 2 / 5;
		panel = panel < PANEL_MIN ? PANEL_MIN : panel > PANEL_MAX ? PANEL_MAX : panel;
		if (panel > cw - 24)
			panel = cw - 24;
		if (f->deck->slides[f->slide].body[0] == '\0')
			panel = cw;
	}
	tw = panel == cw ? cw : panel ? cw - panel - 3 : cw;
	text = (struct screen_rect){ x0, top, tw, bottom - top };
	/* A title slide sits in the middle of the screen. */
	center = sl->title_level == 1 && f->live == NULL && f->countdown < 0;
	title_rows = draw_title(s, (struct screen_rect){ x0, top, cw, bottom - top }, top, sl->title,
	                        big, center, false);
	doc = rendered(c, f->deck, f->generation, f->slide, f->part, f->figures,
	               f->figures_version, tw, s->ascii);
	body_rows = doc_rows(doc);
	y = top;
	if (center && title_rows + body_rows < bottom - top)
		y = top + (bottom - top - title_rows - body_rows) / 2;
	draw_title(s, (struct screen_rect){ x0, top, cw, bottom - top }, y, sl->title, big, center,
	           true);
	y += title_rows;
	if (live && f->live->graph_full) {
		struct view_ctx ctx = { .model = f->live->model, .place = VIEW_IN_LESSON,
		                        .on_slide = true };
		f->live->graph->ops->draw(f->live->graph->data, s,
		                          (struct screen_rect){ x0, y, cw, bottom - y }, &ctx);
	} else {
		int end = draw_lines(s, text, y, bottom, doc, center);

		if (panel == cw) {
			draw_live(s, (struct screen_rect){ x0, y, cw, bottom - y }, f->live);
		} else if (panel) {
			struct screen_rect pr = { x0 + tw + 3, y, panel, bottom - y };
			screen_vline(s, screen_bounds(s), x0 + tw + 1, y, bottom - y, SCREEN_BORDER);
			draw_live(s, pr, f->live);
		}
		if (f->countdown >= 0) {
			/* A break: the time left, big, under the text. */
			char t[16];
			int scale = s->h >= BIG_SCREEN ? 2 : 1, w, bh = bigtext_height(s->ascii, scale);
			slide_format_time(f->countdown, t, sizeof t);
			w = bigtext_width(t, scale);
			if (end + 1 + bh <= bottom)
				bigtext_draw(s, screen_bounds(s), x0 + (cw - w) / 2, end + 1, t, scale,
				             SCREEN_STRONG);
		}
	}
	draw_footer(s, s->h - 1, f);
}

/* ---- the overview ----------------------------------------------------------- */

void slide_draw_overview(struct screen *s, const struct deck *d, int current, int selected,
                         const char *message)
{
	struct screen_rect all = screen_bounds(s), list = { 1, 2, s->w - 2, s->h - 3 };
	int first = selected - list.h / 2, numw;
	char head[160], num[16];

	screen_clear(s);
	snprintf(head, sizeof head, " %s: %d slides ", d->title[0] ? d->title : "Slides",
	         d->nslides);
	screen_fill(s, (struct screen_rect){ 0, 0, s->w, 1 }, L' ', SCREEN_TITLE);
	screen_put(s, all, 0, 0, head, SCREEN_TITLE);
	snprintf(num, sizeof num, "%d", d->nslides);
	numw = (int)strlen(num);
	first = first > d->nslides - list.h ? d->nslides - list.h : first;
	first = first < 0 ? 0 : first;
	for (int i = first; i < d->nslides && i - first < list.h; i++) {
		const struct deck_slide *sl = &d->slides[i];
		int y = list.y + i - first, x;
		enum screen_attr a = i == selected ? SCREEN_SELECTED : SCREEN_NORMAL;
		char tags[64], mins[16];

		if (i == selected)
			screen_fill(s, (struct screen_rect){ list.x, y, list.w, 1 }, L' ', a);
		screen_put(s, list, list.x, y, i == current ? "\u25b6" : " ", a);
		snprintf(num, sizeof num, "%*d", numw, i + 1);
		x = screen_put(s, list, list.x + 2, y, num, i == selected ? a : SCREEN_DIM);
		slide_format_time((sl->plan_end - sl->plan_start) * 60, mins, sizeof mins);
		snprintf(tags, sizeof tags, "%s%s%s %s", sl->live >= 0 ? "live " : "",
		         sl->nparts > 1 ? "parts " : "", sl->countdown ? "break " : "", mins);
		screen_put(s, (struct screen_rect){ x + 2, y, list.x + list.w - x - 3 -
		                                    text_width(s, tags), 1 },
		           x + 2, y, sl->title[0] ? sl->title : "(no title)",
		           i == selected ? a : sl->title[0] ? SCREEN_NORMAL : SCREEN_DIM);
		put_right(s, list, y, tags, i == selected ? a : SCREEN_DIM);
	}
	screen_fill(s, (struct screen_rect){ 0, s->h - 1, s->w, 1 }, L' ', SCREEN_STATUS);
	screen_put(s, all, 1, s->h - 1, message && message[0] ? message
	           : "\u2191\u2193 choose  enter open  a number and enter: that slide  esc back",
	           SCREEN_STATUS);
}

/* ---- the notes window ------------------------------------------------------- */

/* "3:00 ahead", "on time", "1:10 behind": where the talk is against the
 * plan for the slide on screen. */
static void plan_words(const struct deck_slide *sl, double elapsed, char *buf, size_t size)
{
	char t[16];

	if (elapsed < sl->plan_start * 60) {
		slide_format_time(sl->plan_start * 60 - elapsed, t, sizeof t);
		snprintf(buf, size, "%s ahead", t);
	} else if (elapsed > sl->plan_end * 60) {
		slide_format_time(elapsed - sl->plan_end * 60, t, sizeof t);
		snprintf(buf, size, "%s behind", t);
	} else {
		snprintf(buf, size, "on time");
	}
}

static void notes_header(struct screen *s, const struct notes_frame *f)
{
	const struct deck *d = f->deck;
	const struct deck_slide *sl = &d->slides[f->slide];
	char left[160], right[160], el[16], rem[16], plan[48];
	struct screen_rect r = { 0, 0, s->w, 1 };

	screen_fill(s, r, L' ', SCREEN_TITLE);
	snprintf(left, sizeof left, " slide %d/%d", f->slide + 1, d->nslides);
	if (sl->nparts > 1)
		snprintf(left + strlen(left), sizeof left - strlen(left), " \u00b7 part %d/%d",
		         f->part + 1, sl->nparts);
	screen_put(s, r, 0, 0, left, SCREEN_TITLE);
	slide_format_time(f->elapsed, el, sizeof el);
	plan_words(sl, f->elapsed, plan, sizeof plan);
	if (d->duration > 0) {
		double left_s = d->duration * 60 - f->elapsed;
		slide_format_time(left_s < 0 ? -left_s : left_s, rem, sizeof rem);
		snprintf(right, sizeof right, "%s elapsed \u00b7 %s %s of %.0f min \u00b7 %s ", el, rem,
		         left_s < 0 ? "over" : "left", d->duration, plan);
	} else {
		snprintf(right, sizeof right, "%s elapsed \u00b7 %s ", el, plan);
	}
	put_right(s, r, 0, right, SCREEN_TITLE);
}

/* A slide in small: its title, then its text, in r. */
static void notes_slide(struct slide_cache *c, struct screen *s, struct screen_rect r,
                        const struct notes_frame *f, int slide, int part, const char *label)
{
	const struct deck_slide *sl = &f->deck->slides[slide];
	const struct mdrender_doc *doc;
	char head[300];
	int y;

	snprintf(head, sizeof head, "%s: %s", label, sl->title[0] ? sl->title : "(no title)");
	y = screen_put_wrapped(s, r, r.y, head, 2, SCREEN_HEADING, true);
	if (sl->live >= 0)
		y = screen_put_wrapped(s, r, y, "(a live demo)", 0, SCREEN_DIM, true);
	doc = rendered(c, f->deck, f->generation, slide, part, f->figures, f->figures_version, r.w,
	               s->ascii);
	draw_lines(s, r, y + 1, r.y + r.h, doc, false);
}

void slide_draw_notes(struct slide_cache *now, struct slide_cache *next, struct screen *s,
                      const struct notes_frame *f)
{
	const struct deck *d = f->deck;
	const struct deck_slide *sl = &d->slides[f->slide];
	int half = s->w / 2, body = s->h - 2, now_h = body * 3 / 5;
	struct screen_rect left = { 1, 1, half - 2, now_h }, right = { half + 2, 1, s->w - half - 3,
	                                                              body };

	screen_clear(s);
	if (s->w < 40 || s->h < 10) {
		screen_put(s, screen_bounds(s), 0, 0, "Too small for the notes.", SCREEN_ERROR);
		return;
	}
	notes_header(s, f);
	/* The whole slide: what is still to come is what the speaker needs. */
	notes_slide(now, s, left, f, f->slide, sl->nparts - 1, "Now");
	screen_hline(s, screen_bounds(s), 0, 1 + now_h, half, SCREEN_BORDER);
	if (f->slide + 1 < d->nslides)
		notes_slide(next, s, (struct screen_rect){ 1, 2 + now_h, half - 2, body - now_h - 1 }, f,
		            f->slide + 1, 0, "Next");
	else
		screen_put(s, screen_bounds(s), 1, 2 + now_h, "Next: the end of the deck", SCREEN_DIM);
	screen_vline(s, screen_bounds(s), half, 1, body, SCREEN_BORDER);
	screen_put(s, right, right.x, right.y, "Notes", SCREEN_HEADING);
	if (sl->notes[0]) {
		/* Each line of the notes a paragraph of its own. */
		int y = right.y + 2;
		const char *p = sl->notes;
		while (*p && y < right.y + right.h) {
			size_t n = strcspn(p, "\n");
			char *line = xstrndup(p, n);
			y = screen_put_wrapped(s, right, y, line, 0, SCREEN_NORMAL, true);
			free(line);
			p += n + (p[n] == '\n');
		}
	} else {
		screen_put(s, right, right.x, right.y + 2, "(no notes for this slide)", SCREEN_DIM);
	}
	screen_fill(s, (struct screen_rect){ 0, s->h - 1, s->w, 1 }, L' ', SCREEN_STATUS);
	screen_put(s, screen_bounds(s), 1, s->h - 1,
	           !f->connected ? "Waiting for the slides: run exclab present DECK in another terminal"
	           : f->status && f->status[0] ? f->status
	           : "keys here drive the slides too \u00b7 T resets the timer \u00b7 q closes the notes",
	           f->connected ? SCREEN_STATUS : SCREEN_ERROR);
}

/* ---- keys ------------------------------------------------------------------- */

static const char *const main_keys[][2] = {
	{ "space \u2192 n PgDn", "next: part, the demo's step, or slide" },
	{ "\u2190 p PgUp", "back a part, or the previous slide" },
	{ "Home End", "the first or the last slide" },
	{ "12, enter", "slide 12" },
	{ "o, tab", "the overview: every slide" },
	{ "s, Ctrl-C", "stop the demo's step" },
	{ "r", "run the demo again, in a fresh lab" },
	{ "t, 3, enter", "the demo at step 3 (the steps before run again)" },
	{ "g", "the demo's object graph on the whole slide, and back" },
	{ "  in it", "\u2190\u2191\u2192\u2193 choose, c the cycle, enter why, esc back" },
	{ "esc", "skip the demo's question" },
	{ "T", "the timer back to 0:00" },
	{ "L", "light or dark" },
	{ "q", "quit" },
};

void slide_draw_help(struct screen *s, bool notes)
{
	int n = (int)(sizeof main_keys / sizeof main_keys[0]);
	struct screen_rect box = { 0, 0, s->w < 76 ? s->w : 76, s->h < n + 5 ? s->h : n + 5 };

	box.x = (s->w - box.w) / 2;
	box.y = (s->h - box.h) / 2;
	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, notes ? "Keys (they drive both windows)" : "Keys", SCREEN_BORDER);
	box = screen_inset(box, 1);
	for (int i = 0; i < n; i++) {
		screen_put(s, box, box.x + 1, box.y + i, main_keys[i][0], SCREEN_KEY);
		screen_put(s, box, box.x + 20, box.y + i, main_keys[i][1], SCREEN_NORMAL);
	}
	screen_put(s, box, box.x + 1, box.y + box.h - 1,
	           notes ? "q closes this window only. Any key closes this help."
	                 : "Any key closes this help.", SCREEN_DIM);
}
