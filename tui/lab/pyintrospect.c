/* pyintrospect.c — frame locals and inline attributes, read in place.
 * The only file built with Py_BUILD_CORE: internal layouts stay here, one
 * accessor per field that moved between the versions it knows. */
#define PY_SSIZE_T_CLEAN
#define Py_BUILD_CORE 1
#include <Python.h>

#include "pyintrospect.h"

/* meson.build refuses other versions at configure time, with a message. */
#if PY_VERSION_HEX < 0x030B0000 || PY_VERSION_HEX >= 0x030E0000
#error "pyintrospect.c knows the internal layouts of CPython 3.11 to 3.13 only"
#endif

#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_object.h>

/* _PyInterpreterFrame's code object: f_code until 3.12; 3.13 made it
 * f_executable, a PyObject * (a code object in any frame that has a frame
 * object). */
PyCodeObject *pyintrospect_frame_code(struct _PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030D0000
	return _PyFrame_GetCode(f);
#else
	return f->f_code;
#endif
}

/* _PyInterpreterFrame's function: f_func in 3.11, f_funcobj from 3.12. */
static PyObject *frame_function(_PyInterpreterFrame *f)
{
#if PY_VERSION_HEX >= 0x030C0000
	return f->f_funcobj;
#else
	return (PyObject *)f->f_func;
#endif
}

/* The instance's inline values while they hold its attributes, else NULL.
 *   3.11: a PyDictValues pointer four words before the object, NULL once a
 *         dict took over;
 *   3.12: one word (PyDictOrValues, three words before the object) holds
 *         either the dict or the values, tagged;
 *   3.13: the values follow the object header (Py_TPFLAGS_INLINE_VALUES),
 *         and stay the attributes' home while values->valid, even after a
 *         __dict__ was built on top of them. */
static PyDictValues *inline_values(PyObject *obj)
{
	PyTypeObject *tp = Py_TYPE(obj);

#if PY_VERSION_HEX >= 0x030D0000
	if (!(tp->tp_flags & Py_TPFLAGS_INLINE_VALUES))
		return NULL;
	PyDictValues *values = _PyObject_InlineValues(obj);
	return values->valid ? values : NULL;
#elif PY_VERSION_HEX >= 0x030C0000
	if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
		return NULL;
	PyDictOrValues dorv = *_PyObject_DictOrValuesPointer(obj);
	return _PyDictOrValues_IsValues(dorv) ? _PyDictOrValues_GetValues(dorv) : NULL;
#else
	if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
		return NULL;
	return *_PyObject_ValuesPointer(obj);
#endif
}

/* The dict of a Py_TPFLAGS_MANAGED_DICT instance whose inline values are
 * gone (inline_values() NULL), or NULL when it never had one. */
static PyObject *managed_dict(PyObject *obj)
{
#if PY_VERSION_HEX >= 0x030D0000
	return (PyObject *)_PyObject_ManagedDictPointer(obj)->dict;
#elif PY_VERSION_HEX >= 0x030C0000
	return _PyDictOrValues_GetDict(*_PyObject_DictOrValuesPointer(obj));
#else
	return *_PyObject_ManagedDictPointer(obj);
#endif
}

/* How many of the cached keys' entries have a slot in these values. 3.13
 * makes each instance with room for values->capacity of them, and its
 * tp_traverse reads no further; 3.11 and 3.12 read dk_nentries. */
static Py_ssize_t values_len(PyDictValues *values, PyDictKeysObject *keys)
{
#if PY_VERSION_HEX >= 0x030D0000
	return Py_MIN(keys->dk_nentries, (Py_ssize_t)values->capacity);
#else
	(void)values;
	return keys->dk_nentries;
#endif
}

void pyintrospect_frame_locals(PyObject *frame, pyintrospect_visit visit, void *arg)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
	PyCodeObject *code = pyintrospect_frame_code(f);

	for (int i = 0; i < code->co_nlocalsplus; i++) {
		PyObject *value = f->localsplus[i];
		if (value != NULL)
			visit(arg, PyTuple_GET_ITEM(code->co_localsplusnames, i), value);
	}
}

int pyintrospect_frame_local(PyObject *frame, PyObject *name, PyObject **value)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
	PyCodeObject *code = pyintrospect_frame_code(f);

	for (int i = 0; i < code->co_nlocalsplus; i++) {
		if (PyUnicode_Compare(PyTuple_GET_ITEM(code->co_localsplusnames, i), name) != 0)
			continue;
		PyObject *v = f->localsplus[i];
		if (v && (_PyLocals_GetKind(code->co_localspluskinds, i) & (CO_FAST_CELL | CO_FAST_FREE)) &&
		    PyCell_Check(v))
			v = PyCell_GET(v);
		*value = v;
		return 1;
	}
	/* A module or class body keeps its names in a dict, not in slots. */
	if (!(code->co_flags & CO_OPTIMIZED) && f->f_locals && PyDict_Check(f->f_locals)) {
		*value = PyDict_GetItemWithError(f->f_locals, name);
		PyErr_Clear();
		return *value != NULL;
	}
	return 0;
}

/* The collector's lists: three generations and the permanent one, the same
 * fields in 3.11, 3.12 and 3.13. */
int pyintrospect_find_tracked(uintptr_t addr, PyObject **obj)
{
	struct _gc_runtime_state *gc = &PyInterpreterState_Get()->gc;

	for (int i = 0; i <= NUM_GENERATIONS; i++) {
		PyGC_Head *head = i < NUM_GENERATIONS ? &gc->generations[i].head
		                                      : &gc->permanent_generation.head;
		for (PyGC_Head *g = _PyGCHead_NEXT(head); g != head; g = _PyGCHead_NEXT(g)) {
			if ((uintptr_t)(g + 1) == addr) {
				*obj = (PyObject *)(g + 1);
				return 1;
			}
		}
	}
	return 0;
}

