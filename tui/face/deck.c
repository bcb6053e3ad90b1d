/* deck.c — cut a deck into slides, line by line.
 *
 * One pass over the lines: fenced code is copied untouched (a "---" or a
 * comment inside it is code), an exclab fence becomes the slide's live
 * block, comment lines are read as directives, and figures are found in
 * what is left. Every error names the line it is on, and the first one
 * stops the parse: a deck is either read whole or not at all. */
#include "deck.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "screen.h"

#define FIG_OPEN '\x01'
#define FIG_CLOSE '\x02'

/* A growing byte buffer. */
struct buf {
	char *s;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->s = xrealloc(b->s, b->cap);
	}
	memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

static char *buf_take(struct buf *b)
{
	char *s = b->s ? b->s : xstrdup("");

	*b = (struct buf){ 0 };
	return s;
}

struct parser {
	struct deck *d;
	const char *path;
	struct error *err;
	bool failed;
	int line;                 /* 1-based, of the line being read */
	/* the slide being built */
	struct deck_slide cur;
	struct buf body, notes;
	size_t parts[64];         /* body length at each pause */
	int nparts;
	bool any;                 /* it has a title, text, a live block or notes */
	int slides_cap, lives_cap, figures_cap;
	bool prev_text;           /* the line before was paragraph text ("---" under it is a heading) */
};

