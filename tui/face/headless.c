/* headless.c — a scenario without a terminal, for tests, CI and teachers.
 *
 * Text mode streams the console as it grows, every line of it. JSON mode
 * prints one document at the end (json-c): the steps, each with its
 * reading as it began and one after each Python job (labelled with the
 * job, timed from the run's start), its checks, graph captures,
 * predictions and printed lines. What the scenario printed is shown as
 * text, never obeyed: escape sequences and other control characters are
 * made visible, and anything not UTF-8 becomes U+FFFD, so the output is
 * valid UTF-8 whatever the scenario wrote. */
#define _GNU_SOURCE   /* sigabbrev_np */
#include "headless.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "model.h"
#include "screen.h"
#include "util.h"

static volatile sig_atomic_t interrupts, terminated;

static void on_signal(int sig)
{
	if (sig == SIGINT)
		interrupts++;
	else
		terminated = sig;
}

char *headless_clean_text(const char *s, bool for_terminal)
{
	size_t len = strlen(s), o = 0;
	char *out = xmalloc(len * 3 + 1);   /* ^X: 2 for 1; U+FFFD: 3 for 1 */

	for (size_t i = 0; i < len;) {
		wchar_t ch;
		i += screen_utf8_decode(s + i, len - i, &ch);
		if (for_terminal && ((ch < 0x20 && ch != '\t') || ch == 0x7F)) {
			out[o++] = '^';
			out[o++] = ch == 0x7F ? '?' : (char)(ch + '@');
			continue;
		}
		if (for_terminal && ch >= 0x80 && ch < 0xA0)
			ch = 0xFFFD;   /* C1 controls: a terminal would act on them */
		o += screen_utf8_encode(out + o, ch);
	}
	out[o] = '\0';
	return out;
}

static json_object *json_text(const char *s)
{
	char *clean = headless_clean_text(s ? s : "", false);
	json_object *o = json_object_new_string(clean);

	free(clean);
	return o;
}

static json_object *json_value(const struct value *v)
{
	switch (v->kind) {
	case VALUE_BOOL: return json_object_new_boolean(v->u.b);
	case VALUE_INT: return json_object_new_int64(v->u.i);
	case VALUE_FLOAT: return isfinite(v->u.f) ? json_object_new_double(v->u.f) : json_text("nan");
	case VALUE_STR: return json_text(v->u.str.s);
	default: return NULL;   /* JSON null */
	}
}

/* Seconds since the run began, to the millisecond. */
static json_object *json_time(const struct model *m, double t)
{
	return json_object_new_double(round((t - m->run_started) * 1000) / 1000);
}

/* A reading: the probes, then what made it, its name and its time. */
static json_object *json_sample(const struct model *m, const struct probe_sample *s,
                                const struct sample_info *info)
{
	json_object *o = json_object_new_object();

	for (int id = 0; id < PROBE_COUNT; id++) {
		if (!(s->have & (1u << id)))
			continue;
		json_object_object_add(o, probe_info[id].key, json_object_new_int64(llround(s->v[id])));
	}
	json_object_object_add(o, "label", info->label ? json_text(info->label) : NULL);
	json_object_object_add(o, "where", info->where ? json_text(info->where) : NULL);
	json_object_object_add(o, "name", info->name ? json_text(info->name) : NULL);
	json_object_object_add(o, "t", json_time(m, s->t));
	return o;
}

/* What a graph.capture returned, in short. */
static json_object *json_capture(const struct model *m, const struct lab_capture *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "root", json_text(c->root));
	json_object_object_add(o, "where", json_text(c->where));
	json_object_object_add(o, "t", json_time(m, c->t));
	json_object_object_add(o, "alive", json_object_new_boolean(c->alive));
	json_object_object_add(o, "type", c->alive ? json_text(c->type) : NULL);
	json_object_object_add(o, "nodes", json_object_new_int(c->nodes));
	json_object_object_add(o, "edges", json_object_new_int(c->edges));
	json_object_object_add(o, "cycles", json_object_new_int(c->cycle_groups));
	json_object_object_add(o, "cycle_groups", json_object_new_int(c->cycle_groups));
	json_object_object_add(o, "on_cycle", json_object_new_boolean(c->on_cycle));
	json_object_object_add(o, "size", json_object_new_int64((int64_t)c->size));
	json_object_object_add(o, "retained", json_object_new_int64((int64_t)c->retained));
	json_object_object_add(o, "limited", json_object_new_boolean(c->limited));
	return o;
}

static json_object *json_prediction(const struct prediction *p)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "question", json_text(p->question));
	json_object_object_add(o, "guess", p->guess ? json_text(p->guess) : NULL);
	json_object_object_add(o, "actual", json_text(p->actual));
	json_object_object_add(o, "right", json_object_new_boolean(p->right));
	return o;
}

/* Printed lines: print() and Python's stdout ("stdout"), Python's stderr. */
static json_object *json_output(const struct console_line *lines, int n)
{
	json_object *a = json_object_new_array();

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();
		json_object_object_add(o, "stream", json_object_new_string(
			lines[i].kind == CONSOLE_STDERR ? "stderr" : "stdout"));
		json_object_object_add(o, "text", json_text(lines[i].text));
		json_object_array_add(a, o);
	}
	return a;
}

