/* graph_layout.c — layered layout of an object graph on the character grid,
 * and drawing it into a screen. No curses, no interpreter.
 *
 * The layout, in the order graph_layout() runs it:
 *  1. layers: breadth-first distance from the roots;
 *  2. items and links: every node is an item; an edge that spans more than
 *     one layer passes through a one-row dummy item in each layer between;
 *     a link is the piece of an edge inside one gap between two layers;
 *  3. sizes: a box has one row per edge leaving a side (labels need their
 *     own run), at least two;
 *  4. order: barycenter sweeps within each layer;
 *  5. ports: which row of its box each link end uses;
 *  6. rows: each layer placed to line its ports up with its neighbours',
 *     keeping order and spacing (isotonic regression, pool adjacent violators);
 *  7. tracks: in each gap, the column where a link turns from one row to
 *     another (left-edge channel routing); the gap widens to fit them and,
 *     either side of them, the labels of the edges that start there;
 *  8. routes: the links of each edge joined into one polyline. */
#include "graph_layout.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define BOX_W_DEFAULT 20
#define GAP_DEFAULT 9
#define LABEL_MAX_DEFAULT 16   /* "⟲ __traceback__" and "__kwdefaults__" in full */
#define BOX_W_MIN 8
#define ROW_GAP 1          /* empty rows between two boxes of a layer */
#define SWEEPS 4           /* rounds of ordering and of row placement */

enum side { SIDE_LEFT, SIDE_RIGHT };

/* A slot in a layer: a node's box, or a row a long edge passes through. */
struct item {
	int node;          /* -1 for a dummy */
	int layer, pos;    /* pos: index in its layer, top first */
	int y, h;
	int inner;         /* rows inside the border */
};

/* The piece of an edge inside one gap. Item a is in layer `gap`, b in the
 * next one; for an edge within a layer both are in layer `gap` and the link
 * turns in the gap to their right. */
struct link {
	int edge;
	int a, b;
	int ya, yb;        /* port rows, relative to the items' tops */
	int gap;
	bool same;         /* both ends in one layer */
	bool leftward;     /* the edge runs from b to a */
	int track;         /* index among its gap's tracks, -1: no turn */
	int tx;            /* the column it turns in */
};

struct layout {
	const struct graph *g;
	int box_w, min_gap, label_max;
	struct item *items;
	int n_items, cap_items;
	struct link *links;
	int n_links, cap_links;
	int *edge_link;          /* an edge's first link; its links follow, source first */
	int *edge_nlinks;
	int n_layers;
	int *layer_start;        /* layer L is order[layer_start[L] .. layer_start[L + 1]) */
	int *order;
	int *nb_start[2];        /* per item, links that reach it from a side (SIDE_LEFT: it is b) */
	int *nb[2];
	int *gap_w, *layer_x;
	int height;
};

/* ---- 1. layers ---------------------------------------------------------- */

/* Out-edges of each node, as edge indexes: out[start[i] .. start[i + 1]). */
static void out_edges(const struct graph *g, int **start, int **out)
{
	int *s = xcalloc((size_t)g->n_nodes + 1, sizeof *s);
	int *o = xmalloc(((size_t)g->n_edges + 1) * sizeof *o);
	int *fill = xmalloc(((size_t)g->n_nodes + 1) * sizeof *fill);

	for (int e = 0; e < g->n_edges; e++)
		s[g->edges[e].from + 1]++;
	for (int i = 0; i < g->n_nodes; i++)
		s[i + 1] += s[i];
	memcpy(fill, s, ((size_t)g->n_nodes + 1) * sizeof *fill);
	for (int e = 0; e < g->n_edges; e++)
		o[fill[g->edges[e].from]++] = e;
	free(fill);
	*start = s;
	*out = o;
}

/* Breadth-first from the queue's nodes, which are already in layer `layer`. */
static void bfs(const struct graph *g, const int *start, const int *out, int *layer,
                int *queue, int head, int *tail)
{
	while (head < *tail) {
		int u = queue[head++];

		for (int k = start[u]; k < start[u + 1]; k++) {
			int v = g->edges[out[k]].to;

			if (layer[v] < 0) {
				layer[v] = layer[u] + 1;
				queue[(*tail)++] = v;
			}
		}
	}
}

/* Each node's layer; *rank gets the order nodes were reached in. Roots are in
 * layer 0; a node no root reaches starts a group of its own in layer 0 too,
 * ordered after everything reached before it. Returns the number of layers. */
static int assign_layers(const struct graph *g, int *layer, int *rank)
{
	int *start, *out, *queue = xmalloc(((size_t)g->n_nodes + 1) * sizeof *queue);
	int tail = 0, n_layers = 0;

	out_edges(g, &start, &out);
	for (int i = 0; i < g->n_nodes; i++)
		layer[i] = -1;
	for (int i = 0; i < g->n_nodes; i++) {
		if (g->nodes[i].root) {
			layer[i] = 0;
			queue[tail++] = i;
		}
	}
	bfs(g, start, out, layer, queue, 0, &tail);
	for (int seed = 0; seed < g->n_nodes; seed++) {
		if (layer[seed] < 0) {
			int head = tail;

			layer[seed] = 0;
			queue[tail++] = seed;
			bfs(g, start, out, layer, queue, head, &tail);
		}
	}
	for (int k = 0; k < tail; k++) {
		rank[queue[k]] = k;
		if (layer[queue[k]] + 1 > n_layers)
			n_layers = layer[queue[k]] + 1;
	}
	free(queue);
	free(start);
	free(out);
	return n_layers;
}

/* ---- 2. items and links ------------------------------------------------- */

static int add_item(struct layout *c, int node, int layer)
{
	if (c->n_items == c->cap_items) {
		c->cap_items = c->cap_items ? 2 * c->cap_items : 64;
		c->items = xrealloc(c->items, (size_t)c->cap_items * sizeof *c->items);
	}
	c->items[c->n_items] = (struct item){ .node = node, .layer = layer, .h = 1 };
	return c->n_items++;
}

static void add_link(struct layout *c, int edge, int a, int b, bool same, bool leftward)
{
	if (c->n_links == c->cap_links) {
		c->cap_links = c->cap_links ? 2 * c->cap_links : 64;
		c->links = xrealloc(c->links, (size_t)c->cap_links * sizeof *c->links);
	}
	c->links[c->n_links++] = (struct link){
		.edge = edge, .a = a, .b = b, .gap = c->items[a].layer,
		.same = same, .leftward = leftward, .track = -1,
	};
}

