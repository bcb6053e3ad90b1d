/* test_graph_layout.c — the object graph's layout and drawing.
 *
 * Goldens: a few graphs drawn into an 80x24 screen, UTF-8 and ASCII, are
 * compared with tests/golden/graph/<name>.<utf8|ascii>.txt (run from the
 * source root, as meson does). After a deliberate change to the drawing,
 * regenerate them and inspect every file by eye before committing:
 *
 *     EXCLAB_REGENERATE_GOLDENS=1 build/tests/test_graph_layout
 *
 * Regenerating writes whatever the code draws now and checks nothing
 * against the goldens, so it refuses to run when CI is set: a CI job with
 * the variable left on would pass whatever the drawing became.
 *
 * Properties: on 200 random graphs (fixed seed; cycles, self loops, parallel
 * edges, summaries, no roots at all) no two boxes overlap, everything lies
 * inside the extent, every route starts beside its source box and ends
 * beside its target box in orthogonal steps, no route cell is inside a box,
 * and no route crosses another's label. */
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "graph.h"
#include "graph_layout.h"
#include "screen.h"
#include "util.h"

#define GOLDEN_DIR "tests/golden/graph/"

/* EXCLAB_REGENERATE_GOLDENS is set: write the goldens instead of comparing. */
static bool regenerate;

static int node(struct graph *g, enum graph_kind kind, const char *type, const char *repr,
                size_t size, size_t retained)
{
	struct graph_node n = { .addr = (uintptr_t)(0x1000 + 16 * g->n_nodes), .kind = kind,
	                        .size = size, .retained = retained, .scc = -1 };

	snprintf(n.type, sizeof n.type, "%s", type);
	snprintf(n.repr, sizeof n.repr, "%s", repr);
	return graph_add_node(g, &n);
}

static void make_root(struct graph *g, int i, const char *name)
{
	g->nodes[i].root = true;
	snprintf(g->nodes[i].root_name, sizeof g->nodes[i].root_name, "%s", name);
}

/* The seed article's cycle: a handler keeps the exception in a local. */
static struct graph *seed_cycle(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "CustomError", "CustomError('user 42')", 56, 50100000);
	int tb = node(g, GRAPH_TRACEBACK, "traceback", "lookup line 14", 64, 64);
	int fr = node(g, GRAPH_FRAME, "frame", "lookup() line 14", 432, 50000500);
	int data = node(g, GRAPH_BYTES, "bytes", "b'\\x00\\x00\\x00...'", 50000033, 50000033);

	make_root(g, exc, "Errors.user_not_found");
	graph_add_edge(g, exc, tb, "__traceback__");
	graph_add_edge(g, tb, fr, "tb_frame");
	graph_add_edge(g, fr, exc, "err");
	graph_add_edge(g, fr, data, "payload");
	graph_find_cycles(g);
	return g;
}

/* A reused exception's traceback: six entries, each with its frame. */
static struct graph *chain6(void)
{
	static const char *const fn[] = { "main", "serve", "handle", "route", "lookup", "fetch" };
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "KeyError", "KeyError('user')", 64, 3200);
	int prev_tb = exc, prev_fr = -1;

	make_root(g, exc, "cached");
	for (int i = 0; i < 6; i++) {
		char repr[64];
		int tb, fr;

		snprintf(repr, sizeof repr, "%s line %d", fn[i], 10 + 7 * i);
		tb = node(g, GRAPH_TRACEBACK, "traceback", repr, 64, 64);
		snprintf(repr, sizeof repr, "%s() line %d", fn[i], 10 + 7 * i);
		fr = node(g, GRAPH_FRAME, "frame", repr, 480, 480);
		graph_add_edge(g, prev_tb, tb, i == 0 ? "__traceback__" : "tb_next");
		graph_add_edge(g, tb, fr, "tb_frame");
		if (prev_fr >= 0)
			graph_add_edge(g, fr, prev_fr, "f_back");
		prev_tb = tb;
		prev_fr = fr;
	}
	graph_find_cycles(g);
	return g;
}

/* A long chain folded into a summary between its two ends. */
static struct graph *summary(void)
{
	struct graph *g = graph_new();
	int exc = node(g, GRAPH_EXCEPTION, "TimeoutError", "TimeoutError()", 72, 1201000);
	int t1 = node(g, GRAPH_TRACEBACK, "traceback", "retry line 8", 64, 1200900);
	int s = node(g, GRAPH_SUMMARY, "traceback",
	             "\u2026 9,994 more traceback entries (1.1 MB) \u2026", 0, 0);
	int t3 = node(g, GRAPH_TRACEBACK, "traceback", "connect line 31", 64, 64);
	int f1 = node(g, GRAPH_FRAME, "frame", "retry() line 8", 480, 480);
	int f3 = node(g, GRAPH_FRAME, "frame", "connect() line 31", 480, 480);

