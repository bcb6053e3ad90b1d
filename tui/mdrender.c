/* mdrender.c — md4c callbacks that build styled, wrapped lines.
 *
 * Inline text of the current block is collected as bytes with one attribute
 * per byte; when the block ends it is wrapped and split into spans. Container
 * blocks (lists, items, quotes) live on a stack that supplies each line's
 * prefix: a bullet on an item's first line, spaces after it, a bar per quote. */
#include "mdrender.h"

#include <ctype.h>
#include <md4c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

#define MAX_DEPTH 16     /* containers shown; deeper ones are parsed but not indented */
#define CODE_INDENT "  " /* code blocks stand out by indentation even without colour */
#define TAB_STOP 4
#define MIN_TEXT 10      /* columns of text kept however deep the nesting */

struct frame {
	MD_BLOCKTYPE type;       /* MD_BLOCK_QUOTE, _UL, _OL or _LI */
	bool tight;              /* lists and their items */
	unsigned number;         /* _OL: the next item's number */
	char bullet[16];         /* _LI: "• " or "3. " */
	int bullet_width;
	bool bullet_pending;     /* _LI: the bullet is not drawn yet */
};

/* Bytes with one attribute each. */
struct styled {
	char *text;
	unsigned char *attr;
	size_t len, cap;
};

struct render {
	struct mdrender_doc *doc;
	int width;
	bool ascii;
	int lines_cap, pages_cap, links_cap;

	struct frame stack[MAX_DEPTH];
	int depth;                       /* may exceed MAX_DEPTH */

	struct styled inl;               /* inline text of the current block */
	struct styled code;              /* the current code block */
	bool in_code, code_python;
	unsigned heading;                /* level of the current heading, 0 outside */
	int emph, strong, code_span, link, image;
	char *link_href;
	size_t link_start;
	int html;                        /* inside a raw HTML block: only directives count */
	struct styled html_text;         /* the HTML block's text, for <!-- step N --> and kin */
	int held;                        /* inside <!-- after step N -->: N, else 0 */
	int intro_step;                  /* <!-- step N --> before the first level-2 heading */

	bool need_blank;                 /* a blank line goes before the next block */

	/* a table being read: its cells' inline text, row by row */
	struct styled *cells;
	int ncols, nrows, cells_cap;
	bool in_table, in_head;
	int head_rows;                   /* the first rows are the header */
	int col;                         /* the next cell's column in the current row */
};

static void styled_add(struct styled *s, const char *text, size_t len, enum screen_attr attr)
{
	if (s->len + len > s->cap) {
		s->cap = (s->len + len) * 2 + 64;
		s->text = xrealloc(s->text, s->cap);
		s->attr = xrealloc(s->attr, s->cap);
	}
	memcpy(s->text + s->len, text, len);
	memset(s->attr + s->len, attr, len);
	s->len += len;
}

static void styled_free(struct styled *s)
{
	free(s->text);
	free(s->attr);
}

/* ---- lines and spans ---- */

static struct mdrender_line *new_line(struct render *r)
{
	struct mdrender_doc *d = r->doc;

	if (d->nlines == r->lines_cap) {
		r->lines_cap = r->lines_cap * 2 + 32;
		d->lines = xrealloc(d->lines, (size_t)r->lines_cap * sizeof *d->lines);
	}
	d->lines[d->nlines] = (struct mdrender_line){ NULL, 0, r->held, 0, false };
	return &d->lines[d->nlines++];
}

/* Append text to the line, merging with the last span when the attribute matches. */
static void line_add(struct mdrender_line *l, const char *text, size_t len, enum screen_attr attr)
{
	struct mdrender_span *last = l->nspans ? &l->spans[l->nspans - 1] : NULL;

	if (len == 0)
		return;
	if (last != NULL && last->attr == attr) {
		size_t old = strlen(last->text);

		last->text = xrealloc(last->text, old + len + 1);
		memcpy(last->text + old, text, len);
		last->text[old + len] = '\0';
		return;
	}
	l->spans = xrealloc(l->spans, (size_t)(l->nspans + 1) * sizeof *l->spans);
	l->spans[l->nspans].text = xstrndup(text, len);
	l->spans[l->nspans].attr = attr;
	l->nspans++;
}

/* Drop trailing spaces (indentation of blank lines, a space before a break). */
static void line_trim(struct mdrender_line *l)
{
	while (l->nspans > 0) {
		struct mdrender_span *last = &l->spans[l->nspans - 1];
		size_t n = strlen(last->text);

		while (n > 0 && last->text[n - 1] == ' ')
			n--;
		last->text[n] = '\0';
		if (n > 0)
			return;
		free(last->text);
		l->nspans--;
	}
}

