/* probe_watch.c — exclab probe's findings: the collector's garbage, scans
 * of the heap, the program's source, and questions about them. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "probe_watch.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "labout.h"
#include "labproto.h"
#include "probe.h"
#include "probe_heap.h"
#include "probe_pass.h"
#include "probe_source.h"
#include "pygraph.h"
#include "pyhost.h"
#include "pyintrospect.h"
#include "util.h"

#define SCAN_FIRST 0.2    /* the first scan: a finding shows within a second of the leak */
#define SCAN_EVERY 0.5    /* seconds between scans, at least */
#define SCAN_SHARE 0.04   /* scans take at most this share of the time */
#define POLL_EVERY 0.05   /* how often the thread looks for questions */
#define GRAPH_NODES 20000 /* a finding's graph, as the lessons' live graph */
#define WHY_NODES 200000
#define GC_SAVEALL 32     /* gc.DEBUG_SAVEALL */

/* One finding, and what it is made from. */
struct group {
	struct finding f;
	char key[1400];
	bool seen, changed;
	char *holder;             /* KEPT: the path that holds the first one, once found */
	uintptr_t obj;            /* the object `g` starts from (compared, never followed) */
	PyTypeObject *obj_type;
	char except_file[512];    /* the handler's file and except line, for the source */
	int except_line;
	/* cycles: freed by collections, and waiting at the last scan */
	uint64_t freed, waiting;
	double freed_bytes, waiting_bytes;
};

static struct {
	struct group *g;
	int n, cap;
	char cwd[4096];
	struct wire_conn *conn;
	PyInterpreterState *interp;
	pthread_t thread;
	bool thread_started;
	bool paused;   /* the thread ended for a fork, to start again after it */
	atomic_bool stop;
	/* the collector's callback */
	PyObject *callback;   /* borrowed: gc.callbacks holds the only reference */
	bool removing;        /* exclab takes it out itself, at the end */
	int saved_debug;
	bool saving;
	Py_ssize_t garbage_mark;
	double gc_freed;
	long collections;         /* finished since the program started */
	struct probe_reasons reasons;
	/* exceptions found kept at the last scan: kept twice is kept */
	uintptr_t *was_kept;
	int n_was_kept;
} w;

/* ---- findings ------------------------------------------------------------ */

static struct group *group_for(enum finding_kind kind, const char *key, bool *fresh)
{
	struct group *g;

	for (int i = 0; i < w.n; i++)
		if (w.g[i].f.kind == kind && strcmp(w.g[i].key, key) == 0) {
			*fresh = false;
			return &w.g[i];
		}
	if (w.n == w.cap) {
		w.cap = w.cap ? w.cap * 2 : 16;
		w.g = xrealloc(w.g, (size_t)w.cap * sizeof *w.g);
	}
	g = &w.g[w.n++];
	memset(g, 0, sizeof *g);
	g->f.id = (uint32_t)w.n;
	g->f.kind = kind;
	snprintf(g->key, sizeof g->key, "%s", key);
	g->changed = true;
	*fresh = true;
	return g;
}

static void set_text(struct group *g, char **field, const char *text)
{
	if (*field && strcmp(*field, text) == 0)
		return;
	free(*field);
	*field = xstrdup(text);
	g->changed = true;
}

static void set_number(struct group *g, uint64_t *field, uint64_t v)
{
	if (*field != v) {
		*field = v;
		g->changed = true;
	}
}

/* The object `g` and enter start from. */
static void set_object(struct group *g, PyObject *o)
{
	g->obj = (uintptr_t)o;
	g->obj_type = Py_TYPE(o);
	set_number(g, &g->f.addr, (uint64_t)(uintptr_t)o);
}

static void send_changes(void)
{
	struct wire_out *out;
	struct probe_sample s = { 0 };
	long gc0 = pyintrospect_gc_count0();

	/* The GC gauges, which only the GIL's holder may read. */
	probe_sample_process(&s);
	s.v[PROBE_GC_RUNS] = (double)w.collections;
	s.have |= 1u << PROBE_GC_RUNS;
	if (gc0 >= 0) {
		s.v[PROBE_GC0] = (double)gc0;
		s.have |= 1u << PROBE_GC0;
	}
	labout_sample(&s, SAMPLE_PROGRESS, NULL, NULL);

	for (int i = 0; i < w.n; i++) {
		struct group *g = &w.g[i];
		if (!g->changed || g->f.title == NULL)   /* not a finding (yet) */
			continue;
		g->changed = false;
		out = labout_begin(LAB_FINDING);
		labproto_put_finding(out, &g->f);
		labout_end(out);
	}
	out = labout_begin(LAB_REASONS);
	labproto_put_reasons(out, &w.reasons);
	labout_end(out);
}

/* ---- where an exception comes from ------------------------------------- */

struct where {
	char raise_at[600], except_at[600], except_file[512];
	int except_line;
	long entries;
	int raises;
	bool own;                 /* some entry is in the program's own files */
	PyObject *head;           /* the traceback */
};

static const char *code_file(PyCodeObject *code)
{
	const char *s = PyUnicode_Check(code->co_filename) ? PyUnicode_AsUTF8(code->co_filename) : NULL;

	if (s == NULL)
		PyErr_Clear();
	return s ? s : "?";
}

/* A path as the person typed it: relative to where they are when it is
 * under it. */
static void show_place(const char *file, int line, char *buf, size_t size)
{
	size_t n = strlen(w.cwd);
	char *clean = util_join(NULL, file);   /* "a/../b" as "b": sys.path entries are not normalised */
	const char *shown = clean;

	if (n > 1 && strncmp(shown, w.cwd, n) == 0 && shown[n] == '/')
		shown += n + 1;
	snprintf(buf, size, "%s:%d", shown, line);
	free(clean);
}

/* A frame's code, borrowed: the frame holds it. */
static PyCodeObject *frame_code(PyFrameObject *f)
{
	PyCodeObject *code = PyFrame_GetCode(f);

	Py_DECREF(code);
	return code;
}

static bool generator_code(PyCodeObject *code)
{
	return code->co_flags & (CO_GENERATOR | CO_COROUTINE | CO_ASYNC_GENERATOR | CO_ITERABLE_COROUTINE);
}

/* Do a and b (b = a.tb_next) come from two raises? In one raise each
 * entry's frame called the next. A frame that raises again at the very
 * same instruction raised anew; `raise e` inside its own handler adds its
 * frame once more, at another instruction, and is one raise. A generator's
 * frame does not say who resumed it: it is given the benefit of the doubt. */
static bool new_raise(PyTracebackObject *a, PyTracebackObject *b)
{
	PyObject *fa = (PyObject *)a->tb_frame, *fb = (PyObject *)b->tb_frame, *back;

	if (fa == NULL || fb == NULL)
		return false;
	if (fa == fb)
		return a->tb_lasti == b->tb_lasti;
	back = pyintrospect_frame_back(fb);
	if (back == fa)
		return false;
	return !(back == NULL && generator_code(frame_code((PyFrameObject *)fb)));
}

