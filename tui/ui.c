/* ui.c — the event loop: read a key, let the runner advance, redraw.
 *
 * Everything is drawn into one off-screen screen and presented in one go.
 * Redraws happen when something changed (a key, a resize, the model's
 * version) and, while a step runs, at least every 100 ms; never more than
 * about 30 times a second. The interface talks to the scenario only through
 * runner_* and reads the model: it never calls Python or Lua. */
#include "ui.h"

#include <signal.h>
#include <stdlib.h>

#include "lesson.h"
#include "model.h"
#include "screen.h"
#include "term.h"
#include "view.h"

#define FRAME_MIN 0.033      /* seconds between frames: ~30 fps */
#define FRAME_RUNNING 0.1    /* a running step redraws at least this often */

enum { V_TITLE, V_LESSON, V_GAUGES, V_CONSOLE, V_STATUS, V_HELP, V_SMALL, V_GRAPH, V_PREDICT,
       V_COUNT };

struct layout {
	bool too_small;
	struct screen_rect title, lesson, gauges, console, status;
	int split_x, rule_y;   /* the line between lesson and gauges; above the console */
};

struct ui {
	struct lesson *lesson;
	const char *scenario;
	struct model model;
	struct runner *runner;
	struct screen *screen;
	struct view views[V_COUNT];
	struct layout layout;
	bool help, graph, dirty, quit;
	uintptr_t why;             /* a "why alive?" waiting for Python to be free */
	unsigned drawn_version;
	double last_draw;
};

static const struct view_ops *const view_table[V_COUNT] = {
	[V_TITLE] = &view_title,
	[V_LESSON] = &view_lesson,
	[V_GAUGES] = &view_gauges,
	[V_CONSOLE] = &view_console,
	[V_STATUS] = &view_status,
	[V_HELP] = &view_help,
	[V_SMALL] = &view_small,
	[V_GRAPH] = &view_graph,
	[V_PREDICT] = &view_predict,
};

/* At 80x24: lesson 45 columns, gauges 34, console 6 rows. Larger terminals
 * give the gauges and the console a share of the extra room. */
static void compute_layout(struct layout *l, int w, int h)
{
	int gw = 34 + (w - VIEW_MIN_WIDTH) / 2, ch = 6 + (h - VIEW_MIN_HEIGHT) / 3;

	l->too_small = w < VIEW_MIN_WIDTH || h < VIEW_MIN_HEIGHT;
	gw = gw > 60 ? 60 : gw;
	ch = ch > 16 ? 16 : ch;
	l->title = (struct screen_rect){ 0, 0, w, 1 };
	l->status = (struct screen_rect){ 0, h - 1, w, 1 };
	l->console = (struct screen_rect){ 0, h - 1 - ch, w, ch };
	l->rule_y = l->console.y - 1;
	l->split_x = w - gw - 1;
	l->lesson = (struct screen_rect){ 0, 1, l->split_x, l->rule_y - 1 };
	l->gauges = (struct screen_rect){ l->split_x + 1, 1, gw, l->rule_y - 1 };
}

static void draw_view(struct ui *ui, int id, struct screen_rect r, const struct view_ctx *ctx)
{
	ui->views[id].ops->draw(ui->views[id].data, ui->screen, r, ctx);
}

static void draw(struct ui *ui)
{
	const struct layout *l = &ui->layout;
	struct screen *s = ui->screen;
	struct screen_rect all = screen_bounds(s);
	struct view_ctx ctx = { &ui->model, ui->lesson, ui->scenario };

	screen_clear(s);
	if (l->too_small) {
		draw_view(ui, V_SMALL, all, &ctx);
		return;
	}
	draw_view(ui, V_TITLE, l->title, &ctx);
	screen_hline(s, all, 0, l->rule_y, s->w, SCREEN_BORDER);
	if (ui->graph) {
		/* The graph takes the lesson's and the gauges' room. */
		struct screen_rect r = { 0, l->lesson.y, s->w, l->lesson.h };
		draw_view(ui, V_GRAPH, r, &ctx);
	} else {
		draw_view(ui, V_LESSON, l->lesson, &ctx);
		screen_vline(s, all, l->split_x, l->lesson.y, l->lesson.h, SCREEN_BORDER);
		draw_view(ui, V_GAUGES, l->gauges, &ctx);
		screen_putc(s, all, l->split_x, l->rule_y, 0x2534, SCREEN_BORDER);
	}
	screen_put(s, all, 2, l->rule_y, " console ", SCREEN_BORDER);
	draw_view(ui, V_CONSOLE, l->console, &ctx);
	draw_view(ui, V_STATUS, l->status, &ctx);
	if (ui->model.asking)
		draw_view(ui, V_PREDICT, (struct screen_rect){ 0, l->lesson.y, s->w, l->lesson.h }, &ctx);
	if (ui->help)
		draw_view(ui, V_HELP, all, &ctx);
}

