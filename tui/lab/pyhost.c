/* pyhost.c — CPython on the lab's main thread: start-up, and the _exclab
 * module through which the interpreter talks back.
 *
 * Python runs on the main thread, as under plain python3: its own SIGINT
 * handler raises KeyboardInterrupt, and the guard (guard.h) sends SIGINT
 * when a job must stop. Whatever Python writes to sys.stdout and sys.stderr
 * goes to the interface as console lines (labout.h) while a job runs, and
 * each collection is counted (pyprobes.h). The jobs are in pyjobs.c. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>

#include "pyhost.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "labout.h"
#include "probe.h"
#include "pyerror.h"
#include "pyprobes.h"
#include "util.h"

#ifndef EXCLAB_PYTHON_EXE
#define EXCLAB_PYTHON_EXE ""
#endif


static struct pyhost_info info;

/* The partial line of each stream (1 and 2), cut at LAB_MAX_LINE bytes. */
static struct partial_line { char buf[LAB_MAX_LINE]; size_t len, dropped; } out_line[3];
static PyObject *key_generation, *key_collected;   /* gc.callbacks' info keys, interned */

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

void pyhost_flush_output(void)
{
	for (int s = 1; s <= 2; s++)
		if (out_line[s].len || out_line[s].dropped)
			emit_line(s);
}

/* ---- the _exclab module: stdout/stderr sink and the gc callback ---------- */

static PyObject *exclab_write(PyObject *self, PyObject *args)
{
	(void)self;
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
 * they found. The info dict is read with keys made once at start-up, so the
 * callback allocates nothing while a collection is reported. */
static PyObject *exclab_gc_event(PyObject *self, PyObject *args)
{
	PyObject *phase, *gcinfo, *gen, *collected;

	(void)self;
	if (!PyArg_ParseTuple(args, "OO", &phase, &gcinfo))
		return NULL;
	if (!PyUnicode_Check(phase) || PyUnicode_CompareWithASCIIString(phase, "stop") != 0)
		Py_RETURN_NONE;
	gen = PyDict_Check(gcinfo) && key_generation ? PyDict_GetItem(gcinfo, key_generation) : NULL;
	collected = PyDict_Check(gcinfo) && key_collected ? PyDict_GetItem(gcinfo, key_collected) : NULL;
	pyprobes_gc_event(gen && PyLong_Check(gen) ? (int)PyLong_AsLong(gen) : -1,
	                  collected && PyLong_Check(collected) ? PyLong_AsLong(collected) : -1);
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
	"stdlib_dir = os.path.dirname(os.__file__)\n";

static PyThreadState *idle_state;
static PyObject *bootstrap_globals;   /* the bootstrap's namespace */
/* The interpreter as it started, before exclab's own imports, and what
 * those added, kept alive (pyhost_forget_own_work). */
static PyObject *startup_modules, *startup_importers;   /* sets of names */
static PyObject *own_work;

void pyhost_idle_begin(void)
{
	pyhost_flush_output();
	idle_state = PyEval_SaveThread();
}

void pyhost_idle_end(void)
{
	PyEval_RestoreThread(idle_state);
	idle_state = NULL;
}

/* Take out of sys.NAME the entries added since `before` was taken; they
 * go to `kept`, since a dropped module would be cyclic garbage (its
 * functions refer to its dict) for the program's first collection. */
static void forget_new_entries(const char *name, PyObject *before, PyObject *kept)
{
	PyObject *dict = PySys_GetObject(name);   /* borrowed */
	PyObject *keys = dict && PyDict_Check(dict) && before && kept ? PyDict_Keys(dict) : NULL;

	for (Py_ssize_t i = 0; keys && i < PyList_GET_SIZE(keys); i++) {
		PyObject *key = PyList_GET_ITEM(keys, i);
		if (PySet_Contains(before, key) != 0)
			continue;
		if (PyList_Append(kept, PyDict_GetItem(dict, key)) < 0 || PyDict_DelItem(dict, key) < 0)
			break;
	}
	Py_XDECREF(keys);
	PyErr_Clear();
}

void pyhost_forget_own_work(void)
{
	if (own_work == NULL)
		own_work = PyList_New(0);
	forget_new_entries("modules", startup_modules, own_work);
	forget_new_entries("path_importer_cache", startup_importers, own_work);
	/* The program's first collection finds only the program's garbage. */
	PyGC_Collect();
}

void pyhost_drop_signals(void)
{
	if (PyErr_CheckSignals() < 0)
		PyErr_Clear();
}

void pyhost_gc_counts(int counts[3], long *found)
{
	pyprobes_gc_counts(counts, found);
}

int pyhost_start(bool program, struct error *err)
{
	PyPreConfig pre;
	PyConfig config;
	PyStatus status;
	PyObject *globals = NULL, *out = NULL, *gc = NULL;

	/* A user's program (exclab probe) gets python3's own configuration:
	 * its PYTHON* variables, site-packages, bytecode caches. */
	if (program)
		PyPreConfig_InitPythonConfig(&pre);
	else
		PyPreConfig_InitIsolatedConfig(&pre);
	status = Py_PreInitialize(&pre);
	if (PyStatus_Exception(status))
		goto status_fail;
	/* Before any object exists, so the hook sees every block it frees. */
	probe_install_allocator();

	if (program) {
		PyConfig_InitPythonConfig(&config);
		config.parse_argv = 0;
	} else {
		PyConfig_InitIsolatedConfig(&config);
		config.write_bytecode = 0;        /* no __pycache__ in lessons/ */
		config.site_import = 0;
	}
	config.install_signal_handlers = 1;   /* SIGINT is KeyboardInterrupt, as in python3 */
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
	startup_modules = PySet_New(PySys_GetObject("modules"));
	startup_importers = PySet_New(PySys_GetObject("path_importer_cache"));
	PyErr_Clear();

	globals = PyDict_New();
	if (globals)
		PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
	out = globals ? PyRun_String(bootstrap, Py_file_input, globals, globals) : NULL;
	if (out == NULL) {
		struct pyresult r = { 0 };
		pyerror_take(&r);
		error_set(err, NULL, 0, "Python start-up failed: %s", r.err.msg);
		Py_XDECREF(globals);
		return -1;
	}
	Py_DECREF(out);
	/* Lessons count collections; a program's gc.callbacks stay its own but
	 * for exclab probe's single entry (probe_watch.c). */
	out = program ? NULL : PyRun_String("gc.callbacks.append(_exclab.gc_event)\n",
	                                    Py_file_input, globals, globals);
	Py_XDECREF(out);
	PyErr_Clear();
	pyerror_set_stdlib(PyDict_GetItemString(globals, "stdlib_dir"));
	/* Kept for the lab's life: its class and functions refer back to it, so
	 * dropping it would leave a cycle for the first gc.collect() of a
	 * lesson or a probed program to find, which python3 never has. */
	bootstrap_globals = globals;
	key_generation = PyUnicode_InternFromString("generation");
	key_collected = PyUnicode_InternFromString("collected");
	pyjobs_init();

	gc = PyImport_ImportModule("gc");
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

void pyhost_version(char *buf, size_t size)
{
	/* Py_GetVersion is the loaded library's own string, "3.13.1 (main, ...",
	 * and may be called before Py_Initialize; PY_VERSION is the headers'. */
	char running[32] = "";

	sscanf(Py_GetVersion(), "%31s", running);
	if (strcmp(running, PY_VERSION) == 0)
		snprintf(buf, size, "%s", running);
	else
		snprintf(buf, size, "%s, built against %s", running, PY_VERSION);
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
