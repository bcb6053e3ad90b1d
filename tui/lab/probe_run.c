/* probe_run.c — the user's program as __main__, as python3 runs it.
 *
 * Mirrors CPython 3.11's Modules/main.c (pymain_run_python: sys.path[0],
 * pymain_run_file, pymain_run_module, pymain_err_print), Python/pythonrun.c
 * (_PyRun_SimpleFileObject, _Py_HandleSystemExit) and the start of
 * Py_FinalizeEx (wait_for_thread_shutdown, atexit, flush_std_files): the
 * program is run from C, so no frame of exclab's sits under its own. The
 * lab's interpreter was started with python3's configuration (pyhost.h). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "probe_run.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "guard.h"
#include "labout.h"
#include "labproto.h"
#include "probe.h"
#include "probe_watch.h"
#include "pyhost.h"
#include "util.h"

/* Py_RunMain's status when flushing sys.stdout fails at exit. */
#define STATUS_FLUSH_FAILED 120

int probe_request_read(struct wire_in *in, struct probe_request *req)
{
	memset(req, 0, sizeof *req);
	req->module = wire_get_u8(in);
	req->target = wire_get_str(in);
	req->nargs = wire_get_u32(in);
	if (req->nargs > in->left / 4) {
		req->nargs = 0;
		return -1;
	}
	req->args = xcalloc(req->nargs + 1, sizeof *req->args);
	for (uint32_t i = 0; i < req->nargs; i++)
		req->args[i] = wire_get_str(in);
	req->time_limit = wire_get_f64(in);
	req->heap_cap = (size_t)wire_get_u64(in);
	req->passthrough = wire_get_u8(in);
	return in->bad ? -1 : 0;
}

void probe_request_free(struct probe_request *req)
{
	for (uint32_t i = 0; req->args && i < req->nargs; i++)
		free(req->args[i]);
	free(req->args);
	free(req->target);
	memset(req, 0, sizeof *req);
}

/* ---- before: streams, sys.argv, sys.path[0] ----------------------------- */

/* As _Py_abspath: the working directory joined on, nothing normalised
 * ("./app.py" stays "/here/./app.py", as python3's __file__ shows). */
static char *abspath(const char *path)
{
	char cwd[4096];

	if (path[0] == '/' || getcwd(cwd, sizeof cwd) == NULL)
		return xstrdup(path);
	return xasprintf("%s/%s", cwd, path);
}

static int set_sys(const char *name, PyObject *value)
{
	int rc = value ? PySys_SetObject(name, value) : -1;

	Py_XDECREF(value);
	return rc;
}

/* The lab's own start-up pointed the streams at the interface; the
 * program gets the real ones when they are passed through, and a real
 * stdin always (/dev/null in the interactive view), as python3 has. */
static int set_streams(bool passthrough)
{
	PyObject *in = PySys_GetObject("__stdin__");

	if (PySys_SetObject("stdin", in ? in : Py_None) < 0)
		return -1;
	if (!passthrough)
		return 0;
	if (PySys_SetObject("stdout", PySys_GetObject("__stdout__")) < 0 ||
	    PySys_SetObject("stderr", PySys_GetObject("__stderr__")) < 0)
		return -1;
	return 0;
}

/* pymain_get_importer: a folder or a zip application (a path an importer
 * other than the plain one takes) runs its __main__ as a module, with
 * itself as sys.path[0]. */
static bool runs_as_folder(const char *target)
{
	char *abs = abspath(target);
	PyObject *path = PyUnicode_DecodeFSDefault(abs);
	PyObject *importer = path ? PyImport_GetImporter(path) : NULL;
	bool folder = importer != NULL && importer != Py_None;

	Py_XDECREF(importer);
	Py_XDECREF(path);
	free(abs);
	PyErr_Clear();
	return folder;
}