/* n copies of glyph, added at once: line_add rescans the span it grows. */
static void add_repeated(struct mdrender_line *l, const char *glyph, int n, enum screen_attr attr)
{
	size_t g = strlen(glyph), k;
	char *buf;

	if (n <= 0)
		return;
	buf = xmalloc(g * (size_t)n);
	for (k = 0; k < (size_t)n; k++)
		memcpy(buf + k * g, glyph, g);
	line_add(l, buf, g * (size_t)n, attr);
	free(buf);
}

static int frame_width(const struct frame *f)
{
	if (f->type == MD_BLOCK_QUOTE)
		return 2;
	return f->type == MD_BLOCK_LI ? f->bullet_width : 0;
}

/* How many outer containers get their prefix: deep nesting must still leave
 * MIN_TEXT columns of text. */
static int shown_frames(const struct render *r, int *width)
{
	int i, w = 0, n = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;

	for (i = 0; i < n && w + frame_width(&r->stack[i]) <= r->width - MIN_TEXT; i++)
		w += frame_width(&r->stack[i]);
	*width = w;
	return i;
}

static int prefix_width(const struct render *r)
{
	int w;

	shown_frames(r, &w);
	return w;
}

/* Bars of enclosing quotes, and item bullets (each drawn once) or their indent. */
static void add_prefix(struct render *r, struct mdrender_line *l, bool use_bullets)
{
	int i, w, n = shown_frames(r, &w);

	for (i = 0; i < n; i++) {
		struct frame *f = &r->stack[i];

		if (f->type == MD_BLOCK_QUOTE) {
			line_add(l, "\u2502 ", strlen("\u2502 "), SCREEN_DIM);
		} else if (f->type == MD_BLOCK_LI) {
			if (use_bullets && f->bullet_pending) {
				line_add(l, f->bullet, strlen(f->bullet), SCREEN_NORMAL);
				f->bullet_pending = false;
			} else {
				add_repeated(l, " ", f->bullet_width, SCREEN_NORMAL);
			}
		}
	}
}

static int text_avail(const struct render *r)
{
	int avail = r->width - prefix_width(r);

	return avail > 1 ? avail : 1;
}

/* A block begins: put the blank line owed by the previous one. */
static void begin_block(struct render *r)
{
	if (r->need_blank && r->doc->nlines > 0) {
		struct mdrender_line *l = new_line(r);

		add_prefix(r, l, false);
		line_trim(l);
	}
	r->need_blank = false;
}

/* One output line: prefix, then bytes [a, b) of s with their attributes. */
static void emit(struct render *r, const struct styled *s, size_t a, size_t b)
{
	struct mdrender_line *l = new_line(r);

	add_prefix(r, l, true);
	while (a < b) {
		size_t run = a;

		while (run < b && s->attr[run] == s->attr[a])
			run++;
		line_add(l, s->text + a, run - a, (enum screen_attr)s->attr[a]);
		a = run;
	}
	line_trim(l);
}

/* Scan the word at a (it ends at a space, a '\n' or the end of s) while it
 * fits in `cols` columns: returns where it ends, or the first character that
 * would pass `cols` (a zero-width one stays with the character before it),
 * and its columns in *w. Stopping there keeps every line's work to what the
 * line holds: measuring a long word whole for each line it is cut into was
 * quadratic in its length. */
static size_t scan_word(const struct render *r, const struct styled *s, size_t a, int cols, int *w)
{
	size_t i = a;
	int used = 0;

	while (i < s->len && s->text[i] != ' ' && s->text[i] != '\n') {
		wchar_t ch;
		size_t n = screen_utf8_decode(s->text + i, s->len - i, &ch);
		int cw = screen_char_width(ch, r->ascii);

		if (cw > cols - used)
			break;
		used += cw;
		i += n;
	}
	*w = used;
	return i;
}

/* Word-wrap s ('\n' is a hard break) into lines. */
static void wrap(struct render *r, const struct styled *s)
{
	int avail = text_avail(r);
	size_t i = 0, len = s->len;

	while (i < len) {
		size_t start, end, ws;
		int w = 0;

		while (i < len && s->text[i] == ' ')
			i++;
		start = end = ws = i;
		for (;;) {
			size_t gap, we;
			int ww;

			while (ws < len && s->text[ws] == ' ')
				ws++;
			if (ws >= len || s->text[ws] == '\n') {
				emit(r, s, start, end);
				i = ws + 1;
				break;
			}
			gap = end == start ? 0 : ws - end;   /* spaces, a column each */
			we = ws;
			if (gap <= (size_t)(avail - w)) {
				we = scan_word(r, s, ws, avail - w - (int)gap, &ww);
				if (we >= len || s->text[we] == ' ' || s->text[we] == '\n') {
					w += (int)gap + ww;
					end = ws = we;
					continue;
				}
			}
			if (end == start) {
				/* A word wider than the line: cut it where the line ends,
				 * after at least one character and the marks that
				 * combine with it. */
				if (we == ws) {
					wchar_t ch;

					we += screen_utf8_decode(s->text + ws, len - ws, &ch);
					we = scan_word(r, s, we, 0, &ww);
				}
				emit(r, s, ws, we);
				i = we;
			} else {
				emit(r, s, start, end);
				i = ws;
			}
			break;
		}
	}
}

