/* view_graph.c — the object graph of the scenario's roots, live.
 *
 * Each new capture in the model is collapsed (long chains fold into one
 * summary node), stripped of the interpreter's machinery unless the learner
 * asked for everything, summarised (wide objects show a few referents and
 * "+N more"), and laid out once, in the view's update; drawing then only
 * paints the visible window. The selection follows the same object from
 * capture to capture, and the line under the graph spells out, labels in
 * full, how a root reaches it (for a root, what it refers to).
 * Keys: arrows move between boxes, tab follows the next edge, c follows the
 * cycle, enter opens the details (and asks why the object is alive; j k
 * scroll them), e expands or folds long chains, f shows or hides the
 * machinery, h/j/k/l pan, home goes back to the root. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "graph_layout.h"
#include "term.h"
#include "util.h"
#include "view.h"

#define KEEP_FOLDED 3      /* chain entries kept at each end when folded */
#define KEEP_EXPANDED 40   /* ... and when expanded */
#define PAN 8
/* Objects drawn at most: about two screens at 160x48 when folded, more when
 * the learner expands chains to see them; layout stays well under a frame. */
#define MAX_DRAWN 60
#define MAX_DRAWN_EXPANDED 300
/* Edges drawn per object, the rest becoming "+N more"; fewer when there is
 * more to draw than MAX_DRAWN, where shared strings and numbers would
 * otherwise tie every box to every other. */
#define MAX_FANOUT 8
#define MAX_FANOUT_BIG 4
#define TRAIL_HOPS 64      /* edges spelled out under the graph at most */
#define DETAILS_EDGES 6    /* edges listed in the details before "…" */

struct graph_view {
	unsigned version;          /* model graph_version laid out; 0: none yet */
	bool expanded, show_all, relayout;
	struct graph *shown;       /* the collapsed copy that is laid out */
	struct graph_layout layout;
	int cycles;                /* in `shown` */
	long hidden;               /* objects left out as machinery (or that would be, with show_all) */
	unsigned hidden_names;     /* what they are: bits of hidden_names[] */
	bool hidden_other;         /* ... and others, which only the machinery holds */
	int selected;              /* node of `shown`, -1 when none */
	uintptr_t selected_addr;   /* the same object in the next capture */
	char trail[1024];          /* the line under the graph for the selection */
	bool trail_is_path;        /* ... the way from a root (else a root's referents) */
	const char *message;       /* said under the graph until the next key, or NULL */
	int scroll_x, scroll_y, follow;
	bool reveal;               /* scroll to the selection at the next draw */
	bool details;
	int details_scroll, details_max;
	uintptr_t highlight;       /* the scenario's last highlight, once selected */
	uintptr_t why_request;     /* the learner asked "why alive?": ui.c takes it */
	struct screen_rect area;   /* where the graph was last drawn */
};

static void *graph_view_init(void)
{
	struct graph_view *v = xcalloc(1, sizeof *v);

	v->selected = -1;
	return v;
}

static void release(struct graph_view *v)
{
	if (v->shown) {
		graph_layout_free(&v->layout);
		graph_free(v->shown);
		v->shown = NULL;
	}
}

static void graph_view_free(void *data)
{
	struct graph_view *v = data;

	if (v == NULL)
		return;
	release(v);
	free(v);
}

static int count_cycles(const struct graph *g)
{
	int n = 0;

	for (int i = 0; i < g->n_nodes; i++)
		n = g->nodes[i].scc + 1 > n ? g->nodes[i].scc + 1 : n;
	return n;
}

/* What hidden objects are, in the words of the note above the graph, by
 * the kinds each word covers. */
#define KIND(k) (1u << (k))
static const struct {
	const char *name;
	unsigned kinds;
} hidden_names[] = {
	{ "code", KIND(GRAPH_CODE) }, { "functions", KIND(GRAPH_FUNCTION) },
	{ "classes", KIND(GRAPH_TYPE) }, { "modules", KIND(GRAPH_MODULE) },
	{ "module globals", KIND(GRAPH_DICT) },
	{ "constants", KIND(GRAPH_NUMBER) },   /* True, small ints; None is among the rest */
};
#define N_HIDDEN_NAMES (sizeof hidden_names / sizeof hidden_names[0])