static void resize(struct ui *ui)
{
	int w, h;

	term_size(&w, &h);
	screen_resize(ui->screen, w, h);
	compute_layout(&ui->layout, w, h);
}

/* Ctrl-C stops a running step; with nothing running it quits. */
static void on_interrupt(struct ui *ui)
{
	if (runner_busy(ui->runner))
		runner_stop(ui->runner);
	else
		ui->quit = true;
}

static void restart(struct ui *ui)
{
	struct error err;

	/* A failure is already in the console; the learner can fix the file and retry. */
	if (ui->runner != NULL)
		runner_restart(ui->runner, &err);
}

static void on_key(struct ui *ui, int key)
{
	struct view *lesson = &ui->views[V_LESSON], *console = &ui->views[V_CONSOLE];

	if (ui->help) {   /* any key closes the help */
		ui->help = false;
		return;
	}
	if (key == 'q') {
		runner_stop(ui->runner);   /* runner_close waits for Python to unwind */
		ui->quit = true;
		return;
	}
	if (ui->layout.too_small)
		return;
	if (ui->model.asking) {
		/* Every key answers the question, or skips it. */
		char answer[256];
		bool skipped;
		ui->views[V_PREDICT].ops->key(ui->views[V_PREDICT].data, key);
		if (view_predict_take(ui->views[V_PREDICT].data, answer, sizeof answer, &skipped))
			runner_answer(ui->runner, skipped ? NULL : answer);
		return;
	}
	if (key == 'g') {
		ui->graph = !ui->graph;
		return;
	}
	if (ui->graph && ui->views[V_GRAPH].ops->key(ui->views[V_GRAPH].data, key)) {
		uintptr_t why = view_graph_take_why(ui->views[V_GRAPH].data);
		if (why)
			ui->why = why;
		return;
	}
	switch (key) {
	case ' ':
	case TERM_KEY_ENTER:
		runner_continue(ui->runner);
		break;
	case 'a':
		runner_run_all(ui->runner);
		break;
	case 's':
		runner_stop(ui->runner);
		break;
	case 'r':
		restart(ui);
		break;
	case '?':
		ui->help = true;
		break;
	default:
		if (!lesson->ops->key(lesson->data, key))
			console->ops->key(console->data, key);
		break;
	}
}

static void loop(struct ui *ui)
{
	while (!ui->quit) {
		int key = term_read_key();
		double now;

		switch (term_signal_pending()) {
		case SIGTERM:
			return;
		case SIGINT:
			on_interrupt(ui);
			ui->dirty = true;
			break;
		}
		if (key == TERM_KEY_RESIZE)
			resize(ui);
		else if (key != TERM_KEY_NONE)
			on_key(ui, key);
		if (ui->quit)
			return;
		runner_tick(ui->runner);
		if (ui->why && runner_why(ui->runner, ui->why) == 0)
			ui->why = 0;

		now = util_now();
		ui->dirty = ui->dirty || key != TERM_KEY_NONE || ui->model.version != ui->drawn_version ||
		            (runner_busy(ui->runner) && now - ui->last_draw >= FRAME_RUNNING);
		if (ui->dirty && (key != TERM_KEY_NONE || now - ui->last_draw >= FRAME_MIN)) {
			ui->drawn_version = ui->model.version;
			draw(ui);
			term_present(ui->screen);
			ui->last_draw = now;
			ui->dirty = false;
		}
	}
}

int ui_run(const char *lesson_path, const char *scenario_path,
           const struct runner_options *opt, struct error *err)
{
	struct ui ui = { 0 };
	struct runner_options ropt = *opt;
	struct error open_err;
	int i, rc = -1;

	/* The lesson first: a bad file is reported before the screen changes. */
	if (lesson_path != NULL && lesson_load(&ui.lesson, lesson_path, err) < 0)
		return -1;
	ui.scenario = scenario_path ? scenario_path : ui.lesson ? lesson_scenario(ui.lesson) : NULL;
	if (term_init(err) < 0)
		goto out;

	model_init(&ui.model);
	for (i = 0; i < V_COUNT; i++) {
		ui.views[i].ops = view_table[i];
		ui.views[i].data = view_table[i]->init ? view_table[i]->init() : NULL;
	}
	ui.screen = screen_new(0, 0, term_ascii());
	resize(&ui);
	/* First frame before the scenario loads, so the screen answers at once. */
	draw(&ui);
	term_present(ui.screen);

	ropt.interactive = true;
	if (ui.scenario != NULL)
		runner_open(&ui.runner, ui.scenario, &ui.model, &ropt, &open_err);
	ui.dirty = true;
	loop(&ui);
	rc = 0;

	runner_close(ui.runner);
	for (i = 0; i < V_COUNT; i++)
		if (ui.views[i].ops->free)
			ui.views[i].ops->free(ui.views[i].data);
	screen_free(ui.screen);
	model_free(&ui.model);
out:
	term_done();
	lesson_free(ui.lesson);
	return rc;
}
