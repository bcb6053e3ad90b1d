/* model.h — what the views show, as plain C data.
 *
 * The runner writes it from the lab's events (samples, console lines, step
 * state, check results) through the model_* functions, and only they bump
 * `version`, so a view redraws whenever anything changed; views and the
 * headless printer only read it. Nothing here calls an interpreter. */
#ifndef EXCLAB_MODEL_H
#define EXCLAB_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "finding.h"
#include "graph.h"
#include "labproto.h"
#include "sample.h"
#include "util.h"
#include "value.h"

#define MODEL_HISTORY 240      /* samples kept per gauge for the sparkline */
#define MODEL_CONSOLE_MAX 2000 /* console lines kept */
/* Printed lines kept for the report, in all: past either bound they are
 * counted, not kept. */
#define MODEL_OUTPUT_MAX_LINES 20000
#define MODEL_OUTPUT_MAX_BYTES ((size_t)4 << 20)

struct series {
	double values[MODEL_HISTORY]; /* ring: oldest at start */
	int start, len;
	double last;   /* newest value */
	double peak;   /* highest value since the series was reset */
	double base;   /* value at reset (the step's baseline) */
	bool has_value;
};

#define MODEL_MAX_CHOICES LAB_MAX_CHOICES

/* A prediction the learner made, and what was measured. */
struct prediction {
	char *question;
	char *guess;     /* NULL when skipped */
	char *actual;
	bool right;
};

struct console_line {
	enum console_kind kind;
	char *text;
};

/* Where the run is. The first three wait for the learner. */
enum run_state {
	RUN_LOADING,      /* the lab starts and loads the scenario */
	RUN_BEFORE_STEP,  /* waiting for the learner to start step step_index */
	RUN_PAUSED,       /* the scenario's pause() inside step step_index: pause_text */
	RUN_ASKING,       /* a prediction inside step step_index: ask_* */
	RUN_RUNNING,      /* step step_index runs */
	RUN_DONE,         /* every step ran */
	RUN_FAILED,       /* the scenario or its lab failed: error says why */
	RUN_STOPPED,      /* the learner stopped it: error.msg says how */
};

struct check_result {
	bool passed;
	char *message;   /* the scenario's words */
	char *detail;    /* the numbers, for people: "expected 200, got 200" */
	char *where;     /* "scenario.lua:42" */
	struct value expected, got;   /* the same numbers as values */
};

/* What the report says of a reading besides its figures. */
struct sample_info {
	char *label;   /* what made it: "py.call raise_shared", "the step begins"; NULL: unknown */
	char *where;   /* the scenario's line that asked, or NULL */
	char *name;    /* the names the scenario gave it (probe.sample(name)), or NULL */
};

/* One step of the run as it happened: for the headless report. */
struct step_record {
	char *title;
	struct probe_sample *samples;  /* one after each Python job of the step */
	struct sample_info *info;      /* one per sample */
	int samples_len, samples_cap;
	struct probe_sample start;     /* the reading as the step began (has_start) */
	struct sample_info start_info;
	bool has_start;
	int checks_from;               /* index in model.checks of its first check */
	int predictions_from;          /* index in model.predictions of its first */
	struct lab_capture *captures;  /* what each graph.capture returned */
	int captures_len, captures_cap;
	struct console_line *output;   /* its printed lines: print(), Python's stdout and stderr */
	int output_len, output_cap;
	double base[PROBE_COUNT];      /* the gauges when it began: its growth starts here */
	int graph_nodes, graph_cycles; /* in the graph shown last while it ran; -1: none */
};

struct model {
	/* gauges */
	struct series series[PROBE_COUNT];
	bool shown[PROBE_COUNT];     /* which gauges the scenario shows */
	double gc_threshold0;        /* the interpreter's own threshold, for the GC gauge */
	char watch[128];             /* dotted name the chain/frames gauges follow */
	double heap_cap;             /* bytes; for the heap bar's scale */

	/* console: a ring of lines */
	struct console_line console[MODEL_CONSOLE_MAX];
	int console_start, console_len;
	unsigned long console_total; /* lines ever added: a reader's cursor survives the ring */

	/* scenario state */
	char scenario_title[128];
	char scenario_file[512];
	enum run_state state;        /* changed only by the functions below */
	int step_index;              /* 0-based index of the current or next step */
	int step_count;
	char step_title[160];        /* current or next step */
	char pause_text[256];        /* RUN_PAUSED: what the scenario says */
	struct error error;          /* RUN_FAILED, RUN_STOPPED: what happened */

	/* checks, in order */
	struct check_result *checks;
	int checks_len, checks_cap;
	int checks_passed, checks_failed;

	/* the object graph of the roots the scenario shows */
	struct graph *graph;         /* latest capture, owned; NULL when none */
	char graph_roots[256];       /* what the scenario named, for the view's title */
	unsigned graph_version;      /* bumped with each new capture */

	/* why the object the learner asked about is alive: one line per hop */
	uintptr_t why_addr;
	char **why;                  /* NULL while the answer is pending */
	int why_len;