	g->nodes[s].collapsed = 9994;
	g->nodes[s].collapsed_bytes = 1100000;
	make_root(g, exc, "last_error");
	graph_add_edge(g, exc, t1, "__traceback__");
	graph_add_edge(g, t1, s, "tb_next");
	graph_add_edge(g, s, t3, "tb_next");
	graph_add_edge(g, t1, f1, "tb_frame");
	graph_add_edge(g, t3, f3, "tb_frame");
	graph_add_edge(g, f3, f1, "f_back");
	graph_find_cycles(g);
	return g;
}

/* A frame's locals, one name longer than a label is given, and the cycle
 * through the exception it holds. */
static struct graph *labels(void)
{
	struct graph *g = graph_new();
	int fr = node(g, GRAPH_FRAME, "frame", "handle() app.py:14", 432, 5000600);
	int data = node(g, GRAPH_BYTES, "bytes", "5000000 bytes", 5000033, 5000033);
	int rows = node(g, GRAPH_LIST, "list", "3 items", 88, 88);
	int exc = node(g, GRAPH_EXCEPTION, "AppError", "AppError('boom')", 72, 200);
	int tb = node(g, GRAPH_TRACEBACK, "traceback", "app.py:14", 64, 64);

	make_root(g, fr, "frame");
	graph_add_edge(g, fr, data, "payload");
	graph_add_edge(g, fr, rows, "rows_read_before_the_failure");
	graph_add_edge(g, fr, exc, "exc");
	graph_add_edge(g, exc, tb, "__traceback__");
	graph_add_edge(g, tb, fr, "tb_frame");
	graph_find_cycles(g);
	return g;
}

/* lst = [1, 'x']; lst.insert(0, lst) */
static struct graph *self_list(void)
{
	struct graph *g = graph_new();
	int lst = node(g, GRAPH_LIST, "list", "[[...], 1, 'x']", 88, 88);
	int one = node(g, GRAPH_NUMBER, "int", "1", 28, 0);
	int x = node(g, GRAPH_STR, "str", "'x'", 42, 0);

	make_root(g, lst, "lst");
	graph_add_edge(g, lst, lst, "[0]");
	graph_add_edge(g, lst, one, "[1]");
	graph_add_edge(g, lst, x, "[2]");
	graph_find_cycles(g);
	return g;
}

static char *read_text(const char *path)
{
	struct error err;

	return util_read_file(path, NULL, &err);
}

static void check_golden(const char *name, struct graph *g, bool ascii, int scroll_x)
{
	struct graph_layout l;
	struct screen *s = screen_new(80, 24, ascii);
	char path[256], *got, *want;

	CHECK(graph_layout(g, NULL, &l) == 0);
	graph_draw(s, screen_bounds(s), g, &l, scroll_x, 0, -1);
	got = screen_to_text(s);
	if (ascii)
		CHECK(strchr(got, '?') == NULL);   /* every glyph has an ASCII stand-in */
	snprintf(path, sizeof path, GOLDEN_DIR "%s.%s.txt", name, ascii ? "ascii" : "utf8");
	if (regenerate) {
		FILE *f = fopen(path, "w");

		CHECK(f != NULL);
		if (f != NULL) {
			fputs(got, f);
			fclose(f);
		}
	} else {
		want = read_text(path);
		CHECK(want != NULL);
		if (want != NULL)
			CHECK_STR(got, want);
		free(want);
	}
	free(got);
	graph_layout_free(&l);
	screen_free(s);
}

static void test_goldens(void)
{
	struct {
		const char *name;
		struct graph *(*make)(void);
		int scroll_x;
	} cases[] = {
		{ "seed_cycle", seed_cycle, 0 },
		{ "chain6", chain6, 0 },
		{ "chain6_scrolled", chain6, 87 },
		{ "summary", summary, 0 },
		{ "self_list", self_list, 0 },
		{ "labels", labels, 0 },
	};

	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		struct graph *g = cases[k].make();

		check_golden(cases[k].name, g, false, cases[k].scroll_x);
		check_golden(cases[k].name, g, true, cases[k].scroll_x);
		graph_free(g);
	}
}

/* The cells of edge e's label as graph_draw puts it, "⟲ " included, in
 * *x0 .. *x1; false when it has none. */
