/* test_graph.c — cycles, retained sizes and chain collapsing on known graphs. */
#include <stdio.h>
#include <string.h>

#include "check.h"
#include "graph.h"

static int node(struct graph *g, enum graph_kind kind, const char *type, size_t size)
{
	struct graph_node n = { .kind = kind, .size = size };

	n.addr = (uintptr_t)(g->n_nodes + 1) * 64;
	snprintf(n.type, sizeof n.type, "%s", type);
	return graph_add_node(g, &n);
}

static int edge_index(const struct graph *g, int from, int to)
{
	for (int e = 0; e < g->n_edges; e++)
		if (g->edges[e].from == from && g->edges[e].to == to)
			return e;
	return -1;
}

/* The seed's cycle: exc -> tb -> frame -> local `err` -> exc, plus a payload. */
static void test_exception_cycle(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "ValueError", 72);
	int tb = node(g, GRAPH_TRACEBACK, "traceback", 64);
	int fr = node(g, GRAPH_FRAME, "frame", 208);
	int big = node(g, GRAPH_BYTES, "bytes", 5000000);
	int args = node(g, GRAPH_TUPLE, "tuple", 48);

	g->nodes[exc].root = true;
	graph_add_edge(g, exc, tb, "__traceback__");
	graph_add_edge(g, exc, args, "args");
	graph_add_edge(g, tb, fr, "tb_frame");
	graph_add_edge(g, fr, exc, "err");
	graph_add_edge(g, fr, big, "payload");
	CHECK(graph_find_cycles(g) == 1);
	CHECK(g->nodes[exc].scc >= 0 && g->nodes[exc].scc == g->nodes[tb].scc &&
	      g->nodes[tb].scc == g->nodes[fr].scc);
	CHECK(g->nodes[big].scc == -1 && g->nodes[args].scc == -1);
	CHECK(g->edges[edge_index(g, fr, exc)].in_cycle);
	CHECK(g->edges[edge_index(g, exc, tb)].in_cycle);
	CHECK(!g->edges[edge_index(g, fr, big)].in_cycle);
	int path[8];
	CHECK(graph_cycle_through(g, exc, path, 8) == 3);
	CHECK(path[0] == edge_index(g, exc, tb) && path[1] == edge_index(g, tb, fr) &&
	      path[2] == edge_index(g, fr, exc));
	CHECK(graph_cycle_through(g, big, path, 8) == 0);
	CHECK(graph_path(g, exc, big, path, 8) == 3);
	CHECK(path[0] == edge_index(g, exc, tb) && path[2] == edge_index(g, fr, big));
	CHECK(graph_path(g, big, exc, path, 8) == -1);
	CHECK(graph_path(g, exc, exc, path, 8) == 0);

	graph_compute_retained(g);
	CHECK(g->nodes[exc].retained == 72 + 64 + 208 + 5000000 + 48);
	CHECK(g->nodes[fr].retained == 208 + 5000000);
	CHECK(g->nodes[big].retained == 5000000);

	/* Held from outside too, the frame keeps nothing alone but its payload. */
	g->nodes[fr].external = true;
	graph_compute_retained(g);
	CHECK(g->nodes[exc].retained == 72 + 64 + 48);
	CHECK(g->nodes[fr].retained == 208 + 5000000);
	graph_free(g);
}

static void test_self_list_and_cell(void)
{
	struct graph *g = graph_new();
	int lst = node(g, GRAPH_LIST, "list", 56);
	int fn = node(g, GRAPH_FUNCTION, "function", 136);
	int clo = node(g, GRAPH_TUPLE, "tuple", 48);
	int cell = node(g, GRAPH_CELL, "cell", 40);

	g->nodes[lst].root = g->nodes[fn].root = true;
	graph_add_edge(g, lst, lst, "[0]");            /* l.append(l) */
	graph_add_edge(g, fn, clo, "__closure__");      /* def f(): f (a closure over itself) */
	graph_add_edge(g, clo, cell, "[0]");
	graph_add_edge(g, cell, fn, "cell_contents");
	CHECK(graph_find_cycles(g) == 2);
	CHECK(g->nodes[lst].scc >= 0);
	CHECK(g->edges[edge_index(g, lst, lst)].in_cycle);
	CHECK(g->nodes[cell].scc == g->nodes[fn].scc && g->nodes[fn].scc != g->nodes[lst].scc);
	graph_free(g);
}

