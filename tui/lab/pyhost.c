/* pyhost.c — CPython on the lab's main thread.
 *
 * The lab (lab.c) hands one job at a time to pyhost_run, which returns when
 * the job is done. Python runs on the main thread, as under plain python3:
 * its own SIGINT handler raises KeyboardInterrupt, and the guard (guard.h)
 * sends SIGINT when a job must stop. Whatever Python writes to sys.stdout and
 * sys.stderr, and each collection it makes, goes to the interface as events
 * (labout.h) while the job runs. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pyhost.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "guard.h"
#include "labout.h"
#include "probe.h"
#include "pygraph.h"
#include "pyintrospect.h"
#include "util.h"

#ifndef EXCLAB_PYTHON_EXE
#define EXCLAB_PYTHON_EXE ""
#endif

#define SAMPLE_EVERY 0.02   /* seconds between samples during a long CALL */
#define GRAPH_EVERY 0.25    /* seconds between graph captures during a long CALL */
#define GRAPH_DEPTH 100000  /* default walk depth for the live graph: chains are what it is for; the node limit bounds it */
#define GRAPH_NODES 20000   /* default node limit for the live graph */
/* One Python value converted for Lua: at most this many items and bytes. */
#define CONVERT_ITEMS 100000
#define CONVERT_BYTES ((size_t)16 * 1024 * 1024)

static struct pyhost_info info;

/* Worker-only state (touched with the GIL held). */
static PyObject *namespace;          /* the scenario's module dict */
static PyObject *watch_parts;        /* tuple of interned names, or NULL */
static PyObject *gc_get_count;
static PyObject *gc_collect;         /* gc.collect itself, looked up once */
static PyObject *stdlib_dir;         /* str: errors skip frames under it */
static char *scenario_dir;
static long gc_runs;
static char **graph_roots;           /* names the live graph starts from */
static int n_graph_roots;
static char *graph_highlight;        /* the object the live graph points out */
static struct pygraph_limits graph_limits;
/* The partial line of each stream (1 and 2), cut at LAB_MAX_LINE bytes. */
static struct partial_line { char buf[LAB_MAX_LINE]; size_t len, dropped; } out_line[3];
static int gc_counts[3];             /* collections per generation during the job */
static long gc_found;                /* unreachable objects they found */

/* ---- output ------------------------------------------------------------ */

static void emit_line(int stream)
{
	struct partial_line *l = &out_line[stream];
	char note[64] = "";
	size_t keep = l->len;

	if (l->dropped) {
		/* Room for the note within LAB_MAX_LINE, where labout would cut it
		 * off; never half a character. */
		if (keep > LAB_MAX_LINE - sizeof note)
			keep = LAB_MAX_LINE - sizeof note;
		while (keep > 0 && keep < l->len && ((unsigned char)l->buf[keep] & 0xC0) == 0x80)
			keep--;
		snprintf(note, sizeof note, " … [%zu more bytes]", l->dropped + (l->len - keep));
	}
	char *text = xmalloc(keep + sizeof note);
	memcpy(text, l->buf, keep);
	memcpy(text + keep, note, strlen(note) + 1);
	/* keep, not strlen: a NUL byte the script wrote must not end the line. */
	labout_console_text(stream == 2 ? CONSOLE_STDERR : CONSOLE_OUTPUT, text, keep + strlen(note));
	free(text);
	l->len = l->dropped = 0;
}

/* Text written to sys.stdout/sys.stderr: whole lines become console lines.
 * A line longer than LAB_MAX_LINE keeps its start and counts the rest, so
 * no amount of output without a newline grows memory here. */
static void stream_write(int stream, const char *s, size_t n)
{
	struct partial_line *l = &out_line[stream];

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			emit_line(stream);
		} else if (l->len < sizeof l->buf) {
			l->buf[l->len++] = s[i];
		} else {
			l->dropped++;
		}
	}
}

static void stream_flush_all(void)
{
	for (int s = 1; s <= 2; s++)
		if (out_line[s].len || out_line[s].dropped)
			emit_line(s);
}

/* ---- the _exclab module: stdout/stderr sink and the gc callback ---------- */

static PyObject *exclab_write(PyObject *self, PyObject *args)
{
	int stream;
	PyObject *text, *bytes = NULL;
	const char *s;
	Py_ssize_t n;

	if (!PyArg_ParseTuple(args, "iU", &stream, &text))
		return NULL;
	s = PyUnicode_AsUTF8AndSize(text, &n);
	if (s == NULL) {
		/* A lone surrogate: replaced, as the stream's errors = 'replace' says. */
		PyErr_Clear();
		bytes = PyUnicode_AsEncodedString(text, "utf-8", "replace");
		if (bytes == NULL)
			return NULL;
		s = PyBytes_AS_STRING(bytes);
		n = PyBytes_GET_SIZE(bytes);
	}
	stream_write(stream == 2 ? 2 : 1, s, (size_t)n);
	Py_XDECREF(bytes);
	return PyLong_FromSsize_t(n);
}

