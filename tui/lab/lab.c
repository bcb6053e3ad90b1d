/* lab.c — the lab's main loop: commands in, the scenario run, events out.
 *
 * A run: OPEN loads the scenario (a fresh Lua state, a fresh Python
 * namespace) and runs it up to the first wait; CONTINUE and ANSWER go on to
 * the next. Lua yields a request, Python answers it on this same thread, and
 * the reply resumes Lua; every stretch of either runs under the guard's time
 * limit, and the interface hears of each (LAB_BUSY) so that it can tell
 * what the lab was doing if it has to kill it. */
#include "lab.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <unistd.h>

#include "guard.h"
#include "labout.h"
#include "labproto.h"
#include "luahost.h"
#include "probe.h"
#include "probe_run.h"
#include "probe_watch.h"
#include "pyhost.h"
#include "util.h"
#include "wire.h"

#define DEFAULT_HEAP_CAP ((size_t)768 * 1000 * 1000)
#define DEFAULT_LUA_INSTRUCTIONS 200000000L
#define DEFAULT_LUA_MEMORY ((size_t)64 * 1024 * 1024)
/* Room beside the Python heap cap for the interpreter itself, Lua, and
 * what C code allocates outside Python's allocator, before the OS says no. */
#define BACKSTOP_MARGIN ((size_t)256 * 1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

struct run {
	struct luahost *lua;
	char *dir;
	bool verifying;
	double time_limit;       /* per stretch of Lua or Python */
	double step_limit;       /* per step, the learner's waits aside */
	double step_used;        /* seconds the current step has run */
	double pace;             /* calls a second for py.call(name, n), from CONTINUE; 0: full speed */
	bool waiting_step;       /* before step luahost_step_index(): CONTINUE begins it */
	struct pyresult reply;   /* the Python result Lua has yet to see */
	char *traceback;         /* of the last Python error */
};

static struct run run;

/* ---- limits ------------------------------------------------------------- */

static size_t heap_cap_for(size_t wanted)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
	size_t half = pages > 0 && page > 0 ? (size_t)pages * (size_t)page / 2 : wanted;

	/* A lesson that leaks on purpose must never push the machine into swap. */
	return wanted < half ? wanted : half;
}

/* The OS's limit on the lab's data, behind the Python heap cap: memory taken
 * by mmap, sqlite or a C extension never passes through Python's allocator.
 * Shared pages (mmap.mmap(-1, n) maps MAP_SHARED) escape RLIMIT_DATA, so the
 * guard also holds the lab's RSS to the same figure while Python runs. Not
 * under AddressSanitizer, whose shadow memory would count. */
static void set_backstop(size_t heap_cap)
{
	size_t margin = heap_cap / 2 > BACKSTOP_MARGIN ? heap_cap / 2 : BACKSTOP_MARGIN;
	struct rlimit old, rl;

	if (UNDER_ASAN || getrlimit(RLIMIT_DATA, &old) < 0)
		return;
	rl.rlim_cur = heap_cap + margin;
	rl.rlim_max = old.rlim_max;
	if (old.rlim_max != RLIM_INFINITY && rl.rlim_cur > old.rlim_max)
		rl.rlim_cur = old.rlim_max;
	setrlimit(RLIMIT_DATA, &rl);
	guard_set_rss_cap(rl.rlim_cur);
}

/* The limit of the next stretch: its own, or what is left of the step's
 * when it is part of one. Without a scenario (it failed to open, and exclab
 * check compiles its files all the same) its own is the default. */
static double stretch_limit(bool in_step, char *text, size_t size)
{
	double own = run.time_limit > 0 ? run.time_limit : LUAHOST_DEFAULT_TIME_LIMIT;
	double left = run.step_limit - run.step_used;

	if (in_step && run.lua && left < own) {
		snprintf(text, size, "the step's time limit of %.0f s", run.step_limit);
		return left > GUARD_SPENT ? left : GUARD_SPENT;
	}
	snprintf(text, size, "its time limit of %.1f s", own);
	return own;
}

/* ---- Python jobs -------------------------------------------------------- */

