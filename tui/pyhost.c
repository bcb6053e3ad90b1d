/* pyhost.c — CPython on a worker thread of its own.
 *
 * Three threads meet here:
 *  - the worker owns the interpreter: it starts it, runs one job at a time and
 *    finalises it. Between jobs it releases the GIL.
 *  - the watchdog stops a job that must stop (the learner asked, the time
 *    limit passed, the heap cap was hit) by raising KeyboardInterrupt in the
 *    worker with PyThreadState_SetAsyncExc under PyGILState_Ensure: the one way
 *    that is delivered promptly on 3.11, 3.12 and 3.13 alike
 *    (notes/cpython-facts.md §4.5). It fires again every RETRY seconds until
 *    the job ends, so a script that swallows KeyboardInterrupt still stops.
 *  - the caller (the main thread) submits jobs and polls for results and events;
 *    it never takes the GIL, so the interface stays live whatever Python does.
 *
 * The lock protects the job slot, the result and the event queue. Nobody
 * waits for the GIL while holding the lock. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pyhost.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "pygraph.h"
#include "pyintrospect.h"
#include "util.h"

#ifndef EXCLAB_PYTHON_EXE
#define EXCLAB_PYTHON_EXE ""
#endif

#define RETRY 0.1           /* seconds between repeated interrupts */
#define SAMPLE_EVERY 0.02   /* seconds between samples during a long CALL */
#define GRAPH_EVERY 0.25    /* seconds between graph captures during a long CALL */
#define GRAPH_DEPTH 100000  /* default walk depth for the live graph: chains are what it is for; the node limit bounds it */
#define GRAPH_NODES 20000   /* default node limit for the live graph */
#define MAX_CONVERT_ITEMS 1000

struct event_node {
	struct pyevent ev;
	struct event_node *next;
};

/* State shared between the threads, under `lock`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t worker, watchdog;
static bool started, ready, quitting;
static struct error start_error;
static int start_status;

static struct pyjob job;             /* deep copy of the submitted job */
static bool job_pending, job_running, job_done;
static struct pyresult result;
static struct event_node *events_head, *events_tail;

/* Read by the watchdog without the lock. */
static atomic_int stop_reason;       /* enum pyresult_status; PYRESULT_OK = none */
static atomic_bool in_user_code;     /* set and cleared by the worker with the GIL held */
static _Atomic double job_started, job_limit;
static atomic_ulong worker_ident;

static struct pyhost_info info;

/* Worker-only state (touched with the GIL held). */
static PyObject *namespace;          /* the scenario's module dict */
static PyObject *watch_parts;        /* tuple of interned names, or NULL */
static PyObject *gc_get_count;
static PyObject *gc_collect;         /* gc.collect itself, looked up once */
static PyObject *stdlib_dir;         /* str: errors skip frames under it */
static char *scenario_dir;
static atomic_long gc_runs;
static char **graph_roots;           /* names the live graph starts from */
static int n_graph_roots;
static char *graph_highlight;        /* the object the live graph points out */
static struct pygraph_limits graph_limits;
static char *out_buf[3];             /* partial lines per stream (1 and 2) */
static size_t out_len[3];

/* ---- events ------------------------------------------------------------ */

static void push_event(const struct pyevent *ev)
{
	struct event_node *n = xcalloc(1, sizeof *n);

	n->ev = *ev;
	pthread_mutex_lock(&lock);
	if (events_tail)
		events_tail->next = n;
	else
		events_head = n;
	events_tail = n;
	pthread_mutex_unlock(&lock);
}

bool pyhost_next_event(struct pyevent *ev)
{
	struct event_node *n;

	pthread_mutex_lock(&lock);
	n = events_head;
	if (n) {
		events_head = n->next;
		if (events_head == NULL)
			events_tail = NULL;
	}
	pthread_mutex_unlock(&lock);
	if (n == NULL)
		return false;
	*ev = n->ev;
	free(n);
	return true;
}

static void emit_line(int stream, const char *s, size_t n)
{
	struct pyevent ev = { .kind = stream == 2 ? PYEVENT_STDERR : PYEVENT_STDOUT };

	ev.text = xstrndup(s, n);
	push_event(&ev);
}

/* Text written to sys.stdout/sys.stderr: whole lines become events. */
static void stream_write(int stream, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			out_buf[stream] = xrealloc(out_buf[stream], out_len[stream] + i + 1);
			memcpy(out_buf[stream] + out_len[stream], s, i);
			emit_line(stream, out_buf[stream], out_len[stream] + i);
			out_len[stream] = 0;
			s += i + 1;
			n -= i + 1;
			i = (size_t)-1;
		}
	}
	if (n) {
		out_buf[stream] = xrealloc(out_buf[stream], out_len[stream] + n);
		memcpy(out_buf[stream] + out_len[stream], s, n);
		out_len[stream] += n;
	}
}

static void stream_flush_all(void)
{
	for (int s = 1; s <= 2; s++) {
		if (out_len[s]) {
			emit_line(s, out_buf[s], out_len[s]);
			out_len[s] = 0;
		}
	}
}

/* ---- the _exclab module: stdout/stderr sink and the gc callback ---------- */

static PyObject *exclab_write(PyObject *self, PyObject *args)
{
	int stream;
	const char *s;
	Py_ssize_t n;

	if (!PyArg_ParseTuple(args, "is#", &stream, &s, &n))
		return NULL;
	stream_write(stream == 2 ? 2 : 1, s, (size_t)n);
	return PyLong_FromSsize_t(n);
}

/* gc.callbacks entry: counts finished collections and reports each one.
 * Reads the info dict without allocating. */