static bool label_cells(const struct graph *g, const struct graph_layout *l, int e, int *x0,
                        int *x1)
{
	const struct graph_layout_route *r = &l->routes[e];
	int tw = (int)strlen(g->edges[e].label) + (g->edges[e].in_cycle ? 2 : 0);

	if (g->edges[e].label[0] == '\0' || r->label_w <= 0)
		return false;
	if (tw > r->label_w - 2)
		tw = r->label_w - 2;
	*x0 = r->label_at_end ? r->label_x + r->label_w - 1 - tw : r->label_x + 1;
	*x1 = *x0 + tw - 1;
	return true;
}

/* Every label has room in full (up to the cap) with a line cell either
 * side, and shows in full on screen. */
static void test_labels_in_full(void)
{
	struct graph *(*const make[])(void) = { seed_cycle, chain6, labels };

	for (size_t k = 0; k < sizeof make / sizeof make[0]; k++) {
		struct graph *g = make[k]();
		struct graph_layout l;
		struct screen *s;
		char *text;

		graph_layout(g, NULL, &l);
		s = screen_new(l.width, l.height, false);
		graph_draw(s, screen_bounds(s), g, &l, 0, 0, -1);
		text = screen_to_text(s);
		for (int e = 0; e < g->n_edges; e++) {
			const char *label = g->edges[e].label;
			int tw = (int)strlen(label) + (g->edges[e].in_cycle ? 2 : 0);
			char want[64];

			if (tw > 16)   /* the default cap */
				continue;
			CHECK(l.routes[e].label_w >= tw + 2);
			snprintf(want, sizeof want, "%s%s", g->edges[e].in_cycle ? "\u27F2 " : "", label);
			CHECK(strstr(text, want) != NULL);
		}
		free(text);
		screen_free(s);
		graph_layout_free(&l);
		graph_free(g);
	}
}

/* Labels get room up to the cap; a longer one is cut with "…", and a lower
 * cap makes the drawing narrower. */
static void test_label_cap(void)
{
	struct graph *g = labels();   /* edge 1: "rows_read_before_the_failure", 28 cells */
	struct graph_layout_opts opt = { .label_max = 10 };
	struct graph_layout l;
	struct screen *s;
	char *text;
	int wide;

	graph_layout(g, NULL, &l);
	wide = l.width;
	CHECK(l.routes[1].label_w >= 16 + 2 && l.routes[1].label_w < 28 + 2);
	graph_layout_free(&l);
	graph_layout(g, &opt, &l);
	CHECK(l.width < wide);
	s = screen_new(l.width, l.height, false);
	graph_draw(s, screen_bounds(s), g, &l, 0, 0, -1);
	text = screen_to_text(s);
	CHECK(strstr(text, "rows_read") != NULL && strstr(text, "rows_read_before_the_failure") == NULL);
	CHECK(strstr(text, "\u2026") != NULL);
	CHECK(strstr(text, "payload") != NULL);
	free(text);
	screen_free(s);
	graph_layout_free(&l);
	graph_free(g);
}

/* Where the drawing ends beside a window: the whole drawing's edges for a
 * window over all of it, nothing for one below it, and at least the root's
 * box in the root's rows. */
static void test_reach(void)
{
	struct graph *g = seed_cycle();
	struct graph_layout l;
	struct screen_rect all, below, root;

	graph_layout(g, NULL, &l);
	all = (struct screen_rect){ 0, 0, l.width, l.height };
	below = (struct screen_rect){ 0, l.height, l.width, 5 };
	root = (struct screen_rect){ 0, l.boxes[0].y, 10, l.boxes[0].h };
	CHECK(graph_layout_reach(&l, all, false) == l.width);
	CHECK(graph_layout_reach(&l, all, true) == l.height);
	CHECK(graph_layout_reach(&l, below, false) == 0);
	CHECK(graph_layout_reach(&l, root, false) >= l.boxes[0].x + l.boxes[0].w);
	graph_layout_free(&l);
	graph_free(g);
}

/* The selected node stands out; cycle edges keep their own attribute. */
static void test_selected(void)
{
	struct graph *g = seed_cycle();
	struct graph_layout l;
	struct screen *s = screen_new(80, 24, false);
	struct screen_rect b;

	graph_layout(g, NULL, &l);
	graph_draw(s, screen_bounds(s), g, &l, 0, 0, 1);
	b = l.boxes[1];
	CHECK(screen_cell(s, b.x, b.y)->attr == SCREEN_SELECTED);
	CHECK(screen_cell(s, b.x + 3, b.y + 1)->attr == SCREEN_SELECTED);
	CHECK(screen_cell(s, l.boxes[0].x, l.boxes[0].y)->attr == SCREEN_BORDER);
	CHECK(screen_cell(s, l.boxes[0].x, l.boxes[0].y)->ch == 0x2554);   /* on a cycle: ╔ */
	/* Scrolled right by one layer, the traceback's box starts at column 0. */
	screen_clear(s);
	graph_draw(s, screen_bounds(s), g, &l, b.x, 0, -1);
	CHECK(screen_cell(s, 0, b.y)->ch == 0x2554);
	graph_layout_free(&l);
	screen_free(s);
	graph_free(g);
}