static void describe(const struct pyjob *job, char *buf, size_t size)
{
	static const char *const names[] = {
		[PYJOB_RESET] = "a fresh namespace", [PYJOB_LOAD] = "py.load",
		[PYJOB_EXEC] = "py.exec", [PYJOB_EVAL] = "py.eval", [PYJOB_CALL] = "py.call",
		[PYJOB_WATCH] = "probe.watch", [PYJOB_GC] = "py.collect",
		[PYJOB_GRAPH_ROOTS] = "graph.show", [PYJOB_GRAPH_QUERY] = "graph.capture",
		[PYJOB_ONLY_TB] = "graph.only_through_traceback", [PYJOB_WHY] = "graph.why",
		[PYJOB_COMPILE] = "compiling", [PYJOB_SAMPLE] = "a reading of the probes",
	};
	const char *name = names[job->kind];

	if (job->origin && job->origin[0] == '<')   /* "<py.exec at scenario.lua:12>" */
		snprintf(buf, size, "%.*s", (int)strcspn(job->origin + 1, ">"), job->origin + 1);
	else if (job->origin)
		snprintf(buf, size, "%s %s", name, job->origin);
	else if (job->kind == PYJOB_CALL || job->kind == PYJOB_WATCH || job->kind == PYJOB_GRAPH_QUERY)
		snprintf(buf, size, "%s(\"%.200s\")", name, job->code ? job->code : "");
	else if (job->path)
		snprintf(buf, size, "%s %.400s", name, job->path);
	else
		snprintf(buf, size, "%s", name);
}

static void report_gc(void)
{
	int counts[3];
	long found;
	int n;

	pyhost_gc_counts(counts, &found);
	n = counts[0] + counts[1] + counts[2];
	if (n > 0)
		labout_console(CONSOLE_GC, "gc: %d collection%s (gen 0: %d, gen 1: %d, gen 2: %d), "
		               "%ld unreachable objects found",
		               n, n == 1 ? "" : "s", counts[0], counts[1], counts[2], found);
}

static void console_sample(const struct probe_sample *s)
{
	char heap[32], rss[32];

	util_fmt_bytes(s->v[PROBE_HEAP], heap, sizeof heap);
	util_fmt_bytes(s->v[PROBE_RSS], rss, sizeof rss);
	labout_console(CONSOLE_SAMPLE, "heap %s, rss %s, chain %.0f, frames %.0f, gc0 %.0f, gc_runs %.0f",
	               heap, rss, s->v[PROBE_CHAIN], s->v[PROBE_FRAMES], s->v[PROBE_GC0],
	               s->v[PROBE_GC_RUNS]);
}

/* The sample after a job, kept with the step (the step's start, for
 * PYJOB_SAMPLE), and the live graph. */
static void send_result_probes(const struct pyjob *job, struct pyresult *res)
{
	labout_sample(&res->sample, job->kind == PYJOB_SAMPLE ? SAMPLE_STEP_START : SAMPLE_AFTER_JOB,
	              job->label, job->where);
	if (res->graph)
		labout_graph(res->graph);
}

/* Give the memory back at once after the heap cap was hit: the learner's
 * machine comes first. Run outside the guard, which would interrupt it. */
static void release_namespace(void)
{
	struct pyjob reset = { .kind = PYJOB_RESET, .path = run.dir,
	                       .label = "a fresh namespace: the heap cap was reached" };
	struct pyresult res;

	pyhost_drop_signals();
	pyhost_run(&reset, &res);
	send_result_probes(&reset, &res);
	pyresult_free(&res);
}

/* Who asked for a job. */
enum job_origin {
	JOB_SCENARIO,  /* a py.* call: its collections and probes go to the console */
	JOB_RUN,       /* the run's own (set-up, a step's first reading): part of the step */
	JOB_QUESTION,  /* the interface's (why is it alive, does it compile): part of no step */
};

