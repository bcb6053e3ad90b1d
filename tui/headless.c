/* headless.c — a scenario without a terminal, for tests, CI and teachers.
 *
 * Text mode streams the console as it grows. JSON mode prints one document at
 * the end: the steps with the samples after each Python job, and the checks. */
#include "headless.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "probe.h"
#include "pyhost.h"
#include "util.h"

static volatile sig_atomic_t interrupts;

static void on_signal(int sig)
{
	interrupts++;
	if (interrupts > 1)
		signal(sig, SIG_DFL);
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_sample(FILE *f, const struct probe_sample *s)
{
	fputc('{', f);
	for (int id = 0, first = 1; id < PROBE_COUNT; id++) {
		if (!(s->have & (1u << id)))
			continue;
		fprintf(f, "%s\"%s\": %.0f", first ? "" : ", ", probe_info[id].key, s->v[id]);
		first = 0;
	}
	fputc('}', f);
}

/* The last error line of a run (without its mark), or "" when none. */
static const char *headless_error(const struct model *m)
{
	for (int i = m->console_len - 1; i >= 0; i--) {
		const struct console_line *l = model_console_line(m, i);
		if (l->kind == CONSOLE_ERROR)
			return strncmp(l->text, "✗ ", strlen("✗ ")) == 0 ? l->text + strlen("✗ ") : l->text;
	}
	return "";
}

static void json_report(FILE *f, const struct model *m)
{
	fputs("{\n  \"scenario\": ", f);
	json_string(f, m->scenario_file);
	fputs(",\n  \"title\": ", f);
	json_string(f, m->scenario_title);
	fputs(",\n  \"python\": ", f);
	json_string(f, m->python_version);
	fputs(",\n  \"steps\": [", f);
	for (int i = 0; i < m->steps_len; i++) {
		const struct step_record *st = &m->steps[i];
		int end = i + 1 < m->steps_len ? m->steps[i + 1].checks_from : m->checks_len;

		fputs(i ? ",\n    {\"title\": " : "\n    {\"title\": ", f);
		json_string(f, st->title);
		fputs(", \"samples\": [", f);
		for (int k = 0; k < st->samples_len; k++) {
			if (k)
				fputs(", ", f);
			json_sample(f, &st->samples[k]);
		}
		fputs("], \"checks\": [", f);
		for (int c = st->checks_from; c < end; c++) {
			const struct check_result *ck = &m->checks[c];
			fprintf(f, "%s{\"passed\": %s, \"message\": ", c > st->checks_from ? ", " : "",
			        ck->passed ? "true" : "false");
			json_string(f, ck->message);
			fputs(", \"detail\": ", f);
			json_string(f, ck->detail);
			fputs(", \"where\": ", f);
			json_string(f, ck->where);
			fputc('}', f);
		}
		fputs("]}", f);
	}
	fprintf(f, "\n  ],\n  \"passed\": %d,\n  \"failed\": %d,\n  \"error\": ",
	        m->checks_passed, m->checks_failed);
	if (m->state == RUN_FAILED || m->state == RUN_STOPPED) {
		json_string(f, headless_error(m)[0] ? headless_error(m) : "stopped");
	} else {
		fputs("null", f);
	}
	fputs("\n}\n", f);
}

static int exit_status(const struct model *m)
{
	return m->state != RUN_DONE ? 2 : m->checks_failed ? 1 : 0;
}

static const char *prefix(enum console_kind kind)
{
	switch (kind) {
	case CONSOLE_STDERR: return "  python stderr: ";
	case CONSOLE_OUTPUT: return "  ";
	case CONSOLE_SAMPLE: return "  = ";
	case CONSOLE_GC: return "  ";
	case CONSOLE_PASS:
	case CONSOLE_FAIL: return "  ";
	default: return "";
	}
}

int headless_run(const char *scenario, bool json, const struct runner_options *opt)
{
	struct model m;
	struct runner *r = NULL;
	struct error err;
	unsigned long printed = 0;
	int status;
	struct runner_options o = *opt;
	struct sigaction sa = { .sa_handler = on_signal };

	o.interactive = false;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	model_init(&m);
	runner_open(&r, scenario, &m, &o, &err);
	runner_run_all(r);
	for (;;) {
		runner_tick(r);
		if (!json) {
			for (; printed < m.console_total; printed++) {
				int i = m.console_len - (int)(m.console_total - printed);
				const struct console_line *l = model_console_line(&m, i);
				if (l)
					printf("%s%s\n", prefix(l->kind), l->text);
			}
			fflush(stdout);
		}
		if (runner_finished(r))
			break;
		if (interrupts && runner_busy(r))
			runner_stop(r);
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
	}
	if (json)
		json_report(stdout, &m);
	else
		printf("checks: %d passed, %d failed%s\n", m.checks_passed, m.checks_failed,
		       m.state == RUN_DONE ? "" : " (the scenario did not finish)");
	status = exit_status(&m);
	runner_close(r);
	model_free(&m);
	return status;
}
