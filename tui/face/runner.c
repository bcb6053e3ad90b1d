/* runner.c — a scenario (or exclab probe's program) run in a lab process:
 * commands out, events into the model, and the deadlines that keep the
 * interface in charge.
 *
 * The runner sends a command only while the lab is idle (runner.busy false)
 * and counts the lab busy until it says it waits, ends or answers. While it
 * is busy two clocks run: the stretch's own deadline (its time limit, from
 * LAB_BUSY) and, after the learner's Ctrl-C, the grace period. Past either,
 * plus RUNNER_GRACE, the lab is killed and the learner told why. */
#define _GNU_SOURCE   /* sigabbrev_np */
#include "runner.h"

#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "labproc.h"
#include "util.h"

/* Events taken per tick at most: output a flood of lines and the interface
 * still draws and reads keys between batches. */
#define EVENTS_PER_TICK 256
/* After its socket closes, how long a lab gets to exit before it is killed. */
#define EXIT_WAIT 0.5
/* How long a program's lab gets to finalise the interpreter at the end. */
#define FINISH_WAIT 5.0

struct runner {
	char *path;
	struct model *m;
	struct runner_options opt;
	struct labproc lab;
	bool lab_gone;           /* ended, killed, or never started */
	double eof_at;           /* when its socket closed (0: open) */

	bool busy;               /* a command is out; the lab has not said it waits */
	enum busy_kind busy_kind;
	char busy_what[600];     /* what the lab runs, for the report if it must be killed */
	double busy_limit;       /* that stretch's limit */
	char busy_limit_text[96];/* and which it is: "its time limit of 10.0 s" */
	double deadline;         /* past this (and the grace), the lab is killed */
	double stop_at;          /* when the learner asked to stop; 0: not asked */

	bool early_start;        /* space came while loading: start step 1 once ready */
	int replay_to;           /* replaying until the wait before this step (0-based); -1: not */
	bool run_all;
	bool has_exercise;
	struct exercise_info exercise;
	char *question;          /* the prediction last asked, for headless */
	bool program;            /* exclab probe: a program, not a scenario */
	struct runner_program prog; /* its strings are our copies */
	int stops;               /* the program's Ctrl-Cs so far: the second ends it */
	bool compiled;           /* runner_compile's answer arrived */
	struct error compile_err;
	bool compile_ok;
};

/* ---- commands ----------------------------------------------------------- */

static void lab_died(struct runner *r, const char *why);

/* Send a command; the lab is busy until it answers. Commands that run the
 * scenario put the run in RUN_RUNNING; questions about it (why, compile)
 * leave its state as it was. */
static void send(struct runner *r, struct wire_out *w, bool runs_scenario)
{
	if (r->lab_gone) {
		wire_out_free(w);
		return;
	}
	r->busy = true;
	r->deadline = 0;
	if (runs_scenario)
		model_running(r->m);
	if (labproc_send(&r->lab, w) < 0)
		lab_died(r, "stopped listening");
	wire_out_free(w);
}

/* Go on to the next wait; a replay goes at full speed, whatever the pace. */
static void send_continue(struct runner *r)
{
	struct wire_out w = { 0 };

	wire_begin(&w, LAB_CONTINUE);
	wire_f64(&w, r->replay_to >= 0 ? 0 : r->opt.pace);
	send(r, &w, true);
}

/* ---- ending ------------------------------------------------------------- */

/* The run is over: nothing is asked of the learner any more. */
static void end_run(struct runner *r)
{
	r->busy = false;
	r->stop_at = 0;
	model_ask_done(r->m);
}

/* The run failed: the error in the console, and as the run's own. */
static void fail_run(struct runner *r, const struct error *err)
{
	char text[ERROR_TEXT_MAX];

	end_run(r);
	error_format(err, text, sizeof text);
	model_console(r->m, CONSOLE_ERROR, "✗ %s", text);
	model_failed(r->m, err);
}

/* The learner's stop ended the run, as `how` says. */
static void stop_run(struct runner *r, const char *how)
{
	end_run(r);
	model_console(r->m, CONSOLE_INFO, "Stopped: %s", how);
	model_stopped(r->m, how);
}

/* Whatever the lab still had to say on its stdout and stderr. */
static void drain_output(struct runner *r)
{
	char line[LAB_MAX_LINE + 1];

	while (labproc_output_line(&r->lab, line, sizeof line))
		model_console(r->m, CONSOLE_STDERR, "%s", line);
}

