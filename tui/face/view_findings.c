/* view_findings.c — exclab probe's findings, live: the heap by reason on
 * top, one line per finding (the bytes it keeps, what it is), and the
 * chosen one in full below: where it was raised, caught and stored, what it
 * keeps, and, once asked (enter), why it is alive. Keys: ↑ ↓ (j k) choose.
 * A finding's state is a word or a mark (✗ a leak, • a hint, "let go"),
 * never only a colour. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "term.h"
#include "view.h"

struct findings_view {
	int *order;     /* model.findings in the order shown: leaks by bytes, then hints */
	int selected;   /* index in order */
	int scroll;     /* first finding shown in the list */
	int count;      /* findings when last updated */
	int height;     /* rows the view had when last drawn */
	bool moved;     /* the person chose one: it stays chosen; else the top one is */
};

/* The list takes a third of the room at most; the chosen one the rest. */
static int list_rows(int height, int findings)
{
	int rows = (height - 3) / 3 < 3 ? 3 : (height - 3) / 3;

	return rows < findings ? rows : findings;
}

static void *findings_init(void)
{
	return xcalloc(1, sizeof(struct findings_view));
}

static void findings_free(void *data)
{
	struct findings_view *v = data;

	if (v)
		free(v->order);
	free(v);
}

static const struct finding *sorting;

/* Leaks first, the most bytes first; then those let go; hints last. */
static int rank(const struct finding *f)
{
	return f->kind == FINDING_HINT ? 2 : f->gone;
}

static int by_weight(const void *a, const void *b)
{
	const struct finding *x = &sorting[*(const int *)a], *y = &sorting[*(const int *)b];

	if (rank(x) != rank(y))
		return rank(x) - rank(y);
	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	return (int)x->id - (int)y->id;
}

static void findings_update(void *data, const struct view_ctx *ctx)
{
	struct findings_view *v = data;

	const struct model *m = ctx->model;
	uint32_t id = v->selected < v->count ? m->findings[v->order[v->selected]].id : 0;
	int rows;

	/* The finding the person chose stays chosen when the order changes;
	 * until they choose, the heaviest is. */
	if (!v->moved)
		id = 0;
	v->count = m->findings_len;
	v->order = xrealloc(v->order, ((size_t)v->count + 1) * sizeof *v->order);
	for (int i = 0; i < v->count; i++)
		v->order[i] = i;
	sorting = m->findings;
	qsort(v->order, (size_t)v->count, sizeof *v->order, by_weight);
	for (int i = 0; id && i < v->count; i++)
		if (m->findings[v->order[i]].id == id)
			v->selected = i;
	if (v->selected >= v->count)
		v->selected = v->count > 0 ? v->count - 1 : 0;
	if (v->height <= 0)
		return;
	rows = list_rows(v->height, v->count);
	if (v->selected < v->scroll)
		v->scroll = v->selected;
	if (v->selected >= v->scroll + rows)
		v->scroll = v->selected - rows + 1;
	if (v->scroll > v->count - rows)
		v->scroll = v->count - rows > 0 ? v->count - rows : 0;
}

static bool findings_key(void *data, int key)
{
	struct findings_view *v = data;

	if (key == TERM_KEY_UP || key == 'k' || key == TERM_KEY_DOWN || key == 'j')
		v->moved = true;
	if (key == TERM_KEY_UP || key == 'k') {
		if (v->selected > 0)
			v->selected--;
		return true;
	}
	if (key == TERM_KEY_DOWN || key == 'j') {
		if (v->selected + 1 < v->count)
			v->selected++;
		return true;
	}
	return false;
}

const struct finding *view_findings_selected(void *data, const struct model *m)
{
	struct findings_view *v = data;

	return v->selected < v->count && v->count <= m->findings_len
	       ? &m->findings[v->order[v->selected]] : NULL;
}

static void reasons_line(struct screen *s, struct screen_rect r, int y, const struct model *m)
{
	char heap[32], tb[32], cyc[32], rest[32], text[200];

	if (!m->has_reasons) {
		screen_put_wrapped(s, r, y, "The heap by reason comes with the first look, within a "
		                   "second.", 2, SCREEN_DIM, true);
		return;
	}
	util_fmt_bytes(m->reasons.heap, heap, sizeof heap);
	util_fmt_bytes(m->reasons.traceback_only, tb, sizeof tb);
	util_fmt_bytes(m->reasons.cyclic_garbage, cyc, sizeof cyc);
	util_fmt_bytes(m->reasons.heap - m->reasons.traceback_only - m->reasons.cyclic_garbage, rest,
	               sizeof rest);
	snprintf(text, sizeof text, "heap %s: %s only through tracebacks, %s cyclic garbage "
	         "waiting, %s the rest", heap, tb, cyc, rest);
	screen_put_wrapped(s, r, y, text, 2, SCREEN_GAUGE_LABEL, true);
}

static const char *mark(const struct finding *f)
{
	return f->kind == FINDING_HINT ? "\u2022" : f->gone ? "\u25cb" : "\u2717";
}

