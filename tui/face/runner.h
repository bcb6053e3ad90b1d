/* runner.h — one scenario run, seen from the interface: the lab process that
 * runs it, and the model its events update.
 *
 * Both the interface and the headless runner drive it the same way: call
 * runner_tick() whenever the lab's descriptors are readable or a timer is
 * due; it never blocks. In interactive mode the run waits for the learner
 * before each step and at each pause (state RUN_WAITING); runner_continue()
 * lets it go on.
 *
 * The runner also keeps the promise that stopping always works: Ctrl-C sends
 * SIGINT to the lab, and a lab that has not stopped a second later is
 * killed; so is one that runs past its time limit by a second. A lab that
 * crashes or exits is reported in the console, and runner_restart starts a
 * fresh one. */
#ifndef EXCLAB_RUNNER_H
#define EXCLAB_RUNNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "labproto.h"
#include "model.h"
#include "util.h"

/* How long the lab gets to stop after SIGINT or past its time limit. */
#define RUNNER_GRACE 1.0

struct runner;

struct runner_options {
	bool interactive;     /* wait for the learner before steps and at pauses */
	double time_limit;    /* seconds per Python call or stretch of Lua; 0: the scenario's or 10 s */
	double step_time_limit; /* seconds per step; 0: the scenario's or 60 s */
	size_t heap_cap;      /* Python heap cap in bytes; 0: the scenario's or default */
	long lua_instructions;/* 0: default (200 million) */
	size_t lua_memory;    /* 0: default (64 MB) */
	const char *verify;   /* run the exercise's verify() on this file ("": its own) */
	const char *source;   /* an inline scenario (a deck's): path then names the deck */
	double pace;          /* py.call(name, n): at most this many calls a second, so
	                       * a room can watch the gauges climb; 0: full speed */
	int from_step;        /* 1-based: replay the steps before it at once, then wait (jump) */
};

/* What exclab probe runs: a script, or -m a module, with its arguments. */
struct runner_program {
	bool module;
	const char *target;
	char *const *args;
	int nargs;
	bool passthrough;     /* headless: the program reads and writes our own stdio */
};

/* Start a lab and load the scenario in it. The outcome arrives as events:
 * on an error the model's console says what and where. -1 and err only when
 * no lab could be started. */
int runner_open(struct runner **out, const char *path, struct model *m,
                const struct runner_options *opt, struct error *err);
/* Start a probe lab and run the program in it (exclab probe): its output,
 * findings and end arrive in the model. opt's time_limit (0: none) and
 * heap_cap (0: half the machine) are the program's. */
int runner_open_program(struct runner **out, const struct runner_program *prog, struct model *m,
                        const struct runner_options *opt, struct error *err);
/* Kill the lab and free. A program's lab, when the program has ended, is
 * first let finish as python3 does (runner.c, finish_program). */
void runner_close(struct runner *r);

/* Take what the lab sent, enforce the grace periods, notice a lab that
 * ended. Returns true when events are still waiting (call again at once). */
bool runner_tick(struct runner *r);
/* The descriptors to wait on (2 at most; -1 when closed) and the longest
 * wait in seconds before runner_tick must run again (a deadline). */
double runner_wait_fds(const struct runner *r, int fds[2]);
/* Wait until the lab has something to say or a deadline comes (a signal
 * ends the wait too). */
void runner_wait(const struct runner *r);
/* The same, and a key on standard input ends it too, as does `limit`
 * seconds (the interface's next frame). */
void runner_wait_or_key(const struct runner *r, double limit);

/* The learner says go on: start the next step, or get past a pause. */
void runner_continue(struct runner *r);
/* The learner's prediction (NULL: skipped), when the model is asking. */
void runner_answer(struct runner *r, const char *answer);
/* The scenario's exercise, or NULL. */
const struct exercise_info *runner_exercise(const struct runner *r);
/* Stop waiting between steps until the scenario ends. */
void runner_run_all(struct runner *r);
/* Stop a running step: SIGINT now, SIGKILL after RUNNER_GRACE. A program
 * (exclab probe) gets one KeyboardInterrupt per call, with no deadline, as
 * python3 does; the second call ends it. */
void runner_stop(struct runner *r);
/* runner_stop for a program whose lab got the SIGINT already (from the
 * terminal, in its process group): only counts towards the second. */
void runner_stop_delivered(struct runner *r);
/* Start again from the first step, in a fresh lab. */
int runner_restart(struct runner *r, struct error *err);
/* Go to step `step` (1-based): start again in a fresh lab, replay the steps
 * before it at full speed, without pauses or questions, then wait before it.
 * -1 and err when the scenario has no such step. */
int runner_jump(struct runner *r, int step, struct error *err);
/* True while the steps before a jump's target are replayed. */
bool runner_replaying(const struct runner *r);

/* Ask why the object at addr is alive; the answer lands in the model
 * (model.why). -1 while the lab is busy or gone. */
int runner_why(struct runner *r, uintptr_t addr);
/* Capture what finding `id` keeps alive, into model.graph. -1 when the lab
 * is gone, or busy with a scenario. */
int runner_finding_graph(struct runner *r, uint32_t id);
/* Compile a Python file in the lab, waiting for the answer (exclab check).
 * 0, or -1 with err saying where it fails. */
int runner_compile(struct runner *r, const char *path, struct error *err);

/* Wait, taking events, until the lab is idle (exclab check). */
void runner_settle(struct runner *r);
/* True while the lab works on the scenario. */
bool runner_busy(const struct runner *r);
/* True once the scenario is done, failed or stopped. */
bool runner_finished(const struct runner *r);

#endif
