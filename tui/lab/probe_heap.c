/* probe_heap.c — the interpreter's state read in place, for exclab probe.
 * Built with Py_BUILD_CORE, as pyintrospect.c is: the internal layouts of
 * 3.11 to 3.13 stay in this file. */
#define PY_SSIZE_T_CLEAN
#define Py_BUILD_CORE 1
#include <Python.h>

#include "probe_heap.h"

#include "probe.h"
#include "pyintrospect.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030E0000
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_gc.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_object.h>
#include <opcode.h>
#define KNOWN_LAYOUT 1
#else
#define KNOWN_LAYOUT 0
#endif

/* The exception table needs no internals. */

/* The exception table (Objects/exception_handling_notes.txt): entries of
 * start, length, target and depth-with-lasti, each a varint of 6-bit
 * groups, most significant first, 0x40 marking that more follow. */
static int varint(const unsigned char **p, const unsigned char *end, int *out)
{
	int v;

	if (*p >= end)
		return -1;
	v = **p & 63;
	while (**p & 64) {
		if (++*p >= end)
			return -1;
		v = (v << 6) | (**p & 63);
	}
	++*p;
	*out = v;
	return 0;
}

/* The handler of the instruction at byte offset lasti, as a byte offset;
 * -1 when none: the exception leaves the frame. */
static int handler_of(PyCodeObject *code, int lasti)
{
	PyObject *table = code->co_exceptiontable;
	const unsigned char *p, *end;
	int found = -1;

	if (table == NULL || !PyBytes_Check(table))
		return -1;
	p = (const unsigned char *)PyBytes_AS_STRING(table);
	end = p + PyBytes_GET_SIZE(table);
	while (p < end) {
		int start, len, target, depth;
		if (varint(&p, end, &start) < 0 || varint(&p, end, &len) < 0 ||
		    varint(&p, end, &target) < 0 || varint(&p, end, &depth) < 0)
			break;
		/* Innermost last: a later entry that holds lasti is nested deeper. */
		if (lasti >= start * 2 && lasti < (start + len) * 2)
			found = target * 2;
	}
	return found;
}

/* Does the handler at byte offset at only clean up and raise again? An
 * except clause, a finally and a with's exit begin with PUSH_EXC_INFO; the
 * compiler's cleanups do not: the one that unbinds `e` when an except
 * clause's body raises, the one that pops the exception it handled. Such
 * an exception was caught, if at all, by the handler around the cleanup.
 * An instruction replaced by sys.monitoring's line event is taken as it
 * is: a handler. */
static bool cleanup_only(PyCodeObject *code, int at)
{
#if KNOWN_LAYOUT
	int op;

	if (at < 0 || at / 2 >= (int)Py_SIZE(code))
		return false;
	op = _Py_OPCODE(_PyCode_CODE(code)[at / 2]);
#ifdef INSTRUMENTED_LINE
	if (op == INSTRUMENTED_LINE)
		return false;
#endif
	return op != PUSH_EXC_INFO;
#else
	(void)code;
	(void)at;
	return false;
#endif
}

int probe_heap_handler(PyCodeObject *code, int lasti)
{
	int found = handler_of(code, lasti);

	/* An exception raised in an except clause's body goes through its
	 * cleanups to the try statement around it (a bounded walk: each
	 * cleanup is covered by an entry further out). */
	for (int hops = 0; found >= 0 && cleanup_only(code, found) && hops < 16; hops++)
		found = handler_of(code, found);
	return found;
}

int probe_heap_handler_line(PyCodeObject *code, int found)
{
	if (found < 0)
		return 0;
	/* The handler begins with instructions of no line of their own
	 * (PUSH_EXC_INFO); the first with a line is the except clause's. */
	for (int at = found, n = 0; n < 16 && at < (int)Py_SIZE(code) * 2; n++, at += 2) {
		int line = PyCode_Addr2Line(code, at);
		if (line > 0)
			return line;
	}
	return 0;
}

#if KNOWN_LAYOUT

bool probe_heap_supported(void)
{
	return true;
}

static void walk_list(PyGC_Head *head, probe_heap_visit visit, void *arg)
{
	for (PyGC_Head *gc = _PyGCHead_NEXT(head); gc != head; gc = _PyGCHead_NEXT(gc))
		visit((PyObject *)(gc + 1), arg);   /* the object follows its GC header */
}

void probe_heap_walk(probe_heap_visit visit, void *arg)
{
	struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;

	for (int i = 0; i < NUM_GENERATIONS; i++)
		walk_list(&gc->generations[i].head, visit, arg);
	walk_list(&gc->permanent_generation.head, visit, arg);
}

void probe_heap_active(probe_heap_visit visit, void *arg)
{
	for (PyThreadState *t = PyInterpreterState_ThreadHead(PyInterpreterState_Get()); t;
	     t = PyThreadState_Next(t)) {
#if PY_VERSION_HEX >= 0x030C0000
		/* One exception object, its traceback already on it. */
		if (t->current_exception)
			visit(t->current_exception, arg);
#else
		if (t->curexc_value)
			visit(t->curexc_value, arg);
		if (t->curexc_traceback)   /* not on the exception yet while it unwinds */
			visit(t->curexc_traceback, arg);
#endif
		for (_PyErr_StackItem *e = t->exc_info; e; e = e->previous_item)
			if (e->exc_value && e->exc_value != Py_None)
				visit(e->exc_value, arg);
	}
}