static char *plain(const struct styled *s, size_t from)
{
	return s->text ? xstrndup(s->text + from, s->len - from) : xstrdup("");
}

/* ---- Python highlighting: a small tokenizer, good enough for lesson code ---- */

static const char *const python_keywords[] = {
	"False", "None", "True", "and", "as", "assert", "async", "await", "break",
	"class", "continue", "def", "del", "elif", "else", "except", "finally", "for",
	"from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not",
	"or", "pass", "raise", "return", "try", "while", "with", "yield",
};

static bool is_keyword(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof python_keywords / sizeof python_keywords[0]; i++)
		if (strlen(python_keywords[i]) == n && memcmp(python_keywords[i], s, n) == 0)
			return true;
	return false;
}

static bool ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* End of the string literal whose quote is at q (unterminated: end of line or text). */
static size_t string_end(const char *s, size_t n, size_t q)
{
	char quote = s[q];
	bool triple = q + 2 < n && s[q + 1] == quote && s[q + 2] == quote;
	size_t i = q + (triple ? 3 : 1);

	while (i < n) {
		if (s[i] == '\\') {
			i += 2;
		} else if (triple && i + 2 < n && s[i] == quote && s[i + 1] == quote &&
		           s[i + 2] == quote) {
			return i + 3;
		} else if (!triple && s[i] == quote) {
			return i + 1;
		} else if (!triple && s[i] == '\n') {
			return i;
		} else {
			i++;
		}
	}
	return n;
}

static void highlight_python(const char *s, size_t n, unsigned char *attr)
{
	bool want_name = false;   /* after def/class */
	size_t i = 0, j;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '#') {
			for (j = i; j < n && s[j] != '\n'; j++)
				;
			memset(attr + i, SCREEN_COMMENT, j - i);
		} else if (c == '\'' || c == '"') {
			j = string_end(s, n, i);
			memset(attr + i, SCREEN_STRING, j - i);
		} else if (isdigit(c) || (c == '.' && i + 1 < n && isdigit((unsigned char)s[i + 1]))) {
			for (j = i + 1; j < n && (ident_char((unsigned char)s[j]) || s[j] == '.' ||
			                          ((s[j] == '+' || s[j] == '-') &&
			                           (s[j - 1] == 'e' || s[j - 1] == 'E'))); j++)
				;
			memset(attr + i, SCREEN_NUMBER, j - i);
		} else if (ident_char(c)) {
			for (j = i; j < n && ident_char((unsigned char)s[j]); j++)
				;
			if (j < n && (s[j] == '\'' || s[j] == '"') && j - i <= 2 &&
			    strspn(s + i, "rRbBuUfF") >= j - i) {
				/* A prefixed string: r"...", b'...', f"""...""". */
				j = string_end(s, n, j);
				memset(attr + i, SCREEN_STRING, j - i);
			} else if (want_name) {
				memset(attr + i, SCREEN_DEFNAME, j - i);
				want_name = false;
			} else if (is_keyword(s + i, j - i)) {
				memset(attr + i, SCREEN_KEYWORD, j - i);
				want_name = (j - i == 3 && !memcmp(s + i, "def", 3)) ||
				            (j - i == 5 && !memcmp(s + i, "class", 5));
			}
		} else {
			if (!isspace(c))
				want_name = false;
			j = i + 1;
		}
		i = j;
	}
}

/* ---- blocks ---- */

static enum screen_attr inline_attr(const struct render *r)
{
	int i, n = r->depth < MAX_DEPTH ? r->depth : MAX_DEPTH;

	if (r->heading == 1)
		return SCREEN_TITLE;
	if (r->heading == 2)
		return SCREEN_HEADING;
	if (r->heading > 2 || r->strong || (r->in_table && r->in_head))
		return SCREEN_STRONG;
	if (r->code_span)
		return SCREEN_CODE;
	if (r->image)
		return SCREEN_DIM;
	if (r->link)
		return SCREEN_LINK;
	if (r->emph)
		return SCREEN_EMPH;
	for (i = 0; i < n; i++)
		if (r->stack[i].type == MD_BLOCK_QUOTE)
			return SCREEN_QUOTE;
	return SCREEN_NORMAL;
}

/* Wrap and emit the inline text collected so far, if any. */
static void flush_inline(struct render *r)
{
	if (r->inl.len == 0)
		return;
	begin_block(r);
	wrap(r, &r->inl);
	r->inl.len = 0;
}