/* A list of argv[first..] with `head` (NULL for none) before them. */
static PyObject *arg_list(const struct probe_request *req, PyObject *head)
{
	PyObject *list = PyList_New(0);

	if (list == NULL || (head && PyList_Append(list, head) < 0))
		goto fail;
	if (req->module) {
		PyObject *m = PyUnicode_FromString("-m");
		if (m == NULL || PyList_Append(list, m) < 0) {
			Py_XDECREF(m);
			goto fail;
		}
		Py_DECREF(m);
	}
	for (uint32_t i = 0; i <= req->nargs; i++) {
		const char *arg = i == 0 ? req->target : req->args[i - 1];
		PyObject *a = PyUnicode_DecodeFSDefault(arg);
		if (a == NULL || PyList_Append(list, a) < 0) {
			Py_XDECREF(a);
			goto fail;
		}
		Py_DECREF(a);
	}
	return list;
fail:
	Py_XDECREF(list);
	return NULL;
}

/* sys.argv, sys.orig_argv and sys.path[0] as pymain sets them: a script's
 * real folder, a folder's or zip's own path, the working directory for -m.
 * python3's orig_argv starts with the command as typed; here it is the
 * interpreter's path, sys.executable. */
static int set_argv_path(const struct probe_request *req, bool folder)
{
	PyObject *argv, *orig, *path = PySys_GetObject("path"), *path0;
	char *dir;

	argv = arg_list(req, NULL);
	if (argv && req->module)   /* "-m NAME" is "-m" in sys.argv, as runpy will set it */
		PySequence_DelItem(argv, 1);
	if (set_sys("argv", argv) < 0)
		return -1;
	orig = arg_list(req, PySys_GetObject("executable"));
	if (set_sys("orig_argv", orig) < 0)
		return -1;
	if (req->module) {
		dir = abspath(".");
		dir[strlen(dir) - 2] = '\0';   /* "/here/." */
	} else if (folder) {
		dir = abspath(req->target);
	} else {
		char *real = realpath(req->target, NULL);
		dir = util_dirname(real ? real : req->target);
		free(real);
	}
	path0 = PyUnicode_DecodeFSDefault(dir);
	free(dir);
	if (path0 == NULL || path == NULL || !PyList_Check(path) || PyList_Insert(path, 0, path0) < 0) {
		Py_XDECREF(path0);
		return -1;
	}
	Py_DECREF(path0);
	return 0;
}

/* ---- os.fork ------------------------------------------------------------ */

/* python3 3.12+ warns, in the parent, when os.fork() forks a process with
 * more than one thread (/proc/self/stat): exclab's two threads end in a
 * `before` hook, registered first so that it runs last. 3.13 looks after
 * the parent's hooks have run, so the threads start again only once
 * os.fork() has returned: a pending call, which waits while the thread
 * that forked still runs Python code below its caller's frame (the
 * program's own hooks). Until then no limit is watched. */
static PyThreadState *fork_thread;
static PyObject *fork_caller;   /* only compared, never read */

static PyObject *fork_before(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	fork_thread = PyThreadState_Get();
	fork_caller = (PyObject *)PyEval_GetFrame();
	probe_watch_pause();
	guard_pause();
	Py_RETURN_NONE;
}

static int resume_after_fork(void *unused)
{
	(void)unused;
	if (PyThreadState_Get() == fork_thread && (PyObject *)PyEval_GetFrame() != fork_caller &&
	    Py_AddPendingCall(resume_after_fork, NULL) == 0)
		return 0;   /* still inside os.fork(): later */
	guard_resume();
	probe_watch_resume();
	return 0;
}

static PyObject *fork_after_in_parent(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	if (Py_AddPendingCall(resume_after_fork, NULL) < 0) {
		guard_resume();   /* the queue is full: now, warning or not */
		probe_watch_resume();
	}
	Py_RETURN_NONE;
}

static PyMethodDef fork_before_def = { "exclab_fork_before", fork_before, METH_NOARGS, NULL };
static PyMethodDef fork_parent_def = { "exclab_fork_parent", fork_after_in_parent, METH_NOARGS,
                                       NULL };