/* The count and kinds of the nodes graph_hide_incidental left out. */
static void note_hidden(struct graph_view *v, const long hidden[GRAPH_KIND_COUNT])
{
	long named = 0;

	v->hidden = 0;
	v->hidden_names = 0;
	for (int k = 0; k < GRAPH_KIND_COUNT; k++) {
		v->hidden += hidden[k];
		for (size_t i = 0; i < N_HIDDEN_NAMES; i++) {
			if (hidden[k] > 0 && (hidden_names[i].kinds & KIND(k))) {
				v->hidden_names |= 1u << i;
				named += hidden[k];
			}
		}
	}
	v->hidden_other = v->hidden > named;   /* what only the machinery holds */
}

/* "+12 hidden (code, functions, …) · f: show all", naming as many kinds as
 * fit in width columns. */
static void hidden_note(const struct graph_view *v, bool ascii, int width, char *buf, size_t size)
{
	char count[32];
	int names = 0;

	util_fmt_count((double)v->hidden, count, sizeof count);
	for (size_t i = 0; i < N_HIDDEN_NAMES; i++)
		names += (v->hidden_names >> i) & 1;
	for (int keep = names; keep >= 0; keep--) {
		char kinds[160] = "";
		size_t len = 0;
		int n = 0;

		for (size_t i = 0; i < N_HIDDEN_NAMES && n < keep; i++)
			if (v->hidden_names & 1u << i)
				len += (size_t)snprintf(kinds + len, sizeof kinds - len, "%s%s", n++ ? ", " : "",
				                        hidden_names[i].name);
		if (keep < names || v->hidden_other)
			snprintf(kinds + len, sizeof kinds - len, "%s\u2026", n ? ", " : "");
		if (v->show_all)
			snprintf(buf, size, "all shown \u00B7 f: hide %s %s (%s)", count,
			         v->hidden == 1 ? "object" : "objects", kinds);
		else
			snprintf(buf, size, "+%s hidden (%s) \u00B7 f: show all", count, kinds);
		if (screen_text_width(buf, strlen(buf), ascii) <= width)
			return;
	}
}

/* A node as the trail names it: a root by its name, anything else by type. */
static const char *trail_name(const struct graph_node *n)
{
	return n->root && n->root_name[0] ? n->root_name : n->type;
}

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void append(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;

	if (*len >= size)
		return;
	va_start(ap, fmt);
	*len += (size_t)vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
}

/* The line under the graph for the selection, every label in full, drawn
 * as the graph draws an edge ("─tb_next→"): the shortest way a root reaches
 * it, or for a root what it refers to. */
static void describe_trail(struct graph_view *v)
{
	const struct graph *g = v->shown;
	int best[TRAIL_HOPS], best_len, root, listed = 0;
	size_t at = 0;

	v->trail[0] = '\0';
	v->trail_is_path = false;
	if (g == NULL || v->selected < 0)
		return;
	best_len = graph_path_from_roots(g, v->selected, best, TRAIL_HOPS, &root);
	if (best_len > 0) {
		v->trail_is_path = true;
		append(v->trail, sizeof v->trail, &at, "%s", trail_name(&g->nodes[g->edges[best[0]].from]));
		for (int i = 0; i < best_len; i++)
			append(v->trail, sizeof v->trail, &at, " \u2500%s\u2192 %s", g->edges[best[i]].label,
			       trail_name(&g->nodes[g->edges[best[i]].to]));
		return;
	}
	append(v->trail, sizeof v->trail, &at, "%s refers to", trail_name(&g->nodes[v->selected]));
	for (int e = 0; e < g->n_edges; e++)
		if (g->edges[e].from == v->selected)
			append(v->trail, sizeof v->trail, &at, "%s \u2500%s\u2192 %s", listed++ ? "," : "",
			       g->edges[e].label, g->nodes[g->edges[e].to].type);
	if (listed == 0)
		append(v->trail, sizeof v->trail, &at, " nothing");
}