static void test_navigation(void)
{
	struct graph *g = chain6();   /* 0: exception; 1 + 2i: traceback i; 2 + 2i: its frame */
	struct graph_layout l;
	int sx = 0, sy = 0;

	graph_layout(g, NULL, &l);
	CHECK(graph_layout_neighbor(&l, 0, GRAPH_LAYOUT_RIGHT) == 1);
	CHECK(graph_layout_neighbor(&l, 1, GRAPH_LAYOUT_LEFT) == 0);
	CHECK(graph_layout_neighbor(&l, 0, GRAPH_LAYOUT_LEFT) == -1);
	CHECK(graph_layout_neighbor(&l, 0, GRAPH_LAYOUT_UP) == -1);
	/* Traceback 2 and the first frame share layer 2. */
	CHECK(graph_layout_neighbor(&l, 3, GRAPH_LAYOUT_UP) == 2 ||
	      graph_layout_neighbor(&l, 3, GRAPH_LAYOUT_DOWN) == 2);
	CHECK(graph_layout_follow(g, 1, 0) == 2);    /* tb_frame */
	CHECK(graph_layout_follow(g, 1, 1) == 3);    /* tb_next */
	CHECK(graph_layout_follow(g, 1, 2) == 2);    /* wraps */
	CHECK(graph_layout_follow(g, 2, 0) == -1);   /* the outermost frame has no f_back here */
	graph_layout_reveal(&l, 11, 80, 24, &sx, &sy);
	CHECK(sx + 80 >= l.boxes[11].x + l.boxes[11].w && sx <= l.boxes[11].x);
	CHECK(sy + 24 >= l.boxes[11].y + l.boxes[11].h && sy <= l.boxes[11].y);
	graph_layout_reveal(&l, 0, 80, 24, &sx, &sy);
	CHECK(sx == 0 && sy == 0);
	graph_layout_free(&l);
	graph_free(g);
}

/* ---- properties on random graphs ---- */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static unsigned rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

static struct graph *random_graph(void)
{
	static const char *const labels[] = { "tb_next", "tb_frame", "f_back", "[0]", "payload",
	                                      "__traceback__", "__context__", "x" };
	struct graph *g = graph_new();
	int n = 1 + (int)rnd(60), m = (int)rnd((unsigned)(2 * n + 1));

	for (int i = 0; i < n; i++) {
		int k = node(g, rnd(10) == 0 ? GRAPH_SUMMARY : (enum graph_kind)rnd(GRAPH_OTHER),
		             "t", "r", 8 * rnd(100), 8 * rnd(1000));

		if (rnd(8) == 0)
			make_root(g, k, "root");
	}
	for (int e = 0; e < m; e++)
		graph_add_edge(g, (int)rnd((unsigned)n), (int)rnd((unsigned)n), labels[rnd(8)]);
	graph_find_cycles(g);
	return g;
}

static bool inside(struct screen_rect r, int x, int y)
{
	return x >= r.x && x < r.x + r.w && y >= r.y && y < r.y + r.h;
}

/* (x, y) is beside a side of r, not beside a corner. */
static bool beside(struct screen_rect r, struct graph_layout_point p)
{
	return (p.x == r.x - 1 || p.x == r.x + r.w) && p.y > r.y && p.y < r.y + r.h - 1;
}

static int check_boxes(const struct graph *g, const struct graph_layout *l)
{
	int bad = 0;

	for (int i = 0; i < g->n_nodes; i++) {
		struct screen_rect a = l->boxes[i];

		bad += a.x < 0 || a.y < 0 || a.x + a.w > l->width || a.y + a.h > l->height;
		bad += a.h < 4;
		for (int j = i + 1; j < g->n_nodes; j++) {
			struct screen_rect b = l->boxes[j];

			bad += a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
		}
	}
	return bad;
}

static int check_cell(const struct graph *g, const struct graph_layout *l, int x, int y)
{
	int bad = x < 0 || y < 0 || x >= l->width || y >= l->height;

	for (int i = 0; i < g->n_nodes; i++)
		bad += inside(l->boxes[i], x, y);
	return bad;
}