static void start_page(struct render *r, const char *title)
{
	struct mdrender_doc *d = r->doc;

	if (d->npages == r->pages_cap) {
		r->pages_cap = r->pages_cap * 2 + 8;
		d->pages = xrealloc(d->pages, (size_t)r->pages_cap * sizeof *d->pages);
	}
	d->pages[d->npages].first = d->nlines;
	d->pages[d->npages].count = 0;
	d->pages[d->npages].title = xstrdup(title);
	d->pages[d->npages].step = 0;
	d->npages++;
	r->held = 0;   /* a held part ends with its page */
}

static void end_heading(struct render *r)
{
	struct mdrender_doc *d = r->doc;
	char *text = plain(&r->inl, 0);
	int i, first, w = 0;

	begin_block(r);
	if (r->heading == 2)
		start_page(r, text);
	if (r->heading == 1 && d->title == NULL)
		d->title = xstrdup(text);
	first = d->nlines;
	wrap(r, &r->inl);
	r->inl.len = 0;
	if (r->heading <= 2) {
		/* An underline as wide as the heading: visible without colour. */
		struct mdrender_line *l;
		const char *rule = r->heading == 1 ? "\u2550" : "\u2500";
		enum screen_attr attr = r->heading == 1 ? SCREEN_TITLE : SCREEN_HEADING;

		for (i = first; i < d->nlines; i++) {
			int lw = mdrender_line_width(&d->lines[i], r->ascii) - prefix_width(r);

			w = lw > w ? lw : w;
		}
		l = new_line(r);
		add_prefix(r, l, false);
		add_repeated(l, rule, w, attr);
	}
	free(text);
	r->need_blank = true;
}

/* Emit the collected code block: one line per source line, tabs expanded. */
/* A code line wider than the text: cut where it reaches the last column
 * but one, marked with ↩ there, and carried on in lines of its own,
 * indented as the code, so code is never cut off silently. */
static void emit_code_line(struct render *r, const struct styled *line)
{
	int avail = text_avail(r), indent = (int)strlen(CODE_INDENT);
	const char *mark = r->ascii ? "\\" : "\u21a9";
	struct styled part = { 0 };
	size_t a = 0;

	for (;;) {
		size_t i = a;
		int w = a ? indent : 0;

		while (i < line->len) {
			wchar_t ch;
			size_t n = screen_utf8_decode(line->text + i, line->len - i, &ch);
			int cw = screen_char_width(ch, r->ascii);
			if (w + cw > avail - 1 && i > a && avail > indent + 2)
				break;
			w += cw;
			i += n;
		}
		part.len = 0;
		if (a > 0)
			styled_add(&part, CODE_INDENT, (size_t)indent, SCREEN_CODE);
		styled_add(&part, line->text + a, i - a, SCREEN_CODE);
		memcpy(part.attr + part.len - (i - a), line->attr + a, i - a);
		emit(r, &part, 0, part.len);
		if (i >= line->len)
			break;
		line_add(&r->doc->lines[r->doc->nlines - 1], mark, strlen(mark), SCREEN_DIM);
		r->doc->lines[r->doc->nlines - 1].carried = true;
		a = i;
	}
	styled_free(&part);
}

static void end_code(struct render *r)
{
	struct styled *c = &r->code;
	struct styled line = { 0 };
	size_t i = 0;

	if (r->code_python)
		highlight_python(c->text, c->len, c->attr);
	begin_block(r);
	while (i < c->len) {
		int col = 0;

		line.len = 0;
		styled_add(&line, CODE_INDENT, strlen(CODE_INDENT), SCREEN_CODE);
		for (; i < c->len && c->text[i] != '\n'; i++) {
			if (c->text[i] == '\t') {
				do
					styled_add(&line, " ", 1, (enum screen_attr)c->attr[i]);
				while (++col % TAB_STOP);
			} else {
				styled_add(&line, c->text + i, 1, (enum screen_attr)c->attr[i]);
				col += ((unsigned char)c->text[i] & 0xC0) != 0x80;
			}
		}
		i++;   /* the '\n' */
		emit_code_line(r, &line);
	}
	styled_free(&line);
	c->len = 0;
	r->need_blank = true;
}

/* ---- tables: cells collected, then laid out in columns ---- */

/* The lines of cell text c wrapped at w columns, as byte ranges into
 * starts/ends (at most max); returns how many. */
static int cell_lines(const struct render *r, const struct styled *c, int w, size_t *starts,
                      size_t *ends, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < c->len && n < max) {
		size_t start, end, k;
		int used = 0;

		while (i < c->len && c->text[i] == ' ')
			i++;
		if (i >= c->len)
			break;
		start = end = k = i;
		while (k < c->len) {
			int ww;
			size_t we = scan_word(r, c, k, w - used, &ww);
			bool whole = we >= c->len || c->text[we] == ' ';

			if (!whole && end > start)
				break;   /* the word goes to the next line */
			if (!whole) {
				/* A word wider than the column: cut it. */
				if (we == k) {
					wchar_t ch;
					we += screen_utf8_decode(c->text + k, c->len - k, &ch);
				}
				end = we;
				break;
			}
			used += ww;
			end = we;
			k = we;
			while (k < c->len && c->text[k] == ' ')
				k++;
			if (k >= c->len || used + 1 >= w)
				break;
			used += 1;   /* the space before the next word */
		}
		starts[n] = start;
		ends[n++] = end;
		i = end;
	}
	return n;
}