/* " KeyError LookupError Exception BaseException object ": the names of
 * an exception's class and its bases, read in place. */
static void mro_names(PyObject *exc, char *buf, size_t size)
{
	PyObject *mro = Py_TYPE(exc)->tp_mro;
	size_t used = 1;

	snprintf(buf, size, " ");
	for (Py_ssize_t i = 0; mro && PyTuple_Check(mro) && i < PyTuple_GET_SIZE(mro); i++) {
		const char *name = ((PyTypeObject *)PyTuple_GET_ITEM(mro, i))->tp_name;
		const char *dot = strrchr(name, '.');   /* "socket.gaierror": a C type's */
		int n = snprintf(buf + used, size - used, "%s ", dot ? dot + 1 : name);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}

/* The line of the except clause that caught exc (NULL: a traceback kept
 * alone) at instruction lasti of code: the code says where the handler of
 * a try statement begins, the program's source which of its clauses
 * matches; when none does (or it is a finally's), the exception went on to
 * the handler around it. A with statement's exit may have let it go on
 * too: when a clause around it surely catches it, that clause did (the
 * context managers that swallow, such as suppress(), are seldom inside a
 * try that catches what they swallow); else the with did. */
static int except_line(PyCodeObject *code, int lasti, PyObject *exc)
{
	const char *file = code_file(code);
	char mro[1000];
	int at = probe_heap_handler(code, lasti), with_line = 0;

	if (exc == NULL)
		return probe_heap_handler_line(code, at);
	mro_names(exc, mro, sizeof mro);
	for (int hops = 0; at >= 0 && hops < 16; hops++) {
		enum probe_catch how;
		int line = probe_source_clause(file, probe_heap_handler_line(code, at), mro, &how);
		if (how == CATCH_SURE)
			return line;
		if (how == CATCH_UNSURE)
			return with_line ? with_line : line;
		if (how == CATCH_WITH && with_line == 0)
			with_line = line;
		at = probe_heap_handler(code, at);
	}
	return with_line ? with_line : probe_heap_handler_line(code, at);
}

/* A traceback: where it was raised, where caught (no except clause in
 * the frame: caught by C code, such as asyncio's tasks), how many raises;
 * exc is its exception, NULL for a traceback kept alone. */
static bool describe_tb(PyObject *tbo, PyObject *exc, struct where *wh)
{
	PyTracebackObject *tb, *raise = NULL;

	memset(wh, 0, sizeof *wh);
	if (tbo == NULL || !PyTraceBack_Check(tbo))
		return false;
	tb = (PyTracebackObject *)tbo;
	wh->head = tbo;
	wh->raises = 1;
	for (PyTracebackObject *t = tb; t; t = t->tb_next) {
		bool next_raise = t->tb_next && new_raise(t, t->tb_next);
		wh->entries++;
		if (t->tb_frame && probe_source_own(code_file(frame_code(t->tb_frame))))
			wh->own = true;
		if (raise == NULL && (t->tb_next == NULL || next_raise))
			raise = t;
		wh->raises += next_raise;
	}
	if (raise && raise->tb_frame)
		show_place(code_file(frame_code(raise->tb_frame)), pyintrospect_tb_line((PyObject *)raise),
		           wh->raise_at, sizeof wh->raise_at);
	if (tb->tb_frame) {
		PyCodeObject *code = frame_code(tb->tb_frame);
		wh->except_line = except_line(code, tb->tb_lasti, exc);
		snprintf(wh->except_file, sizeof wh->except_file, "%s", code_file(code));
		if (wh->except_line)
			show_place(wh->except_file, wh->except_line, wh->except_at, sizeof wh->except_at);
	}
	return true;
}

/* The exception whose traceback tells of exc: its own. Kept without a
 * traceback of its own (None: e.with_traceback(None)), it still keeps the
 * traceback of its __cause__ or __context__ (the error it was raised in
 * handling), frames and all: told by that. */
static PyBaseExceptionObject *told_by(PyObject *exc)
{
	PyBaseExceptionObject *e = (PyBaseExceptionObject *)exc;

	for (int hops = 0; (e->traceback == NULL || !PyTraceBack_Check(e->traceback)) && hops < 1000;
	     hops++) {
		PyObject *next = e->cause ? e->cause : e->context;
		if (next == NULL || !PyExceptionInstance_Check(next))
			break;
		e = (PyBaseExceptionObject *)next;
	}
	return e;
}

static bool describe(PyObject *exc, struct where *wh)
{
	PyBaseExceptionObject *e = told_by(exc);

	return describe_tb(e->traceback, (PyObject *)e, wh);
}

/* Read (once) the file of the frame that handled exc, so that describe
 * can tell which of its try's clauses did. Not while the heap is being
 * looked at: reading may let other threads run. */
static void read_handler_file(PyObject *exc)
{
	PyBaseExceptionObject *e = told_by(exc);
	PyTracebackObject *tb = (PyTracebackObject *)e->traceback;

	if (tb && PyTraceBack_Check((PyObject *)tb) && tb->tb_frame)
		probe_source_read(code_file(frame_code(tb->tb_frame)));
}

/* "ValueError('not found')", never running the exception's own code. */
static void exc_words(PyObject *exc, char *buf, size_t size)
{
	PyObject *args = ((PyBaseExceptionObject *)exc)->args;
	PyObject *first = args && PyTuple_Check(args) && PyTuple_GET_SIZE(args) > 0 ?
	                  PyTuple_GET_ITEM(args, 0) : NULL;
	const char *text = first && PyUnicode_Check(first) ? PyUnicode_AsUTF8(first) : NULL;

	if (text == NULL)
		PyErr_Clear();
	if (text)
		snprintf(buf, size, "%s('%.80s')", Py_TYPE(exc)->tp_name, text);
	else
		snprintf(buf, size, "%s()", Py_TYPE(exc)->tp_name);
}

static void fill_where(struct group *g, const struct where *wh)
{
	set_text(g, &g->f.raise_at, wh->raise_at);
	set_text(g, &g->f.except_at, wh->except_at);
	if (!g->f.store_at)
		set_text(g, &g->f.store_at, "");
	snprintf(g->except_file, sizeof g->except_file, "%s", wh->except_file);
	g->except_line = wh->except_line;
}

/* ---- the collector's garbage -------------------------------------------- */

/* What an exception carries, counted with it, each given to visit: its
 * __context__, its __cause__, and an exception group's own exceptions
 * (an ExceptionGroup kept keeps them all: one finding, not one more for
 * its leaves, whose bytes it already holds). */
static void exc_carried(PyObject *exc, void (*visit)(PyObject *, void *), void *arg)
{
	PyBaseExceptionObject *e = (PyBaseExceptionObject *)exc;

	if (!PyExceptionInstance_Check(exc))
		return;
	if (e->context)
		visit(e->context, arg);
	if (e->cause)
		visit(e->cause, arg);
	if (PyObject_TypeCheck(exc, (PyTypeObject *)PyExc_BaseExceptionGroup)) {
		PyObject *excs = ((PyBaseExceptionGroupObject *)exc)->excs;
		for (Py_ssize_t k = 0; excs && PyTuple_Check(excs) && k < PyTuple_GET_SIZE(excs); k++)
			visit(PyTuple_GET_ITEM(excs, k), arg);
	}
}

static int find_root(int *parent, int i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

struct union_arg {
	PyObject **objs;
	int n, from;
	int *parent;
	uintptr_t *sorted;   /* objs' addresses, sorted, with their index */
	int *index_of;
	bool *uncollectable; /* a legacy finalizer's (tp_del), or reached from one */
	int *stack, top;
};

static int cmp_addr(const void *a, const void *b)
{
	uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;

	return x < y ? -1 : x > y;
}

static int index_in(const struct union_arg *u, PyObject *o)
{
	uintptr_t key = (uintptr_t)o;
	uintptr_t *hit = bsearch(&key, u->sorted, (size_t)u->n, sizeof *u->sorted, cmp_addr);

	return hit ? u->index_of[hit - u->sorted] : -1;
}

struct carry_arg {
	const struct union_arg *u;
	bool *carried;
	int from;
};

static void mark_carried(PyObject *o, void *arg)
{
	struct carry_arg *c = arg;
	int k = index_in(c->u, o);

	if (k >= 0 && k != c->from)
		c->carried[k] = true;
}

static int join_visit(PyObject *child, void *arg)
{
	struct union_arg *u = arg;
	int j = child ? index_in(u, child) : -1;

	if (j >= 0 && !u->uncollectable[j])
		u->parent[find_root(u->parent, j)] = find_root(u->parent, u->from);
	return 0;
}

static int mark_visit(PyObject *child, void *arg)
{
	struct union_arg *u = arg;
	int j = child ? index_in(u, child) : -1;

	if (j >= 0 && !u->uncollectable[j]) {
		u->uncollectable[j] = true;
		u->stack[u->top++] = j;
	}
	return 0;
}

/* The collector's own rule (handle_legacy_finalizers): an object with a
 * legacy finalizer, and all it reaches, stay alive, and the former go to
 * gc.garbage; DEBUG_SAVEALL saved them with the rest. */
static void keep_uncollectable(struct union_arg *u)
{
	PyObject *garbage = probe_heap_garbage();

	for (int i = 0; i < u->n; i++)
		if (Py_TYPE(u->objs[i])->tp_del && !u->uncollectable[i]) {
			u->uncollectable[i] = true;
			u->stack[u->top++] = i;
		}
	while (u->top > 0) {
		int i = u->stack[--u->top];
		traverseproc t = Py_TYPE(u->objs[i])->tp_traverse;
		if (t)
			t(u->objs[i], mark_visit, u);
	}
	for (int i = 0; i < u->n; i++)
		if (Py_TYPE(u->objs[i])->tp_del && PyList_Append(garbage, u->objs[i]) < 0)
			PyErr_Clear();
}

/* The pieces of one collection's garbage that hold an exception with a
 * traceback: which except clause made each, and the bytes freeing it frees. */
static void take_garbage(PyObject **objs, int n)
{
	struct union_arg u = { .objs = objs, .n = n };
	struct { uintptr_t addr; int index; } *pairs;

	u.parent = xmalloc((size_t)n * sizeof *u.parent);
	u.uncollectable = xcalloc((size_t)n, sizeof *u.uncollectable);
	u.stack = xmalloc((size_t)n * sizeof *u.stack);
	u.sorted = xmalloc((size_t)n * sizeof *u.sorted);
	u.index_of = xmalloc((size_t)n * sizeof *u.index_of);
	pairs = xmalloc((size_t)n * sizeof *pairs);
	for (int i = 0; i < n; i++) {
		pairs[i].addr = (uintptr_t)objs[i];
		pairs[i].index = i;
		u.parent[i] = i;
	}
	qsort(pairs, (size_t)n, sizeof *pairs, cmp_addr);
	for (int i = 0; i < n; i++) {
		u.sorted[i] = pairs[i].addr;
		u.index_of[i] = pairs[i].index;
	}
	free(pairs);
	keep_uncollectable(&u);
	for (int i = 0; i < n; i++) {
		traverseproc t = Py_TYPE(objs[i])->tp_traverse;
		u.from = i;
		if (t && !u.uncollectable[i])
			t(objs[i], join_visit, &u);
	}
	/* Each piece's exceptions, by the except clause that made them: a
	 * piece may hold several cycles (once the program has ended its
	 * module's frame joins them all). Those carried by another (its
	 * __context__, __cause__, a group's exceptions) count with it. */
	int *group_of = xmalloc((size_t)n * sizeof *group_of);
	bool *carried = xcalloc((size_t)n, sizeof *carried);
	for (int i = 0; i < n; i++) {
		struct carry_arg c = { &u, carried, i };
		exc_carried(objs[i], mark_carried, &c);
	}
	for (int i = 0; i < n; i++) {
		PyObject *o = objs[i];
		struct where wh;
		group_of[i] = -1;
		if (carried[i] || u.uncollectable[i] || !PyExceptionInstance_Check(o) ||
		    !describe(o, &wh) || !wh.own)
			continue;
		char key[1400];
		bool fresh;
		struct group *g;
		snprintf(key, sizeof key, "%s|%s|%s", Py_TYPE(o)->tp_name, wh.raise_at, wh.except_at);
		g = group_for(FINDING_CYCLE, key, &fresh);
		fill_where(g, &wh);
		/* An index: freeing may run code that lets other threads in. */
		group_of[i] = (int)(g - w.g);
	}
	/* Free piece by piece, as the collector would have (delete_garbage:
	 * tp_clear on each), weighing each on the heap probe; its bytes are
	 * shared among its cycles. Each piece's members, in their order, are
	 * listed once (by their root), not looked for among all per piece. */
	int *root = xmalloc((size_t)n * sizeof *root);
	int *start = xcalloc((size_t)n + 1, sizeof *start);
	int *next = xmalloc((size_t)n * sizeof *next);
	int *member = xmalloc((size_t)n * sizeof *member);
	for (int k = 0; k < n; k++) {
		root[k] = find_root(u.parent, k);
		start[root[k] + 1]++;
	}
	for (int i = 0; i < n; i++)
		start[i + 1] += start[i];
	memcpy(next, start, (size_t)n * sizeof *next);
	for (int k = 0; k < n; k++)
		member[next[root[k]]++] = k;
	for (int i = 0; i < n; i++) {
		const int *piece = member + start[i];
		int len = start[i + 1] - start[i], cycles = 0;
		size_t before;
		double freed;
		if (root[i] != i || u.uncollectable[i])
			continue;
		for (int j = 0; j < len; j++)
			cycles += group_of[piece[j]] >= 0;
		before = probe_live_bytes();
		for (int j = 0; j < len; j++) {
			int k = piece[j];
			inquiry clear = objs[k] ? Py_TYPE(objs[k])->tp_clear : NULL;
			if (clear == NULL)
				continue;
			Py_INCREF(objs[k]);
			clear(objs[k]);
			if (PyErr_Occurred())
				PyErr_WriteUnraisable((PyObject *)Py_TYPE(objs[k]));
			Py_DECREF(objs[k]);
		}
		for (int j = 0; j < len; j++)
			Py_CLEAR(objs[piece[j]]);
		freed = (double)before - (double)probe_live_bytes();
		freed = freed > 0 ? freed : 0;
		w.gc_freed += freed;
		for (int j = 0; j < len; j++) {
			int k = piece[j];
			if (group_of[k] < 0)
				continue;
			w.g[group_of[k]].freed++;
			w.g[group_of[k]].freed_bytes += freed / cycles;
			w.g[group_of[k]].changed = true;
		}
	}
	free(root);
	free(start);
	free(next);
	free(member);
	free(group_of);
	free(carried);
	free(u.parent);
	free(u.sorted);
	free(u.index_of);
	free(u.uncollectable);
	free(u.stack);
}

/* gc.callbacks entry. At "start" it asks the collector to save what it
 * finds (DEBUG_SAVEALL) unless the program asked for that itself; at
 * "stop" the flags are put back, what was saved is taken out of
 * gc.garbage again, looked at, and freed as the collector would have freed
 * it, within the same collection. */
static PyObject *on_gc(PyObject *self, PyObject *args)
{
	PyObject *phase, *info, *garbage = probe_heap_garbage();
	int *debug = probe_heap_gc_debug();
	Py_ssize_t end;
	PyObject **objs;

	(void)self;
	if (!PyArg_ParseTuple(args, "UO", &phase, &info) || garbage == NULL || debug == NULL)
		return NULL;
	if (PyUnicode_CompareWithASCIIString(phase, "start") == 0) {
		w.saving = !(*debug & GC_SAVEALL);
		if (w.saving) {
			w.saved_debug = *debug;
			*debug |= GC_SAVEALL;
			w.garbage_mark = PyList_GET_SIZE(garbage);
		}
		Py_RETURN_NONE;
	}
	w.collections++;
	if (!w.saving)
		Py_RETURN_NONE;
	w.saving = false;
	*debug = w.saved_debug;
	end = PyList_GET_SIZE(garbage);
	if (end <= w.garbage_mark)
		Py_RETURN_NONE;
	objs = xmalloc((size_t)(end - w.garbage_mark) * sizeof *objs);
	for (Py_ssize_t i = w.garbage_mark; i < end; i++)
		objs[i - w.garbage_mark] = Py_NewRef(PyList_GET_ITEM(garbage, i));
	/* The source of the except clauses that made them, before they are
	 * looked at: a module the program imported since the last look. The
	 * objects are ours meanwhile (their new references). */
	for (Py_ssize_t i = 0; i < end - w.garbage_mark; i++)
		if (PyExceptionInstance_Check(objs[i]))
			read_handler_file(objs[i]);
	if (PyList_SetSlice(garbage, w.garbage_mark, end, NULL) == 0)
		take_garbage(objs, (int)(end - w.garbage_mark));
	else
		PyErr_Clear();
	for (Py_ssize_t i = 0; i < end - w.garbage_mark; i++)
		Py_XDECREF(objs[i]);
	free(objs);
	Py_RETURN_NONE;
}

/* The program took exclab's entry out of gc.callbacks (the list held its
 * only reference): if that was at a collection's "start", after exclab's
 * entry asked it to save its garbage, whose "stop" now never comes, the
 * flags are the program's again before the collection goes on. */
static void callback_gone(PyObject *capsule)
{
	int *debug = probe_heap_gc_debug();

	(void)capsule;
	w.callback = NULL;
	if (w.saving && debug)
		*debug = w.saved_debug;
	w.saving = false;
	w.reasons.gc_unseen |= !w.removing;
	if (!w.removing)
		labout_console(CONSOLE_INFO, "The program took exclab probe's entry out of gc.callbacks: "
		               "the cycles collections free from now on go unseen.");
}

static PyMethodDef on_gc_def = { "exclab_probe_gc", on_gc, METH_VARARGS,
                                 "exclab probe: each collection's garbage" };

/* ---- scans --------------------------------------------------------------- */

struct addrs {
	uintptr_t *a;
	int n, cap;
};

static void addrs_add(struct addrs *s, PyObject *o)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->a = xrealloc(s->a, (size_t)s->cap * sizeof *s->a);
	}
	s->a[s->n++] = (uintptr_t)o;
}

