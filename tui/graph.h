/* graph.h — an object graph as plain C data.
 *
 * The Python host captures one (pyhost.c walks tp_traverse from chosen roots);
 * everything here is pure C: cycle finding, the bytes each node keeps alive
 * alone, and collapsing long homogeneous chains. No interpreter, no curses. */
#ifndef EXCLAB_GRAPH_H
#define EXCLAB_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum graph_kind {
	GRAPH_EXCEPTION,
	GRAPH_TRACEBACK,
	GRAPH_FRAME,
	GRAPH_DICT,
	GRAPH_LIST,
	GRAPH_TUPLE,
	GRAPH_SET,
	GRAPH_CELL,
	GRAPH_FUNCTION,
	GRAPH_METHOD,
	GRAPH_INSTANCE,
	GRAPH_CODE,
	GRAPH_MODULE,
	GRAPH_TYPE,
	GRAPH_BYTES,
	GRAPH_STR,
	GRAPH_NUMBER,
	GRAPH_OTHER,
	GRAPH_SUMMARY,   /* stands for a collapsed chain: "… 9,994 more traceback entries (1.1 MB) …" */
	GRAPH_MORE,      /* stands for children not captured (depth or node limit) */
	GRAPH_KIND_COUNT
};

struct graph_node {
	uintptr_t addr;        /* the object's address: identity within one capture; 0 for SUMMARY/MORE */
	enum graph_kind kind;
	char type[48];         /* Python type name, e.g. "RuntimeError", "frame" */
	char repr[96];         /* a short, safe description; never the object's own __repr__ */
	size_t size;           /* the object's own size, as sys.getsizeof */
	size_t retained;       /* bytes alive only through this node (itself included) */
	bool root;             /* one of the roots the capture started from */
	char root_name[64];    /* its name in the scenario, for roots */
	bool external;         /* also referenced from outside the captured graph */
	bool truncated;        /* its referents were not all captured */
	bool incidental;       /* what a lesson's picture can leave out: the interpreter's
	                        * machinery (code, functions, classes, modules and their
	                        * namespaces) and the constants it keeps for good (None,
	                        * True, False, small ints) */
	int scc;               /* strongly connected component, -1 when not on a cycle */
	long collapsed;        /* SUMMARY/MORE: how many objects it stands for */
	size_t collapsed_bytes;/* SUMMARY/MORE: their bytes */
};

struct graph_edge {
	int from, to;          /* node indexes */
	char label[48];        /* its meaning: "__traceback__", "tb_next", "payload", "[0]", "f_back" ... */
	bool in_cycle;         /* both ends in the same strongly connected component */
};

struct graph {
	struct graph_node *nodes;
	int n_nodes, cap_nodes;
	struct graph_edge *edges;
	int n_edges, cap_edges;
	long reachable;        /* objects reached in all, captured or not (lower bound when limited) */
	bool limited;          /* the node or depth limit cut the capture short */
	uintptr_t highlight;   /* the object the scenario asked to point out, or 0 */
};

struct graph *graph_new(void);
void graph_free(struct graph *g);

/* Index of the new node. */
int graph_add_node(struct graph *g, const struct graph_node *n);
void graph_add_edge(struct graph *g, int from, int to, const char *label);
/* Index of the node for addr, -1 when absent (linear: for tests and checks). */
int graph_find(const struct graph *g, uintptr_t addr);

/* Strongly connected components (Tarjan, iterative): sets node.scc for nodes
 * on a cycle (a component of 2+ nodes, or a node with an edge to itself) and
 * edge.in_cycle for edges inside one. Returns the number of cycles found. */
int graph_find_cycles(struct graph *g);

/* node.retained: the bytes each node keeps alive on its own, from the
 * dominator tree of the graph as seen from its roots. Nodes marked external
 * are held from elsewhere too, so they count as kept by no captured node. */
void graph_compute_retained(struct graph *g);

/* A new graph in which every run of more than keep_head + keep_tail + 1
 * nodes of one kind linked by edges of one label (tb_next, f_back, ...) keeps
 * its first keep_head and last keep_tail nodes; the middle (two nodes or
 * more) becomes one SUMMARY node that counts the nodes and bytes it replaces.
 * Nodes hanging off the collapsed middle go with it. Time linear in nodes
 * and edges, however many chains. */
struct graph *graph_collapse_chains(const struct graph *g, int keep_head, int keep_tail);

/* A new graph small enough to draw: each node keeps at most max_fanout of
 * its edges (those on a cycle first, then those to objects with referents of
 * their own), and at most max_nodes nodes are kept, nearest the roots first
 * (then those no root reaches). What is left out becomes one MORE node per
 * parent that counts the objects and bytes it stands for. */
struct graph *graph_summarize(const struct graph *g, int max_fanout, int max_nodes);

/* A new graph without the incidental nodes and what only they reach from
 * the roots (roots and the highlighted object always stay; a node no root
 * reaches stays unless incidental). hidden[kind], when not NULL, counts the
 * nodes left out by kind. Edges among the nodes kept keep their labels. */
struct graph *graph_hide_incidental(const struct graph *g, long hidden[GRAPH_KIND_COUNT]);

/* The shortest path from node `from` to node `to`, as edge indexes in order,
 * into path (at most max); returns its length, -1 when there is none. */
int graph_path(const struct graph *g, int from, int to, int *path, int max);
/* The shortest path to node `to` from any root but itself, found in one
 * search: its length (-1 when no root reaches it), and in *from the root it
 * starts at (the first root on a tie). */
int graph_path_from_roots(const struct graph *g, int to, int *path, int max, int *from);

/* The shortest cycle through node, as edge indexes in order, into path (at
 * most max); returns its length, 0 when node is on no cycle. Call after
 * graph_find_cycles. */
int graph_cycle_through(const struct graph *g, int node, int *path, int max);

const char *graph_kind_name(enum graph_kind kind);

#endif