/* The links of edge e, source first, with a dummy item in each layer between. */
static void link_edge(struct layout *c, int e)
{
	const struct graph_edge *ed = &c->g->edges[e];
	int lu = c->items[ed->from].layer, lv = c->items[ed->to].layer;
	int prev = ed->from;

	c->edge_link[e] = c->n_links;
	if (lu == lv) {
		add_link(c, e, ed->from, ed->to, true, false);
	} else if (lu < lv) {
		for (int l = lu + 1; l < lv; l++) {
			int d = add_item(c, -1, l);

			add_link(c, e, prev, d, false, false);
			prev = d;
		}
		add_link(c, e, prev, ed->to, false, false);
	} else {
		for (int l = lu - 1; l > lv; l--) {
			int d = add_item(c, -1, l);

			add_link(c, e, d, prev, false, true);
			prev = d;
		}
		add_link(c, e, ed->to, prev, false, true);
	}
	c->edge_nlinks[e] = c->n_links - c->edge_link[e];
}

/* Links reaching each item from its left (it is their b) and right (it is their a). */
static void index_neighbours(struct layout *c)
{
	for (int s = 0; s < 2; s++) {
		int *fill;

		c->nb_start[s] = xcalloc((size_t)c->n_items + 1, sizeof(int));
		c->nb[s] = xmalloc(((size_t)c->n_links + 1) * sizeof(int));
		for (int k = 0; k < c->n_links; k++)
			if (!c->links[k].same)
				c->nb_start[s][(s == SIDE_LEFT ? c->links[k].b : c->links[k].a) + 1]++;
		for (int i = 0; i < c->n_items; i++)
			c->nb_start[s][i + 1] += c->nb_start[s][i];
		fill = xmalloc(((size_t)c->n_items + 1) * sizeof *fill);
		memcpy(fill, c->nb_start[s], ((size_t)c->n_items + 1) * sizeof *fill);
		for (int k = 0; k < c->n_links; k++)
			if (!c->links[k].same)
				c->nb[s][fill[s == SIDE_LEFT ? c->links[k].b : c->links[k].a]++] = k;
		free(fill);
	}
}

/* ---- 3. sizes ------------------------------------------------------------ */

/* Whether the end of link k at its a (end 0) or b (end 1) is the edge's source. */
static bool end_is_source(const struct link *k, int end)
{
	if (k->same)
		return end == 0;
	return k->leftward ? end == 1 : end == 0;
}

static enum side end_side(const struct link *k, int end)
{
	return end == 0 || k->same ? SIDE_RIGHT : SIDE_LEFT;
}

/* A box gets a row for every edge leaving a side, and one more for the edges
 * arriving there, which share rows when they must. */
static void size_items(struct layout *c)
{
	int (*count)[2][2] = xcalloc((size_t)c->n_items, sizeof *count);   /* [side][is source] */

	for (int k = 0; k < c->n_links; k++) {
		const struct link *lk = &c->links[k];

		count[lk->a][end_side(lk, 0)][end_is_source(lk, 0)]++;
		count[lk->b][end_side(lk, 1)][end_is_source(lk, 1)]++;
	}
	for (int i = 0; i < c->n_items; i++) {
		struct item *it = &c->items[i];
		int inner;

		if (it->node < 0)
			continue;
		inner = c->g->nodes[it->node].kind == GRAPH_SUMMARY ||
		        c->g->nodes[it->node].kind == GRAPH_MORE ? 3 : 2;
		for (int s = 0; s < 2; s++) {
			int need = count[i][s][1] + (count[i][s][0] > 0);

			if (need > inner)
				inner = need;
		}
		it->inner = inner;
		it->h = inner + 2;
	}
	free(count);
}

/* ---- 4. order ------------------------------------------------------------ */

struct keyed {
	double key;
	int pos, item;
};

static int keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->pos > b->pos) - (a->pos < b->pos);
}

/* Items bucketed by layer: nodes in the order they were reached, then dummies. */
static void initial_order(struct layout *c, const int *rank)
{
	struct keyed *tmp = xmalloc(((size_t)c->n_items + 1) * sizeof *tmp);

	c->layer_start = xcalloc((size_t)c->n_layers + 2, sizeof *c->layer_start);
	c->order = xmalloc(((size_t)c->n_items + 1) * sizeof *c->order);
	for (int i = 0; i < c->n_items; i++) {
		c->layer_start[c->items[i].layer + 1]++;
		tmp[i] = (struct keyed){
			.key = (double)c->items[i].layer * 2.0 * c->n_items +
			       (c->items[i].node >= 0 ? rank[i] : c->n_items + i),
			.pos = i, .item = i,
		};
	}
	for (int l = 0; l < c->n_layers; l++)
		c->layer_start[l + 1] += c->layer_start[l];
	qsort(tmp, (size_t)c->n_items, sizeof *tmp, keyed_cmp);
	for (int k = 0; k < c->n_items; k++) {
		c->order[k] = tmp[k].item;
		c->items[tmp[k].item].pos = k - c->layer_start[c->items[tmp[k].item].layer];
	}
	free(tmp);
}

/* Re-sort layer l by the mean position of each item's neighbours on side s;
 * items without any keep their place. */
static void sort_layer(struct layout *c, int l, enum side s, struct keyed *tmp)
{
	int first = c->layer_start[l], n = c->layer_start[l + 1] - first;

	for (int k = 0; k < n; k++) {
		int i = c->order[first + k];
		int from = c->nb_start[s][i], to = c->nb_start[s][i + 1];
		double sum = 0;

		for (int j = from; j < to; j++) {
			const struct link *lk = &c->links[c->nb[s][j]];

			sum += c->items[s == SIDE_LEFT ? lk->a : lk->b].pos;
		}
		tmp[k] = (struct keyed){ .key = to > from ? sum / (to - from) : k, .pos = k, .item = i };
	}
	qsort(tmp, (size_t)n, sizeof *tmp, keyed_cmp);
	for (int k = 0; k < n; k++) {
		c->order[first + k] = tmp[k].item;
		c->items[tmp[k].item].pos = k;
	}
}

static void order_layers(struct layout *c, const int *rank)
{
	struct keyed *tmp = xmalloc(((size_t)c->n_items + 1) * sizeof *tmp);

	initial_order(c, rank);
	for (int round = 0; round < SWEEPS; round++) {
		for (int l = 1; l < c->n_layers; l++)
			sort_layer(c, l, SIDE_LEFT, tmp);
		for (int l = c->n_layers - 2; l >= 0; l--)
			sort_layer(c, l, SIDE_RIGHT, tmp);
	}
	free(tmp);
}

/* ---- 5. ports ------------------------------------------------------------ */

struct port {
	int item, side, source;
	double key;        /* where the other end is: ports are sorted by it */
	int *row;
};

