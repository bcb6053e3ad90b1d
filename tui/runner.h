/* runner.h — runs one scenario: the Lua coroutine, the Python jobs it asks
 * for, and the model they update.
 *
 * Both the interface and the headless runner drive it the same way: call
 * runner_tick() often from the event loop; it never blocks. In interactive
 * mode the runner waits for the learner before each step and at each pause
 * (state RUN_WAITING); runner_continue() lets it go on. */
#ifndef EXCLAB_RUNNER_H
#define EXCLAB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

struct runner;

struct runner_options {
	bool interactive;     /* wait for the learner before steps and at pauses */
	double time_limit;    /* seconds per Python job; 0: the scenario's or 10 s */
	size_t heap_cap;      /* Python heap cap in bytes; 0: the scenario's or default */
	long lua_instructions;/* 0: default (200 million) */
	size_t lua_memory;    /* 0: default (64 MB) */
	const char *verify;   /* run the exercise's verify() on this file ("": its own) */
};

struct exercise_info;

/* Load the scenario (a fresh Lua state, a fresh Python namespace). On error
 * the model's console says what and where, and err is set too. */
int runner_open(struct runner **out, const char *path, struct model *m,
                const struct runner_options *opt, struct error *err);
void runner_close(struct runner *r);

/* Advance without blocking: serve finished Python jobs, resume Lua, sample the
 * process probes while Python runs, enforce budgets. */
void runner_tick(struct runner *r);
/* The learner says go on: start the next step, or get past a pause. */
void runner_continue(struct runner *r);
/* The learner's prediction (NULL: skipped), when the model is asking. */
void runner_answer(struct runner *r, const char *answer);
/* The scenario's exercise, or NULL. */
const struct exercise_info *runner_exercise(const struct runner *r);
/* Stop waiting between steps until the scenario ends. */
void runner_run_all(struct runner *r);
/* Stop a running step (KeyboardInterrupt in Python); the state becomes RUN_STOPPED. */
void runner_stop(struct runner *r);
/* Start again from the first step, with fresh Lua and Python state. */
int runner_restart(struct runner *r, struct error *err);

/* Ask why the object at addr is alive; the answer lands in the model
 * (model.why). -1 while Python is busy. */
int runner_why(struct runner *r, uintptr_t addr);

/* True while Python or Lua code of this scenario is running. */
bool runner_busy(const struct runner *r);
/* True once the scenario is done, failed or stopped. */
bool runner_finished(const struct runner *r);

#endif