static void test_plain_chain_has_no_cycle(void)
{
	struct graph *g = graph_new();
	int prev = node(g, GRAPH_EXCEPTION, "CustomError", 80);

	g->nodes[prev].root = true;
	for (int i = 0; i < 50; i++) {
		int tb = node(g, GRAPH_TRACEBACK, "traceback", 64);
		int fr = node(g, GRAPH_FRAME, "frame", 208);
		graph_add_edge(g, prev, tb, i ? "tb_next" : "__traceback__");
		graph_add_edge(g, tb, fr, "tb_frame");
		prev = tb;
	}
	CHECK(graph_find_cycles(g) == 0);
	for (int i = 0; i < g->n_nodes; i++)
		CHECK(g->nodes[i].scc == -1);
	for (int e = 0; e < g->n_edges; e++)
		CHECK(!g->edges[e].in_cycle);
	graph_free(g);
}

/* 10,000 entries, each with its frame and a 500 KB local. */
static void test_collapse_long_chain(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "CustomError", 80), prev = exc;
	int caller = node(g, GRAPH_FRAME, "frame", 208);

	g->nodes[exc].root = true;
	g->nodes[caller].external = true;   /* a frame still running */
	for (int i = 0; i < 10000; i++) {
		int tb = node(g, GRAPH_TRACEBACK, "traceback", 64);
		int fr = node(g, GRAPH_FRAME, "frame", 208);
		int big = node(g, GRAPH_BYTES, "bytes", 500000);
		graph_add_edge(g, prev, tb, prev == exc ? "__traceback__" : "tb_next");
		graph_add_edge(g, tb, fr, "tb_frame");
		graph_add_edge(g, fr, big, "payload");
		graph_add_edge(g, fr, caller, "f_back");
		prev = tb;
	}
	struct graph *c = graph_collapse_chains(g, 3, 3);
	int summary = -1, tbs = 0;
	for (int i = 0; i < c->n_nodes; i++) {
		tbs += c->nodes[i].kind == GRAPH_TRACEBACK;
		if (c->nodes[i].kind == GRAPH_SUMMARY)
			summary = i;
	}
	/* The first tb hangs off __traceback__, so the tb_next chain has 10,000
	 * entries: 3 + 3 kept, 9,994 in the summary. */
	CHECK(summary >= 0);
	CHECK(tbs == 6);
	CHECK(c->nodes[summary].collapsed == 9994);
	CHECK(c->nodes[summary].collapsed_bytes == (size_t)9994 * (64 + 208 + 500000));
	CHECK(strstr(c->nodes[summary].repr, "9,994 more traceback entries") != NULL);
	CHECK(c->n_nodes == 1 + 1 + 6 * 3 + 1);
	/* The summary links the two kept ends and the shared caller. */
	int into = 0, out_tb = 0, out_caller = 0;
	for (int e = 0; e < c->n_edges; e++) {
		into += c->edges[e].to == summary && strcmp(c->edges[e].label, "tb_next") == 0;
		out_tb += c->edges[e].from == summary && c->nodes[c->edges[e].to].kind == GRAPH_TRACEBACK;
		out_caller += c->edges[e].from == summary && strcmp(c->edges[e].label, "f_back") == 0;
	}
	CHECK(into == 1 && out_tb == 1 && out_caller == 1);
	graph_compute_retained(c);
	CHECK(c->nodes[summary].retained >= c->nodes[summary].collapsed_bytes);

	/* A short chain is left alone. */
	struct graph *small = graph_new();
	int e0 = node(small, GRAPH_EXCEPTION, "E", 80), p = e0;
	small->nodes[e0].root = true;
	for (int i = 0; i < 7; i++) {
		int tb = node(small, GRAPH_TRACEBACK, "traceback", 64);
		graph_add_edge(small, p, tb, "tb_next");
		p = tb;
	}
	struct graph *same = graph_collapse_chains(small, 3, 3);
	CHECK(same->n_nodes == small->n_nodes && same->n_edges == small->n_edges);
	graph_free(same);
	graph_free(small);
	graph_free(c);
	graph_free(g);
}

