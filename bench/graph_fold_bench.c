/* graph_fold_bench.c — time graph_collapse_chains on big synthetic graphs:
 * one traceback chain of 1,000, 10,000 and 100,000 entries (each with its
 * frame, a payload and the shared caller), and as many entries in chains of
 * ten, one exception each (folding was once quadratic in the number of
 * chains). The cases run interleaved, round after round; each prints its
 * median and its time per node: linear time shows as equal times per node.
 *
 * usage: graph_fold_bench [ROUNDS]   (default 11)
 *        graph_fold_bench --smoke    graphs 10 times smaller, one round, and
 *                                    the summaries checked: the test suite
 *                                    runs this */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "util.h"

#define KEEP 3            /* as the view folds: three entries at each end */
#define SHORT 10          /* entries in each chain of the short-chains case */
#define ENTRY_BYTES (64 + 208 + 1000)   /* traceback, frame, payload */

struct bench_case {
	int entries;
	bool one_chain;       /* else chains of SHORT entries */
	int chain;            /* entries per chain */
	struct graph *g;
	double *times;
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

static int add(struct graph *g, enum graph_kind kind, const char *type, size_t size)
{
	struct graph_node n = { .kind = kind, .size = size };

	n.addr = (uintptr_t)(g->n_nodes + 1) * 64;
	snprintf(n.type, sizeof n.type, "%s", type);
	return graph_add_node(g, &n);
}

/* Lesson 1's leak, entries long in chains of `chain`: an exception per chain,
 * each entry a traceback with its frame, the frame's payload, and f_back to
 * one caller frame that is still running. */
static struct graph *make_graph(int entries, int chain)
{
	struct graph *g = graph_new();
	int caller = add(g, GRAPH_FRAME, "frame", 208), prev = -1;

	g->nodes[caller].external = true;
	for (int i = 0; i < entries; i++) {
		if (i % chain == 0) {
			prev = add(g, GRAPH_EXCEPTION, "CustomError", 80);
			g->nodes[prev].root = true;
		}
		int tb = add(g, GRAPH_TRACEBACK, "traceback", 64);
		int fr = add(g, GRAPH_FRAME, "frame", 208);
		graph_add_edge(g, prev, tb, i % chain == 0 ? "__traceback__" : "tb_next");
		graph_add_edge(g, tb, fr, "tb_frame");
		graph_add_edge(g, fr, add(g, GRAPH_BYTES, "bytes", 1000), "payload");
		graph_add_edge(g, fr, caller, "f_back");
		prev = tb;
	}
	return g;
}

/* One summary per chain, each standing for the middle of its chain. */
static bool output_ok(const struct bench_case *c, const struct graph *f)
{
	long middle = c->chain - 2 * KEEP, summaries = 0;

	for (int i = 0; i < f->n_nodes; i++) {
		if (f->nodes[i].kind != GRAPH_SUMMARY)
			continue;
		if (f->nodes[i].collapsed != middle ||
		    f->nodes[i].collapsed_bytes != (size_t)middle * ENTRY_BYTES)
			return false;
		summaries++;
	}
	return summaries == c->entries / c->chain;
}

int main(int argc, char **argv)
{
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	int rounds = smoke ? 1 : argc > 1 ? atoi(argv[1]) : 11;
	int scale = smoke ? 10 : 1;
	struct bench_case cases[] = {
		{ .entries = 1000, .one_chain = true }, { .entries = 10000, .one_chain = true },
		{ .entries = 100000, .one_chain = true },
		{ .entries = 1000 }, { .entries = 10000 }, { .entries = 100000 },
	};
	const int ncases = (int)(sizeof cases / sizeof cases[0]);
	double base = 0;
	int failed = 0;

	if (rounds < 1) {
		fprintf(stderr, "usage: graph_fold_bench [ROUNDS | --smoke]\n");
		return 2;
	}
	for (int c = 0; c < ncases; c++) {
		cases[c].entries /= scale;
		cases[c].chain = cases[c].one_chain ? cases[c].entries : SHORT;
		cases[c].g = make_graph(cases[c].entries, cases[c].chain);
		cases[c].times = xcalloc((size_t)rounds, sizeof(double));
	}
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < ncases; c++) {
			struct bench_case *bc = &cases[c];
			double t0 = util_now();
			struct graph *f = graph_collapse_chains(bc->g, KEEP, KEEP);

			bc->times[r] = util_now() - t0;
			if (smoke && !output_ok(bc, f)) {
				fprintf(stderr, "graph_fold_bench: case %d: wrong summaries\n", c + 1);
				failed = 1;
			}
			graph_free(f);
		}
	}
	printf("%-13s %8s %8s %10s %12s %18s\n", "case", "entries", "nodes", "median ms",
	       "ns per node", "per node vs small");
	for (int c = 0; c < ncases; c++) {
		double ms = median(cases[c].times, rounds) * 1000;
		double per_node = ms * 1e6 / cases[c].g->n_nodes;
		char what[32] = "one chain", entries[32], nodes[32];

		/* Against the smallest graph of the same case. */
		if (c == 0 || cases[c].one_chain != cases[c - 1].one_chain)
			base = per_node;
		if (!cases[c].one_chain)
			snprintf(what, sizeof what, "chains of %d", SHORT);
		util_fmt_count(cases[c].entries, entries, sizeof entries);
		util_fmt_count(cases[c].g->n_nodes, nodes, sizeof nodes);
		printf("%-13s %8s %8s %10.2f %12.1f %17.2fx\n", what, entries, nodes, ms, per_node,
		       per_node / base);
		graph_free(cases[c].g);
		free(cases[c].times);
	}
	return failed;
}