static void addrs_sort(struct addrs *s)
{
	if (s->n > 1)
		qsort(s->a, (size_t)s->n, sizeof *s->a, cmp_addr);
}

static bool addrs_has(const struct addrs *s, PyObject *o)
{
	uintptr_t key = (uintptr_t)o;

	return s->n > 0 && bsearch(&key, s->a, (size_t)s->n, sizeof *s->a, cmp_addr) != NULL;
}

static void add_active(PyObject *o, void *arg)
{
	addrs_add(arg, o);
}

/* Exceptions in use, not kept: raised or handled by a thread or a suspended
 * generator now, or python3's record of the last uncaught one, and the
 * __context__ and __cause__ they carry. */
static void active_exceptions(const struct probe_pass *p, struct addrs *s)
{
	PyObject *last = PySys_GetObject("last_value");

	probe_heap_active(add_active, s);
	for (int i = 0; i < probe_pass_len(p); i++) {
		PyObject *e = probe_heap_gen_exception(probe_pass_object(p, i));
		if (e)
			addrs_add(s, e);
	}
	if (last && PyExceptionInstance_Check(last))
		addrs_add(s, last);
	for (int i = 0; i < s->n && i < 100000; i++)
		exc_carried((PyObject *)s->a[i], add_active, s);
	addrs_sort(s);
}

