/* probe_pass.c — classify the heap, and what a set of objects keeps alive.
 *
 * The classification is the GC's own algorithm (Modules/gcmodule.c,
 * update_refs/subtract_refs/move_unreachable) on a private copy of the
 * counts: an object whose count exceeds the references other tracked
 * objects hold to it is held from outside, and so is all it reaches. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "probe_pass.h"

#include <stdlib.h>
#include <string.h>

#include "probe_heap.h"
#include "util.h"

#define RETAIN_MAX 2000000   /* objects probe_retained walks at most */

/* ---- a map from object to index ---------------------------------------- */

struct objmap {
	uintptr_t *keys;
	int *values;
	size_t cap, len;
};

static size_t slot(const struct objmap *m, uintptr_t key)
{
	uint64_t h = (uint64_t)key * 0x9E3779B97F4A7C15u;
	size_t i = (size_t)(h >> 17) & (m->cap - 1);

	while (m->keys[i] != 0 && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static void map_init(struct objmap *m, size_t expect)
{
	m->cap = 64;
	while (m->cap < expect * 2)
		m->cap *= 2;
	m->keys = xcalloc(m->cap, sizeof *m->keys);
	m->values = xmalloc(m->cap * sizeof *m->values);
	m->len = 0;
}

static void map_free(struct objmap *m)
{
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof *m);
}

static int map_get(const struct objmap *m, const void *key)
{
	size_t i = slot(m, (uintptr_t)key);

	return m->keys[i] ? m->values[i] : -1;
}

/* The index of key, adding it as `value` when absent (*added says so). */
static int map_put(struct objmap *m, const void *key, int value, bool *added)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap) {
		struct objmap bigger;
		map_init(&bigger, m->cap);
		for (size_t k = 0; k < m->cap; k++)
			if (m->keys[k]) {
				size_t j = slot(&bigger, m->keys[k]);
				bigger.keys[j] = m->keys[k];
				bigger.values[j] = m->values[k];
				bigger.len++;
			}
		map_free(m);
		*m = bigger;
	}
	i = slot(m, (uintptr_t)key);
	*added = m->keys[i] == 0;
	if (*added) {
		m->keys[i] = (uintptr_t)key;
		m->values[i] = value;
		m->len++;
	}
	return m->values[i];
}

static int traverse(PyObject *o, visitproc visit, void *arg)
{
	traverseproc t = Py_TYPE(o)->tp_traverse;

	return PyObject_IS_GC(o) && t ? t(o, visit, arg) : 0;
}

/* ---- the classification ------------------------------------------------- */

struct untracked {
	int cls;          /* the class of the objects that hold it, or -1: mixed */
	Py_ssize_t refs;  /* references seen from tracked objects */
};

struct probe_pass {
	PyObject **objs;
	int len, cap;
	struct objmap index;
	Py_ssize_t *refs;
	unsigned char *cls;   /* 0 unseen (garbage), 1 reachable, 2 through tracebacks */
	int *queue;
	int qlen;
	double bytes[3];
	/* while visiting */
	int from;
	struct objmap loose;  /* untracked referents */
	struct untracked *loose_info;
	int loose_len, loose_cap;
};

static void collect(PyObject *o, void *arg)
{
	struct probe_pass *p = arg;

	if (p->len == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->objs = xrealloc(p->objs, (size_t)p->cap * sizeof *p->objs);
	}
	p->objs[p->len++] = o;
}

static int subtract(PyObject *child, void *arg)
{
	struct probe_pass *p = arg;
	int j = child ? map_get(&p->index, child) : -1;

	if (j >= 0)
		p->refs[j]--;
	return 0;
}

static int reach(PyObject *child, void *arg)
{
	struct probe_pass *p = arg;
	int j = child ? map_get(&p->index, child) : -1;

	if (j >= 0 && p->cls[j] == 0) {
		p->cls[j] = p->cls[p->from];
		p->queue[p->qlen++] = j;
	}
	return 0;
}

/* Spread the class of queued objects to what they reach; tracebacks are
 * not walked through when `stop_at_tb`, and are queued again for later. */
static void spread(struct probe_pass *p, bool stop_at_tb, int *tbs, int *ntbs)
{
	while (p->qlen > 0) {
		int i = p->queue[--p->qlen];
		if (stop_at_tb && PyTraceBack_Check(p->objs[i])) {
			tbs[(*ntbs)++] = i;
			continue;
		}
		p->from = i;
		traverse(p->objs[i], reach, p);
	}
}