static void hook_fork(void)
{
	PyObject *os = PyImport_ImportModule("os");   /* imported by python3's start-up */
	PyObject *reg = os ? PyObject_GetAttrString(os, "register_at_fork") : NULL;
	PyObject *args = PyTuple_New(0);
	PyObject *before = PyCFunction_New(&fork_before_def, NULL);
	PyObject *parent = PyCFunction_New(&fork_parent_def, NULL);
	PyObject *kw = reg && args && before && parent ?
	               Py_BuildValue("{sOsO}", "before", before, "after_in_parent", parent) : NULL;

	Py_XDECREF(kw ? PyObject_Call(reg, args, kw) : NULL);
	PyErr_Clear();
	Py_XDECREF(kw);
	Py_XDECREF(parent);
	Py_XDECREF(before);
	Py_XDECREF(args);
	Py_XDECREF(reg);
	Py_XDECREF(os);
}

/* ---- the run ------------------------------------------------------------ */

/* _Py_HandleSystemExit: the status SystemExit asks for, its message
 * printed when it is not a number. */
static int system_exit_status(void)
{
	PyObject *type, *value, *tb, *code;
	int status = 0;

	PyErr_Fetch(&type, &value, &tb);
	Py_XDECREF(type);
	Py_XDECREF(tb);
	fflush(stdout);
	if (value && PyExceptionInstance_Check(value)) {
		code = PyObject_GetAttrString(value, "code");
		if (code) {
			Py_SETREF(value, code);
		}
	}
	if (value == NULL || value == Py_None) {
		status = 0;
	} else if (PyLong_Check(value)) {
		status = (int)PyLong_AsLong(value);
	} else {
		PyObject *err = PySys_GetObject("stderr");
		PyErr_Clear();
		if (err && err != Py_None) {
			PyFile_WriteObject(value, err, Py_PRINT_RAW);
		} else {
			PyObject_Print(value, stderr, Py_PRINT_RAW);
			fflush(stderr);
		}
		PySys_WriteStderr("\n");
		status = 1;
	}
	Py_XDECREF(value);
	PyErr_Clear();
	return status;
}

/* pymain_err_print: a SystemExit's status, or the exception printed by
 * sys.excepthook (sys.last_* set, as python3 sets them) and status 1. */
static int program_error(bool *interrupted)
{
	if (PyErr_ExceptionMatches(PyExc_SystemExit))
		return system_exit_status();
	/* The exact class, as ceval's _Py_UnhandledKeyboardInterrupt is set. */
	*interrupted = PyErr_Occurred() == PyExc_KeyboardInterrupt;
	PyErr_Print();
	return 1;
}

static void flush_io(void)
{
	const char *names[] = { "stderr", "stdout" };
	PyObject *type, *value, *tb;

	PyErr_Fetch(&type, &value, &tb);
	for (int i = 0; i < 2; i++) {
		PyObject *f = PySys_GetObject(names[i]);
		if (f && f != Py_None)
			Py_XDECREF(PyObject_CallMethod(f, "flush", NULL));
		PyErr_Clear();
	}
	PyErr_Restore(type, value, tb);
}

/* __main__.__loader__, as set_main_loader gives it: from the frozen
 * module python3 starts with, so that nothing new is imported. */
static void set_loader(PyObject *globals, PyObject *file)
{
	PyObject *ext = PyImport_ImportModule("_frozen_importlib_external");
	PyObject *cls = ext ? PyObject_GetAttrString(ext, "SourceFileLoader") : NULL;
	PyObject *loader = cls ? PyObject_CallFunction(cls, "sO", "__main__", file) : NULL;

	if (loader)
		PyDict_SetItemString(globals, "__loader__", loader);
	PyErr_Clear();
	Py_XDECREF(loader);
	Py_XDECREF(cls);
	Py_XDECREF(ext);
}