/* The summaries of c, in order, into out (at most max); their count. */
static int summaries(const struct graph *c, int *out, int max)
{
	int n = 0;

	for (int i = 0; i < c->n_nodes; i++)
		if (c->nodes[i].kind == GRAPH_SUMMARY && n < max)
			out[n++] = i;
	return n;
}

/* Node i of g in the collapsed c, by its address; -1 when folded away. */
static int kept_as(const struct graph *g, const struct graph *c, int i)
{
	return graph_find(c, g->nodes[i].addr);
}

/* 1,000 exceptions, each with a chain of 10 entries: each summary counts
 * the middle of its own chain and nothing else, and links its own ends. */
static void test_collapse_many_chains(void)
{
	enum { EXCS = 1000, LEN = 10 };
	struct graph *g = graph_new();
	static int tbs[EXCS][LEN];
	static int s[EXCS + 1];

	for (int k = 0; k < EXCS; k++) {
		int exc = node(g, GRAPH_EXCEPTION, "E", 80), prev = exc;
		g->nodes[exc].root = true;
		for (int i = 0; i < LEN; i++) {
			tbs[k][i] = node(g, GRAPH_TRACEBACK, "traceback", 64);
			graph_add_edge(g, prev, tbs[k][i], prev == exc ? "__traceback__" : "tb_next");
			/* Frames of a different size per chain: bytes counted in the
			 * wrong summary show. */
			graph_add_edge(g, tbs[k][i], node(g, GRAPH_FRAME, "frame", (size_t)(100 + k)),
			               "tb_frame");
			prev = tbs[k][i];
		}
	}
	struct graph *c = graph_collapse_chains(g, 3, 3);
	CHECK(summaries(c, s, EXCS + 1) == EXCS);
	CHECK(c->n_nodes == EXCS * (1 + 6 * 2 + 1));
	for (int k = 0; k < EXCS; k++) {
		int head = kept_as(g, c, tbs[k][2]), tail = kept_as(g, c, tbs[k][7]);
		CHECK(c->nodes[s[k]].collapsed == LEN - 6);
		CHECK(c->nodes[s[k]].collapsed_bytes == (size_t)(LEN - 6) * (64 + 100 + k));
		CHECK(kept_as(g, c, tbs[k][3]) < 0 && kept_as(g, c, tbs[k][6]) < 0);
		CHECK(head >= 0 && edge_index(c, head, s[k]) >= 0);
		CHECK(tail >= 0 && edge_index(c, s[k], tail) >= 0);
	}
	graph_free(c);
	graph_free(g);
}

/* A ring of links has no first link: it is left whole (graph_summarize
 * bounds what is drawn). A fork ends a chain: both branches stay in view
 * from the node that forks, and each piece is folded on its own. */
