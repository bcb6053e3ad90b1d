/* probe_ui.c — exclab probe's event loop: keys, the runner, redraws.
 *
 * As ui.c for lessons: one off-screen screen presented in one go, redrawn
 * when the model moves (at most ~30 times a second, at least every 100 ms
 * while the program runs). The program's Ctrl-C is one KeyboardInterrupt;
 * the second ends it (runner.h). */
#include "probe_ui.h"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include "model.h"
#include "probe_frame.h"
#include "screen.h"
#include "term.h"
#include "view.h"

#define FRAME_MIN 0.033
#define FRAME_RUNNING 0.1

struct probe_ui {
	struct model model;
	struct runner *runner;
	struct screen *screen;
	struct view views[PV_COUNT];
	struct probe_frame layout;
	bool graph, dirty, quit;
	int quit_signal;
	uintptr_t why;          /* a "why alive?" to ask */
	unsigned drawn_version;
	double last_draw;
};

static struct view_ctx context(const struct probe_ui *ui)
{
	return (struct view_ctx){ .model = &ui->model, .in_graph = ui->graph };
}

static void resize(struct probe_ui *ui)
{
	int w, h;

	term_size(&w, &h);
	screen_resize(ui->screen, w, h);
	probe_frame_layout(&ui->layout, w, h);
}

static const struct finding *chosen(struct probe_ui *ui)
{
	return view_findings_selected(ui->views[PV_FINDINGS].data, &ui->model);
}

static void on_key(struct probe_ui *ui, int key)
{
	const struct finding *f;

	if (key == 'q') {
		ui->quit = true;
		return;
	}
	if (ui->layout.too_small)
		return;
	if (key == 'g') {
		f = chosen(ui);
		ui->graph = !ui->graph;
		if (ui->graph && f)
			runner_finding_graph(ui->runner, f->id);
		return;
	}
	if (ui->graph) {
		if (ui->views[PV_GRAPH].ops->key(ui->views[PV_GRAPH].data, key)) {
			uintptr_t why = view_graph_take_why(ui->views[PV_GRAPH].data);
			if (why)
				ui->why = why;
		} else if (key == TERM_KEY_ESCAPE) {
			ui->graph = false;
		}
		return;
	}
	if (key == TERM_KEY_ENTER) {
		f = chosen(ui);
		if (f && f->addr)
			ui->why = (uintptr_t)f->addr;
		return;
	}
	if (key == 'r' && !runner_busy(ui->runner)) {
		struct error err;
		runner_restart(ui->runner, &err);
		return;
	}
	if (!ui->views[PV_FINDINGS].ops->key(ui->views[PV_FINDINGS].data, key))
		ui->views[PV_CONSOLE].ops->key(ui->views[PV_CONSOLE].data, key);
}

static void wait_for_work(const struct probe_ui *ui, double now)
{
	double wait = FRAME_RUNNING;

	if (ui->dirty && ui->last_draw + FRAME_MIN - now < wait)
		wait = ui->last_draw + FRAME_MIN - now;
	runner_wait_or_key(ui->runner, wait);
}

static void draw(struct probe_ui *ui)
{
	struct view_ctx ctx = context(ui);

	for (int i = 0; i < PV_COUNT; i++)
		if (ui->views[i].ops->update)
			ui->views[i].ops->update(ui->views[i].data, &ctx);
	probe_frame_draw(ui->screen, &ui->layout, ui->views, &ctx, ui->graph);
	term_present(ui->screen);
}

static void loop(struct probe_ui *ui)
{
	bool more = false;

	while (!ui->quit) {
		double now = util_now();
		bool keyed = false;
		int key, sig;

		if (!more)
			wait_for_work(ui, now);
		sig = term_signal_pending();
		if (sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
			ui->quit_signal = sig;
			return;
		}
		if (sig == SIGINT) {
			runner_stop(ui->runner);
			ui->dirty = true;
		}
		while (!ui->quit && (key = term_read_key()) != TERM_KEY_NONE) {
			keyed = true;
			if (key == TERM_KEY_RESIZE)
				resize(ui);
			else
				on_key(ui, key);
		}
		if (ui->quit)
			return;
		more = runner_tick(ui->runner);
		if (ui->why && runner_why(ui->runner, ui->why) == 0)
			ui->why = 0;
		now = util_now();
		ui->dirty = ui->dirty || keyed || ui->model.version != ui->drawn_version ||
		            (runner_busy(ui->runner) && now - ui->last_draw >= FRAME_RUNNING);
		if (ui->dirty && (keyed || now - ui->last_draw >= FRAME_MIN)) {
			ui->drawn_version = ui->model.version;
			draw(ui);
			ui->last_draw = now;
			ui->dirty = false;
		}
	}
}

int probe_ui_run(const struct runner_program *prog, const struct runner_options *opt,
                 struct error *err)
{
	struct probe_ui ui = { 0 };
	struct runner_program p = *prog;
	struct runner_options o = *opt;
	struct error open_err;

	p.passthrough = false;   /* the terminal is the view's: the program gets /dev/null */
	o.interactive = true;
	if (term_init(err) < 0)
		return -1;
	model_init(&ui.model);
	for (int i = 0; i < PV_COUNT; i++) {
		ui.views[i].ops = probe_frame_views[i];
		ui.views[i].data = probe_frame_views[i]->init ? probe_frame_views[i]->init() : NULL;
	}
	ui.screen = screen_new(0, 0, term_ascii());
	resize(&ui);
	draw(&ui);
	runner_open_program(&ui.runner, &p, &ui.model, &o, &open_err);
	ui.dirty = true;
	loop(&ui);
	runner_close(ui.runner);
	for (int i = 0; i < PV_COUNT; i++)
		if (ui.views[i].ops->free)
			ui.views[i].ops->free(ui.views[i].data);
	screen_free(ui.screen);
	model_free(&ui.model);
	term_done();
	return ui.quit_signal ? 128 + ui.quit_signal : 0;
}
