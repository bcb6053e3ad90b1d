/* ui.c — the event loop: read a key, let the runner advance, redraw.
 *
 * Everything is drawn into one off-screen screen and presented in one go.
 * Redraws happen when something changed (a key, a resize, the model's
 * version) and, while a step runs, at least every 100 ms; never more than
 * about 30 times a second. The interface talks to the scenario only through
 * runner_* and reads the model: it never calls Python or Lua. */
#include "ui.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exwatch.h"
#include "frame.h"
#include "lesson.h"
#include "model.h"
#include "progress.h"
#include "screen.h"
#include "term.h"
#include "view.h"

#define FRAME_MIN 0.033      /* seconds between frames: ~30 fps */
#define FRAME_RUNNING 0.1    /* a running step redraws at least this often */
#define ANSWER_ECHO 0.8      /* an Enter this soon after an answer belongs to it */

/* The course, for the menu: every lesson's path, title and progress key. */
struct course {
	char **paths, **titles, **keys;
	int len;
};

struct ui {
	struct lesson *lesson;
	const char *scenario;
	char *key;                 /* the lesson's progress key; NULL: progress not kept */
	struct course course;      /* empty unless exclab started on the menu */
	int course_at;             /* the lesson opened last from the menu */
	bool menu;                 /* the menu is on screen */
	char notice[1800];         /* for the menu: a corrupt progress file, a bad lesson */
	struct progress progress;
	bool save_failed;          /* said once in the console */
	/* the exercise */
	struct exwatch ex;         /* ex.path == NULL until the exercise is opened */
	bool ex_panel, ex_passed;
	char *solution;            /* loaded once the copy has passed */
	struct model model;
	struct runner *runner;
	struct screen *screen;
	struct view views[V_COUNT];
	struct frame_layout layout;
	bool help, graph, wide, dirty, quit;
	int quit_signal;           /* the signal that ended exclab, or 0 */
	uintptr_t why;             /* a "why alive?" waiting for Python to be free */
	double answered_at;        /* when the learner last answered a prediction */
	bool step_entry_on;        /* t: a step number is being typed */
	char step_entry[64];       /* what the status line says meanwhile */
	int step_wanted;
	unsigned drawn_version;
	double last_draw;
};

static struct view_ctx context(const struct ui *ui)
{
	const struct exercise_info *info = runner_exercise(ui->runner);
	const struct progress_lesson *pl = ui->key ? progress_find(&ui->progress, ui->key) : NULL;

	return (struct view_ctx){
		.model = &ui->model,
		.lesson = ui->lesson,
		.steps_done_before = pl ? pl->steps_done : 0,
		.scenario = ui->scenario,
		.place = ui->menu ? VIEW_IN_MENU : ui->ex_panel ? VIEW_IN_EXERCISE : VIEW_IN_LESSON,
		.has_course = ui->course.len > 0,
		.has_exercise = info != NULL,
		.in_graph = ui->graph,
		.course_titles = (const char *const *)ui->course.titles,
		.course_keys = (const char *const *)ui->course.keys,
		.course_len = ui->course.len,
		.progress = &ui->progress,
		.notice = ui->notice,
		.exercise = ui->ex.path ? &ui->ex : NULL,
		.exercise_info = info,
		.hints_shown = pl ? pl->hints_shown : 0,
		.solution = ui->solution,
		.step_entry = ui->step_entry_on ? ui->step_entry : NULL,
	};
}

/* Views bring what they derive from the model up to date before a frame:
 * drawing only paints. */
static void update_views(struct ui *ui)
{
	struct view_ctx ctx = context(ui);

	for (int i = 0; i < V_COUNT; i++)
		if (ui->views[i].ops->update)
			ui->views[i].ops->update(ui->views[i].data, &ctx);
}

static void draw(struct ui *ui)
{
	struct view_ctx ctx = context(ui);
	struct frame_shows shows = {
		.menu = ui->menu, .graph = ui->graph, .help = ui->help, .exercise = ui->ex_panel,
	};

	frame_draw(ui->screen, &ui->layout, ui->views, &shows, &ctx);
}

static void resize(struct ui *ui)
{
	int w, h;

	term_size(&w, &h);
	screen_resize(ui->screen, w, h);
	frame_layout(&ui->layout, w, h, ui->wide);
}

/* Fresh views: nothing a lesson's views remember (scroll, graph selection,
 * console cursor) carries over to the next lesson. */