static void list_line(struct screen *s, struct screen_rect r, int y, const struct finding *f,
                      bool selected)
{
	enum screen_attr attr = selected ? SCREEN_SELECTED : f->kind == FINDING_HINT || f->gone
	                        ? SCREEN_DIM : SCREEN_FAIL;
	char bytes[32] = "", text[700];
	int x;

	if (selected)
		screen_fill(s, (struct screen_rect){ r.x, y, r.w, 1 }, L' ', SCREEN_SELECTED);
	if (f->kind != FINDING_HINT)
		util_fmt_bytes((double)f->bytes, bytes, sizeof bytes);
	x = screen_put(s, r, r.x, y, mark(f), attr);
	snprintf(text, sizeof text, " %9s  %s%s", bytes, f->title, f->gone ? " (let go)" : "");
	/* A title wider than the list ends in an ellipsis: the selected
	 * finding's details below give it whole. */
	if (screen_put(s, r, x, y, text, attr) > r.x + r.w)
		screen_putc(s, r, r.x + r.w - 1, y, L'\u2026', attr);
}

static int detail_line(struct screen *s, struct screen_rect r, int y, const char *label,
                       const char *text)
{
	char line[800];

	if (text == NULL || text[0] == '\0')
		return y;
	snprintf(line, sizeof line, "%s %s", label, text);
	return screen_put_wrapped(s, r, y, line, 2, SCREEN_NORMAL, true);
}

/* Why the finding's object is alive, once asked (enter), or how to ask. */
static int why(struct screen *s, struct screen_rect r, int y, const struct finding *f,
               const struct model *m)
{
	if (f->addr == 0)
		return y;
	if (m->why_addr != (uintptr_t)f->addr)
		return screen_put_wrapped(s, r, y, "enter: why is it alive?  g: what it keeps alive", 2,
		                          SCREEN_DIM, true);
	if (m->why_len == 0)
		return screen_put_wrapped(s, r, y, "Why alive: looking…", 2, SCREEN_DIM, true);
	y = screen_put_wrapped(s, r, y, "Why alive:", 2, SCREEN_HEADING, true);
	for (int i = 0; i < m->why_len && y < r.y + r.h; i++)
		y = screen_put_wrapped(s, r, y, m->why[i], 4, SCREEN_NORMAL, true);
	return y;
}

static void details(struct screen *s, struct screen_rect r, int y, const struct finding *f,
                    const struct model *m)
{
	char bytes[32], line[200];
	const char *d = f->detail;

	y = screen_put_wrapped(s, r, y, finding_kind_name[f->kind], 2, SCREEN_HEADING, true);
	y = detail_line(s, r, y, "raised at", f->raise_at);
	y = detail_line(s, r, y, "caught at", f->except_at);
	y = detail_line(s, r, y, f->kind == FINDING_HINT && f->raise_at[0] ? "made at" : "stored at",
	                f->store_at);
	if (f->kind != FINDING_HINT) {
		util_fmt_bytes((double)f->bytes, bytes, sizeof bytes);
		snprintf(line, sizeof line, "%llu %s, %s %s", (unsigned long long)f->count,
		         f->kind == FINDING_REUSED ? "raises" : f->kind == FINDING_CYCLE ? "cycles" :
		         "exceptions", bytes, f->kind == FINDING_CYCLE ? "freed only by the collector" :
		         f->gone ? "kept until let go" : "kept alive");
		y = screen_put_wrapped(s, r, y, line, 2, SCREEN_STRONG, true);
	}
	y = why(s, r, y, f, m);
	while (d && *d && y < r.y + r.h) {
		size_t n = strcspn(d, "\n");
		char *part = xstrndup(d, n);
		y = screen_put_wrapped(s, r, y, part, 2, SCREEN_NORMAL, true);
		free(part);
		d += n + (d[n] == '\n');
	}
}

static void findings_draw(void *data, struct screen *s, struct screen_rect r,
                          const struct view_ctx *ctx)
{
	struct findings_view *v = data;
	const struct model *m = ctx->model;
	struct screen_rect in = { r.x + 1, r.y, r.w - 2, r.h };
	int y = in.y, rows = list_rows(in.h, v->count);

	v->height = in.h;
	reasons_line(s, in, y, m);
	y += 2;
	if (v->count == 0) {
		screen_put_wrapped(s, in, y, m->program_ended ? "No exception leaks found."
		                   : "No exception leaks found so far.", 2, SCREEN_PASS, true);
		return;
	}
	v->height = in.h;   /* for the next update's scrolling */
	for (int i = 0; i < rows && v->scroll + i < v->count; i++)
		list_line(s, in, y + i, &m->findings[v->order[v->scroll + i]], v->scroll + i == v->selected);
	y += rows;
	screen_hline(s, in, in.x, y, in.w, SCREEN_BORDER);
	if (v->count > rows) {
		char more[64];
		snprintf(more, sizeof more, " %d of %d (\u2191 \u2193) ", v->selected + 1, v->count);
		screen_put(s, in, in.x + in.w - screen_text_width(more, strlen(more), s->ascii), y, more,
		           SCREEN_DIM);
	}
	details(s, (struct screen_rect){ in.x, y + 1, in.w, in.y + in.h - y - 1 }, y + 1,
	        &m->findings[v->order[v->selected]], m);
}

const struct view_ops view_findings = {
	.name = "findings",
	.init = findings_init,
	.free = findings_free,
	.update = findings_update,
	.draw = findings_draw,
	.key = findings_key,
};