static int port_cmp(const void *pa, const void *pb)
{
	const struct port *a = pa, *b = pb;

	if (a->item != b->item)
		return a->item - b->item;
	if (a->side != b->side)
		return a->side - b->side;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return (a->row > b->row) - (a->row < b->row);
}

/* Rows for one side of one box: its own row for every leaving edge, in the
 * order of where they go; arriving edges spread over the rest. */
static void assign_side(const struct item *it, struct port *p, int n)
{
	int sources = 0, targets, spare, s = 0, t = 0;

	for (int k = 0; k < n; k++)
		sources += p[k].source;
	targets = n - sources;
	if (n <= it->inner) {
		for (int k = 0; k < n; k++)
			*p[k].row = 1 + k;
		return;
	}
	spare = it->inner - sources;
	for (int k = 0; k < n; k++) {
		if (p[k].source)
			*p[k].row = 1 + s++;
		else
			*p[k].row = 1 + sources + (t++ * spare) / targets;
	}
}

static void assign_ports(struct layout *c)
{
	struct port *p = xmalloc(((size_t)c->n_links * 2 + 1) * sizeof *p);
	int n = 0;

	for (int k = 0; k < c->n_links; k++) {
		struct link *lk = &c->links[k];
		const struct item *a = &c->items[lk->a], *b = &c->items[lk->b];

		if (a->node >= 0)
			p[n++] = (struct port){ lk->a, end_side(lk, 0), end_is_source(lk, 0),
			                        b->pos + (lk->same ? 0.5 : 0), &lk->ya };
		else
			lk->ya = 0;
		if (b->node >= 0)
			p[n++] = (struct port){ lk->b, end_side(lk, 1), end_is_source(lk, 1),
			                        a->pos + (lk->same ? 0.5 : 0), &lk->yb };
		else
			lk->yb = 0;
	}
	qsort(p, (size_t)n, sizeof *p, port_cmp);
	for (int k = 0; k < n;) {
		int j = k;

		while (j < n && p[j].item == p[k].item && p[j].side == p[k].side)
			j++;
		assign_side(&c->items[p[k].item], p + k, j - k);
		k = j;
	}
	free(p);
}

/* ---- 6. rows ------------------------------------------------------------- */

/* Tops for layer l's items as near as possible to want[] (least squares),
 * keeping their order and the space between them. */
static void place_layer(struct layout *c, int l, const double *want)
{
	int first = c->layer_start[l], n = c->layer_start[l + 1] - first;
	double *sum = xmalloc(((size_t)n + 1) * sizeof *sum);
	int *cnt = xmalloc(((size_t)n + 1) * sizeof *cnt), *off = xmalloc(((size_t)n + 1) * sizeof *off);
	int blocks = 0;

	for (int k = 0; k < n; k++) {
		const struct item *prev = k ? &c->items[c->order[first + k - 1]] : NULL;
		const struct item *it = &c->items[c->order[first + k]];

		off[k] = prev ? off[k - 1] + prev->h +
		                (prev->node < 0 && it->node < 0 ? 0 : ROW_GAP) : 0;
		sum[blocks] = want[k] - off[k];
		cnt[blocks++] = 1;
		while (blocks > 1 && sum[blocks - 2] / cnt[blocks - 2] > sum[blocks - 1] / cnt[blocks - 1]) {
			sum[blocks - 2] += sum[blocks - 1];
			cnt[blocks - 2] += cnt[blocks - 1];
			blocks--;
		}
	}
	for (int b = 0, k = 0; b < blocks; b++) {
		int z = (int)floor(sum[b] / cnt[b] + 0.5);

		for (int j = 0; j < cnt[b]; j++, k++)
			c->items[c->order[first + k]].y = z + off[k];
	}
	free(sum);
	free(cnt);
	free(off);
}

/* Where item i's top would line its ports up with its neighbours on side s;
 * its own top when it has none there. */
static double wanted_top(const struct layout *c, int i, enum side s)
{
	int from = c->nb_start[s][i], to = c->nb_start[s][i + 1];
	double sum = 0;

	if (from == to)
		return c->items[i].y;
	for (int j = from; j < to; j++) {
		const struct link *lk = &c->links[c->nb[s][j]];

		if (s == SIDE_LEFT)
			sum += c->items[lk->a].y + lk->ya - lk->yb;
		else
			sum += c->items[lk->b].y + lk->yb - lk->ya;
	}
	return sum / (to - from);
}

static void align_layer(struct layout *c, int l, enum side s, double *want)
{
	int first = c->layer_start[l], n = c->layer_start[l + 1] - first;

	for (int k = 0; k < n; k++)
		want[k] = wanted_top(c, c->order[first + k], s);
	place_layer(c, l, want);
}

static void place_rows(struct layout *c)
{
	double *want = xcalloc((size_t)c->n_items + 1, sizeof *want);
	int top = 0;

	for (int l = 0; l < c->n_layers; l++)
		place_layer(c, l, want);   /* packed from row 0 */
	for (int round = 0; round < SWEEPS; round++) {
		for (int l = 1; l < c->n_layers; l++)
			align_layer(c, l, SIDE_LEFT, want);
		for (int l = c->n_layers - 2; l >= 0; l--)
			align_layer(c, l, SIDE_RIGHT, want);
	}
	for (int i = 0; i < c->n_items; i++)
		if (i == 0 || c->items[i].y < top)
			top = c->items[i].y;
	c->height = 0;
	for (int i = 0; i < c->n_items; i++) {
		c->items[i].y -= top;
		if (c->items[i].y + c->items[i].h > c->height)
			c->height = c->items[i].y + c->items[i].h;
	}
	free(want);
}

/* ---- 7. tracks ----------------------------------------------------------- */

struct track {
	double order;      /* left to right */
	int last;          /* the lowest row used so far */
};

static int link_row(const struct layout *c, const struct link *lk, int end)
{
	return end == 0 ? c->items[lk->a].y + lk->ya : c->items[lk->b].y + lk->yb;
}

static bool needs_track(const struct layout *c, const struct link *lk)
{
	return lk->same || link_row(c, lk, 0) != link_row(c, lk, 1);
}

static int lo_row(const struct layout *c, const struct link *lk)
{
	int r0 = link_row(c, lk, 0), r1 = link_row(c, lk, 1);

	return r0 < r1 ? r0 : r1;
}

static int hi_row(const struct layout *c, const struct link *lk)
{
	int r0 = link_row(c, lk, 0), r1 = link_row(c, lk, 1);

	return r0 > r1 ? r0 : r1;
}

static const struct layout *sort_ctx;   /* qsort has no context argument */