static void views_reset(struct ui *ui)
{
	for (int i = 0; i < V_COUNT; i++) {
		if (ui->views[i].ops && ui->views[i].ops->free)
			ui->views[i].ops->free(ui->views[i].data);
		ui->views[i].ops = frame_views[i];
		ui->views[i].data = frame_views[i]->init ? frame_views[i]->init() : NULL;
	}
}

static void save_progress(struct ui *ui)
{
	struct error err;

	if (progress_save(&ui->progress, &err) == 0) {
		ui->save_failed = false;
		return;
	}
	if (!ui->save_failed) {
		char msg[ERROR_TEXT_MAX];
		error_format(&err, msg, sizeof msg);
		model_console(&ui->model, CONSOLE_ERROR, "✗ %s", msg);
		snprintf(ui->notice, sizeof ui->notice, "%s", msg);
	}
	ui->save_failed = true;
}

/* What the learner has done so far, into the lesson's progress record;
 * saved at once when anything moved. Runs after every tick: cheap when
 * nothing changed. */
static void note_progress(struct ui *ui)
{
	const struct model *m = &ui->model;
	const struct progress_lesson *saved;
	struct progress_lesson now;
	int done, right = 0;

	if (ui->key == NULL || ui->runner == NULL)
		return;
	saved = progress_find(&ui->progress, ui->key);
	if (saved != NULL)
		now = *saved;
	else
		now = (struct progress_lesson){ .exercise = PROGRESS_EX_NOT_STARTED };
	if (m->step_count > 0)
		now.steps_total = m->step_count;
	done = m->state == RUN_DONE ? m->step_count : m->step_index;
	if (done > now.steps_done)
		now.steps_done = done;
	if (m->state == RUN_DONE && m->step_count > 0)
		now.finished = true;
	/* Predictions once the step that asked them has ended; a restarted run
	 * replaces the record when it has answered at least as many. Skipped
	 * ones (Esc) are neither right nor wrong: they are not counted. */
	if (m->state != RUN_RUNNING) {
		int answered = 0;
		for (int i = 0; i < m->predictions_len; i++) {
			answered += m->predictions[i].guess != NULL;
			right += m->predictions[i].right;
		}
		if (answered > 0 && answered >= now.predictions_asked) {
			now.predictions_asked = answered;
			now.predictions_right = right;
		}
	}
	/* A pass, once recorded, stays: resetting the copy to try again, or a
	 * later failing save, does not take it back. */
	if (ui->ex.path != NULL && now.exercise != PROGRESS_EX_PASSED) {
		switch (ui->ex.state) {
		case EXWATCH_UNTOUCHED: now.exercise = PROGRESS_EX_NOT_STARTED; break;
		case EXWATCH_RUNNING: break;
		case EXWATCH_PASSED: now.exercise = PROGRESS_EX_PASSED; break;
		case EXWATCH_FAILED:
		case EXWATCH_ERROR: now.exercise = PROGRESS_EX_FAILING; break;
		}
	}
	/* Nothing done yet: opening a lesson alone writes nothing. */
	if (saved == NULL && now.steps_done == 0 && now.predictions_asked == 0 &&
	    now.exercise == PROGRESS_EX_NOT_STARTED)
		return;
	if (saved != NULL && now.steps_total == saved->steps_total &&
	    now.steps_done == saved->steps_done && now.finished == saved->finished &&
	    now.predictions_asked == saved->predictions_asked &&
	    now.predictions_right == saved->predictions_right && now.exercise == saved->exercise)
		return;
	{
		struct progress_lesson *l = progress_get(&ui->progress, ui->key);
		l->steps_total = now.steps_total;
		l->steps_done = now.steps_done;
		l->finished = now.finished;
		l->predictions_asked = now.predictions_asked;
		l->predictions_right = now.predictions_right;
		l->exercise = now.exercise;
	}
	save_progress(ui);
}

static void close_exercise(struct ui *ui)
{
	exwatch_close(&ui->ex);
	free(ui->solution);
	ui->solution = NULL;
	ui->ex_panel = ui->ex_passed = false;
}

/* The reference solution, once the learner's copy has passed (now, or in
 * an earlier session). */