struct member {
	int group;
	PyObject *exc;
};

static int cmp_member(const void *a, const void *b)
{
	const struct member *x = a, *y = b;

	return x->group - y->group;
}

static char *describe_kept(const struct group *g, int n, long frames, bool tracebacks)
{
	char caught[700];

	if (g->f.except_at[0])
		snprintf(caught, sizeof caught, "the handler at %s ended", g->f.except_at);
	else
		snprintf(caught, sizeof caught, "it was caught (by code outside Python: a task, a future)");
	return xasprintf("%d %s with %ld frame%s kept after %s. While %s alive, every frame of %s, "
	                 "and its locals, stay alive.\n"
	                 "Keep str(e) or traceback.TracebackException.from_exception(e) instead, or "
	                 "drop the frames: e.with_traceback(None) (its __context__ and __cause__ "
	                 "keep theirs: set them to None too).",
	                 n, tracebacks ? n == 1 ? "traceback" : "tracebacks"
	                               : n == 1 ? "exception" : "exceptions",
	                 frames, frames == 1 ? "" : "s", caught, n == 1 ? "it is" : "they are",
	                 tracebacks ? n == 1 ? "it" : "them" : n == 1 ? "its traceback"
	                                                     : "their tracebacks");
}

/* Why is the object at addr alive: a path from the program's globals or a
 * running frame, one line per hop; none when only garbage holds it. */