/* Run one job under the time limit: the step's, or its own. */
static void run_job(const struct pyjob *job, enum job_origin origin, struct pyresult *res)
{
	struct pyjob j = *job;
	char what[600], limit_text[96];
	double t0 = util_now(), paced = 0;
	bool for_lua = origin == JOB_SCENARIO, in_step = origin != JOB_QUESTION;

	j.time_limit = stretch_limit(in_step, limit_text, sizeof limit_text);
	/* A paced call waits between calls on purpose: the wait is not the
	 * code's, so it counts against neither limit, as the learner's pauses. */
	if (for_lua && job->kind == PYJOB_CALL && job->times > 1 && run.pace > 0) {
		j.pace = run.pace;
		paced = (double)(job->times - 1) / run.pace;
		j.time_limit += paced;
	}
	describe(job, what, sizeof what);
	labout_busy(BUSY_PYTHON, j.time_limit, what, limit_text);
	guard_begin(BUSY_PYTHON, j.time_limit, limit_text);
	pyhost_run(&j, res);
	if (labout_forked())
		_exit(0);   /* scenario code forked, and this child came back to the lab */
	guard_end();
	if (res->status == PYRESULT_TIMEOUT)
		snprintf(res->err.msg, sizeof res->err.msg, "stopped: Python ran past %s", limit_text);
	if (res->traceback) {
		free(run.traceback);
		run.traceback = xstrdup(res->traceback);
	}
	if (for_lua)
		report_gc();
	send_result_probes(job, res);
	if (for_lua)
		console_sample(&res->sample);
	if (res->status == PYRESULT_MEMCAP)
		release_namespace();
	/* All of it counts against the step, probes and events too: a loop of
	 * short calls spends more time here than in Python. */
	if (in_step) {
		run.step_used += util_now() - t0 - paced;
		if (run.step_used < 0)
			run.step_used = 0;
	}
}

/* ---- the run ------------------------------------------------------------ */

static void send_wait(enum wait_kind why, int step, const char *text)
{
	struct wire_out *w = labout_begin(LAB_WAIT);

	wire_u8(w, why);
	wire_i32(w, step);
	wire_str(w, text);
	labout_end(w);
}

static void send_failed(const struct error *err, const char *traceback)
{
	struct wire_out *w = labout_begin(LAB_FAILED);

	labproto_put_error(w, err);
	wire_str(w, traceback);
	labout_end(w);
}

static void finish_with_error(void)
{
	const struct error *err = luahost_error(run.lua);

	if (guard_reason() == STOP_LEARNER) {
		struct wire_out *w = labout_begin(LAB_STOPPED);
		wire_str(w, err->msg);
		labout_end(w);
		return;
	}
	send_failed(err, luahost_error_is_python(run.lua) ? run.traceback : NULL);
}

/* Resume Lua until it waits for the learner, ends or fails. */
static void advance(void)
{
	const struct pyresult *reply = NULL;

	for (;;) {
		char limit_text[96];
		double limit = stretch_limit(true, limit_text, sizeof limit_text), t0 = util_now();
		enum luahost_status st;

		labout_busy(BUSY_LUA, limit, "the scenario's Lua code", limit_text);
		guard_begin(BUSY_LUA, limit, limit_text);
		st = luahost_resume(run.lua, reply);
		guard_end();
		run.step_used += util_now() - t0;
		pyresult_free(&run.reply);
		reply = NULL;
		switch (st) {
		case LUAHOST_PYTHON:
			run_job(luahost_request(run.lua), JOB_SCENARIO, &run.reply);
			reply = &run.reply;
			continue;
		case LUAHOST_PAUSE:
			send_wait(WAIT_PAUSE, luahost_step_index(run.lua), luahost_prompt(run.lua));
			return;
		case LUAHOST_STEP:
			run.waiting_step = true;
			send_wait(WAIT_STEP, luahost_step_index(run.lua),
			          luahost_step_title(run.lua, luahost_step_index(run.lua)));
			return;
		case LUAHOST_PREDICT:
			send_wait(WAIT_PREDICT, luahost_step_index(run.lua), "");
			return;
		case LUAHOST_DONE:
			labout_end(labout_begin(LAB_DONE));
			return;
		case LUAHOST_ERROR:
			finish_with_error();
			return;
		}
	}
}

static void send_step(int index, const char *title)
{
	struct wire_out *w = labout_begin(LAB_STEP);

	wire_i32(w, index);
	wire_str(w, title);
	labout_end(w);
	run.step_used = 0;
}

/* The reading probe.sample() gives before the step's first Python job:
 * taken as the step's own code begins, not left over from before. */
static void sample_step_start(void)
{
	struct pyjob job = { .kind = PYJOB_SAMPLE, .label = "the step begins" };
	struct pyresult res;

	run_job(&job, JOB_RUN, &res);
	luahost_set_sample(run.lua, &res.sample);
	pyresult_free(&res);
}

/* Before the first step: a fresh namespace, the scenario's Python file, the
 * object the gauges follow. false (and LAB_FAILED sent) when one fails. */