static void unlock_solution(struct ui *ui)
{
	const struct exercise_info *info = runner_exercise(ui->runner);
	const struct progress_lesson *l = ui->key ? progress_find(&ui->progress, ui->key) : NULL;
	struct error err;
	size_t len;

	if (ui->ex.state == EXWATCH_PASSED)
		ui->ex_passed = true;
	if (ui->solution != NULL || info == NULL ||
	    !(ui->ex_passed || (l && l->exercise == PROGRESS_EX_PASSED)))
		return;
	ui->solution = util_read_file(info->solution, &len, &err);
	if (ui->solution == NULL) {
		char msg[ERROR_TEXT_MAX];
		error_format(&err, msg, sizeof msg);
		ui->solution = xasprintf("(the solution cannot be read: %s)", msg);
	}
}

/* x: make the working copy if needed, watch it, show the panel. */
static void open_exercise(struct ui *ui)
{
	const struct exercise_info *info = runner_exercise(ui->runner);
	struct error err;
	char *key, *path, *dir;

	if (info == NULL) {
		model_console(&ui->model, CONSOLE_INFO, "This lesson has no exercise.");
		return;
	}
	ui->ex_panel = true;
	if (ui->ex.path != NULL)
		return;
	/* A scenario run without its lesson keeps its copy under the scenario's folder name. */
	dir = util_dirname(ui->scenario);
	key = ui->key ? xstrdup(ui->key) : progress_key(dir);
	free(dir);
	path = exwatch_work_path(key, info->file);
	if (exwatch_open(&ui->ex, ui->scenario, info->file, path, &err) < 0) {
		char msg[ERROR_TEXT_MAX];
		error_format(&err, msg, sizeof msg);
		model_console(&ui->model, CONSOLE_ERROR, "✗ %s", msg);
		exwatch_close(&ui->ex);
		ui->ex_panel = false;
	} else if (ui->key) {
		struct progress_lesson *l = progress_get(&ui->progress, ui->key);
		free(l->working_copy);
		l->working_copy = xstrdup(path);
		save_progress(ui);
	}
	free(path);
	free(key);
}

/* Run the learner's editor on the working copy: the interface steps aside
 * (term_done), the editor owns the terminal until it exits, then the
 * interface comes back (term_init) and is drawn afresh. */
static void edit_exercise(struct ui *ui)
{
	const char *editor = getenv("EDITOR");
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	struct error err;
	char *cmd;
	pid_t pid;
	int status = 0;

	if (editor == NULL || editor[0] == '\0')
		editor = "vi";
	/* $EDITOR may carry arguments ("code -w"): the shell splits it; the
	 * path travels as "$1", never through the shell's parser. */
	cmd = xasprintf("%s \"$1\"", editor);
	term_done();
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);   /* Ctrl-C belongs to the editor now */
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execl("/bin/sh", "sh", "-c", cmd, "sh", ui->ex.path, (char *)NULL);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	free(cmd);
	if (term_init(&err) < 0) {
		ui->quit = true;   /* nothing to draw on: leave as cleanly as we can */
		return;
	}
	if (pid < 0)
		model_console(&ui->model, CONSOLE_ERROR, "✗ cannot start the editor: %s", strerror(errno));
	else if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		model_console(&ui->model, CONSOLE_ERROR, "✗ the editor \"%s\" was not found: set $EDITOR "
		              "(for example EDITOR=nano), or edit %s in any editor", editor, ui->ex.path);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		model_console(&ui->model, CONSOLE_ERROR, "✗ the editor \"%s\" ended with an error; "
		              "your copy is %s", editor, ui->ex.path);
	resize(ui);
	exwatch_tick(&ui->ex, util_now() + 1.0);   /* a save shows at once */
	ui->dirty = true;
}

static void exercise_action(struct ui *ui, enum view_exercise_action a)
{
	const struct exercise_info *info = runner_exercise(ui->runner);
	struct progress_lesson *l;
	struct error err;

	switch (a) {
	case VIEW_EX_NONE:
		break;
	case VIEW_EX_CLOSE:
		ui->ex_panel = false;   /* the copy is still watched */
		break;
	case VIEW_EX_EDIT:
		edit_exercise(ui);
		break;
	case VIEW_EX_VERIFY:
		exwatch_verify(&ui->ex);
		break;
	case VIEW_EX_HINT:
		if (ui->key == NULL || info == NULL)
			break;
		l = progress_get(&ui->progress, ui->key);
		if (l->hints_shown < info->n_hints) {
			l->hints_shown++;
			save_progress(ui);
		}
		break;
	case VIEW_EX_RESET:
		if (exwatch_reset(&ui->ex, &err) < 0) {
			char msg[ERROR_TEXT_MAX];
			error_format(&err, msg, sizeof msg);
			model_console(&ui->model, CONSOLE_ERROR, "✗ %s", msg);
		}
		break;
	}
}

