/* pyvalue.c — Python objects as plain values, and back. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyvalue.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

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

void pyvalue_to_lua(PyObject *o, struct value *v)
{
	struct convert_budget b = { .items = VALUE_MAX_ITEMS, .bytes = VALUE_MAX_BYTES };

	to_value(o, v, 0, &b);
}

PyObject *pyvalue_from(const struct value *v)
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
			PyObject *item = pyvalue_from(&v->u.list.items[i]);
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