static int by_rows(const void *pa, const void *pb)
{
	const struct link *a = &sort_ctx->links[*(const int *)pa];
	const struct link *b = &sort_ctx->links[*(const int *)pb];
	int la = lo_row(sort_ctx, a), lb = lo_row(sort_ctx, b);

	if (la != lb)
		return la - lb;
	return hi_row(sort_ctx, a) - hi_row(sort_ctx, b);
}

/* An order for a new track strictly between lower and upper (either may be
 * unbounded): right of the others when nothing bounds it there. */
static double new_track_order(const struct track *t, int n, double lower, double upper)
{
	double below = lower, max = 0;

	for (int k = 0; k < n; k++) {
		if (k == 0 || t[k].order > max)
			max = t[k].order;
		if (t[k].order < upper && t[k].order > below)
			below = t[k].order;
	}
	if (upper == DBL_MAX)
		return max + 1;
	return ((below == -DBL_MAX ? upper - 1 : below) + upper) / 2;
}

/* Bounds on link lk's track order: a link turning left of a row where
 * another comes in from the right must turn left of that one, or their
 * horizontal runs would overlap. at[0][row] / at[1][row]: the link with its
 * a end / b end on that row so far. */
static void track_bounds(const struct layout *c, const struct link *lk, int *const at[2],
                         const struct track *t, double *lower, double *upper)
{
	int ra = link_row(c, lk, 0), rb = link_row(c, lk, 1);

	*lower = -DBL_MAX;
	*upper = DBL_MAX;
	if (!lk->same && at[0][rb] >= 0 && c->links[at[0][rb]].track >= 0)
		*lower = t[c->links[at[0][rb]].track].order;
	if (at[1][ra] >= 0 && c->links[at[1][ra]].track >= 0)
		*upper = t[c->links[at[1][ra]].track].order;
	if (lk->same && at[1][rb] >= 0 && c->links[at[1][rb]].track >= 0 &&
	    t[c->links[at[1][rb]].track].order < *upper)
		*upper = t[c->links[at[1][rb]].track].order;
	if (*lower >= *upper)
		*upper = DBL_MAX;   /* a crossing no single turn avoids: let it be */
}

/* The leftmost free track within the bounds; -1 when none. */
static int free_track(const struct track *t, int n, int lo, double lower, double upper)
{
	int best = -1;

	for (int k = 0; k < n; k++) {
		if (t[k].last >= lo || t[k].order <= lower || t[k].order >= upper)
			continue;
		if (best < 0 || t[k].order < t[best].order)
			best = k;
	}
	return best;
}

/* Tracks for the links of one gap (left-edge channel routing); returns how many. */
static int assign_tracks(struct layout *c, int *links, int n, int *const at[2],
                         struct track *t)
{
	int n_tracks = 0;

	sort_ctx = c;
	qsort(links, (size_t)n, sizeof *links, by_rows);
	for (int j = 0; j < n; j++) {
		struct link *lk = &c->links[links[j]];
		double lower, upper;
		int best;

		track_bounds(c, lk, at, t, &lower, &upper);
		best = free_track(t, n_tracks, lo_row(c, lk), lower, upper);
		if (best < 0) {
			t[n_tracks] = (struct track){ new_track_order(t, n_tracks, lower, upper), -1 };
			best = n_tracks++;
		}
		t[best].last = hi_row(c, lk);
		lk->track = best;
		at[0][link_row(c, lk, 0)] = links[j];
		at[lk->same ? 0 : 1][link_row(c, lk, 1)] = links[j];
	}
	for (int j = 0; j < n; j++) {
		struct link *lk = &c->links[links[j]];

		at[0][link_row(c, lk, 0)] = -1;
		at[0][link_row(c, lk, 1)] = -1;
		at[1][link_row(c, lk, 1)] = -1;
	}
	return n_tracks;
}

static const struct track *rank_tracks;   /* qsort has no context argument */

static int by_order(const void *pa, const void *pb)
{
	double a = rank_tracks[*(const int *)pa].order, b = rank_tracks[*(const int *)pb].order;

	return (a > b) - (a < b);
}

/* The cells an edge's label takes on its first run, with a line cell either
 * side ("─tb_next─"); 0 for an edge without one, or a link that is not the
 * first of its edge. */
static int label_need(const struct layout *c, int k)
{
	const struct graph_edge *ed = &c->g->edges[c->links[k].edge];
	int w;

	if (c->edge_link[c->links[k].edge] != k || ed->label[0] == '\0')
		return 0;
	w = screen_text_width(ed->label, strlen(ed->label), false) + (ed->in_cycle ? 2 : 0);
	return (w < c->label_max ? w : c->label_max) + 2;
}

/* Each track's column, and the gap's width, which it returns. A gap is
 * three bands: band[0] beside the left layer for the labels of edges leaving
 * it rightwards, then the tracks, then band[1] beside the right layer for
 * the labels of edges leaving it leftwards; no track crosses a label. Slack
 * from the least gap goes evenly either side of the tracks. */
static int place_tracks(struct layout *c, const int *links, int n, const struct track *t,
                        int n_tracks, const int band[2], int gap_x)
{
	int *by_rank = xmalloc(((size_t)n_tracks + 1) * sizeof *by_rank);
	int *col = xmalloc(((size_t)n_tracks + 1) * sizeof *col);
	int w = band[0] + n_tracks + band[1], first;

	if (w < c->min_gap)
		w = c->min_gap;
	first = band[0] + (w - band[0] - n_tracks - band[1]) / 2;
	for (int k = 0; k < n_tracks; k++)
		by_rank[k] = k;
	rank_tracks = t;
	qsort(by_rank, (size_t)n_tracks, sizeof *by_rank, by_order);
	for (int r = 0; r < n_tracks; r++)
		col[by_rank[r]] = first + r;
	for (int j = 0; j < n; j++)
		c->links[links[j]].tx = gap_x + col[c->links[links[j]].track];
	free(by_rank);
	free(col);
	return w;
}