static void test_collapse_ring_and_fork(void)
{
	struct graph *g = graph_new();
	int ring[20], a[20], b[10];

	for (int i = 0; i < 20; i++) {
		ring[i] = node(g, GRAPH_LIST, "list", 56);
		if (i > 0)
			graph_add_edge(g, ring[i - 1], ring[i], "[0]");
	}
	graph_add_edge(g, ring[19], ring[0], "[0]");
	g->nodes[ring[0]].root = true;
	struct graph *c = graph_collapse_chains(g, 3, 3);
	CHECK(c->n_nodes == 20 && c->n_edges == 20);
	graph_free(c);
	graph_free(g);

	g = graph_new();
	for (int i = 0; i < 20; i++) {
		a[i] = node(g, GRAPH_FRAME, "frame", 200);
		if (i > 0)
			graph_add_edge(g, a[i - 1], a[i], "f_back");
	}
	for (int i = 0; i < 10; i++) {
		b[i] = node(g, GRAPH_FRAME, "frame", 300);
		graph_add_edge(g, i ? b[i - 1] : a[10], b[i], "f_back");
	}
	g->nodes[a[0]].root = true;
	c = graph_collapse_chains(g, 3, 3);
	int s[4];
	/* a0..a10 (11 nodes), a11..a19 (9) and b0..b9 (10): middles of 5, 3 and 4. */
	CHECK(summaries(c, s, 4) == 3);
	CHECK(c->nodes[s[0]].collapsed == 5 && c->nodes[s[0]].collapsed_bytes == 5 * 200);
	CHECK(c->nodes[s[1]].collapsed == 3 && c->nodes[s[1]].collapsed_bytes == 3 * 200);
	CHECK(c->nodes[s[2]].collapsed == 4 && c->nodes[s[2]].collapsed_bytes == 4 * 300);
	CHECK(strstr(c->nodes[s[2]].repr, "4 more frames") != NULL);
	int fork = kept_as(g, c, a[10]);
	CHECK(fork >= 0 && edge_index(c, fork, kept_as(g, c, a[11])) >= 0 &&
	      edge_index(c, fork, kept_as(g, c, b[0])) >= 0);
	CHECK(c->n_nodes == 30 - 12 + 3);
	graph_free(c);
	graph_free(g);
}

/* Lesson 2's shape at length: the last frame's local refers back to the
 * exception. The cycle runs through the summary, which keeps its bytes. */
static void test_collapse_cycle_through_chain(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "E", 80), prev = exc, fr = -1;

	g->nodes[exc].root = true;
	for (int i = 0; i < 20; i++) {
		int tb = node(g, GRAPH_TRACEBACK, "traceback", 64);
		fr = node(g, GRAPH_FRAME, "frame", 208);
		graph_add_edge(g, prev, tb, prev == exc ? "__traceback__" : "tb_next");
		graph_add_edge(g, tb, fr, "tb_frame");
		prev = tb;
	}
	graph_add_edge(g, fr, exc, "err");
	struct graph *c = graph_collapse_chains(g, 3, 3);
	int s[2];
	CHECK(summaries(c, s, 2) == 1);
	CHECK(c->nodes[s[0]].collapsed == 14 && c->nodes[s[0]].collapsed_bytes == 14 * (64 + 208));
	CHECK(graph_find_cycles(c) == 1);
	int e = kept_as(g, c, exc);
	CHECK(c->nodes[s[0]].scc >= 0 && c->nodes[s[0]].scc == c->nodes[e].scc);
	graph_compute_retained(c);
	CHECK(c->nodes[e].retained == 80 + 20 * (64 + 208));
	graph_free(c);
	graph_free(g);
}

/* keep_head or keep_tail 0: the chain's first or last node goes into the
 * summary too, and the summary is entered, or left, by no chain edge. */
static void test_collapse_keep_none(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "E", 80), prev = exc, tb[10], s[2];

	g->nodes[exc].root = true;
	for (int i = 0; i < 10; i++) {
		tb[i] = node(g, GRAPH_TRACEBACK, "traceback", 64);
		graph_add_edge(g, prev, tb[i], i ? "tb_next" : "__traceback__");
		prev = tb[i];
	}
	struct graph *c = graph_collapse_chains(g, 2, 0);
	CHECK(c->n_nodes == 1 + 2 + 1 && c->n_edges == 3);
	CHECK(summaries(c, s, 2) == 1 && c->nodes[s[0]].collapsed == 8 &&
	      c->nodes[s[0]].collapsed_bytes == 8 * 64);
	CHECK(edge_index(c, kept_as(g, c, tb[1]), s[0]) >= 0);
	for (int e = 0; e < c->n_edges; e++)
		CHECK(c->edges[e].from != s[0]);
	graph_free(c);

	c = graph_collapse_chains(g, 0, 2);
	CHECK(c->n_nodes == 1 + 2 + 1 && c->n_edges == 3);
	CHECK(summaries(c, s, 2) == 1 && c->nodes[s[0]].collapsed == 8);
	int e = edge_index(c, kept_as(g, c, exc), s[0]);
	CHECK(e >= 0 && strcmp(c->edges[e].label, "__traceback__") == 0);
	CHECK(edge_index(c, s[0], kept_as(g, c, tb[8])) >= 0);
	graph_free(c);
	graph_free(g);
}

