/* pyerror.c — a Python exception as a message with a file and a line. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pyerror.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static PyObject *stdlib_dir;         /* str: errors skip frames under it */

void pyerror_set_stdlib(PyObject *dir)
{
	Py_XINCREF(dir);
	Py_XSETREF(stdlib_dir, dir);
}

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
PyObject *pyerror_traceback_of(PyObject *exc)
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
	for (PyObject *tb = pyerror_traceback_of(exc), *next; tb; tb = next) {
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
void pyerror_take(struct pyresult *r)
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