/* _PyRun_SimpleFileObject, with errors left to the caller. NULL on error. */
static PyObject *run_file(const char *target, int *status)
{
	PyCompilerFlags cf = _PyCompilerFlags_INIT;
	char *abs = abspath(target);
	PyObject *main = PyImport_AddModule("__main__"), *globals, *file, *out = NULL;
	FILE *fp = fopen(target, "rb");
	int saved = errno;

	file = PyUnicode_DecodeFSDefault(abs);
	if (fp == NULL) {
		PySys_FormatStderr("exclab probe: can't open file %R: [Errno %d] %s\n", file, saved,
		                   strerror(saved));
		*status = 2;
		Py_XDECREF(file);
		free(abs);
		return Py_NewRef(Py_None);
	}
	globals = main ? PyModule_GetDict(main) : NULL;
	if (globals == NULL || file == NULL || PyDict_SetItemString(globals, "__file__", file) < 0 ||
	    PyDict_SetItemString(globals, "__cached__", Py_None) < 0) {
		fclose(fp);
		goto out;
	}
	/* pymain asks for the script's importer first (a zip file could run
	 * as a folder), which leaves it in sys.path_importer_cache. */
	Py_XDECREF(PyImport_GetImporter(file));
	PyErr_Clear();
	set_loader(globals, file);
	out = PyRun_FileExFlags(fp, abs, Py_file_input, globals, globals, 1, &cf);
	flush_io();
	/* python3 takes them away before finalising: atexit sees them gone. */
	if (PyDict_DelItemString(globals, "__file__") < 0 || PyDict_DelItemString(globals, "__cached__") < 0) {
		PyObject *type, *value, *tb;
		PyErr_Fetch(&type, &value, &tb);
		PyErr_Clear();
		PyErr_Restore(type, value, tb);
	}
out:
	Py_XDECREF(file);
	free(abs);
	return out;
}

/* pymain_run_module: runpy._run_module_as_main(name, alter_argv). */
static PyObject *run_module(const char *name, bool alter_argv)
{
	PyObject *runpy = PyImport_ImportModule("runpy");
	PyObject *fn = runpy ? PyObject_GetAttrString(runpy, "_run_module_as_main") : NULL;
	PyObject *out = fn ? PyObject_CallFunction(fn, "sO", name, alter_argv ? Py_True : Py_False) : NULL;

	Py_XDECREF(fn);
	Py_XDECREF(runpy);
	return out;
}

/* Py_FinalizeEx up to where the interpreter itself goes: wait for the
 * non-daemon threads, run atexit, flush. false when sys.stdout could not
 * be flushed. */
static bool finish_as_python(void)
{
	PyObject *name = PyUnicode_InternFromString("threading");
	PyObject *threading = name ? PyImport_GetModule(name) : NULL;
	PyObject *atexit, *out, *err;
	bool flushed = true;

	Py_XDECREF(name);
	PyErr_Clear();
	if (threading) {   /* only when the program imported it */
		PyObject *r = PyObject_CallMethod(threading, "_shutdown", NULL);
		if (r == NULL)
			PyErr_WriteUnraisable(threading);
		Py_XDECREF(r);
		Py_DECREF(threading);
	}
	atexit = PyImport_ImportModule("atexit");
	if (atexit)
		Py_XDECREF(PyObject_CallMethod(atexit, "_run_exitfuncs", NULL));
	Py_XDECREF(atexit);
	PyErr_Clear();
	out = PySys_GetObject("stdout");
	if (out && out != Py_None) {
		PyObject *r = PyObject_CallMethod(out, "flush", NULL);
		if (r == NULL) {
			PyErr_WriteUnraisable(out);
			flushed = false;
		}
		Py_XDECREF(r);
	}
	err = PySys_GetObject("stderr");
	if (err && err != Py_None)
		Py_XDECREF(PyObject_CallMethod(err, "flush", NULL));
	PyErr_Clear();
	return flushed;
}

static void send_program(const struct probe_request *req)
{
	struct wire_out *w = labout_begin(LAB_PROGRAM);
	size_t len = strlen(req->target) + 8;
	char *what;

	for (uint32_t i = 0; i < req->nargs; i++)
		len += strlen(req->args[i]) + 1;
	what = xmalloc(len);
	snprintf(what, len, "%s%s", req->module ? "-m " : "", req->target);
	for (uint32_t i = 0; i < req->nargs; i++) {
		strcat(what, " ");
		strcat(what, req->args[i]);
	}
	wire_str(w, what);
	wire_str(w, req->passthrough ? "" : "/dev/null");
	labout_end(w);
	free(what);
}

/* Why the program must stop: the guard's reason, or the heap cap the
 * program reached before the guard looked (its MemoryError is ours). */