static void close_lesson(struct ui *ui)
{
	runner_close(ui->runner);
	ui->runner = NULL;
	close_exercise(ui);
	lesson_free(ui->lesson);
	ui->lesson = NULL;
	ui->scenario = NULL;
	free(ui->key);
	ui->key = NULL;
	ui->graph = false;
	model_free(&ui->model);
	model_init(&ui->model);
	views_reset(ui);
}

/* A lesson opened again: say what the learner did in it before, since the
 * run itself starts afresh. */
static void welcome_back(struct ui *ui)
{
	const struct progress_lesson *l = ui->key ? progress_find(&ui->progress, ui->key) : NULL;
	char predictions[80] = "";

	if (l == NULL || (l->steps_done == 0 && l->exercise == PROGRESS_EX_NOT_STARTED))
		return;
	if (l->predictions_asked > 0)
		snprintf(predictions, sizeof predictions, ", %d of %d predictions right",
		         l->predictions_right, l->predictions_asked);
	model_console(&ui->model, CONSOLE_INFO, "Welcome back: you ran %s%s; the exercise is %s. "
	              "The text you have seen is shown in full; the run starts again from step 1.",
	              l->finished ? "every step" : l->steps_done == 1 ? "1 step" : "some steps",
	              predictions, progress_exercise_word(l->exercise));
}

/* Open the lesson at path: its text, its scenario in a fresh runner. */
static int open_lesson(struct ui *ui, const char *path, const struct runner_options *opt,
                       struct error *err)
{
	struct error open_err;

	if (lesson_load(&ui->lesson, path, err) < 0)
		return -1;
	ui->scenario = lesson_scenario(ui->lesson);
	ui->key = progress_key(path);
	if (ui->scenario != NULL)
		runner_open(&ui->runner, ui->scenario, &ui->model, opt, &open_err);
	welcome_back(ui);
	ui->menu = false;
	ui->dirty = true;
	return 0;
}

/* Every lesson of the folder with its title, for the menu. A lesson that
 * cannot be read is listed by its file name, and opening it says why. */
static int course_load(struct course *c, const char *dir, struct error *err)
{
	int n = lesson_list(dir, &c->paths, err);

	if (n < 0)
		return -1;
	c->len = n;
	c->titles = xcalloc((size_t)n + 1, sizeof *c->titles);
	c->keys = xcalloc((size_t)n + 1, sizeof *c->keys);
	for (int i = 0; i < n; i++) {
		struct lesson *l;
		struct error lerr;
		c->keys[i] = progress_key(c->paths[i]);
		if (lesson_load(&l, c->paths[i], &lerr) == 0) {
			c->titles[i] = xstrdup(lesson_title(l));
			lesson_free(l);
		} else {
			c->titles[i] = xasprintf("%s (cannot be read)", c->keys[i]);
		}
	}
	return 0;
}

static void course_free(struct course *c)
{
	for (int i = 0; i < c->len; i++) {
		free(c->titles[i]);
		free(c->keys[i]);
	}
	free(c->titles);
	free(c->keys);
	lesson_list_free(c->paths, c->len);
	memset(c, 0, sizeof *c);
}

/* Ctrl-C only ever stops: a learner who presses it twice to be sure must
 * not lose the lesson. */
static void on_interrupt(struct ui *ui)
{
	if (runner_busy(ui->runner))
		runner_stop(ui->runner);
	else if (ui->runner != NULL)
		model_console(&ui->model, CONSOLE_INFO, "Nothing is running to stop (q quits).");
}

static void restart(struct ui *ui)
{
	struct error err;

	/* A failure is already in the console; the learner can fix the file and retry. */
	if (ui->runner != NULL)
		runner_restart(ui->runner, &err);
}