static void rebuild(struct graph_view *v, const struct model *m)
{
	int keep = v->expanded ? KEEP_EXPANDED : KEEP_FOLDED;
	long hidden[GRAPH_KIND_COUNT];

	release(v);
	v->version = m->graph_version;
	v->relayout = false;
	v->cycles = 0;
	v->hidden = 0;
	v->trail[0] = '\0';
	if (m->graph == NULL || m->graph->n_nodes == 0) {
		v->selected = -1;
		return;
	}
	/* Retained sizes are computed once chains are folded (a summary counts
	 * the bytes it stands for) and before the machinery is hidden (what a
	 * frame keeps counts whether drawn or not); cycles are found again on
	 * what is drawn, so the edges drawn know whether they close one. */
	struct graph *folded = graph_collapse_chains(m->graph, keep, keep);
	graph_find_cycles(folded);
	graph_compute_retained(folded);
	struct graph *plain = graph_hide_incidental(folded, hidden);
	const struct graph *drawn = v->show_all ? folded : plain;
	note_hidden(v, hidden);
	v->shown = graph_summarize(drawn, drawn->n_nodes > MAX_DRAWN ? MAX_FANOUT_BIG : MAX_FANOUT,
	                           v->expanded ? MAX_DRAWN_EXPANDED : MAX_DRAWN);
	graph_free(plain);
	graph_free(folded);
	graph_find_cycles(v->shown);
	v->cycles = count_cycles(v->shown);
	graph_layout(v->shown, NULL, &v->layout);
	/* A new highlight from the scenario takes the selection once; after
	 * that the learner's moves win. */
	if (v->shown->highlight && v->shown->highlight != v->highlight &&
	    graph_find(v->shown, v->shown->highlight) >= 0) {
		v->highlight = v->shown->highlight;
		v->selected_addr = v->highlight;
		v->reveal = true;
	}
	v->selected = v->selected_addr ? graph_find(v->shown, v->selected_addr) : -1;
	if (v->selected < 0)
		v->selected = 0;
	v->selected_addr = v->shown->nodes[v->selected].addr;
	v->reveal = true;
	describe_trail(v);
}

/* A new capture, chains expanded or folded, machinery shown or hidden:
 * fold, size and lay out again. */
static void graph_view_update(void *data, const struct view_ctx *ctx)
{
	struct graph_view *v = data;
	const struct model *m = ctx->model;

	if (v->version != m->graph_version || v->relayout || (v->version == 0 && m->graph))
		rebuild(v, m);
}

/* Put items left to right, separated by " · ", as many as fit whole. */
static void put_items(struct screen *s, struct screen_rect r, int y, const char *const *items,
                      int n, enum screen_attr attr)
{
	int x = r.x + 1;

	for (int i = 0; i < n; i++) {
		const char *sep = i ? " \u00B7 " : "";
		int w = screen_text_width(sep, strlen(sep), s->ascii) +
		        screen_text_width(items[i], strlen(items[i]), s->ascii);

		if (x + w > r.x + r.w)
			break;
		x = screen_put(s, r, x, y, sep, attr);
		x = screen_put(s, r, x, y, items[i], attr);
	}
}

static void draw_header(struct graph_view *v, struct screen *s, struct screen_rect r,
                        const struct model *m)
{
	char line[400], count[32], note[240];
	const struct graph *g = m->graph;
	int cycles = v->cycles, n = 0;
	const char *items[9];

	if (g == NULL && m->graph_roots[0] == '\0') {
		screen_put(s, r, r.x, r.y, " Object graph", SCREEN_HEADING);
		return;
	}
	util_fmt_count(g ? (double)g->n_nodes : 0, count, sizeof count);
	snprintf(line, sizeof line, " Graph of %.200s: %s object%s%s, %d cycle%s%s",
	         m->graph_roots, count, g && g->n_nodes == 1 ? "" : "s",
	         g && g->limited ? " (limited)" : "", cycles, cycles == 1 ? "" : "s",
	         v->expanded ? ", chains expanded" : "");
	screen_put(s, r, r.x, r.y, line, cycles ? SCREEN_FAIL : SCREEN_HEADING);
	/* What is hidden comes first: it changes what the picture means. */
	if (v->hidden > 0) {
		hidden_note(v, s->ascii, r.w - 2, note, sizeof note);
		items[n++] = note;
	}
	items[n++] = "arrows move";
	items[n++] = "tab follow";
	items[n++] = "c cycle";
	items[n++] = "enter details";
	items[n++] = "e expand";
	items[n++] = "g back";
	items[n++] = "? keys";
	put_items(s, r, r.y + 1, items, n, SCREEN_DIM);
}

