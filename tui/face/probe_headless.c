/* probe_headless.c — exclab probe for CI: the program on our own stdio, the
 * findings as a report at the end (and every N seconds), a status to fail
 * a job on. */
#define _GNU_SOURCE   /* sigabbrev_np */
#include "probe_headless.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "headless.h"
#include "model.h"
#include "util.h"

static volatile sig_atomic_t interrupts, from_terminal, terminated;

/* A terminal's Ctrl-C (si_code SI_KERNEL) reached the lab too when it
 * shares our process group; any other SIGINT must be passed on. */
static void on_sigint(int sig, siginfo_t *info, void *context)
{
	(void)sig;
	(void)context;
	interrupts++;
	if (info && info->si_code == SI_KERNEL)
		from_terminal++;
}

static void on_terminate(int sig)
{
	terminated = sig;
}

static json_object *json_text(const char *s)
{
	char *clean = headless_clean_text(s ? s : "", false);
	json_object *o = json_object_new_string(clean);

	free(clean);
	return o;
}

static const char *end_word(const struct program_end *e)
{
	switch (e->kind) {
	case PROGRAM_EXITED: return "exited";
	case PROGRAM_SIGNAL: return "signal";
	case PROGRAM_STOPPED: return "stopped";
	}
	return "?";
}

/* Exceptions kept for a while and let go before the program ended were
 * no leak: the final report leaves them out (the live view shows them,
 * marked let go). */
static bool reported(const struct model *m, const struct finding *f)
{
	return !(m->program_ended && f->kind == FINDING_KEPT && f->gone);
}

static json_object *json_finding(const struct finding *f)
{
	json_object *o = json_object_new_object(), *lines = json_object_new_array();
	const char *d = f->detail;

	json_object_object_add(o, "id", json_object_new_int64(f->id));
	json_object_object_add(o, "kind", json_object_new_string(finding_kind_key[f->kind]));
	json_object_object_add(o, "title", json_text(f->title));
	json_object_object_add(o, "raise_at", json_text(f->raise_at));
	json_object_object_add(o, "except_at", json_text(f->except_at));
	json_object_object_add(o, "store_at", json_text(f->store_at));
	json_object_object_add(o, "count", json_object_new_int64((int64_t)f->count));
	json_object_object_add(o, "bytes", json_object_new_int64((int64_t)f->bytes));
	json_object_object_add(o, "gone", json_object_new_boolean(f->gone));
	while (d && *d) {
		size_t n = strcspn(d, "\n");
		char *line = xstrndup(d, n);
		json_object_array_add(lines, json_text(line));
		free(line);
		d += n + (d[n] == '\n');
	}
	json_object_object_add(o, "detail", lines);
	return o;
}