/* Gap widths and layer columns, turning columns for every link. */
static void route_gaps(struct layout *c)
{
	int *at[2], *links = xmalloc(((size_t)c->n_links + 1) * sizeof *links);
	int *gap_start = xcalloc((size_t)c->n_layers + 2, sizeof *gap_start), *fill;
	struct track *t = xmalloc(((size_t)c->n_links + 1) * sizeof *t);
	int (*band)[2] = xmalloc(((size_t)c->n_layers + 1) * sizeof *band);

	for (int s = 0; s < 2; s++) {
		at[s] = xmalloc(((size_t)c->height + 1) * sizeof(int));
		for (int r = 0; r <= c->height; r++)
			at[s][r] = -1;
	}
	/* The links that turn, bucketed by gap. */
	for (int k = 0; k < c->n_links; k++)
		gap_start[c->links[k].gap + 1] += needs_track(c, &c->links[k]);
	for (int l = 0; l < c->n_layers; l++)
		gap_start[l + 1] += gap_start[l];
	fill = xmalloc(((size_t)c->n_layers + 1) * sizeof *fill);
	memcpy(fill, gap_start, ((size_t)c->n_layers + 1) * sizeof *fill);
	for (int k = 0; k < c->n_links; k++)
		if (needs_track(c, &c->links[k]))
			links[fill[c->links[k].gap]++] = k;
	free(fill);
	/* Room for the labels, each gap's widest on either side. */
	for (int l = 0; l <= c->n_layers; l++)
		band[l][0] = band[l][1] = 1;
	for (int k = 0; k < c->n_links; k++) {
		int need = label_need(c, k), *b = &band[c->links[k].gap][c->links[k].leftward];

		if (need > *b)
			*b = need;
	}

	c->gap_w = xcalloc((size_t)c->n_layers + 1, sizeof *c->gap_w);
	c->layer_x = xcalloc((size_t)c->n_layers + 1, sizeof *c->layer_x);
	for (int l = 0; l < c->n_layers; l++) {
		int *in_gap = links + gap_start[l], n = gap_start[l + 1] - gap_start[l];
		int gap_x = c->layer_x[l] + c->box_w;
		int n_tracks = assign_tracks(c, in_gap, n, at, t);

		c->gap_w[l] = place_tracks(c, in_gap, n, t, n_tracks, band[l], gap_x);
		c->layer_x[l + 1] = gap_x + c->gap_w[l];
	}
	for (int s = 0; s < 2; s++)
		free(at[s]);
	free(links);
	free(gap_start);
	free(t);
	free(band);
}

/* ---- 8. routes ----------------------------------------------------------- */

static void push_point(struct graph_layout *out, int *cap, int x, int y)
{
	struct graph_layout_point *p;

	if (out->n_points == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		out->points = xrealloc(out->points, (size_t)*cap * sizeof *out->points);
	}
	p = out->points + out->n_points;
	/* Drop repeats, and corners that are not: the middle of three in line. */
	if (out->n_points > 0 && p[-1].x == x && p[-1].y == y)
		return;
	p[0] = (struct graph_layout_point){ x, y };
	out->n_points++;
}

static void drop_straight_corners(struct graph_layout *out, struct graph_layout_route *r)
{
	struct graph_layout_point *p = out->points + r->first;
	int n = 0;

	for (int k = 0; k < r->n_points; k++) {
		if (n >= 2 && ((p[n - 2].x == p[n - 1].x && p[n - 1].x == p[k].x) ||
		               (p[n - 2].y == p[n - 1].y && p[n - 1].y == p[k].y)))
			n--;
		p[n++] = p[k];
	}
	out->n_points = r->first + n;
	r->n_points = n;
}

/* The corners of link lk in the order its edge runs. */
static int link_points(const struct layout *c, const struct link *lk,
                       struct graph_layout_point pts[4])
{
	int gx0 = c->layer_x[lk->gap] + c->box_w, gx1 = gx0 + c->gap_w[lk->gap] - 1;
	int ra = link_row(c, lk, 0), rb = link_row(c, lk, 1), n;

	if (lk->same) {
		pts[0] = (struct graph_layout_point){ gx0, ra };
		pts[1] = (struct graph_layout_point){ lk->tx, ra };
		pts[2] = (struct graph_layout_point){ lk->tx, rb };
		pts[3] = (struct graph_layout_point){ gx0, rb };
		return 4;
	}
	if (ra == rb) {
		pts[0] = (struct graph_layout_point){ gx0, ra };
		pts[1] = (struct graph_layout_point){ gx1, ra };
		n = 2;
	} else {
		pts[0] = (struct graph_layout_point){ gx0, ra };
		pts[1] = (struct graph_layout_point){ lk->tx, ra };
		pts[2] = (struct graph_layout_point){ lk->tx, rb };
		pts[3] = (struct graph_layout_point){ gx1, rb };
		n = 4;
	}
	if (lk->leftward) {
		for (int k = 0; k < n / 2; k++) {
			struct graph_layout_point p = pts[k];

			pts[k] = pts[n - 1 - k];
			pts[n - 1 - k] = p;
		}
	}
	return n;
}

/* The label's run: the first stretch from the source, up to the turn. */
static void place_label(const struct graph_layout *out, struct graph_layout_route *r)
{
	const struct graph_layout_point *p = out->points + r->first;

	r->label_y = p[0].y;
	r->label_at_end = p[1].x < p[0].x;
	r->label_x = r->label_at_end ? p[1].x + 1 : p[0].x;
	r->label_w = abs(p[1].x - p[0].x);
}

static void write_routes(const struct layout *c, struct graph_layout *out)
{
	int cap = 0;

	out->routes = xcalloc((size_t)c->g->n_edges + 1, sizeof *out->routes);
	for (int e = 0; e < c->g->n_edges; e++) {
		struct graph_layout_route *r = &out->routes[e];

		r->first = out->n_points;
		for (int j = 0; j < c->edge_nlinks[e]; j++) {
			struct graph_layout_point pts[4];
			int n = link_points(c, &c->links[c->edge_link[e] + j], pts);

			for (int k = 0; k < n; k++)
				push_point(out, &cap, pts[k].x, pts[k].y);
		}
		r->n_points = out->n_points - r->first;
		drop_straight_corners(out, r);
		place_label(out, r);
	}
}

static void write_boxes(const struct layout *c, struct graph_layout *out)
{
	int last = c->n_layers - 1;

	out->boxes = xcalloc((size_t)c->g->n_nodes + 1, sizeof *out->boxes);
	out->layers = xcalloc((size_t)c->g->n_nodes + 1, sizeof *out->layers);
	for (int i = 0; i < c->g->n_nodes; i++) {
		const struct item *it = &c->items[i];

		out->boxes[i] = (struct screen_rect){ c->layer_x[it->layer], it->y, c->box_w, it->h };
		out->layers[i] = it->layer;
	}
	out->height = c->height;
	out->width = last < 0 ? 0 : c->layer_x[last] + c->box_w;
	for (int k = 0; k < c->n_links; k++)
		if (c->links[k].gap == last)   /* an edge within the last layer turns right of it */
			out->width = c->layer_x[last] + c->box_w + c->gap_w[last];
}

static void layout_free(struct layout *c)
{
	free(c->items);
	free(c->links);
	free(c->edge_link);
	free(c->edge_nlinks);
	free(c->layer_start);
	free(c->order);
	for (int s = 0; s < 2; s++) {
		free(c->nb_start[s]);
		free(c->nb[s]);
	}
	free(c->gap_w);
	free(c->layer_x);
}