void pyintrospect_inline_attrs(PyObject *obj, pyintrospect_visit visit, void *arg)
{
	PyDictValues *values = inline_values(obj);
	PyDictKeysObject *keys;

	if (values == NULL)
		return;   /* a real dict holds them (or none): the caller reads it */
	keys = ((PyHeapTypeObject *)Py_TYPE(obj))->ht_cached_keys;
	for (Py_ssize_t i = 0; i < values_len(values, keys); i++) {
		PyObject *value = values->values[i];
		if (value != NULL)
			visit(arg, DK_UNICODE_ENTRIES(keys)[i].me_key, value);
	}
}

void pyintrospect_frame_fields(PyObject *frame, PyObject **func, PyObject **code, PyObject **locals)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;

	*func = frame_function(f);
	*code = (PyObject *)pyintrospect_frame_code(f);
	*locals = f->f_locals;
}

void pyintrospect_frame_others(PyObject *frame, PyObject **trace, PyObject **extra_locals,
                               PyObject **locals_cache)
{
	PyFrameObject *f = (PyFrameObject *)frame;

	*trace = f->f_trace;
#if PY_VERSION_HEX >= 0x030D0000
	/* PEP 667: names set through the f_locals proxy that are not the
	 * code's own locals, and the dict PyFrame_GetLocals callers got. */
	*extra_locals = f->f_extra_locals;
	*locals_cache = f->f_locals_cache;
#else
	*extra_locals = *locals_cache = NULL;
#endif
}

int pyintrospect_tb_line(PyObject *tbo)
{
	PyTracebackObject *tb = (PyTracebackObject *)tbo;

	if (tb->tb_lineno >= 0 || tb->tb_frame == NULL)
		return tb->tb_lineno;
	return PyCode_Addr2Line(pyintrospect_frame_code(tb->tb_frame->f_frame), tb->tb_lasti);
}

int pyintrospect_frame_line(PyObject *frame, struct pyintrospect_lines *memo)
{
	PyFrameObject *f = (PyFrameObject *)frame;

	/* A stored line (a tracing frame's; 3.13's cached or unknown -1) is
	 * PyFrame_GetLineNumber's to read. Otherwise 3.11 to 3.13 all answer
	 * PyCode_Addr2Line(code, lasti): the same for the same pair. */
	if (f->f_lineno != 0)
		return PyFrame_GetLineNumber(f);
	_PyInterpreterFrame *fr = f->f_frame;
	PyCodeObject *code = pyintrospect_frame_code(fr);
	int lasti = _PyInterpreterFrame_LASTI(fr);
	uintptr_t h = ((uintptr_t)code >> 4) ^ (uintptr_t)lasti * 0x9E3779B1u;
	size_t i = (size_t)(h ^ (h >> 6) ^ (h >> 12)) % (sizeof memo->slot / sizeof memo->slot[0]);

	if (memo->slot[i].code != code || memo->slot[i].lasti != lasti) {
		memo->slot[i].code = code;
		memo->slot[i].lasti = lasti;
		memo->slot[i].line = PyFrame_GetLineNumber(f);
	}
	return memo->slot[i].line;
}

PyObject *pyintrospect_frame_back(PyObject *frame)
{
	return (PyObject *)((PyFrameObject *)frame)->f_back;
}

PyObject *pyintrospect_instance_dict(PyObject *obj)
{
	PyTypeObject *tp = Py_TYPE(obj);

	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT)
		return inline_values(obj) ? NULL : managed_dict(obj);
	if (tp->tp_dictoffset != 0) {
		PyObject **ptr = _PyObject_GetDictPtr(obj);   /* plain offset: creates nothing */
		return ptr ? *ptr : NULL;
	}
	return NULL;
}

/* generations[0].count of the interpreter's GC state: the same field in
 * 3.11, 3.12 and 3.13. */
long pyintrospect_gc_count0(void)
{
	return PyInterpreterState_Get()->gc.generations[0].count;
}

/* sys.getsizeof, without running Python code: the type's own C __sizeof__
 * (found as a method descriptor), else its basic and item sizes; plus the GC
 * header for tracked objects, as sys.getsizeof adds. */
size_t pyintrospect_sizeof(PyObject *o)
{
	static PyObject *name;
	PyObject *descr, *n;
	Py_ssize_t size = -1;

	if (name == NULL)
		name = PyUnicode_InternFromString("__sizeof__");
	descr = name ? _PyType_Lookup(Py_TYPE(o), name) : NULL;
	/* Only a C __sizeof__: a Python one would run the program's code. */
	if (descr && Py_IS_TYPE(descr, &PyMethodDescr_Type) &&
	    (((PyMethodDescrObject *)descr)->d_method->ml_flags & METH_NOARGS)) {
		n = ((PyMethodDescrObject *)descr)->d_method->ml_meth(o, NULL);
		size = n && PyLong_Check(n) ? PyLong_AsSsize_t(n) : -1;
		Py_XDECREF(n);
		PyErr_Clear();
	}
	if (size < 0) {
		Py_ssize_t items = Py_TYPE(o)->tp_itemsize ? Py_SIZE(o) : 0;
		size = Py_TYPE(o)->tp_basicsize + (items < 0 ? -items : items) * Py_TYPE(o)->tp_itemsize;
	}
	if (PyObject_IS_GC(o))
		size += (Py_ssize_t)(2 * sizeof(void *));   /* PyGC_Head */
	return (size_t)size;
}
