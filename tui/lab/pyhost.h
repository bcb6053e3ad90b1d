/* pyhost.h — the Python host: CPython on the lab's main thread.
 *
 * The lab (lab.h) starts the interpreter and runs one job at a time; a job
 * returns when it is done or stopped (guard.h decides when it must stop).
 * Start-up is isolated (PyPreConfig/PyConfig isolated: the user's PYTHON*
 * variables do not reach lessons). Each scenario run gets a fresh module
 * namespace (PYJOB_RESET). A Python error becomes a struct error with file and
 * line, and the exception is dropped: its traceback is left as it is (a
 * scenario that still holds the exception must not see it change), and
 * sys.last_exc is never set, so once the scenario lets go nothing pins its
 * frames. Output and collections go to the interface as the job runs
 * (labout.h). */
#ifndef EXCLAB_PYHOST_H
#define EXCLAB_PYHOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "sample.h"
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
	PYJOB_GRAPH_ROOTS, /* draw the graph from the roots in `code` (one per line, pypath.h) after every job */
	PYJOB_GRAPH_QUERY, /* capture the graph from root `code` into pyresult.query */
	PYJOB_ONLY_TB,     /* value: is `code` reachable from the namespace, but only through tracebacks? */
	PYJOB_WHY,         /* value: the path from the namespace to the root `code`, or to `addr` when code is NULL */
	PYJOB_COMPILE,     /* compile the file `path` without running it (errors with file and line) */
	PYJOB_SAMPLE,      /* nothing but the reading every job ends with (a step's first) */
};

/* A job, as a view: its strings and values belong to whoever asks (the Lua
 * host keeps them until its next request) and are only read here. */
struct pyjob {
	enum pyjob_kind kind;
	const char *path;        /* LOAD: file; RESET: directory added to sys.path */
	const char *code;        /* EXEC/EVAL: source; CALL/WATCH: dotted name */
	const char *origin;      /* EXEC/EVAL: "file:line" shown in errors */
	long times;              /* CALL: how many calls (>= 1) */
	double pace;             /* CALL: calls a second at most, so growth can be watched; 0: full speed */
	const struct value *args;/* CALL: positional arguments */
	size_t nargs;
	double time_limit;       /* seconds before the job is interrupted; 0: none */
	int graph_depth;         /* GRAPH_*: how deep to walk (0: default) */
	int graph_nodes;         /* GRAPH_*: how many nodes at most (0: default) */
	const char *highlight;   /* GRAPH_ROOTS: the object to point out, or NULL */
	uintptr_t addr;          /* WHY: the object the interface asks about (compared, never read) */
	const char *label;       /* what the scenario asked, for the report ("py.call raise_shared"), or NULL */
	const char *where;       /* the scenario's line that asked ("scenario.lua:12"), or NULL */
};

enum pyresult_status {
	PYRESULT_OK,
	PYRESULT_ERROR,      /* a Python exception or syntax error: see err */
	PYRESULT_INTERRUPTED,/* stopped by the learner (Ctrl-C or a key) */
	PYRESULT_TIMEOUT,    /* ran past job.time_limit */
	PYRESULT_MEMCAP,     /* the Python heap reached its cap */
	PYRESULT_REFUSED,    /* the job names nothing to work on (a root or watch path that names
	                      * nothing): err.msg says which part; a scenario error, not Python's */
};

struct pyresult {
	enum pyresult_status status;
	struct value value;        /* EVAL/CALL: the (last) result */
	struct error err;          /* status != OK: what and where */
	char *traceback;           /* ERROR: the formatted Python traceback, or NULL */
	struct probe_sample sample;/* all probes, read after the job */
	struct graph *graph;       /* the graph of the shown roots after the job, or NULL; owned */
	struct graph *query;       /* GRAPH_QUERY: the captured graph; owned */
};

void pyresult_free(struct pyresult *r);

struct pyhost_info {
	char version[32];          /* "3.11.2" */
	int major, minor, micro;
	int gc_threshold[3];
};

/* Start the interpreter on this thread, with Python's own signal handlers:
 * isolated for lessons, or configured as python3 is for a user's program
 * (exclab probe). */
int pyhost_start(bool program, struct error *err);
const struct pyhost_info *pyhost_info(void);
/* "3.13.1", or "3.13.1, built against 3.13.0" when the libpython loaded is
 * not the version of the headers; needs no interpreter (lab.h). */
void pyhost_version(char *buf, size_t size);

/* Run one job to its end; the result says how it ended (pyjobs.c). */
void pyhost_run(const struct pyjob *job, struct pyresult *out);
/* Send what Python wrote without a newline yet. */
void pyhost_flush_output(void);
/* Look up what the jobs need once the interpreter runs (pyjobs.c). */
void pyjobs_init(void);
/* Collections during the last job: per generation, and the unreachable
 * objects they found. */
void pyhost_gc_counts(int counts[3], long *found);
/* Between commands the lab waits for the interface: let the scenario's own
 * Python threads run meanwhile (they need the GIL the main thread holds). */
void pyhost_idle_begin(void);
void pyhost_idle_end(void);
/* Undo what exclab's own set-up did to the interpreter since it started,
 * so that a program runs as under python3: the modules it imported leave
 * sys.modules (they live on in exclab's references, unseen by the
 * program), and the garbage it made is collected. Before any gc.callbacks
 * entry of exclab's. Allocations still differ: the program's automatic
 * collections may come a few dozen allocations earlier or later. */
void pyhost_forget_own_work(void);
/* Run Python's pending signal handlers now and drop what they raise: a
 * SIGINT meant for a command that has ended must not stop the next one. */
void pyhost_drop_signals(void);

#endif