static int styled_width(const struct render *r, const struct styled *c, size_t a, size_t b)
{
	return screen_text_width(c->text + a, b - a, r->ascii);
}

#define TABLE_GAP 3       /* " │ " between columns */
#define TABLE_MAX_LINES 64

/* Each column as wide as its widest cell; when that is wider than the text,
 * the widest columns give way first, and their cells wrap. */
static void table_widths(const struct render *r, int *w)
{
	int avail = text_avail(r) - TABLE_GAP * (r->ncols - 1), total = 0;

	for (int c = 0; c < r->ncols; c++) {
		w[c] = 1;
		for (int row = 0; row < r->nrows; row++) {
			const struct styled *cell = &r->cells[row * r->ncols + c];
			int cw = styled_width(r, cell, 0, cell->len);
			w[c] = cw > w[c] ? cw : w[c];
		}
		total += w[c];
	}
	while (total > avail) {
		int widest = 0;
		for (int c = 1; c < r->ncols; c++)
			widest = w[c] > w[widest] ? c : widest;
		if (w[widest] <= 3)
			break;   /* too many columns: the lines run on */
		w[widest]--;
		total--;
	}
}

static void end_table(struct render *r)
{
	int *w = xcalloc((size_t)r->ncols, sizeof *w);
	struct styled line = { 0 };
	const char *bar = "\u2502", *dash = "\u2500", *cross = "\u253c";

	begin_block(r);
	table_widths(r, w);
	for (int row = 0; row < r->nrows; row++) {
		size_t starts[TABLE_MAX_LINES][16], ends[TABLE_MAX_LINES][16];
		int nl[16] = { 0 }, lines = 1, cols = r->ncols < 16 ? r->ncols : 16;

		for (int c = 0; c < cols; c++) {
			size_t s0[TABLE_MAX_LINES], e0[TABLE_MAX_LINES];
			nl[c] = cell_lines(r, &r->cells[row * r->ncols + c], w[c], s0, e0, TABLE_MAX_LINES);
			for (int k = 0; k < nl[c]; k++) {
				starts[k][c] = s0[k];
				ends[k][c] = e0[k];
			}
			lines = nl[c] > lines ? nl[c] : lines;
		}
		for (int k = 0; k < lines; k++) {
			line.len = 0;
			for (int c = 0; c < cols; c++) {
				const struct styled *cell = &r->cells[row * r->ncols + c];
				int used = 0;

				if (c > 0) {
					styled_add(&line, " ", 1, SCREEN_NORMAL);
					styled_add(&line, bar, strlen(bar), SCREEN_BORDER);
					styled_add(&line, " ", 1, SCREEN_NORMAL);
				}
				if (k < nl[c]) {
					size_t a = starts[k][c], b = ends[k][c];
					styled_add(&line, cell->text + a, b - a, SCREEN_NORMAL);
					memcpy(line.attr + line.len - (b - a), cell->attr + a, b - a);
					used = styled_width(r, cell, a, b);
				}
				for (; used < w[c] && c + 1 < cols; used++)
					styled_add(&line, " ", 1, SCREEN_NORMAL);
			}
			emit(r, &line, 0, line.len);
		}
		if (row + 1 == r->head_rows) {
			/* Under the header: a rule, crossed where the columns meet. */
			line.len = 0;
			for (int c = 0; c < cols; c++) {
				if (c > 0) {
					styled_add(&line, dash, strlen(dash), SCREEN_BORDER);
					styled_add(&line, cross, strlen(cross), SCREEN_BORDER);
					styled_add(&line, dash, strlen(dash), SCREEN_BORDER);
				}
				for (int k = 0; k < w[c]; k++)
					styled_add(&line, dash, strlen(dash), SCREEN_BORDER);
			}
			emit(r, &line, 0, line.len);
		}
	}
	styled_free(&line);
	free(w);
	for (int i = 0; i < r->nrows * r->ncols; i++)
		styled_free(&r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->nrows = r->ncols = r->cells_cap = r->head_rows = 0;
	r->in_table = false;
	r->need_blank = true;
}

static void table_row(struct render *r)
{
	int need = (r->nrows + 1) * r->ncols;

	if (need > r->cells_cap) {
		int old = r->cells_cap;
		r->cells_cap = need * 2;
		r->cells = xrealloc(r->cells, (size_t)r->cells_cap * sizeof *r->cells);
		memset(r->cells + old, 0, (size_t)(r->cells_cap - old) * sizeof *r->cells);
	}
	r->nrows++;
	r->head_rows += r->in_head;
	r->col = 0;
}

/* A cell ends: its inline text is the cell's. */
static void end_cell(struct render *r)
{
	if (r->nrows > 0 && r->col < r->ncols && r->inl.len > 0) {
		struct styled *cell = &r->cells[(r->nrows - 1) * r->ncols + r->col];
		styled_add(cell, r->inl.text, r->inl.len, SCREEN_NORMAL);
		memcpy(cell->attr + cell->len - r->inl.len, r->inl.attr, r->inl.len);
	}
	r->col++;
	r->inl.len = 0;
}

static bool attr_is(const MD_ATTRIBUTE *a, const char *word)
{
	return a->size == strlen(word) && strncasecmp(a->text, word, a->size) == 0;
}

static struct frame *push(struct render *r, MD_BLOCKTYPE type)
{
	struct frame *f = r->depth < MAX_DEPTH ? &r->stack[r->depth] : NULL;

	r->depth++;
	if (f != NULL)
		*f = (struct frame){ .type = type };
	return f;
}

static struct frame *top(struct render *r)
{
	return r->depth > 0 && r->depth <= MAX_DEPTH ? &r->stack[r->depth - 1] : NULL;
}

static void start_item(struct render *r)
{
	struct frame *list = top(r), *f;

	f = push(r, MD_BLOCK_LI);
	if (f == NULL)
		return;
	if (list != NULL && list->type == MD_BLOCK_OL)
		snprintf(f->bullet, sizeof f->bullet, "%u. ", list->number++);
	else
		snprintf(f->bullet, sizeof f->bullet, "\u2022 ");
	f->bullet_width = screen_text_width(f->bullet, strlen(f->bullet), r->ascii);
	f->bullet_pending = true;
	f->tight = list != NULL && list->tight;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	struct render *r = userdata;
	struct frame *f;

	if (r->html)
		return 0;
	if (r->in_table) {
		/* Inside a table only its own blocks come; text goes to the cell. */
		if (type == MD_BLOCK_THEAD)
			r->in_head = true;
		else if (type == MD_BLOCK_TBODY)
			r->in_head = false;
		else if (type == MD_BLOCK_TR)
			table_row(r);
		return 0;
	}
	flush_inline(r);
	switch (type) {
	case MD_BLOCK_TABLE:
		r->in_table = true;
		r->ncols = (int)((MD_BLOCK_TABLE_DETAIL *)detail)->col_count;
		r->ncols = r->ncols < 1 ? 1 : r->ncols > 16 ? 16 : r->ncols;
		break;
	case MD_BLOCK_QUOTE:
		begin_block(r);
		push(r, type);
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		begin_block(r);
		f = push(r, type);
		if (f != NULL && type == MD_BLOCK_UL) {
			f->tight = ((MD_BLOCK_UL_DETAIL *)detail)->is_tight;
		} else if (f != NULL) {
			f->tight = ((MD_BLOCK_OL_DETAIL *)detail)->is_tight;
			f->number = ((MD_BLOCK_OL_DETAIL *)detail)->start;
		}
		break;
	case MD_BLOCK_LI:
		start_item(r);
		break;
	case MD_BLOCK_H:
		r->heading = ((MD_BLOCK_H_DETAIL *)detail)->level;
		break;
	case MD_BLOCK_CODE: {
		MD_BLOCK_CODE_DETAIL *d = detail;

		r->in_code = true;
		r->code_python = attr_is(&d->lang, "python") || attr_is(&d->lang, "py") ||
		                 attr_is(&d->lang, "python3");
		break;
	}
	case MD_BLOCK_HTML:
		r->html = 1;
		break;
	default:
		break;
	}
	return 0;
}

/* The line that stands for held-back text until its step has run. */
static void add_placeholder(struct render *r, int step)
{
	struct mdrender_line *l;
	char text[96];

	begin_block(r);
	l = new_line(r);
	l->hidden_after = step;
	snprintf(text, sizeof text, "%s More here once step %d has run.",
	         r->ascii ? ">" : "\u25b8", step);
	line_add(l, text, strlen(text), SCREEN_DIM);
	r->need_blank = true;
}

/* An HTML block that is one of the lesson's comments (mdrender.h). */
static void directive(struct render *r)
{
	char text[260];
	int n, used = 0;

	if (r->html_text.len == 0 || r->html_text.len >= sizeof text)
		return;
	memcpy(text, r->html_text.text, r->html_text.len);
	text[r->html_text.len] = '\0';
	if (sscanf(text, " <!-- after step %d -->%n", &n, &used) == 1 && used > 0 && n > 0) {
		r->held = 0;
		add_placeholder(r, n);
		r->held = n;
	} else if (sscanf(text, " <!-- /after -->%n", &used) == 0 && used > 0) {
		r->held = 0;
	} else if (sscanf(text, " <!-- step %d -->%n", &n, &used) == 1 && used > 0 && n > 0) {
		if (r->doc->npages > 0)
			r->doc->pages[r->doc->npages - 1].step = n;
		else
			r->intro_step = n;   /* page 1 is made at the end */
	}
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct render *r = userdata;
	struct frame *f;

	if (type == MD_BLOCK_HTML) {
		r->html = 0;
		directive(r);
		r->html_text.len = 0;
		return 0;
	}
	if (r->in_table) {
		if (type == MD_BLOCK_TH || type == MD_BLOCK_TD)
			end_cell(r);
		else if (type == MD_BLOCK_TABLE)
			end_table(r);
		return 0;
	}
	switch (type) {
	case MD_BLOCK_H:
		end_heading(r);
		r->heading = 0;
		break;
	case MD_BLOCK_CODE:
		end_code(r);
		r->in_code = false;
		break;
	case MD_BLOCK_P:
		flush_inline(r);
		r->need_blank = true;
		break;
	case MD_BLOCK_HR: {
		struct mdrender_line *l;
		int avail = text_avail(r);

		begin_block(r);
		l = new_line(r);
		add_prefix(r, l, true);
		add_repeated(l, "\u2500", avail, SCREEN_BORDER);
		r->need_blank = true;
		break;
	}
	case MD_BLOCK_LI:
		flush_inline(r);
		f = top(r);
		if (f != NULL && f->bullet_pending) {
			/* An empty item still shows its bullet. */
			struct styled none = { 0 };

			emit(r, &none, 0, 0);
		}
		r->depth--;
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
	case MD_BLOCK_QUOTE:
		flush_inline(r);
		r->depth--;
		/* Inside a tight item the next item follows without a gap. */
		f = top(r);
		r->need_blank = !(f != NULL && f->type == MD_BLOCK_LI && f->tight);
		break;
	case MD_BLOCK_DOC:
		flush_inline(r);
		break;
	default:
		flush_inline(r);
		break;
	}
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	struct render *r = userdata;

	switch (type) {
	case MD_SPAN_EM:
		r->emph++;
		break;
	case MD_SPAN_STRONG:
		r->strong++;
		break;
	case MD_SPAN_CODE:
		r->code_span++;
		break;
	case MD_SPAN_A:
		if (r->link++ == 0) {
			MD_SPAN_A_DETAIL *a = detail;

			r->link_href = xstrndup(a->href.text, a->href.size);
			r->link_start = r->inl.len;
		}
		break;
	case MD_SPAN_IMG:
		/* A terminal cannot show it: the alt text, marked as an image. */
		styled_add(&r->inl, "[", 1, SCREEN_DIM);
		r->image++;
		break;
	default:
		break;
	}
	return 0;
}

static void add_link(struct render *r)
{
	struct mdrender_doc *d = r->doc;

	if (d->nlinks == r->links_cap) {
		r->links_cap = r->links_cap * 2 + 8;
		d->links = xrealloc(d->links, (size_t)r->links_cap * sizeof *d->links);
	}
	d->links[d->nlinks].text = plain(&r->inl, r->link_start);
	d->links[d->nlinks].href = r->link_href;
	d->nlinks++;
	r->link_href = NULL;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
	(void)detail;
	struct render *r = userdata;

	switch (type) {
	case MD_SPAN_EM:
		r->emph--;
		break;
	case MD_SPAN_STRONG:
		r->strong--;
		break;
	case MD_SPAN_CODE:
		r->code_span--;
		break;
	case MD_SPAN_A:
		if (--r->link == 0)
			add_link(r);
		break;
	case MD_SPAN_IMG:
		r->image--;
		styled_add(&r->inl, "]", 1, SCREEN_DIM);
		break;
	default:
		break;
	}
	return 0;
}

/* The character an entity names, or 0 for one we do not know. */
static wchar_t entity_char(const char *t, size_t n)
{
	static const struct { const char *name; wchar_t ch; } named[] = {
		{ "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' }, { "&quot;", '"' },
		{ "&apos;", '\'' }, { "&nbsp;", 0xA0 }, { "&ndash;", 0x2013 },
		{ "&mdash;", 0x2014 }, { "&hellip;", 0x2026 }, { "&rarr;", 0x2192 },
		{ "&larr;", 0x2190 }, { "&times;", 0xD7 }, { "&check;", 0x2713 },
	};
	char buf[16];
	unsigned long v;
	char *end;
	size_t i;

	if (n >= sizeof buf)
		return 0;
	memcpy(buf, t, n);
	buf[n] = '\0';
	if (n > 3 && buf[1] == '#') {
		bool hex = buf[2] == 'x' || buf[2] == 'X';

		v = strtoul(buf + (hex ? 3 : 2), &end, hex ? 16 : 10);
		if (*end != ';' || v == 0 || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
			return 0xFFFD;
		return (wchar_t)v;
	}
	for (i = 0; i < sizeof named / sizeof named[0]; i++)
		if (strcmp(buf, named[i].name) == 0)
			return named[i].ch;
	return 0;
}

static int text(MD_TEXTTYPE type, const MD_CHAR *t, MD_SIZE size, void *userdata)
{
	struct render *r = userdata;
	enum screen_attr attr = inline_attr(r);
	char utf8[4];
	wchar_t ch;

	if (r->html) {
		if (r->html_text.len < 256)   /* a directive is short; the rest is ignored */
			styled_add(&r->html_text, t, size, SCREEN_NORMAL);
		return 0;
	}
	if (r->in_code) {
		styled_add(&r->code, t, size, SCREEN_CODE);
		return 0;
	}
	switch (type) {
	case MD_TEXT_BR:
		styled_add(&r->inl, "\n", 1, attr);
		break;
	case MD_TEXT_SOFTBR:
		styled_add(&r->inl, " ", 1, attr);
		break;
	case MD_TEXT_NULLCHAR:
		styled_add(&r->inl, utf8, screen_utf8_encode(utf8, 0xFFFD), attr);
		break;
	case MD_TEXT_ENTITY:
		ch = entity_char(t, size);
		if (ch != 0)
			styled_add(&r->inl, utf8, screen_utf8_encode(utf8, ch), attr);
		else
			styled_add(&r->inl, t, size, attr);
		break;
	case MD_TEXT_HTML:
		break;   /* inline tags and comments are not for the reader */
	default:
		styled_add(&r->inl, t, size, attr);
		break;
	}
	return 0;
}

/* Page boundaries: page 1 is everything before the first level-2 heading
 * (dropped when empty); trailing blank lines belong to no page. */
static void finish_pages(struct render *r)
{
	struct mdrender_doc *d = r->doc;
	int i;

	if (d->npages == 0 || d->pages[0].first > 0) {
		struct mdrender_page first = { 0, 0, xstrdup(d->title ? d->title : ""), r->intro_step };

		start_page(r, "");   /* room for one more */
		free(d->pages[d->npages - 1].title);
		memmove(d->pages + 1, d->pages, (size_t)(d->npages - 1) * sizeof *d->pages);
		d->pages[0] = first;
	}
	for (i = 0; i < d->npages; i++) {
		int end = i + 1 < d->npages ? d->pages[i + 1].first : d->nlines;

		while (end > d->pages[i].first && d->lines[end - 1].nspans == 0)
			end--;
		d->pages[i].count = end - d->pages[i].first;
	}
}

int mdrender_parse(struct mdrender_doc *doc, const char *t, size_t len, int width, bool ascii)
{
	const MD_PARSER parser = {
		.flags = MD_FLAG_COLLAPSEWHITESPACE | MD_FLAG_TABLES,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text,
	};
	struct render r = { .doc = doc, .width = width, .ascii = ascii };
	int rc;

	memset(doc, 0, sizeof *doc);
	rc = md_parse(t, (MD_SIZE)len, &parser, &r);
	styled_free(&r.inl);
	styled_free(&r.code);
	styled_free(&r.html_text);
	for (int i = 0; i < r.nrows * r.ncols; i++)
		styled_free(&r.cells[i]);
	free(r.cells);
	free(r.link_href);
	if (rc != 0) {
		mdrender_free(doc);
		r.lines_cap = r.pages_cap = r.links_cap = 0;
	}
	finish_pages(&r);
	return rc == 0 ? 0 : -1;
}

void mdrender_free(struct mdrender_doc *doc)
{
	int i, j;

	if (doc == NULL)
		return;
	for (i = 0; i < doc->nlines; i++) {
		for (j = 0; j < doc->lines[i].nspans; j++)
			free(doc->lines[i].spans[j].text);
		free(doc->lines[i].spans);
	}
	for (i = 0; i < doc->npages; i++)
		free(doc->pages[i].title);
	for (i = 0; i < doc->nlinks; i++) {
		free(doc->links[i].text);
		free(doc->links[i].href);
	}
	free(doc->lines);
	free(doc->pages);
	free(doc->links);
	free(doc->title);
	memset(doc, 0, sizeof *doc);
}

char *mdrender_line_text(const struct mdrender_line *line)
{
	size_t n = 0;
	char *out;
	int i;

	for (i = 0; i < line->nspans; i++)
		n += strlen(line->spans[i].text);
	out = xmalloc(n + 1);
	n = 0;
	for (i = 0; i < line->nspans; i++) {
		size_t k = strlen(line->spans[i].text);

		memcpy(out + n, line->spans[i].text, k);
		n += k;
	}
	out[n] = '\0';
	return out;
}

int mdrender_line_width(const struct mdrender_line *line, bool ascii)
{
	int i, w = 0;

	for (i = 0; i < line->nspans; i++)
		w += screen_text_width(line->spans[i].text, strlen(line->spans[i].text), ascii);
	return w;
}