/* The trail, or the message, in the row under the graph. A path too long
 * for the row keeps its end, where the selection is, from a whole hop on;
 * a root's referents keep their start. "…" marks a cut. */
static void draw_footer(struct graph_view *v, struct screen *s, struct screen_rect row)
{
	const char *text = v->message ? v->message : v->trail;
	struct screen_rect inside = { row.x, row.y, row.w - 1, 1 };   /* a column left for "…" */
	int x = row.x + 1;

	if (!v->message && v->trail_is_path &&
	    screen_text_width(text, strlen(text), s->ascii) > row.w - 2) {
		const char *p = text;

		while ((p = strstr(p + 1, " \u2500")) != NULL &&
		       screen_text_width(p, strlen(p), s->ascii) > row.w - 3)
			;
		if (p != NULL) {
			x = screen_putc(s, row, x, row.y, 0x2026, SCREEN_DIM);
			text = p;
		}
	}
	if (screen_put(s, inside, x, row.y, text, v->message ? SCREEN_STRONG : SCREEN_NORMAL) >
	    inside.x + inside.w)
		screen_putc(s, row, row.x + row.w - 1, row.y, 0x2026, SCREEN_DIM);
}

/* One line of the details, wrapped (continuations indented by two); drawn
 * only when draw is set, so a first pass can measure. */
static void put_line(struct screen *s, struct screen_rect r, int *y, const char *text,
                     enum screen_attr attr, bool draw)
{
	*y = screen_put_wrapped(s, r, *y, text, 2, attr, draw);
}

/* The details' lines from row y (above r when scrolled: those rows are
 * clipped); returns the row after the last. Why the object is alive comes
 * before what it refers to: it is what the learner opened them for. */
static int details_text(struct graph_view *v, struct screen *s, struct screen_rect r, int y,
                        const struct model *m, bool draw)
{
	const struct graph *g = v->shown;
	const struct graph_node *n = &g->nodes[v->selected];
	char line[400], a[32], b[32];
	int shown = 0;

	snprintf(line, sizeof line, "%s%s%s", n->root ? n->root_name : "", n->root ? ": " : "", n->type);
	put_line(s, r, &y, line, SCREEN_STRONG, draw);
	put_line(s, r, &y, n->repr, SCREEN_NORMAL, draw);
	util_fmt_bytes((double)n->size, a, sizeof a);
	util_fmt_bytes((double)n->retained, b, sizeof b);
	snprintf(line, sizeof line, "size %s, keeps %s alive alone", a, b);
	put_line(s, r, &y, line, SCREEN_NORMAL, draw);
	if (n->scc >= 0)
		put_line(s, r, &y, "⟲ on a reference cycle: only the GC frees it", SCREEN_FAIL, draw);
	if (n->external)
		put_line(s, r, &y, "also referenced from outside this graph", SCREEN_DIM, draw);
	put_line(s, r, &y, "why is it alive?", SCREEN_HEADING, draw);
	if (n->addr == 0) {
		put_line(s, r, &y, "  (a summary: select one object)", SCREEN_DIM, draw);
	} else if (m->why_addr != n->addr) {
		put_line(s, r, &y, "  press enter again to ask", SCREEN_DIM, draw);
	} else if (m->why == NULL) {
		put_line(s, r, &y, "  searching…", SCREEN_DIM, draw);
	} else {
		for (int i = 0; i < m->why_len; i++) {
			snprintf(line, sizeof line, "  %s", m->why[i]);
			put_line(s, r, &y, line, SCREEN_NORMAL, draw);
		}
	}
	put_line(s, r, &y, "refers to:", SCREEN_HEADING, draw);
	for (int e = 0; e < g->n_edges; e++) {
		if (g->edges[e].from != v->selected)
			continue;
		if (shown++ == DETAILS_EDGES) {
			put_line(s, r, &y, "  …", SCREEN_DIM, draw);
			break;
		}
		snprintf(line, sizeof line, "  %s%s → %s", g->edges[e].in_cycle ? "⟲ " : "",
		         g->edges[e].label, g->nodes[g->edges[e].to].type);
		put_line(s, r, &y, line, g->edges[e].in_cycle ? SCREEN_FAIL : SCREEN_NORMAL, draw);
	}
	if (shown == 0)
		put_line(s, r, &y, "  nothing", SCREEN_DIM, draw);
	return y;
}