static int note_loose(PyObject *child, void *arg)
{
	struct probe_pass *p = arg;
	int c = p->cls[p->from], k;
	bool added;

	if (child == NULL || map_get(&p->index, child) >= 0)
		return 0;
	k = map_put(&p->loose, child, p->loose_len, &added);
	if (added) {
		if (p->loose_len == p->loose_cap) {
			p->loose_cap = p->loose_cap ? p->loose_cap * 2 : 4096;
			p->loose_info = xrealloc(p->loose_info, (size_t)p->loose_cap * sizeof *p->loose_info);
		}
		p->loose_info[p->loose_len++] = (struct untracked){ .cls = c, .refs = 0 };
	}
	if (p->loose_info[k].cls != c)
		p->loose_info[k].cls = -1;
	p->loose_info[k].refs++;
	return 0;
}

struct probe_pass *probe_pass_run(void)
{
	struct probe_pass *p;
	int *tbs, ntbs = 0;
	bool added;

	if (!probe_heap_supported())
		return NULL;
	p = xcalloc(1, sizeof *p);
	probe_heap_walk(collect, p);
	map_init(&p->index, (size_t)p->len);
	p->refs = xmalloc(((size_t)p->len + 1) * sizeof *p->refs);
	p->cls = xcalloc((size_t)p->len + 1, 1);
	p->queue = xmalloc(((size_t)p->len + 1) * sizeof *p->queue);
	tbs = xmalloc(((size_t)p->len + 1) * sizeof *tbs);
	for (int i = 0; i < p->len; i++) {
		map_put(&p->index, p->objs[i], i, &added);
		p->refs[i] = Py_REFCNT(p->objs[i]);
	}
	for (int i = 0; i < p->len; i++)
		traverse(p->objs[i], subtract, p);
	for (int i = 0; i < p->len; i++)
		if (p->refs[i] > 0) {
			p->cls[i] = CLASS_REACHABLE;
			p->queue[p->qlen++] = i;
		}
	spread(p, true, tbs, &ntbs);
	/* What only the tracebacks reach is found from them, in a class of its own. */
	for (int k = 0; k < ntbs; k++) {
		p->from = tbs[k];
		p->cls[tbs[k]] = CLASS_TB_ONLY;   /* the traceback objects themselves */
		traverse(p->objs[tbs[k]], reach, p);
		spread(p, false, NULL, NULL);
	}
	free(tbs);
	map_init(&p->loose, 1024);
	for (int i = 0; i < p->len; i++) {
		p->bytes[p->cls[i]] += (double)probe_heap_size(p->objs[i]);
		p->from = i;
		traverse(p->objs[i], note_loose, p);
	}
	for (size_t k = 0; k < p->loose.cap; k++) {
		struct untracked *u;
		PyObject *o = (PyObject *)p->loose.keys[k];
		if (o == NULL)
			continue;
		u = &p->loose_info[p->loose.values[k]];
		if (u->cls >= 0 && u->refs == Py_REFCNT(o))
			p->bytes[u->cls] += (double)probe_heap_size(o);
	}
	map_free(&p->loose);
	free(p->loose_info);
	p->loose_info = NULL;
	return p;
}

void probe_pass_free(struct probe_pass *p)
{
	if (p == NULL)
		return;
	free(p->objs);
	map_free(&p->index);
	free(p->refs);
	free(p->cls);
	free(p->queue);
	free(p);
}

int probe_pass_class(const struct probe_pass *p, PyObject *o)
{
	int i = map_get(&p->index, o);

	return i < 0 ? -1 : p->cls[i];
}

double probe_pass_bytes(const struct probe_pass *p, enum probe_class c)
{
	return p->bytes[c];
}

int probe_pass_len(const struct probe_pass *p)
{
	return p->len;
}

PyObject *probe_pass_object(const struct probe_pass *p, int i)
{
	return p->objs[i];
}

/* ---- what a set keeps alive -------------------------------------------- */

struct retain {
	struct objmap index;
	PyObject **objs;
	Py_ssize_t *inner;    /* references from inside the set */
	unsigned char *kept;  /* held from outside, or reached from what is */
	int len, cap;
	int *stack, top;
	int nroots;           /* the first nroots of objs */
	bool limited;
	int *owner;           /* the set each object is counted with, or -1 */
	int claiming;
};

static bool never_counted(PyObject *o)
{
	return PyModule_Check(o) || PyType_Check(o) || PyFunction_Check(o) || PyCode_Check(o) ||
	       PyCFunction_Check(o);
}