int graph_layout(const struct graph *g, const struct graph_layout_opts *opt,
                 struct graph_layout *out)
{
	struct layout c = { .g = g, .box_w = BOX_W_DEFAULT, .min_gap = GAP_DEFAULT,
	                    .label_max = LABEL_MAX_DEFAULT };
	int *layer = xmalloc(((size_t)g->n_nodes + 1) * sizeof *layer);
	int *rank = xmalloc(((size_t)g->n_nodes + 1) * sizeof *rank);

	if (opt != NULL && opt->box_w > 0)
		c.box_w = opt->box_w < BOX_W_MIN ? BOX_W_MIN : opt->box_w;
	if (opt != NULL && opt->gap > 0)
		c.min_gap = opt->gap < 3 ? 3 : opt->gap;
	if (opt != NULL && opt->label_max > 0)
		c.label_max = opt->label_max;
	memset(out, 0, sizeof *out);
	out->n_nodes = g->n_nodes;
	out->n_edges = g->n_edges;

	c.n_layers = assign_layers(g, layer, rank);
	for (int i = 0; i < g->n_nodes; i++)
		add_item(&c, i, layer[i]);
	c.edge_link = xmalloc(((size_t)g->n_edges + 1) * sizeof *c.edge_link);
	c.edge_nlinks = xmalloc(((size_t)g->n_edges + 1) * sizeof *c.edge_nlinks);
	for (int e = 0; e < g->n_edges; e++)
		link_edge(&c, e);
	index_neighbours(&c);
	size_items(&c);
	order_layers(&c, rank);
	assign_ports(&c);
	place_rows(&c);
	route_gaps(&c);
	write_boxes(&c, out);
	write_routes(&c, out);

	layout_free(&c);
	free(layer);
	free(rank);
	return 0;
}

void graph_layout_free(struct graph_layout *l)
{
	if (l == NULL)
		return;
	free(l->boxes);
	free(l->layers);
	free(l->routes);
	free(l->points);
	memset(l, 0, sizeof *l);
}

/* ---- navigation ---------------------------------------------------------- */

int graph_layout_neighbor(const struct graph_layout *l, int node, enum graph_layout_dir dir)
{
	const struct screen_rect *b = l->boxes;
	bool sideways = dir == GRAPH_LAYOUT_LEFT || dir == GRAPH_LAYOUT_RIGHT;
	long best_along = 0, best_cross = 0;
	int best = -1;

	if (node < 0 || node >= l->n_nodes)
		return -1;
	for (int j = 0; j < l->n_nodes; j++) {
		/* Doubled centres stay integers. */
		long dx = (2L * b[j].x + b[j].w) - (2L * b[node].x + b[node].w);
		long dy = (2L * b[j].y + b[j].h) - (2L * b[node].y + b[node].h);
		long along = dir == GRAPH_LAYOUT_RIGHT ? dx : dir == GRAPH_LAYOUT_LEFT ? -dx :
		             dir == GRAPH_LAYOUT_DOWN ? dy : -dy;
		long cross = labs(sideways ? dy : dx);
		bool same_column = b[j].x < b[node].x + b[node].w && b[node].x < b[j].x + b[j].w;

		/* Sideways: the nearest layer, then the nearest row in it. Up and
		 * down: within the layer only. */
		if (j == node || along <= 0 || (!sideways && !same_column))
			continue;
		if (best < 0 || along < best_along || (along == best_along && cross < best_cross)) {
			best = j;
			best_along = along;
			best_cross = cross;
		}
	}
	return best;
}

int graph_layout_follow(const struct graph *g, int node, int nth)
{
	int count = 0;

	for (int e = 0; e < g->n_edges; e++)
		count += g->edges[e].from == node;
	if (count == 0)
		return -1;
	nth = ((nth % count) + count) % count;
	for (int e = 0; e < g->n_edges; e++)
		if (g->edges[e].from == node && nth-- == 0)
			return g->edges[e].to;
	return -1;
}

/* The least change to *scroll that shows [pos, pos + len) in a window of view. */
static int reveal_axis(int scroll, int pos, int len, int view)
{
	if (pos + len > scroll + view)
		scroll = pos + len - view;
	if (pos < scroll)
		scroll = pos;
	return scroll;
}

void graph_layout_reveal(const struct graph_layout *l, int node, int view_w, int view_h,
                         int *scroll_x, int *scroll_y)
{
	const struct screen_rect *b;

	if (node < 0 || node >= l->n_nodes)
		return;
	b = &l->boxes[node];
	*scroll_x = reveal_axis(*scroll_x, b->x, b->w, view_w);
	*scroll_y = reveal_axis(*scroll_y, b->y, b->h, view_h);
}

/* *reach grows to end when [lo, hi], on the other axis, meets [from, from + len). */
static void reach_past(int *reach, int lo, int hi, int from, int len, int end)
{
	if (hi >= from && lo < from + len && end > *reach)
		*reach = end;
}

int graph_layout_reach(const struct graph_layout *l, struct screen_rect window, bool down)
{
	int reach = 0, from = down ? window.x : window.y, len = down ? window.w : window.h;

	for (int i = 0; i < l->n_nodes; i++) {
		const struct screen_rect *b = &l->boxes[i];

		if (down)
			reach_past(&reach, b->x, b->x + b->w - 1, from, len, b->y + b->h);
		else
			reach_past(&reach, b->y, b->y + b->h - 1, from, len, b->x + b->w);
	}
	for (int e = 0; e < l->n_edges; e++) {
		const struct graph_layout_point *p = l->points + l->routes[e].first;

		for (int k = 0; k + 1 < l->routes[e].n_points; k++) {
			int x0 = p[k].x < p[k + 1].x ? p[k].x : p[k + 1].x;
			int x1 = p[k].x < p[k + 1].x ? p[k + 1].x : p[k].x;
			int y0 = p[k].y < p[k + 1].y ? p[k].y : p[k + 1].y;
			int y1 = p[k].y < p[k + 1].y ? p[k + 1].y : p[k].y;

			if (down)
				reach_past(&reach, x0, x1, from, len, y1 + 1);
			else
				reach_past(&reach, y0, y1, from, len, x1 + 1);
		}
	}
	return reach;
}

/* ---- drawing ------------------------------------------------------------- */

enum { DIR_N = 1, DIR_E = 2, DIR_S = 4, DIR_W = 8, DIR_HEAVY = 16 };

/* Line glyphs by the directions a cell connects to. */
static const wchar_t light_lines[16] = {
	L' ', 0x2502, 0x2500, 0x2514, 0x2502, 0x2502, 0x250C, 0x251C,
	0x2500, 0x2518, 0x2500, 0x2534, 0x2510, 0x2524, 0x252C, 0x253C,
};
static const wchar_t heavy_lines[16] = {
	L' ', 0x2503, 0x2501, 0x2517, 0x2503, 0x2503, 0x250F, 0x2523,
	0x2501, 0x251B, 0x2501, 0x253B, 0x2513, 0x252B, 0x2533, 0x254B,
};

