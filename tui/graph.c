/* graph.c — cycles, retained sizes and chain collapsing on a captured graph.
 *
 * All passes are iterative (no recursion): a 10,000-entry traceback chain is
 * a path 20,000 nodes long. */
#include "graph.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static const char *const kind_names[GRAPH_KIND_COUNT] = {
	[GRAPH_EXCEPTION] = "exception", [GRAPH_TRACEBACK] = "traceback",
	[GRAPH_FRAME] = "frame", [GRAPH_DICT] = "dict", [GRAPH_LIST] = "list",
	[GRAPH_TUPLE] = "tuple", [GRAPH_SET] = "set", [GRAPH_CELL] = "cell",
	[GRAPH_FUNCTION] = "function", [GRAPH_METHOD] = "method",
	[GRAPH_INSTANCE] = "instance", [GRAPH_CODE] = "code", [GRAPH_MODULE] = "module",
	[GRAPH_TYPE] = "type", [GRAPH_BYTES] = "bytes", [GRAPH_STR] = "str",
	[GRAPH_NUMBER] = "number", [GRAPH_OTHER] = "object", [GRAPH_SUMMARY] = "summary",
	[GRAPH_MORE] = "more",
};

const char *graph_kind_name(enum graph_kind kind)
{
	return kind >= 0 && kind < GRAPH_KIND_COUNT ? kind_names[kind] : "?";
}

struct graph *graph_new(void)
{
	return xcalloc(1, sizeof(struct graph));
}

void graph_free(struct graph *g)
{
	if (g == NULL)
		return;
	free(g->nodes);
	free(g->edges);
	free(g);
}

int graph_add_node(struct graph *g, const struct graph_node *n)
{
	if (g->n_nodes == g->cap_nodes) {
		g->cap_nodes = g->cap_nodes ? g->cap_nodes * 2 : 64;
		g->nodes = xrealloc(g->nodes, (size_t)g->cap_nodes * sizeof *g->nodes);
	}
	g->nodes[g->n_nodes] = *n;
	g->nodes[g->n_nodes].scc = -1;
	return g->n_nodes++;
}

void graph_add_edge(struct graph *g, int from, int to, const char *label)
{
	struct graph_edge *e;

	if (g->n_edges == g->cap_edges) {
		g->cap_edges = g->cap_edges ? g->cap_edges * 2 : 64;
		g->edges = xrealloc(g->edges, (size_t)g->cap_edges * sizeof *g->edges);
	}
	e = &g->edges[g->n_edges++];
	e->from = from;
	e->to = to;
	e->in_cycle = false;
	util_copy(e->label, sizeof e->label, label ? label : "");
}

int graph_find(const struct graph *g, uintptr_t addr)
{
	for (int i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].addr == addr && addr != 0)
			return i;
	return -1;
}

/* ---- adjacency ------------------------------------------------------- */

/* Compressed adjacency: the edges leaving (or entering) node i are
 * adj[start[i] .. start[i+1]), as edge indexes. */
struct adjacency {
	int *start;
	int *adj;
};

static void adjacency_build(const struct graph *g, struct adjacency *a, bool incoming)
{
	a->start = xcalloc((size_t)g->n_nodes + 1, sizeof *a->start);
	a->adj = xmalloc((size_t)(g->n_edges ? g->n_edges : 1) * sizeof *a->adj);
	for (int e = 0; e < g->n_edges; e++)
		a->start[(incoming ? g->edges[e].to : g->edges[e].from) + 1]++;
	for (int i = 0; i < g->n_nodes; i++)
		a->start[i + 1] += a->start[i];
	int *fill = xmalloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *fill);
	memcpy(fill, a->start, (size_t)g->n_nodes * sizeof *fill);
	for (int e = 0; e < g->n_edges; e++)
		a->adj[fill[incoming ? g->edges[e].to : g->edges[e].from]++] = e;
	free(fill);
}

static void adjacency_free(struct adjacency *a)
{
	free(a->start);
	free(a->adj);
}

/* ---- cycles: Tarjan's strongly connected components ------------------- */

