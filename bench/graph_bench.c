/* graph_bench.c — time exclab's object graph on about 10,000 objects: the
 * capture (tp_traverse walk, labels, cycles, retained sizes), collapsing the
 * long chain, and the layout, each the median of many runs. bench/graph.py
 * runs it beside objgraph + Graphviz on the same root.
 *
 * usage: graph_bench WORKLOAD.py [RUNS] */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>
#include <stdlib.h>

#include "graph.h"
#include "graph_layout.h"
#include "pygraph.h"
#include "util.h"

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

int main(int argc, char **argv)
{
	PyConfig config;
	int runs = argc > 2 ? atoi(argv[2]) : 21;
	double *t_capture = xcalloc((size_t)runs, sizeof(double));
	double *t_collapse = xcalloc((size_t)runs, sizeof(double));
	double *t_layout = xcalloc((size_t)runs, sizeof(double));
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = 1 << 20 };
	const char *name = "root";
	int nodes = 0, shown = 0;
	FILE *f;

	if (argc < 2) {
		fprintf(stderr, "usage: graph_bench WORKLOAD.py [RUNS]\n");
		return 2;
	}
	PyConfig_InitIsolatedConfig(&config);
	config.site_import = 0;
	PyConfig_SetBytesString(&config, &config.program_name, EXCLAB_PYTHON_EXE);
	Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	f = fopen(argv[1], "r");
	PyObject *globals = PyDict_New();
	PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
	PyDict_SetItemString(globals, "__name__", PyUnicode_FromString("__bench__"));
	if (f == NULL || PyRun_FileEx(f, argv[1], Py_file_input, globals, globals, 1) == NULL) {
		PyErr_Print();
		return 2;
	}
	PyObject *root = PyDict_GetItemString(globals, "root");

	for (int i = 0; i < runs; i++) {
		double t0 = util_now();
		struct graph *g = pygraph_capture(&root, &name, 1, &lim);
		double t1 = util_now();
		struct graph *c = graph_collapse_chains(g, 3, 3);
		graph_find_cycles(c);
		graph_compute_retained(c);
		double t2 = util_now();
		struct graph_layout layout;
		struct graph_layout_opts opt = { 0 };
		graph_layout(c, &opt, &layout);
		double t3 = util_now();
		t_capture[i] = t1 - t0;
		t_collapse[i] = t2 - t1;
		t_layout[i] = t3 - t2;
		nodes = g->n_nodes;
		shown = c->n_nodes;
		graph_layout_free(&layout);
		graph_free(c);
		graph_free(g);
	}
	printf("nodes %d\n", nodes);
	printf("shown %d\n", shown);
	printf("capture_ms %.3f\n", median(t_capture, runs) * 1000);
	printf("collapse_ms %.3f\n", median(t_collapse, runs) * 1000);
	printf("layout_ms %.3f\n", median(t_layout, runs) * 1000);
	Py_DECREF(globals);
	Py_FinalizeEx();
	return 0;
}