/* gc.callbacks entry: counts finished collections, per generation, and what
 * they found. Reads the info dict without allocating. */
static PyObject *exclab_gc_event(PyObject *self, PyObject *args)
{
	PyObject *phase, *gcinfo, *gen, *collected;
	long g, n;

	if (!PyArg_ParseTuple(args, "OO", &phase, &gcinfo))
		return NULL;
	if (!PyUnicode_Check(phase) || PyUnicode_CompareWithASCIIString(phase, "stop") != 0)
		Py_RETURN_NONE;
	gc_runs++;
	gen = PyDict_Check(gcinfo) ? PyDict_GetItemString(gcinfo, "generation") : NULL;
	collected = PyDict_Check(gcinfo) ? PyDict_GetItemString(gcinfo, "collected") : NULL;
	g = gen && PyLong_Check(gen) ? PyLong_AsLong(gen) : -1;
	n = collected && PyLong_Check(collected) ? PyLong_AsLong(collected) : -1;
	if (g >= 0 && g < 3)
		gc_counts[g]++;
	if (n > 0)
		gc_found += n;
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
	"import sys, gc, os, faulthandler, _exclab\n"
	/* A crash in C prints the Python stack to the lab's standard error,
	 * which the interface shows with its report of the crash. */
	"faulthandler.enable(file=2)\n"

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

/* What is left of one conversion's budget. */
struct convert_budget {
	long items;
	size_t bytes;
};

static void set_str(struct value *v, const char *s, size_t n)
{
	v->kind = VALUE_STR;
	v->u.str.s = xmemdup(s, n);
	v->u.str.len = n;
}

/* A short description that never runs arbitrary __repr__ code: only the
 * built-in scalar types are shown by value. Lists and tuples are followed
 * three deep, within the budget; what does not fit is left out and said so. */
static void to_value(PyObject *o, struct value *v, int depth, struct convert_budget *b)
{
	memset(v, 0, sizeof *v);
	b->items--;
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
		if ((size_t)n > b->bytes) {
			char *msg = xasprintf("<str of %zd bytes: more than Lua may be given>", n);
			set_str(v, msg, strlen(msg));
			free(msg);
		} else {
			b->bytes -= (size_t)n;
			set_str(v, s, (size_t)n);
		}
	} else if ((PyList_CheckExact(o) || PyTuple_CheckExact(o)) && depth < 3) {
		PyObject *seq = PySequence_Fast(o, "");
		Py_ssize_t all = seq ? PySequence_Fast_GET_SIZE(seq) : 0, n = all;
		if (n > b->items)
			n = b->items > 0 ? b->items : 0;
		v->kind = VALUE_LIST;
		v->u.list.n = (size_t)n + (n < all);
		v->u.list.items = xcalloc(v->u.list.n, sizeof *v->u.list.items);
		for (Py_ssize_t i = 0; i < n; i++)
			to_value(PySequence_Fast_GET_ITEM(seq, i), &v->u.list.items[i], depth + 1, b);
		if (n < all) {
			char *msg = xasprintf("<%zd more items: more than Lua may be given>", all - n);
			set_str(&v->u.list.items[n], msg, strlen(msg));
			free(msg);
		}
		Py_XDECREF(seq);
		PyErr_Clear();
	} else {
		char *msg = xasprintf("<%s object at %p>", Py_TYPE(o)->tp_name, (void *)o);
		set_str(v, msg, strlen(msg));
		free(msg);
	}
}

