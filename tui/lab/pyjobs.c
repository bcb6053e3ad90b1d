/* pyjobs.c — what the lab asks of Python, one job at a time: the scenario's
 * namespace and the jobs that run in it (load, exec, eval, call, collect),
 * the live graph's roots, and the questions about objects (capture, why). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "pyhost.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "guard.h"
#include "labout.h"
#include "probe.h"
#include "pyerror.h"
#include "pygraph.h"
#include "pyprobes.h"
#include "pyvalue.h"
#include "util.h"

#define SAMPLE_EVERY 0.02   /* seconds between samples during a long CALL */
#define GRAPH_EVERY 0.25    /* seconds between graph captures during a long CALL */
#define GRAPH_DEPTH 100000  /* default walk depth for the live graph: chains are what it is for; the node limit bounds it */
#define GRAPH_NODES 20000   /* default node limit for the live graph */

static PyObject *namespace;          /* the scenario's module dict */
static PyObject *gc_collect;         /* gc.collect itself, looked up once */
static char *scenario_dir;           /* on sys.path while the namespace lives */
static char **graph_roots;           /* names the live graph starts from */
static int n_graph_roots;
static char *graph_highlight;        /* the object the live graph points out */
static struct pygraph_limits graph_limits;

void pyjobs_init(void)
{
	PyObject *gc = PyImport_ImportModule("gc");

	gc_collect = gc ? PyObject_GetAttrString(gc, "collect") : NULL;
	Py_XDECREF(gc);
	PyErr_Clear();
}

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
	pyprobes_reset();
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
		Py_XDECREF(PyObject_CallMethod(gc, "set_threshold", "iii", pyhost_info()->gc_threshold[0],
		                               pyhost_info()->gc_threshold[1], pyhost_info()->gc_threshold[2]));
		if (garbage && PyList_Check(garbage))
			PyList_SetSlice(garbage, 0, PyList_GET_SIZE(garbage), NULL);
		Py_XDECREF(garbage);
		Py_DECREF(gc);
	}
	PyErr_Clear();
	gc_collect_now();
	probe_clear_heap_cap_hit();

	namespace = PyDict_New();
	name = PyUnicode_FromString("__exclab__");
	if (namespace == NULL || name == NULL ||
	    PyDict_SetItemString(namespace, "__name__", name) < 0 ||
	    PyDict_SetItemString(namespace, "__builtins__", builtins) < 0) {
		Py_XDECREF(name);
		pyerror_take(r);
		return;
	}
	Py_DECREF(name);
	if (job->path && job->path[0]) {
		PyObject *dir = PyUnicode_FromString(job->path);
		scenario_dir = xstrdup(job->path);
		if (dir == NULL || sys_path == NULL || PyList_Insert(sys_path, 0, dir) < 0)
			pyerror_take(r);
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
		pyerror_take(r);
		return;
	}
	out = PyEval_EvalCode(code, namespace, namespace);
	Py_DECREF(code);
	if (out == NULL) {
		pyerror_take(r);
		return;
	}
	if (start == Py_eval_input)
		pyvalue_to_lua(out, &r->value);
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
		pyerror_take(r);
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
		pyerror_take(r);
	Py_XDECREF(code);
	free(source);
}

/* During a long CALL: the probes, and now and then the live graph. */
static void send_progress(void)
{
	static double last_graph;
	struct probe_sample s;
	struct graph *g = NULL;

	pyprobes_sample(namespace, &s);
	labout_sample(&s, false);
	if (util_now() - last_graph >= GRAPH_EVERY) {
		g = capture_live();
		last_graph = util_now();
	}
	if (g)
		labout_graph(g);
	graph_free(g);
}

/* A paced call waits for the time its next call is due: the GIL is let go
 * meanwhile, and Ctrl-C or a limit stops the wait as it stops Python.
 * -1 when a signal handler raised. */
static int pace_until(double due)
{
	for (;;) {
		double left = due - util_now();
		struct timespec ts;

		if (left <= 0 || guard_reason() != STOP_NONE)
			return 0;
		left = left < SAMPLE_EVERY ? left : SAMPLE_EVERY;
		ts.tv_sec = 0;
		ts.tv_nsec = (long)(left * 1e9);
		Py_BEGIN_ALLOW_THREADS
		nanosleep(&ts, NULL);
		Py_END_ALLOW_THREADS
		if (PyErr_CheckSignals() < 0)
			return -1;
	}
}

static void job_call(const struct pyjob *job, struct pyresult *r)
{
	PyObject *fn = resolve_dotted(job->code ? job->code : "");
	PyObject *args = NULL, *out = NULL;
	double last_sample = util_now(), started = last_sample;

	if (fn == NULL)
		goto fail;
	if (!PyCallable_Check(fn)) {
		PyErr_Format(PyExc_TypeError, "'%s' is a %s, not something to call",
		             job->code, Py_TYPE(fn)->tp_name);
		goto fail;
	}
	args = PyTuple_New((Py_ssize_t)job->nargs);
	for (size_t i = 0; args && i < job->nargs; i++) {
		PyObject *a = pyvalue_from(&job->args[i]);
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
		/* Paced: every call shows on the gauges, then the wait for the next. */
		if (job->pace > 0 && i + 1 < job->times) {
			send_progress();
			last_sample = util_now();
			if (pace_until(started + (double)(i + 1) / job->pace) < 0) {
				Py_CLEAR(out);
				goto fail;
			}
			continue;
		}
		if (util_now() - last_sample >= SAMPLE_EVERY) {
			send_progress();
			last_sample = util_now();
		}
	}
	pyvalue_to_lua(out, &r->value);
	Py_XDECREF(out);
	Py_DECREF(args);
	Py_DECREF(fn);
	return;
fail:
	pyerror_take(r);
	Py_XDECREF(args);
	Py_XDECREF(fn);
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
	pyprobes_new_job();
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
	case PYJOB_WATCH:
		if (pyprobes_watch(job->code) < 0)
			pyerror_take(r);
		break;
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
	pyhost_flush_output();

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
	pyprobes_sample(namespace, &r->sample);
	r->graph = capture_live();
	guard_keep_sigint();
}
