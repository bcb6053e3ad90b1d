/* probe_source.c — hints from the program's own source, through the
 * embedded probe_source.py. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "probe_source.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_source_py.h"   /* probe_source_py: the helper's text (meson) */
#include "util.h"

static PyObject *helper;     /* the helper's namespace */
static char *stdlib_dir;     /* with a trailing slash */

/* Around every call: the collector held off, then as it was. */
static int hold_gc(void)
{
	return PyGC_Disable();
}

static void release_gc(int was_enabled)
{
	if (was_enabled)
		PyGC_Enable();
}

int probe_source_init(void)
{
	PyObject *out, *os, *file;
	int gc = hold_gc();

	helper = PyDict_New();
	if (helper)
		PyDict_SetItemString(helper, "__builtins__", PyEval_GetBuiltins());
	out = helper ? PyRun_String(probe_source_py, Py_file_input, helper, helper) : NULL;
	Py_XDECREF(out);
	os = PyImport_ImportModule("os");
	file = os ? PyObject_GetAttrString(os, "__file__") : NULL;
	if (file && PyUnicode_Check(file)) {
		char *dir = util_dirname(PyUnicode_AsUTF8(file));
		stdlib_dir = xasprintf("%s/", dir);
		free(dir);
	}
	Py_XDECREF(file);
	Py_XDECREF(os);
	if (out == NULL)
		Py_CLEAR(helper);
	PyErr_Clear();
	release_gc(gc);
	return helper ? 0 : -1;
}

bool probe_source_own(const char *path)
{
	return path[0] == '/' && !(stdlib_dir && strncmp(path, stdlib_dir, strlen(stdlib_dir)) == 0) &&
	       strstr(path, "/site-packages/") == NULL && strstr(path, "/dist-packages/") == NULL;
}

static struct probe_source_file *files;
static int n_files;

static void parse(struct probe_source_file *f)
{
	PyObject *fn = helper ? PyDict_GetItemString(helper, "read") : NULL;
	PyObject *out = fn ? PyObject_CallFunction(fn, "s", f->path) : NULL;
	PyObject *hints, *stores, *clauses;

	if (out == NULL || !PyTuple_Check(out) || !PyArg_ParseTuple(out, "O!O!O!", &PyList_Type, &hints,
	                                                          &PyList_Type, &stores,
	                                                          &PyList_Type, &clauses)) {
		PyErr_Clear();
		Py_XDECREF(out);
		return;
	}
	f->readable = true;
	f->hints = xcalloc((size_t)PyList_GET_SIZE(hints) + 1, sizeof *f->hints);
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(hints); i++) {
		struct probe_hint *h = &f->hints[f->n_hints];
		const char *kind, *text;
		if (!PyArg_ParseTuple(PyList_GET_ITEM(hints, i), "siis", &kind, &h->line,
		                      &h->other_line, &text)) {
			PyErr_Clear();
			continue;
		}
		h->instance = strcmp(kind, "instance") == 0;
		snprintf(h->text, sizeof h->text, "%s", text);
		f->n_hints++;
	}
	f->stores = xcalloc((size_t)PyList_GET_SIZE(stores) + 1, sizeof *f->stores);
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(stores); i++) {
		struct probe_store *st = &f->stores[f->n_stores];
		const char *text;
		if (!PyArg_ParseTuple(PyList_GET_ITEM(stores, i), "iis", &st->except_line,
		                      &st->store_line, &text)) {
			PyErr_Clear();
			continue;
		}
		snprintf(st->text, sizeof st->text, "%s", text);
		f->n_stores++;
	}
	f->clauses = xcalloc((size_t)PyList_GET_SIZE(clauses) + 1, sizeof *f->clauses);
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(clauses); i++) {
		struct probe_clause *c = &f->clauses[f->n_clauses];
		const char *names;
		if (!PyArg_ParseTuple(PyList_GET_ITEM(clauses, i), "iis", &c->first_line, &c->line,
		                      &names)) {
			PyErr_Clear();
			continue;
		}
		snprintf(c->names, sizeof c->names, "%s", names);
		f->n_clauses++;
	}
	Py_DECREF(out);
}

static struct probe_source_file *find(const char *path)
{
	for (int i = 0; i < n_files; i++)
		if (strcmp(files[i].path, path) == 0)
			return &files[i];
	return NULL;
}

const struct probe_source_file *probe_source_read(const char *path)
{
	struct probe_source_file f = { 0 }, *known = find(path);
	int gc;

	if (known || !probe_source_own(path))
		return known;
	f.path = xstrdup(path);
	gc = hold_gc();
	parse(&f);   /* the GIL may be let go meanwhile */
	release_gc(gc);
	if ((known = find(path)) != NULL) {
		free(f.path);
		free(f.hints);
		free(f.stores);
		free(f.clauses);
		return known;
	}
	files = xrealloc(files, (size_t)(n_files + 1) * sizeof *files);
	files[n_files] = f;
	return &files[n_files++];
}

bool probe_source_known(const char *path)
{
	return find(path) != NULL;
}

int probe_source_count(void)
{
	return n_files;
}

const struct probe_source_file *probe_source_at(int i)
{
	return &files[i];
}

const struct probe_store *probe_source_store(const char *path, int except_line)
{
	const struct probe_source_file *f = probe_source_read(path);

	for (int i = 0; f && i < f->n_stores; i++)
		if (f->stores[i].except_line == except_line)
			return &f->stores[i];
	return NULL;
}

/* Does the clause catch it? 1 yes, 0 no, -1 cannot tell. A class the file
 * knows (a builtin, its own) matches by name, as every base of the
 * exception's class is in mro; a name it cannot tell matches when it is
 * there, and else may be an alias or a tuple: no telling. */
static int clause_matches(const char *names, const char *mro)
{
	int verdict = 0;
	char copy[sizeof ((struct probe_clause *)0)->names], *save = NULL;

	snprintf(copy, sizeof copy, "%s", names);
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char word[sizeof copy + 2];
		bool unsure = t[0] == '?';
		if (strcmp(t, "*") == 0)
			return 1;
		snprintf(word, sizeof word, " %s ", unsure ? t + 1 : t);
		if (strcmp(word, "  ") != 0 && strstr(mro, word))
			return 1;
		if (unsure)
			verdict = -1;
	}
	return verdict;
}

int probe_source_clause(const char *path, int first_line, const char *mro, enum probe_catch *how)
{
	const struct probe_source_file *f = find(path);
	bool any = false;

	for (int i = 0; f && i < f->n_clauses; i++) {
		const struct probe_clause *c = &f->clauses[i];
		if (c->first_line != first_line)
			continue;
		any = true;
		if (c->line == 0) {
			*how = CATCH_NONE;   /* a finally */
			return 0;
		}
		if (strcmp(c->names, "with") == 0) {
			*how = CATCH_WITH;
			return c->line;
		}
		switch (clause_matches(c->names, mro)) {
		case 1:
			*how = CATCH_SURE;
			return c->line;
		case -1:
			*how = CATCH_UNSURE;
			return first_line;
		}
	}
	*how = any ? CATCH_NONE : CATCH_UNSURE;
	return any ? 0 : first_line;
}