/* Everything about the selected node, and why it is alive: wrapped to the
 * box, and scrolled with j k when longer than it. */
static void draw_details(struct graph_view *v, struct screen *s, struct screen_rect area,
                         const struct model *m)
{
	int w = area.w * 2 / 3 < 48 ? 48 : area.w * 2 / 3 > 64 ? 64 : area.w * 2 / 3;
	struct screen_rect box, in;
	int total;

	w = w < area.w ? w : area.w;
	box = (struct screen_rect){ area.x + area.w - w, area.y, w, area.h };
	in = screen_inset(box, 1);
	total = details_text(v, s, in, 0, m, false);
	v->details_max = total > in.h ? total - in.h : 0;
	if (v->details_scroll > v->details_max)
		v->details_scroll = v->details_max;
	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, " details ", SCREEN_BORDER);
	details_text(v, s, in, in.y - v->details_scroll, m, true);
	if (v->details_max > 0) {
		struct screen_rect edge = { box.x + 1, box.y + box.h - 1, box.w - 2, 1 };
		const char *more = v->details_scroll == 0 ? " \u2193 more: j k scroll "
		                 : v->details_scroll == v->details_max ? " \u2191 j k scroll "
		                 : " \u2191\u2193 j k scroll ";

		screen_put(s, edge, edge.x + edge.w - 1 - screen_text_width(more, strlen(more), s->ascii),
		           edge.y, more, SCREEN_KEY);
	}
}

/* Scrolling stops where the drawing does. */
static void clamp_scroll(struct graph_view *v)
{
	if (v->scroll_x > v->layout.width - v->area.w)
		v->scroll_x = v->layout.width - v->area.w;
	if (v->scroll_y > v->layout.height - v->area.h)
		v->scroll_y = v->layout.height - v->area.h;
	if (v->scroll_x < 0)
		v->scroll_x = 0;
	if (v->scroll_y < 0)
		v->scroll_y = 0;
}

/* Pan right (or down) by step, but not past where the drawing ends in the
 * rows (columns) in view: the window never shows only empty space. */
static void pan_on(struct graph_view *v, int *scroll, int step, int view, bool down)
{
	struct screen_rect window = { v->scroll_x, v->scroll_y, v->area.w, v->area.h };
	int limit = graph_layout_reach(&v->layout, window, down) - view;

	if (*scroll + step < limit)
		*scroll += step;
	else if (limit > *scroll)
		*scroll = limit;
}

static void graph_view_draw(void *data, struct screen *s, struct screen_rect r,
                            const struct view_ctx *ctx)
{
	struct graph_view *v = data;
	const struct model *m = ctx->model;
	struct screen_rect area = { r.x, r.y + 2, r.w, r.h - 3 };
	struct screen_rect footer = { r.x, r.y + r.h - 1, r.w, 1 };

	draw_header(v, s, r, m);
	/* A new size, a new window onto the drawing: keep the selection in it. */
	if (area.w != v->area.w || area.h != v->area.h)
		v->reveal = true;
	v->area = area;
	if (v->shown == NULL) {
		struct screen_rect text = screen_inset(area, 1);
		char line[160];
		int y = area.y + 1;

		if (m->graph_roots[0]) {
			screen_put_wrapped(s, text, y,
			                   "Nothing to draw: the roots are gone. Nothing keeps them alive.",
			                   0, SCREEN_DIM, true);
			return;
		}
		if (ctx->on_slide) {
			/* The room sees this: no keys, nothing about scenarios. */
			screen_put_wrapped(s, text, y, "The graph appears when the demo's step runs.", 0,
			                   SCREEN_DIM, true);
			return;
		}
		snprintf(line, sizeof line, "No graph yet: this %s draws one when a step shows it.",
		         ctx->lesson ? "lesson" : "scenario");
		y = screen_put_wrapped(s, text, y, line, 0, SCREEN_NORMAL, true);
		screen_put_wrapped(s, text, y + 1, "Press g to go back, then space to run the next step.",
		                   0, SCREEN_DIM, true);
		return;
	}
	if (v->reveal)
		graph_layout_reveal(&v->layout, v->selected, area.w, area.h, &v->scroll_x, &v->scroll_y);
	v->reveal = false;
	clamp_scroll(v);
	graph_draw(s, area, v->shown, &v->layout, v->scroll_x, v->scroll_y, v->selected);
	draw_footer(v, s, footer);
	if (v->details)
		draw_details(v, s, area, m);
}

