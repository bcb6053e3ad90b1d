/* pyprobes.c — the probes that need Python: the watched object's traceback
 * chain and the frames it keeps, and the collector's counts. Nothing here
 * allocates from Python's allocators or creates an object while sampling:
 * probes must not change what they measure. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pyprobes.h"

#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "pyerror.h"
#include "pyintrospect.h"
#include "pypath.h"
#include "util.h"

static struct pypath *watched;       /* what the chain and frames probes follow, or NULL */
static long gc_runs;                 /* collections since the namespace was made */
static int gc_counts[3];             /* collections per generation during the job */
static long gc_found;                /* unreachable objects they found */

void pyprobes_gc_event(int generation, long collected)
{
	gc_runs++;
	if (generation >= 0 && generation < 3)
		gc_counts[generation]++;
	if (collected > 0)
		gc_found += collected;
}

void pyprobes_new_job(void)
{
	memset(gc_counts, 0, sizeof gc_counts);
	gc_found = 0;
}

void pyprobes_gc_counts(int counts[3], long *found)
{
	memcpy(counts, gc_counts, sizeof gc_counts);
	*found = gc_found;
}

void pyprobes_reset(void)
{
	pypath_free(watched);
	watched = NULL;
	gc_runs = 0;
}

/* A set of pointers, allocated with plain malloc so that probing never moves
 * the Python heap it measures. */
struct ptrset {
	void **slots;
	size_t cap, len;
};

static bool ptrset_add(struct ptrset *s, void *p)
{
	size_t i;

	if (2 * (s->len + 1) > s->cap) {
		struct ptrset bigger = { .cap = s->cap ? s->cap * 2 : 256 };
		bigger.slots = xcalloc(bigger.cap, sizeof *bigger.slots);
		for (size_t k = 0; k < s->cap; k++)
			if (s->slots[k])
				ptrset_add(&bigger, s->slots[k]);
		free(s->slots);
		*s = bigger;
	}
	for (i = ((uintptr_t)p >> 4) % s->cap; s->slots[i]; i = (i + 1) % s->cap)
		if (s->slots[i] == p)
			return false;
	s->slots[i] = p;
	s->len++;
	return true;
}

static void ptrset_clear(struct ptrset *s)
{
	if (s->slots)
		memset(s->slots, 0, s->cap * sizeof *s->slots);
	s->len = 0;
}

struct frame_walk {
	struct ptrset seen;
	PyObject **stack;
	size_t len, cap;
};

static void walk_push(struct frame_walk *w, PyObject *frame)
{
	if (!ptrset_add(&w->seen, frame))
		return;
	if (w->len == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 64;
		w->stack = xrealloc(w->stack, w->cap * sizeof *w->stack);
	}
	w->stack[w->len++] = frame;
}

/* tp_traverse visitor: the frames a frame references (f_back, or a frame held
 * in a local). Traversal is what gc.get_referents does; unlike reading
 * f_back or f_locals from Python it creates nothing. */
static int visit_frames(PyObject *child, void *arg)
{
	if (child && PyFrame_Check(child))
		walk_push(arg, child);
	return 0;
}

static PyObject *resolve_watch(PyObject *namespace)
{
	PyObject *obj = NULL;

	if (watched && namespace)
		pypath_resolve(watched, namespace, &obj, NULL, 0);
	return obj;
}

static void sample_chain(PyObject *namespace, struct probe_sample *s)
{
	static struct frame_walk w;
	PyObject *obj = resolve_watch(namespace);
	PyObject *tb = NULL;
	long chain = 0;

	ptrset_clear(&w.seen);
	w.len = 0;
	if (obj && PyExceptionInstance_Check(obj))
		tb = pyerror_traceback_of(obj);
	else if (obj && PyTraceBack_Check(obj))
		tb = Py_NewRef(obj);
	for (PyTracebackObject *t = (PyTracebackObject *)tb; t; t = t->tb_next) {
		chain++;
		if (t->tb_frame)   /* NULL once the GC has cleared the traceback */
			walk_push(&w, (PyObject *)t->tb_frame);
	}
	for (size_t i = 0; i < w.len; i++) {
		PyObject *frame = w.stack[i];
		Py_TYPE(frame)->tp_traverse(frame, visit_frames, &w);
	}
	Py_XDECREF(tb);
	Py_XDECREF(obj);
	s->v[PROBE_CHAIN] = (double)chain;
	s->v[PROBE_FRAMES] = (double)w.seen.len;
	s->have |= (1u << PROBE_CHAIN) | (1u << PROBE_FRAMES);
}

/* The generation-0 count, read in place (pyintrospect). */
static void sample_gc(struct probe_sample *s)
{
	s->v[PROBE_GC0] = (double)pyintrospect_gc_count0();
	s->v[PROBE_GC_RUNS] = (double)gc_runs;
	s->have |= (1u << PROBE_GC0) | (1u << PROBE_GC_RUNS);
}

void pyprobes_sample(PyObject *namespace, struct probe_sample *s)
{
	memset(s, 0, sizeof *s);
	sample_chain(namespace, s);
	sample_gc(s);
	probe_sample_process(s);
}

int pyprobes_watch(PyObject *namespace, const char *path, char *why, size_t size)
{
	struct pypath *p = NULL;
	PyObject *obj = NULL;

	if (path && path[0]) {
		p = pypath_parse(path, why, size);
		if (p == NULL)
			return -1;
		if (pypath_resolve(p, namespace, &obj, why, size) == PYPATH_UNKNOWN) {
			pypath_free(p);
			return -1;
		}
		Py_XDECREF(obj);
	}
	pypath_free(watched);
	watched = p;
	return 0;
}