static void on_menu_key(struct ui *ui, int key, const struct runner_options *opt)
{
	struct view *menu = &ui->views[V_MENU];
	struct error err;
	int picked;

	if (key == '?') {
		ui->help = true;
		return;
	}
	menu->ops->key(menu->data, key);
	picked = view_menu_take(menu->data);
	if (picked < 0)
		return;
	ui->notice[0] = '\0';
	ui->course_at = picked;
	if (open_lesson(ui, ui->course.paths[picked], opt, &err) < 0) {
		error_format(&err, ui->notice, sizeof ui->notice);
		lesson_free(ui->lesson);
		ui->lesson = NULL;
	}
}

static void step_entry_text(struct ui *ui)
{
	if (ui->step_wanted > 0)
		snprintf(ui->step_entry, sizeof ui->step_entry, "go to step %d (the steps before it "
		         "run again at once)", ui->step_wanted);
	else
		snprintf(ui->step_entry, sizeof ui->step_entry, "go to step: type its number");
}

/* t, a step number, enter: go to that step (runner_jump). Any other key
 * lets the number go. */
static void step_entry_key(struct ui *ui, int key)
{
	struct error err;

	if (key >= '0' && key <= '9' && ui->step_wanted < 10000) {
		ui->step_wanted = ui->step_wanted * 10 + (key - '0');
	} else if (key == TERM_KEY_BACKSPACE) {
		ui->step_wanted /= 10;
	} else {
		ui->step_entry_on = false;
		if (key == TERM_KEY_ENTER && ui->step_wanted > 0 &&
		    runner_jump(ui->runner, ui->step_wanted, &err) < 0)
			model_console(&ui->model, CONSOLE_ERROR, "✗ %s", err.msg);
		return;
	}
	step_entry_text(ui);
}