static char **why_lines(uintptr_t addr, int *n);

static void free_lines(char **lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void scan(bool final)
{
	struct probe_pass *p = probe_pass_run();
	struct addrs active = { 0 }, chained = { 0 }, kept_now = { 0 }, held = { 0 };
	struct member *members = NULL;
	int n_members = 0, cap_members = 0, n_kept_sets;
	struct probe_kept *kept_sets;
	struct probe_sample sample = { 0 };

	if (p == NULL)
		return;
	active_exceptions(p, &active);
	for (int i = 0; i < probe_pass_len(p); i++)
		exc_carried(probe_pass_object(p, i), add_active, &chained);
	addrs_sort(&chained);
	for (int i = 0; i < w.n; i++) {
		w.g[i].seen = false;
		w.g[i].waiting = 0;
		w.g[i].waiting_bytes = 0;
	}
	for (int i = 0; i < probe_pass_len(p); i++) {
		PyObject *e = probe_pass_object(p, i);
		struct where wh;
		struct group *g;
		char key[1400], words[160];
		bool fresh, garbage;
		if (!PyExceptionInstance_Check(e) || addrs_has(&active, e) || !describe(e, &wh) || !wh.own)
			continue;
		garbage = probe_pass_class(p, e) == CLASS_GARBAGE;
		/* Reused: raised again and again with its own traceback (one
		 * told by its __context__'s is that one's, counted with it). */
		if (!garbage && wh.raises >= 2 && wh.head == ((PyBaseExceptionObject *)e)->traceback) {
			struct probe_kept k;
			exc_words(e, words, sizeof words);
			snprintf(key, sizeof key, "%p", (void *)e);
			g = group_for(FINDING_REUSED, key, &fresh);
			g->seen = true;
			set_object(g, e);
			fill_where(g, &wh);
			probe_retained(&wh.head, 1, &k);
			char *title = xasprintf("%s raised %d times from one instance", words, wh.raises);
			char *detail = xasprintf("Its traceback holds %ld entries from %d raises, newest first, "
			                         "and keeps %ld frames alive with their locals: each raise of "
			                         "the same instance adds the frames it passes through.\n"
			                         "Raise a new instance each time.", wh.entries, wh.raises,
			                         k.frames);
			set_text(g, &g->f.title, title);
			set_text(g, &g->f.detail, detail);
			free(title);
			free(detail);
			set_number(g, &g->f.count, (uint64_t)wh.raises);
			set_number(g, &g->f.bytes, (uint64_t)k.bytes);
			if (g->f.gone) {
				g->f.gone = false;
				g->changed = true;
			}
			continue;
		}
		if (addrs_has(&chained, e))
			continue;   /* counted with the exception that carries it */
		snprintf(key, sizeof key, "%s|%s|%s", Py_TYPE(e)->tp_name, wh.raise_at, wh.except_at);
		g = group_for(garbage ? FINDING_CYCLE : FINDING_KEPT, key, &fresh);
		fill_where(g, &wh);
		if (n_members == cap_members) {
			cap_members = cap_members ? cap_members * 2 : 64;
			members = xrealloc(members, (size_t)cap_members * sizeof *members);
		}
		members[n_members++] = (struct member){ (int)(g - w.g), e };
	}
	/* Tracebacks kept without their exception: chains no exception and no
	 * other traceback holds (sys.exc_info()[2] kept, e.__traceback__ kept). */
	for (int i = 0; i < probe_pass_len(p); i++) {
		PyObject *o = probe_pass_object(p, i);
		if (PyExceptionInstance_Check(o) && ((PyBaseExceptionObject *)o)->traceback)
			addrs_add(&held, ((PyBaseExceptionObject *)o)->traceback);
		else if (PyTraceBack_Check(o) && ((PyTracebackObject *)o)->tb_next)
			addrs_add(&held, (PyObject *)((PyTracebackObject *)o)->tb_next);
	}
	addrs_sort(&held);
	for (int i = 0; i < probe_pass_len(p); i++) {
		PyObject *o = probe_pass_object(p, i);
		struct where wh;
		char key[1400];
		bool fresh;
		struct group *g;
		if (!PyTraceBack_Check(o) || addrs_has(&held, o) || addrs_has(&active, o) ||
		    probe_pass_class(p, o) == CLASS_GARBAGE || !describe_tb(o, NULL, &wh) || !wh.own)
			continue;
		snprintf(key, sizeof key, "traceback|%s|%s", wh.raise_at, wh.except_at);
		g = group_for(FINDING_KEPT, key, &fresh);
		fill_where(g, &wh);
		if (n_members == cap_members) {
			cap_members = cap_members ? cap_members * 2 : 64;
			members = xrealloc(members, (size_t)cap_members * sizeof *members);
		}
		members[n_members++] = (struct member){ (int)(g - w.g), o };
	}
	free(held.a);
	if (n_members > 1)
		qsort(members, (size_t)n_members, sizeof *members, cmp_member);
	/* The kept findings' bytes, all let go together: two exceptions whose
	 * tracebacks hold one frame (a warning kept, then the error raised
	 * from that frame) each keep it alive only with the other, and alone
	 * would count none of it; it is counted once, with the first. */
	{
		PyObject **all = xmalloc(((size_t)n_members * 2 + 1) * sizeof *all);
		int *set = xmalloc(((size_t)n_members * 2 + 1) * sizeof *set), n_all = 0;
		n_kept_sets = 0;
		for (int i = 0; i < n_members;) {
			int j = i;
			bool persistent = final;
			while (j < n_members && members[j].group == members[i].group) {
				persistent = persistent || addrs_has(&(struct addrs){ w.was_kept, w.n_was_kept, 0 },
				                                      members[j].exc);
				j++;
			}
			if (w.g[members[i].group].f.kind == FINDING_KEPT && (persistent || j - i >= 2)) {
				for (int m = i; m < j; m++) {
					PyObject *o = members[m].exc;
					all[n_all] = o;
					set[n_all++] = n_kept_sets;
					all[n_all] = PyTraceBack_Check(o) ? o : ((PyBaseExceptionObject *)o)->traceback;
					set[n_all++] = n_kept_sets;
				}
				n_kept_sets++;
			}
			i = j;
		}
		kept_sets = xcalloc((size_t)n_kept_sets + 1, sizeof *kept_sets);
		if (n_kept_sets > 0)
			probe_retained_sets(all, n_all, set, n_kept_sets, kept_sets);
		free(all);
		free(set);
	}
	for (int i = 0, kept_set = 0; i < n_members;) {
		int j = i, n;
		struct group *g = &w.g[members[i].group];
		PyObject **roots;
		struct probe_kept k;
		bool persistent = final;
		while (j < n_members && members[j].group == members[i].group)
			j++;
		n = j - i;
		/* Each exception with its traceback: a holder such as a log
		 * record's exc_info holds both. */
		roots = xmalloc((size_t)n * 2 * sizeof *roots);
		for (int m = 0; m < n; m++) {
			roots[m] = members[i + m].exc;
			roots[n + m] = PyTraceBack_Check(roots[m]) ? roots[m]
			               : ((PyBaseExceptionObject *)roots[m])->traceback;
			persistent = persistent || addrs_has(&(struct addrs){ w.was_kept, w.n_was_kept, 0 },
			                                      roots[m]);
			if (g->f.kind == FINDING_KEPT)
				addrs_add(&kept_now, roots[m]);
		}
		if (g->f.kind == FINDING_KEPT && (persistent || n >= 2))
			k = kept_sets[kept_set++];   /* in the same order as above */
		else
			probe_retained(roots, 2 * n, &k);
		if (g->f.kind == FINDING_CYCLE) {
			g->waiting = (uint64_t)n;
			g->waiting_bytes = k.bytes;
			g->seen = true;
			set_object(g, roots[0]);
		} else if (persistent || n >= 2) {
			char words[160], *title, *detail;
			if (PyTraceBack_Check(roots[0])) {
				title = n == 1 ? xstrdup("a traceback kept without its exception")
				               : xasprintf("%d tracebacks kept without their exception", n);
			} else {
				exc_words(roots[0], words, sizeof words);
				title = n == 1 ? xasprintf("%s kept after its handler, with its traceback", words)
				               : xasprintf("%d %s kept after their handler, with their tracebacks",
				                           n, Py_TYPE(roots[0])->tp_name);
			}
			detail = describe_kept(g, n, k.frames, PyTraceBack_Check(roots[0]));
			g->seen = true;
			set_object(g, roots[0]);
			set_text(g, &g->f.title, title);
			if (g->holder == NULL) {
				int nl;
				char **lines = why_lines(g->obj, &nl);
				g->holder = xstrdup(lines[0]);
				for (int l = 1; l < nl; l++) {
					char *more = xasprintf("%s %s", g->holder, lines[l]);
					free(g->holder);
					g->holder = more;
				}
				free_lines(lines, nl);
			}
			{
				char *with = xasprintf("%s\nHeld by: %s", detail, g->holder);
				free(detail);
				detail = with;
			}
			set_text(g, &g->f.detail, detail);
			free(title);
			free(detail);
			set_number(g, &g->f.count, (uint64_t)n);
			set_number(g, &g->f.bytes, (uint64_t)k.bytes);
			if (g->f.gone) {
				g->f.gone = false;
				g->changed = true;
			}
		}
		free(roots);
		i = j;
	}
	free(members);
	free(kept_sets);
	free(w.was_kept);
	addrs_sort(&kept_now);
	w.was_kept = kept_now.a;
	w.n_was_kept = kept_now.n;
	for (int i = 0; i < w.n; i++) {
		struct group *g = &w.g[i];
		if (g->f.kind == FINDING_CYCLE) {
			char *title = xasprintf("exception reference cycles made by the except at %s",
			                        g->f.except_at);
			set_text(g, &g->f.title, title);
			free(title);
			title = xasprintf("Each keeps its exception, traceback, frames and their locals "
			                  "until the cyclic garbage collector runs: %llu freed by it so far "
			                  "(%.0f bytes), %llu waiting now (%.0f bytes). The collector runs by "
			                  "count of objects, never by bytes.\nDon't keep the exception in a "
			                  "frame its traceback holds: no `err = e`, or `finally: del err`, or "
			                  "keep str(e).", (unsigned long long)g->freed, g->freed_bytes,
			                  (unsigned long long)g->waiting, g->waiting_bytes);
			set_text(g, &g->f.detail, title);
			free(title);
			set_number(g, &g->f.count, g->freed + g->waiting);
			set_number(g, &g->f.bytes, (uint64_t)(g->freed_bytes + g->waiting_bytes));
		} else if ((g->f.kind == FINDING_KEPT || g->f.kind == FINDING_REUSED) && !g->seen &&
		           g->f.title && !g->f.gone) {
			g->f.gone = true;
			g->changed = true;
		}
	}
	probe_sample_process(&sample);
	w.reasons.heap = sample.v[PROBE_HEAP];
	w.reasons.traceback_only = probe_pass_bytes(p, CLASS_TB_ONLY);
	w.reasons.cyclic_garbage = probe_pass_bytes(p, CLASS_GARBAGE);
	w.reasons.gc_freed = w.gc_freed;
	probe_pass_free(p);
	free(active.a);
	free(chained.a);
}

/* Where each finding's handler stores its exception, and the hints of
 * every file a finding is in: read after the scan, as the reading may let
 * other threads run (and free what the scan looked at). */
static void read_sources(void)
{
	for (int i = 0; i < w.n; i++) {
		char file[512], shown[600];
		int line = w.g[i].except_line;
		const struct probe_store *st;
		snprintf(file, sizeof file, "%s", w.g[i].except_file);
		if (!file[0] || w.g[i].f.kind == FINDING_HINT || (w.g[i].f.store_at && w.g[i].f.store_at[0]))
			continue;
		st = probe_source_store(file, line);   /* w.g may move meanwhile */
		if (st && st->store_line) {
			show_place(file, st->store_line, shown, sizeof shown);
			set_text(&w.g[i], &w.g[i].f.store_at, shown);
		}
	}
}

static void add_hints(void)
{
	for (int i = 0; i < probe_source_count(); i++) {
		const struct probe_source_file *f = probe_source_at(i);
		for (int k = 0; k < f->n_hints; k++) {
			const struct probe_hint *h = &f->hints[k];
			char key[700], at[600], other[600];
			bool fresh;
			struct group *g;
			snprintf(key, sizeof key, "%s:%d:%d", f->path, h->line, h->instance);
			g = group_for(FINDING_HINT, key, &fresh);
			if (!fresh)
				continue;
			show_place(f->path, h->line, at, sizeof at);
			show_place(f->path, h->other_line, other, sizeof other);
			set_text(g, &g->f.title, h->instance ? "an exception instance made once and raised "
			                                       "again" : "an except clause stores its exception");
			set_text(g, &g->f.raise_at, h->instance ? other : "");
			set_text(g, &g->f.except_at, h->instance ? "" : at);
			set_text(g, &g->f.store_at, h->instance ? at : other);
			set_text(g, &g->f.detail, h->text);
		}
	}
}

/* Every module of the program's own, read for hints and for which except
 * clause caught what: before the last look, and before each look while it
 * runs. It makes no Python object unless a module is new (the paths are
 * taken first: reading may let other threads import meanwhile). */
static void read_own_modules(void)
{
	static PyObject *file_key;
	PyObject *modules = PySys_GetObject("modules"), *key, *m;
	Py_ssize_t pos = 0;
	char **paths = NULL;
	int n = 0, cap = 0;

	if (file_key == NULL)
		file_key = PyUnicode_InternFromString("__file__");
	if (modules == NULL || !PyDict_Check(modules) || file_key == NULL) {
		PyErr_Clear();
		return;
	}
	while (PyDict_Next(modules, &pos, &key, &m)) {
		PyObject *dict = PyModule_Check(m) ? PyModule_GetDict(m) : NULL;
		PyObject *file = dict ? PyDict_GetItemWithError(dict, file_key) : NULL;
		const char *path = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : NULL;
		if (path && probe_source_own(path) && !probe_source_known(path)) {
			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				paths = xrealloc(paths, (size_t)cap * sizeof *paths);
			}
			paths[n++] = xstrdup(path);
		}
		PyErr_Clear();
	}
	for (int i = 0; i < n; i++) {
		probe_source_read(paths[i]);
		free(paths[i]);
	}
	free(paths);
}