/* A list of 100,000 items: drawn as 12 of them and "+99,988 more". */
static void test_summarize_wide(void)
{
	struct graph *g = graph_new();
	int lst = node(g, GRAPH_LIST, "list", 800056), cyc_a, cyc_b;

	g->nodes[lst].root = true;
	for (int i = 0; i < 100000; i++)
		graph_add_edge(g, lst, node(g, GRAPH_LIST, "list", 64), "[i]");
	cyc_a = node(g, GRAPH_EXCEPTION, "E", 80);
	cyc_b = node(g, GRAPH_TRACEBACK, "traceback", 64);
	graph_add_edge(g, lst, cyc_a, "[last]");
	graph_add_edge(g, cyc_a, cyc_b, "__traceback__");
	graph_add_edge(g, cyc_b, cyc_a, "back");
	graph_find_cycles(g);

	struct graph *s = graph_summarize(g, 12, 200);
	int more = -1;
	for (int i = 0; i < s->n_nodes; i++)
		if (s->nodes[i].kind == GRAPH_MORE)
			more = i;
	CHECK(s->n_nodes <= 200 + 1);
	CHECK(more >= 0 && s->nodes[more].collapsed == 100001 - 12);
	CHECK(strstr(s->nodes[more].repr, "+99,989 more") != NULL);
	/* The cycle is kept first, whatever the order of the edges. */
	CHECK(graph_find(s, g->nodes[cyc_a].addr) >= 0 && graph_find(s, g->nodes[cyc_b].addr) >= 0);
	CHECK(graph_find_cycles(s) == 1);
	/* The items left out are only counted: none is drawn apart from the list. */
	int path[4];
	for (int i = 1; i < s->n_nodes; i++)
		CHECK(graph_path(s, 0, i, path, 4) > 0);

	/* A small graph passes unchanged. */
	struct graph *small = graph_summarize(s, 100, 1000);
	CHECK(small->n_nodes == s->n_nodes && small->n_edges == s->n_edges);
	graph_free(small);
	graph_free(s);
	graph_free(g);
}

/* A frame's machinery goes, with what only it holds; what else reaches
 * stays, and roots and the highlight always stay. */