static void step_words(const struct runner *r, char *buf, size_t size)
{
	if (r->m->steps_len > 0)
		snprintf(buf, size, " in step %d (%s)", r->m->step_index + 1, r->m->step_title);
	else
		snprintf(buf, size, " while loading the scenario");
}

/* The program's lab ended before the program's end was reported: the
 * program ended the process itself (os._exit, a signal), as it would have
 * ended python3's; its exit handlers and the final findings did not run. */
static void program_gone(struct runner *r)
{
	struct program_end e = { .kind = PROGRAM_EXITED };

	end_run(r);
	if (labproc_crashed(&r->lab)) {
		e.kind = PROGRAM_SIGNAL;
		e.code = WTERMSIG(r->lab.status);
		model_console(r->m, CONSOLE_ERROR, "✗ The program was killed by SIG%s (%s); the "
		              "findings are those found before.", sigabbrev_np(e.code), strsignal(e.code));
	} else {
		e.code = WEXITSTATUS(r->lab.status);
		model_console(r->m, CONSOLE_INFO, "The program ended the process itself with status %d "
		              "(os._exit?): no exit handlers ran; the findings are those found before.",
		              e.code);
	}
	model_program_ended(r->m, &e);
}

/* The lab is gone: kill what is left of it, and say what happened. */
static void lab_died(struct runner *r, const char *why)
{
	char how[200], where[300];
	struct error err;

	if (r->lab_gone)
		return;
	labproc_close(&r->lab);
	r->lab_gone = true;
	drain_output(r);
	labproc_describe_end(&r->lab, how, sizeof how);
	step_words(r, where, sizeof where);
	if (model_over(r->m)) {
		model_console(r->m, CONSOLE_INFO, "The lab has ended (%s); press r for a fresh one.", how);
		return;
	}
	if (r->program && !why) {
		program_gone(r);
		return;
	}
	if (why)
		error_set(&err, NULL, 0, "The lab %s (%s), while running %s%s. Press r for a fresh lab.",
		          why, how, r->busy_what, where);
	else if (labproc_crashed(&r->lab))
		error_set(&err, NULL, 0, "The lab crashed: %s, while running %s%s. "
		          "Press r for a fresh lab.", how, r->busy_what, where);
	else
		error_set(&err, NULL, 0, "The lab ended: it %s while running %s%s "
		          "(os._exit, or sys.exit in a thread?). Press r for a fresh lab.",
		          how, r->busy_what, where);
	fail_run(r, &err);
}

/* Kill a lab that did not stop in time, and say why it had to be. */
static void kill_overdue(struct runner *r, double now)
{
	char where[300], how[1200];
	bool asked = r->stop_at > 0 && now - r->stop_at >= RUNNER_GRACE;
	struct error err;

	labproc_close(&r->lab);
	r->lab_gone = true;
	drain_output(r);
	step_words(r, where, sizeof where);
	if (r->program) {
		struct program_end e = { .kind = PROGRAM_STOPPED };
		snprintf(e.message, sizeof e.message, "stopped: the program ran past %s and did not "
		         "stop when interrupted, so it was ended", r->busy_limit_text);
		end_run(r);
		model_console(r->m, CONSOLE_INFO, "Stopped: %s", e.message + strlen("stopped: "));
		model_program_ended(r->m, &e);
		return;
	}
	if (asked) {
		snprintf(how, sizeof how, "the lab did not stop within %.0f s of Ctrl-C (running %s%s), "
		         "so it was ended. Press r for a fresh lab.", RUNNER_GRACE, r->busy_what, where);
		stop_run(r, how);
		return;
	}
	error_set(&err, NULL, 0, "%s ran past %s%s and did not stop when interrupted (%s), so the "
	          "lab was ended. Press r for a fresh lab.", r->busy_what, r->busy_limit_text, where,
	          r->busy_kind == BUSY_LUA ? "a Lua library call that loops in C?"
	                                   : "C code that ignores signals, or a loop that "
	                                     "catches KeyboardInterrupt?");
	fail_run(r, &err);
}

/* ---- events ------------------------------------------------------------- */

static void on_hello(struct runner *r, struct wire_in *in)
{
	char version[32];
	double threshold0;

	wire_get_strbuf(in, version, sizeof version);
	wire_get_i32(in);   /* major, minor, micro: the version string says it */
	wire_get_i32(in);
	wire_get_i32(in);
	threshold0 = wire_get_i32(in);
	model_set_python(r->m, version, threshold0);
}

