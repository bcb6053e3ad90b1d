/* runner.c — one scenario run: Lua asks, Python answers, the model records.
 *
 * Data flows one way: the Lua coroutine yields a request, the runner hands it
 * to the Python thread, Python's events and final sample land in the model,
 * and the reply resumes Lua. Nothing here blocks except restart and close,
 * which wait for an interrupted job to unwind. */
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "luahost.h"
#include "probe.h"
#include "pyhost.h"
#include "util.h"

#define DEFAULT_HEAP_CAP ((size_t)768 * 1000 * 1000)
#define DEFAULT_TIME_LIMIT 10.0
#define DEFAULT_LUA_INSTRUCTIONS 200000000L
#define DEFAULT_LUA_MEMORY ((size_t)64 * 1024 * 1024)
#define PROCESS_SAMPLE_EVERY 0.1

/* Jobs the runner itself runs before the first step. */
enum { SETUP_RESET, SETUP_LOAD, SETUP_WATCH, SETUP_DONE };

struct runner {
	char *path;
	char *dir;
	struct model *m;
	struct runner_options opt;
	struct luahost *lua;
	double time_limit;

	int setup;               /* next setup job, SETUP_DONE once steps may run */
	enum { FROM_SETUP, FROM_LUA, FROM_UI } job_from;  /* who the running job answers */
	bool waiting;            /* for the learner */
	bool early_start;        /* space came while loading: start step 1 once ready */
	bool run_all;
	bool stop_requested;
	bool release_after;      /* free the namespace once the current job ends */
	double last_process_sample;

	/* collections during the current job */
	int gc_count[3];
	long gc_collected;
};

static size_t heap_cap_for(size_t wanted)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	size_t half = pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 2 : wanted;

	/* A lesson that leaks on purpose must never push the machine into swap. */
	return wanted < half ? wanted : half;
}

static void fail(struct runner *r, const struct error *err, const char *traceback)
{
	char text[1700];

	error_format(err, text, sizeof text);
	if (traceback) {
		const char *s = traceback;
		for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
			model_console(r->m, CONSOLE_STDERR, "%.*s", (int)(nl - s), s);
	}
	if (r->stop_requested) {
		model_console(r->m, CONSOLE_INFO, "Stopped: %s", err->msg);
		r->m->state = RUN_STOPPED;
	} else {
		model_console(r->m, CONSOLE_ERROR, "✗ %s", text);
		r->m->state = RUN_FAILED;
	}
	r->m->prompt[0] = '\0';
	r->waiting = false;
}

static void submit(struct runner *r, const struct pyjob *job, bool from_lua)
{
	struct pyjob j = *job;

	j.time_limit = r->time_limit;
	memset(r->gc_count, 0, sizeof r->gc_count);
	r->gc_collected = 0;
	r->job_from = from_lua ? FROM_LUA : FROM_SETUP;
	if (pyhost_submit(&j) < 0) {
		struct error err;
		error_set(&err, r->path, 0, "internal error: Python is busy");
		fail(r, &err, NULL);
		return;
	}
	r->m->state = RUN_RUNNING;
	r->m->version++;
}

/* Submit the next setup job; false when setup is complete. */
static bool submit_setup(struct runner *r)
{
	const struct scenario_settings *s = luahost_settings(r->lua);
	struct pyjob job = { 0 };

	for (; r->setup < SETUP_DONE; r->setup++) {
		if (r->setup == SETUP_RESET) {
			job.kind = PYJOB_RESET;
			job.path = r->dir;
		} else if (r->setup == SETUP_LOAD && s->python[0]) {
			job.kind = PYJOB_LOAD;
			job.path = s->python;
		} else if (r->setup == SETUP_WATCH && r->m->watch[0]) {
			job.kind = PYJOB_WATCH;
			job.code = r->m->watch;
		} else {
			continue;
		}
		r->setup++;
		submit(r, &job, false);
		return true;
	}
	return false;
}