static PyObject *exclab_gc_event(PyObject *self, PyObject *args)
{
	PyObject *phase, *gcinfo, *gen, *collected;
	struct pyevent ev = { .kind = PYEVENT_GC };

	if (!PyArg_ParseTuple(args, "OO", &phase, &gcinfo))
		return NULL;
	if (!PyUnicode_Check(phase) || PyUnicode_CompareWithASCIIString(phase, "stop") != 0)
		Py_RETURN_NONE;
	atomic_fetch_add(&gc_runs, 1);
	gen = PyDict_Check(gcinfo) ? PyDict_GetItemString(gcinfo, "generation") : NULL;
	collected = PyDict_Check(gcinfo) ? PyDict_GetItemString(gcinfo, "collected") : NULL;
	ev.generation = gen && PyLong_Check(gen) ? (int)PyLong_AsLong(gen) : -1;
	ev.collected = collected && PyLong_Check(collected) ? PyLong_AsLong(collected) : -1;
	ev.t = util_now();
	push_event(&ev);
	Py_RETURN_NONE;
}

static PyMethodDef exclab_methods[] = {
	{ "write", exclab_write, METH_VARARGS, "write(stream, text): text to the exclab console" },
	{ "gc_event", exclab_gc_event, METH_VARARGS, "gc.callbacks hook of exclab" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef exclab_module = {
	PyModuleDef_HEAD_INIT, "_exclab", "exclab host hooks", -1, exclab_methods,
	NULL, NULL, NULL, NULL,
};

static PyObject *exclab_init(void)
{
	return PyModule_Create(&exclab_module);
}

/* Runs once after start-up, in a private namespace. */
static const char bootstrap[] =
	"import sys, gc, os, _exclab\n"

	"class ConsoleStream:\n"
	"    encoding = 'utf-8'\n"
	"    errors = 'replace'\n"
	"    def __init__(self, n):\n"
	"        self._n = n\n"
	"    def write(self, s):\n"
	"        if not isinstance(s, str):\n"
	"            raise TypeError('write() argument must be str, not ' + type(s).__name__)\n"
	"        return _exclab.write(self._n, s)\n"
	"    def flush(self):\n"
	"        pass\n"
	"    def isatty(self):\n"
	"        return False\n"
	"    def writable(self):\n"
	"        return True\n"
	"sys.stdout = ConsoleStream(1)\n"
	"sys.stderr = ConsoleStream(2)\n"
	"sys.stdin = None\n"
	"gc.callbacks.append(_exclab.gc_event)\n"
	"stdlib_dir = os.path.dirname(os.__file__)\n";

/* ---- conversions ------------------------------------------------------- */

/* A short description that never runs arbitrary __repr__ code: only the
 * built-in scalar types are shown by value. */
static void to_value(PyObject *o, struct value *v, int depth)
{
	memset(v, 0, sizeof *v);
	if (o == Py_None) {
		v->kind = VALUE_NONE;
	} else if (PyBool_Check(o)) {
		v->kind = VALUE_BOOL;
		v->u.b = o == Py_True;
	} else if (PyLong_CheckExact(o)) {
		int overflow;
		long long i = PyLong_AsLongLongAndOverflow(o, &overflow);
		if (overflow) {
			v->kind = VALUE_FLOAT;
			v->u.f = PyLong_AsDouble(o);
			PyErr_Clear();
		} else {
			v->kind = VALUE_INT;
			v->u.i = i;
		}
	} else if (PyFloat_CheckExact(o)) {
		v->kind = VALUE_FLOAT;
		v->u.f = PyFloat_AS_DOUBLE(o);
	} else if (PyUnicode_CheckExact(o)) {
		Py_ssize_t n;
		const char *s = PyUnicode_AsUTF8AndSize(o, &n);
		if (s == NULL) {
			PyErr_Clear();
			s = "<str that is not UTF-8>";
			n = (Py_ssize_t)strlen(s);
		}
		v->kind = VALUE_STR;
		v->u.str.s = xstrndup(s, (size_t)n);
		v->u.str.len = (size_t)n;
	} else if ((PyList_CheckExact(o) || PyTuple_CheckExact(o)) && depth < 3) {
		PyObject *seq = PySequence_Fast(o, "");
		Py_ssize_t n = seq ? PySequence_Fast_GET_SIZE(seq) : 0;
		if (n > MAX_CONVERT_ITEMS)
			n = MAX_CONVERT_ITEMS;
		v->kind = VALUE_LIST;
		v->u.list.n = (size_t)n;
		v->u.list.items = xcalloc((size_t)n, sizeof *v->u.list.items);
		for (Py_ssize_t i = 0; i < n; i++)
			to_value(PySequence_Fast_GET_ITEM(seq, i), &v->u.list.items[i], depth + 1);
		Py_XDECREF(seq);
		PyErr_Clear();
	} else {
		v->kind = VALUE_STR;
		v->u.str.s = xasprintf("<%s object at %p>", Py_TYPE(o)->tp_name, (void *)o);
		v->u.str.len = strlen(v->u.str.s);
	}
}

static PyObject *from_value(const struct value *v)
{
	switch (v->kind) {
	case VALUE_NONE: Py_RETURN_NONE;
	case VALUE_BOOL: return PyBool_FromLong(v->u.b);
	case VALUE_INT: return PyLong_FromLongLong(v->u.i);
	case VALUE_FLOAT: return PyFloat_FromDouble(v->u.f);
	case VALUE_STR: return PyUnicode_DecodeUTF8(v->u.str.s, (Py_ssize_t)v->u.str.len, "replace");
	case VALUE_LIST: {
		PyObject *list = PyList_New((Py_ssize_t)v->u.list.n);
		for (size_t i = 0; list && i < v->u.list.n; i++) {
			PyObject *item = from_value(&v->u.list.items[i]);
			if (item == NULL) {
				Py_CLEAR(list);
				break;
			}
			PyList_SET_ITEM(list, (Py_ssize_t)i, item);
		}
		return list;
	}
	}
	Py_RETURN_NONE;
}

/* ---- errors ------------------------------------------------------------ */

static PyObject *fetch_exception(void)
{
#if PY_VERSION_HEX >= 0x030C0000
	return PyErr_GetRaisedException();
#else
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	if (type == NULL)
		return NULL;
	PyErr_NormalizeException(&type, &value, &tb);
	if (tb && value)
		PyException_SetTraceback(value, tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	return value;
#endif
}

/* str(o) clipped, never failing. */
static void safe_str(PyObject *o, char *buf, size_t size)
{
	PyObject *s = PyObject_Str(o);
	const char *u = s ? PyUnicode_AsUTF8(s) : NULL;

	snprintf(buf, size, "%s", u ? u : "<unprintable>");
	if (u == NULL)
		PyErr_Clear();
	Py_XDECREF(s);
}

static bool in_stdlib(PyObject *filename)
{
	return stdlib_dir && PyUnicode_Check(filename) &&
	       PyUnicode_Tailmatch(filename, stdlib_dir, 0, PY_SSIZE_T_MAX, -1) == 1;
}

/* The exception's traceback, or NULL when it has none. `exc.__traceback__ =
 * None` stores None itself, which PyException_GetTraceback hands back as is:
 * it must never be read as a traceback object. New reference. */
static PyObject *traceback_of(PyObject *exc)
{
	PyObject *tb = PyException_GetTraceback(exc);

	if (tb && !PyTraceBack_Check(tb))
		Py_CLEAR(tb);
	return tb;
}

/* Where the error happened: a SyntaxError's own position, else the innermost
 * traceback entry that is not in the standard library. */
static void locate(PyObject *exc, struct error *err)
{
	if (PyErr_GivenExceptionMatches(exc, PyExc_SyntaxError)) {
		PyObject *file = PyObject_GetAttrString(exc, "filename");
		PyObject *line = PyObject_GetAttrString(exc, "lineno");
		if (file && PyUnicode_Check(file))
			snprintf(err->file, sizeof err->file, "%s", PyUnicode_AsUTF8(file));
		if (line && PyLong_Check(line))
			err->line = (int)PyLong_AsLong(line);
		Py_XDECREF(file);
		Py_XDECREF(line);
		PyErr_Clear();
		return;
	}
	for (PyObject *tb = traceback_of(exc), *next; tb; tb = next) {
		PyFrameObject *frame = ((PyTracebackObject *)tb)->tb_frame;
		if (frame == NULL) {   /* cleared by the GC: nothing to locate here */
			next = (PyObject *)((PyTracebackObject *)tb)->tb_next;
			Py_XINCREF(next);
			Py_DECREF(tb);
			continue;
		}
		PyCodeObject *code = PyFrame_GetCode(frame);
		if (!in_stdlib(code->co_filename) || err->file[0] == '\0') {
			PyObject *line = PyObject_GetAttrString(tb, "tb_lineno");
			snprintf(err->file, sizeof err->file, "%s", PyUnicode_AsUTF8(code->co_filename));
			err->line = line && PyLong_Check(line) ? (int)PyLong_AsLong(line) : 0;
			Py_XDECREF(line);
			PyErr_Clear();
		}
		Py_DECREF(code);
		next = (PyObject *)((PyTracebackObject *)tb)->tb_next;
		Py_XINCREF(next);
		Py_DECREF(tb);
	}
}

/* The last few entries, formatted by the traceback module. A reused instance
 * can carry thousands of entries; the console needs the newest ones. */
static char *format_traceback(PyObject *exc)
{
	PyObject *mod = PyImport_ImportModule("traceback");
	PyObject *tb = PyException_GetTraceback(exc);
	PyObject *lines = NULL, *joined = NULL, *empty = NULL;
	char *text = NULL;

	if (mod)
		lines = PyObject_CallMethod(mod, "format_exception", "OOOi",
		                            (PyObject *)Py_TYPE(exc), exc, tb ? tb : Py_None, -8);
	Py_XDECREF(tb);
	if (lines && (empty = PyUnicode_FromString("")))
		joined = PyUnicode_Join(empty, lines);
	if (joined)
		text = xstrdup(PyUnicode_AsUTF8(joined));
	PyErr_Clear();
	Py_XDECREF(joined);
	Py_XDECREF(empty);
	Py_XDECREF(lines);
	Py_XDECREF(mod);
	return text;
}

/* Turn the pending Python error into the result, then drop it. Its traceback
 * is left alone: if the scenario still holds the exception (a shared instance)
 * the lesson's state must not change; if nobody does, it is freed here, and
 * sys.last_exc is never set. */
static void take_error(struct pyresult *r)
{
	PyObject *exc = fetch_exception();
	char text[600];

	if (exc == NULL)
		return;
	r->status = PYRESULT_ERROR;
	if (PyErr_GivenExceptionMatches(exc, PyExc_SyntaxError)) {
		/* str() of a SyntaxError repeats the file and line we already give. */
		PyObject *msg = PyObject_GetAttrString(exc, "msg");
		safe_str(msg ? msg : exc, text, sizeof text);
		Py_XDECREF(msg);
		PyErr_Clear();
	} else {
		safe_str(exc, text, sizeof text);
	}
	locate(exc, &r->err);
	snprintf(r->err.msg, sizeof r->err.msg, "%s%s%s", Py_TYPE(exc)->tp_name,
	         text[0] ? ": " : "", text);
	if (PyErr_GivenExceptionMatches(exc, PyExc_KeyboardInterrupt) ||
	    PyErr_GivenExceptionMatches(exc, PyExc_MemoryError)) {
		/* The status says why; the traceback of our own interrupt says nothing. */
	} else {
		r->traceback = format_traceback(exc);
	}
	Py_DECREF(exc);
	PyErr_Clear();
}

/* ---- Python probes ------------------------------------------------------ */

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

static PyObject *resolve_watch(void)
{
	PyObject *obj;

	if (watch_parts == NULL || namespace == NULL)
		return NULL;
	obj = PyDict_GetItemWithError(namespace, PyTuple_GET_ITEM(watch_parts, 0));
	Py_XINCREF(obj);
	for (Py_ssize_t i = 1; obj && i < PyTuple_GET_SIZE(watch_parts); i++) {
		PyObject *next = PyObject_GetAttr(obj, PyTuple_GET_ITEM(watch_parts, i));
		Py_DECREF(obj);
		obj = next;
	}
	PyErr_Clear();
	return obj;
}

static void sample_chain(struct probe_sample *s)
{
	static struct frame_walk w;
	PyObject *obj = resolve_watch();
	PyObject *tb = NULL;
	long chain = 0;

	ptrset_clear(&w.seen);
	w.len = 0;
	if (obj && PyExceptionInstance_Check(obj))
		tb = traceback_of(obj);
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

/* The generation-0 count, read in place (pyintrospect); where that is not
 * known, gc.get_count(), whose tuple can add one to the count once. */
static void sample_gc(struct probe_sample *s)
{
	long count0 = pyintrospect_gc_count0();

	if (count0 >= 0) {
		s->v[PROBE_GC0] = (double)count0;
		s->have |= 1u << PROBE_GC0;
	} else {
		PyObject *counts = gc_get_count ? PyObject_CallNoArgs(gc_get_count) : NULL;
		if (counts && PyTuple_Check(counts) && PyTuple_GET_SIZE(counts) >= 1) {
			s->v[PROBE_GC0] = (double)PyLong_AsLong(PyTuple_GET_ITEM(counts, 0));
			s->have |= 1u << PROBE_GC0;
		}
		Py_XDECREF(counts);
		PyErr_Clear();
	}
	s->v[PROBE_GC_RUNS] = (double)atomic_load(&gc_runs);
	s->have |= 1u << PROBE_GC_RUNS;
}

static void sample_all(struct probe_sample *s)
{
	memset(s, 0, sizeof *s);
	sample_chain(s);
	sample_gc(s);
	probe_sample_process(s);
}

/* ---- jobs -------------------------------------------------------------- */

static PyObject *resolve_dotted(const char *name)
{
	char *copy = xstrdup(name), *save = NULL;
	PyObject *obj = NULL;

	for (char *part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		if (obj == NULL) {
			obj = PyDict_GetItemString(namespace, part);
			if (obj == NULL && !PyErr_Occurred()) {
				PyObject *builtins = PyEval_GetBuiltins();
				obj = builtins ? PyDict_GetItemString(builtins, part) : NULL;
			}
			if (obj == NULL) {
				if (!PyErr_Occurred())
					PyErr_Format(PyExc_NameError, "name '%s' is not defined in the scenario", part);
				break;
			}
			Py_INCREF(obj);
		} else {
			PyObject *next = PyObject_GetAttrString(obj, part);
			Py_DECREF(obj);
			obj = next;
			if (obj == NULL)
				break;
		}
	}
	free(copy);
	return obj;
}

/* gc.collect(): unlike PyGC_Collect, it collects even while the GC is
 * disabled, which is when lessons and verify() most need it. The function
 * was looked up at start-up and is called with no arguments: nothing that
 * counts as a container is allocated first, so no automatic collection
 * runs ahead of this one and takes its findings. */
static Py_ssize_t gc_collect_now(void)
{
	PyObject *n = gc_collect ? PyObject_CallNoArgs(gc_collect) : NULL;
	Py_ssize_t found = n && PyLong_Check(n) ? PyLong_AsSsize_t(n) : 0;

	Py_XDECREF(n);
	PyErr_Clear();
	return found;
}

/* A graph root: a dotted name, where any part may end in "()" to follow a
 * weak reference ("last_error().__traceback__"). A weak reference keeps
 * nothing alive, so a lesson can show a cycle that is already garbage. New
 * reference, or NULL when absent or gone. Getting attributes runs no lesson
 * code here: these are plain attributes of exceptions, tracebacks and the
 * lesson's own classes. */
static PyObject *resolve_root(const char *name)
{
	char *copy = xstrdup(name), *save = NULL;
	PyObject *obj = NULL;

	for (char *part = strtok_r(copy, ".", &save); part; part = strtok_r(NULL, ".", &save)) {
		size_t n = strlen(part);
		bool deref = n > 2 && strcmp(part + n - 2, "()") == 0;
		PyObject *next;

		if (deref)
			part[n - 2] = '\0';
		if (obj == NULL) {
			next = PyDict_GetItemString(namespace, part);
			Py_XINCREF(next);
		} else {
			next = PyObject_GetAttrString(obj, part);
			Py_DECREF(obj);
		}
		obj = next;
		if (obj && deref) {
			PyObject *target = PyWeakref_Check(obj) ? PyWeakref_GetObject(obj) : NULL;
			Py_DECREF(obj);
			obj = target && target != Py_None ? Py_NewRef(target) : NULL;
		}
		if (obj == NULL)
			break;
	}
	free(copy);
	PyErr_Clear();
	return obj;
}

static struct graph *capture_from(char *const *names, int n, const struct pygraph_limits *lim)
{
	PyObject **roots = xcalloc((size_t)n, sizeof *roots);
	struct graph *g;

	for (int i = 0; i < n; i++)
		roots[i] = resolve_root(names[i]);
	g = pygraph_capture(roots, (const char *const *)names, n, lim);
	for (int i = 0; i < n; i++)
		Py_XDECREF(roots[i]);
	free(roots);
	return g;
}

static struct graph *capture_live(void)
{
	struct graph *g;
	PyObject *mark;

	if (n_graph_roots == 0)
		return NULL;
	g = capture_from(graph_roots, n_graph_roots, &graph_limits);
	mark = graph_highlight ? resolve_root(graph_highlight) : NULL;
	g->highlight = (uintptr_t)mark;   /* compared only, by address */
	Py_XDECREF(mark);
	return g;
}

static void clear_graph_roots(void)
{
	for (int i = 0; i < n_graph_roots; i++)
		free(graph_roots[i]);
	free(graph_roots);
	graph_roots = NULL;
	n_graph_roots = 0;
	free(graph_highlight);
	graph_highlight = NULL;
}

static struct pygraph_limits job_limits(int depth, int nodes)
{
	return (struct pygraph_limits){
		.depth = job.graph_depth > 0 ? job.graph_depth : depth,
		.nodes = job.graph_nodes > 0 ? job.graph_nodes : nodes,
	};
}

static void job_graph_roots(void)
{
	char *copy = xstrdup(job.code ? job.code : ""), *save = NULL;

	clear_graph_roots();
	for (char *p = strtok_r(copy, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		graph_roots = xrealloc(graph_roots, (size_t)(n_graph_roots + 1) * sizeof *graph_roots);
		graph_roots[n_graph_roots++] = xstrdup(p);
	}
	free(copy);
	graph_limits = job_limits(GRAPH_DEPTH, GRAPH_NODES);
	graph_highlight = job.highlight ? xstrdup(job.highlight) : NULL;
}

/* Reachable from the scenario's globals, but not once tracebacks are left out? */
static void job_only_through_tracebacks(struct pyresult *r)
{
	PyObject *target = resolve_root(job.code);
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = 1 << 20 };
	const char *name = "globals";
	bool with = false, without = false;

	r->value.kind = VALUE_BOOL;
	if (target == NULL)
		return;
	struct graph *all = pygraph_capture(&namespace, &name, 1, &lim);
	lim.skip_tracebacks = true;
	struct graph *no_tb = pygraph_capture(&namespace, &name, 1, &lim);
	with = graph_find(all, (uintptr_t)target) >= 0;
	without = graph_find(no_tb, (uintptr_t)target) >= 0;
	graph_free(all);
	graph_free(no_tb);
	Py_DECREF(target);
	r->value.u.b = with && !without;
}

/* Why is the object at this address alive? The shortest path to it from the
 * scenario's globals, one string per hop; or one string saying nothing there
 * reaches it. The address is only compared, never dereferenced: the object
 * may be long gone. */
static void job_why(struct pyresult *r)
{
	const char *code = job.code ? job.code : "";
	PyObject *named = code[0] >= '0' && code[0] <= '9' ? NULL : resolve_root(code);
	uintptr_t addr = named ? (uintptr_t)named : (uintptr_t)strtoull(code, NULL, 10);
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = 200000, .follow_classes = true };
	const char *name = "globals";
	struct graph *g = pygraph_capture(&namespace, &name, 1, &lim);
	int target = graph_find(g, addr), path[64], len;
	struct value *items;

	Py_XDECREF(named);   /* only its address is used from here on */
	len = target >= 0 ? graph_path(g, 0, target, path, 64) : -1;
	r->value.kind = VALUE_LIST;
	if (len < 0) {
		items = xcalloc(1, sizeof *items);
		items[0].kind = VALUE_STR;
		items[0].u.str.s = xstrdup(g->limited
			? "not found among the objects the scenario's globals reach (the search was cut short)"
			: "nothing in the scenario's globals reaches it: only a reference cycle keeps it, "
			  "until the cyclic GC runs");
		items[0].u.str.len = strlen(items[0].u.str.s);
		r->value.u.list.items = items;
		r->value.u.list.n = 1;
		graph_free(g);
		return;
	}
	items = xcalloc((size_t)len + 1, sizeof *items);
	items[0].kind = VALUE_STR;
	items[0].u.str.s = xstrdup("the scenario's globals");
	for (int i = 0; i < len; i++) {
		const struct graph_edge *e = &g->edges[path[i]];
		const struct graph_node *n = &g->nodes[e->to];
		items[i + 1].kind = VALUE_STR;
		items[i + 1].u.str.s = xasprintf("-[%s]-> %s %s", e->label[0] ? e->label : "?", n->type, n->repr);
	}
	for (int i = 0; i <= len; i++)
		items[i].u.str.len = strlen(items[i].u.str.s);
	r->value.u.list.items = items;
	r->value.u.list.n = (size_t)len + 1;
	graph_free(g);
}

static void job_reset(struct pyresult *r)
{
	PyObject *sys_path = PySys_GetObject("path");   /* borrowed */
	PyObject *builtins = PyEval_GetBuiltins();
	PyObject *name;

	if (scenario_dir && sys_path) {
		PyObject *dir = PyUnicode_FromString(scenario_dir);
		Py_ssize_t i = dir ? PySequence_Index(sys_path, dir) : -1;
		if (i >= 0)
			PySequence_DelItem(sys_path, i);
		Py_XDECREF(dir);
		PyErr_Clear();
	}
	free(scenario_dir);
	scenario_dir = NULL;
	Py_CLEAR(watch_parts);
	clear_graph_roots();
	if (namespace) {
		PyDict_Clear(namespace);
		Py_CLEAR(namespace);
	}
	/* Imported before any measurement, not on a lesson's first error, where
	 * it would show as 1.7 MB of growth; not at start-up, to keep the first
	 * frame fast. */
	Py_XDECREF(PyImport_ImportModule("traceback"));
	PyErr_Clear();
	/* A scenario that turned the GC off or changed its settings and then
	 * failed must not leave them so for the next one. */
	PyObject *gc = PyImport_ImportModule("gc");
	if (gc) {
		PyObject *garbage = PyObject_GetAttrString(gc, "garbage");
		Py_XDECREF(PyObject_CallMethod(gc, "enable", NULL));
		Py_XDECREF(PyObject_CallMethod(gc, "set_debug", "i", 0));
		Py_XDECREF(PyObject_CallMethod(gc, "set_threshold", "iii", info.gc_threshold[0],
		                               info.gc_threshold[1], info.gc_threshold[2]));
		if (garbage && PyList_Check(garbage))
			PyList_SetSlice(garbage, 0, PyList_GET_SIZE(garbage), NULL);
		Py_XDECREF(garbage);
		Py_DECREF(gc);
	}
	PyErr_Clear();
	gc_collect_now();
	atomic_store(&gc_runs, 0);
	probe_clear_heap_cap_hit();

	namespace = PyDict_New();
	name = PyUnicode_FromString("__exclab__");
	if (namespace == NULL || name == NULL ||
	    PyDict_SetItemString(namespace, "__name__", name) < 0 ||
	    PyDict_SetItemString(namespace, "__builtins__", builtins) < 0) {
		Py_XDECREF(name);
		take_error(r);
		return;
	}
	Py_DECREF(name);
	if (job.path && job.path[0]) {
		PyObject *dir = PyUnicode_FromString(job.path);
		scenario_dir = xstrdup(job.path);
		if (dir == NULL || sys_path == NULL || PyList_Insert(sys_path, 0, dir) < 0)
			take_error(r);
		Py_XDECREF(dir);
	}
}

static void run_code(struct pyresult *r, const char *source, const char *filename, int start)
{
	PyObject *code = Py_CompileString(source, filename, start);
	PyObject *out = NULL;

	if (code == NULL) {
		take_error(r);
		return;
	}
	atomic_store(&in_user_code, true);
	out = PyEval_EvalCode(code, namespace, namespace);
	atomic_store(&in_user_code, false);
	Py_DECREF(code);
	if (out == NULL) {
		take_error(r);
		return;
	}
	if (start == Py_eval_input)
		to_value(out, &r->value, 0);
	Py_DECREF(out);
}

static void job_load(struct pyresult *r)
{
	struct error err = { 0 };
	char *source = util_read_file(job.path, NULL, &err);
	PyObject *file;

	if (source == NULL) {
		r->status = PYRESULT_ERROR;
		r->err = err;
		return;
	}
	file = PyUnicode_FromString(job.path);
	if (file == NULL || PyDict_SetItemString(namespace, "__file__", file) < 0)
		take_error(r);
	else
		run_code(r, source, job.path, Py_file_input);
	Py_XDECREF(file);
	free(source);
}

static void job_call(struct pyresult *r)
{
	PyObject *fn = resolve_dotted(job.code);
	PyObject *args = NULL, *out = NULL;
	double last_sample = util_now(), last_graph = last_sample;

	if (fn == NULL)
		goto fail;
	if (!PyCallable_Check(fn)) {
		PyErr_Format(PyExc_TypeError, "'%s' is a %s, not something to call",
		             job.code, Py_TYPE(fn)->tp_name);
		goto fail;
	}
	args = PyTuple_New((Py_ssize_t)job.nargs);
	for (size_t i = 0; args && i < job.nargs; i++) {
		PyObject *a = from_value(&job.args[i]);
		if (a == NULL)
			goto fail;
		PyTuple_SET_ITEM(args, (Py_ssize_t)i, a);
	}
	if (args == NULL)
		goto fail;
	for (long i = 0; i < job.times; i++) {
		Py_XDECREF(out);
		atomic_store(&in_user_code, true);
		out = PyObject_Call(fn, args, NULL);
		atomic_store(&in_user_code, false);
		if (out == NULL)
			goto fail;
		if (atomic_load(&stop_reason) != PYRESULT_OK)
			break;
		if (util_now() - last_sample >= SAMPLE_EVERY) {
			struct pyevent ev = { .kind = PYEVENT_SAMPLE };
			sample_all(&ev.sample);
			if (util_now() - last_graph >= GRAPH_EVERY) {
				ev.graph = capture_live();
				last_graph = util_now();
			}
			push_event(&ev);
			last_sample = util_now();
		}
	}
	to_value(out, &r->value, 0);
	Py_XDECREF(out);
	Py_DECREF(args);
	Py_DECREF(fn);
	return;
fail:
	take_error(r);
	Py_XDECREF(args);
	Py_XDECREF(fn);
}

static void job_watch(struct pyresult *r)
{
	char *copy = xstrdup(job.code ? job.code : ""), *save = NULL;
	PyObject *parts = PyList_New(0);

	Py_CLEAR(watch_parts);
	for (char *p = strtok_r(copy, ".", &save); parts && p; p = strtok_r(NULL, ".", &save)) {
		PyObject *name = PyUnicode_InternFromString(p);
		if (name == NULL || PyList_Append(parts, name) < 0)
			Py_CLEAR(parts);
		Py_XDECREF(name);
	}
	free(copy);
	if (parts == NULL) {
		take_error(r);
		return;
	}
	if (PyList_GET_SIZE(parts) > 0)
		watch_parts = PyList_AsTuple(parts);
	Py_DECREF(parts);
}

static void run_job(struct pyresult *r)
{
	double t0 = util_now();

	memset(r, 0, sizeof *r);
	if (namespace == NULL && job.kind != PYJOB_RESET && job.kind != PYJOB_COMPILE) {
		r->status = PYRESULT_ERROR;
		error_set(&r->err, NULL, 0, "no scenario namespace (internal error)");
		return;
	}
	switch (job.kind) {
	case PYJOB_RESET: job_reset(r); break;
	case PYJOB_LOAD: job_load(r); break;
	case PYJOB_EXEC: run_code(r, job.code, job.origin ? job.origin : "<py.exec>", Py_file_input); break;
	case PYJOB_EVAL: run_code(r, job.code, job.origin ? job.origin : "<py.eval>", Py_eval_input); break;
	case PYJOB_CALL: job_call(r); break;
	case PYJOB_WATCH: job_watch(r); break;
	case PYJOB_GC: {
		Py_ssize_t n = gc_collect_now();
		r->value.kind = VALUE_INT;
		r->value.u.i = n;
		break;
	}
	case PYJOB_GRAPH_ROOTS: job_graph_roots(); break;
	case PYJOB_GRAPH_QUERY: {
		char *name = xstrdup(job.code ? job.code : "");
		struct pygraph_limits lim = job_limits(GRAPH_DEPTH, 100000);
		r->query = capture_from(&name, 1, &lim);
		graph_compute_retained(r->query);
		free(name);
		break;
	}
	case PYJOB_ONLY_TB: job_only_through_tracebacks(r); break;
	case PYJOB_WHY: job_why(r); break;
	case PYJOB_COMPILE: {
		struct error err = { 0 };
		char *source = util_read_file(job.path, NULL, &err);
		PyObject *code = source ? Py_CompileString(source, job.path, Py_file_input) : NULL;
		if (source == NULL) {
			r->status = PYRESULT_ERROR;
			r->err = err;
		} else if (code == NULL) {
			take_error(r);
		}
		Py_XDECREF(code);
		free(source);
		break;
	}
	}
	/* Nothing may be pending now: any interrupt aimed at this job is void. */
	PyThreadState_SetAsyncExc(atomic_load(&worker_ident), NULL);
	PyErr_Clear();
	stream_flush_all();

	int why = atomic_load(&stop_reason);
	if (why != PYRESULT_OK || probe_heap_cap_hit()) {
		if (probe_heap_cap_hit())
			why = PYRESULT_MEMCAP;
		r->status = (enum pyresult_status)why;
		free(r->traceback);
		r->traceback = NULL;
		if (why == PYRESULT_MEMCAP)
			snprintf(r->err.msg, sizeof r->err.msg,
			         "stopped: the Python heap reached its cap of %.0f MB",
			         (double)probe_heap_cap() / 1e6);
		else if (why == PYRESULT_TIMEOUT)
			snprintf(r->err.msg, sizeof r->err.msg,
			         "stopped: Python ran past its time limit of %.1f s", job.time_limit);
		else
			snprintf(r->err.msg, sizeof r->err.msg, "stopped by the learner (KeyboardInterrupt)");
		/* The stack of the interrupted code is gone; free what it left. */
		gc_collect_now();
		probe_clear_heap_cap_hit();
	}
	r->seconds = util_now() - t0;
	sample_all(&r->sample);
	r->graph = capture_live();
}

/* ---- threads ----------------------------------------------------------- */

static void free_job(struct pyjob *j)
{
	free((char *)j->path);
	free((char *)j->code);
	free((char *)j->origin);
	free((char *)j->highlight);
	for (size_t i = 0; i < j->nargs; i++)
		value_free((struct value *)&j->args[i]);
	free((struct value *)j->args);
	memset(j, 0, sizeof *j);
}

static int start_python(struct error *err)
{
	PyPreConfig pre;
	PyConfig config;
	PyStatus status;
	PyObject *globals = NULL, *out = NULL, *gc = NULL;

	PyPreConfig_InitIsolatedConfig(&pre);
	status = Py_PreInitialize(&pre);
	if (PyStatus_Exception(status))
		goto status_fail;
	/* Before any object exists, so the hook sees every block it frees. */
	probe_install_allocator();

	PyConfig_InitIsolatedConfig(&config);
	config.write_bytecode = 0;        /* no __pycache__ in lessons/ */
	config.install_signal_handlers = 0;
	config.site_import = 0;
	if (EXCLAB_PYTHON_EXE[0]) {
		status = PyConfig_SetBytesString(&config, &config.program_name, EXCLAB_PYTHON_EXE);
		if (PyStatus_Exception(status)) {
			PyConfig_Clear(&config);
			goto status_fail;
		}
	}
	if (PyImport_AppendInittab("_exclab", exclab_init) < 0) {
		PyConfig_Clear(&config);
		error_set(err, NULL, 0, "cannot register the _exclab module");
		return -1;
	}
	status = Py_InitializeFromConfig(&config);
	PyConfig_Clear(&config);
	if (PyStatus_Exception(status))
		goto status_fail;

	globals = PyDict_New();
	if (globals)
		PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
	out = globals ? PyRun_String(bootstrap, Py_file_input, globals, globals) : NULL;
	if (out == NULL) {
		struct pyresult r = { 0 };
		take_error(&r);
		error_set(err, NULL, 0, "Python start-up failed: %s", r.err.msg);
		Py_XDECREF(globals);
		return -1;
	}
	Py_DECREF(out);
	stdlib_dir = PyDict_GetItemString(globals, "stdlib_dir");
	Py_XINCREF(stdlib_dir);
	Py_DECREF(globals);

	gc = PyImport_ImportModule("gc");
	gc_get_count = gc ? PyObject_GetAttrString(gc, "get_count") : NULL;
	gc_collect = gc ? PyObject_GetAttrString(gc, "collect") : NULL;
	if (gc) {
		PyObject *th = PyObject_CallMethod(gc, "get_threshold", NULL);
		for (int i = 0; th && i < 3 && i < PyTuple_GET_SIZE(th); i++)
			info.gc_threshold[i] = (int)PyLong_AsLong(PyTuple_GET_ITEM(th, i));
		Py_XDECREF(th);
	}
	Py_XDECREF(gc);
	PyErr_Clear();
	sscanf(Py_GetVersion(), "%d.%d.%d", &info.major, &info.minor, &info.micro);
	snprintf(info.version, sizeof info.version, "%d.%d.%d", info.major, info.minor, info.micro);
	atomic_store(&worker_ident, PyThread_get_thread_ident());
	return 0;

status_fail:
	error_set(err, NULL, 0, "Python start-up failed: %s%s%s",
	          status.func ? status.func : "", status.func ? ": " : "",
	          status.err_msg ? status.err_msg : "unknown error");
	return -1;
}

static void *worker_main(void *arg)
{
	PyThreadState *ts;
	int rc = start_python(&start_error);

	pthread_mutex_lock(&lock);
	start_status = rc;
	ready = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	if (rc < 0)
		return NULL;

	ts = PyEval_SaveThread();
	pthread_mutex_lock(&lock);
	for (;;) {
		while (!job_pending && !quitting)
			pthread_cond_wait(&wake, &lock);
		if (quitting)
			break;
		job_pending = false;
		job_running = true;
		pthread_mutex_unlock(&lock);

		struct pyresult r;
		PyEval_RestoreThread(ts);
		PyThreadState_SetAsyncExc(atomic_load(&worker_ident), NULL); /* a stale interrupt */
		PyErr_Clear();
		run_job(&r);
		ts = PyEval_SaveThread();

		pthread_mutex_lock(&lock);
		free_job(&job);
		result = r;
		job_running = false;
		job_done = true;
		atomic_store(&stop_reason, PYRESULT_OK);
		pthread_cond_broadcast(&wake);
	}
	pthread_mutex_unlock(&lock);

	PyEval_RestoreThread(ts);
	Py_CLEAR(namespace);
	Py_CLEAR(watch_parts);
	clear_graph_roots();
	Py_CLEAR(gc_get_count);
	Py_CLEAR(gc_collect);
	Py_CLEAR(stdlib_dir);
	Py_FinalizeEx();
	return NULL;
}

/* Raise KeyboardInterrupt in the worker while it runs user code. The check of
 * in_user_code happens with the GIL held, as does the worker's change of it,
 * so an interrupt never lands in the host's own bookkeeping. */
static void fire_interrupt(void)
{
	PyGILState_STATE g = PyGILState_Ensure();

	if (atomic_load(&in_user_code))
		PyThreadState_SetAsyncExc(atomic_load(&worker_ident), PyExc_KeyboardInterrupt);
	PyGILState_Release(g);
}

static void *watchdog_main(void *arg)
{
	double last_fire = 0;

	pthread_mutex_lock(&lock);
	while (!quitting) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &lock, &ts);
		if (!job_running || quitting)
			continue;

		double now = util_now(), limit = atomic_load(&job_limit);
		if (atomic_load(&stop_reason) == PYRESULT_OK) {
			if (probe_heap_cap_hit())
				atomic_store(&stop_reason, PYRESULT_MEMCAP);
			else if (limit > 0 && now - atomic_load(&job_started) > limit)
				atomic_store(&stop_reason, PYRESULT_TIMEOUT);
		}
		if (atomic_load(&stop_reason) != PYRESULT_OK && now - last_fire >= RETRY) {
			last_fire = now;
			pthread_mutex_unlock(&lock);
			fire_interrupt();
			pthread_mutex_lock(&lock);
		}
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int pyhost_start(struct error *err)
{
	if (started)
		return 0;
	if (pthread_create(&worker, NULL, worker_main, NULL) != 0) {
		error_set(err, NULL, 0, "cannot start the Python thread");
		return -1;
	}
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&wake, &lock);
	pthread_mutex_unlock(&lock);
	if (start_status < 0) {
		pthread_join(worker, NULL);
		*err = start_error;
		return -1;
	}
	if (pthread_create(&watchdog, NULL, watchdog_main, NULL) != 0) {
		error_set(err, NULL, 0, "cannot start the watchdog thread");
		return -1;
	}
	started = true;
	return 0;
}

void pyhost_stop(void)
{
	struct pyevent ev;

	if (!started)
		return;
	pyhost_interrupt(PYRESULT_INTERRUPTED);
	pthread_mutex_lock(&lock);
	while (job_running || job_pending) {
		pthread_mutex_unlock(&lock);
		struct pyresult r;
		pyhost_wait(&r);
		pyresult_free(&r);
		pthread_mutex_lock(&lock);
	}
	quitting = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	pthread_join(watchdog, NULL);
	pthread_join(worker, NULL);
	while (pyhost_next_event(&ev)) {
		free(ev.text);
		graph_free(ev.graph);
	}
	started = false;
}

const struct pyhost_info *pyhost_info(void)
{
	return &info;
}

static void copy_job(struct pyjob *dst, const struct pyjob *src)
{
	struct value *args = NULL;

	*dst = *src;
	dst->path = src->path ? xstrdup(src->path) : NULL;
	dst->code = src->code ? xstrdup(src->code) : NULL;
	dst->origin = src->origin ? xstrdup(src->origin) : NULL;
	dst->highlight = src->highlight ? xstrdup(src->highlight) : NULL;
	if (src->nargs) {
		args = xcalloc(src->nargs, sizeof *args);
		for (size_t i = 0; i < src->nargs; i++)
			value_copy(&args[i], &src->args[i]);
	}
	dst->args = args;
	if (dst->times < 1)
		dst->times = 1;
}

int pyhost_submit(const struct pyjob *j)
{
	pthread_mutex_lock(&lock);
	if (!started || job_pending || job_running || job_done) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	copy_job(&job, j);
	atomic_store(&stop_reason, PYRESULT_OK);
	atomic_store(&job_started, util_now());
	atomic_store(&job_limit, j->time_limit);
	job_pending = true;
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
	return 0;
}

bool pyhost_busy(void)
{
	bool busy;

	pthread_mutex_lock(&lock);
	busy = job_pending || job_running;
	pthread_mutex_unlock(&lock);
	return busy;
}

bool pyhost_poll(struct pyresult *out)
{
	bool done;

	pthread_mutex_lock(&lock);
	done = job_done;
	if (done) {
		*out = result;
		memset(&result, 0, sizeof result);
		job_done = false;
	}
	pthread_mutex_unlock(&lock);
	return done;
}

void pyhost_wait(struct pyresult *out)
{
	pthread_mutex_lock(&lock);
	while (!job_done)
		pthread_cond_wait(&wake, &lock);
	*out = result;
	memset(&result, 0, sizeof result);
	job_done = false;
	pthread_mutex_unlock(&lock);
}

void pyhost_interrupt(enum pyresult_status why)
{
	pthread_mutex_lock(&lock);
	if ((job_running || job_pending) && atomic_load(&stop_reason) == PYRESULT_OK)
		atomic_store(&stop_reason, why);
	pthread_cond_broadcast(&wake);
	pthread_mutex_unlock(&lock);
}

void pyresult_free(struct pyresult *r)
{
	if (r == NULL)
		return;
	value_free(&r->value);
	free(r->traceback);
	r->traceback = NULL;
	graph_free(r->graph);
	graph_free(r->query);
	r->graph = r->query = NULL;
}