static void select_node(struct graph_view *v, int node)
{
	if (node < 0 || v->shown == NULL)
		return;
	v->selected = node;
	v->selected_addr = v->shown->nodes[node].addr;
	v->follow = 0;
	v->reveal = true;
	v->details_scroll = 0;
	if (v->details && v->selected_addr)
		v->why_request = v->selected_addr;
	describe_trail(v);
}

/* The next edge on a cycle out of the selected node. */
static int cycle_step(const struct graph_view *v)
{
	for (int e = 0; e < v->shown->n_edges; e++)
		if (v->shown->edges[e].from == v->selected && v->shown->edges[e].in_cycle)
			return v->shown->edges[e].to;
	return -1;
}

/* Keys that scroll the details while they are open; false for others. */
static bool details_key(struct graph_view *v, int key)
{
	int step = key == TERM_KEY_PGDN || key == TERM_KEY_PGUP ? v->area.h - 3 : 1;

	if (key == 'j' || key == TERM_KEY_PGDN)
		v->details_scroll += step;
	else if (key == 'k' || key == TERM_KEY_PGUP)
		v->details_scroll -= step;
	else
		return false;
	if (v->details_scroll > v->details_max)
		v->details_scroll = v->details_max;
	if (v->details_scroll < 0)
		v->details_scroll = 0;
	return true;
}

static bool graph_view_key(void *data, int key)
{
	struct graph_view *v = data;
	static const struct { int key; enum graph_layout_dir dir; } arrows[] = {
		{ TERM_KEY_UP, GRAPH_LAYOUT_UP }, { TERM_KEY_DOWN, GRAPH_LAYOUT_DOWN },
		{ TERM_KEY_LEFT, GRAPH_LAYOUT_LEFT }, { TERM_KEY_RIGHT, GRAPH_LAYOUT_RIGHT },
	};

	v->message = NULL;
	if (key == 'e' || key == 'f') {
		if (key == 'e')
			v->expanded = !v->expanded;
		else
			v->show_all = !v->show_all;
		v->relayout = true;
		return true;
	}
	if (v->shown == NULL)
		return false;
	if (v->details && details_key(v, key))
		return true;
	for (size_t i = 0; i < sizeof arrows / sizeof arrows[0]; i++)
		if (key == arrows[i].key) {
			select_node(v, graph_layout_neighbor(&v->layout, v->selected, arrows[i].dir));
			return true;
		}
	switch (key) {
	case '\t': {
		int nth = v->follow + 1;
		select_node(v, graph_layout_follow(v->shown, v->selected, v->follow));
		v->follow = nth;
		return true;
	}
	case 'c': {
		int next = cycle_step(v);
		if (next < 0)
			v->message = "no reference cycle through this object";
		select_node(v, next);
		return true;
	}
	case TERM_KEY_ENTER:
		v->details = !v->details;
		v->details_scroll = 0;
		if (v->details && v->selected_addr)
			v->why_request = v->selected_addr;
		return true;
	case TERM_KEY_ESCAPE:
		if (!v->details)
			return false;   /* nothing to close: the interface leaves the graph */
		v->details = false;
		return true;
	case TERM_KEY_HOME:
		select_node(v, 0);
		return true;
	case 'h': v->scroll_x -= PAN; break;
	case 'l': pan_on(v, &v->scroll_x, PAN, v->area.w, false); break;
	case 'k': v->scroll_y -= PAN / 2; break;
	case 'j': pan_on(v, &v->scroll_y, PAN / 2, v->area.h, true); break;
	default: return false;
	}
	clamp_scroll(v);
	return true;
}

uintptr_t view_graph_take_why(void *data)
{
	struct graph_view *v = data;
	uintptr_t addr = v->why_request;

	v->why_request = 0;
	return addr;
}

const struct view_ops view_graph = {
	.name = "graph",
	.init = graph_view_init,
	.free = graph_view_free,
	.update = graph_view_update,
	.draw = graph_view_draw,
	.key = graph_view_key,
};