static void test_hide_incidental(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "AppError", 72);
	int fr = node(g, GRAPH_FRAME, "frame", 200);
	int fn = node(g, GRAPH_FUNCTION, "function", 152);
	int code = node(g, GRAPH_CODE, "code", 256);
	int name = node(g, GRAPH_STR, "str", 60);         /* only the function holds it */
	int shared = node(g, GRAPH_STR, "str", 58);       /* the function and the frame */
	int none = node(g, GRAPH_OTHER, "NoneType", 16);
	int cls = node(g, GRAPH_TYPE, "type", 920);       /* a root: stays */
	int lone = node(g, GRAPH_LIST, "list", 56);       /* no root reaches it: stays */
	int lone_fn = node(g, GRAPH_FUNCTION, "function", 152);
	long hidden[GRAPH_KIND_COUNT];

	g->nodes[exc].root = g->nodes[cls].root = true;
	for (int i = fn; i <= cls; i++)
		g->nodes[i].incidental = i != name && i != shared;
	g->nodes[lone_fn].incidental = true;
	graph_add_edge(g, exc, fr, "frame");
	graph_add_edge(g, fr, fn, "f_func");
	graph_add_edge(g, fr, code, "f_code");
	graph_add_edge(g, fr, shared, "who");
	graph_add_edge(g, fr, none, "result");
	graph_add_edge(g, fn, code, "__code__");
	graph_add_edge(g, fn, name, "__qualname__");
	graph_add_edge(g, fn, shared, "__doc__");
	graph_add_edge(g, cls, fn, "method");
	graph_add_edge(g, lone, lone_fn, "[0]");

	struct graph *h = graph_hide_incidental(g, hidden);
	CHECK(h->n_nodes == 5);   /* exc, fr, shared, cls, lone */
	CHECK(graph_find(h, g->nodes[exc].addr) >= 0 && graph_find(h, g->nodes[fr].addr) >= 0);
	CHECK(graph_find(h, g->nodes[shared].addr) >= 0 && graph_find(h, g->nodes[lone].addr) >= 0);
	CHECK(graph_find(h, g->nodes[cls].addr) >= 0);
	CHECK(graph_find(h, g->nodes[fn].addr) < 0 && graph_find(h, g->nodes[name].addr) < 0);
	CHECK(hidden[GRAPH_FUNCTION] == 2 && hidden[GRAPH_CODE] == 1 && hidden[GRAPH_STR] == 1 &&
	      hidden[GRAPH_OTHER] == 1 && hidden[GRAPH_TYPE] == 0);
	CHECK(h->n_edges == 2);   /* frame, who */
	CHECK(strcmp(h->edges[edge_index(h, graph_find(h, g->nodes[fr].addr),
	                                 graph_find(h, g->nodes[shared].addr))].label, "who") == 0);
	graph_free(h);

	/* The highlighted function stays, and so does what it holds. */
	g->highlight = g->nodes[fn].addr;
	h = graph_hide_incidental(g, NULL);
	CHECK(graph_find(h, g->nodes[fn].addr) >= 0 && graph_find(h, g->nodes[name].addr) >= 0);
	CHECK(graph_find(h, g->nodes[code].addr) < 0);
	CHECK(h->highlight == g->highlight);
	graph_free(h);
	graph_free(g);
}

/* From every root at once: the nearest root's path, the first root on a tie
 * of length, never the target itself as its own root. */
static void test_path_from_roots(void)
{
	struct graph *g = graph_new();
	int far = node(g, GRAPH_DICT, "globals", 100);
	int mid = node(g, GRAPH_LIST, "list", 56);
	int near = node(g, GRAPH_FRAME, "frame", 208);
	int tie = node(g, GRAPH_FRAME, "frame", 208);
	int exc = node(g, GRAPH_EXCEPTION, "ValueError", 72);
	int from = -1, path[8];

	g->nodes[far].root = g->nodes[near].root = g->nodes[tie].root = true;
	graph_add_edge(g, far, mid, "errors");
	graph_add_edge(g, mid, exc, "[0]");
	graph_add_edge(g, tie, exc, "e");
	graph_add_edge(g, near, exc, "err");
	CHECK(graph_path_from_roots(g, exc, path, 8, &from) == 1);
	CHECK(from == near && path[0] == edge_index(g, near, exc));
	CHECK(graph_path_from_roots(g, mid, path, 8, &from) == 1 && from == far);
	/* A root is reached from another root, not from itself. */
	graph_add_edge(g, far, near, "frame");
	CHECK(graph_path_from_roots(g, near, path, 8, &from) == 1 && from == far);
	CHECK(graph_path_from_roots(g, far, path, 8, &from) == -1);
	graph_free(g);
}

int main(void)
{
	test_path_from_roots();
	test_hide_incidental();
	test_summarize_wide();
	test_exception_cycle();
	test_self_list_and_cell();
	test_plain_chain_has_no_cycle();
	test_collapse_long_chain();
	test_collapse_many_chains();
	test_collapse_ring_and_fork();
	test_collapse_cycle_through_chain();
	test_collapse_keep_none();
	return check_done("test_graph");
}
