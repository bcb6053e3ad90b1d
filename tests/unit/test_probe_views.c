/* test_probe_views.c — exclab probe's screens at 80x24, drawn without a
 * terminal and compared with goldens in tests/golden/probe/, as
 * test_views.c does for lessons: a program running with three findings,
 * the chosen one asked "why alive?", its graph, the program ended, and a
 * clean run.
 *
 *     EXCLAB_REGENERATE_GOLDENS=1 build/tests/test_probe_views   (then review the diff)
 */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "golden.h"
#include "model.h"
#include "probe_frame.h"
#include "screen.h"
#include "term.h"

#define GOLDEN_DIR "tests/golden/probe/"

struct fixture {
	struct model model;
	struct view views[PV_COUNT];
	struct view_ctx ctx;
	bool graph;
};

static void add(struct model *m, uint32_t id, enum finding_kind kind, const char *title,
                const char *raise_at, const char *except_at, const char *store_at,
                const char *detail, uint64_t count, uint64_t bytes, uint64_t addr)
{
	struct finding f = {
		.id = id, .kind = kind, .title = (char *)title, .raise_at = (char *)raise_at,
		.except_at = (char *)except_at, .store_at = (char *)store_at, .detail = (char *)detail,
		.count = count, .bytes = bytes, .addr = addr,
	};

	model_set_finding(m, &f);
}

static void setup(struct fixture *f)
{
	struct probe_reasons r = { .heap = 14.2e6, .traceback_only = 9.1e6, .cyclic_garbage = 1.3e6,
	                           .gc_freed = 4.2e6 };

	memset(f, 0, sizeof *f);
	model_init(&f->model);
	model_reset_run(&f->model);
	model_set_python(&f->model, "3.11.2", 700);
	model_set_program(&f->model, "app.py --port 8080", "/dev/null");
	model_set_settings(&f->model, 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_GC0 |
	                   1u << PROBE_GC_RUNS, "", "");
	model_running(&f->model);
	for (int i = 0; i <= 10; i++) {
		struct probe_sample s = {
			.t = i, .v = { [PROBE_HEAP] = 2e6 + i * 1.2e6, [PROBE_RSS] = 12e6 + i * 1.5e6,
			               [PROBE_GC0] = 40.0 * i, [PROBE_GC_RUNS] = i / 3 },
			.have = 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_GC0 | 1u << PROBE_GC_RUNS,
		};
		model_push_sample(&f->model, &s);
	}
	add(&f->model, 1, FINDING_HINT, "an except clause stores its exception", "", "app.py:41",
	    "app.py:42", "except OSError as e: stores e (self.last_error = e) with its traceback.",
	    0, 0, 0);
	add(&f->model, 2, FINDING_KEPT, "20 BrokenPipeError kept after their handler, with their "
	    "tracebacks", "app.py:37", "app.py:41", "app.py:42", "20 exceptions with 40 frames kept "
	    "after the handler at app.py:41 ended.\nHeld by: the globals of module __main__ -[pool]-> "
	    "list 20 items -[[0]]-> Connection", 20, 8100000, 0x7f0010);
	add(&f->model, 3, FINDING_REUSED, "LookupError('no such row') raised 300 times from one "
	    "instance", "app.py:12", "app.py:25", "", "Its traceback holds 1200 entries from 300 "
	    "raises.\nRaise a new instance each time.", 300, 2754720, 0x7f0020);
	add(&f->model, 4, FINDING_CYCLE, "exception reference cycles made by the except at app.py:60",
	    "app.py:55", "app.py:60", "app.py:61", "Each keeps its exception, traceback, frames and "
	    "their locals until the cyclic garbage collector runs.", 120, 5600000, 0);
	model_set_reasons(&f->model, &r);
	model_console(&f->model, CONSOLE_INFO, "Running app.py --port 8080 (its standard input is "
	              "/dev/null: the interactive view gives it no input; use --headless for that).");
	model_console(&f->model, CONSOLE_OUTPUT, "listening on :8080");
	model_console(&f->model, CONSOLE_STDERR, "WARNING: db0: connection reset by peer");
	for (int i = 0; i < PV_COUNT; i++) {
		f->views[i].ops = probe_frame_views[i];
		f->views[i].data = probe_frame_views[i]->init ? probe_frame_views[i]->init() : NULL;
	}
	f->ctx = (struct view_ctx){ .model = &f->model };
}

static void teardown(struct fixture *f)
{
	for (int i = 0; i < PV_COUNT; i++)
		if (f->views[i].ops->free)
			f->views[i].ops->free(f->views[i].data);
	model_free(&f->model);
}