static void on_key(struct ui *ui, int key, const struct runner_options *opt)
{
	struct view *lesson = &ui->views[V_LESSON], *console = &ui->views[V_CONSOLE];

	if (ui->help) {   /* any key closes the help */
		ui->help = false;
		return;
	}
	if (key == 'q') {
		ui->quit = true;   /* runner_close ends the lab at once, busy or not */
		return;
	}
	if (ui->layout.too_small)
		return;
	if (ui->menu) {
		on_menu_key(ui, key, opt);
		return;
	}
	if (ui->model.state == RUN_ASKING) {
		/* Every key answers the question, or skips it. */
		char answer[256];
		bool skipped;
		ui->views[V_PREDICT].ops->key(ui->views[V_PREDICT].data, key);
		if (view_predict_take(ui->views[V_PREDICT].data, answer, sizeof answer, &skipped)) {
			runner_answer(ui->runner, skipped ? NULL : answer);
			ui->answered_at = util_now();
		}
		return;
	}
	if (ui->ex_panel) {
		ui->views[V_EXERCISE].ops->key(ui->views[V_EXERCISE].data, key);
		exercise_action(ui, view_exercise_take(ui->views[V_EXERCISE].data));
		return;
	}
	if (ui->step_entry_on) {
		step_entry_key(ui, key);
		return;
	}
	if (key == 'm' && ui->course.len > 0) {
		close_lesson(ui);
		view_menu_select(ui->views[V_MENU].data, ui->course_at);   /* where the learner was */
		ui->menu = true;
		return;
	}
	if (key == 'x') {
		open_exercise(ui);
		return;
	}
	if (key == 'g') {
		ui->graph = !ui->graph;
		return;
	}
	if (key == 'w') {
		ui->wide = !ui->wide;   /* the text takes the gauges' room, or gives it back */
		resize(ui);
		return;
	}
	if (ui->graph && ui->views[V_GRAPH].ops->key(ui->views[V_GRAPH].data, key)) {
		uintptr_t why = view_graph_take_why(ui->views[V_GRAPH].data);
		if (why)
			ui->why = why;
		return;
	}
	if (ui->graph && key == TERM_KEY_ESCAPE) {
		ui->graph = false;
		return;
	}
	switch (key) {
	case ' ':
	case TERM_KEY_ENTER:
		/* "2" then Enter on a question with choices: the digit answered it,
		 * and the Enter that follows must not run the next step as well. */
		if (key == TERM_KEY_ENTER && util_now() - ui->answered_at < ANSWER_ECHO)
			break;
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
	case 't':
		if (ui->runner != NULL) {
			ui->step_entry_on = true;
			ui->step_wanted = 0;
			step_entry_text(ui);
		}
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

/* Sleep until a key, the lab, or the next frame or deadline is due. */
static void wait_for_work(const struct ui *ui, double now)
{
	double wait = FRAME_RUNNING;   /* gauges move, exercise files are watched */

	if (ui->dirty && ui->last_draw + FRAME_MIN - now < wait)
		wait = ui->last_draw + FRAME_MIN - now;
	runner_wait_or_key(ui->runner, wait);
}

static void loop(struct ui *ui, const struct runner_options *opt)
{
	bool more = false;

	while (!ui->quit) {
		unsigned ex_version = ui->ex.version;
		bool keyed = false;
		double now = util_now();
		int key;

		if (!more)
			wait_for_work(ui, now);
		int sig = term_signal_pending();

		switch (sig) {
		case SIGTERM:
		case SIGHUP:
		case SIGQUIT:
			ui->quit_signal = sig;
			ui->quit = true;
			return;
		case SIGINT:
			on_interrupt(ui);
			ui->dirty = true;
			break;
		}
		while (!ui->quit && (key = term_read_key()) != TERM_KEY_NONE) {
			keyed = true;
			if (key == TERM_KEY_RESIZE)
				resize(ui);
			else
				on_key(ui, key, opt);
		}
		if (ui->quit)
			return;
		now = util_now();
		more = false;
		if (ui->runner != NULL) {
			more = runner_tick(ui->runner);
			if (ui->why && runner_why(ui->runner, ui->why) == 0)
				ui->why = 0;
			exwatch_tick(&ui->ex, now);
			if (ui->ex.version != ex_version) {
				unlock_solution(ui);
				ui->dirty = true;
			}
			note_progress(ui);
		}

		ui->dirty = ui->dirty || keyed || ui->model.version != ui->drawn_version ||
		            (runner_busy(ui->runner) && now - ui->last_draw >= FRAME_RUNNING);
		if (ui->dirty && (keyed || now - ui->last_draw >= FRAME_MIN)) {
			ui->drawn_version = ui->model.version;
			update_views(ui);
			draw(ui);
			term_present(ui->screen);
			ui->last_draw = now;
			ui->dirty = false;
		}
	}
}

int ui_run(const char *lesson_path, const char *scenario_path, const char *lessons_dir,
           const struct runner_options *opt, struct error *err)
{
	struct ui ui = { 0 };
	struct runner_options ropt = *opt;
	struct error open_err, notice;
	int rc = -1;

	ui.ex.child.pid = ui.ex.child.fd = -1;
	ropt.interactive = true;
	/* The course or the lesson first: a bad file is reported before the screen changes. */
	if (lessons_dir != NULL) {
		if (course_load(&ui.course, lessons_dir, err) < 0)
			return -1;
		if (ui.course.len == 0) {
			error_set(err, lessons_dir, 0, "no lessons in this folder");
			goto out;
		}
		ui.menu = true;
	} else if (lesson_path != NULL && lesson_load(&ui.lesson, lesson_path, err) < 0) {
		return -1;
	}
	if (progress_load(&ui.progress, NULL, &notice) != 0)
		error_format(&notice, ui.notice, sizeof ui.notice);
	if (ui.lesson != NULL && scenario_path == NULL)
		ui.key = progress_key(lesson_path);
	ui.scenario = scenario_path ? scenario_path : ui.lesson ? lesson_scenario(ui.lesson) : NULL;
	if (term_init(err) < 0)
		goto out;

	model_init(&ui.model);
	views_reset(&ui);
	ui.screen = screen_new(0, 0, term_ascii());
	resize(&ui);
	/* First frame before the scenario loads, so the screen answers at once. */
	update_views(&ui);
	draw(&ui);
	term_present(ui.screen);

	if (ui.scenario != NULL)
		runner_open(&ui.runner, ui.scenario, &ui.model, &ropt, &open_err);
	if (!ui.menu && ui.notice[0])
		model_console(&ui.model, CONSOLE_ERROR, "✗ %s", ui.notice);
	ui.dirty = true;
	loop(&ui, &ropt);
	rc = ui.quit_signal ? 128 + ui.quit_signal : 0;

	runner_close(ui.runner);
	close_exercise(&ui);
	for (int i = 0; i < V_COUNT; i++)
		if (ui.views[i].ops->free)
			ui.views[i].ops->free(ui.views[i].data);
	screen_free(ui.screen);
	model_free(&ui.model);
out:
	term_done();
	lesson_free(ui.lesson);
	free(ui.key);
	course_free(&ui.course);
	progress_free(&ui.progress);
	return rc;
}
