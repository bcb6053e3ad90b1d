/* view_graph.c — the object graph of the scenario's roots, live.
 *
 * Each new capture in the model is collapsed (long chains fold into one
 * summary node), summarised (wide objects show a dozen referents and
 * "+N more"), and laid out once, in the view's update; drawing then only
 * paints the visible window. The selection follows the same object from
 * capture to capture.
 * Keys: arrows move between boxes, tab follows the next edge, c follows the
 * cycle, enter opens the details (and asks why the object is alive), e
 * expands or folds long chains, h/j/k/l pan, home goes back to the root. */
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
#define MAX_FANOUT 12      /* edges drawn per object; the rest become "+N more" */
#define MAX_DRAWN 300      /* objects drawn at most: layout stays well under a frame */

struct graph_view {
	unsigned version;          /* model graph_version laid out; 0: none yet */
	bool expanded, relayout;
	struct graph *shown;       /* the collapsed copy that is laid out */
	struct graph_layout layout;
	int cycles;                /* in `shown` */
	int selected;              /* node of `shown`, -1 when none */
	uintptr_t selected_addr;   /* the same object in the next capture */
	int scroll_x, scroll_y, follow;
	bool reveal;               /* scroll to the selection at the next draw */
	bool details;
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

static void rebuild(struct graph_view *v, const struct model *m)
{
	int keep = v->expanded ? KEEP_EXPANDED : KEEP_FOLDED;

	release(v);
	v->version = m->graph_version;
	v->relayout = false;
	v->cycles = 0;
	if (m->graph == NULL || m->graph->n_nodes == 0) {
		v->selected = -1;
		return;
	}
	/* Retained sizes are computed once chains are folded (a summary counts
	 * the bytes it stands for); cycles are found again on what is drawn, so
	 * the edges drawn know whether they close one. */
	struct graph *folded = graph_collapse_chains(m->graph, keep, keep);
	graph_find_cycles(folded);
	graph_compute_retained(folded);
	v->shown = graph_summarize(folded, MAX_FANOUT, MAX_DRAWN);
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
}

/* A new capture, or chains expanded or folded: fold, size and lay out again. */
static void graph_view_update(void *data, const struct view_ctx *ctx)
{
	struct graph_view *v = data;
	const struct model *m = ctx->model;

	if (v->version != m->graph_version || v->relayout || (v->version == 0 && m->graph))
		rebuild(v, m);
}

static void draw_header(struct graph_view *v, struct screen *s, struct screen_rect r,
                        const struct model *m)
{
	char line[400], count[32];
	const struct graph *g = m->graph;
	int cycles = v->cycles;

	util_fmt_count(g ? (double)g->n_nodes : 0, count, sizeof count);
	snprintf(line, sizeof line, " Graph of %.200s: %s object%s%s, %d cycle%s%s",
	         m->graph_roots[0] ? m->graph_roots : "?", count, g && g->n_nodes == 1 ? "" : "s",
	         g && g->limited ? " (limited)" : "", cycles, cycles == 1 ? "" : "s",
	         v->expanded ? ", chains expanded" : "");
	screen_put(s, r, r.x, r.y, line, cycles ? SCREEN_FAIL : SCREEN_HEADING);
	screen_put(s, r, r.x, r.y + 1,
	           " arrows move · tab follow · c cycle · enter details · e expand · g back",
	           SCREEN_DIM);
}

/* One line of the details, wrapped (continuations indented by two). */
static void put_line(struct screen *s, struct screen_rect r, int *y, const char *text,
                     enum screen_attr attr)
{
	*y = screen_put_wrapped(s, r, *y, text, 2, attr, true);
}

/* Everything about the selected node, and why it is alive. */
static void draw_details(struct graph_view *v, struct screen *s, struct screen_rect area,
                         const struct model *m)
{
	const struct graph *g = v->shown;
	const struct graph_node *n = &g->nodes[v->selected];
	int w = area.w < 48 ? area.w : 48;
	struct screen_rect box = { area.x + area.w - w, area.y, w, area.h };
	struct screen_rect in = screen_inset(box, 1);
	char line[300], a[32], b[32];
	int y = in.y, shown = 0;

	screen_fill(s, box, L' ', SCREEN_NORMAL);
	screen_box(s, box, " details ", SCREEN_BORDER);
	snprintf(line, sizeof line, "%s%s%s", n->root ? n->root_name : "", n->root ? ": " : "", n->type);
	put_line(s, in, &y, line, SCREEN_STRONG);
	put_line(s, in, &y, n->repr, SCREEN_NORMAL);
	util_fmt_bytes((double)n->size, a, sizeof a);
	util_fmt_bytes((double)n->retained, b, sizeof b);
	snprintf(line, sizeof line, "size %s, keeps %s alive alone", a, b);
	put_line(s, in, &y, line, SCREEN_NORMAL);
	if (n->scc >= 0)
		put_line(s, in, &y, "⟲ on a reference cycle: only the GC frees it", SCREEN_FAIL);
	if (n->external)
		put_line(s, in, &y, "also referenced from outside this graph", SCREEN_DIM);
	put_line(s, in, &y, "refers to:", SCREEN_HEADING);
	for (int e = 0; e < g->n_edges; e++) {
		if (g->edges[e].from != v->selected)
			continue;
		if (shown++ == 6) {
			put_line(s, in, &y, "  …", SCREEN_DIM);
			break;
		}
		snprintf(line, sizeof line, "  %s%s → %s", g->edges[e].in_cycle ? "⟲ " : "",
		         g->edges[e].label[0] ? g->edges[e].label : "?", g->nodes[g->edges[e].to].type);
		put_line(s, in, &y, line, g->edges[e].in_cycle ? SCREEN_FAIL : SCREEN_NORMAL);
	}
	put_line(s, in, &y, "why is it alive?", SCREEN_HEADING);
	if (n->addr == 0) {
		put_line(s, in, &y, "  (a summary: select one object)", SCREEN_DIM);
	} else if (m->why_addr != n->addr) {
		put_line(s, in, &y, "  press enter again to ask", SCREEN_DIM);
	} else if (m->why == NULL) {
		put_line(s, in, &y, "  searching…", SCREEN_DIM);
	} else {
		for (int i = 0; i < m->why_len; i++) {
			snprintf(line, sizeof line, "  %s", m->why[i]);
			put_line(s, in, &y, line, SCREEN_NORMAL);
		}
	}
}

static void graph_view_draw(void *data, struct screen *s, struct screen_rect r,
                            const struct view_ctx *ctx)
{
	struct graph_view *v = data;
	const struct model *m = ctx->model;
	struct screen_rect area = { r.x, r.y + 2, r.w, r.h - 2 };

	draw_header(v, s, r, m);
	v->area = area;
	if (v->shown == NULL) {
		screen_put(s, area, area.x + 1, area.y + 1,
		           m->graph_roots[0] ? "Nothing to draw: the roots are gone. Nothing keeps them alive."
		                             : "This scenario shows no graph yet (graph.show in its steps).",
		           SCREEN_DIM);
		return;
	}
	if (v->reveal)
		graph_layout_reveal(&v->layout, v->selected, area.w, area.h, &v->scroll_x, &v->scroll_y);
	v->reveal = false;
	/* Panning stops at the edges of the layout. */
	if (v->scroll_x > v->layout.width - area.w)
		v->scroll_x = v->layout.width - area.w;
	if (v->scroll_y > v->layout.height - area.h)
		v->scroll_y = v->layout.height - area.h;
	if (v->scroll_x < 0)
		v->scroll_x = 0;
	if (v->scroll_y < 0)
		v->scroll_y = 0;
	graph_draw(s, area, v->shown, &v->layout, v->scroll_x, v->scroll_y, v->selected);
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
	if (v->details && v->selected_addr)
		v->why_request = v->selected_addr;
}

/* The next edge on a cycle out of the selected node. */
static int cycle_step(const struct graph_view *v)
{
	for (int e = 0; e < v->shown->n_edges; e++)
		if (v->shown->edges[e].from == v->selected && v->shown->edges[e].in_cycle)
			return v->shown->edges[e].to;
	return -1;
}

static bool graph_view_key(void *data, int key)
{
	struct graph_view *v = data;
	static const struct { int key; enum graph_layout_dir dir; } arrows[] = {
		{ TERM_KEY_UP, GRAPH_LAYOUT_UP }, { TERM_KEY_DOWN, GRAPH_LAYOUT_DOWN },
		{ TERM_KEY_LEFT, GRAPH_LAYOUT_LEFT }, { TERM_KEY_RIGHT, GRAPH_LAYOUT_RIGHT },
	};

	if (key == 'e') {
		v->expanded = !v->expanded;
		v->relayout = true;
		return true;
	}
	if (v->shown == NULL)
		return false;
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
	case 'c':
		select_node(v, cycle_step(v));
		return true;
	case TERM_KEY_ENTER:
		v->details = !v->details;
		if (v->details && v->selected_addr)
			v->why_request = v->selected_addr;
		return true;
	case TERM_KEY_ESCAPE:
		v->details = false;
		return true;
	case TERM_KEY_HOME:
		select_node(v, 0);
		return true;
	case 'h': v->scroll_x -= PAN; return true;
	case 'l': v->scroll_x += PAN; return true;
	case 'k': v->scroll_y -= PAN / 2; return true;
	case 'j': v->scroll_y += PAN / 2; return true;
	}
	return false;
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
