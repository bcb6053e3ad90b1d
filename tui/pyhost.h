/* pyhost.h — the Python host: CPython on a thread of its own.
 *
 * The interpreter is started, used and finalised on one worker thread, so the
 * interface stays live while Python runs a long loop. The main thread submits
 * one job at a time and polls for its result; it never calls Py* itself.
 *
 * Start-up is isolated (PyPreConfig/PyConfig isolated: the user's PYTHON*
 * variables do not reach lessons). Each scenario run gets a fresh module
 * namespace (pyhost_reset). A Python error becomes a struct error with file and
 * line; the exception is dropped (its traceback cleared first) so nothing pins
 * its frames, and sys.last_exc is never set. */
#ifndef EXCLAB_PYHOST_H
#define EXCLAB_PYHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "graph.h"
#include "probe.h"
#include "util.h"
#include "value.h"

enum pyjob_kind {
	PYJOB_RESET,  /* drop the namespace, collect, start a fresh one in `dir` */
	PYJOB_LOAD,   /* run the file `path` in the namespace */
	PYJOB_EXEC,   /* run the statements `code` (error locations name `origin`) */
	PYJOB_EVAL,   /* evaluate the expression `code`, result in pyresult.value */
	PYJOB_CALL,   /* call dotted name `code` `times` times with `args` */
	PYJOB_WATCH,  /* follow dotted name `code` for the chain/frames probes ("" stops) */
	PYJOB_GC,     /* gc.collect(); pyresult.value = objects found unreachable */
	PYJOB_GRAPH_ROOTS, /* draw the graph from the roots in `code` (one per line) after every job */
	PYJOB_GRAPH_QUERY, /* capture the graph from root `code` into pyresult.query */
	PYJOB_ONLY_TB,     /* value: is `code` reachable from the namespace, but only through tracebacks? */
	PYJOB_WHY,         /* value: the path from the namespace to `code` (a root name, or an address in decimal) */
	PYJOB_COMPILE,     /* compile the file `path` without running it (errors with file and line) */
};

struct pyjob {
	enum pyjob_kind kind;
	const char *path;        /* LOAD: file; RESET: directory added to sys.path */
	const char *code;        /* EXEC/EVAL: source; CALL/WATCH: dotted name */
	const char *origin;      /* EXEC/EVAL: "file:line" shown in errors */
	long times;              /* CALL: how many calls (>= 1) */
	const struct value *args;/* CALL: positional arguments */
	size_t nargs;
	double time_limit;       /* seconds before the job is interrupted; 0: none */
	int graph_depth;         /* GRAPH_*: how deep to walk (0: default) */
	int graph_nodes;         /* GRAPH_*: how many nodes at most (0: default) */
	const char *highlight;   /* GRAPH_ROOTS: the object to point out, or NULL */
};

enum pyresult_status {
	PYRESULT_OK,
	PYRESULT_ERROR,      /* a Python exception or syntax error: see err */
	PYRESULT_INTERRUPTED,/* stopped by the learner (Ctrl-C or a key) */
	PYRESULT_TIMEOUT,    /* ran past job.time_limit */
	PYRESULT_MEMCAP,     /* the Python heap reached its cap */
};

struct pyresult {
	enum pyresult_status status;
	struct value value;        /* EVAL/CALL: the (last) result */
	struct error err;          /* status != OK: what and where */
	char *traceback;           /* ERROR: the formatted Python traceback, or NULL */
	struct probe_sample sample;/* all probes, read on the Python thread after the job */
	struct graph *graph;       /* the graph of the shown roots after the job, or NULL; owned */
	struct graph *query;       /* GRAPH_QUERY: the captured graph; owned */
	double seconds;            /* how long the job ran */
};

void pyresult_free(struct pyresult *r);

/* Kinds of output that arrive from the Python thread while jobs run. */
enum pyevent_kind {
	PYEVENT_STDOUT,   /* text written to sys.stdout (a whole line, no '\n') */
	PYEVENT_STDERR,   /* text written to sys.stderr */
	PYEVENT_GC,       /* a collection finished: generation, collected */
	PYEVENT_SAMPLE,   /* probes read during a long CALL */
};

struct pyevent {
	enum pyevent_kind kind;
	char *text;                 /* STDOUT/STDERR */
	int generation;             /* GC */
	long collected;             /* GC */
	double t;                   /* GC */
	struct probe_sample sample; /* SAMPLE */
	struct graph *graph;        /* SAMPLE: the shown roots' graph, or NULL; the receiver owns it */
};

struct pyhost_info {
	char version[32];          /* "3.11.2" */
	int major, minor, micro;
	int gc_threshold[3];
};

/* Start the worker thread and the interpreter; blocks until it is ready. */
int pyhost_start(struct error *err);
/* Finalise the interpreter and join the thread. Safe to call if never started. */
void pyhost_stop(void);
const struct pyhost_info *pyhost_info(void);

/* Hand a job to the Python thread (its strings are copied). -1 if one is running. */
int pyhost_submit(const struct pyjob *job);
bool pyhost_busy(void);
/* When the current job has finished: move its result into *out and return true. */
bool pyhost_poll(struct pyresult *out);
/* Block until the current job finishes (headless convenience). */
void pyhost_wait(struct pyresult *out);
/* Next event from the Python thread, in the order produced; false when none.
 * The caller frees ev->text and ev->graph. Drain events before reading the
 * job's result. */
bool pyhost_next_event(struct pyevent *ev);

/* Stop the running job: KeyboardInterrupt is raised in the Python thread, and
 * raised again until the job ends, so `except BaseException: pass` cannot keep
 * it alive. The result's status tells why. No effect when idle. A watchdog
 * thread does the same by itself when a job outlives its time_limit or hits
 * the heap cap (even if the script caught the MemoryError). */
void pyhost_interrupt(enum pyresult_status why);

#endif