int graph_find_cycles(struct graph *g)
{
	int n = g->n_nodes, counter = 0, sp = 0, csp = 0, components = 0, cycles = 0;
	int *index, *low, *stack, *call, *next_edge;
	bool *on_stack;
	struct adjacency out;

	if (n == 0)
		return 0;
	adjacency_build(g, &out, false);
	index = xmalloc((size_t)n * sizeof *index);
	low = xmalloc((size_t)n * sizeof *low);
	stack = xmalloc((size_t)n * sizeof *stack);
	call = xmalloc((size_t)n * sizeof *call);
	next_edge = xmalloc((size_t)n * sizeof *next_edge);
	on_stack = xcalloc((size_t)n, sizeof *on_stack);
	for (int i = 0; i < n; i++) {
		index[i] = -1;
		g->nodes[i].scc = -1;
	}
	for (int e = 0; e < g->n_edges; e++)
		g->edges[e].in_cycle = false;

	for (int s = 0; s < n; s++) {
		if (index[s] >= 0)
			continue;
		call[csp++] = s;
		index[s] = low[s] = counter++;
		next_edge[s] = out.start[s];
		stack[sp++] = s;
		on_stack[s] = true;
		while (csp > 0) {
			int v = call[csp - 1];
			if (next_edge[v] < out.start[v + 1]) {
				int w = g->edges[out.adj[next_edge[v]++]].to;
				if (index[w] < 0) {
					index[w] = low[w] = counter++;
					next_edge[w] = out.start[w];
					stack[sp++] = w;
					on_stack[w] = true;
					call[csp++] = w;
				} else if (on_stack[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			csp--;
			if (csp > 0 && low[v] < low[call[csp - 1]])
				low[call[csp - 1]] = low[v];
			if (low[v] != index[v])
				continue;
			/* v heads a component: pop it. */
			int first = sp - 1;
			while (stack[first] != v)
				first--;
			bool self_loop = false;
			for (int k = out.start[v]; k < out.start[v + 1]; k++)
				self_loop = self_loop || g->edges[out.adj[k]].to == v;
			if (sp - first > 1 || self_loop) {
				for (int k = first; k < sp; k++)
					g->nodes[stack[k]].scc = components;
				components++;
				cycles++;
			}
			for (int k = first; k < sp; k++)
				on_stack[stack[k]] = false;
			sp = first;
		}
	}
	for (int e = 0; e < g->n_edges; e++) {
		int a = g->nodes[g->edges[e].from].scc, b = g->nodes[g->edges[e].to].scc;
		g->edges[e].in_cycle = a >= 0 && a == b;
	}
	free(index);
	free(low);
	free(stack);
	free(call);
	free(next_edge);
	free(on_stack);
	adjacency_free(&out);
	return cycles;
}

/* ---- retained sizes: dominators (Cooper, Harvey, Kennedy) ------------- */

/* A virtual root (index n) points at every root and every external node. */
void graph_compute_retained(struct graph *g)
{
	int n = g->n_nodes, vroot = n, count = 0;
	int *order, *rpo_index, *idom, *stack, *next_edge;
	struct adjacency out, in;
	bool changed = true;

	if (n == 0)
		return;
	adjacency_build(g, &out, false);
	adjacency_build(g, &in, true);
	order = xmalloc((size_t)(n + 1) * sizeof *order);
	rpo_index = xmalloc((size_t)(n + 1) * sizeof *rpo_index);
	idom = xmalloc((size_t)(n + 1) * sizeof *idom);
	stack = xmalloc((size_t)(n + 1) * sizeof *stack);
	next_edge = xmalloc((size_t)(n + 1) * sizeof *next_edge);
	for (int i = 0; i <= n; i++) {
		rpo_index[i] = -1;
		idom[i] = -1;
	}

	/* Postorder by iterative DFS from the virtual root. next_edge of the
	 * virtual root walks node indexes instead of edges. */
	int sp = 0;
	stack[sp++] = vroot;
	next_edge[vroot] = 0;
	rpo_index[vroot] = -2;   /* visited */
	while (sp > 0) {
		int v = stack[sp - 1], w = -1;
		if (v == vroot) {
			while (next_edge[v] < n && w < 0) {
				int c = next_edge[v]++;
				if (g->nodes[c].root || g->nodes[c].external)
					w = c;
			}
		} else {
			while (next_edge[v] < out.start[v + 1] && w < 0)
				w = g->edges[out.adj[next_edge[v]++]].to;
		}
		if (w >= 0) {
			if (rpo_index[w] == -1) {
				rpo_index[w] = -2;
				next_edge[w] = w == vroot ? 0 : out.start[w];
				stack[sp++] = w;
			}
			continue;
		}
		order[count++] = v;   /* postorder */
		sp--;
	}
	/* Reverse postorder: position 0 is the virtual root. */
	for (int i = 0; i < count / 2; i++) {
		int t = order[i];
		order[i] = order[count - 1 - i];
		order[count - 1 - i] = t;
	}
	for (int i = 0; i < count; i++)
		rpo_index[order[i]] = i;

	idom[vroot] = vroot;
	while (changed) {
		changed = false;
		for (int k = 1; k < count; k++) {
			int b = order[k], new_idom = -1;
			int preds_from = in.start[b], preds_to = in.start[b + 1];
			/* The virtual root is a predecessor of roots and external nodes. */
			if (g->nodes[b].root || g->nodes[b].external)
				new_idom = vroot;
			for (int p = preds_from; p < preds_to; p++) {
				int pred = g->edges[in.adj[p]].from;
				if (idom[pred] < 0)
					continue;
				if (new_idom < 0) {
					new_idom = pred;
					continue;
				}
				int f1 = pred, f2 = new_idom;
				while (f1 != f2) {
					while (rpo_index[f1] > rpo_index[f2])
						f1 = idom[f1];
					while (rpo_index[f2] > rpo_index[f1])
						f2 = idom[f2];
				}
				new_idom = f1;
			}
			if (new_idom >= 0 && idom[b] != new_idom) {
				idom[b] = new_idom;
				changed = true;
			}
		}
	}

	/* Sizes flow up the dominator tree, children before parents. */
	for (int i = 0; i < n; i++)
		g->nodes[i].retained = g->nodes[i].size + g->nodes[i].collapsed_bytes;
	for (int k = count - 1; k >= 1; k--) {
		int b = order[k];
		if (idom[b] >= 0 && idom[b] != vroot)
			g->nodes[idom[b]].retained += g->nodes[b].retained;
	}
	free(order);
	free(rpo_index);
	free(idom);
	free(stack);
	free(next_edge);
	adjacency_free(&out);
	adjacency_free(&in);
}

/* ---- collapsing chains ----------------------------------------------- */

/* Counts per (node, label), hashed: 32 bits of each. A collision between two
 * labels of one node could only change what is folded, never a number. */
struct pair_counts {
	uint64_t *keys;   /* 0: empty */
	int *counts;
	size_t cap;
};

static uint64_t label_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static uint64_t pair_key(int node, const char *label)
{
	return ((uint64_t)(uint32_t)node << 32 | label_hash(label)) + 1;
}

static int *pair_slot(struct pair_counts *c, uint64_t key)
{
	uint64_t h = key;

	/* splitmix64's finaliser: every key bit reaches the low bits we mask. */
	h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
	h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
	h ^= h >> 31;
	size_t i = (size_t)h & (c->cap - 1);

	while (c->keys[i] != 0 && c->keys[i] != key)
		i = (i + 1) & (c->cap - 1);
	if (c->keys[i] == 0) {
		c->keys[i] = key;
		c->counts[i] = 0;
	}
	return &c->counts[i];
}

/* The count for key, 0 when absent; unlike pair_slot, adds nothing. */
static int pair_get(const struct pair_counts *c, uint64_t key)
{
	uint64_t h = key;

	h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
	h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
	h ^= h >> 31;
	for (size_t i = (size_t)h & (c->cap - 1); c->keys[i] != 0; i = (i + 1) & (c->cap - 1))
		if (c->keys[i] == key)
			return c->counts[i];
	return 0;
}

static void pair_counts_init(struct pair_counts *c, int entries)
{
	c->cap = 16;
	while (c->cap < (size_t)entries * 2 + 2)
		c->cap *= 2;
	c->keys = xcalloc(c->cap, sizeof *c->keys);
	c->counts = xmalloc(c->cap * sizeof *c->counts);
}

static void pair_counts_free(struct pair_counts *c)
{
	free(c->keys);
	free(c->counts);
}

/* link[e]: e continues a chain. Its ends have one kind; it is the only edge
 * of its label and kind leaving its source and entering its target. */
static bool *chain_links(const struct graph *g)
{
	struct pair_counts out_c, in_c;
	bool *link = xcalloc((size_t)(g->n_edges ? g->n_edges : 1), sizeof *link);

	pair_counts_init(&out_c, g->n_edges);
	pair_counts_init(&in_c, g->n_edges);
	for (int e = 0; e < g->n_edges; e++) {
		const struct graph_edge *ed = &g->edges[e];
		if (ed->from == ed->to || g->nodes[ed->from].kind != g->nodes[ed->to].kind)
			continue;
		(*pair_slot(&out_c, pair_key(ed->from, ed->label)))++;
		(*pair_slot(&in_c, pair_key(ed->to, ed->label)))++;
	}
	for (int e = 0; e < g->n_edges; e++) {
		const struct graph_edge *ed = &g->edges[e];
		if (ed->from == ed->to || g->nodes[ed->from].kind != g->nodes[ed->to].kind)
			continue;
		link[e] = pair_get(&out_c, pair_key(ed->from, ed->label)) == 1 &&
		          pair_get(&in_c, pair_key(ed->to, ed->label)) == 1;
	}
	pair_counts_free(&out_c);
	pair_counts_free(&in_c);
	return link;
}

/* For each link e, the link of its label leaving its target, or -1: one
 * lookup in an index of links by (source, label), so a node with 20,000
 * edges is never scanned. continued[e]: a link leads into e. */
static int *chain_next_links(const struct graph *g, const bool *link, bool *continued)
{
	struct pair_counts links_from;
	int *next = xmalloc((size_t)(g->n_edges ? g->n_edges : 1) * sizeof *next);

	pair_counts_init(&links_from, g->n_edges);
	for (int e = 0; e < g->n_edges; e++)
		if (link[e])
			*pair_slot(&links_from, pair_key(g->edges[e].from, g->edges[e].label)) = e + 1;
	for (int e = 0; e < g->n_edges; e++) {
		next[e] = -1;
		if (link[e])
			next[e] = pair_get(&links_from, pair_key(g->edges[e].to, g->edges[e].label)) - 1;
		if (next[e] >= 0)
			continued[next[e]] = true;
	}
	pair_counts_free(&links_from);
	return next;
}

/* Mark what the roots (and nodes already marked) reach without entering a
 * node marked `blocked`. */
static void reach(const struct graph *g, const struct adjacency *out, const bool *blocked,
                  bool *seen)
{
	int *stack = xmalloc((size_t)g->n_nodes * sizeof *stack), sp = 0;

	for (int i = 0; i < g->n_nodes; i++) {
		if (seen[i]) {
			stack[sp++] = i;
		} else if ((g->nodes[i].root || g->nodes[i].external) && !blocked[i]) {
			seen[i] = true;
			stack[sp++] = i;
		}
	}
	while (sp > 0) {
		int v = stack[--sp];
		for (int k = out->start[v]; k < out->start[v + 1]; k++) {
			int w = g->edges[out->adj[k]].to;
			if (!seen[w] && !blocked[w]) {
				seen[w] = true;
				stack[sp++] = w;
			}
		}
	}
	free(stack);
}

struct chain {
	int first_middle;               /* node index */
	int middle_link;                /* the link leaving first_middle */
	int after;                      /* the first kept node past the middle, -1: none */
	int summary;                    /* node index in the new graph */
	long length;                    /* middle nodes */
	size_t bytes;                   /* of the nodes its summary stands for */
};

/* What the three steps of folding share: find, attribute, build. */
struct chain_fold {
	const struct graph *g;
	struct adjacency out;
	int *next;                      /* per link: the next link of its chain, -1: none */
	struct chain *chains;
	int n_chains, cap_chains;
	bool *middle;                   /* in the middle of some chain */
	bool *kept;                     /* stays in the new graph as itself */
	int *chain_of;                  /* the chain whose summary stands for it, -1: none */
};

/* Every chain of more than keep_head + keep_tail + 1 nodes, its middle
 * marked. A chain starts at a link that no link leads into. Each node has at
 * most one link of a label in and one out, so every walk is a simple path
 * and each link is walked by one chain only. */
static void chain_find(struct chain_fold *f, int keep_head, int keep_tail)
{
	const struct graph *g = f->g;
	bool *link = chain_links(g);
	bool *continued = xcalloc((size_t)(g->n_edges ? g->n_edges : 1), sizeof *continued);

	f->next = chain_next_links(g, link, continued);
	for (int e = 0; e < g->n_edges; e++) {
		int a = g->edges[e].from, len = 1, v = a;
		if (!link[e] || continued[e] || f->middle[a])
			continue;
		for (int l = e; l >= 0; l = f->next[l])
			len++;
		if (len <= keep_head + keep_tail + 1)
			continue;
		struct chain ch = { .length = len - keep_head - keep_tail, .after = -1 };
		/* Node i of the chain, and l the link leaving it (-1 at the last). */
		for (int i = 0, l = e; i < len - keep_tail; i++) {
			if (i >= keep_head)
				f->middle[v] = true;
			if (i == keep_head) {
				ch.first_middle = v;
				ch.middle_link = l;
			}
			if (l >= 0) {
				v = g->edges[l].to;
				l = f->next[l];
			}
		}
		if (keep_tail > 0)
			ch.after = v;
		if (f->n_chains == f->cap_chains) {
			f->cap_chains = f->cap_chains ? f->cap_chains * 2 : 4;
			f->chains = xrealloc(f->chains, (size_t)f->cap_chains * sizeof *f->chains);
		}
		f->chains[f->n_chains++] = ch;
	}
	free(continued);
	free(link);
}

/* Kept: what the roots and each chain's tail reach without entering a
 * middle node. The rest of what a chain's middle reaches goes into its
 * summary, earlier chains first. One stack serves every chain: a node is
 * pushed once in all, when it is given its chain. */
static void chain_attribute(struct chain_fold *f)
{
	const struct graph *g = f->g;
	int *stack = xmalloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *stack), sp = 0;

	for (int k = 0; k < f->n_chains; k++)
		if (f->chains[k].after >= 0)
			f->kept[f->chains[k].after] = true;
	reach(g, &f->out, f->middle, f->kept);
	for (int k = 0; k < f->n_chains; k++) {
		const struct chain *ch = &f->chains[k];
		int v = ch->first_middle, l = ch->middle_link;
		for (long i = 0; i < ch->length; i++) {
			if (f->chain_of[v] < 0) {
				f->chain_of[v] = k;
				stack[sp++] = v;
			}
			if (i + 1 < ch->length) {
				v = g->edges[l].to;
				l = f->next[l];
			}
		}
		while (sp > 0) {
			int u = stack[--sp];
			for (int e = f->out.start[u]; e < f->out.start[u + 1]; e++) {
				int w = g->edges[f->out.adj[e]].to;
				if (!f->kept[w] && f->chain_of[w] < 0) {
					f->chain_of[w] = k;
					stack[sp++] = w;
				}
			}
		}
	}
	for (int i = 0; i < g->n_nodes; i++)
		if (f->chain_of[i] >= 0)
			f->chains[f->chain_of[i]].bytes += g->nodes[i].size;
	free(stack);
}

/* The new graph: kept nodes in their order, then one summary per chain. */
static struct graph *chain_build(struct chain_fold *f)
{
	const struct graph *g = f->g;
	int *new_index = xmalloc((size_t)(g->n_nodes ? g->n_nodes : 1) * sizeof *new_index);
	struct pair_counts summary_edges;
	struct graph *c = graph_new();

	for (int i = 0; i < g->n_nodes; i++)
		new_index[i] = f->kept[i] ? graph_add_node(c, &g->nodes[i]) : -1;
	for (int k = 0; k < f->n_chains; k++) {
		struct chain *ch = &f->chains[k];
		struct graph_node s = { .kind = GRAPH_SUMMARY, .collapsed = ch->length,
		                        .collapsed_bytes = ch->bytes };
		char bytes[32], count[32];  /* short: the repr must fit its 96 bytes */
		const struct graph_node *m = &g->nodes[ch->first_middle];
		snprintf(s.type, sizeof s.type, "%s", m->type);
		util_fmt_bytes((double)s.collapsed_bytes, bytes, sizeof bytes);
		util_fmt_count((double)s.collapsed, count, sizeof count);
		snprintf(s.repr, sizeof s.repr, "… %.20s more %.40s%s (%.16s) …", count,
		         m->kind == GRAPH_TRACEBACK ? "traceback entries" : m->type,
		         m->kind == GRAPH_TRACEBACK || s.collapsed == 1 ? "" : "s", bytes);
		ch->summary = graph_add_node(c, &s);
	}
	/* Edges: between kept nodes as they were; into and out of a chain through
	 * its summary, once per target. */
	pair_counts_init(&summary_edges, g->n_edges);
	for (int e = 0; e < g->n_edges; e++) {
		const struct graph_edge *ed = &g->edges[e];
		int a = new_index[ed->from], b = new_index[ed->to];
		int ka = f->chain_of[ed->from], kb = f->chain_of[ed->to];
		if (a >= 0 && b >= 0) {
			graph_add_edge(c, a, b, ed->label);
		} else if (a >= 0 && kb >= 0 && ed->to == f->chains[kb].first_middle) {
			graph_add_edge(c, a, f->chains[kb].summary, ed->label);
		} else if (ka >= 0 && b >= 0) {
			/* Once per (summary, target): the key's "label" is the target. */
			char target[16];
			snprintf(target, sizeof target, "%d", b);
			int *seen = pair_slot(&summary_edges, pair_key(f->chains[ka].summary, target));
			if ((*seen)++ == 0)
				graph_add_edge(c, f->chains[ka].summary, b, ed->label);
		}
	}
	c->reachable = g->reachable;
	c->limited = g->limited;
	c->highlight = g->highlight;
	pair_counts_free(&summary_edges);
	free(new_index);
	return c;
}

struct graph *graph_collapse_chains(const struct graph *g, int keep_head, int keep_tail)
{
	size_t n = (size_t)(g->n_nodes ? g->n_nodes : 1);
	struct chain_fold f = {
		.g = g,
		.middle = xcalloc(n, sizeof *f.middle),
		.kept = xcalloc(n, sizeof *f.kept),
		.chain_of = xmalloc(n * sizeof *f.chain_of),
	};
	struct graph *c;

	for (int i = 0; i < g->n_nodes; i++)
		f.chain_of[i] = -1;
	adjacency_build(g, &f.out, false);
	chain_find(&f, keep_head, keep_tail);
	chain_attribute(&f);
	c = chain_build(&f);
	adjacency_free(&f.out);
	free(f.next);
	free(f.chains);
	free(f.middle);
	free(f.kept);
	free(f.chain_of);
	return c;
}

/* ---- leaving the interpreter's machinery out ---------------------------- */

/* Breadth first from queue[0 .. tail), marking in seen every node reached
 * through nodes that `open` lets in (NULL: all of them). */
static void mark_reached(const struct graph *g, const struct adjacency *out, const bool *open,
                         bool *seen, int *queue, int tail)
{
	for (int head = 0; head < tail;) {
		int v = queue[head++];
		for (int k = out->start[v]; k < out->start[v + 1]; k++) {
			int w = g->edges[out->adj[k]].to;
			if (!seen[w] && (open == NULL || open[w])) {
				seen[w] = true;
				queue[tail++] = w;
			}
		}
	}
}

/* Roots, and the object the scenario points out, are never hidden. */
static bool always_shown(const struct graph *g, int i)
{
	return g->nodes[i].root || (g->highlight != 0 && g->nodes[i].addr == g->highlight);
}

struct graph *graph_hide_incidental(const struct graph *g, long hidden[GRAPH_KIND_COUNT])
{
	int n = g->n_nodes, tail = 0;
	bool *open = xcalloc((size_t)n + 1, sizeof *open), *reached = xcalloc((size_t)n + 1, sizeof *reached);
	bool *kept = xcalloc((size_t)n + 1, sizeof *kept);
	int *queue = xmalloc(((size_t)n + 1) * sizeof *queue);
	int *new_index = xmalloc(((size_t)n + 1) * sizeof *new_index);
	struct graph *s = graph_new();
	struct adjacency out;

	adjacency_build(g, &out, false);
	if (hidden != NULL)
		memset(hidden, 0, GRAPH_KIND_COUNT * sizeof *hidden);
	/* What the roots reach at all, then what they reach without passing
	 * through machinery. */
	for (int i = 0; i < n; i++) {
		open[i] = always_shown(g, i) || !g->nodes[i].incidental;
		if (g->nodes[i].root) {
			reached[i] = true;
			queue[tail++] = i;
		}
	}
	mark_reached(g, &out, NULL, reached, queue, tail);
	tail = 0;
	for (int i = 0; i < n; i++) {
		if (always_shown(g, i)) {
			kept[i] = true;
			queue[tail++] = i;
		}
	}
	mark_reached(g, &out, open, kept, queue, tail);
	for (int i = 0; i < n; i++) {
		kept[i] = kept[i] || (!reached[i] && open[i]);
		new_index[i] = kept[i] ? graph_add_node(s, &g->nodes[i]) : -1;
		if (!kept[i] && hidden != NULL)
			hidden[g->nodes[i].kind]++;
	}
	for (int e = 0; e < g->n_edges; e++) {
		const struct graph_edge *ed = &g->edges[e];
		if (kept[ed->from] && kept[ed->to])
			graph_add_edge(s, new_index[ed->from], new_index[ed->to], ed->label);
	}
	s->reachable = g->reachable;
	s->limited = g->limited;
	s->highlight = g->highlight;
	free(open);
	free(reached);
	free(kept);
	free(queue);
	free(new_index);
	adjacency_free(&out);
	return s;
}

/* ---- the shortest cycle through a node: breadth first inside its component */

int graph_cycle_through(const struct graph *g, int node, int *path, int max)
{
	int scc, head = 0, tail = 0, len = 0, found = -1;
	int *via, *queue;
	struct adjacency out;

	if (node < 0 || node >= g->n_nodes || (scc = g->nodes[node].scc) < 0)
		return 0;
	adjacency_build(g, &out, false);
	via = xmalloc((size_t)g->n_nodes * sizeof *via);
	queue = xmalloc((size_t)g->n_nodes * sizeof *queue);
	for (int i = 0; i < g->n_nodes; i++)
		via[i] = -1;
	queue[tail++] = node;
	while (head < tail && found < 0) {
		int v = queue[head++];
		for (int k = out.start[v]; k < out.start[v + 1] && found < 0; k++) {
			int e = out.adj[k], w = g->edges[e].to;
			if (g->nodes[w].scc != scc)
				continue;
			if (w == node)
				found = e;
			else if (via[w] < 0) {
				via[w] = e;
				queue[tail++] = w;
			}
		}
	}
	if (found >= 0) {
		/* Walk back from the closing edge, then reverse. */
		for (int e = found; len < max; e = via[g->edges[e].from]) {
			path[len++] = e;
			if (g->edges[e].from == node)
				break;
		}
		for (int i = 0; i < len / 2; i++) {
			int t = path[i];
			path[i] = path[len - 1 - i];
			path[len - 1 - i] = t;
		}
	}
	free(via);
	free(queue);
	adjacency_free(&out);
	return len;
}

/* ---- the shortest path between two nodes ------------------------------ */

/* Breadth first from every seed at once, to `to`: the shortest path from
 * whichever seed is nearest (the earliest seed on a tie of length). */
static int path_from_seeds(const struct graph *g, const int *seeds, int nseeds, int to, int *path,
                           int max, int *from)
{
	int head = 0, tail = 0, len = -1;
	int *via, *queue;
	bool *seen;
	struct adjacency out;

	adjacency_build(g, &out, false);
	via = xmalloc((size_t)g->n_nodes * sizeof *via);
	queue = xmalloc((size_t)g->n_nodes * sizeof *queue);
	seen = xcalloc((size_t)g->n_nodes, sizeof *seen);
	for (int i = 0; i < nseeds; i++)
		if (!seen[seeds[i]]) {
			seen[seeds[i]] = true;
			via[seeds[i]] = -1;
			queue[tail++] = seeds[i];
		}
	while (head < tail && !seen[to]) {
		int v = queue[head++];
		for (int k = out.start[v]; k < out.start[v + 1]; k++) {
			int w = g->edges[out.adj[k]].to;
			if (!seen[w]) {
				seen[w] = true;
				via[w] = out.adj[k];
				queue[tail++] = w;
			}
		}
	}
	if (seen[to]) {
		int hops = 0, v = to;
		for (; via[v] >= 0; v = g->edges[via[v]].from)
			hops++;
		*from = v;
		len = hops < max ? hops : max;
		for (int u = to, i = hops - 1; via[u] >= 0; u = g->edges[via[u]].from, i--)
			if (i < max)
				path[i] = via[u];
	}
	free(via);
	free(queue);
	free(seen);
	adjacency_free(&out);
	return len;
}

int graph_path(const struct graph *g, int from, int to, int *path, int max)
{
	int seed = from;

	if (from < 0 || to < 0 || from >= g->n_nodes || to >= g->n_nodes)
		return -1;
	if (from == to)
		return 0;
	return path_from_seeds(g, &seed, 1, to, path, max, &seed);
}

int graph_path_from_roots(const struct graph *g, int to, int *path, int max, int *from)
{
	int *roots, n = 0, len;

	if (to < 0 || to >= g->n_nodes)
		return -1;
	roots = xmalloc(((size_t)g->n_nodes + 1) * sizeof *roots);
	for (int i = 0; i < g->n_nodes; i++)
		if (g->nodes[i].root && i != to)
			roots[n++] = i;
	len = n > 0 ? path_from_seeds(g, roots, n, to, path, max, from) : -1;
	free(roots);
	return len;
}

/* ---- summarising big graphs for drawing -------------------------------- */

/* Which edges a node keeps first: on a cycle, then to a node that leads
 * somewhere, then the rest in order. */
static int edge_rank(const struct graph *g, const struct adjacency *out, int e)
{
	int to = g->edges[e].to;

	if (g->edges[e].in_cycle)
		return 0;
	return out->start[to + 1] > out->start[to] ? 1 : 2;
}

struct graph *graph_summarize(const struct graph *g, int max_fanout, int max_nodes)
{
	int n = g->n_nodes;
	struct adjacency out;
	int *new_index = xmalloc((size_t)(n ? n : 1) * sizeof *new_index);
	int *queue = xmalloc((size_t)(n ? n : 1) * sizeof *queue);
	bool *keep_edge = xcalloc((size_t)(g->n_edges ? g->n_edges : 1), sizeof *keep_edge);
	long *more = xcalloc((size_t)(n ? n : 1), sizeof *more);
	size_t *more_bytes = xcalloc((size_t)(n ? n : 1), sizeof *more_bytes);
	bool *rooted = xcalloc((size_t)(n ? n : 1), sizeof *rooted);
	struct graph *s = graph_new();
	int head = 0, tail = 0;

	adjacency_build(g, &out, false);
	for (int i = 0; i < n; i++) {
		new_index[i] = -1;
		if (g->nodes[i].root) {
			rooted[i] = true;
			queue[tail++] = i;
		}
	}
	mark_reached(g, &out, NULL, rooted, queue, tail);
	tail = 0;
	/* Breadth first from the roots, then from what no root reaches, so the
	 * budget goes to what is nearest the roots. What the fan-out leaves out
	 * is counted in "+N more", never drawn apart. */
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++)
			if (new_index[i] < 0 && (pass == 1 ? !rooted[i] : g->nodes[i].root) &&
			    s->n_nodes < max_nodes) {
				new_index[i] = graph_add_node(s, &g->nodes[i]);
				queue[tail++] = i;
				while (head < tail) {
					int v = queue[head++], kept = 0;
					for (int rank = 0; rank < 3; rank++)
						for (int k = out.start[v]; k < out.start[v + 1]; k++) {
							int e = out.adj[k], w = g->edges[e].to;
							if (edge_rank(g, &out, e) != rank)
								continue;
							if (kept < max_fanout && (new_index[w] >= 0 || s->n_nodes < max_nodes)) {
								if (new_index[w] < 0) {
									new_index[w] = graph_add_node(s, &g->nodes[w]);
									queue[tail++] = w;
								}
								keep_edge[e] = true;
								kept++;
							} else if (new_index[w] < 0) {
								more[v] += 1 + g->nodes[w].collapsed;
								more_bytes[v] += g->nodes[w].size + g->nodes[w].collapsed_bytes;
							}
						}
				}
			}
	for (int e = 0; e < g->n_edges; e++)
		if (keep_edge[e] || (new_index[g->edges[e].from] >= 0 && new_index[g->edges[e].to] >= 0 &&
		                     g->edges[e].in_cycle))
			graph_add_edge(s, new_index[g->edges[e].from], new_index[g->edges[e].to], g->edges[e].label);
	for (int v = 0; v < n; v++) {
		if (new_index[v] < 0 || more[v] == 0)
			continue;
		struct graph_node m = { .kind = GRAPH_MORE, .collapsed = more[v], .collapsed_bytes = more_bytes[v] };
		char count[32], bytes[32];
		util_fmt_count((double)more[v], count, sizeof count);
		util_fmt_bytes((double)more_bytes[v], bytes, sizeof bytes);
		snprintf(m.type, sizeof m.type, "more");
		snprintf(m.repr, sizeof m.repr, "+%.20s more (%.16s)", count, bytes);
		graph_add_edge(s, new_index[v], graph_add_node(s, &m), "…");
	}
	s->reachable = g->reachable;
	s->limited = g->limited;
	s->highlight = g->highlight;
	free(new_index);
	free(queue);
	free(keep_edge);
	free(more);
	free(more_bytes);
	free(rooted);
	adjacency_free(&out);
	return s;
}