static void to_lua_value(PyObject *o, struct value *v)
{
	struct convert_budget b = { .items = CONVERT_ITEMS, .bytes = CONVERT_BYTES };

	to_value(o, v, 0, &b);
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
	s->v[PROBE_GC_RUNS] = (double)gc_runs;
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

static struct pygraph_limits job_limits(const struct pyjob *job, int depth, int nodes)
{
	return (struct pygraph_limits){
		.depth = job->graph_depth > 0 ? job->graph_depth : depth,
		.nodes = job->graph_nodes > 0 ? job->graph_nodes : nodes,
	};
}

static void job_graph_roots(const struct pyjob *job)
{
	char *copy = xstrdup(job->code ? job->code : ""), *save = NULL;

	clear_graph_roots();
	for (char *p = strtok_r(copy, "\n", &save); p; p = strtok_r(NULL, "\n", &save)) {
		graph_roots = xrealloc(graph_roots, (size_t)(n_graph_roots + 1) * sizeof *graph_roots);
		graph_roots[n_graph_roots++] = xstrdup(p);
	}
	free(copy);
	graph_limits = job_limits(job, GRAPH_DEPTH, GRAPH_NODES);
	graph_highlight = job->highlight ? xstrdup(job->highlight) : NULL;
}

/* Reachable from the scenario's globals, but not once tracebacks are left out? */
static void job_only_through_tracebacks(const struct pyjob *job, struct pyresult *r)
{
	PyObject *target = resolve_root(job->code ? job->code : "");
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
static void job_why(const struct pyjob *job, struct pyresult *r)
{
	const char *code = job->code ? job->code : "";
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

static void job_reset(const struct pyjob *job, struct pyresult *r)
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
	gc_runs = 0;
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
	if (job->path && job->path[0]) {
		PyObject *dir = PyUnicode_FromString(job->path);
		scenario_dir = xstrdup(job->path);
		if (dir == NULL || sys_path == NULL || PyList_Insert(sys_path, 0, dir) < 0)
			take_error(r);
		Py_XDECREF(dir);
	}
}

/* Source text as Python will compile it: python3 refuses a file with a NUL
 * byte, and so does exclab (the C string would end there). */
static char *read_source(const char *path, struct pyresult *r)
{
	size_t len;
	char *source = util_read_file(path, &len, &r->err);

	if (source == NULL) {
		r->status = PYRESULT_ERROR;
	} else if (memchr(source, '\0', len) != NULL) {
		r->status = PYRESULT_ERROR;
		error_set(&r->err, path, 0, "SyntaxError: source code cannot contain null bytes");
		free(source);
		source = NULL;
	}
	return source;
}

static void run_code(struct pyresult *r, const char *source, const char *filename, int start)
{
	PyObject *code = Py_CompileString(source, filename, start);
	PyObject *out = NULL;

	if (code == NULL) {
		take_error(r);
		return;
	}
	out = PyEval_EvalCode(code, namespace, namespace);
	Py_DECREF(code);
	if (out == NULL) {
		take_error(r);
		return;
	}
	if (start == Py_eval_input)
		to_lua_value(out, &r->value);
	Py_DECREF(out);
}

static void job_load(const struct pyjob *job, struct pyresult *r)
{
	char *source = read_source(job->path, r);
	PyObject *file;

	if (source == NULL)
		return;
	file = PyUnicode_FromString(job->path);
	if (file == NULL || PyDict_SetItemString(namespace, "__file__", file) < 0)
		take_error(r);
	else
		run_code(r, source, job->path, Py_file_input);
	Py_XDECREF(file);
	free(source);
}

static void job_compile(const struct pyjob *job, struct pyresult *r)
{
	char *source = read_source(job->path, r);
	PyObject *code = source ? Py_CompileString(source, job->path, Py_file_input) : NULL;

	if (source != NULL && code == NULL)
		take_error(r);
	Py_XDECREF(code);
	free(source);
}

/* During a long CALL: the probes, and now and then the live graph. */
static void send_progress(void)
{
	static double last_graph;
	struct probe_sample s;
	struct graph *g = NULL;

	sample_all(&s);
	labout_sample(&s, false);
	if (util_now() - last_graph >= GRAPH_EVERY) {
		g = capture_live();
		last_graph = util_now();
	}
	if (g)
		labout_graph(g);
	graph_free(g);
}

static void job_call(const struct pyjob *job, struct pyresult *r)
{
	PyObject *fn = resolve_dotted(job->code ? job->code : "");
	PyObject *args = NULL, *out = NULL;
	double last_sample = util_now();

	if (fn == NULL)
		goto fail;
	if (!PyCallable_Check(fn)) {
		PyErr_Format(PyExc_TypeError, "'%s' is a %s, not something to call",
		             job->code, Py_TYPE(fn)->tp_name);
		goto fail;
	}
	args = PyTuple_New((Py_ssize_t)job->nargs);
	for (size_t i = 0; args && i < job->nargs; i++) {
		PyObject *a = from_value(&job->args[i]);
		if (a == NULL)
			goto fail;
		PyTuple_SET_ITEM(args, (Py_ssize_t)i, a);
	}
	if (args == NULL)
		goto fail;
	for (long i = 0; i < (job->times > 0 ? job->times : 1); i++) {
		Py_XDECREF(out);
		out = PyObject_Call(fn, args, NULL);
		if (out == NULL)
			goto fail;
		if (guard_reason() != STOP_NONE)
			break;
		if (util_now() - last_sample >= SAMPLE_EVERY) {
			send_progress();
			last_sample = util_now();
		}
	}
	to_lua_value(out, &r->value);
	Py_XDECREF(out);
	Py_DECREF(args);
	Py_DECREF(fn);
	return;
fail:
	take_error(r);
	Py_XDECREF(args);
	Py_XDECREF(fn);
}

static void job_watch(const struct pyjob *job, struct pyresult *r)
{
	char *copy = xstrdup(job->code ? job->code : ""), *save = NULL;
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

/* The job was stopped: say why, in the result. */
static void stopped(const struct pyjob *job, struct pyresult *r, enum stop_reason why)
{
	free(r->traceback);
	r->traceback = NULL;
	value_free(&r->value);
	switch (why) {
	case STOP_MEMCAP:
		r->status = PYRESULT_MEMCAP;
		snprintf(r->err.msg, sizeof r->err.msg,
		         "stopped: the Python heap reached its cap of %.0f MB",
		         (double)probe_heap_cap() / 1e6);
		break;
	case STOP_RSS:
		r->status = PYRESULT_MEMCAP;
		snprintf(r->err.msg, sizeof r->err.msg,
		         "stopped: the lab's resident memory reached its limit of %.0f MB "
		         "(memory outside the Python heap: mmap, or a C extension?)",
		         (double)guard_rss_cap() / 1e6);
		break;
	case STOP_TIMEOUT:
		r->status = PYRESULT_TIMEOUT;
		snprintf(r->err.msg, sizeof r->err.msg,
		         "stopped: Python ran past its time limit of %.1f s", job->time_limit);
		break;
	default:
		r->status = PYRESULT_INTERRUPTED;
		snprintf(r->err.msg, sizeof r->err.msg, "stopped by the learner (KeyboardInterrupt)");
		break;
	}
}

void pyhost_run(const struct pyjob *job, struct pyresult *r)
{
	enum stop_reason why;

	memset(r, 0, sizeof *r);
	gc_counts[0] = gc_counts[1] = gc_counts[2] = 0;
	gc_found = 0;
	if (namespace == NULL && job->kind != PYJOB_RESET && job->kind != PYJOB_COMPILE) {
		r->status = PYRESULT_ERROR;
		error_set(&r->err, NULL, 0, "no scenario namespace (internal error)");
		return;
	}
	switch (job->kind) {
	case PYJOB_RESET: job_reset(job, r); break;
	case PYJOB_LOAD: job_load(job, r); break;
	case PYJOB_EXEC: run_code(r, job->code, job->origin ? job->origin : "<py.exec>", Py_file_input); break;
	case PYJOB_EVAL: run_code(r, job->code, job->origin ? job->origin : "<py.eval>", Py_eval_input); break;
	case PYJOB_CALL: job_call(job, r); break;
	case PYJOB_WATCH: job_watch(job, r); break;
	case PYJOB_GC:
		r->value.kind = VALUE_INT;
		r->value.u.i = gc_collect_now();
		break;
	case PYJOB_GRAPH_ROOTS: job_graph_roots(job); break;
	case PYJOB_GRAPH_QUERY: {
		char *name = xstrdup(job->code ? job->code : "");
		struct pygraph_limits lim = job_limits(job, GRAPH_DEPTH, 100000);
		r->query = capture_from(&name, 1, &lim);
		graph_compute_retained(r->query);
		free(name);
		break;
	}
	case PYJOB_ONLY_TB: job_only_through_tracebacks(job, r); break;
	case PYJOB_WHY: job_why(job, r); break;
	case PYJOB_COMPILE: job_compile(job, r); break;
	}
	stream_flush_all();

	why = guard_reason();
	if (why == STOP_NONE && probe_heap_cap_hit())
		why = STOP_MEMCAP;
	if (why != STOP_NONE) {
		stopped(job, r, why);
		/* A SIGINT still on its way must not land in the next job. */
		pyhost_drop_signals();
		/* The stack of the interrupted code is gone; free what it left. */
		gc_collect_now();
		probe_clear_heap_cap_hit();
	}
	sample_all(&r->sample);
	r->graph = capture_live();
	guard_keep_sigint();
}

static PyThreadState *idle_state;

void pyhost_idle_begin(void)
{
	stream_flush_all();
	idle_state = PyEval_SaveThread();
}

void pyhost_idle_end(void)
{
	PyEval_RestoreThread(idle_state);
	idle_state = NULL;
}

void pyhost_drop_signals(void)
{
	if (PyErr_CheckSignals() < 0)
		PyErr_Clear();
}

void pyhost_gc_counts(int counts[3], long *found)
{
	memcpy(counts, gc_counts, sizeof gc_counts);
	*found = gc_found;
}

int pyhost_start(struct error *err)
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
	config.install_signal_handlers = 1;   /* SIGINT is KeyboardInterrupt, as in python3 */
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
	return 0;

status_fail:
	error_set(err, NULL, 0, "Python start-up failed: %s%s%s",
	          status.func ? status.func : "", status.func ? ": " : "",
	          status.err_msg ? status.err_msg : "unknown error");
	return -1;
}

const struct pyhost_info *pyhost_info(void)
{
	return &info;
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