PyObject *probe_heap_gen_exception(PyObject *gen)
{
	PyObject *exc;

	if (!PyGen_Check(gen) && !PyCoro_CheckExact(gen) && !PyAsyncGen_CheckExact(gen))
		return NULL;
	exc = ((PyGenObject *)gen)->gi_exc_state.exc_value;
	return exc && exc != Py_None ? exc : NULL;
}

/* The innermost frame a thread runs: behind the C frame in 3.11 and 3.12. */
static _PyInterpreterFrame *innermost_frame(PyThreadState *t)
{
#if PY_VERSION_HEX >= 0x030D0000
	return t->current_frame;
#else
	return t->cframe ? t->cframe->current_frame : NULL;
#endif
}

/* Frames that run no code of the program's: one being set up, or, from
 * 3.12, the interpreter's entry frame on the C stack. */
static bool frame_is_program(_PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030C0000
	if (f->owner == FRAME_OWNED_BY_CSTACK)
		return false;
#endif
	return !_PyFrame_IsIncomplete(f);
}

void probe_heap_frames(probe_heap_frame_visit visit, void *arg)
{
	for (PyThreadState *t = PyInterpreterState_ThreadHead(PyInterpreterState_Get()); t;
	     t = PyThreadState_Next(t)) {
		for (_PyInterpreterFrame *f = innermost_frame(t); f; f = f->previous) {
			if (!frame_is_program(f))
				continue;
			PyCodeObject *code = pyintrospect_frame_code(f);
			int line = PyCode_Addr2Line(code, _PyInterpreterFrame_LASTI(f) * (int)sizeof(_Py_CODEUNIT));
			visit(code, line, f->localsplus, code->co_nlocalsplus, arg);
		}
	}
}

/* A split dict's values, when a block of their own: 3.11 and 3.12 keep
 * the size of a prefix in the byte before them; 3.13 starts the block at
 * them, unless they are embedded in an instance (and counted with it). */
static size_t values_size(PyDictValues *values)
{
	if (values == NULL)
		return 0;
#if PY_VERSION_HEX >= 0x030D0000
	return values->embedded ? 0 : probe_block_size(values);
#else
	return probe_block_size((char *)values - ((uint8_t *)values)[-1]);
#endif
}

/* An instance's attribute values outside its own block: a values array
 * in 3.11 and 3.12 (until a dict takes over); none in 3.13, where they
 * follow the object header. */
static size_t instance_values_size(PyObject *o)
{
#if PY_VERSION_HEX >= 0x030D0000
	(void)o;
	return 0;
#elif PY_VERSION_HEX >= 0x030C0000
	PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(o);
	return _PyDictOrValues_IsValues(dorv) ? values_size(_PyDictOrValues_GetValues(dorv)) : 0;
#else
	return values_size(*_PyObject_ValuesPointer(o));
#endif
}

size_t probe_heap_size(PyObject *o)
{
	PyTypeObject *tp = Py_TYPE(o);
	size_t n = 0;

	if (PyObject_IS_GC(o))
		n = probe_block_size((char *)o - _PyType_PreHeaderSize(tp));
	if (n == 0)   /* not one of ours: static, or made before the hook */
		return pyintrospect_sizeof(o);
	if (PyList_Check(o)) {
		n += probe_block_size(((PyListObject *)o)->ob_item);
	} else if (PyDict_Check(o)) {
		PyDictObject *d = (PyDictObject *)o;
		if (d->ma_keys->dk_refcnt == 1)
			n += probe_block_size(d->ma_keys);
		n += values_size(d->ma_values);
	} else if (PyAnySet_Check(o)) {
		PySetObject *s = (PySetObject *)o;
		if (s->table != s->smalltable)
			n += probe_block_size(s->table);
	} else if (PyByteArray_Check(o)) {
		n += probe_block_size(((PyByteArrayObject *)o)->ob_bytes);
	} else if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT) {
		n += instance_values_size(o);
	}
	return n;
}

PyObject *probe_heap_garbage(void)
{
	return PyInterpreterState_Get()->gc.garbage;
}

int *probe_heap_gc_debug(void)
{
	return &PyInterpreterState_Get()->gc.debug;
}

#else

bool probe_heap_supported(void)
{
	return false;
}

void probe_heap_walk(probe_heap_visit visit, void *arg)
{
	(void)visit;
	(void)arg;
}

void probe_heap_active(probe_heap_visit visit, void *arg)
{
	(void)visit;
	(void)arg;
}

PyObject *probe_heap_gen_exception(PyObject *gen)
{
	(void)gen;
	return NULL;
}

void probe_heap_frames(probe_heap_frame_visit visit, void *arg)
{
	(void)visit;
	(void)arg;
}

size_t probe_heap_size(PyObject *o)
{
	return pyintrospect_sizeof(o);
}

PyObject *probe_heap_garbage(void)
{
	return NULL;
}

int *probe_heap_gc_debug(void)
{
	return NULL;
}

#endif