static void json_report(FILE *f, const struct model *m, const struct probe_report_options *ro,
                        bool over, bool compact)
{
	json_object *root = json_object_new_object(), *findings = json_object_new_array();

	json_object_object_add(root, "program", json_text(m->program));
	json_object_object_add(root, "python", json_text(m->python_version));
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	json_object_object_add(root, "running", json_object_new_boolean(!m->program_ended));
	/* When it was written (Unix time): --every's reports can be put on a timeline. */
	json_object_object_add(root, "time", json_object_new_double((double)now.tv_sec +
	                                                            now.tv_nsec / 1e9));
	if (m->program_ended) {
		json_object *end = json_object_new_object();
		json_object_object_add(end, "how", json_object_new_string(end_word(&m->program_end)));
		json_object_object_add(end, m->program_end.kind == PROGRAM_SIGNAL ? "signal" : "status",
		                       json_object_new_int(m->program_end.code));
		json_object_object_add(end, "message", json_text(m->program_end.message));
		json_object_object_add(root, "end", end);
	}
	for (int i = 0; i < m->findings_len; i++)
		if (reported(m, &m->findings[i]))
			json_object_array_add(findings, json_finding(&m->findings[i]));
	json_object_object_add(root, "findings", findings);
	if (m->has_reasons) {
		json_object *r = json_object_new_object();
		json_object_object_add(r, "heap", json_object_new_int64(llround(m->reasons.heap)));
		json_object_object_add(r, "traceback_only",
		                       json_object_new_int64(llround(m->reasons.traceback_only)));
		json_object_object_add(r, "cyclic_garbage",
		                       json_object_new_int64(llround(m->reasons.cyclic_garbage)));
		json_object_object_add(r, "gc_freed", json_object_new_int64(llround(m->reasons.gc_freed)));
		json_object_object_add(r, "gc_unseen", json_object_new_boolean(m->reasons.gc_unseen));
		json_object_object_add(root, "bytes_by_reason", r);
	}
	if (ro->fail_on)
		json_object_object_add(root, "fail_on_exceeded", json_object_new_boolean(over));
	if (m->state == RUN_FAILED) {
		char text[ERROR_TEXT_MAX];
		error_format(&m->error, text, sizeof text);
		json_object_object_add(root, "error", json_text(text));
	}
	fputs(json_object_to_json_string_ext(root, (compact ? JSON_C_TO_STRING_PLAIN :
	                                            JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED) |
	                                           JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	json_object_put(root);
}

static void put_clean(FILE *f, const char *prefix, const char *s)
{
	char *clean = headless_clean_text(s, true);

	fprintf(f, "%s%s\n", prefix, clean);
	free(clean);
}

static void text_finding(FILE *f, const struct finding *x)
{
	char bytes[32], where[1600] = "", *title;
	const char *d = x->detail;

	util_fmt_bytes((double)x->bytes, bytes, sizeof bytes);
	title = xasprintf("%s %s: %s%s", x->kind == FINDING_HINT ? "•" : "✗",
	                  finding_kind_name[x->kind], x->title, x->gone ? " (since let go)" : "");
	put_clean(f, "  ", title);
	free(title);
	if (x->raise_at[0])
		snprintf(where + strlen(where), sizeof where - strlen(where), "raised at %s", x->raise_at);
	if (x->except_at[0])
		snprintf(where + strlen(where), sizeof where - strlen(where), "%scaught at %s",
		         where[0] ? ", " : "", x->except_at);
	if (x->store_at[0])
		snprintf(where + strlen(where), sizeof where - strlen(where), "%s%s at %s",
		         where[0] ? ", " : "", x->kind == FINDING_HINT && x->raise_at[0] ? "made" : "stored",
		         x->store_at);
	if (where[0])
		put_clean(f, "    ", where);
	if (x->kind != FINDING_HINT)
		fprintf(f, "    %llu %s, %s %s\n", (unsigned long long)x->count,
		        x->kind == FINDING_REUSED ? "raises" : x->kind == FINDING_CYCLE ? "cycles" :
		        "exceptions", bytes,
		        x->kind == FINDING_CYCLE ? "freed only by the garbage collector" : "kept alive");
	while (d && *d) {
		size_t n = strcspn(d, "\n");
		char *line = xstrndup(d, n);
		put_clean(f, "    ", line);
		free(line);
		d += n + (d[n] == '\n');
	}
}

static void text_report(FILE *f, const struct model *m, const struct probe_report_options *ro,
                        bool over, double elapsed)
{
	char heap[32], tb[32], cyc[32], rest[32];
	int shown = 0, hints = 0;

	for (int i = 0; i < m->findings_len; i++) {
		shown += reported(m, &m->findings[i]);
		hints += m->findings[i].kind == FINDING_HINT;
	}
	if (m->program_ended)
		fprintf(f, "exclab probe: %s: ", m->program);
	else
		fprintf(f, "exclab probe: %s, after %.0f s: ", m->program, elapsed);
	if (shown == 0)
		fprintf(f, "no exception leaks found\n");
	else
		fprintf(f, "%d finding%s, %d of them hint%s from the source\n", shown,
		        shown == 1 ? "" : "s", hints, hints == 1 ? "" : "s");
	for (int i = 0; i < m->findings_len; i++)
		if (reported(m, &m->findings[i]))
			text_finding(f, &m->findings[i]);
	if (m->has_reasons) {
		util_fmt_bytes(m->reasons.heap, heap, sizeof heap);
		util_fmt_bytes(m->reasons.traceback_only, tb, sizeof tb);
		util_fmt_bytes(m->reasons.cyclic_garbage, cyc, sizeof cyc);
		util_fmt_bytes(m->reasons.heap - m->reasons.traceback_only - m->reasons.cyclic_garbage,
		               rest, sizeof rest);
		fprintf(f, "  heap %s: %s kept only through tracebacks, %s cyclic garbage waiting for "
		        "the collector, %s the rest\n", heap, tb, cyc, rest);
		if (m->reasons.gc_unseen)
			fprintf(f, "  the program took exclab probe's entry out of gc.callbacks: the cycles "
			        "collections freed after that were not seen\n");
	}
	if (m->program_ended) {
		if (m->program_end.kind == PROGRAM_EXITED)
			fprintf(f, "  the program exited with status %d\n", m->program_end.code);
		else if (m->program_end.kind == PROGRAM_SIGNAL)
			fprintf(f, "  the program ended on an uncaught KeyboardInterrupt (SIG%s)\n",
			        sigabbrev_np(m->program_end.code));
		else
			put_clean(f, "  exclab ", m->program_end.message);
	} else if (m->state == RUN_FAILED) {
		char text[ERROR_TEXT_MAX];
		error_format(&m->error, text, sizeof text);
		put_clean(f, "  exclab: ", text);
	}
	if (ro->fail_on && over)
		fprintf(f, "  the findings pass --fail-on: exit status %d\n", PROBE_STATUS_FAIL_ON);
}

static void report(const struct model *m, const struct probe_report_options *ro, bool over,
                   double elapsed)
{
	FILE *f = stderr;

	if (ro->path && (f = fopen(ro->path, ro->every > 0 ? "a" : "w")) == NULL) {
		fprintf(stderr, "exclab probe: cannot write the report to %s\n", ro->path);
		f = stderr;
	}
	if (ro->json)
		json_report(f, m, ro, over, ro->every > 0);
	else
		text_report(f, m, ro, over, elapsed);
	fflush(f);
	if (f != stderr)
		fclose(f);
}

/* exclab's own words (a crash of the lab, a stop) to standard error: the
 * program's output does not pass through the console here. */
static void print_errors(const struct model *m, unsigned long *printed)
{
	unsigned long oldest = m->console_total - (unsigned long)m->console_len;

	if (*printed < oldest)
		*printed = oldest;
	for (; *printed < m->console_total; (*printed)++) {
		const struct console_line *l = model_console_line(m, (int)(*printed - oldest));
		if (l->kind == CONSOLE_ERROR || l->kind == CONSOLE_STDERR)
			put_clean(stderr, "exclab probe: ", l->text);
	}
}

int probe_headless(const struct runner_program *prog, const struct runner_options *opt,
                   const struct probe_report_options *ro)
{
	struct runner_program p = *prog;
	struct runner_options o = *opt;
	struct model m;
	struct runner *r = NULL;
	struct error err;
	struct sigaction sa = { .sa_sigaction = on_sigint, .sa_flags = SA_SIGINFO };
	struct sigaction st = { .sa_handler = on_terminate };
	unsigned long printed = 0;
	double start = util_now(), next_report = ro->every > 0 ? start + ro->every : 0;
	int stops = 0, taken_terminal = 0, status;
	bool over;

	p.passthrough = true;
	o.interactive = false;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&st.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &st, NULL);
	sigaction(SIGHUP, &st, NULL);

	if (ro->path) {   /* reports every N seconds are appended to it: start it empty */
		FILE *f = fopen(ro->path, "w");
		if (f)
			fclose(f);
	}
	model_init(&m);
	runner_open_program(&r, &p, &m, &o, &err);
	while (!terminated) {
		bool more = runner_tick(r);
		print_errors(&m, &printed);
		if (runner_finished(r))
			break;
		if (interrupts > stops) {
			stops++;
			if (from_terminal > taken_terminal) {
				taken_terminal++;
				runner_stop_delivered(r);
			} else {
				runner_stop(r);
			}
			continue;
		}
		if (next_report > 0 && util_now() >= next_report) {
			report(&m, ro, finding_over_limit(m.findings, m.findings_len, ro->fail_any,
			                                  ro->fail_bytes), util_now() - start);
			next_report += ro->every;
		}
		if (!more)
			runner_wait(r);
	}
	if (terminated) {
		runner_close(r);
		r = NULL;
		fprintf(stderr, "exclab probe: terminated by SIG%s\n", sigabbrev_np(terminated));
	}
	over = ro->fail_on &&
	       finding_over_limit(m.findings, m.findings_len, ro->fail_any, ro->fail_bytes);
	report(&m, ro, over, util_now() - start);
	if (terminated)
		status = 128 + terminated;
	else if (!m.program_ended || m.program_end.kind == PROGRAM_STOPPED)
		status = PROBE_STATUS_STOPPED;
	else if (m.program_end.kind == PROGRAM_SIGNAL)
		status = 128 + m.program_end.code;
	else
		status = m.program_end.code;
	if (status == 0 && over)
		status = PROBE_STATUS_FAIL_ON;
	runner_close(r);
	if (!terminated && m.program_ended && m.program_end.kind == PROGRAM_SIGNAL) {
		/* As python3 ends on an uncaught KeyboardInterrupt: by the signal. */
		int sig = m.program_end.code;
		model_free(&m);
		signal(sig, SIG_DFL);
		raise(sig);
	}
	model_free(&m);
	return status;
}