static void on_scenario(struct runner *r, struct wire_in *in)
{
	char title[128], file[512];
	int steps;
	double heap_cap;

	wire_get_strbuf(in, title, sizeof title);
	wire_get_strbuf(in, file, sizeof file);
	steps = wire_get_i32(in);
	heap_cap = wire_get_f64(in);
	exercise_info_free(&r->exercise);
	r->has_exercise = labproto_get_exercise(in, &r->exercise);
	model_set_scenario(r->m, title, file, steps, heap_cap);
}

static void on_settings(struct runner *r, struct wire_in *in)
{
	unsigned shown = wire_get_u32(in);
	char watch[128], roots[256];

	wire_get_strbuf(in, watch, sizeof watch);
	wire_get_strbuf(in, roots, sizeof roots);
	model_set_settings(r->m, shown, watch, roots);
}

static void on_step(struct runner *r, struct wire_in *in)
{
	int i = wire_get_i32(in);
	char title[160];

	wire_get_strbuf(in, title, sizeof title);
	model_begin_step(r->m, i, title);
	if (r->opt.verify)
		model_console(r->m, CONSOLE_STEP, "▶ %s", title);
	else
		model_console(r->m, CONSOLE_STEP, "▶ Step %d/%d: %s", i + 1, r->m->step_count, title);
}

static void on_check(struct runner *r, struct wire_in *in)
{
	bool passed = wire_get_u8(in);
	char *msg = wire_get_str(in), *detail = wire_get_str(in), *where = wire_get_str(in);
	struct value expected, got;

	labproto_get_value(in, &expected);
	labproto_get_value(in, &got);
	model_add_check(r->m, passed, msg, detail, where, &expected, &got);
	value_free(&expected);
	value_free(&got);
	model_console(r->m, passed ? CONSOLE_PASS : CONSOLE_FAIL, "%s %s (%s)",
	              passed ? "✓" : "✗", msg, detail);
	free(msg);
	free(detail);
	free(where);
}

static void on_ask(struct runner *r, struct wire_in *in)
{
	char *choices[LAB_MAX_CHOICES];
	unsigned n;

	free(r->question);
	r->question = wire_get_str(in);
	n = wire_get_u8(in);
	if (n > LAB_MAX_CHOICES)
		n = LAB_MAX_CHOICES;
	for (unsigned i = 0; i < n; i++)
		choices[i] = wire_get_str(in);
	/* Even when running all, a learner is asked: a prediction nobody saw
	 * is never scored. A replay asks nothing: those steps were seen. */
	if (r->opt.interactive && r->replay_to < 0)
		model_ask(r->m, r->question, (const char *const *)choices, (int)n);
	for (unsigned i = 0; i < n; i++)
		free(choices[i]);
}

static void on_prediction(struct runner *r, struct wire_in *in)
{
	char *question = wire_get_str(in), *guess, *actual;
	bool guessed = wire_get_u8(in), right;

	guess = wire_get_str(in);
	actual = wire_get_str(in);
	right = wire_get_u8(in);
	model_add_prediction(r->m, question, guessed ? guess : NULL, actual, right);
	model_console(r->m, CONSOLE_PREDICT, "%s", r->m->reveal);
	free(question);
	free(guess);
	free(actual);
}

static void on_busy(struct runner *r, struct wire_in *in)
{
	r->busy_kind = (enum busy_kind)wire_get_u8(in);
	r->busy_limit = wire_get_f64(in);
	wire_get_strbuf(in, r->busy_what, sizeof r->busy_what);
	wire_get_strbuf(in, r->busy_limit_text, sizeof r->busy_limit_text);
	r->deadline = r->busy_limit > 0 ? util_now() + r->busy_limit + RUNNER_GRACE : 0;
}

