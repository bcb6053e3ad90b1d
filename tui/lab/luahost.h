/* luahost.h — one sandboxed Lua 5.4 state per scenario run.
 *
 * The scenario script runs in a coroutine. Calls that need Python (py.*) or the
 * learner (pause, the start of each step) yield a request; the runner serves it
 * and resumes the coroutine. Budgets: an instruction count (a hook that stays
 * armed once it fires, so pcall cannot swallow it) and a byte budget on the
 * state's allocator (a memory error that also stays sticky).
 *
 * Libraries: base (without dofile, loadfile, collectgarbage, and with
 * text-only load), coroutine, table, string, math, utf8, and
 * os.clock/os.time/os.date. No io, no os.execute, no package, no debug, no
 * binary chunks, no __gc finalizers (they run with hooks off). Every stretch
 * of Lua also has a wall-clock limit (guard.h), which covers loops inside
 * library calls that the count hook never sees. */
#ifndef EXCLAB_LUAHOST_H
#define EXCLAB_LUAHOST_H

#include <stdbool.h>
#include <stddef.h>

#include "labproto.h"
#include "pyhost.h"
#include "util.h"

struct luahost;

/* Seconds per Python job or stretch of Lua, unless scenario{} says otherwise. */
#define LUAHOST_DEFAULT_TIME_LIMIT 10.0

struct luahost_limits {
	long instructions;   /* VM instructions per scenario run */
	size_t memory;       /* bytes for the Lua state */
};

/* Scenario-level settings read from the scenario{} table. */
struct scenario_settings {
	char title[128];
	char python[512];        /* file loaded before the first step, or "" */
	size_t memory_limit;     /* Python heap cap in bytes; 0: the default */
	double time_limit;       /* seconds per Python job or stretch of Lua */
	double step_time_limit;  /* seconds a step may run in all (the learner's waits aside) */
	unsigned shown;          /* gauges on screen: bit (1u << probe id) */
	char watch[128];         /* the dotted name the chain/frames gauges follow, or "" */
	char graph_roots[256];   /* what graph.show named, for the view's title */
	int line;                /* where scenario{} is, for what is found wrong in it later */
};

enum luahost_status {
	LUAHOST_PYTHON,   /* wants a Python job: luahost_request() */
	LUAHOST_PAUSE,    /* wants the learner: luahost_prompt() */
	LUAHOST_STEP,     /* about to start step luahost_step_index(); runner may wait */
	LUAHOST_PREDICT,  /* wants a prediction: the question went out as LAB_ASK */
	LUAHOST_DONE,     /* every step ran */
	LUAHOST_ERROR,    /* the script failed: luahost_error() */
};

/* Load and run the script's top level (which registers steps), in a fresh
 * state. The script is the file at path, or `text` when not NULL (an inline
 * scenario from a deck: path then names the deck, for error messages and
 * for the files the script names, which are found beside it). With `verify` set, the run is the exercise's verify() on that file
 * ("" for the exercise's own file) instead of the steps. What the scenario
 * says to the learner (console lines, checks, questions, gauge choices)
 * goes to the interface as events (labout.h). */
int luahost_open(struct luahost **out, const char *path, const char *text,
                 const struct luahost_limits *lim, const struct pyhost_info *py,
                 const char *verify, struct error *err);
void luahost_close(struct luahost *h);

const struct scenario_settings *luahost_settings(const struct luahost *h);
int luahost_step_count(const struct luahost *h);
const char *luahost_step_title(const struct luahost *h, int i);

/* Send the gauges, the watched name and the graph's roots (LAB_SETTINGS). */
void luahost_send_settings(const struct luahost *h);
/* True when the error luahost_error() reports is a Python error that Lua
 * did not catch (its traceback is the last job's). */
bool luahost_error_is_python(const struct luahost *h);
/* The reading probe.sample() gives until the next Python job: the step's
 * start. */
void luahost_set_sample(struct luahost *h, const struct probe_sample *s);
/* The scenario's file. */
const char *luahost_path(const struct luahost *h);
/* Run until the next request. `reply` answers the previous LUAHOST_PYTHON
 * request (NULL otherwise); its sample is recorded before Lua sees it. */
enum luahost_status luahost_resume(struct luahost *h, const struct pyresult *reply);

/* The exercise, or NULL when the scenario declares none. */
const struct exercise_info *luahost_exercise(const struct luahost *h);
/* The file being verified, in verify mode; NULL otherwise. */
const char *luahost_verify_target(const struct luahost *h);
/* The learner's answer to LUAHOST_PREDICT (NULL: skipped), for the next resume. */
void luahost_answer(struct luahost *h, const char *answer);

const struct pyjob *luahost_request(const struct luahost *h);
const char *luahost_prompt(const struct luahost *h);
int luahost_step_index(const struct luahost *h);
const struct error *luahost_error(const struct luahost *h);

#endif