	/* a question waiting for the learner's prediction (RUN_ASKING) */
	char ask_question[256];
	char *ask_choices[MODEL_MAX_CHOICES];
	int ask_n_choices;           /* 0: a number is asked for */

	/* the newest reveal, kept in sight until the next step begins */
	char reveal[400];

	/* predictions made so far, in order */
	struct prediction *predictions;
	int predictions_len, predictions_cap;

	/* steps started so far, in order */
	struct step_record *steps;
	int steps_len, steps_cap;

	/* printed lines before the first step (loading), and what the bounds left out */
	struct console_line *setup_output;
	int setup_output_len, setup_output_cap;
	long output_dropped;
	int output_lines;
	size_t output_bytes;
	double run_started;          /* util_now() as the run began: the report's times count from it */
	/* exclab probe: the program, what was found in it, how it ended */
	bool probing;                /* a program runs, not a scenario */
	char program[512];           /* what runs: "app.py ARGS" or "-m pkg ARGS" */
	char program_stdin[64];      /* "/dev/null" when it is given no input; "" when real */
	struct finding *findings;    /* in the order they were first found */
	int findings_len, findings_cap;
	struct probe_reasons reasons;
	bool has_reasons;
	bool program_ended;
	struct program_end program_end;

	char python_version[32];
	unsigned version;            /* bumped on every change: redraw when it moves */
};

void model_init(struct model *m);
void model_free(struct model *m);

/* The lab's interpreter, and the scenario it loaded. */
void model_set_python(struct model *m, const char *version, double gc_threshold0);
void model_set_scenario(struct model *m, const char *title, const char *file, int step_count,
                        double heap_cap);
/* The gauges on screen (bit 1u << probe id), the watched name, the graph's roots. */
void model_set_settings(struct model *m, unsigned shown, const char *watch, const char *roots);

/* The run's state changes. */
void model_loading(struct model *m);
void model_before_step(struct model *m, int index, const char *title);
void model_paused(struct model *m, const char *text);
void model_running(struct model *m);
void model_done(struct model *m);
void model_failed(struct model *m, const struct error *err);
void model_stopped(struct model *m, const char *how);
/* RUN_BEFORE_STEP, RUN_PAUSED or RUN_ASKING: the learner is asked to act. */
bool model_waiting(const struct model *m);
/* RUN_DONE, RUN_FAILED or RUN_STOPPED. */
bool model_over(const struct model *m);

void model_push_sample(struct model *m, const struct probe_sample *s);
/* A job's final sample: pushed to the gauges and kept with the current step. */
void model_record_sample(struct model *m, const struct probe_sample *s);
/* The same, with what made it (label, where: NULL when unknown). */
void model_record_job_sample(struct model *m, const struct probe_sample *s, const char *label,
                             const char *where);
/* The reading as the current step began: pushed to the gauges, kept as its start. */
void model_record_step_start(struct model *m, const struct probe_sample *s, const char *label);
/* The scenario named the current step's reading taken at t (its start or a job's). */
void model_name_sample(struct model *m, double t, const char *name);
/* What a graph.capture returned, kept with the current step. */
void model_add_capture(struct model *m, const struct lab_capture *c);
/* Step `index` (0-based) begins. */
void model_begin_step(struct model *m, int index, const char *title);
/* Take g as the latest graph (ownership passes to the model). */
void model_set_graph(struct model *m, struct graph *g);
/* A question for the learner (state RUN_ASKING): choices (n of them), or a
 * number when n is 0. */
void model_ask(struct model *m, const char *question, const char *const *choices, int n);
/* The question is answered or skipped (the caller says what state follows). */
void model_ask_done(struct model *m);
void model_add_prediction(struct model *m, const char *question, const char *guess,
                          const char *actual, bool right);
/* The answer to "why is addr alive?" (lines copied); n = 0 means pending. */
void model_set_why(struct model *m, uintptr_t addr, const char *const *lines, int n);
/* Forget gauge history (a new scenario run). */
void model_reset_series(struct model *m);
void model_console(struct model *m, enum console_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Line i of the console, 0 = oldest kept. */
const struct console_line *model_console_line(const struct model *m, int i);
/* A check's result; expected and got are copied. */
void model_add_check(struct model *m, bool passed, const char *message, const char *detail,
                     const char *where, const struct value *expected, const struct value *got);
/* Drop console lines, checks and step state (a new scenario run). */
void model_reset_run(struct model *m);

/* exclab probe: what runs (a new run: findings and the end forgotten). */
void model_set_program(struct model *m, const char *what, const char *stdin_text);
/* A finding, new or replacing the one with the same id (copied). */
void model_set_finding(struct model *m, const struct finding *f);
/* The finding with this id, or NULL. */
const struct finding *model_finding(const struct model *m, uint32_t id);
void model_set_reasons(struct model *m, const struct probe_reasons *r);
/* The program ended (the run is over: RUN_DONE, or RUN_STOPPED when a
 * limit or the learner stopped it). */
void model_program_ended(struct model *m, const struct program_end *e);

#endif