static void fail(struct parser *p, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void fail(struct parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char msg[sizeof p->err->msg];

	if (p->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	error_set(p->err, p->path, line, "%s", msg);
	p->failed = true;
}

/* ---- small readers ------------------------------------------------------- */

/* The first "-->" in [s, end), or NULL. */
static const char *comment_end(const char *s, const char *end)
{
	for (; end - s >= 3; s++)
		if (s[0] == '-' && s[1] == '-' && s[2] == '>')
			return s;
	return NULL;
}

static const char *skip_space(const char *s, const char *end)
{
	while (s < end && (*s == ' ' || *s == '\t'))
		s++;
	return s;
}

static const char *trim_end(const char *s, const char *end)
{
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		end--;
	return end;
}

static bool blank(const char *s, const char *end)
{
	return skip_space(s, end) == trim_end(s, end);
}

/* The line [s, end) is `word` alone, spaces around it allowed. */
static bool line_is(const char *s, const char *end, const char *word)
{
	s = skip_space(s, end);
	end = trim_end(s, end);
	return (size_t)(end - s) == strlen(word) && memcmp(s, word, (size_t)(end - s)) == 0;
}

/* A thematic break: three or more of one of - * _, spaces between allowed. */
static bool thematic_break(const char *s, const char *end, char *which)
{
	const char *t = s;
	int n = 0;
	char c = 0;

	while (t < end && *t == ' ' && t - s < 3)
		t++;
	for (; t < end; t++) {
		if (*t == ' ' || *t == '\t' || *t == '\r')
			continue;
		if (c == 0 && (*t == '-' || *t == '*' || *t == '_'))
			c = *t;
		if (*t != c)
			return false;
		n++;
	}
	*which = c;
	return n >= 3;
}

/* An opening code fence: its character and length, and its info string. */
static bool fence_open(const char *s, const char *end, char *ch, int *n, const char **info)
{
	const char *t = s;
	int k = 0;

	while (t < end && *t == ' ' && t - s < 3)
		t++;
	if (t >= end || (*t != '`' && *t != '~'))
		return false;
	*ch = *t;
	while (t < end && *t == *ch) {
		t++;
		k++;
	}
	if (k < 3 || (*ch == '`' && memchr(t, '`', (size_t)(end - t))))
		return false;
	*n = k;
	*info = skip_space(t, end);
	return true;
}

static bool fence_close(const char *s, const char *end, char ch, int n)
{
	const char *t = s;
	int k = 0;

	while (t < end && *t == ' ' && t - s < 3)
		t++;
	while (t < end && *t == ch) {
		t++;
		k++;
	}
	return k >= n && blank(t, end);
}

/* The first word of an info string is `word`. */
static bool info_is(const char *info, const char *end, const char *word)
{
	size_t n = strlen(word);

	return (size_t)(end - info) >= n && memcmp(info, word, n) == 0 &&
	       ((size_t)(end - info) == n || isspace((unsigned char)info[n]));
}

/* An ATX heading of level 1 or 2: its level and text. */
static int heading(const char *s, const char *end, const char **text, const char **text_end)
{
	const char *t = s;
	int level = 0;

	while (t < end && *t == ' ' && t - s < 3)
		t++;
	while (t < end && *t == '#')
		t++, level++;
	if (level < 1 || level > 2 || (t < end && *t != ' ' && *t != '\t'))
		return 0;
	t = skip_space(t, end);
	end = trim_end(t, end);
	/* A closing run of #s goes (when a space comes before it). */
	const char *c = end;
	while (c > t && c[-1] == '#')
		c--;
	if (c < end && (c == t || c[-1] == ' '))
		end = trim_end(t, c);
	*text = t;
	*text_end = end;
	return level;
}

/* 0, or the 1-based line of the first NUL byte or invalid UTF-8. */
static int bad_text_line(const char *text, size_t len, bool *nul)
{
	int line = 1;

	for (size_t i = 0; i < len;) {
		wchar_t ch;
		size_t n;

		if (text[i] == '\0') {
			*nul = true;
			return line;
		}
		n = screen_utf8_decode(text + i, len - i, &ch);
		if (ch == 0xFFFD && n == 1)
			return line;
		line += text[i] == '\n';
		i += n;
	}
	return 0;
}

/* ---- front matter --------------------------------------------------------- */

static bool parse_number(const char *s, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *skip_space(end, end + strlen(end)) != '\0' || !isfinite(v) || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static void front_key(struct parser *p, const char *key, const char *value)
{
	struct deck *d = p->d;

	if (strcmp(key, "title") == 0) {
		free(d->title);
		d->title = xstrdup(value);
	} else if (strcmp(key, "author") == 0) {
		free(d->author);
		d->author = xstrdup(value);
	} else if (strcmp(key, "date") == 0) {
		free(d->date);
		d->date = xstrdup(value);
	} else if (strcmp(key, "duration") == 0) {
		if (!parse_number(value, 1, 24 * 60, &d->duration))
			fail(p, p->line, "duration: \"%s\" is not a number of minutes (1 to 1440)", value);
	} else if (strcmp(key, "theme") == 0) {
		d->theme_given = true;
		if (strcmp(value, "dark") == 0)
			d->theme = DECK_THEME_DARK;
		else if (strcmp(value, "light") == 0)
			d->theme = DECK_THEME_LIGHT;
		else
			fail(p, p->line, "theme: \"%s\" is not a theme (dark or light)", value);
	} else if (strcmp(key, "pace") == 0) {
		if (!parse_number(value, 0, 1000, &d->pace))
			fail(p, p->line, "pace: \"%s\" is not a number of calls a second (0 to 1000)", value);
	} else {
		fail(p, p->line, "unknown front matter key \"%s\" (title, author, date, duration, "
		     "theme, pace)", key);
	}
}

/* "key: value" into key and value (trimmed, quotes around value taken off). */
static bool key_value(const char *s, const char *end, char *key, size_t ksize, char *value,
                      size_t vsize)
{
	const char *colon, *v;
	size_t n;

	s = skip_space(s, end);
	end = trim_end(s, end);
	colon = memchr(s, ':', (size_t)(end - s));
	if (colon == NULL || colon == s)
		return false;
	for (const char *k = s; k < colon; k++)
		if (!isalnum((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	n = (size_t)(colon - s);
	snprintf(key, ksize, "%.*s", (int)n, s);
	v = skip_space(colon + 1, end);
	if (end - v >= 2 && (*v == '"' || *v == '\'') && end[-1] == *v) {
		v++;
		end--;
	}
	snprintf(value, vsize, "%.*s", (int)(end - v), v);
	return true;
}

/* ---- slides ---------------------------------------------------------------- */

static void end_slide(struct parser *p)
{
	struct deck *d = p->d;
	struct deck_slide *s = &p->cur;

	/* Trailing blank lines show as nothing. */
	while (p->body.len > 0 && (p->body.s[p->body.len - 1] == '\n' ||
	                           p->body.s[p->body.len - 1] == ' '))
		p->body.len--;
	if (p->body.s)
		p->body.s[p->body.len] = '\0';
	/* And leading blank lines too (the parts move with the text). */
	while (p->body.len > 0) {
		const char *nl = memchr(p->body.s, '\n', p->body.len);
		size_t n;
		if (nl == NULL || !blank(p->body.s, nl))
			break;
		n = (size_t)(nl - p->body.s) + 1;
		memmove(p->body.s, p->body.s + n, p->body.len - n + 1);
		p->body.len -= n;
		for (int i = 0; i < p->nparts; i++)
			p->parts[i] = p->parts[i] > n ? p->parts[i] - n : 0;
	}
	if (p->any && !p->failed) {
		if (d->nslides == p->slides_cap) {
			p->slides_cap = p->slides_cap * 2 + 16;
			d->slides = xrealloc(d->slides, (size_t)p->slides_cap * sizeof *d->slides);
		}
		s->body = buf_take(&p->body);
		s->notes = buf_take(&p->notes);
		if (s->title == NULL)
			s->title = xstrdup("");
		s->nparts = p->nparts + 1;
		s->part_end = xcalloc((size_t)s->nparts, sizeof *s->part_end);
		for (int i = 0; i < p->nparts; i++)
			s->part_end[i] = p->parts[i] < strlen(s->body) ? p->parts[i] : strlen(s->body);
		s->part_end[p->nparts] = strlen(s->body);
		d->slides[d->nslides++] = *s;
	} else {
		free(s->title);
		free(buf_take(&p->body));
		free(buf_take(&p->notes));
	}
	p->cur = (struct deck_slide){ .live = -1 };
	p->nparts = 0;
	p->any = false;
	p->prev_text = false;
}

/* A comment line (or lines) that may be a directive. */
static void directive(struct parser *p, int line, const char *text)
{
	double v;

	if (strcmp(text, "pause") == 0) {
		if (p->nparts == (int)(sizeof p->parts / sizeof p->parts[0]))
			fail(p, line, "more than %d pauses on one slide",
			     (int)(sizeof p->parts / sizeof p->parts[0]));
		else
			p->parts[p->nparts++] = p->body.len;
	} else if (strncmp(text, "speaker_note:", 13) == 0) {
		const char *n = text + 13;
		n = skip_space(n, n + strlen(n));
		if (p->notes.len)
			buf_add(&p->notes, "\n", 1);
		buf_add(&p->notes, n, strlen(n));
		p->any = true;
	} else if (strncmp(text, "minutes:", 8) == 0) {
		if (!parse_number(skip_space(text + 8, text + strlen(text)), 0.1, 24 * 60, &v))
			fail(p, line, "minutes: \"%s\" is not a number of minutes", text + 8);
		p->cur.minutes = v;
	} else if (strcmp(text, "countdown") == 0) {
		p->cur.countdown = true;
	}
	/* Any other comment is the author's own: shown as nothing. */
}

/* ---- live blocks ----------------------------------------------------------- */

static bool parse_steps(const char *v, int *first, int *last)
{
	char *end;
	long a = strtol(v, &end, 10), b = a;

	if (end == v || a < 1)
		return false;
	end = (char *)skip_space(end, end + strlen(end));
	if (*end == '-') {
		const char *s = skip_space(end + 1, end + strlen(end));
		b = strtol(s, &end, 10);
		if (end == s)
			return false;
	}
	if (*skip_space(end, end + strlen(end)) != '\0' || b < a || b > 100000)
		return false;
	*first = (int)a;
	*last = (int)b;
	return true;
}

static bool parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "yes") || !strcmp(v, "true")) {
		*out = true;
		return true;
	}
	if (!strcmp(v, "off") || !strcmp(v, "no") || !strcmp(v, "false")) {
		*out = false;
		return true;
	}
	return false;
}

static bool parse_gauges(const char *v, unsigned *out)
{
	char copy[512], *save = NULL;

	snprintf(copy, sizeof copy, "%s", v);
	*out = 0;
	for (char *w = strtok_r(copy, ", ", &save); w; w = strtok_r(NULL, ", ", &save)) {
		int id = probe_find(w);
		if (id < 0)
			return false;
		*out |= 1u << id;
	}
	return *out != 0;
}

static bool valid_id(const char *v)
{
	if (!*v)
		return false;
	for (; *v; v++)
		if (!isalnum((unsigned char)*v) && *v != '_' && *v != '-')
			return false;
	return true;
}

/* One option line of a live block. */
static void live_option(struct parser *p, struct deck_live *l, int line, const char *key,
                        const char *value)
{
	if (strcmp(key, "scenario") == 0) {
		free(l->scenario);
		l->scenario = value[0] ? util_join(p->d->dir, value) : NULL;
		if (!value[0])
			fail(p, line, "scenario: names no file");
	} else if (strcmp(key, "steps") == 0) {
		if (!parse_steps(value, &l->first_step, &l->last_step))
			fail(p, line, "steps: \"%s\" is not a step or a range of steps (3, or 1-4)", value);
	} else if (strcmp(key, "pace") == 0) {
		if (!parse_number(value, 0, 1000, &l->pace))
			fail(p, line, "pace: \"%s\" is not a number of calls a second (0 to 1000)", value);
	} else if (strcmp(key, "gauges") == 0) {
		if (!parse_gauges(value, &l->gauges))
			fail(p, line, "gauges: \"%s\" names a gauge exclab does not have (heap, rss, "
			     "chain, frames, gc0, gc_runs)", value);
	} else if (strcmp(key, "graph") == 0) {
		if (!parse_bool(value, &l->graph))
			fail(p, line, "graph: \"%s\" is neither on nor off", value);
	} else if (strcmp(key, "id") == 0) {
		free(l->id);
		l->id = xstrdup(value);
		if (!valid_id(value))
			fail(p, line, "id: \"%s\" is not a name (letters, digits, _ and -)", value);
	} else {
		fail(p, line, "unknown live block option \"%s\" (scenario, steps, pace, gauges, "
		     "graph, id)", key);
	}
}

/* The lines of an exclab block, [first, end) of the text: options, then
 * after a blank line the inline scenario, if any. */
static void live_block(struct parser *p, int open_line, const char *first, const char *end)
{
	struct deck *d = p->d;
	struct deck_live l = { .line = open_line, .slide = d->nslides, .first_step = 1,
	                       .pace = -1 };
	const char *s = first;
	int line = open_line + 1;
	bool options = true;
	struct buf lua = { 0 };
	int lua_line = 0;

	while (s < end && !p->failed) {
		const char *e = memchr(s, '\n', (size_t)(end - s));
		char key[64], value[512];

		e = e ? e : end;
		if (options && blank(s, e)) {
			options = false;
		} else if (options && *skip_space(s, e) == '#') {
			/* a comment among the options */
		} else if (options && key_value(s, e, key, sizeof key, value, sizeof value)) {
			live_option(p, &l, line, key, value);
		} else if (options) {
			fail(p, line, "not an option of the live block (key: value), nor a blank line "
			     "before an inline scenario");
		} else if (lua_line || !blank(s, e)) {
			if (!lua_line)
				lua_line = line;
			buf_add(&lua, s, (size_t)(e - s));
			buf_add(&lua, "\n", 1);
		}
		s = e + (e < end);
		line++;
	}
	if (!p->failed && p->cur.live >= 0)
		fail(p, open_line, "a second live block on this slide (one each; the first is at "
		     "line %d)", d->lives[p->cur.live].line);
	if (!p->failed && l.scenario && lua_line)
		fail(p, lua_line, "the live block names a scenario file and holds an inline one too");
	if (!p->failed && !l.scenario && !lua_line)
		fail(p, open_line, "the live block names no scenario (scenario: FILE) and holds none "
		     "inline (after a blank line)");
	if (p->failed) {
		free(lua.s);
		free(l.scenario);
		free(l.id);
		return;
	}
	if (lua_line) {
		/* Padded so that Lua's line numbers are the deck's. */
		struct buf padded = { 0 };
		for (int i = 1; i < lua_line; i++)
			buf_add(&padded, "\n", 1);
		buf_add(&padded, lua.s, lua.len);
		l.source = buf_take(&padded);
		free(lua.s);
	}
	if (l.pace < 0)
		l.pace = d->pace;
	l.part = p->nparts;
	if (d->nlives == p->lives_cap) {
		p->lives_cap = p->lives_cap * 2 + 8;
		d->lives = xrealloc(d->lives, (size_t)p->lives_cap * sizeof *d->lives);
	}
	p->cur.live = d->nlives;
	d->lives[d->nlives++] = l;
	p->any = true;
}

/* ---- figures ---------------------------------------------------------------- */

static bool parse_fig_spec(const char *spec, struct deck_figure *f, char *id, size_t idsize)
{
	const char *s = spec, *at = strchr(spec, '@'), *dot;
	char kind[32];
	char *end;
	long step;

	id[0] = '\0';
	if (at == NULL)
		return false;
	dot = memchr(s, '.', (size_t)(at - s));
	if (dot) {
		snprintf(id, idsize, "%.*s", (int)(dot - s), s);
		s = dot + 1;
	}
	f->kind = DECK_FIG_PROBE;
	if (*s == '+') {
		f->kind = DECK_FIG_GROWTH;
		s++;
	}
	snprintf(kind, sizeof kind, "%.*s", (int)(at - s), s);
	step = strtol(at + 1, &end, 10);
	if (end == at + 1 || *end != '\0' || step < 1 || step > 100000)
		return false;
	f->step = (int)step;
	f->probe = probe_find(kind);
	if (f->probe >= 0)
		return true;
	if (f->kind == DECK_FIG_GROWTH)
		return false;
	if (strcmp(kind, "nodes") == 0)
		f->kind = DECK_FIG_NODES;
	else if (strcmp(kind, "cycles") == 0)
		f->kind = DECK_FIG_CYCLES;
	else
		return false;
	return true;
}

static bool unit_at(const char *s, const char *end, size_t *n)
{
	static const char *const units[] = { "KB", "MB", "GB", "TB", "B" };

	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		size_t k = strlen(units[i]);
		if ((size_t)(end - s) >= k && memcmp(end - k, units[i], k) == 0) {
			*n = k;
			return true;
		}
	}
	return false;
}

/* Where the written figure before `end` begins (the line starts at
 * `start`), or NULL when no number is there; *fig_end: where it ends, before
 * any emphasis or code span that closes around it ("**400**"). */
static const char *figure_start(const char *start, const char *end, const char **fig_end)
{
	const char *t = end, *num_end;
	size_t u;

	while (t > start && t[-1] == ' ')
		t--;
	while (t > start && (t[-1] == '*' || t[-1] == '_' || t[-1] == '`'))
		t--;
	*fig_end = t;
	if (unit_at(start, t, &u) && (t - (ptrdiff_t)u == start ||
	                              !isalpha((unsigned char)t[-(ptrdiff_t)u - 1]))) {
		t -= u;
		if (t > start && t[-1] == ' ')
			t--;
	}
	num_end = t;
	while (t > start && (isdigit((unsigned char)t[-1]) || t[-1] == '.' || t[-1] == ','))
		t--;
	if (t == num_end || !isdigit((unsigned char)num_end[-1]) || !isdigit((unsigned char)*t))
		return NULL;
	if (t > start && (t[-1] == '+' || t[-1] == '-'))
		t--;
	if (t > start && t[-1] == '~')
		t--;
	if (t > start && (isalnum((unsigned char)t[-1]) || t[-1] == '_'))
		return NULL;
	return t;
}

static void add_figure(struct parser *p, struct deck_figure *f)
{
	struct deck *d = p->d;

	if (d->nfigures == p->figures_cap) {
		p->figures_cap = p->figures_cap * 2 + 16;
		d->figures = xrealloc(d->figures, (size_t)p->figures_cap * sizeof *d->figures);
	}
	d->figures[d->nfigures++] = *f;
}

/* A text line into the body, each "N<!-- fig: spec -->" as a marker; the
 * live block it quotes is found once the whole deck is read. */
static void text_line(struct parser *p, const char *s, const char *end)
{
	const char *from = s;

	for (;;) {
		const char *c = s, *close, *spec, *spec_end, *w, *w_end;
		char specbuf[128], id[64], marker[24];
		struct deck_figure f = { .line = p->line, .slide = p->d->nslides, .live = -1 };

		while ((c = memchr(c, '<', (size_t)(end - c))) != NULL &&
		       !((size_t)(end - c) >= 4 && memcmp(c, "<!--", 4) == 0))
			c++;
		if (c == NULL)
			break;
		close = comment_end(c + 4, end);
		if (close == NULL)
			break;
		spec = skip_space(c + 4, close);
		spec_end = trim_end(spec, close);
		s = close + 3;
		if ((size_t)(spec_end - spec) < 4 || memcmp(spec, "fig:", 4) != 0)
			continue;   /* an ordinary comment */
		spec = skip_space(spec + 4, spec_end);
		snprintf(specbuf, sizeof specbuf, "%.*s", (int)(spec_end - spec), spec);
		if (!parse_fig_spec(specbuf, &f, id, sizeof id)) {
			fail(p, p->line, "figure \"%s\": not GAUGE@STEP, +GAUGE@STEP (growth), "
			     "nodes@STEP or cycles@STEP, with gauges heap, rss, chain, frames, gc0, gc_runs",
			     specbuf);
			return;
		}
		w = figure_start(from, c, &w_end);
		if (w == NULL) {
			fail(p, p->line, "figure \"%s\" follows no number: write the figure before it, "
			     "as in 400<!-- fig: %s -->", specbuf, specbuf);
			return;
		}
		f.written = xstrndup(w, (size_t)(w_end - w));
		f.spec = xstrdup(specbuf);
		buf_add(&p->body, from, (size_t)(w - from));
		snprintf(marker, sizeof marker, "%c%d%c", FIG_OPEN, p->d->nfigures, FIG_CLOSE);
		buf_add(&p->body, marker, strlen(marker));
		buf_add(&p->body, w_end, (size_t)(trim_end(w_end, c) - w_end));
		add_figure(p, &f);
		from = s;
	}
	buf_add(&p->body, from, (size_t)(end - from));
}

/* Each figure to its live block, and what it quotes checked against it. */
static void resolve_figures(struct parser *p)
{
	struct deck *d = p->d;

	for (int i = 0; i < d->nfigures && !p->failed; i++) {
		struct deck_figure *f = &d->figures[i];
		const char *dot = strchr(f->spec, '.'), *at = strchr(f->spec, '@');
		struct deck_live *l;

		if (dot && dot < at) {
			for (int k = 0; k < d->nlives; k++)
				if (d->lives[k].id && strlen(d->lives[k].id) == (size_t)(dot - f->spec) &&
				    memcmp(d->lives[k].id, f->spec, (size_t)(dot - f->spec)) == 0)
					f->live = k;
			if (f->live < 0) {
				fail(p, f->line, "figure \"%s\": no live block has the id \"%.*s\"", f->spec,
				     (int)(dot - f->spec), f->spec);
				return;
			}
		} else {
			f->live = d->slides[f->slide].live;
			for (int k = d->nlives - 1; f->live < 0 && k >= 0; k--)
				if (d->lives[k].slide < f->slide)
					f->live = k;
			if (f->live < 0) {
				fail(p, f->line, "figure \"%s\" has no live block to quote: none on its "
				     "slide or before it", f->spec);
				return;
			}
		}
		l = &d->lives[f->live];
		if (l->last_step && f->step > l->last_step)
			fail(p, f->line, "figure \"%s\" quotes step %d, but the live block at line %d "
			     "runs steps %d-%d", f->spec, f->step, l->line, l->first_step, l->last_step);
		if ((f->kind == DECK_FIG_NODES || f->kind == DECK_FIG_CYCLES) && !l->graph)
			fail(p, f->line, "figure \"%s\" quotes the graph, but the live block at line %d "
			     "shows none (graph: on)", f->spec, l->line);
	}
}

/* Minutes for each slide: its own, or an even share of what the deck's
 * duration leaves (one minute each when the deck gives none). */
static void plan(struct deck *d)
{
	double fixed = 0, share, at = 0;
	int rest = 0;

	for (int i = 0; i < d->nslides; i++) {
		fixed += d->slides[i].minutes;
		rest += d->slides[i].minutes == 0;
	}
	share = d->duration > 0 && rest ? fmax(0, d->duration - fixed) / rest : 1;
	for (int i = 0; i < d->nslides; i++) {
		struct deck_slide *s = &d->slides[i];
		s->plan_start = at;
		at += s->minutes > 0 ? s->minutes : share;
		s->plan_end = at;
	}
}

/* ---- the pass ------------------------------------------------------------- */

/* A line that opens a comment and holds nothing after it: the comment may
 * go on over the lines that follow. */
static bool comment_line(const char *s, const char *end)
{
	const char *t = skip_space(s, end), *close;

	if ((size_t)(end - t) < 4 || memcmp(t, "<!--", 4) != 0)
		return false;
	close = comment_end(t + 4, end);
	return close == NULL || close + 3 == trim_end(t, end);
}

/* The front matter, if the text starts with one; returns where the slides begin. */
static const char *front_matter(struct parser *p, const char *text, const char *end)
{
	const char *s = text, *e = memchr(s, '\n', (size_t)(end - s));

	if (e == NULL || !line_is(s, e, "---"))
		return text;
	p->line = 1;
	for (s = e + 1; s < end; s = e + 1) {
		char key[64], value[512];

		e = memchr(s, '\n', (size_t)(end - s));
		e = e ? e : end;
		p->line++;
		if (line_is(s, e, "---") || line_is(s, e, "..."))
			return e < end ? e + 1 : end;
		if (blank(s, e) || *skip_space(s, e) == '#')
			continue;
		if (!key_value(s, e, key, sizeof key, value, sizeof value)) {
			fail(p, p->line, "not \"key: value\" in the front matter");
			return end;
		}
		front_key(p, key, value);
		if (p->failed)
			return end;
	}
	fail(p, 1, "the front matter that starts here never ends (a line \"---\" closes it)");
	return end;
}

int deck_parse(struct deck *d, const char *path, const char *text, size_t len,
               struct error *err)
{
	struct parser p = { .d = d, .path = path, .err = err, .cur = { .live = -1 } };
	const char *end = text + len, *s;
	bool nul = false;
	int bad;

	memset(d, 0, sizeof *d);
	d->path = xstrdup(path);
	d->dir = util_dirname(path);
	d->title = xstrdup("");
	d->author = xstrdup("");
	d->date = xstrdup("");
	bad = bad_text_line(text, len, &nul);
	if (bad > 0) {
		fail(&p, bad, nul ? "a NUL byte: this is not a Markdown text file"
		                  : "not UTF-8 text: decks are written in UTF-8");
		goto out;
	}
	s = front_matter(&p, text, end);
	while (s < end && !p.failed) {
		const char *e = memchr(s, '\n', (size_t)(end - s)), *info, *ht, *hte;
		char fch, brk;
		int fn, level;

		e = e ? e : end;
		p.line++;
		if (fence_open(s, e, &fch, &fn, &info)) {
			/* Up to the closing fence (or the end of the deck, as CommonMark says). */
			const char *b = e + (e < end), *c = b, *ce = b;
			int open_line = p.line;
			bool exclab = info_is(info, trim_end(info, e), "exclab");

			while (c < end) {
				ce = memchr(c, '\n', (size_t)(end - c));
				ce = ce ? ce : end;
				p.line++;
				if (fence_close(c, ce, fch, fn))
					break;
				c = ce + (ce < end);
				ce = c;
			}
			if (exclab) {
				live_block(&p, open_line, b, c);
			} else {
				buf_add(&p.body, s, (size_t)(ce - s));
				buf_add(&p.body, "\n", 1);
				p.any = true;
			}
			s = ce + (ce < end);
			p.prev_text = false;
			continue;
		}
		if (line_is(s, e, "<!-- end_slide -->")) {
			end_slide(&p);
		} else if (thematic_break(s, e, &brk) && (brk != '-' || !p.prev_text)) {
			/* Under a line of text, "---" underlines a heading instead. */
			end_slide(&p);
		} else if (comment_line(s, e)) {
			/* A comment on lines of its own: a directive, or the author's. */
			const char *open = skip_space(s, e) + 4;
			const char *close = comment_end(open, end);
			int first = p.line;
			char *t;

			if (close == NULL) {
				fail(&p, first, "a comment that never ends (no \"-->\")");
				break;
			}
			for (const char *k = s; k < close; k++)
				p.line += *k == '\n';
			e = memchr(close, '\n', (size_t)(end - close));
			e = e ? e : end;
			while (open < close && isspace((unsigned char)*open))
				open++;
			while (close > open && isspace((unsigned char)close[-1]))
				close--;
			t = xstrndup(open, (size_t)(close - open));
			directive(&p, first, t);
			free(t);
			p.prev_text = false;
		} else if (p.cur.title == NULL && (level = heading(s, e, &ht, &hte)) > 0) {
			p.cur.title = xstrndup(ht, (size_t)(hte - ht));
			p.cur.title_level = level;
			p.cur.line = p.cur.line ? p.cur.line : p.line;
			p.any = true;
			p.prev_text = false;
		} else {
			if (!blank(s, e)) {
				p.any = true;
				if (!p.cur.line)
					p.cur.line = p.line;
			}
			text_line(&p, s, e);
			buf_add(&p.body, "\n", 1);
			p.prev_text = !blank(s, e) && heading(s, e, &ht, &hte) == 0 &&
			              *skip_space(s, e) != '#';
		}
		if (!p.cur.line && p.any)
			p.cur.line = p.line;
		s = e + (e < end);
	}
	end_slide(&p);
	if (!p.failed && d->nslides == 0)
		fail(&p, 0, "no slides: the deck has no text");
	if (!p.failed)
		resolve_figures(&p);
	if (!p.failed) {
		if (!d->title[0]) {
			free(d->title);
			d->title = xstrdup(d->slides[0].title);
		}
		plan(d);
	}
out:
	if (p.failed) {
		free(p.cur.title);
		free(p.body.s);
		free(p.notes.s);
		deck_free(d);
		return -1;
	}
	return 0;
}

int deck_load(struct deck *d, const char *path, struct error *err)
{
	size_t len;
	char *text = util_read_file(path, &len, err);
	int rc;

	memset(d, 0, sizeof *d);
	if (text == NULL)
		return -1;
	rc = deck_parse(d, path, text, len, err);
	free(text);
	return rc;
}

void deck_free(struct deck *d)
{
	for (int i = 0; i < d->nslides; i++) {
		free(d->slides[i].title);
		free(d->slides[i].body);
		free(d->slides[i].part_end);
		free(d->slides[i].notes);
	}
	for (int i = 0; i < d->nlives; i++) {
		free(d->lives[i].id);
		free(d->lives[i].scenario);
		free(d->lives[i].source);
	}
	for (int i = 0; i < d->nfigures; i++) {
		free(d->figures[i].written);
		free(d->figures[i].spec);
	}
	free(d->slides);
	free(d->lives);
	free(d->figures);
	free(d->path);
	free(d->dir);
	free(d->title);
	free(d->author);
	free(d->date);
	memset(d, 0, sizeof *d);
}

char *deck_slide_text(const struct deck *d, int slide, int part, const char *const *texts)
{
	const struct deck_slide *s = &d->slides[slide];
	size_t n = s->part_end[part < 0 ? 0 : part >= s->nparts ? s->nparts - 1 : part];
	struct buf out = { 0 };

	for (size_t i = 0; i < n;) {
		const char *m = memchr(s->body + i, FIG_OPEN, n - i), *close;
		size_t upto = m ? (size_t)(m - s->body) : n;
		int k;

		buf_add(&out, s->body + i, upto - i);
		if (m == NULL)
			break;
		close = memchr(m, FIG_CLOSE, (size_t)(s->body + n - m));
		k = atoi(m + 1);
		if (close == NULL || k < 0 || k >= d->nfigures)
			break;
		{
			/* A figure and its unit stay on one line: "20 MB" split
			 * after the 20 reads as two things on a slide. */
			const char *t = texts && texts[k] ? texts[k] : d->figures[k].written;
			for (const char *c = t; *c; c++) {
				if (*c == ' ')
					buf_add(&out, "\xc2\xa0", 2);   /* U+00A0, no-break space */
				else
					buf_add(&out, c, 1);
			}
		}
		i = (size_t)(close - s->body) + 1;
	}
	return buf_take(&out);
}

/* ---- figures: written and measured ------------------------------------------ */

struct written {
	bool approx, sign;
	int decimals;
	bool thousands;      /* "12,345" */
	double unit;         /* bytes per unit; 0: a count */
	const char *unit_name;
	double value;        /* in units */
};

static void read_written(const char *w, struct written *out)
{
	const char *s = w, *dot;
	char digits[64];
	size_t n = 0;

	*out = (struct written){ 0 };
	if (*s == '~') {
		out->approx = true;
		s++;
	}
	if (*s == '+' || *s == '-') {
		out->sign = true;
		s++;
	}
	for (; (isdigit((unsigned char)*s) || *s == '.' || *s == ',') && n + 1 < sizeof digits; s++) {
		if (*s == ',')
			out->thousands = true;
		else
			digits[n++] = *s;
	}
	digits[n] = '\0';
	dot = strchr(digits, '.');
	out->decimals = dot ? (int)strlen(dot + 1) : 0;
	out->value = strtod(digits, NULL);
	if (w[0] == '-' || (out->approx && w[1] == '-'))
		out->value = -out->value;
	s = skip_space(s, s + strlen(s));
	static const struct { const char *name; double bytes; } units[] = {
		{ "B", 1 }, { "KB", 1e3 }, { "MB", 1e6 }, { "GB", 1e9 }, { "TB", 1e12 },
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(s, units[i].name) == 0) {
			out->unit = units[i].bytes;
			out->unit_name = units[i].name;
		}
}

/* "1234567" as "1,234,567". */
static void group_thousands(char *num, size_t size)
{
	char out[64];
	char *dot = strchr(num, '.');
	size_t int_len = dot ? (size_t)(dot - num) : strlen(num), o = 0, start = num[0] == '-';

	if (start)
		out[o++] = '-';
	for (size_t i = start; i < int_len && o + 2 < sizeof out; i++) {
		out[o++] = num[i];
		if ((int_len - i - 1) % 3 == 0 && i + 1 < int_len)
			out[o++] = ',';
	}
	snprintf(out + o, sizeof out - o, "%s", dot ? dot : "");
	snprintf(num, size, "%s", out);
}

void deck_format_figure(const struct deck_figure *f, double value, char *buf, size_t size)
{
	struct written w;
	char num[64];
	double v;

	read_written(f->written, &w);
	v = w.unit > 0 ? value / w.unit : value;
	snprintf(num, sizeof num, "%.*f", w.decimals, w.sign ? fabs(v) : v);
	/* "-0.0" is a zero: no sign for it. */
	if (num[0] == '-' && strspn(num + 1, "0.") == strlen(num + 1))
		memmove(num, num + 1, strlen(num));
	if (w.thousands)
		group_thousands(num, sizeof num);
	snprintf(buf, size, "%s%s%s%s%s", w.approx ? "~" : "", w.sign ? (v < 0 ? "-" : "+") : "",
	         num, w.unit_name ? " " : "", w.unit_name ? w.unit_name : "");
	/* The written figure's own spacing before its unit. */
	if (w.unit_name && !strchr(f->written, ' ')) {
		char *sp = strrchr(buf, ' ');
		if (sp)
			memmove(sp, sp + 1, strlen(sp));
	}
}

bool deck_figure_holds(const struct deck_figure *f, double value)
{
	struct written w;
	char got[80];

	read_written(f->written, &w);
	if (w.approx) {
		double v = w.unit > 0 ? value / w.unit : value;
		if (w.sign && w.value >= 0)
			v = fabs(v) * (v < 0 ? -1 : 1);
		return fabs(v - w.value) <= 0.1 * fabs(w.value);
	}
	deck_format_figure(f, value, got, sizeof got);
	return strcmp(got, f->written) == 0;
}
