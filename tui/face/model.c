/* model.c — gauges' history, the console ring, step and check state. */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void model_init(struct model *m)
{
	memset(m, 0, sizeof *m);
	m->shown[PROBE_HEAP] = true;
	m->shown[PROBE_RSS] = true;
	m->gc_threshold0 = 700;
}

static void free_checks(struct model *m)
{
	for (int i = 0; i < m->checks_len; i++) {
		free(m->checks[i].message);
		free(m->checks[i].detail);
		free(m->checks[i].where);
		value_free(&m->checks[i].expected);
		value_free(&m->checks[i].got);
	}
	m->checks_len = 0;
	m->checks_passed = m->checks_failed = 0;
}

static void free_console(struct model *m)
{
	for (int i = 0; i < m->console_len; i++)
		free(m->console[(m->console_start + i) % MODEL_CONSOLE_MAX].text);
	m->console_start = m->console_len = 0;
}

static void free_info(struct sample_info *in)
{
	free(in->label);
	free(in->where);
	free(in->name);
	memset(in, 0, sizeof *in);
}

static void free_lines(struct console_line *lines, int n)
{
	for (int i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
}

static void free_steps(struct model *m)
{
	for (int i = 0; i < m->steps_len; i++) {
		struct step_record *st = &m->steps[i];
		free(st->title);
		for (int k = 0; k < st->samples_len; k++)
			free_info(&st->info[k]);
		free(st->samples);
		free(st->info);
		free_info(&st->start_info);
		free(st->captures);
		free_lines(st->output, st->output_len);
	}
	m->steps_len = 0;
	free_lines(m->setup_output, m->setup_output_len);
	m->setup_output = NULL;
	m->setup_output_len = m->setup_output_cap = 0;
	m->output_dropped = 0;
	m->output_bytes = 0;
	m->output_lines = 0;
}

void model_set_graph(struct model *m, struct graph *g)
{
	/* What the step's last graph held, for the figures a deck quotes. */
	if (m->steps_len > 0 && g != NULL) {
		struct step_record *st = &m->steps[m->steps_len - 1];
		st->graph_nodes = g->n_nodes;
		st->graph_cycles = graph_find_cycles(g);   /* linear; marks the graph's cycles too */
	}
	graph_free(m->graph);
	m->graph = g;
	m->graph_version++;
	m->version++;
}

static void free_why(struct model *m)
{
	for (int i = 0; i < m->why_len; i++)
		free(m->why[i]);
	free(m->why);
	m->why = NULL;
	m->why_len = 0;
}

void model_set_why(struct model *m, uintptr_t addr, const char *const *lines, int n)
{
	free_why(m);
	m->why_addr = addr;
	if (n > 0) {
		m->why = xcalloc((size_t)n, sizeof *m->why);
		for (int i = 0; i < n; i++)
			m->why[i] = xstrdup(lines[i]);
		m->why_len = n;
	}
	m->version++;
}

void model_ask(struct model *m, const char *question, const char *const *choices, int n)
{
	model_ask_done(m);
	snprintf(m->ask_question, sizeof m->ask_question, "%s", question);
	for (int i = 0; i < n && i < MODEL_MAX_CHOICES; i++)
		m->ask_choices[i] = xstrdup(choices[i]);
	m->ask_n_choices = n < MODEL_MAX_CHOICES ? n : MODEL_MAX_CHOICES;
	m->state = RUN_ASKING;
	m->version++;
}

void model_ask_done(struct model *m)
{
	for (int i = 0; i < m->ask_n_choices; i++)
		free(m->ask_choices[i]);
	m->ask_n_choices = 0;
	m->ask_question[0] = '\0';
	m->version++;
}

void model_add_prediction(struct model *m, const char *question, const char *guess,
                          const char *actual, bool right)
{
	struct prediction *p;

	if (m->predictions_len == m->predictions_cap) {
		m->predictions_cap = m->predictions_cap ? m->predictions_cap * 2 : 8;
		m->predictions = xrealloc(m->predictions,
		                          (size_t)m->predictions_cap * sizeof *m->predictions);
	}
	p = &m->predictions[m->predictions_len++];
	p->question = xstrdup(question ? question : "");
	p->guess = guess ? xstrdup(guess) : NULL;
	p->actual = xstrdup(actual ? actual : "");
	p->right = right;
	if (guess == NULL)
		snprintf(m->reveal, sizeof m->reveal, "\u25c7 Measured: %s (you skipped the prediction).",
		         actual ? actual : "");
	else if (right)
		snprintf(m->reveal, sizeof m->reveal, "\u25c6 You predicted %s: measured %s. Right.",
		         guess, actual ? actual : "");
	else
		snprintf(m->reveal, sizeof m->reveal, "\u25c7 You predicted %s; measured %s.",
		         guess, actual ? actual : "");
	m->version++;
}

static void free_predictions(struct model *m)
{
	for (int i = 0; i < m->predictions_len; i++) {
		free(m->predictions[i].question);
		free(m->predictions[i].guess);
		free(m->predictions[i].actual);
	}
	m->predictions_len = 0;
}

static void free_findings(struct model *m)
{
	for (int i = 0; i < m->findings_len; i++)
		finding_free(&m->findings[i]);
	m->findings_len = 0;
}

void model_free(struct model *m)
{
	free_findings(m);
	free(m->findings);
	model_ask_done(m);
	free_predictions(m);
	free(m->predictions);
	free_why(m);
	graph_free(m->graph);
	free_steps(m);
	free(m->steps);
	free_checks(m);
	free(m->checks);
	free_console(m);
	memset(m, 0, sizeof *m);
}

void model_push_sample(struct model *m, const struct probe_sample *s)
{
	for (int id = 0; id < PROBE_COUNT; id++) {
		struct series *ser = &m->series[id];
		double v = s->v[id];

		if (!(s->have & (1u << id)))
			continue;
		if (!ser->has_value) {
			ser->base = v;
			ser->peak = v;
			ser->has_value = true;
		}
		if (ser->len < MODEL_HISTORY) {
			ser->values[(ser->start + ser->len) % MODEL_HISTORY] = v;
			ser->len++;
		} else {
			ser->values[ser->start] = v;
			ser->start = (ser->start + 1) % MODEL_HISTORY;
		}
		ser->last = v;
		if (v > ser->peak)
			ser->peak = v;
	}
	m->version++;
}

static char *dup_or_null(const char *s)
{
	return s && s[0] ? xstrdup(s) : NULL;
}

void model_record_job_sample(struct model *m, const struct probe_sample *s, const char *label,
                             const char *where)
{
	struct step_record *st;

	model_push_sample(m, s);
	if (m->steps_len == 0)
		return;
	st = &m->steps[m->steps_len - 1];
	if (st->samples_len == st->samples_cap) {
		st->samples_cap = st->samples_cap ? st->samples_cap * 2 : 8;
		st->samples = xrealloc(st->samples, (size_t)st->samples_cap * sizeof *st->samples);
		st->info = xrealloc(st->info, (size_t)st->samples_cap * sizeof *st->info);
	}
	st->info[st->samples_len] = (struct sample_info){ .label = dup_or_null(label),
	                                                  .where = dup_or_null(where) };
	st->samples[st->samples_len++] = *s;
}

void model_record_sample(struct model *m, const struct probe_sample *s)
{
	model_record_job_sample(m, s, NULL, NULL);
}

void model_record_step_start(struct model *m, const struct probe_sample *s, const char *label)
{
	struct step_record *st;

	model_push_sample(m, s);
	if (m->steps_len == 0)
		return;
	st = &m->steps[m->steps_len - 1];
	free_info(&st->start_info);
	st->start = *s;
	st->start_info.label = dup_or_null(label);
	st->has_start = true;
}

void model_name_sample(struct model *m, double t, const char *name)
{
	struct step_record *st;
	struct sample_info *in = NULL;

	if (m->steps_len == 0)
		return;
	st = &m->steps[m->steps_len - 1];
	for (int k = st->samples_len - 1; k >= 0 && in == NULL; k--)
		if (st->samples[k].t == t)
			in = &st->info[k];
	if (in == NULL && st->has_start && st->start.t == t)
		in = &st->start_info;
	if (in == NULL)
		return;
	/* One reading can be named twice ("before" one thing, "after" another). */
	char *both = in->name ? xasprintf("%s, %s", in->name, name) : xstrdup(name);
	free(in->name);
	in->name = both;
	m->version++;
}

void model_add_capture(struct model *m, const struct lab_capture *c)
{
	struct step_record *st;

	if (m->steps_len == 0)
		return;
	st = &m->steps[m->steps_len - 1];
	if (st->captures_len == st->captures_cap) {
		st->captures_cap = st->captures_cap ? st->captures_cap * 2 : 8;
		st->captures = xrealloc(st->captures, (size_t)st->captures_cap * sizeof *st->captures);
	}
	st->captures[st->captures_len++] = *c;
	m->version++;
}

/* A printed line, kept for the report with the step it belongs to. */
static void keep_output(struct model *m, enum console_kind kind, const char *text)
{
	struct console_line **lines = &m->setup_output;
	int *len = &m->setup_output_len, *cap = &m->setup_output_cap;
	size_t n = strlen(text);

	if (m->steps_len > 0) {
		struct step_record *st = &m->steps[m->steps_len - 1];
		lines = &st->output;
		len = &st->output_len;
		cap = &st->output_cap;
	}
	if (m->output_lines >= MODEL_OUTPUT_MAX_LINES || m->output_bytes + n > MODEL_OUTPUT_MAX_BYTES) {
		m->output_dropped++;
		return;
	}
	if (*len == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		*lines = xrealloc(*lines, (size_t)*cap * sizeof **lines);
	}
	(*lines)[(*len)++] = (struct console_line){ .kind = kind, .text = xstrdup(text) };
	m->output_bytes += n;
	m->output_lines++;
}

void model_begin_step(struct model *m, int index, const char *title)
{
	struct step_record *st;

	if (m->steps_len == m->steps_cap) {
		m->steps_cap = m->steps_cap ? m->steps_cap * 2 : 8;
		m->steps = xrealloc(m->steps, (size_t)m->steps_cap * sizeof *m->steps);
	}
	st = &m->steps[m->steps_len++];
	memset(st, 0, sizeof *st);
	st->title = xstrdup(title);
	st->checks_from = m->checks_len;
	st->predictions_from = m->predictions_len;
	st->graph_nodes = st->graph_cycles = -1;
	for (int id = 0; id < PROBE_COUNT; id++)
		st->base[id] = m->series[id].last;
	m->reveal[0] = '\0';   /* the learner went on */
	m->step_index = index;
	snprintf(m->step_title, sizeof m->step_title, "%s", title);
	/* Each step's gauges show growth from where the step began. */
	for (int id = 0; id < PROBE_COUNT; id++)
		m->series[id].base = m->series[id].last;
	m->version++;
}

void model_reset_series(struct model *m)
{
	memset(m->series, 0, sizeof m->series);
	m->version++;
}

void model_console(struct model *m, enum console_kind kind, const char *fmt, ...)
{
	va_list ap;
	struct console_line *line;

	if (m->console_len == MODEL_CONSOLE_MAX) {
		free(m->console[m->console_start].text);
		m->console_start = (m->console_start + 1) % MODEL_CONSOLE_MAX;
		m->console_len--;
	}
	line = &m->console[(m->console_start + m->console_len) % MODEL_CONSOLE_MAX];
	line->kind = kind;
	va_start(ap, fmt);
	line->text = xvasprintf(fmt, ap);
	va_end(ap);
	m->console_len++;
	m->console_total++;
	if (kind == CONSOLE_OUTPUT || kind == CONSOLE_STDERR)
		keep_output(m, kind, line->text);
	m->version++;
}

const struct console_line *model_console_line(const struct model *m, int i)
{
	if (i < 0 || i >= m->console_len)
		return NULL;
	return &m->console[(m->console_start + i) % MODEL_CONSOLE_MAX];
}

void model_add_check(struct model *m, bool passed, const char *message, const char *detail,
                     const char *where, const struct value *expected, const struct value *got)
{
	struct check_result *c;

	if (m->checks_len == m->checks_cap) {
		m->checks_cap = m->checks_cap ? m->checks_cap * 2 : 16;
		m->checks = xrealloc(m->checks, (size_t)m->checks_cap * sizeof *m->checks);
	}
	c = &m->checks[m->checks_len++];
	c->passed = passed;
	c->message = xstrdup(message ? message : "");
	c->detail = xstrdup(detail ? detail : "");
	c->where = xstrdup(where ? where : "");
	value_copy(&c->expected, expected);
	value_copy(&c->got, got);
	if (passed)
		m->checks_passed++;
	else
		m->checks_failed++;
	m->version++;
}

void model_reset_run(struct model *m)
{
	model_ask_done(m);
	free_predictions(m);
	graph_free(m->graph);
	m->graph = NULL;
	m->graph_roots[0] = '\0';
	m->graph_version++;
	free_why(m);
	m->why_addr = 0;
	free_steps(m);
	free_checks(m);
	free_console(m);
	m->run_started = util_now();
	m->state = RUN_LOADING;
	m->step_index = 0;
	m->step_title[0] = '\0';
	m->pause_text[0] = '\0';
	m->reveal[0] = '\0';
	memset(&m->error, 0, sizeof m->error);
	m->version++;
}

void model_set_python(struct model *m, const char *version, double gc_threshold0)
{
	snprintf(m->python_version, sizeof m->python_version, "%s", version);
	m->gc_threshold0 = gc_threshold0;
	m->version++;
}

void model_set_scenario(struct model *m, const char *title, const char *file, int step_count,
                        double heap_cap)
{
	snprintf(m->scenario_title, sizeof m->scenario_title, "%s", title);
	snprintf(m->scenario_file, sizeof m->scenario_file, "%s", file);
	m->step_count = step_count > 0 ? step_count : 0;
	m->heap_cap = heap_cap;
	m->version++;
}

void model_set_settings(struct model *m, unsigned shown, const char *watch, const char *roots)
{
	for (int id = 0; id < PROBE_COUNT; id++)
		m->shown[id] = shown & (1u << id);
	snprintf(m->watch, sizeof m->watch, "%s", watch);
	snprintf(m->graph_roots, sizeof m->graph_roots, "%s", roots);
	m->version++;
}

static void set_state(struct model *m, enum run_state state)
{
	m->state = state;
	m->version++;
}

void model_loading(struct model *m)
{
	set_state(m, RUN_LOADING);
}

void model_before_step(struct model *m, int index, const char *title)
{
	/* Loaded: what the lab did to start and load the scenario is not the
	 * lesson's, so the gauges start afresh from here. */
	if (m->state == RUN_LOADING)
		for (int id = 0; id < PROBE_COUNT; id++) {
			struct series *ser = &m->series[id];
			if (!ser->has_value)
				continue;
			ser->values[0] = ser->base = ser->peak = ser->last;
			ser->start = 0;
			ser->len = 1;
		}
	m->step_index = index;
	snprintf(m->step_title, sizeof m->step_title, "%s", title);
	set_state(m, RUN_BEFORE_STEP);
}

void model_paused(struct model *m, const char *text)
{
	snprintf(m->pause_text, sizeof m->pause_text, "%s", text);
	set_state(m, RUN_PAUSED);
}

void model_running(struct model *m)
{
	set_state(m, RUN_RUNNING);
}

void model_done(struct model *m)
{
	set_state(m, RUN_DONE);
}

void model_failed(struct model *m, const struct error *err)
{
	m->error = *err;
	set_state(m, RUN_FAILED);
}

void model_stopped(struct model *m, const char *how)
{
	error_set(&m->error, NULL, 0, "%s", how);
	set_state(m, RUN_STOPPED);
}

bool model_waiting(const struct model *m)
{
	return m->state == RUN_BEFORE_STEP || m->state == RUN_PAUSED || m->state == RUN_ASKING;
}

bool model_over(const struct model *m)
{
	return m->state == RUN_DONE || m->state == RUN_FAILED || m->state == RUN_STOPPED;
}

void model_set_program(struct model *m, const char *what, const char *stdin_text)
{
	free_findings(m);
	m->probing = true;
	snprintf(m->program, sizeof m->program, "%s", what);
	snprintf(m->program_stdin, sizeof m->program_stdin, "%s", stdin_text);
	m->has_reasons = m->program_ended = false;
	memset(&m->reasons, 0, sizeof m->reasons);
	memset(&m->program_end, 0, sizeof m->program_end);
	m->version++;
}

const struct finding *model_finding(const struct model *m, uint32_t id)
{
	for (int i = 0; i < m->findings_len; i++)
		if (m->findings[i].id == id)
			return &m->findings[i];
	return NULL;
}

void model_set_finding(struct model *m, const struct finding *f)
{
	struct finding *slot = (struct finding *)model_finding(m, f->id);

	if (slot) {
		finding_free(slot);
	} else {
		if (m->findings_len == m->findings_cap) {
			m->findings_cap = m->findings_cap ? m->findings_cap * 2 : 16;
			m->findings = xrealloc(m->findings, (size_t)m->findings_cap * sizeof *m->findings);
		}
		slot = &m->findings[m->findings_len++];
	}
	finding_copy(slot, f);
	m->version++;
}

void model_set_reasons(struct model *m, const struct probe_reasons *r)
{
	m->reasons = *r;
	m->has_reasons = true;
	m->version++;
}

void model_program_ended(struct model *m, const struct program_end *e)
{
	m->program_end = *e;
	m->program_ended = true;
	if (e->kind == PROGRAM_STOPPED)
		model_stopped(m, e->message);
	else
		model_done(m);
}