static void json_report(FILE *f, const struct model *m)
{
	json_object *root = json_object_new_object(), *steps = json_object_new_array();

	json_object_object_add(root, "scenario", json_text(m->scenario_file));
	json_object_object_add(root, "title", json_text(m->scenario_title));
	json_object_object_add(root, "python", json_text(m->python_version));
	for (int i = 0; i < m->steps_len; i++) {
		const struct step_record *st = &m->steps[i];
		int end = i + 1 < m->steps_len ? m->steps[i + 1].checks_from : m->checks_len;
		int predictions_end = i + 1 < m->steps_len ? m->steps[i + 1].predictions_from
		                                           : m->predictions_len;
		json_object *step = json_object_new_object(), *samples = json_object_new_array();
		json_object *checks = json_object_new_array(), *captures = json_object_new_array();
		json_object *predictions = json_object_new_array();

		json_object_object_add(step, "title", json_text(st->title));
		for (int k = 0; k < st->samples_len; k++)
			json_object_array_add(samples, json_sample(m, &st->samples[k], &st->info[k]));
		json_object_object_add(step, "samples", samples);
		json_object_object_add(step, "start", st->has_start
		                       ? json_sample(m, &st->start, &st->start_info) : NULL);
		for (int c = 0; c < st->captures_len; c++)
			json_object_array_add(captures, json_capture(m, &st->captures[c]));
		json_object_object_add(step, "captures", captures);
		for (int p = st->predictions_from; p < predictions_end; p++)
			json_object_array_add(predictions, json_prediction(&m->predictions[p]));
		json_object_object_add(step, "predictions", predictions);
		json_object_object_add(step, "output", json_output(st->output, st->output_len));
		for (int c = st->checks_from; c < end; c++) {
			const struct check_result *ck = &m->checks[c];
			json_object *o = json_object_new_object();
			json_object_object_add(o, "passed", json_object_new_boolean(ck->passed));
			json_object_object_add(o, "message", json_text(ck->message));
			json_object_object_add(o, "detail", json_text(ck->detail));
			json_object_object_add(o, "where", json_text(ck->where));
			json_object_object_add(o, "expected", json_value(&ck->expected));
			json_object_object_add(o, "got", json_value(&ck->got));
			json_object_array_add(checks, o);
		}
		json_object_object_add(step, "checks", checks);
		json_object_array_add(steps, step);
	}
	json_object_object_add(root, "steps", steps);
	json_object_object_add(root, "setup_output", json_output(m->setup_output, m->setup_output_len));
	json_object_object_add(root, "output_dropped", json_object_new_int64(m->output_dropped));
	json_object_object_add(root, "passed", json_object_new_int(m->checks_passed));
	json_object_object_add(root, "failed", json_object_new_int(m->checks_failed));
	if (m->state == RUN_FAILED || m->state == RUN_STOPPED) {
		char text[ERROR_TEXT_MAX];
		error_format(&m->error, text, sizeof text);
		json_object_object_add(root, "error", json_text(text));
	} else {
		json_object_object_add(root, "error", NULL);
	}
	fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
	                                          JSON_C_TO_STRING_NOSLASHESCAPE), f);
	fputc('\n', f);
	json_object_put(root);
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

/* Every console line not printed yet; never drops one silently. */
static void print_new_lines(const struct model *m, unsigned long *printed)
{
	unsigned long oldest = m->console_total - (unsigned long)m->console_len;

	if (*printed < oldest) {
		printf("… %lu console lines were dropped here\n", oldest - *printed);
		*printed = oldest;
	}
	for (; *printed < m->console_total; (*printed)++) {
		const struct console_line *l = model_console_line(m, (int)(*printed - oldest));
		char *text = headless_clean_text(l->text, true);
		printf("%s%s\n", prefix(l->kind), text);
		free(text);
	}
	fflush(stdout);
}

int headless_run(const char *scenario, bool json, const struct runner_options *opt)
{
	struct model m;
	struct runner *r = NULL;
	struct error err;
	unsigned long printed = 0;
	int status, stops = 0;
	struct runner_options o = *opt;
	struct sigaction sa = { .sa_handler = on_signal };

	o.interactive = false;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	model_init(&m);
	runner_open(&r, scenario, &m, &o, &err);
	runner_run_all(r);
	while (!terminated) {
		bool more = runner_tick(r);
		if (!json)
			print_new_lines(&m, &printed);
		if (runner_finished(r))
			break;
		if (interrupts > stops) {
			stops = interrupts;
			runner_stop(r);
		}
		if (!more)
			runner_wait(r);
	}
	if (terminated) {
		/* Told to end: the lab goes at once, and the status says why. */
		runner_close(r);
		r = NULL;
		model_console(&m, CONSOLE_INFO, "Terminated by SIG%s.", sigabbrev_np(terminated));
		if (!json)
			print_new_lines(&m, &printed);
	}
	if (json)
		json_report(stdout, &m);
	else
		printf("checks: %d passed, %d failed%s\n", m.checks_passed, m.checks_failed,
		       m.state == RUN_DONE ? "" : " (the scenario did not finish)");
	status = terminated ? 128 + terminated : exit_status(&m);
	runner_close(r);
	model_free(&m);
	return status;
}