/* Serve whatever Lua asks for next. */
static void advance_lua(struct runner *r, const struct pyresult *reply)
{
	for (;;) {
		enum luahost_status st = luahost_resume(r->lua, reply);
		int i = luahost_step_index(r->lua);

		reply = NULL;
		switch (st) {
		case LUAHOST_PYTHON:
			submit(r, luahost_request(r->lua), true);
			return;
		case LUAHOST_PAUSE:
			if (r->opt.interactive && !r->run_all) {
				snprintf(r->m->prompt, sizeof r->m->prompt, "%s", luahost_prompt(r->lua));
				r->m->state = RUN_WAITING;
				r->waiting = true;
				r->m->version++;
				return;
			}
			model_console(r->m, CONSOLE_INFO, "%s", luahost_prompt(r->lua));
			continue;
		case LUAHOST_STEP:
			r->m->step_index = i;
			snprintf(r->m->step_title, sizeof r->m->step_title, "%s",
			         luahost_step_title(r->lua, i));
			if (r->early_start) {
				/* Only ever the first step: a later key never skips a wait. */
				r->early_start = false;
			} else if (r->opt.interactive && !r->run_all) {
				snprintf(r->m->prompt, sizeof r->m->prompt, "Press space to run step %d/%d: %s",
				         i + 1, r->m->step_count, luahost_step_title(r->lua, i));
				r->m->state = RUN_WAITING;
				r->waiting = true;
				r->m->version++;
				return;
			}
			model_begin_step(r->m, i, luahost_step_title(r->lua, i));
			model_console(r->m, CONSOLE_STEP, "▶ Step %d/%d: %s", i + 1, r->m->step_count,
			              luahost_step_title(r->lua, i));
			continue;
		case LUAHOST_PREDICT:
			if (r->opt.interactive && !r->run_all) {
				r->m->state = RUN_WAITING;
				r->m->prompt[0] = '\0';
				r->waiting = true;
				r->m->version++;
				return;
			}
			model_console(r->m, CONSOLE_INFO, "Predict: %s", r->m->ask_question);
			model_ask_done(r->m);
			luahost_answer(r->lua, NULL);
			continue;
		case LUAHOST_DONE:
			r->m->state = RUN_DONE;
			r->m->prompt[0] = '\0';
			if (r->opt.verify && r->m->checks_failed == 0 && r->m->checks_passed > 0)
				model_console(r->m, CONSOLE_PASS, "✓ Verified: all %d checks hold.",
				              r->m->checks_passed);
			else if (r->opt.verify)
				model_console(r->m, CONSOLE_FAIL, "✗ Not verified: %d of %d checks failed.",
				              r->m->checks_failed, r->m->checks_passed + r->m->checks_failed);
			else
				model_console(r->m, CONSOLE_INFO, "Scenario finished: %d check%s passed, %d failed.",
				              r->m->checks_passed, r->m->checks_passed == 1 ? "" : "s",
				              r->m->checks_failed);
			return;
		case LUAHOST_ERROR:
			fail(r, luahost_error(r->lua), NULL);
			return;
		}
	}
}

static void report_gc(struct runner *r)
{
	int n = r->gc_count[0] + r->gc_count[1] + r->gc_count[2];

	if (n == 0)
		return;
	model_console(r->m, CONSOLE_GC, "gc: %d collection%s (gen 0: %d, gen 1: %d, gen 2: %d), "
	              "%ld unreachable objects found",
	              n, n == 1 ? "" : "s", r->gc_count[0], r->gc_count[1], r->gc_count[2],
	              r->gc_collected);
}

static void drain_events(struct runner *r)
{
	struct pyevent ev;

	while (pyhost_next_event(&ev)) {
		switch (ev.kind) {
		case PYEVENT_STDOUT:
			model_console(r->m, CONSOLE_OUTPUT, "%s", ev.text);
			break;
		case PYEVENT_STDERR:
			model_console(r->m, CONSOLE_STDERR, "%s", ev.text);
			break;
		case PYEVENT_GC:
			if (ev.generation >= 0 && ev.generation < 3)
				r->gc_count[ev.generation]++;
			if (ev.collected > 0)
				r->gc_collected += ev.collected;
			break;
		case PYEVENT_SAMPLE:
			model_push_sample(r->m, &ev.sample);
			if (ev.graph)
				model_set_graph(r->m, ev.graph);
			ev.graph = NULL;
			break;
		}
		free(ev.text);
		graph_free(ev.graph);
	}
}

static void console_sample(struct runner *r, const struct probe_sample *s)
{
	char heap[32], rss[32];

	util_fmt_bytes(s->v[PROBE_HEAP], heap, sizeof heap);
	util_fmt_bytes(s->v[PROBE_RSS], rss, sizeof rss);
	model_console(r->m, CONSOLE_SAMPLE, "heap %s, rss %s, chain %.0f, frames %.0f, gc0 %.0f, gc_runs %.0f",
	              heap, rss, s->v[PROBE_CHAIN], s->v[PROBE_FRAMES], s->v[PROBE_GC0],
	              s->v[PROBE_GC_RUNS]);
}

