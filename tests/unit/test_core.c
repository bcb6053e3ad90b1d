/* test_core.c — the model's rings and step records, value copies, number
 * formatting, and error formatting: the plain-C parts under the runner. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model.h"
#include "report.h"
#include "util.h"
#include "value.h"

static void test_series_ring(void)
{
	struct model m;
	struct probe_sample s = { .have = 1u << PROBE_HEAP };

	model_init(&m);
	for (int i = 1; i <= MODEL_HISTORY + 10; i++) {
		s.v[PROBE_HEAP] = i;
		model_push_sample(&m, &s);
	}
	struct series *ser = &m.series[PROBE_HEAP];
	CHECK(ser->len == MODEL_HISTORY);
	CHECK(ser->values[ser->start] == 11);   /* the ten oldest fell out */
	CHECK(ser->last == MODEL_HISTORY + 10);
	CHECK(ser->peak == MODEL_HISTORY + 10);
	CHECK(ser->base == 1);
	/* A probe that was not read leaves its gauge alone. */
	CHECK(!m.series[PROBE_CHAIN].has_value);

	s.v[PROBE_HEAP] = 5;
	model_push_sample(&m, &s);
	CHECK(ser->last == 5 && ser->peak == MODEL_HISTORY + 10);
	model_free(&m);
}

/* What the lab did while it loaded the scenario is not the lesson's: once
 * loaded, the gauges start afresh (no growth, no peak, no history), and only
 * then. */
static void test_gauges_start_after_load(void)
{
	struct model m;
	struct probe_sample s = { .have = 1u << PROBE_HEAP };
	struct series *ser = &m.series[PROBE_HEAP];

	model_init(&m);
	model_loading(&m);
	for (int i = 1; i <= 5; i++) {
		s.v[PROBE_HEAP] = i * 1e6;   /* the scenario's file loads */
		model_push_sample(&m, &s);
	}
	s.v[PROBE_HEAP] = 3e6;
	model_push_sample(&m, &s);
	model_before_step(&m, 0, "first");
	CHECK(ser->base == 3e6 && ser->peak == 3e6 && ser->len == 1 && ser->last == 3e6);
	model_begin_step(&m, 0, "first");
	model_running(&m);
	s.v[PROBE_HEAP] = 8e6;
	model_push_sample(&m, &s);
	model_before_step(&m, 1, "second");   /* between steps: the history stays */
	CHECK(ser->len == 2 && ser->peak == 8e6 && ser->base == 3e6);
	model_free(&m);
}

static void test_console_ring(void)
{
	struct model m;

	model_init(&m);
	for (int i = 0; i < MODEL_CONSOLE_MAX + 5; i++)
		model_console(&m, CONSOLE_OUTPUT, "line %d", i);
	CHECK(m.console_len == MODEL_CONSOLE_MAX);
	CHECK(m.console_total == MODEL_CONSOLE_MAX + 5);
	CHECK_STR(model_console_line(&m, 0)->text, "line 5");
	CHECK_STR(model_console_line(&m, MODEL_CONSOLE_MAX - 1)->text, "line 2004");
	CHECK(model_console_line(&m, MODEL_CONSOLE_MAX) == NULL);
	model_reset_run(&m);
	CHECK(m.console_len == 0);
	model_free(&m);
}

static void test_steps_and_checks(void)
{
	struct model m;
	struct probe_sample s = { .have = 1u << PROBE_CHAIN };

	model_init(&m);
	s.v[PROBE_CHAIN] = 7;
	model_record_sample(&m, &s);        /* before any step: gauges only */
	CHECK(m.steps_len == 0);
	model_begin_step(&m, 0, "first");
	CHECK(m.series[PROBE_CHAIN].base == 7);  /* growth counts from the step start */
	s.v[PROBE_CHAIN] = 9;
	model_record_sample(&m, &s);
	model_add_check(&m, true, "grew", "expected 2, got 2", "x.lua:3",
	                &(struct value){ .kind = VALUE_INT, .u.i = 2 },
	                &(struct value){ .kind = VALUE_INT, .u.i = 2 });
	model_begin_step(&m, 1, "second");
	model_add_check(&m, false, "flat", "changed by 1", "x.lua:9",
	                &(struct value){ .kind = VALUE_INT, .u.i = 0 },
	                &(struct value){ .kind = VALUE_FLOAT, .u.f = 1.5 });
	CHECK(m.steps_len == 2);
	CHECK(m.steps[0].samples_len == 1 && m.steps[0].samples[0].v[PROBE_CHAIN] == 9);
	CHECK(m.steps[1].checks_from == 1);
	CHECK(m.checks_passed == 1 && m.checks_failed == 1);
	CHECK_STR(m.checks[1].where, "x.lua:9");
	CHECK(m.checks[0].got.kind == VALUE_INT && m.checks[0].got.u.i == 2);
	CHECK(m.checks[1].got.kind == VALUE_FLOAT && m.checks[1].got.u.f == 1.5);
	model_free(&m);
}