/* Wait for the learner, or go on by ourselves when nobody is asked. */
static void on_wait(struct runner *r, struct wire_in *in)
{
	enum wait_kind why = (enum wait_kind)wire_get_u8(in);
	int step = wire_get_i32(in);
	char text[256];
	bool ask_learner = r->opt.interactive && !r->run_all;

	wire_get_strbuf(in, text, sizeof text);
	r->busy = false;
	r->stop_at = 0;
	if (why == WAIT_STEP && r->replay_to >= 0 && step >= r->replay_to) {
		/* The jump's target: the replay ends, and the run waits here. */
		if (step == 1)
			model_console(r->m, CONSOLE_INFO, "Replayed step 1; step 2 waits.");
		else if (step > 1)
			model_console(r->m, CONSOLE_INFO, "Replayed steps 1-%d; step %d waits.", step,
			              step + 1);
		r->replay_to = -1;
		ask_learner = r->opt.interactive;
		r->early_start = false;
	} else if (r->replay_to >= 0) {
		ask_learner = false;
	} else if (why == WAIT_PREDICT && r->opt.interactive) {
		ask_learner = true;
	}
	if (why == WAIT_STEP && r->early_start) {
		/* Only ever the first step: a later key never skips a wait. */
		r->early_start = false;
		ask_learner = false;
	}
	if (ask_learner) {
		if (why == WAIT_STEP)
			model_before_step(r->m, step, text);
		else if (why == WAIT_PAUSE)
			model_paused(r->m, text);
		/* WAIT_PREDICT: LAB_ASK made the model ask already. */
		return;
	}
	if (why == WAIT_PAUSE) {
		model_console(r->m, CONSOLE_INFO, "%s", text);
	} else if (why == WAIT_PREDICT) {
		struct wire_out w = { 0 };
		if (r->replay_to < 0)
			model_console(r->m, CONSOLE_INFO, "Predict: %s", r->question ? r->question : "");
		wire_begin(&w, LAB_ANSWER);
		wire_u8(&w, 0);
		wire_str(&w, "");
		send(r, &w, true);
		return;
	}
	send_continue(r);
}

static void on_done(struct runner *r)
{
	struct model *m = r->m;

	r->replay_to = -1;
	end_run(r);
	model_done(m);
	if (r->opt.verify && m->checks_failed == 0 && m->checks_passed > 0)
		model_console(m, CONSOLE_PASS, "✓ Verified: all %d checks hold.", m->checks_passed);
	else if (r->opt.verify)
		model_console(m, CONSOLE_FAIL, "✗ Not verified: %d of %d checks failed.",
		              m->checks_failed, m->checks_passed + m->checks_failed);
	else
		model_console(m, CONSOLE_INFO, "Scenario finished: %d check%s passed, %d failed.",
		              m->checks_passed, m->checks_passed == 1 ? "" : "s", m->checks_failed);
}

/* A failure in the scenario: its Python traceback, if any, then the error. */
static void on_failed(struct runner *r, struct wire_in *in)
{
	struct error err;
	char *traceback;
	size_t len;

	labproto_get_error(in, &err);
	traceback = wire_get_str(in);
	len = strlen(traceback);
	for (size_t at = 0; at < len;) {
		size_t n = strcspn(traceback + at, "\n");
		model_console(r->m, CONSOLE_STDERR, "%.*s", (int)n, traceback + at);
		at += n + 1;
	}
	free(traceback);
	fail_run(r, &err);
}

static void on_stopped(struct runner *r, struct wire_in *in)
{
	char msg[1024];

	wire_get_strbuf(in, msg, sizeof msg);
	stop_run(r, msg);
}

