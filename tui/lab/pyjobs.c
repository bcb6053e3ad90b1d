/* pyjobs.c — what the lab asks of Python, one job at a time: the scenario's
 * namespace and the jobs that run in it (load, exec, eval, call, collect),
 * the live graph's roots, and the questions about objects (capture, why).
 * Objects are named by roots (pypath.h): a root that names nothing refuses
 * the job (PYRESULT_REFUSED), one whose object is gone does not. */
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
#include "pypath.h"
#include "pyprobes.h"
#include "pyvalue.h"
#include "util.h"

#define SAMPLE_EVERY 0.02   /* seconds between samples during a long CALL */
#define GRAPH_EVERY 0.25    /* seconds between graph captures during a long CALL */
#define GRAPH_DEPTH 100000  /* default walk depth for the live graph: chains are what it is for; the node limit bounds it */
#define GRAPH_NODES 20000   /* default node limit for the live graph */

static PyObject *namespace;          /* the scenario's module dict */
static PyObject *gc_collect;         /* gc.collect itself, looked up once */
/* What py.load needs to leave out `if __name__ == "__main__":` blocks. */
static PyObject *ast_if, *ast_compare, *ast_name, *ast_constant, *ast_eq, *ast_not_eq;
static PyObject *builtin_compile;
static char *scenario_dir;           /* on sys.path while the namespace lives */
static struct pypath **graph_roots; /* what the live graph starts from */
static int n_graph_roots;
static struct pypath *graph_highlight; /* the object the live graph points out */
static struct pygraph_limits graph_limits;