/* ---- questions ----------------------------------------------------------- */

struct find_arg {
	uintptr_t addr;
	PyTypeObject *type;
	PyObject *found;
};

static void find_visit(PyObject *o, void *arg)
{
	struct find_arg *f = arg;

	if ((uintptr_t)o == f->addr && Py_TYPE(o) == f->type)
		f->found = o;
}

/* The live object a finding starts from, if it is still there: found among
 * what the GC tracks, so an address that was freed is never followed. */
static PyObject *live_object(uintptr_t addr, PyTypeObject *type)
{
	struct find_arg f = { addr, type, NULL };

	if (addr)
		probe_heap_walk(find_visit, &f);
	return f.found;
}

struct roots {
	PyObject **objs;
	char **names;
	int n, cap;
};

static void roots_add(struct roots *r, PyObject *o, char *name)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->objs = xrealloc(r->objs, (size_t)r->cap * sizeof *r->objs);
		r->names = xrealloc(r->names, (size_t)r->cap * sizeof *r->names);
	}
	r->objs[r->n] = o;
	r->names[r->n++] = name;
}

static void frame_roots(PyCodeObject *code, int line, PyObject *const *values, int n, void *arg)
{
	struct roots *r = arg;
	const char *file = code_file(code);
	char place[600];

	if (!probe_source_own(file))
		return;
	show_place(file, line, place, sizeof place);
	for (int i = 0; i < n && i < PyTuple_GET_SIZE(code->co_localsplusnames); i++) {
		PyObject *name = PyTuple_GET_ITEM(code->co_localsplusnames, i);
		if (values[i] && PyUnicode_Check(name))
			roots_add(r, values[i], xasprintf("the local '%s' of %s() at %s", PyUnicode_AsUTF8(name),
			                                  PyUnicode_AsUTF8(code->co_name), place));
	}
}

