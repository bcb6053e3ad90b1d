/* pypath.c — parse a root or watch path once, follow it as often as asked.
 * Following reads attributes as Python does, weak references and frame
 * locals in place (pyintrospect.h): nothing here makes a dict or a frame. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pypath.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyintrospect.h"
#include "util.h"

enum part_kind { PART_NAME, PART_ADDRESS, PART_ATTR, PART_LOCAL };

struct part {
	enum part_kind kind;
	PyObject *name;     /* interned: NAME, ATTR, LOCAL */
	uintptr_t addr;     /* ADDRESS */
	bool deref;         /* ends in "()" */
	size_t end;         /* where the part ends in the text: the path so far */
};

struct pypath {
	char *text;
	struct part *parts;
	int n;
};

static void say(char *why, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *why, size_t size, const char *fmt, ...)
{
	va_list ap;

	if (why == NULL || size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, size, fmt, ap);
	va_end(ap);
}

const char *pypath_text(const struct pypath *p)
{
	return p->text;
}

void pypath_free(struct pypath *p)
{
	if (p == NULL)
		return;
	for (int i = 0; i < p->n; i++)
		Py_XDECREF(p->parts[i].name);
	free(p->parts);
	free(p->text);
	free(p);
}

/* One part of the text, [s, s + len), into part. false and why when it is
 * not one exclab can follow. */
static bool parse_part(struct part *part, const char *s, size_t len, bool first, const char *text,
                       char *why, size_t size)
{
	char *word;

	if (len >= 2 && s[len - 2] == '(' && s[len - 1] == ')') {
		part->deref = true;
		len -= 2;
	}
	if (len == 0 || memchr(s, '(', len) || memchr(s, ')', len)) {
		say(why, size, "'%s' is not a path: each part is a name, and \"()\" may only end one "
		    "(last_error().__traceback__)", text);
		return false;
	}
	if (s[0] == '#') {
		char *end;
		if (!first) {
			say(why, size, "'%s': an address (#ID) can only start a path", text);
			return false;
		}
		part->kind = PART_ADDRESS;
		part->addr = (uintptr_t)strtoull(s + 1, &end, 10);
		if (len == 1 || end != s + len || s[1] < '0' || s[1] > '9') {
			say(why, size, "'%s': after # comes an object's id() in decimal (\"#\" .. py.eval(\"id(x)\"))",
			    text);
			return false;
		}
		return true;
	}
	part->kind = first ? PART_NAME : PART_ATTR;
	if (len >= 6 && strncmp(s, "local:", 6) == 0) {
		if (first || len == 6) {
			say(why, size, "'%s': local:NAME reads a frame's local, so it follows a frame "
			    "(err.__traceback__.tb_frame.local:buffer)", text);
			return false;
		}
		part->kind = PART_LOCAL;
		s += 6;
		len -= 6;
	}
	word = xmemdup(s, len);
	part->name = PyUnicode_InternFromString(word);
	free(word);
	if (part->name == NULL) {
		PyErr_Clear();
		say(why, size, "'%s': a part is not valid UTF-8", text);
		return false;
	}
	return true;
}

struct pypath *pypath_parse(const char *text, char *why, size_t size)
{
	struct pypath *p = xcalloc(1, sizeof *p);
	size_t len = strlen(text);

	p->text = xstrdup(text);
	if (len == 0) {
		say(why, size, "an empty name");
		pypath_free(p);
		return NULL;
	}
	for (size_t at = 0; at <= len;) {
		size_t n = strcspn(text + at, ".");
		struct part *part;
		p->parts = xrealloc(p->parts, (size_t)(p->n + 1) * sizeof *p->parts);
		part = &p->parts[p->n++];
		memset(part, 0, sizeof *part);
		part->end = at + n;
		if (!parse_part(part, text + at, n, p->n == 1, text, why, size)) {
			pypath_free(p);
			return NULL;
		}
		at += n + 1;
	}
	return p;
}

/* The name of a frame's function, for messages. */
static const char *frame_function(PyObject *frame)
{
	PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)frame);
	const char *name = PyUnicode_AsUTF8(code->co_name);

	Py_DECREF(code);   /* the frame keeps its code, and the code its name */
	if (name == NULL)
		PyErr_Clear();
	return name ? name : "?";
}