void pyjobs_init(void)
{
	PyObject *gc = PyImport_ImportModule("gc");

	PyObject *ast = PyImport_ImportModule("_ast"), *builtins = PyImport_ImportModule("builtins");

	gc_collect = gc ? PyObject_GetAttrString(gc, "collect") : NULL;
	Py_XDECREF(gc);
	if (ast) {
		ast_if = PyObject_GetAttrString(ast, "If");
		ast_compare = PyObject_GetAttrString(ast, "Compare");
		ast_name = PyObject_GetAttrString(ast, "Name");
		ast_constant = PyObject_GetAttrString(ast, "Constant");
		ast_eq = PyObject_GetAttrString(ast, "Eq");
		ast_not_eq = PyObject_GetAttrString(ast, "NotEq");
	}
	builtin_compile = builtins ? PyObject_GetAttrString(builtins, "compile") : NULL;
	Py_XDECREF(ast);
	Py_XDECREF(builtins);
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

/* A root the scenario names (pypath.h), for a job: NULL and the job refused
 * when it names nothing. */
static struct pypath *job_path(const char *text, struct pyresult *r)
{
	char why[sizeof r->err.msg];
	struct pypath *p = pypath_parse(text ? text : "", why, sizeof why);

	if (p == NULL) {
		r->status = PYRESULT_REFUSED;
		snprintf(r->err.msg, sizeof r->err.msg, "%s", why);
	}
	return p;
}

/* The object a root names now, as a new reference; NULL when it is gone or
 * names nothing (then, with r, the job is refused; with gone, it says why). */
static PyObject *job_resolve(const struct pypath *p, struct pyresult *r, char *gone, size_t size)
{
	char why[sizeof r->err.msg];
	PyObject *obj;

	switch (pypath_resolve(p, namespace, &obj, why, sizeof why)) {
	case PYPATH_UNKNOWN:
		if (r) {
			r->status = PYRESULT_REFUSED;
			snprintf(r->err.msg, sizeof r->err.msg, "%s", why);
		}
		break;
	case PYPATH_GONE:
		if (gone)
			snprintf(gone, size, "%s", why);
		break;
	case PYPATH_FOUND:
		break;
	}
	return obj;
}

static struct graph *capture_from(struct pypath *const *paths, int n, const struct pygraph_limits *lim)
{
	PyObject **roots = xcalloc((size_t)n, sizeof *roots);
	const char **names = xcalloc((size_t)n, sizeof *names);
	struct graph *g;

	for (int i = 0; i < n; i++) {
		roots[i] = job_resolve(paths[i], NULL, NULL, 0);
		names[i] = pypath_text(paths[i]);
	}
	g = pygraph_capture(roots, names, n, lim);
	for (int i = 0; i < n; i++)
		Py_XDECREF(roots[i]);
	free(roots);
	free(names);
	return g;
}

static struct graph *capture_live(void)
{
	struct graph *g;
	PyObject *mark;

	if (n_graph_roots == 0)
		return NULL;
	g = capture_from(graph_roots, n_graph_roots, &graph_limits);
	mark = graph_highlight ? job_resolve(graph_highlight, NULL, NULL, 0) : NULL;
	g->highlight = (uintptr_t)mark;   /* compared only, by address */
	Py_XDECREF(mark);
	return g;
}

static void free_roots(struct pypath **roots, int n, struct pypath *highlight)
{
	for (int i = 0; i < n; i++)
		pypath_free(roots[i]);
	free(roots);
	pypath_free(highlight);
}

static void clear_graph_roots(void)
{
	free_roots(graph_roots, n_graph_roots, graph_highlight);
	graph_roots = NULL;
	n_graph_roots = 0;
	graph_highlight = NULL;
}

static struct pygraph_limits job_limits(const struct pyjob *job, int depth, int nodes)
{
	return (struct pygraph_limits){
		.depth = job->graph_depth > 0 ? job->graph_depth : depth,
		.nodes = job->graph_nodes > 0 ? job->graph_nodes : nodes,
	};
}

/* The live graph's new roots, each checked now: a root that names nothing
 * refuses the job and leaves the graph as it was. */
static void job_graph_roots(const struct pyjob *job, struct pyresult *r)
{
	char *copy = xstrdup(job->code ? job->code : ""), *save = NULL;
	struct pypath **roots = NULL, *highlight = NULL;
	int n = 0;

	for (char *t = strtok_r(copy, "\n", &save); t && r->status == PYRESULT_OK;
	     t = strtok_r(NULL, "\n", &save)) {
		struct pypath *p = job_path(t, r);
		if (p) {
			roots = xrealloc(roots, (size_t)(n + 1) * sizeof *roots);
			roots[n++] = p;
			Py_XDECREF(job_resolve(p, r, NULL, 0));
		}
	}
	free(copy);
	if (job->highlight && r->status == PYRESULT_OK) {
		highlight = job_path(job->highlight, r);
		if (highlight)
			Py_XDECREF(job_resolve(highlight, r, NULL, 0));
	}
	if (r->status != PYRESULT_OK) {
		free_roots(roots, n, highlight);
		return;
	}
	clear_graph_roots();
	graph_roots = roots;
	n_graph_roots = n;
	graph_highlight = highlight;
	graph_limits = job_limits(job, GRAPH_DEPTH, GRAPH_NODES);
}

/* graph.capture: what the root reaches; no root node when it is gone. */
static void job_graph_query(const struct pyjob *job, struct pyresult *r)
{
	struct pypath *p = job_path(job->code, r);
	struct pygraph_limits lim = job_limits(job, GRAPH_DEPTH, 100000);
	PyObject *root = p ? job_resolve(p, r, NULL, 0) : NULL;
	const char *name = p ? pypath_text(p) : "";

	if (r->status == PYRESULT_OK) {
		r->query = pygraph_capture(&root, &name, 1, &lim);
		graph_compute_retained(r->query);
	}
	Py_XDECREF(root);
	pypath_free(p);
}

/* Reachable from the scenario's globals, but not once tracebacks are left out? */
static void job_only_through_tracebacks(const struct pyjob *job, struct pyresult *r)
{
	struct pypath *p = job_path(job->code, r);
	PyObject *target = p ? job_resolve(p, r, NULL, 0) : NULL;
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = 1 << 20 };
	const char *name = "globals";
	bool with = false, without = false;

	pypath_free(p);
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

/* value: a list of one string. */
static void one_line(struct pyresult *r, char *text)
{
	struct value *item = xcalloc(1, sizeof *item);

	item->kind = VALUE_STR;
	item->u.str.s = text;
	item->u.str.len = strlen(text);
	r->value.kind = VALUE_LIST;
	r->value.u.list.items = item;
	r->value.u.list.n = 1;
}

/* Why is the object alive? The shortest path to it from the scenario's
 * globals, one string per hop; or one string saying nothing there reaches
 * it, or that it is gone. The interface asks by address (job.addr): that
 * address is only compared, never dereferenced, for the object may be long
 * gone. */
static void job_why(const struct pyjob *job, struct pyresult *r)
{
	struct pypath *p = job->code ? job_path(job->code, r) : NULL;
	char gone[sizeof r->err.msg] = "";
	PyObject *named = p ? job_resolve(p, r, gone, sizeof gone) : NULL;
	uintptr_t addr = job->code ? (uintptr_t)named : job->addr;
	struct pygraph_limits lim = { .depth = 1 << 20, .nodes = 200000, .follow_classes = true };
	const char *name = "globals";
	struct graph *g;
	int target, path[64], len;
	struct value *items;

	pypath_free(p);
	Py_XDECREF(named);   /* only its address is used from here on */
	if (r->status != PYRESULT_OK)
		return;
	if (gone[0]) {
		one_line(r, xasprintf("gone: %s", gone));
		return;
	}
	g = pygraph_capture(&namespace, &name, 1, &lim);
	target = graph_find(g, addr);
	len = target >= 0 ? graph_path(g, 0, target, path, 64) : -1;
	if (len < 0) {
		one_line(r, xstrdup(g->limited
			? "not found among the objects the scenario's globals reach (the search was cut short)"
			: "nothing in the scenario's globals reaches it: only a reference cycle keeps it, "
			  "until the cyclic GC runs"));
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
	r->value.kind = VALUE_LIST;
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
	/* __main__, as python3 names a script: classes and tracebacks read as
	 * it prints them. py.load leaves the main blocks out (job_load). */
	name = PyUnicode_FromString("__main__");
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

/* Is node an AST node of this class whose field is this string? */
static bool ast_is(PyObject *node, PyObject *cls, const char *field, const char *text)
{
	PyObject *v;
	bool yes;

	if (cls == NULL || PyObject_IsInstance(node, cls) != 1)
		return false;
	v = PyObject_GetAttrString(node, field);
	yes = v && PyUnicode_Check(v) && PyUnicode_CompareWithASCIIString(v, text) == 0;
	Py_XDECREF(v);
	return yes;
}

/* A top-level `if __name__ == "__main__":` (or `!=`): the statements that
 * run when __name__ is not "__main__" (its else, or its body), as a new
 * reference; NULL for any other statement. */
static PyObject *main_guard_branch(PyObject *stmt)
{
	PyObject *test = NULL, *left = NULL, *ops = NULL, *rights = NULL, *branch = NULL;

	if (ast_if == NULL || PyObject_IsInstance(stmt, ast_if) != 1)
		goto out;
	test = PyObject_GetAttrString(stmt, "test");
	if (test == NULL || PyObject_IsInstance(test, ast_compare) != 1)
		goto out;
	left = PyObject_GetAttrString(test, "left");
	ops = PyObject_GetAttrString(test, "ops");
	rights = PyObject_GetAttrString(test, "comparators");
	if (left == NULL || ops == NULL || rights == NULL || !PyList_Check(ops) || !PyList_Check(rights) ||
	    PyList_GET_SIZE(ops) != 1 || PyList_GET_SIZE(rights) != 1)
		goto out;
	PyObject *right = PyList_GET_ITEM(rights, 0), *op = PyList_GET_ITEM(ops, 0);
	if (!(ast_is(left, ast_name, "id", "__name__") && ast_is(right, ast_constant, "value", "__main__")) &&
	    !(ast_is(left, ast_constant, "value", "__main__") && ast_is(right, ast_name, "id", "__name__")))
		goto out;
	if (PyObject_IsInstance(op, ast_eq) == 1)
		branch = PyObject_GetAttrString(stmt, "orelse");
	else if (PyObject_IsInstance(op, ast_not_eq) == 1)
		branch = PyObject_GetAttrString(stmt, "body");
out:
	Py_XDECREF(test);
	Py_XDECREF(left);
	Py_XDECREF(ops);
	Py_XDECREF(rights);
	PyErr_Clear();
	return branch;
}

/* The file run as python3 runs a script, named __main__ (so classes and
 * tracebacks read as python3 prints them), less its top-level `if __name__
 * == "__main__":` blocks (the lesson's own runner). Line numbers are the
 * file's: the tree is compiled as it was parsed. */
static void job_load(const struct pyjob *job, struct pyresult *r)
{
	char *source = read_source(job->path, r);
	PyCompilerFlags flags = { .cf_flags = PyCF_ONLY_AST, .cf_feature_version = PY_MINOR_VERSION };
	PyObject *file = NULL, *tree = NULL, *body = NULL, *kept = NULL, *code = NULL, *out = NULL;

	if (source == NULL)
		return;
	file = PyUnicode_FromString(job->path);
	if (file == NULL || PyDict_SetItemString(namespace, "__file__", file) < 0)
		goto fail;
	tree = Py_CompileStringExFlags(source, job->path, Py_file_input, &flags, -1);
	body = tree ? PyObject_GetAttrString(tree, "body") : NULL;
	kept = body && PyList_Check(body) ? PyList_New(0) : NULL;
	if (kept == NULL || builtin_compile == NULL)
		goto fail;
	for (Py_ssize_t i = 0; i < PyList_GET_SIZE(body); i++) {
		PyObject *stmt = PyList_GET_ITEM(body, i), *branch = main_guard_branch(stmt);
		Py_ssize_t n = PyList_GET_SIZE(kept);
		int rc = branch ? PyList_SetSlice(kept, n, n, branch) : PyList_Append(kept, stmt);
		Py_XDECREF(branch);
		if (rc < 0)
			goto fail;
	}
	if (PyObject_SetAttrString(tree, "body", kept) < 0)
		goto fail;
	code = PyObject_CallFunction(builtin_compile, "OOsii", tree, file, "exec", 0, 1);
	out = code ? PyEval_EvalCode(code, namespace, namespace) : NULL;
	if (out == NULL)
		goto fail;
	goto done;
fail:
	if (!PyErr_Occurred())
		PyErr_SetString(PyExc_SystemError, "exclab could not read the file's syntax tree");
	pyerror_take(r);
done:
	Py_XDECREF(out);
	Py_XDECREF(code);
	Py_XDECREF(kept);
	Py_XDECREF(body);
	Py_XDECREF(tree);
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
	labout_sample(&s, SAMPLE_PROGRESS, NULL, NULL);
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
		if (pyprobes_watch(namespace, job->code, r->err.msg, sizeof r->err.msg) < 0)
			r->status = PYRESULT_REFUSED;
		break;
	case PYJOB_SAMPLE: break;
	case PYJOB_GC:
		r->value.kind = VALUE_INT;
		r->value.u.i = gc_collect_now();
		break;
	case PYJOB_GRAPH_ROOTS: job_graph_roots(job, r); break;
	case PYJOB_GRAPH_QUERY: job_graph_query(job, r); break;
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