struct box_glyphs {
	wchar_t h, v, tl, tr, bl, br;
};

enum box_style { BOX_PLAIN, BOX_CYCLE, BOX_DASHED };

static const struct box_glyphs box_utf8[] = {
	[BOX_PLAIN] = { 0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518 },
	[BOX_CYCLE] = { 0x2550, 0x2551, 0x2554, 0x2557, 0x255A, 0x255D },
	[BOX_DASHED] = { 0x2504, 0x2506, 0x250C, 0x2510, 0x2514, 0x2518 },
};
static const struct box_glyphs box_ascii[] = {
	[BOX_PLAIN] = { '-', '|', '+', '+', '+', '+' },
	[BOX_CYCLE] = { '=', '#', '#', '#', '#', '#' },
	[BOX_DASHED] = { '.', ':', '+', '+', '+', '+' },
};

static wchar_t line_glyph(unsigned char mask, bool ascii)
{
	int dirs = mask & 15;

	if (!ascii)
		return (mask & DIR_HEAVY ? heavy_lines : light_lines)[dirs];
	if ((dirs & (DIR_N | DIR_S)) == 0)
		return mask & DIR_HEAVY ? '=' : '-';
	if ((dirs & (DIR_E | DIR_W)) == 0)
		return mask & DIR_HEAVY ? '#' : '|';
	return '+';
}

static struct screen_rect rect_intersect(struct screen_rect a, struct screen_rect b)
{
	int x0 = a.x > b.x ? a.x : b.x, y0 = a.y > b.y ? a.y : b.y;
	int x1 = a.x + a.w < b.x + b.w ? a.x + a.w : b.x + b.w;
	int y1 = a.y + a.h < b.y + b.h ? a.y + a.h : b.y + b.h;

	return (struct screen_rect){ x0, y0, x1 > x0 ? x1 - x0 : 0, y1 > y0 ? y1 - y0 : 0 };
}

/* The lines of every route, as direction masks over the visible window. */
struct canvas {
	struct screen_rect view;     /* in layout coordinates */
	unsigned char *mask;
};

static void canvas_mark(struct canvas *cv, int x, int y, unsigned char bits)
{
	x -= cv->view.x;
	y -= cv->view.y;
	if (x >= 0 && y >= 0 && x < cv->view.w && y < cv->view.h)
		cv->mask[y * cv->view.w + x] |= bits;
}

static unsigned char dir_towards(int dx, int dy)
{
	return dx > 0 ? DIR_E : dx < 0 ? DIR_W : dy > 0 ? DIR_S : DIR_N;
}

static void canvas_route(struct canvas *cv, const struct graph_layout_point *p, int n,
                         struct screen_rect from, bool heavy)
{
	unsigned char h = heavy ? DIR_HEAVY : 0;

	canvas_mark(cv, p[0].x, p[0].y, (unsigned char)(h | (p[0].x < from.x ? DIR_E : DIR_W)));
	for (int k = 0; k + 1 < n; k++) {
		int dx = (p[k + 1].x > p[k].x) - (p[k + 1].x < p[k].x);
		int dy = (p[k + 1].y > p[k].y) - (p[k + 1].y < p[k].y);

		for (int x = p[k].x, y = p[k].y; x != p[k + 1].x || y != p[k + 1].y; x += dx, y += dy) {
			canvas_mark(cv, x, y, (unsigned char)(h | dir_towards(dx, dy)));
			canvas_mark(cv, x + dx, y + dy, (unsigned char)(h | dir_towards(-dx, -dy)));
		}
	}
}

static void draw_lines(struct screen *s, struct screen_rect area, const struct graph *g,
                       const struct graph_layout *l, struct canvas *cv)
{
	for (int e = 0; e < l->n_edges; e++) {
		const struct graph_layout_route *r = &l->routes[e];

		canvas_route(cv, l->points + r->first, r->n_points, l->boxes[g->edges[e].from],
		             g->edges[e].in_cycle);
	}
	for (int y = 0; y < cv->view.h; y++) {
		for (int x = 0; x < cv->view.w; x++) {
			unsigned char m = cv->mask[y * cv->view.w + x];

			if (m & 15)
				screen_putc(s, area, area.x + x, area.y + y, line_glyph(m, s->ascii),
				            m & DIR_HEAVY ? SCREEN_ERROR : SCREEN_BORDER);
		}
	}
}

/* Arrowheads at the target end of every route. */
static void draw_arrows(struct screen *s, struct screen_rect area, const struct graph *g,
                        const struct graph_layout *l, struct canvas *cv)
{
	for (int e = 0; e < l->n_edges; e++) {
		const struct graph_layout_route *r = &l->routes[e];
		struct graph_layout_point end = l->points[r->first + r->n_points - 1];
		bool right = end.x < l->boxes[g->edges[e].to].x;
		wchar_t arrow = s->ascii ? (right ? '>' : '<') : (right ? 0x25B6 : 0x25C0);

		screen_putc(s, area, area.x + end.x - cv->view.x, area.y + end.y - cv->view.y, arrow,
		            g->edges[e].in_cycle ? SCREEN_ERROR : SCREEN_BORDER);
	}
}

/* text at (x, y) in at most w columns, clipped to clip; on a UTF-8 screen
 * "…" marks a cut. */
static void put_clipped(struct screen *s, struct screen_rect clip, int x, int y, int w,
                        const char *text, enum screen_attr attr)
{
	struct screen_rect all = rect_intersect(clip, (struct screen_rect){ x, y, w, 1 });

	if (w <= 0)
		return;
	if (s->ascii || w < 2 || screen_text_width(text, strlen(text), s->ascii) <= w) {
		screen_put(s, all, x, y, text, attr);
		return;
	}
	screen_put(s, rect_intersect(clip, (struct screen_rect){ x, y, w - 1, 1 }), x, y, text, attr);
	screen_putc(s, all, x + w - 1, y, 0x2026, attr);
}