/* The run's state moves only through model_*, and each move is a redraw. */
static void test_run_state(void)
{
	struct model m;
	unsigned v;
	struct error err;

	model_init(&m);
	model_reset_run(&m);
	CHECK(m.state == RUN_LOADING && !model_waiting(&m) && !model_over(&m));
	v = m.version;
	model_before_step(&m, 2, "third");
	CHECK(m.state == RUN_BEFORE_STEP && m.step_index == 2 && model_waiting(&m));
	CHECK_STR(m.step_title, "third");
	CHECK(m.version != v);
	model_paused(&m, "Look at the gauges.");
	CHECK(m.state == RUN_PAUSED && model_waiting(&m));
	CHECK_STR(m.pause_text, "Look at the gauges.");
	model_ask(&m, "How many?", NULL, 0);
	CHECK(m.state == RUN_ASKING && model_waiting(&m));
	model_running(&m);
	CHECK(m.state == RUN_RUNNING && !model_waiting(&m));
	error_set(&err, "x.lua", 4, "boom");
	v = m.version;
	model_failed(&m, &err);
	CHECK(m.state == RUN_FAILED && model_over(&m) && m.version != v);
	CHECK_STR(m.error.msg, "boom");
	CHECK(m.error.line == 4);
	model_stopped(&m, "stopped by the learner");
	CHECK(m.state == RUN_STOPPED && model_over(&m));
	CHECK_STR(m.error.msg, "stopped by the learner");
	CHECK(m.error.file[0] == '\0');
	model_free(&m);
}

/* A child's report, as headless.c writes it, read back. */
static void test_report(void)
{
	struct report r;
	const char *text =
		"{ \"scenario\": \"s.lua\", \"steps\": [ { \"title\": \"Verify\", \"samples\": [],"
		"  \"checks\": [ { \"passed\": true, \"message\": \"fine\", \"detail\": \"\", \"where\": \"s.lua:3\" },"
		"                { \"passed\": false, \"message\": \"no growth\", \"detail\": \"grew by 9\","
		"                  \"where\": \"s.lua:7\", \"expected\": 0, \"got\": 9 } ] } ],"
		"  \"passed\": 1, \"failed\": 1, \"error\": null }";

	CHECK(report_parse(&r, text));
	CHECK(r.passed == 1 && r.failed == 1 && r.error[0] == '\0');
	CHECK(r.n_fails == 1);
	CHECK_STR(r.fails[0].message, "no growth");
	CHECK_STR(r.fails[0].where, "s.lua:7");
	report_free(&r);
	CHECK(report_parse(&r, "{\"passed\": 0, \"failed\": 0, \"error\": \"x.lua:2: boom\"}"));
	CHECK_STR(r.error, "x.lua:2: boom");
	report_free(&r);
	CHECK(!report_parse(&r, "checks: 1 passed, 0 failed"));
	CHECK(!report_parse(&r, "[1, 2]"));
}

static void test_values(void)
{
	struct value items[2] = {
		{ .kind = VALUE_INT, .u.i = 42 },
		{ .kind = VALUE_STR, .u.str = { .s = "héllo", .len = strlen("héllo") } },
	};
	struct value list = { .kind = VALUE_LIST, .u.list = { .items = items, .n = 2 } };
	struct value copy;

	value_copy(&copy, &list);
	CHECK(copy.kind == VALUE_LIST && copy.u.list.n == 2);
	CHECK(copy.u.list.items[0].u.i == 42);
	CHECK(copy.u.list.items[1].u.str.s != items[1].u.str.s);
	CHECK_STR(copy.u.list.items[1].u.str.s, "héllo");
	value_free(&copy);
	CHECK(copy.kind == VALUE_NONE);
}

static void test_formatting(void)
{
	char buf[64];
	struct error err = { 0 };

	util_fmt_bytes(512, buf, sizeof buf);
	CHECK_STR(buf, "512 B");
	util_fmt_bytes(51234567, buf, sizeof buf);
	CHECK_STR(buf, "51.2 MB");
	util_fmt_bytes(1440000, buf, sizeof buf);
	CHECK_STR(buf, "1.44 MB");
	util_fmt_bytes(-2500, buf, sizeof buf);
	CHECK_STR(buf, "-2.50 KB");
	util_fmt_count(1234567, buf, sizeof buf);
	CHECK_STR(buf, "1,234,567");
	util_fmt_count(999, buf, sizeof buf);
	CHECK_STR(buf, "999");

	error_set(&err, "a.lua", 4, "bad %s", "thing");
	error_format(&err, buf, sizeof buf);
	CHECK_STR(buf, "a.lua:4: bad thing");
	error_set(&err, "a.py", 0, "missing");
	error_format(&err, buf, sizeof buf);
	CHECK_STR(buf, "a.py: missing");

	char *dir = util_dirname("scenarios/02-reuse/scenario.lua");
	char *joined = util_join(dir, "reuse.py");
	CHECK_STR(joined, "scenarios/02-reuse/reuse.py");
	free(dir);
	free(joined);
	dir = util_dirname("scenario.lua");
	CHECK_STR(dir, ".");
	free(dir);
	/* Joined paths lose their detours, as a learner should read them. */
	struct { const char *base, *rel, *want; } joins[] = {
		{ "lessons", "../scenarios/02-reuse/scenario.lua", "scenarios/02-reuse/scenario.lua" },
		{ "/a/b", "./c/../d", "/a/b/d" },
		{ "a", "../../x", "../x" },
		{ "/", "../x", "/x" },
		{ "a/b", "/abs/../p", "/p" },
		{ "a", "..", "." },
	};
	for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++) {
		joined = util_join(joins[i].base, joins[i].rel);
		CHECK_STR(joined, joins[i].want);
		free(joined);
	}
}

int main(void)
{
	test_series_ring();
	test_gauges_start_after_load();
	test_console_ring();
	test_steps_and_checks();
	test_values();
	test_run_state();
	test_report();
	test_formatting();
	return check_done("test_core");
}
