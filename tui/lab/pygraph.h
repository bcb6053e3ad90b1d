/* pygraph.h — capture an object graph from live Python objects.
 *
 * Edges are exactly what each type's tp_traverse reports (what
 * gc.get_referents returns), labelled by meaning where the type is known.
 * Capturing changes nothing it looks at: it never reads frame.f_locals or an
 * instance's __dict__ (pyintrospect.c reads them in place), never runs an
 * object's own __repr__ or __sizeof__ written in Python, and allocates no
 * container objects, so it can never trigger a collection. Call with the GIL
 * held. */
#ifndef EXCLAB_PYGRAPH_H
#define EXCLAB_PYGRAPH_H

#include <Python.h>

#include "graph.h"

struct pygraph_limits {
	int depth;    /* edges from a root beyond which nodes are not expanded */
	int nodes;    /* nodes captured at most; referents past it become "+N more" */
	bool skip_tracebacks;  /* leave traceback objects out, and what only they reach */
	bool follow_classes;   /* walk into classes defined in Python (their attributes) */
};

/* A graph from the given roots (borrowed; NULL entries are skipped), named
 * for display. Module dicts, code objects, modules and classes are leaves.
 * Cycles are found; retained sizes are left to the caller
 * (graph_compute_retained), best run on a collapsed graph when chains are
 * long. */
struct graph *pygraph_capture(PyObject *const *roots, const char *const *names, int n_roots,
                              const struct pygraph_limits *lim);

#endif