static bool setup(void)
{
	const struct scenario_settings *s = luahost_settings(run.lua);
	struct pyjob jobs[3] = {
		{ .kind = PYJOB_RESET, .path = run.dir, .label = "a fresh namespace" },
		{ .kind = PYJOB_LOAD, .path = s->python, .label = "scenario{} python" },
		{ .kind = PYJOB_WATCH, .code = s->watch, .label = "scenario{} watch" },
	};

	for (int i = 0; i < 3; i++) {
		struct pyresult res;
		bool ok;
		if ((i == 1 && !s->python[0]) || (i == 2 && !s->watch[0]))
			continue;
		run_job(&jobs[i], JOB_RUN, &res);
		ok = res.status == PYRESULT_OK;
		if (!ok && guard_reason() == STOP_LEARNER) {
			struct wire_out *w = labout_begin(LAB_STOPPED);
			wire_str(w, res.err.msg);
			labout_end(w);
		} else if (res.status == PYRESULT_REFUSED) {
			/* The watched name names nothing once the file has run: a
			 * mistake in scenario{}, so its line. */
			struct error err;
			error_set(&err, luahost_path(run.lua), s->line, "scenario{}: watch: %s", res.err.msg);
			send_failed(&err, NULL);
		} else if (!ok) {
			send_failed(&res.err, res.traceback);
		}
		pyresult_free(&res);
		if (!ok)
			return false;
	}
	return true;
}

static void close_run(void)
{
	luahost_close(run.lua);
	pyresult_free(&run.reply);
	free(run.dir);
	free(run.traceback);
	memset(&run, 0, sizeof run);
}

static void cmd_open(struct wire_in *in)
{
	struct luahost_limits lim;
	const struct scenario_settings *s;
	struct error err = { 0 };
	char *path = wire_get_str(in), *verify_file, *source;
	bool verifying = wire_get_u8(in);
	double time_limit, step_limit;
	size_t cap;
	struct wire_out *w;

	verify_file = wire_get_str(in);
	time_limit = wire_get_f64(in);
	step_limit = wire_get_f64(in);
	cap = (size_t)wire_get_u64(in);
	lim.instructions = (long)wire_get_i64(in);
	lim.memory = (size_t)wire_get_u64(in);
	source = wire_get_str(in);
	if (lim.instructions <= 0)
		lim.instructions = DEFAULT_LUA_INSTRUCTIONS;
	if (lim.memory == 0)
		lim.memory = DEFAULT_LUA_MEMORY;

	close_run();
	run.dir = util_dirname(path);
	run.verifying = verifying;
	if (luahost_open(&run.lua, path, source[0] ? source : NULL, &lim, pyhost_info(),
	                 verifying ? verify_file : NULL, &err) < 0) {
		send_failed(&err, NULL);
		goto out;
	}
	s = luahost_settings(run.lua);
	run.time_limit = time_limit > 0 ? time_limit : s->time_limit;
	run.step_limit = step_limit > 0 ? step_limit : s->step_time_limit;
	cap = heap_cap_for(cap ? cap : s->memory_limit ? s->memory_limit : DEFAULT_HEAP_CAP);
	probe_set_heap_cap(cap);
	set_backstop(cap);

	w = labout_begin(LAB_SCENARIO);
	wire_str(w, s->title);
	wire_str(w, path);
	wire_i32(w, verifying ? 1 : luahost_step_count(run.lua));
	wire_f64(w, (double)cap);
	labproto_put_exercise(w, luahost_exercise(run.lua));
	labout_end(w);
	luahost_send_settings(run.lua);
	labout_console(CONSOLE_INFO, "%s — Python %s", s->title, pyhost_info()->version);
	if (verifying) {
		/* Verifying is one step: verify() on the learner's file. */
		const char *target = luahost_verify_target(run.lua), *base = strrchr(target, '/');
		char title[160];
		snprintf(title, sizeof title, "Verify %s", base ? base + 1 : target);
		send_step(0, title);
	}
	if (setup()) {
		if (verifying)
			sample_step_start();   /* of verify(), the one step, begun above */
		advance();
	}
out:
	free(path);
	free(verify_file);
	free(source);
}

static void cmd_continue(struct wire_in *in)
{
	double pace = wire_get_f64(in);

	if (run.lua == NULL)
		return;
	run.pace = pace > 0 ? pace : 0;
	if (run.waiting_step) {
		int i = luahost_step_index(run.lua);
		run.waiting_step = false;
		send_step(i, luahost_step_title(run.lua, i));
		sample_step_start();
	}
	advance();
}

static void cmd_answer(struct wire_in *in)
{
	bool given = wire_get_u8(in);
	char *answer = wire_get_str(in);

	if (run.lua) {
		luahost_answer(run.lua, given ? answer : NULL);
		advance();
	}
	free(answer);
}