/* obj.name, as Python reads it. NULL and why when it cannot be read. */
static PyObject *get_attr(const struct pypath *p, int i, PyObject *obj, char *why, size_t size)
{
	const struct part *part = &p->parts[i];
	int prev = (int)p->parts[i - 1].end;
	PyObject *next;

	if (PyFrame_Check(obj) && PyUnicode_CompareWithASCIIString(part->name, "f_locals") == 0) {
		say(why, size, "%.*s.f_locals would make a dict on the frame, which changes what it keeps "
		    "alive: name one local as %.*s.local:NAME", prev, p->text, prev, p->text);
		return NULL;
	}
	next = PyObject_GetAttr(obj, part->name);
	if (next != NULL)
		return next;
	if (PyErr_ExceptionMatches(PyExc_AttributeError))
		say(why, size, "%.*s (a %s) has no attribute '%s'", prev, p->text, Py_TYPE(obj)->tp_name,
		    PyUnicode_AsUTF8(part->name));
	else   /* a property or __getattr__ of the lesson's that failed */
		say(why, size, "reading %.*s raised %s", (int)part->end, p->text,
		    ((PyTypeObject *)PyErr_Occurred())->tp_name);
	PyErr_Clear();
	return NULL;
}

enum pypath_found pypath_resolve(const struct pypath *p, PyObject *namespace, PyObject **out,
                                 char *why, size_t size)
{
	PyObject *obj = NULL, *next;
	enum pypath_found found = PYPATH_UNKNOWN;

	*out = NULL;
	for (int i = 0; i < p->n; i++) {
		const struct part *part = &p->parts[i];
		int prev = i > 0 ? (int)p->parts[i - 1].end : 0;

		if (obj == Py_None) {
			/* None along the way: what follows is not set, as with a dead weak reference. */
			say(why, size, "%.*s is None", prev, p->text);
			found = PYPATH_GONE;
			goto out;
		}
		switch (part->kind) {
		case PART_NAME:
			next = namespace ? PyDict_GetItemWithError(namespace, part->name) : NULL;
			PyErr_Clear();
			if (next == NULL) {
				say(why, size, "no name '%s' in the scenario's namespace", PyUnicode_AsUTF8(part->name));
				goto out;
			}
			Py_INCREF(next);
			break;
		case PART_ADDRESS:
			if (!pyintrospect_find_tracked(part->addr, &next)) {
				say(why, size, "no object the cycle collector tracks is at %.*s (collected, or never "
				    "a container)", (int)part->end, p->text);
				found = PYPATH_GONE;
				goto out;
			}
			Py_INCREF(next);
			break;
		case PART_ATTR:
			next = get_attr(p, i, obj, why, size);
			if (next == NULL)
				goto out;
			break;
		case PART_LOCAL:
			if (!PyFrame_Check(obj)) {
				say(why, size, "%.*s is a %s, not a frame: local:%s reads a frame's local", prev, p->text,
				    Py_TYPE(obj)->tp_name, PyUnicode_AsUTF8(part->name));
				goto out;
			}
			if (!pyintrospect_frame_local(obj, part->name, &next)) {
				say(why, size, "%.*s (the frame of %s()) has no local '%s'", prev, p->text,
				    frame_function(obj), PyUnicode_AsUTF8(part->name));
				goto out;
			}
			if (next == NULL) {
				say(why, size, "the local '%s' of %s() is unbound (the frame was cleared, or it is "
				    "not set yet)", PyUnicode_AsUTF8(part->name), frame_function(obj));
				found = PYPATH_GONE;
				goto out;
			}
			Py_INCREF(next);
			break;
		}
		Py_XDECREF(obj);
		obj = next;
		if (part->deref) {
			if (obj == Py_None) {
				/* A weak reference not made yet: nothing to follow, as when it is dead. */
				say(why, size, "%.*s is None", (int)part->end - 2, p->text);
				found = PYPATH_GONE;
				goto out;
			}
			if (!PyWeakref_Check(obj)) {
				say(why, size, "%.*s is a %s, not a weak reference: \"()\" follows one",
				    (int)part->end - 2, p->text, Py_TYPE(obj)->tp_name);
				goto out;
			}
			/* 3.13 deprecates the borrowed PyWeakref_GetObject (None when
			 * dead) for PyWeakref_GetRef (a new reference, NULL when dead). */
#if PY_VERSION_HEX >= 0x030D0000
			if (PyWeakref_GetRef(obj, &next) < 0)
				next = NULL;
#else
			next = PyWeakref_GetObject(obj);
			next = next == Py_None ? NULL : Py_NewRef(next);
#endif
			if (next == NULL) {
				say(why, size, "the weak reference %.*s is dead: its object is gone",
				    (int)part->end - 2, p->text);
				found = PYPATH_GONE;
				goto out;
			}
			Py_SETREF(obj, next);
		}
	}
	*out = obj;
	obj = NULL;
	found = PYPATH_FOUND;
out:
	Py_XDECREF(obj);
	PyErr_Clear();
	return found;
}