static void on_why(struct runner *r, struct wire_in *in)
{
	uint64_t addr = wire_get_u64(in);
	uint32_t n = wire_get_u32(in);
	char **lines;

	if (n > in->left / 4)
		n = 0;
	lines = xcalloc(n ? n : 1, sizeof *lines);
	for (uint32_t i = 0; i < n; i++)
		lines[i] = wire_get_str(in);
	if (!r->program)   /* a program's questions are answered aside */
		r->busy = false;
	model_set_why(r->m, (uintptr_t)addr, (const char *const *)lines, (int)n);
	for (uint32_t i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

static void on_program(struct runner *r, struct wire_in *in)
{
	char what[512], input[64];

	wire_get_strbuf(in, what, sizeof what);
	wire_get_strbuf(in, input, sizeof input);
	model_set_program(r->m, what, input);
	if (input[0])
		model_console(r->m, CONSOLE_INFO, "Running %s (its standard input is %s: the "
		              "interactive view gives it no input; use --headless for that).", what, input);
	else
		model_console(r->m, CONSOLE_INFO, "Running %s", what);
}

static void on_finding(struct runner *r, struct wire_in *in)
{
	struct finding f;

	labproto_get_finding(in, &f);
	if (!in->bad)
		model_set_finding(r->m, &f);
	finding_free(&f);
}

static void on_exited(struct runner *r, struct wire_in *in)
{
	struct program_end e;

	labproto_get_end(in, &e);
	end_run(r);
	if (e.kind == PROGRAM_EXITED)
		model_console(r->m, CONSOLE_INFO, "The program exited with status %d.", e.code);
	else if (e.kind == PROGRAM_SIGNAL)
		model_console(r->m, CONSOLE_INFO, "The program ended on an uncaught KeyboardInterrupt "
		              "(python3 then ends itself by SIG%s).", sigabbrev_np(e.code));
	else
		model_console(r->m, CONSOLE_INFO, "Stopped: %s", e.message + (strncmp(e.message,
		              "stopped: ", 9) == 0 ? 9 : 0));
	model_program_ended(r->m, &e);
}

static void on_compiled(struct runner *r, struct wire_in *in)
{
	r->compile_ok = wire_get_u8(in);
	labproto_get_error(in, &r->compile_err);
	r->compiled = true;
	r->busy = false;
}

static void on_sample(struct runner *r, struct wire_in *in)
{
	enum sample_kind kind = (enum sample_kind)wire_get_u8(in);
	struct probe_sample s;
	char *label, *where;

	labproto_get_sample(in, &s);
	label = wire_get_str(in);
	where = wire_get_str(in);
	if (kind == SAMPLE_AFTER_JOB)
		model_record_job_sample(r->m, &s, label, where);
	else if (kind == SAMPLE_STEP_START)
		model_record_step_start(r->m, &s, label);
	else
		model_push_sample(r->m, &s);
	free(label);
	free(where);
}

static void on_event(struct runner *r, int type, struct wire_in *in)
{
	struct graph *g;

	switch (type) {
	case LAB_HELLO: on_hello(r, in); break;
	case LAB_SCENARIO: on_scenario(r, in); break;
	case LAB_SETTINGS: on_settings(r, in); break;
	case LAB_CONSOLE: {
		unsigned kind = wire_get_u8(in);
		char *text = wire_get_str(in);
		model_console(r->m, kind < CONSOLE_KIND_COUNT ? (enum console_kind)kind : CONSOLE_OUTPUT,
		              "%s", text);
		free(text);
		break;
	}
	case LAB_SAMPLE: on_sample(r, in); break;
	case LAB_SAMPLE_NAME: {
		double t = wire_get_f64(in);
		char *name = wire_get_str(in);
		model_name_sample(r->m, t, name);
		free(name);
		break;
	}
	case LAB_CAPTURE: {
		struct lab_capture c;
		labproto_get_capture(in, &c);
		model_add_capture(r->m, &c);
		break;
	}
	case LAB_GRAPH:
		g = labproto_get_graph(in);
		if (g)
			model_set_graph(r->m, g);
		break;
	case LAB_STEP: on_step(r, in); break;
	case LAB_CHECK: on_check(r, in); break;
	case LAB_ASK: on_ask(r, in); break;
	case LAB_PREDICTION: on_prediction(r, in); break;
	case LAB_BUSY: on_busy(r, in); break;
	case LAB_WAIT: on_wait(r, in); break;
	case LAB_DONE: on_done(r); break;
	case LAB_FAILED: on_failed(r, in); break;
	case LAB_STOPPED: on_stopped(r, in); break;
	case LAB_WHY: on_why(r, in); break;
	case LAB_COMPILED: on_compiled(r, in); break;
	case LAB_PROGRAM: on_program(r, in); break;
	case LAB_FINDING: on_finding(r, in); break;
	case LAB_REASONS: {
		struct probe_reasons reasons;
		labproto_get_reasons(in, &reasons);
		model_set_reasons(r->m, &reasons);
		break;
	}
	case LAB_EXITED: on_exited(r, in); break;
	default: in->bad = true; break;
	}
	if (in->bad)
		lab_died(r, "sent something that is not an event, so it was ended");
}

/* ---- the run ------------------------------------------------------------ */

bool runner_tick(struct runner *r)
{
	struct wire_in in;
	double now;
	int type, taken = 0;
	char line[LAB_MAX_LINE + 1];

	if (r == NULL || r->lab_gone)
		return false;
	wire_fill(&r->lab.conn, false);
	while (taken < EVENTS_PER_TICK && !r->lab_gone && wire_next(&r->lab.conn, &type, &in)) {
		on_event(r, type, &in);
		taken++;
	}
	for (int i = 0; i < EVENTS_PER_TICK && labproc_output_line(&r->lab, line, sizeof line); i++)
		model_console(r->m, CONSOLE_STDERR, "%s", line);
	if (r->lab_gone)
		return false;
	if (taken == EVENTS_PER_TICK)
		return true;   /* more may be waiting: the caller comes back at once */
	if (r->lab.conn.broken) {
		lab_died(r, "sent a frame too long or malformed, so it was ended");
		return false;
	}
	now = util_now();
	if (r->lab.conn.eof) {
		if (r->eof_at == 0)
			r->eof_at = now;
		if (labproc_ended(&r->lab))
			lab_died(r, NULL);
		else if (now - r->eof_at >= EXIT_WAIT)
			lab_died(r, "closed its connection (did the scenario close file descriptor 3?), "
			            "so it was ended");
		return false;
	}
	if (r->busy && ((r->deadline > 0 && now >= r->deadline) ||
	                (r->stop_at > 0 && now - r->stop_at >= RUNNER_GRACE)))
		kill_overdue(r, now);
	return false;
}

double runner_wait_fds(const struct runner *r, int fds[2])
{
	double wait = 1.0, now = util_now();

	fds[0] = fds[1] = -1;
	if (r == NULL || r->lab_gone)
		return wait;
	fds[0] = r->lab.conn.eof ? -1 : r->lab.conn.fd;
	fds[1] = r->lab.out_fd;
	if (r->lab.conn.eof)
		wait = 0.05;   /* waiting for it to exit */
	if (r->busy && r->deadline > 0 && r->deadline - now < wait)
		wait = r->deadline - now;
	if (r->busy && r->stop_at > 0 && r->stop_at + RUNNER_GRACE - now < wait)
		wait = r->stop_at + RUNNER_GRACE - now;
	return wait > 0 ? wait : 0;
}

static int start_program(struct runner *r, struct error *err)
{
	struct wire_out w = { 0 };

	model_reset_run(r->m);
	model_reset_series(r->m);
	model_set_program(r->m, r->prog.target, "");
	model_set_settings(r->m, 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_GC0 |
	                   1u << PROBE_GC_RUNS, "", "");
	r->busy = false;
	r->stop_at = r->eof_at = 0;
	r->stops = 0;
	snprintf(r->busy_what, sizeof r->busy_what, "the program %s", r->prog.target);
	r->lab_gone = false;
	if (labproc_start_program(&r->lab, r->prog.passthrough, err) < 0) {
		r->lab_gone = true;
		fail_run(r, err);
		return -1;
	}
	wire_begin(&w, LAB_PROBE);
	wire_u8(&w, r->prog.module);
	wire_str(&w, r->prog.target);
	wire_u32(&w, (uint32_t)r->prog.nargs);
	for (int i = 0; i < r->prog.nargs; i++)
		wire_str(&w, r->prog.args[i]);
	wire_f64(&w, r->opt.time_limit);
	wire_u64(&w, r->opt.heap_cap);
	wire_u8(&w, r->prog.passthrough);
	send(r, &w, true);
	return 0;
}

static int start(struct runner *r, struct error *err)
{
	struct wire_out w = { 0 };

	if (r->program)
		return start_program(r, err);

	model_reset_run(r->m);
	model_reset_series(r->m);
	model_set_scenario(r->m, "", r->path, 0, 0);
	model_set_settings(r->m, 1u << PROBE_HEAP | 1u << PROBE_RSS, "", "");
	r->run_all = r->early_start = false;
	r->busy = false;
	r->stop_at = r->eof_at = 0;
	snprintf(r->busy_what, sizeof r->busy_what, "the scenario's start-up");
	exercise_info_free(&r->exercise);
	r->has_exercise = false;
	r->lab_gone = false;
	if (labproc_start(&r->lab, err) < 0) {
		r->lab_gone = true;
		fail_run(r, err);
		return -1;
	}
	wire_begin(&w, LAB_OPEN);
	wire_str(&w, r->path);
	wire_u8(&w, r->opt.verify != NULL);
	wire_str(&w, r->opt.verify);
	wire_f64(&w, r->opt.time_limit);
	wire_f64(&w, r->opt.step_time_limit);
	wire_u64(&w, r->opt.heap_cap);
	wire_i64(&w, r->opt.lua_instructions);
	wire_u64(&w, r->opt.lua_memory);
	wire_str(&w, r->opt.source);
	send(r, &w, true);
	model_loading(r->m);
	return 0;
}

int runner_open(struct runner **out, const char *path, struct model *m,
                const struct runner_options *opt, struct error *err)
{
	struct runner *r = xcalloc(1, sizeof *r);

	r->path = xstrdup(path);
	r->m = m;
	r->opt = *opt;
	r->opt.source = opt->source ? xstrdup(opt->source) : NULL;
	r->replay_to = opt->from_step > 1 ? opt->from_step - 1 : -1;
	*out = r;
	return start(r, err);
}

int runner_open_program(struct runner **out, const struct runner_program *prog, struct model *m,
                        const struct runner_options *opt, struct error *err)
{
	struct runner *r = xcalloc(1, sizeof *r);
	char **args = xcalloc((size_t)prog->nargs + 1, sizeof *args);

	for (int i = 0; i < prog->nargs; i++)
		args[i] = xstrdup(prog->args[i]);
	r->program = true;
	r->prog = *prog;
	r->prog.target = r->path = xstrdup(prog->target);
	r->prog.args = args;
	r->m = m;
	r->opt = *opt;
	*out = r;
	return start(r, err);
}

/* A program's lab, once the program has ended, finishes as python3 does
 * (module teardown, finalizers, unflushed files): it is given FINISH_WAIT
 * seconds for that before it is killed. */
static void finish_program(struct runner *r)
{
	struct wire_out w = { 0 };
	double until = util_now() + FINISH_WAIT;
	char line[LAB_MAX_LINE + 1];

	if (r->lab_gone || !r->m->program_ended)
		return;
	wire_begin(&w, LAB_PROBE_FINISH);
	if (labproc_send(&r->lab, &w) == 0) {
		while (!labproc_ended(&r->lab) && util_now() < until) {
			while (labproc_output_line(&r->lab, line, sizeof line))
				;   /* nobody reads it any more; it must not fill the pipe */
			poll(NULL, 0, 10);
		}
	}
	wire_out_free(&w);
}

void runner_close(struct runner *r)
{
	if (r == NULL)
		return;
	if (r->program)
		finish_program(r);
	for (int i = 0; r->program && i < r->prog.nargs; i++)
		free(r->prog.args[i]);
	if (r->program)
		free((char **)r->prog.args);
	labproc_close(&r->lab);
	exercise_info_free(&r->exercise);
	free(r->question);
	free((char *)r->opt.source);
	free(r->path);
	free(r);
}

int runner_restart(struct runner *r, struct error *err)
{
	labproc_close(&r->lab);
	r->replay_to = -1;
	return start(r, err);
}

int runner_jump(struct runner *r, int step, struct error *err)
{
	int count = r->m->step_count;

	if (step < 1 || (count > 0 && step > count)) {
		error_set(err, NULL, 0, "there is no step %d: the scenario has %d step%s", step, count,
		          count == 1 ? "" : "s");
		return -1;
	}
	labproc_close(&r->lab);
	r->replay_to = step - 1;
	if (start(r, err) < 0)
		return -1;
	if (step > 1)
		model_console(r->m, CONSOLE_INFO, "Going to step %d: replaying the steps before it.", step);
	return 0;
}

bool runner_replaying(const struct runner *r)
{
	return r != NULL && r->replay_to >= 0 && !model_over(r->m);
}

void runner_continue(struct runner *r)
{
	if (r == NULL)
		return;
	if (r->m->state == RUN_LOADING) {
		r->early_start = true;   /* step 1 begins as soon as it may */
		return;
	}
	/* A prediction is answered with runner_answer, or skipped. */
	if (r->m->state == RUN_BEFORE_STEP || r->m->state == RUN_PAUSED)
		send_continue(r);
}

void runner_answer(struct runner *r, const char *answer)
{
	struct wire_out w = { 0 };

	if (r == NULL || r->m->state != RUN_ASKING)
		return;
	model_ask_done(r->m);
	wire_begin(&w, LAB_ANSWER);
	wire_u8(&w, answer != NULL);
	wire_str(&w, answer);
	send(r, &w, true);
}

const struct exercise_info *runner_exercise(const struct runner *r)
{
	return r && r->has_exercise ? &r->exercise : NULL;
}

void runner_run_all(struct runner *r)
{
	if (r == NULL)
		return;
	r->run_all = true;
	runner_continue(r);   /* a question waits for its answer all the same */
}

/* A program's Ctrl-C: one KeyboardInterrupt, as python3 takes it; the
 * second ends the program (and the lab). */
static void stop_program(struct runner *r, bool delivered)
{
	struct program_end e = { .kind = PROGRAM_STOPPED };

	if (++r->stops == 1) {
		if (!delivered)
			labproc_interrupt(&r->lab);
		model_console(r->m, CONSOLE_INFO, "Ctrl-C: KeyboardInterrupt in the program; a second "
		              "Ctrl-C ends it.");
		return;
	}
	labproc_close(&r->lab);
	r->lab_gone = true;
	drain_output(r);
	end_run(r);
	snprintf(e.message, sizeof e.message, "stopped: a second Ctrl-C ended the program");
	model_console(r->m, CONSOLE_INFO, "Stopped: a second Ctrl-C ended the program.");
	model_program_ended(r->m, &e);
}

void runner_stop_delivered(struct runner *r)
{
	if (r != NULL && r->program && r->busy && !r->lab_gone)
		stop_program(r, true);
}

void runner_stop(struct runner *r)
{
	if (r == NULL || !r->busy || r->lab_gone)
		return;
	if (r->program) {
		stop_program(r, false);
		return;
	}
	r->run_all = false;
	if (r->stop_at == 0)
		r->stop_at = util_now();
	labproc_interrupt(&r->lab);
}

/* A question about a program's objects: the lab answers it at once, while
 * the program runs or after, so it does not make the lab busy. */
static int ask(struct runner *r, struct wire_out *w)
{
	int rc = labproc_send(&r->lab, w);

	wire_out_free(w);
	return rc;
}

int runner_why(struct runner *r, uintptr_t addr)
{
	struct wire_out w = { 0 };

	if (r == NULL || r->lab_gone || (r->busy && !r->program))
		return -1;
	model_set_why(r->m, addr, NULL, 0);
	wire_begin(&w, LAB_ASK_WHY);
	wire_u64(&w, addr);
	if (r->program)
		return ask(r, &w);
	send(r, &w, false);
	return 0;
}

int runner_finding_graph(struct runner *r, uint32_t id)
{
	struct wire_out w = { 0 };

	const struct finding *f = r ? model_finding(r->m, id) : NULL;
	unsigned shown = 0;
	char title[256];

	if (r == NULL || r->lab_gone || !r->program || f == NULL)
		return -1;
	for (int i = 0; i < PROBE_COUNT; i++)
		shown |= r->m->shown[i] ? 1u << i : 0;
	snprintf(title, sizeof title, "%.200s", f->title);
	model_set_settings(r->m, shown, "", title);   /* the graph view's title */
	wire_begin(&w, LAB_PROBE_GRAPH);
	wire_u32(&w, id);
	return ask(r, &w);
}

/* Poll the lab's descriptors and `also` (-1: none) for at most `limit`
 * seconds, or less when the runner has a deadline sooner. */
static void wait_on(const struct runner *r, int also, double limit)
{
	int fds[2];
	struct pollfd p[3];
	double wait = runner_wait_fds(r, fds);

	if (limit < wait)
		wait = limit;
	for (int i = 0; i < 2; i++)
		p[i] = (struct pollfd){ .fd = fds[i], .events = POLLIN };
	p[2] = (struct pollfd){ .fd = also, .events = POLLIN };
	poll(p, 3, wait > 0 ? (int)(wait * 1000) + 1 : 0);
}

void runner_wait(const struct runner *r)
{
	wait_on(r, -1, 1e9);
}

void runner_wait_or_key(const struct runner *r, double limit)
{
	wait_on(r, STDIN_FILENO, limit);
}

void runner_settle(struct runner *r)
{
	while (r->busy && !r->lab_gone)
		if (!runner_tick(r) && r->busy)
			runner_wait(r);
}

int runner_compile(struct runner *r, const char *path, struct error *err)
{
	struct wire_out w = { 0 };

	runner_settle(r);
	r->compiled = false;
	wire_begin(&w, LAB_COMPILE);
	wire_str(&w, path);
	send(r, &w, false);
	while (!r->compiled && !r->lab_gone)
		if (!runner_tick(r) && !r->compiled)
			runner_wait(r);
	if (!r->compiled) {
		error_set(err, path, 0, "cannot compile: the lab has ended");
		return -1;
	}
	if (!r->compile_ok) {
		*err = r->compile_err;
		return -1;
	}
	return 0;
}

bool runner_busy(const struct runner *r)
{
	return r && r->busy && !r->lab_gone;
}

bool runner_finished(const struct runner *r)
{
	return r == NULL || model_over(r->m);
}