static void cmd_why(struct wire_in *in)
{
	uint64_t addr = wire_get_u64(in);
	struct pyjob job = { .kind = PYJOB_WHY, .addr = (uintptr_t)addr };
	struct pyresult res;
	const struct value *v;
	struct wire_out *w;
	uint32_t n;

	run_job(&job, JOB_QUESTION, &res);
	v = &res.value;
	n = v->kind == VALUE_LIST ? (uint32_t)v->u.list.n : 0;
	w = labout_begin(LAB_WHY);
	wire_u64(w, addr);
	if (res.status != PYRESULT_OK) {
		wire_u32(w, 1);
		wire_str(w, res.err.msg);
	} else {
		wire_u32(w, n);
		for (uint32_t i = 0; i < n; i++)
			wire_str(w, v->u.list.items[i].kind == VALUE_STR ? v->u.list.items[i].u.str.s : "?");
	}
	labout_end(w);
	pyresult_free(&res);
}

static void cmd_compile(struct wire_in *in)
{
	char *path = wire_get_str(in);
	struct pyjob job = { .kind = PYJOB_COMPILE, .path = path };
	struct pyresult res;
	struct wire_out *w;

	run_job(&job, JOB_QUESTION, &res);
	w = labout_begin(LAB_COMPILED);
	wire_u8(w, res.status == PYRESULT_OK);
	labproto_put_error(w, &res.err);
	labout_end(w);
	pyresult_free(&res);
	free(path);
}

/* exclab probe: the user's program, under a heap cap of half the machine
 * unless --mem-limit says less. */
static void cmd_probe(struct wire_in *in, struct wire_conn *conn)
{
	struct probe_request req;
	size_t cap;

	if (probe_request_read(in, &req) < 0)
		_exit(3);   /* not our interface */
	cap = heap_cap_for(req.heap_cap ? req.heap_cap : SIZE_MAX);
	probe_set_heap_cap(cap);
	set_backstop(cap);
	probe_run(&req, conn);
	probe_request_free(&req);
}

static void hello(void)
{
	const struct pyhost_info *py = pyhost_info();
	struct wire_out *w = labout_begin(LAB_HELLO);

	wire_str(w, py->version);
	wire_i32(w, py->major);
	wire_i32(w, py->minor);
	wire_i32(w, py->micro);
	for (int i = 0; i < 3; i++)
		wire_i32(w, py->gc_threshold[i]);
	wire_i32(w, (int32_t)getpid());
	labout_end(w);
}

void lab_python_version(char *buf, size_t size)
{
	pyhost_version(buf, size);
}

void lab_main(int fd, bool program)
{
	struct wire_conn conn;
	struct error err = { 0 };

	/* Die with the interface, even when busy and not reading. */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	signal(SIGPIPE, SIG_IGN);
	labout_init(fd);
	if (pyhost_start(program, &err) < 0) {
		send_failed(&err, NULL);
		_exit(1);
	}
	if (guard_start() < 0) {
		error_set(&err, NULL, 0, "cannot start the lab's watchdog thread");
		send_failed(&err, NULL);
		_exit(1);
	}
	hello();
	wire_conn_init(&conn, fd, LAB_MAX_FRAME);
	for (;;) {
		struct wire_in in;
		int type;

		while (!wire_next(&conn, &type, &in)) {
			if (conn.eof || conn.broken)
				_exit(0);   /* the interface is gone: nothing to finalise */
			pyhost_idle_begin();
			wire_fill(&conn, true);
			pyhost_idle_end();
		}
		guard_new_command();
		pyhost_drop_signals();
		switch (type) {
		case LAB_OPEN: cmd_open(&in); break;
		case LAB_CONTINUE: cmd_continue(&in); break;
		case LAB_ANSWER: cmd_answer(&in); break;
		case LAB_ASK_WHY:
			if (!program || !probe_watch_command(type, &in))
				cmd_why(&in);
			break;
		case LAB_PROBE_GRAPH:
			if (program)
				probe_watch_command(type, &in);
			break;
		case LAB_PROBE_FINISH:
			if (program)
				probe_finish();
			break;
		case LAB_COMPILE: cmd_compile(&in); break;
		case LAB_PROBE: cmd_probe(&in, &conn); break;
		default: _exit(3);   /* not a command: the interface is not ours */
		}
	}
}
