/* test_views.c — whole screens at 80x24, drawn without a terminal.
 *
 * The views never call curses, so frame_draw composes a screen here exactly
 * as the interface does, and each is compared with a golden text in
 * tests/golden/views/: a change to the layout or to a view shows up as a
 * reviewable diff of what the learner sees. The model, the lesson
 * (tests/golden/views/lesson.md) and the numbers are fixed here, so only a
 * change in drawing changes a golden.
 *
 *     EXCLAB_REGENERATE_GOLDENS=1 build/tests/test_views   (then review the diff)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "frame.h"
#include "graph.h"
#include "golden.h"
#include "lesson.h"
#include "model.h"
#include "progress.h"
#include "screen.h"

#define GOLDEN_DIR "tests/golden/views/"
#define LESSON GOLDEN_DIR "lesson.md"

struct fixture {
	struct model model;
	struct lesson *lesson;
	struct view views[V_COUNT];
	struct progress progress;
	struct exercise_info info;
	struct exwatch ex;
	struct view_ctx ctx;
	struct frame_shows shows;
	bool wide;
};

static const char *const titles[] = { "What a traceback holds", "Reusing one exception instance",
                                      "Exception reference cycles" };
static const char *const keys[] = { "01-traceback", "02-reuse", "03-cycles" };

static void sample(struct model *m, double t, double heap, double rss, double chain, double frames)
{
	struct probe_sample s = {
		.t = t, .v = { [PROBE_HEAP] = heap, [PROBE_RSS] = rss, [PROBE_CHAIN] = chain,
		               [PROBE_FRAMES] = frames },
		.have = 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_CHAIN | 1u << PROBE_FRAMES,
	};

	model_record_sample(m, &s);
}

/* Lesson 2's first step, half done: what a learner would see. */
static void setup(struct fixture *f)
{
	struct error err;
	static char *hints[] = { "Which object is raised on every call?" };

	memset(f, 0, sizeof *f);
	model_init(&f->model);
	model_reset_run(&f->model);
	model_set_python(&f->model, "3.11.2", 700);
	model_set_scenario(&f->model, "Reusing one exception instance", GOLDEN_DIR "scenario.lua", 3,
	                   768e6);
	model_set_settings(&f->model, 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_CHAIN |
	                   1u << PROBE_FRAMES, "Errors.not_found", "");
	model_console(&f->model, CONSOLE_INFO, "Reusing one exception instance — Python 3.11.2");
	model_before_step(&f->model, 0, "Raise the shared instance 100 times");
	model_begin_step(&f->model, 0, "Raise the shared instance 100 times");
	model_console(&f->model, CONSOLE_STEP, "▶ Step 1/3: Raise the shared instance 100 times");
	for (int i = 0; i <= 10; i++)
		sample(&f->model, i, 2.5e6 + i * 5e6, 12e6 + i * 5.1e6, i * 20, i * 30);
	model_console(&f->model, CONSOLE_OUTPUT, "100 raises: the chain holds 200 entries");
	model_add_check(&f->model, true, "two new entries per raise", "expected 200, got 200",
	                "scenario.lua:12", &(struct value){ .kind = VALUE_INT, .u.i = 200 },
	                &(struct value){ .kind = VALUE_INT, .u.i = 200 });
	model_console(&f->model, CONSOLE_PASS, "✓ two new entries per raise (expected 200, got 200)");
	model_console(&f->model, CONSOLE_GC, "gc: 1 collection (gen 0: 1, gen 1: 0, gen 2: 0), "
	              "0 unreachable objects found");
	model_before_step(&f->model, 1, "Raise a fresh instance instead");
	CHECK(lesson_load(&f->lesson, LESSON, &err) == 0);
	for (int i = 0; i < V_COUNT; i++) {
		f->views[i].ops = frame_views[i];
		f->views[i].data = frame_views[i]->init ? frame_views[i]->init() : NULL;
	}
	progress_get(&f->progress, "01-traceback")->finished = true;
	progress_get(&f->progress, "01-traceback")->exercise = PROGRESS_EX_PASSED;
	progress_get(&f->progress, "02-reuse")->steps_done = 1;
	progress_get(&f->progress, "02-reuse")->steps_total = 3;
	f->info = (struct exercise_info){ .task = "Make handle_request() keep no traceback alive "
	                                            "between requests.",
	                                  .file = "exercise/handler.py", .hints = hints, .n_hints = 1 };
	f->ctx = (struct view_ctx){
		.model = &f->model,
		.lesson = f->lesson,
		.scenario = GOLDEN_DIR "scenario.lua",
		.place = VIEW_IN_LESSON,
		.has_course = true,
		.has_exercise = true,
		.course_titles = titles,
		.course_keys = keys,
		.course_len = 3,
		.progress = &f->progress,
		.notice = "",
		.exercise_info = &f->info,
	};
}

static void teardown(struct fixture *f)
{
	for (int i = 0; i < V_COUNT; i++)
		if (f->views[i].ops->free)
			f->views[i].ops->free(f->views[i].data);
	lesson_free(f->lesson);
	progress_free(&f->progress);
	model_free(&f->model);
	free(f->ex.result.fails);
}

/* Lesson 3's cycle: the exception, its traceback, the frame that holds it;
 * and the machinery the view hides at first: the frame's function and code,
 * and what only the function holds. */