/* The answer to the learner's "why is this alive?". */
static void answer_why(struct runner *r, const struct pyresult *res)
{
	const struct value *v = &res->value;
	const char **lines;
	int n = v->kind == VALUE_LIST ? (int)v->u.list.n : 0;

	lines = xcalloc((size_t)(n ? n : 1), sizeof *lines);
	for (int i = 0; i < n; i++)
		lines[i] = v->u.list.items[i].kind == VALUE_STR ? v->u.list.items[i].u.str.s : "?";
	if (res->status != PYRESULT_OK) {
		lines[0] = res->err.msg;
		n = 1;
	}
	model_set_why(r->m, r->m->why_addr, lines, n);
	free(lines);
}

static void handle_result(struct runner *r, struct pyresult *res)
{
	if (r->job_from == FROM_UI) {
		answer_why(r, res);
		return;
	}
	if (r->job_from == FROM_LUA)
		report_gc(r);
	model_record_sample(r->m, &res->sample);
	if (res->graph) {
		model_set_graph(r->m, res->graph);
		res->graph = NULL;
	}
	if (r->job_from == FROM_LUA)
		console_sample(r, &res->sample);
	if (r->release_after) {
		r->release_after = false;
		return;
	}
	if (res->status == PYRESULT_MEMCAP) {
		/* Give the memory back at once: the learner's machine comes first. */
		struct pyjob reset = { .kind = PYJOB_RESET, .path = r->dir };
		r->release_after = true;
		if (r->job_from == FROM_LUA)
			advance_lua(r, res);
		else
			fail(r, &res->err, NULL);
		pyhost_submit(&reset);
		return;
	}
	if (r->job_from != FROM_LUA) {
		if (res->status != PYRESULT_OK) {
			fail(r, &res->err, res->traceback);
			return;
		}
		if (r->setup < SETUP_DONE && submit_setup(r))
			return;
		advance_lua(r, NULL);
		return;
	}
	advance_lua(r, res);
	if (r->m->state == RUN_FAILED && res->status == PYRESULT_ERROR && res->traceback) {
		const char *s = res->traceback;
		for (const char *nl; (nl = strchr(s, '\n')); s = nl + 1)
			model_console(r->m, CONSOLE_STDERR, "%.*s", (int)(nl - s), s);
	}
}

void runner_tick(struct runner *r)
{
	struct pyresult res;

	if (r == NULL)
		return;
	drain_events(r);
	if (pyhost_busy()) {
		double now = util_now();
		if (now - r->last_process_sample >= PROCESS_SAMPLE_EVERY) {
			struct probe_sample s = { 0 };
			probe_sample_process(&s);
			model_push_sample(r->m, &s);
			r->last_process_sample = now;
		}
		return;
	}
	if (pyhost_poll(&res)) {
		drain_events(r);   /* whatever the job printed comes before its result */
		handle_result(r, &res);
		pyresult_free(&res);
	}
}

static int start(struct runner *r, struct error *err)
{
	struct luahost_limits lim = {
		.instructions = r->opt.lua_instructions ? r->opt.lua_instructions : DEFAULT_LUA_INSTRUCTIONS,
		.memory = r->opt.lua_memory ? r->opt.lua_memory : DEFAULT_LUA_MEMORY,
	};
	const struct scenario_settings *s;
	size_t cap;

	model_reset_run(r->m);
	model_reset_series(r->m);
	snprintf(r->m->scenario_file, sizeof r->m->scenario_file, "%s", r->path);
	snprintf(r->m->python_version, sizeof r->m->python_version, "%s", pyhost_info()->version);
	r->m->gc_threshold0 = pyhost_info()->gc_threshold[0];
	r->m->watch[0] = '\0';
	r->setup = SETUP_RESET;
	r->waiting = r->run_all = r->stop_requested = r->early_start = false;

	if (luahost_open(&r->lua, r->path, &lim, r->m, pyhost_info(), r->opt.verify, err) < 0) {
		fail(r, err, NULL);
		return -1;
	}
	s = luahost_settings(r->lua);
	r->m->step_count = luahost_step_count(r->lua);
	r->time_limit = r->opt.time_limit > 0 ? r->opt.time_limit : s->time_limit;
	cap = heap_cap_for(r->opt.heap_cap ? r->opt.heap_cap
	                   : s->memory_limit ? s->memory_limit : DEFAULT_HEAP_CAP);
	probe_set_heap_cap(cap);
	r->m->heap_cap = (double)cap;
	model_console(r->m, CONSOLE_INFO, "%s — Python %s", r->m->scenario_title,
	              r->m->python_version);
	if (r->opt.verify) {
		/* Verifying is one step: verify() on the learner's file. */
		const char *target = luahost_verify_target(r->lua), *base = strrchr(target, '/');
		char title[160];
		snprintf(title, sizeof title, "Verify %s", base ? base + 1 : target);
		r->m->step_count = 1;
		model_begin_step(r->m, 0, title);
		model_console(r->m, CONSOLE_STEP, "▶ %s", title);
	}
	submit_setup(r);
	return 0;
}