static enum stop_reason stop_reason(void)
{
	enum stop_reason why = guard_reason();

	return why == STOP_NONE && probe_heap_cap_hit() ? STOP_MEMCAP : why;
}

/* Why exclab stopped the program, or "" when it was not stopped. */
static void stop_message(enum stop_reason why, double limit, char *buf, size_t size)
{
	switch (why) {
	case STOP_TIMEOUT:
		snprintf(buf, size, "stopped: the program ran past its time limit of %g s (--time-limit)",
		         limit);
		break;
	case STOP_MEMCAP:
		snprintf(buf, size, "stopped: the program's Python heap reached its cap of %.0f MB "
		         "(--mem-limit MB raises it)", (double)probe_heap_cap() / 1e6);
		break;
	case STOP_RSS:
		snprintf(buf, size, "stopped: the program's resident memory reached its limit of "
		         "%.0f MB (memory outside the Python heap: mmap, or a C extension?)",
		         (double)guard_rss_cap() / 1e6);
		break;
	default:
		buf[0] = '\0';
		break;
	}
}

void probe_run(const struct probe_request *req, struct wire_conn *conn)
{
	struct program_end end = { .kind = PROGRAM_EXITED };
	char limit_text[96];
	bool interrupted = false, flushed = true, folder;
	int status = 0;
	enum stop_reason why;
	PyObject *out = NULL;
	struct wire_out *w;

	send_program(req);
	if (req->time_limit > 0)
		snprintf(limit_text, sizeof limit_text, "its time limit of %g s", req->time_limit);
	else
		snprintf(limit_text, sizeof limit_text, "no time limit");
	labout_busy(BUSY_PROGRAM, req->time_limit, req->target, limit_text);
	folder = !req->module && runs_as_folder(req->target);
	if (set_streams(req->passthrough) < 0 || set_argv_path(req, folder) < 0) {
		PyErr_Print();
		status = 1;
		goto done;
	}
	hook_fork();
	probe_watch_start(req->module || folder ? NULL : req->target, conn);
	guard_begin(BUSY_PROGRAM, req->time_limit, limit_text);
	if (req->module)
		out = run_module(req->target, true);
	else if (folder)
		out = run_module("__main__", false);
	else
		out = run_file(req->target, &status);
	why = stop_reason();
	if (out == NULL && why != STOP_NONE && why != STOP_LEARNER)
		PyErr_Clear();   /* exclab's own interrupt: the limit says why */
	else if (out == NULL)
		status = program_error(&interrupted);
	Py_XDECREF(out);
	if (labout_forked()) {
		/* The program forked and this child came back: it ends here, as
		 * python3's child would after finalising. */
		finish_as_python();
		_exit(status & 0xFF);
	}
	why = stop_reason();
	if (why == STOP_NONE || why == STOP_LEARNER) {
		flushed = finish_as_python();
		guard_end();
	} else {
		/* A limit stopped it: its threads and exit handlers run no further. */
		guard_end();
		flush_io();
		PyErr_Clear();
	}
	why = stop_reason();
	probe_watch_stop(why == STOP_NONE || why == STOP_LEARNER);
	stop_message(why == STOP_LEARNER ? STOP_NONE : why, req->time_limit, end.message,
	             sizeof end.message);
done:
	pyhost_flush_output();
	pyhost_drop_signals();
	if (end.message[0]) {
		end.kind = PROGRAM_STOPPED;
		end.code = 0;
	} else if (interrupted) {
		end.kind = PROGRAM_SIGNAL;
		end.code = SIGINT;
	} else {
		end.code = flushed ? status & 0xFF : STATUS_FLUSH_FAILED;
	}
	w = labout_begin(LAB_EXITED);
	labproto_put_end(w, &end);
	labout_end(w);
}

void probe_finish(void)
{
	/* Python's own finalisation clears the modules, runs what finalizers
	 * are left and flushes files a program never closed, as at the end of
	 * python3; the program's threads and atexit ran already. */
	_exit(Py_FinalizeEx() < 0 ? STATUS_FLUSH_FAILED : 0);
}