static struct graph *cycle_graph(void)
{
	struct graph *g = graph_new();
	struct graph_node nodes[] = {
		{ .addr = 0x1000, .kind = GRAPH_EXCEPTION, .type = "AppError", .repr = "AppError('boom')",
		  .size = 72, .root = true, .root_name = "last_error()" },
		{ .addr = 0x2000, .kind = GRAPH_TRACEBACK, .type = "traceback", .repr = "app.py:14", .size = 64 },
		{ .addr = 0x3000, .kind = GRAPH_FRAME, .type = "frame", .repr = "handle() app.py:14",
		  .size = 432 },
		{ .addr = 0x4000, .kind = GRAPH_BYTES, .type = "bytes", .repr = "b'xxxx...'",
		  .size = 5000033 },
		{ .addr = 0x5000, .kind = GRAPH_FUNCTION, .type = "function", .repr = "handle()",
		  .size = 152, .incidental = true },
		{ .addr = 0x6000, .kind = GRAPH_CODE, .type = "code", .repr = "code handle",
		  .size = 200, .incidental = true },
		{ .addr = 0x7000, .kind = GRAPH_STR, .type = "str", .repr = "'handle'", .size = 55 },
	};

	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
		graph_add_node(g, &nodes[i]);
	graph_add_edge(g, 0, 1, "__traceback__");
	graph_add_edge(g, 1, 2, "tb_frame");
	graph_add_edge(g, 2, 0, "exc");
	graph_add_edge(g, 2, 3, "payload");
	graph_add_edge(g, 2, 4, "f_func");
	graph_add_edge(g, 2, 5, "f_code");
	graph_add_edge(g, 4, 5, "__code__");
	graph_add_edge(g, 4, 6, "__qualname__");
	graph_find_cycles(g);
	return g;
}

static void check_frame(struct fixture *f, const char *name, int w, int h, bool ascii)
{
	struct screen *s = screen_new(w, h, ascii);
	struct frame_layout l;
	char path[256], *got;

	frame_layout(&l, w, h, f->wide);
	for (int i = 0; i < V_COUNT; i++)   /* as ui.c does before each frame */
		if (f->views[i].ops->update)
			f->views[i].ops->update(f->views[i].data, &f->ctx);
	frame_draw(s, &l, f->views, &f->shows, &f->ctx);
	got = screen_to_text(s);
	for (const char *c = got; ascii && *c; c++)
		CHECK((unsigned char)*c < 0x80);   /* every glyph has an ASCII stand-in */
	snprintf(path, sizeof path, GOLDEN_DIR "%s.txt", name);
	check_golden_text(path, got);
	free(got);
	screen_free(s);
}

int main(void)
{
	struct fixture f;
	struct error err;
	static struct report_check fails[] = {
		{ .message = "no growth across 200 requests", .detail = "changed by 20,000,000, allowed ± 64,000",
		  .where = "scenario.lua:88" },
	};
	const char *choices[] = { "200 entries", "202 entries", "400 entries" };

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_views: no C.UTF-8 locale: the UTF-8 screens cannot be drawn\n");
		return 1;
	}
	setup(&f);
	check_frame(&f, "before_step", 80, 24, false);
	check_frame(&f, "before_step.ascii", 80, 24, true);
	check_frame(&f, "before_step.160x48", 160, 48, false);
	f.shows.graph = f.ctx.in_graph = true;   /* g before any step has drawn a graph */
	check_frame(&f, "graph.none", 80, 24, false);
	f.shows.graph = f.ctx.in_graph = false;

	model_begin_step(&f.model, 1, "Raise a fresh instance instead");
	model_running(&f.model);
	check_frame(&f, "running", 80, 24, false);

	model_paused(&f.model, "Look at the chain gauge: it stays at 2.");
	check_frame(&f, "paused", 80, 24, false);

	model_ask(&f.model, "How many entries will the chain hold after 100 more raises?", choices, 3);
	check_frame(&f, "asking", 80, 24, false);
	model_ask_done(&f.model);

	error_set(&err, "scenarios/02-reuse/reuse.py", 14, "ZeroDivisionError: division by zero "
	          "(from scenario.lua:30)");
	model_console(&f.model, CONSOLE_ERROR, "✗ scenarios/02-reuse/reuse.py:14: ZeroDivisionError: "
	              "division by zero (from scenario.lua:30)");
	model_failed(&f.model, &err);
	check_frame(&f, "failed", 80, 24, false);

	f.shows.help = true;
	check_frame(&f, "help", 80, 24, false);
	f.shows.help = false;

	model_set_settings(&f.model, 1u << PROBE_HEAP, "", "last_error()");
	model_set_graph(&f.model, cycle_graph());
	f.shows.graph = f.ctx.in_graph = true;
	check_frame(&f, "graph", 80, 24, false);
	f.shows.help = true;
	check_frame(&f, "help.graph", 80, 24, false);
	f.shows.help = false;
	f.wide = true;
	check_frame(&f, "graph.wide", 80, 24, false);
	f.shows.graph = f.ctx.in_graph = false;
	check_frame(&f, "wide", 80, 24, false);
	f.wide = false;

	f.ex = (struct exwatch){ .path = "/home/ada/.local/share/exclab/work/02-reuse/handler.py",
	                         .state = EXWATCH_FAILED,
	                         .result = { .passed = 9, .failed = 1 } };
	f.ex.result.fails = malloc(sizeof fails);
	memcpy(f.ex.result.fails, fails, sizeof fails);
	f.ex.result.n_fails = 1;
	f.ctx.exercise = &f.ex;
	f.ctx.place = VIEW_IN_EXERCISE;
	f.ctx.hints_shown = 1;
	f.shows.exercise = true;
	check_frame(&f, "exercise", 80, 24, false);
	f.shows.exercise = false;
	f.ctx.place = VIEW_IN_MENU;
	f.shows.menu = true;
	check_frame(&f, "menu", 80, 24, false);
	check_frame(&f, "too_small", 60, 20, false);
	teardown(&f);
	return check_done("test_views");
}