int runner_open(struct runner **out, const char *path, struct model *m,
                const struct runner_options *opt, struct error *err)
{
	struct runner *r = xcalloc(1, sizeof *r);

	r->path = xstrdup(path);
	r->dir = util_dirname(path);
	r->m = m;
	r->opt = *opt;
	*out = r;
	return start(r, err);
}

/* Stop whatever Python runs for this scenario and wait for it to unwind. */
static void settle(struct runner *r)
{
	struct pyresult res;

	while (pyhost_busy()) {
		pyhost_interrupt(PYRESULT_INTERRUPTED);
		pyhost_wait(&res);
		pyresult_free(&res);
	}
	if (pyhost_poll(&res))
		pyresult_free(&res);
	drain_events(r);
	r->release_after = false;
}

void runner_close(struct runner *r)
{
	if (r == NULL)
		return;
	settle(r);
	luahost_close(r->lua);
	free(r->path);
	free(r->dir);
	free(r);
}

int runner_restart(struct runner *r, struct error *err)
{
	settle(r);
	luahost_close(r->lua);
	r->lua = NULL;
	return start(r, err);
}

void runner_continue(struct runner *r)
{
	if (r != NULL && r->m->asking)
		return;   /* a prediction is answered with runner_answer, or skipped */
	if (r != NULL && !r->waiting && r->lua != NULL && r->m->steps_len == 0 &&
	    r->m->state == RUN_RUNNING)
		r->early_start = true;   /* still loading the scenario */
	if (r == NULL || !r->waiting || r->lua == NULL)
		return;
	r->waiting = false;
	r->m->prompt[0] = '\0';
	r->m->state = RUN_RUNNING;
	if (luahost_step_index(r->lua) >= 0 && r->m->steps_len <= luahost_step_index(r->lua)) {
		int i = luahost_step_index(r->lua);
		model_begin_step(r->m, i, luahost_step_title(r->lua, i));
		model_console(r->m, CONSOLE_STEP, "▶ Step %d/%d: %s", i + 1, r->m->step_count,
		              luahost_step_title(r->lua, i));
	}
	r->m->version++;
	advance_lua(r, NULL);
}

void runner_answer(struct runner *r, const char *answer)
{
	if (r == NULL || !r->waiting || !r->m->asking)
		return;
	luahost_answer(r->lua, answer);
	model_ask_done(r->m);
	r->waiting = false;
	r->m->state = RUN_RUNNING;
	advance_lua(r, NULL);
}

const struct exercise_info *runner_exercise(const struct runner *r)
{
	return r && r->lua ? luahost_exercise(r->lua) : NULL;
}

void runner_run_all(struct runner *r)
{
	if (r == NULL)
		return;
	r->run_all = true;
	if (r->waiting)
		runner_continue(r);
}

void runner_stop(struct runner *r)
{
	if (r == NULL || !runner_busy(r))
		return;
	r->stop_requested = true;
	r->run_all = false;
	pyhost_interrupt(PYRESULT_INTERRUPTED);
}

int runner_why(struct runner *r, uintptr_t addr)
{
	struct pyjob job = { .kind = PYJOB_WHY };
	char code[32];

	if (r == NULL || runner_busy(r) || pyhost_busy())
		return -1;
	snprintf(code, sizeof code, "%llu", (unsigned long long)addr);
	job.code = code;
	if (pyhost_submit(&job) < 0)
		return -1;
	r->job_from = FROM_UI;
	model_set_why(r->m, addr, NULL, 0);
	return 0;
}

bool runner_busy(const struct runner *r)
{
	return r && r->m->state == RUN_RUNNING;
}

bool runner_finished(const struct runner *r)
{
	return r == NULL || r->m->state == RUN_DONE || r->m->state == RUN_FAILED ||
	       r->m->state == RUN_STOPPED;
}