static char **why_lines(uintptr_t addr, int *n)
{
	struct roots r = { 0 };
	PyObject *modules = PySys_GetObject("modules");
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = WHY_NODES, .follow_classes = true };
	struct graph *g;
	int target, best = -1, path[64], len = -1;
	char **lines;

	if (modules && PyDict_Check(modules)) {
		Py_ssize_t pos = 0;
		PyObject *key, *m;
		while (PyDict_Next(modules, &pos, &key, &m)) {
			PyObject *file = PyModule_Check(m) ? PyModule_GetFilenameObject(m) : NULL;
			const char *where = file && PyUnicode_Check(file) ? PyUnicode_AsUTF8(file) : NULL;
			/* __main__'s __file__ is gone once it has run, as under python3. */
			bool main = PyUnicode_Check(key) && PyUnicode_CompareWithASCIIString(key, "__main__") == 0;
			if (((where && probe_source_own(where)) || main) && PyUnicode_Check(key))
				roots_add(&r, PyModule_GetDict(m), xasprintf("the globals of module %s",
				                                            PyUnicode_AsUTF8(key)));
			Py_XDECREF(file);
			PyErr_Clear();
		}
	}
	probe_heap_frames(frame_roots, &r);
	g = pygraph_capture(r.objs, (const char *const *)r.names, r.n, &lim);
	target = graph_find(g, addr);
	if (target >= 0 && g->nodes[target].root) {
		best = target;
		len = 0;
	} else if (target >= 0) {
		len = graph_path_from_roots(g, target, path, 64, &best);
	}
	if (len < 0) {
		lines = xcalloc(1, sizeof *lines);
		lines[0] = xstrdup(g->limited ? "not found among what the program's globals and running "
		                                "frames reach (the search was cut short)"
		                              : "nothing the program's globals or running frames reach "
		                                "holds it: only a reference cycle keeps it, until the "
		                                "cyclic GC runs");
		*n = 1;
	} else {
		lines = xcalloc((size_t)len + 1, sizeof *lines);
		lines[0] = xstrdup(g->nodes[best].root_name);
		for (int i = 0; i < len; i++) {
			const struct graph_edge *e = &g->edges[path[i]];
			const struct graph_node *nd = &g->nodes[e->to];
			lines[i + 1] = xasprintf("-[%s]-> %s %s", e->label[0] ? e->label : "?", nd->type, nd->repr);
		}
		*n = len + 1;
	}
	graph_free(g);
	for (int i = 0; i < r.n; i++)
		free(r.names[i]);
	free(r.names);
	free(r.objs);
	return lines;
}

static void answer_why(uint64_t addr)
{
	int n;
	char **lines = why_lines((uintptr_t)addr, &n);
	struct wire_out *out = labout_begin(LAB_WHY);

	wire_u64(out, addr);
	wire_u32(out, (uint32_t)n);
	for (int i = 0; i < n; i++)
		wire_str(out, lines[i]);
	labout_end(out);
	free_lines(lines, n);
}