static int check_route(const struct graph *g, const struct graph_layout *l, int e)
{
	const struct graph_layout_route *r = &l->routes[e];
	const struct graph_layout_point *p = l->points + r->first;
	int bad = 0;

	if (r->n_points < 2)
		return 1;
	bad += !beside(l->boxes[g->edges[e].from], p[0]);
	bad += !beside(l->boxes[g->edges[e].to], p[r->n_points - 1]);
	bad += check_cell(g, l, p[0].x, p[0].y);
	for (int k = 0; k + 1 < r->n_points; k++) {
		int dx = (p[k + 1].x > p[k].x) - (p[k + 1].x < p[k].x);
		int dy = (p[k + 1].y > p[k].y) - (p[k + 1].y < p[k].y);

		if (dx != 0 && dy != 0)
			return bad + 1;
		for (int x = p[k].x, y = p[k].y; x != p[k + 1].x || y != p[k + 1].y;) {
			x += dx;
			y += dy;
			bad += check_cell(g, l, x, y);
		}
	}
	/* The label's run lies on the first stretch, short of its far end. */
	bad += r->label_w < 0 || r->label_y != p[0].y;
	return bad;
}

/* No route but its own passes through a label's cells. */
static int check_labels(const struct graph *g, const struct graph_layout *l)
{
	int bad = 0;

	for (int e = 0; e < g->n_edges; e++) {
		int x0, x1, y = l->routes[e].label_y;

		if (!label_cells(g, l, e, &x0, &x1))
			continue;
		for (int f = 0; f < g->n_edges; f++) {
			const struct graph_layout_point *p = l->points + l->routes[f].first;

			for (int k = 0; f != e && k + 1 < l->routes[f].n_points; k++) {
				int lo_x = p[k].x < p[k + 1].x ? p[k].x : p[k + 1].x;
				int hi_x = p[k].x < p[k + 1].x ? p[k + 1].x : p[k].x;
				int lo_y = p[k].y < p[k + 1].y ? p[k].y : p[k + 1].y;
				int hi_y = p[k].y < p[k + 1].y ? p[k + 1].y : p[k].y;

				bad += lo_y <= y && y <= hi_y && lo_x <= x1 && x0 <= hi_x;
			}
		}
	}
	return bad;
}

static void test_random_properties(void)
{
	struct screen *s = screen_new(80, 24, false);

	for (int t = 0; t < 200; t++) {
		struct graph *g = random_graph();
		struct graph_layout l;
		int bad;

		CHECK(graph_layout(g, NULL, &l) == 0);
		bad = check_boxes(g, &l);
		for (int e = 0; e < g->n_edges; e++)
			bad += check_route(g, &l, e);
		bad += check_labels(g, &l);
		if (bad)
			fprintf(stderr, "random graph %d: %d nodes, %d edges: %d problems\n", t,
			        g->n_nodes, g->n_edges, bad);
		CHECK(bad == 0);
		s->ascii = t % 2;
		screen_clear(s);
		graph_draw(s, screen_bounds(s), g, &l, (int)rnd(40), (int)rnd(20),
		           (int)rnd((unsigned)g->n_nodes));
		graph_layout_free(&l);
		graph_free(g);
	}
	screen_free(s);
}

static void test_empty(void)
{
	struct graph *g = graph_new();
	struct graph_layout l;
	struct screen *s = screen_new(10, 3, false);

	CHECK(graph_layout(g, NULL, &l) == 0);
	CHECK(l.width == 0 && l.height == 0);
	graph_draw(s, screen_bounds(s), g, &l, 0, 0, -1);
	CHECK(graph_layout_neighbor(&l, 0, GRAPH_LAYOUT_RIGHT) == -1);
	graph_layout_free(&l);
	graph_layout_free(NULL);
	screen_free(s);
	graph_free(g);
}

int main(void)
{
	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_graph_layout: no C.UTF-8 locale\n");
		return 1;
	}
	regenerate = getenv("EXCLAB_REGENERATE_GOLDENS") != NULL;
	if (regenerate && getenv("CI") != NULL) {
		fprintf(stderr, "test_graph_layout: EXCLAB_REGENERATE_GOLDENS is set, and so is CI: "
		        "regenerating would overwrite the goldens with whatever is drawn now and "
		        "compare nothing. Regenerate on your own machine, inspect every file in "
		        GOLDEN_DIR " and commit them.\n");
		return 1;
	}
	test_goldens();
	test_labels_in_full();
	test_label_cap();
	test_reach();
	test_selected();
	test_navigation();
	test_random_properties();
	test_empty();
	if (regenerate)
		printf("test_graph_layout: goldens written to " GOLDEN_DIR
		       ", not compared: inspect every file before committing\n");
	return check_done("test_graph_layout");
}