static int add_member(PyObject *child, void *arg)
{
	struct retain *r = arg;
	bool added;

	if (child == NULL || never_counted(child))
		return 0;
	if (r->len >= RETAIN_MAX) {
		r->limited = r->limited || map_get(&r->index, child) < 0;
		return 0;
	}
	map_put(&r->index, child, r->len, &added);
	if (added) {
		if (r->len == r->cap) {
			r->cap = r->cap ? r->cap * 2 : 256;
			r->objs = xrealloc(r->objs, (size_t)r->cap * sizeof *r->objs);
		}
		r->objs[r->len++] = child;
	}
	return 0;
}

static int count_inner(PyObject *child, void *arg)
{
	struct retain *r = arg;
	int j = child ? map_get(&r->index, child) : -1;

	if (j >= 0)
		r->inner[j]++;
	return 0;
}

static int spread_kept(PyObject *child, void *arg)
{
	struct retain *r = arg;
	int j = child ? map_get(&r->index, child) : -1;

	/* Never through a root: they are the ones let go. */
	if (j >= r->nroots && !r->kept[j]) {
		r->kept[j] = 1;
		r->stack[r->top++] = j;
	}
	return 0;
}

static int claim(PyObject *child, void *arg)
{
	struct retain *r = arg;
	int j = child ? map_get(&r->index, child) : -1;

	if (j >= 0 && !r->kept[j] && r->owner[j] < 0) {
		r->owner[j] = r->claiming;
		r->stack[r->top++] = j;
	}
	return 0;
}

void probe_retained(PyObject *const *roots, int n, struct probe_kept *out)
{
	probe_retained_sets(roots, n, NULL, 1, out);
}

void probe_retained_sets(PyObject *const *roots, int n, const int *set, int nsets,
                         struct probe_kept *out)
{
	struct retain r = { 0 };

	memset(out, 0, (size_t)nsets * sizeof *out);
	map_init(&r.index, 1024);
	for (int i = 0; i < n; i++)
		add_member(roots[i], &r);
	r.nroots = r.len;
	/* Breadth first: r.objs grows while it is read. */
	for (int i = 0; i < r.len; i++)
		traverse(r.objs[i], add_member, &r);
	r.inner = xcalloc((size_t)r.len + 1, sizeof *r.inner);
	r.kept = xcalloc((size_t)r.len + 1, 1);
	r.stack = xmalloc(((size_t)r.len + 1) * sizeof *r.stack);
	for (int i = 0; i < r.len; i++)
		traverse(r.objs[i], count_inner, &r);
	/* The roots are the ones let go: whatever else holds them does not count. */
	for (int i = r.nroots; i < r.len; i++)
		if (Py_REFCNT(r.objs[i]) > r.inner[i] && !r.kept[i]) {
			r.kept[i] = 1;
			r.stack[r.top++] = i;
		}
	while (r.top > 0) {
		int i = r.stack[--r.top];
		traverse(r.objs[i], spread_kept, &r);
	}
	/* What the sets keep together is counted once, with the first set
	 * that reaches it (each root with its own set first); what is not
	 * kept is reached from a root through what is not kept either. */
	r.owner = xmalloc(((size_t)r.len + 1) * sizeof *r.owner);
	r.stack = xrealloc(r.stack, ((size_t)r.len + (size_t)n + 1) * sizeof *r.stack);   /* a root twice */
	for (int i = 0; i < r.len; i++)
		r.owner[i] = -1;
	for (int i = 0; i < n; i++) {
		int j = roots[i] ? map_get(&r.index, roots[i]) : -1;
		if (j >= 0 && r.owner[j] < 0)
			r.owner[j] = set ? set[i] : 0;
	}
	for (r.claiming = 0; r.claiming < nsets; r.claiming++) {
		for (int i = 0; i < n; i++) {
			int j = roots[i] ? map_get(&r.index, roots[i]) : -1;
			if (j >= 0 && r.owner[j] == r.claiming)
				r.stack[r.top++] = j;
		}
		while (r.top > 0) {
			int i = r.stack[--r.top];
			traverse(r.objs[i], claim, &r);
		}
	}
	for (int i = 0; i < r.len; i++) {
		struct probe_kept *o;
		if (r.kept[i] || r.owner[i] < 0)
			continue;
		o = &out[r.owner[i]];
		o->bytes += (double)probe_heap_size(r.objs[i]);
		o->objects++;
		o->frames += PyFrame_Check(r.objs[i]);
	}
	for (int k = 0; k < nsets; k++)
		out[k].limited = r.limited;
	map_free(&r.index);
	free(r.objs);
	free(r.inner);
	free(r.kept);
	free(r.stack);
	free(r.owner);
}