static void answer_graph(uint32_t id)
{
	struct group *g = id >= 1 && id <= (uint32_t)w.n ? &w.g[id - 1] : NULL;
	PyObject *o = g ? live_object(g->obj, g->obj_type) : NULL;
	struct pygraph_limits lim = { .depth = 100000, .nodes = GRAPH_NODES };
	struct graph *graph;
	char name[64];

	snprintf(name, sizeof name, "finding %u", id);
	if (o == NULL) {
		graph = graph_new();   /* gone: an empty graph says so */
	} else {
		const char *names[1] = { name };
		graph = pygraph_capture(&o, names, 1, &lim);
		graph_compute_retained(graph);
	}
	labout_graph(graph);
	graph_free(graph);
}

bool probe_watch_command(int type, struct wire_in *in)
{
	if (type == LAB_ASK_WHY) {
		answer_why(wire_get_u64(in));
		return true;
	}
	if (type == LAB_PROBE_GRAPH) {
		answer_graph(wire_get_u32(in));
		return true;
	}
	return false;
}

/* ---- the thread ---------------------------------------------------------- */

static void questions(PyThreadState *ts)
{
	struct pollfd pfd = { .fd = w.conn->fd, .events = POLLIN };
	struct wire_in in;
	int type;

	if (poll(&pfd, 1, 0) > 0)
		wire_fill(w.conn, true);
	while (wire_next(w.conn, &type, &in)) {
		PyEval_RestoreThread(ts);
		probe_watch_command(type, &in);
		PyEval_SaveThread();
	}
}

static void *watch_main(void *arg)
{
	PyThreadState *ts = arg;
	double next = util_now() + SCAN_FIRST;

	while (!atomic_load(&w.stop)) {
		double now = util_now(), took;
		questions(ts);
		if (now < next) {
			struct pollfd pfd = { .fd = w.conn->fd, .events = POLLIN };
			double wait = next - now < POLL_EVERY ? next - now : POLL_EVERY;
			poll(&pfd, 1, (int)(wait * 1000) + 1);
			continue;
		}
		PyEval_RestoreThread(ts);
		read_own_modules();
		now = util_now();
		scan(false);
		took = util_now() - now;
		read_sources();
		send_changes();
		PyEval_SaveThread();
		next = util_now() + (took / SCAN_SHARE > SCAN_EVERY ? took / SCAN_SHARE : SCAN_EVERY);
	}
	PyEval_RestoreThread(ts);
	PyThreadState_Clear(ts);
	PyThreadState_DeleteCurrent();
	return NULL;
}

static void start_thread(void)
{
	PyThreadState *ts = PyThreadState_New(PyInterpreterState_Get());

	atomic_store(&w.stop, false);
	w.thread_started = ts && pthread_create(&w.thread, NULL, watch_main, ts) == 0;
}

static void end_thread(void)
{
	if (!w.thread_started)
		return;
	atomic_store(&w.stop, true);
	Py_BEGIN_ALLOW_THREADS
	pthread_join(w.thread, NULL);
	Py_END_ALLOW_THREADS
	w.thread_started = false;
}

void probe_watch_pause(void)
{
	if (!probe_heap_supported() || !w.thread_started)
		return;
	end_thread();
	w.paused = true;
}

void probe_watch_resume(void)
{
	if (w.paused)
		start_thread();
	w.paused = false;
}

void probe_watch_start(const char *main_file, struct wire_conn *conn)
{
	PyObject *gc = NULL, *callbacks = NULL, *owner;

	memset(&w, 0, sizeof w);
	w.conn = conn;
	if (getcwd(w.cwd, sizeof w.cwd) == NULL)
		w.cwd[0] = '\0';
	if (!probe_heap_supported()) {
		labout_console(CONSOLE_INFO, "exclab probe knows the layouts of CPython 3.11 to 3.13 only: "
		               "the program runs, but nothing is looked for in it.");
		pyhost_forget_own_work();
		return;
	}
	probe_source_init();
	if (main_file) {
		char *real = realpath(main_file, NULL);
		probe_source_read(real ? real : main_file);
		free(real);
	}
	add_hints();
	send_changes();
	/* Reading the source imported modules and left garbage: exclab's,
	 * not the program's to see. */
	pyhost_forget_own_work();
	/* First in gc.callbacks: its "stop" puts gc.garbage back before any
	 * callback of the program's looks at it. */
	owner = PyCapsule_New(&w, "exclab.probe_gc", callback_gone);
	w.callback = owner ? PyCFunction_New(&on_gc_def, owner) : NULL;
	Py_XDECREF(owner);
	gc = PyImport_ImportModule("gc");
	callbacks = gc ? PyObject_GetAttrString(gc, "callbacks") : NULL;
	if (w.callback == NULL || callbacks == NULL || !PyList_Check(callbacks) ||
	    PyList_Insert(callbacks, 0, w.callback) < 0)
		PyErr_Clear();
	Py_XDECREF(w.callback);   /* the list's now, or gone: callback_gone */
	Py_XDECREF(callbacks);
	Py_XDECREF(gc);
	start_thread();
}

static void remove_callback(void)
{
	PyObject *gc = PyImport_ImportModule("gc");
	PyObject *callbacks = gc ? PyObject_GetAttrString(gc, "callbacks") : NULL;
	Py_ssize_t i;

	w.removing = true;
	if (callbacks && PyList_Check(callbacks) && w.callback &&
	    (i = PySequence_Index(callbacks, w.callback)) >= 0)
		PySequence_DelItem(callbacks, i);
	PyErr_Clear();
	Py_XDECREF(callbacks);
	Py_XDECREF(gc);
}

void probe_watch_stop(bool look)
{
	if (!probe_heap_supported())
		return;
	end_thread();
	w.paused = false;
	if (!look) {
		remove_callback();
		send_changes();
		return;
	}
	read_own_modules();
	scan(true);
	/* What garbage is left is collected, as python3's finalisation
	 * collects it: the bytes of each cycle are then measured, not judged. */
	{
		struct probe_reasons before = w.reasons;
		PyObject *gc = PyImport_ImportModule("gc");
		Py_XDECREF(gc ? PyObject_CallMethod(gc, "collect", NULL) : NULL);
		Py_XDECREF(gc);
		PyErr_Clear();
		for (int i = 0; i < w.n; i++)
			if (w.g[i].f.kind == FINDING_CYCLE) {
				w.g[i].waiting = 0;
				w.g[i].waiting_bytes = 0;
			}
		scan(true);
		/* The report tells what was waiting when the program ended. */
		w.reasons.traceback_only = before.traceback_only;
		w.reasons.cyclic_garbage = before.cyclic_garbage;
		w.reasons.heap = before.heap;
	}
	remove_callback();
	read_sources();
	add_hints();
	send_changes();
}