/* Labels on their runs: one line cell from the source when there is room. */
static void draw_labels(struct screen *s, struct screen_rect area, const struct graph *g,
                        const struct graph_layout *l, struct canvas *cv)
{
	for (int e = 0; e < l->n_edges; e++) {
		const struct graph_layout_route *r = &l->routes[e];
		const struct graph_edge *ed = &g->edges[e];
		char text[64];
		int tw, x;

		if (r->label_w <= 0 || ed->label[0] == '\0')
			continue;
		snprintf(text, sizeof text, "%s%s", ed->in_cycle ? (s->ascii ? "@ " : "\u27F2 ") : "",
		         ed->label);
		tw = screen_text_width(text, strlen(text), s->ascii);
		if (tw + 2 <= r->label_w)
			x = r->label_at_end ? r->label_x + r->label_w - 1 - tw : r->label_x + 1;
		else if (tw <= r->label_w && r->label_at_end)
			x = r->label_x + r->label_w - tw;
		else
			x = r->label_x;
		put_clipped(s, area, area.x + x - cv->view.x, area.y + r->label_y - cv->view.y,
		            r->label_x + r->label_w - x, text,
		            ed->in_cycle ? SCREEN_ERROR : SCREEN_NORMAL);
	}
}

static void draw_border(struct screen *s, struct screen_rect clip, struct screen_rect r,
                        const struct box_glyphs *bg, enum screen_attr attr)
{
	int right = r.x + r.w - 1, bottom = r.y + r.h - 1;

	for (int x = r.x + 1; x < right; x++) {
		screen_putc(s, clip, x, r.y, bg->h, attr);
		screen_putc(s, clip, x, bottom, bg->h, attr);
	}
	for (int y = r.y + 1; y < bottom; y++) {
		screen_putc(s, clip, r.x, y, bg->v, attr);
		screen_putc(s, clip, right, y, bg->v, attr);
	}
	screen_putc(s, clip, r.x, r.y, bg->tl, attr);
	screen_putc(s, clip, right, r.y, bg->tr, attr);
	screen_putc(s, clip, r.x, bottom, bg->bl, attr);
	screen_putc(s, clip, right, bottom, bg->br, attr);
}

/* "56 B · keeps 50.1 MB", or "keeps 50.1 MB" when that does not fit. */
static void size_text(const struct graph_node *n, bool ascii, int width, char *buf, size_t size)
{
	char own[32], kept[32];

	util_fmt_bytes((double)n->size, own, sizeof own);
	if (n->retained <= n->size) {
		snprintf(buf, size, "%s", own);
		return;
	}
	util_fmt_bytes((double)n->retained, kept, sizeof kept);
	snprintf(buf, size, "%s%s keeps %s", own, ascii ? "," : " \u00B7", kept);
	if (screen_text_width(buf, strlen(buf), ascii) > width)
		snprintf(buf, size, "keeps %s", kept);
}

/* text word-wrapped into the rows of r. */
static void put_wrapped(struct screen *s, struct screen_rect clip, struct screen_rect r,
                        const char *text, enum screen_attr attr)
{
	int x = r.x, y = r.y;

	while (*text != '\0' && y < r.y + r.h) {
		size_t len = strcspn(text, " ");
		int w = screen_text_width(text, len, s->ascii);

		if (x > r.x && x + 1 + w > r.x + r.w) {
			x = r.x;
			y++;
			continue;
		}
		if (x > r.x)
			x++;
		x = screen_putn(s, rect_intersect(clip, (struct screen_rect){ r.x, y, r.w, 1 }), x, y,
		                text, len, attr);
		text += len;
		text += strspn(text, " ");
	}
}

static bool is_summary(const struct graph_node *n)
{
	return n->kind == GRAPH_SUMMARY || n->kind == GRAPH_MORE;
}

static void draw_box(struct screen *s, struct screen_rect area, struct screen_rect r,
                     const struct graph_node *n, bool selected)
{
	enum box_style style = is_summary(n) ? BOX_DASHED : n->scc >= 0 ? BOX_CYCLE : BOX_PLAIN;
	const struct box_glyphs *bg = &(s->ascii ? box_ascii : box_utf8)[style];
	struct screen_rect inside = screen_inset(r, 1);
	struct screen_rect text = { r.x + 2, r.y + 1, r.w - 4, r.h - 2 };
	char buf[160];

	screen_fill(s, rect_intersect(area, inside), L' ', selected ? SCREEN_SELECTED : SCREEN_NORMAL);
	draw_border(s, area, r, bg, selected ? SCREEN_SELECTED : SCREEN_BORDER);
	if (is_summary(n)) {
		char count[32], bytes[32];

		util_fmt_count((double)n->collapsed, count, sizeof count);
		util_fmt_bytes((double)n->collapsed_bytes, bytes, sizeof bytes);
		if (n->repr[0] == '\0')
			snprintf(buf, sizeof buf, "\u2026 %s more objects (%s) \u2026",
			         count, bytes);
		else
			snprintf(buf, sizeof buf, "%s", n->repr);
		put_wrapped(s, area, text, buf, selected ? SCREEN_SELECTED : SCREEN_DIM);
		return;
	}
	/* A root's name and type when both fit, else its name: the repr shows the type. */
	snprintf(buf, sizeof buf, " %s: %s ", n->root_name, n->type);
	if (!n->root || n->root_name[0] == '\0')
		snprintf(buf, sizeof buf, " %s ", n->type);
	else if (screen_text_width(buf, strlen(buf), s->ascii) > r.w - 3)
		snprintf(buf, sizeof buf, " %s ", n->root_name);
	put_clipped(s, area, r.x + 1, r.y, r.w - 3, buf,
	            selected ? SCREEN_SELECTED : n->root ? SCREEN_HEADING : SCREEN_STRONG);
	put_clipped(s, area, text.x, text.y, text.w, n->repr, selected ? SCREEN_SELECTED : SCREEN_CODE);
	size_text(n, s->ascii, text.w, buf, sizeof buf);
	put_clipped(s, area, text.x, text.y + 1, text.w, buf, selected ? SCREEN_SELECTED : SCREEN_DIM);
}

void graph_draw(struct screen *s, struct screen_rect area, const struct graph *g,
                const struct graph_layout *l, int scroll_x, int scroll_y, int selected_node)
{
	struct canvas cv = { { scroll_x, scroll_y, area.w, area.h }, NULL };
	struct screen_rect view = cv.view;

	area = rect_intersect(area, screen_bounds(s));
	cv.view.w = area.w;
	cv.view.h = area.h;
	if (area.w <= 0 || area.h <= 0)
		return;
	cv.mask = xcalloc((size_t)area.w * (size_t)area.h, 1);
	draw_lines(s, area, g, l, &cv);
	draw_labels(s, area, g, l, &cv);
	draw_arrows(s, area, g, l, &cv);
	for (int i = 0; i < l->n_nodes; i++) {
		struct screen_rect b = l->boxes[i];

		if (rect_intersect(view, b).w == 0 || rect_intersect(view, b).h == 0)
			continue;
		b.x += area.x - scroll_x;
		b.y += area.y - scroll_y;
		draw_box(s, area, b, &g->nodes[i], i == selected_node);
	}
	free(cv.mask);
}