static void check_frame(struct fixture *f, const char *name, bool ascii)
{
	struct screen *s = screen_new(80, 24, ascii);
	struct probe_frame l;
	char path[256], *got;

	probe_frame_layout(&l, 80, 24);
	f->ctx.in_graph = f->graph;
	for (int i = 0; i < PV_COUNT; i++)   /* as probe_ui.c does before each frame */
		if (f->views[i].ops->update)
			f->views[i].ops->update(f->views[i].data, &f->ctx);
	probe_frame_draw(s, &l, f->views, &f->ctx, f->graph);
	got = screen_to_text(s);
	for (const char *c = got; ascii && *c; c++)
		CHECK((unsigned char)*c < 0x80);
	snprintf(path, sizeof path, GOLDEN_DIR "%s.txt", name);
	check_golden_text(path, got);
	free(got);
	screen_free(s);
}

static struct graph *kept_graph(void)
{
	struct graph *g = graph_new();
	struct graph_node nodes[] = {
		{ .addr = 0x7f0010, .kind = GRAPH_EXCEPTION, .type = "BrokenPipeError",
		  .repr = "BrokenPipeError('db0: c…", .size = 72, .root = true, .root_name = "finding 2" },
		{ .addr = 0x2000, .kind = GRAPH_TRACEBACK, .type = "traceback", .repr = "app.py:39", .size = 64 },
		{ .addr = 0x3000, .kind = GRAPH_FRAME, .type = "frame", .repr = "send() app.py:37",
		  .size = 432 },
		{ .addr = 0x4000, .kind = GRAPH_BYTES, .type = "bytearray", .repr = "50000 bytes",
		  .size = 50057 },
	};

	for (size_t i = 0; i < sizeof nodes / sizeof nodes[0]; i++)
		graph_add_node(g, &nodes[i]);
	graph_add_edge(g, 0, 1, "__traceback__");
	graph_add_edge(g, 1, 2, "tb_frame");
	graph_add_edge(g, 2, 3, "frame");
	graph_find_cycles(g);
	return g;
}

int main(void)
{
	struct fixture f;
	const char *why[] = { "the globals of module __main__", "-[pool]-> list 20 items",
	                      "-[[0]]-> Connection", "-[last_error]-> BrokenPipeError" };
	struct program_end end = { .kind = PROGRAM_EXITED, .code = 0 };

	if (setlocale(LC_CTYPE, "C.UTF-8") == NULL) {
		fprintf(stderr, "test_probe_views: no C.UTF-8 locale\n");
		return 1;
	}
	setup(&f);
	/* The list: leaks by bytes first, then hints; the first one chosen. */
	check_frame(&f, "running", false);
	check_frame(&f, "running.ascii", true);

	/* ↓ chooses the next; the same finding stays chosen when a new one comes. */
	CHECK(f.views[PV_FINDINGS].ops->key(f.views[PV_FINDINGS].data, TERM_KEY_DOWN));
	f.views[PV_FINDINGS].ops->update(f.views[PV_FINDINGS].data, &f.ctx);
	CHECK(view_findings_selected(f.views[PV_FINDINGS].data, &f.model)->id == 4);
	add(&f.model, 5, FINDING_KEPT, "KeyError('k') kept after its handler, with its traceback",
	    "lib.py:3", "lib.py:9", "", "", 1, 9000000, 0x7f0030);
	f.views[PV_FINDINGS].ops->update(f.views[PV_FINDINGS].data, &f.ctx);
	CHECK(view_findings_selected(f.views[PV_FINDINGS].data, &f.model)->id == 4);
	CHECK(f.views[PV_FINDINGS].ops->key(f.views[PV_FINDINGS].data, TERM_KEY_UP));
	CHECK(f.views[PV_FINDINGS].ops->key(f.views[PV_FINDINGS].data, TERM_KEY_UP));
	CHECK(f.views[PV_FINDINGS].ops->key(f.views[PV_FINDINGS].data, TERM_KEY_DOWN));
	f.views[PV_FINDINGS].ops->update(f.views[PV_FINDINGS].data, &f.ctx);
	CHECK(view_findings_selected(f.views[PV_FINDINGS].data, &f.model)->id == 2);

	/* enter asked why the kept one is alive: the path, in its details. */
	model_set_why(&f.model, 0x7f0010, why, 4);
	check_frame(&f, "why", false);

	/* g: what it keeps alive. */
	model_set_settings(&f.model, 1u << PROBE_HEAP | 1u << PROBE_RSS | 1u << PROBE_GC0 |
	                   1u << PROBE_GC_RUNS, "", "20 BrokenPipeError kept after their handler");
	model_set_graph(&f.model, kept_graph());
	f.graph = true;
	check_frame(&f, "graph", false);
	f.graph = false;

	model_program_ended(&f.model, &end);
	model_console(&f.model, CONSOLE_INFO, "The program exited with status 0.");
	check_frame(&f, "exited", false);
	teardown(&f);

	/* A clean program: it says so, in words. */
	setup(&f);
	model_set_program(&f.model, "fixed.py", "/dev/null");
	model_program_ended(&f.model, &end);
	check_frame(&f, "clean", false);
	teardown(&f);
	return check_done("test_probe_views");
}
