/* pyintrospect.c — frame locals and inline attributes, read in place.
 * The only file built with Py_BUILD_CORE: internal layouts stay here. */
#define PY_SSIZE_T_CLEAN
#define Py_BUILD_CORE 1
#include <Python.h>

#include "pyintrospect.h"

#if PY_VERSION_HEX >= 0x030B0000 && PY_VERSION_HEX < 0x030C0000
#include <internal/pycore_code.h>
#include <internal/pycore_dict.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_gc.h>
#include <internal/pycore_interp.h>
#include <internal/pycore_object.h>

int pyintrospect_frame_locals(PyObject *frame, pyintrospect_visit visit, void *arg)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
	PyCodeObject *code = f->f_code;

	for (int i = 0; i < code->co_nlocalsplus; i++) {
		PyObject *value = f->localsplus[i];
		if (value != NULL)
			visit(arg, PyTuple_GET_ITEM(code->co_localsplusnames, i), value);
	}
	return 0;
}

int pyintrospect_frame_local(PyObject *frame, PyObject *name, PyObject **value)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;
	PyCodeObject *code = f->f_code;

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

int pyintrospect_inline_attrs(PyObject *obj, pyintrospect_visit visit, void *arg)
{
	PyTypeObject *tp = Py_TYPE(obj);
	PyDictValues *values;
	PyDictKeysObject *keys;

	if (!(tp->tp_flags & Py_TPFLAGS_MANAGED_DICT))
		return 0;
	values = *_PyObject_ValuesPointer(obj);
	if (values == NULL)
		return 0;   /* a real dict took over: the caller reads it */
	keys = ((PyHeapTypeObject *)tp)->ht_cached_keys;
	for (Py_ssize_t i = 0; i < keys->dk_nentries; i++) {
		PyObject *value = values->values[i];
		if (value != NULL)
			visit(arg, DK_UNICODE_ENTRIES(keys)[i].me_key, value);
	}
	return 0;
}

int pyintrospect_frame_fields(PyObject *frame, PyObject **func, PyObject **code, PyObject **locals)
{
	_PyInterpreterFrame *f = ((PyFrameObject *)frame)->f_frame;

	*func = (PyObject *)f->f_func;
	*code = (PyObject *)f->f_code;
	*locals = f->f_locals;
	return 0;
}

PyObject *pyintrospect_frame_back(PyObject *frame)
{
	return (PyObject *)((PyFrameObject *)frame)->f_back;
}

PyObject *pyintrospect_instance_dict(PyObject *obj)
{
	PyTypeObject *tp = Py_TYPE(obj);

	if (tp->tp_flags & Py_TPFLAGS_MANAGED_DICT)
		return *_PyObject_ValuesPointer(obj) ? NULL : *_PyObject_ManagedDictPointer(obj);
	if (tp->tp_dictoffset != 0) {
		PyObject **ptr = _PyObject_GetDictPtr(obj);   /* plain offset: creates nothing */
		return ptr ? *ptr : NULL;
	}
	return NULL;
}

long pyintrospect_gc_count0(void)
{
	return PyInterpreterState_Get()->gc.generations[0].count;
}

#else

long pyintrospect_gc_count0(void)
{
	return -1;
}

int pyintrospect_frame_fields(PyObject *frame, PyObject **func, PyObject **code, PyObject **locals)
{
	return -1;
}

PyObject *pyintrospect_frame_back(PyObject *frame)
{
	return NULL;
}

PyObject *pyintrospect_instance_dict(PyObject *obj)
{
	return NULL;
}

int pyintrospect_frame_locals(PyObject *frame, pyintrospect_visit visit, void *arg)
{
	return -1;
}

int pyintrospect_frame_local(PyObject *frame, PyObject *name, PyObject **value)
{
	return -1;
}

int pyintrospect_find_tracked(uintptr_t addr, PyObject **obj)
{
	return -1;
}

int pyintrospect_inline_attrs(PyObject *obj, pyintrospect_visit visit, void *arg)
{
	return -1;
}

#endif
