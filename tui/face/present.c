/* present.c — the slides window and the notes window: keys, live demos,
 * the timer, hot reload, and the link between the two windows.
 *
 * The slides window owns the talk: which slide and part are on screen, the
 * demos' labs and the timer. A notes window follows it: it draws what the
 * state it receives says, and sends its keys to the slides window, which
 * treats them as its own. Each live block has a model of its own that
 * outlives its lab, so a figure measured on slide 5 still fills slide 9,
 * and a demo's last gauges stay when the speaker comes back to it. */
#include "present.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deck.h"
#include "deckrun.h"
#include "peer.h"
#include "runner.h"
#include "screen.h"
#include "term.h"
#include "view.h"
#include "view_slide.h"

#define FRAME_MIN 0.033     /* seconds between frames: ~30 a second */
#define FRAME_LIVE 0.1      /* a running demo redraws at least this often */
#define STAT_EVERY 0.25     /* seconds between looks at the deck file */
#define STATE_EVERY 1.0     /* the notes window hears from the slides at least this often */
#define RECONNECT 0.5       /* a notes window tries the slides window again after this */
#define MESSAGE_TIME 3.0    /* a passing message stays this long */
#define FIGURE_MAX 48       /* bytes of a figure's text */

/* A live block as this session runs it. */
struct live_run {
	struct model model;
	struct runner *runner;   /* NULL while no lab runs it */
	struct view gauges, graph, console;
	bool started;            /* the speaker ran a step of it */
	uintptr_t why;           /* the graph asked why this object is alive; 0: nothing asked */
	char problem[ERROR_TEXT_MAX + 200];   /* why it cannot run as the deck says */
};

struct present {
	const struct present_args *args;
	bool notes;
	struct deck deck;
	unsigned generation;
	struct live_run **lives; /* each on its own: its runner holds its model's address */
	char **figures;          /* the measured text of each figure, or NULL */
	char *figure_buf;        /* their storage */
	unsigned figures_version;

	int slide, part;
	bool overview, help, graph_full;
	int selected;            /* in the overview */
	int number;              /* digits typed: a slide (or a step, after t) */
	bool typing, typing_step, answering;
	char message[600];
	double message_until;    /* 0: until replaced */
	double t0;               /* when the talk began */

	struct stat st;          /* the deck file as last read */
	double next_stat;
	bool file_gone;

	struct peer peer;
	struct peer_state remote;   /* notes: what the slides window said */
	double remote_at;           /* when, by our clock */
	double next_state, next_try;

	struct screen *screen;
	struct slide_cache *cache, *cache_next;
	bool dirty, quit;
	int quit_signal;
	double last_draw;
	unsigned drawn_version;
};

/* ---- messages and time ---------------------------------------------------- */

static void say(struct present *p, bool passing, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(struct present *p, bool passing, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->message, sizeof p->message, fmt, ap);
	va_end(ap);
	p->message_until = passing ? util_now() + MESSAGE_TIME : 0;
	p->dirty = true;
}

static double elapsed(const struct present *p)
{
	if (p->notes)
		return p->remote_at > 0 ? p->remote.elapsed + (peer_connected(&p->peer) ?
		                                                util_now() - p->remote_at : 0)
		                        : 0;
	return util_now() - p->t0;
}

/* ---- live blocks ---------------------------------------------------------- */

static void live_views(struct live_run *lv)
{
	lv->gauges = (struct view){ &view_gauges, NULL };
	lv->graph = (struct view){ &view_graph, view_graph.init() };
	lv->console = (struct view){ &view_console, view_console.init() };
}

static void live_free(struct live_run *lv)
{
	if (lv == NULL)
		return;
	runner_close(lv->runner);
	view_graph.free(lv->graph.data);
	view_console.free(lv->console.data);
	model_free(&lv->model);
	free(lv);
}

static void lives_free(struct present *p)
{
	for (int i = 0; p->lives && i < p->deck.nlives; i++)
		live_free(p->lives[i]);
	free(p->lives);
	p->lives = NULL;
}

static void lives_new(struct present *p)
{
	p->lives = xcalloc((size_t)p->deck.nlives + 1, sizeof *p->lives);
	for (int i = 0; i < p->deck.nlives; i++) {
		p->lives[i] = xcalloc(1, sizeof **p->lives);
		model_init(&p->lives[i]->model);
		live_views(p->lives[i]);
	}
	free(p->figures);
	free(p->figure_buf);
	p->figures = xcalloc((size_t)p->deck.nfigures + 1, sizeof *p->figures);
	p->figure_buf = xcalloc((size_t)p->deck.nfigures + 1, FIGURE_MAX);
	p->figures_version++;
}

/* The live block shown on the current slide, or -1. */
static int current_live(const struct present *p)
{
	return p->deck.slides[p->slide].live;
}

static void open_live(struct present *p, int i)
{
	struct live_run *lv = p->lives[i];
	struct runner_options opt;
	struct error err;
	const char *path;

	if (lv->runner != NULL)
		return;
	path = deckrun_options(&p->deck, i, &opt);
	if (p->args->pace > 0)
		opt.pace = p->args->pace;
	lv->started = false;
	lv->problem[0] = '\0';
	runner_open(&lv->runner, path, &lv->model, &opt, &err);   /* a failure is in the model */
}

/* Labs run for the slide on screen and the next one (so its demo is ready
 * when the speaker gets there), and for demos the speaker began and has
 * not finished; the others end. */
static void manage_labs(struct present *p)
{
	for (int i = 0; i < p->deck.nlives; i++) {
		struct live_run *lv = p->lives[i];
		int s = p->deck.lives[i].slide;
		bool near = s == p->slide || s == p->slide + 1;

		if (near && lv->runner == NULL && !(lv->started && model_over(&lv->model)))
			open_live(p, i);
		else if (!near && lv->runner != NULL && (!lv->started || model_over(&lv->model))) {
			runner_close(lv->runner);
			lv->runner = NULL;
		}
	}
}

/* Fill each figure its live block has measured. */
static void update_figures(struct present *p)
{
	bool changed = false;

	for (int i = 0; i < p->deck.nfigures; i++) {
		char *slot = p->figure_buf + FIGURE_MAX * i, text[FIGURE_MAX];
		double v;

		if (!deckrun_figure(&p->deck, i, &p->lives[p->deck.figures[i].live]->model, &v))
			continue;
		deck_format_figure(&p->deck.figures[i], v, text, sizeof text);
		if (p->figures[i] == NULL || strcmp(slot, text) != 0) {
			snprintf(slot, FIGURE_MAX, "%s", text);
			p->figures[i] = slot;
			changed = true;
		}
	}
	if (changed)
		p->figures_version++;
}

/* A live block that cannot run as written says so on its slide. */
static void update_problems(struct present *p)
{
	for (int i = 0; i < p->deck.nlives; i++) {
		struct live_run *lv = p->lives[i];
		if (!deckrun_problem(&p->deck, i, &lv->model, lv->problem, sizeof lv->problem))
			lv->problem[0] = '\0';
	}
}

/* The footer's words for the demo on this slide, and the key for it. */
static void demo_status(const struct present *p, char *buf, size_t size)
{
	int li = current_live(p);
	const struct live_run *lv;
	const struct model *m;
	const struct deck_live *b;

	buf[0] = '\0';
	if (li < 0 || p->part < p->deck.lives[li].part)
		return;
	lv = p->lives[li];
	m = &lv->model;
	b = &p->deck.lives[li];
	/* Steps counted to the slide's last one: the room sees the demo end
	 * there, not at the scenario's end. */
	int last = b->last_step && b->last_step < m->step_count ? b->last_step : m->step_count;
	if (lv->problem[0]) {
		snprintf(buf, size, "\u2717 the demo cannot run (see the slide)");
		return;
	}
	if (runner_replaying(lv->runner)) {
		snprintf(buf, size, "\u25cb getting the demo to step %d\u2026", b->first_step);
		return;
	}
	switch (m->state) {
	case RUN_LOADING:
		snprintf(buf, size, "\u25cb the demo loads\u2026");
		return;
	case RUN_BEFORE_STEP:
		if (b->last_step && m->step_index + 1 > b->last_step)
			break;
		snprintf(buf, size, "\u25b6 space: step %d/%d, %s", m->step_index + 1, last,
		         m->step_title);
		return;
	case RUN_PAUSED:
		snprintf(buf, size, "\u25b6 space: go on, %s", m->pause_text);
		return;
	case RUN_ASKING:
		snprintf(buf, size, "? the demo asks: %s, then enter; esc skips",
		         m->ask_n_choices ? "1-9" : "a number");
		return;
	case RUN_RUNNING:
		if (b->pace > 0 || p->args->pace > 0)
			snprintf(buf, size, "\u25cf step %d/%d runs, %.0f calls a second; s stops",
			         m->step_index + 1, last, p->args->pace > 0 ? p->args->pace : b->pace);
		else
			snprintf(buf, size, "\u25cf step %d/%d runs; s stops", m->step_index + 1, last);
		return;
	case RUN_DONE:
		break;
	case RUN_FAILED:
		snprintf(buf, size, "\u2717 the demo failed: %.200s; r runs it again", m->error.msg);
		return;
	case RUN_STOPPED:
		snprintf(buf, size, "\u25a0 stopped; r runs the demo again");
		return;
	}
	snprintf(buf, size, "\u2713 demo done: %d check%s held%s; r runs it again", m->checks_passed,
	         m->checks_passed == 1 ? "" : "s", m->checks_failed ? ", some failed" : "");
}

/* ---- moving through the deck --------------------------------------------- */

static void go_to(struct present *p, int slide, int part)
{
	const struct deck *d = &p->deck;

	slide = slide < 0 ? 0 : slide >= d->nslides ? d->nslides - 1 : slide;
	part = part < 0 ? d->slides[slide].nparts - 1
	     : part >= d->slides[slide].nparts ? d->slides[slide].nparts - 1 : part;
	if (slide != p->slide) {
		p->graph_full = false;
		if (p->message_until > 0) {   /* a passing word was about the slide left */
			p->message[0] = '\0';
			p->message_until = 0;
		}
	}
	p->slide = slide;
	p->part = part;
	p->dirty = true;
	manage_labs(p);
}

/* The demo on this slide wants the next key: true when it took it. */
static bool demo_next(struct present *p)
{
	int li = current_live(p);
	struct live_run *lv;
	const struct deck_live *b;
	struct model *m;

	if (li < 0 || p->part < p->deck.lives[li].part)
		return false;
	lv = p->lives[li];
	b = &p->deck.lives[li];
	m = &lv->model;
	if (lv->problem[0] || lv->runner == NULL)
		return false;
	if (runner_replaying(lv->runner) || m->state == RUN_LOADING) {
		say(p, true, "The demo is not ready yet: a moment.");
		return true;
	}
	switch (m->state) {
	case RUN_BEFORE_STEP:
		if (b->last_step && m->step_index + 1 > b->last_step)
			return false;
		lv->started = true;
		runner_continue(lv->runner);
		return true;
	case RUN_PAUSED:
		runner_continue(lv->runner);
		return true;
	case RUN_ASKING:
		runner_answer(lv->runner, NULL);
		return true;
	case RUN_RUNNING:
		say(p, true, "The step is running: s stops it.");
		return true;
	default:
		return false;
	}
}

static void next(struct present *p)
{
	const struct deck_slide *sl = &p->deck.slides[p->slide];
	int li = sl->live;

	if (li >= 0 && p->part < p->deck.lives[li].part) {
		go_to(p, p->slide, p->part + 1);
		return;
	}
	if (demo_next(p))
		return;
	if (p->part + 1 < sl->nparts)
		go_to(p, p->slide, p->part + 1);
	else if (p->slide + 1 < p->deck.nslides)
		go_to(p, p->slide + 1, 0);
	else
		say(p, true, "The end of the deck.");
}

static void previous(struct present *p)
{
	if (p->part > 0)
		go_to(p, p->slide, p->part - 1);
	else if (p->slide > 0)
		go_to(p, p->slide - 1, -1);
}

static void restart_demo(struct present *p, int step)
{
	int li = current_live(p);
	struct live_run *lv;
	struct error err;

	if (li < 0) {
		say(p, true, "No demo on this slide.");
		return;
	}
	lv = p->lives[li];
	if (step > 0 && p->deck.lives[li].last_step && step > p->deck.lives[li].last_step) {
		say(p, true, "This slide's demo runs steps %d-%d.", p->deck.lives[li].first_step,
		    p->deck.lives[li].last_step);
		return;
	}
	if (lv->runner == NULL)
		open_live(p, li);
	if (runner_jump(lv->runner, step ? step : p->deck.lives[li].first_step, &err) < 0)
		say(p, true, "%s.", err.msg);
	lv->started = false;
	p->dirty = true;
}

/* ---- keys ----------------------------------------------------------------- */

static void typing_message(struct present *p)
{
	if (p->typing_step && p->number == 0)
		say(p, false, "demo at step: its number, then enter; esc cancels");
	else if (p->typing_step)
		say(p, false, "demo at step %d: enter, esc cancels", p->number);
	else if (p->answering)
		say(p, false, "answer %d: enter, esc skips", p->number);
	else
		say(p, false, "slide %d: enter, esc cancels", p->number);
}

/* Digits, then enter: a slide, a step (after t), or the demo's answer. */
static bool typing_key(struct present *p, int key)
{
	int li = current_live(p);

	if (key >= '0' && key <= '9') {
		if (!p->typing) {
			p->typing = true;
			p->number = 0;
		}
		if (p->number < 100000)
			p->number = p->number * 10 + key - '0';
		typing_message(p);
		return true;
	}
	if (!p->typing)
		return false;
	if (key == TERM_KEY_BACKSPACE) {
		p->number /= 10;
		typing_message(p);
		return true;
	}
	p->typing = false;
	p->message[0] = '\0';
	if (key != TERM_KEY_ENTER) {
		p->typing_step = p->answering = false;
		return key == TERM_KEY_ESCAPE;
	}
	if (p->typing_step) {
		p->typing_step = false;
		restart_demo(p, p->number > 0 ? p->number : 1);
	} else if (p->answering) {
		char answer[24];
		p->answering = false;
		snprintf(answer, sizeof answer, "%d", p->number);
		if (li >= 0 && p->lives[li]->model.state == RUN_ASKING)
			runner_answer(p->lives[li]->runner, answer);
	} else if (p->number < 1 || p->number > p->deck.nslides) {
		say(p, true, "No slide %d: the deck has %d.", p->number, p->deck.nslides);
	} else {
		p->overview = false;
		go_to(p, p->number - 1, 0);
	}
	return true;
}

static void overview_key(struct present *p, int key)
{
	int n = p->deck.nslides, page = p->screen->h - 4 > 1 ? p->screen->h - 4 : 1;

	switch (key) {
	case TERM_KEY_UP: case 'k': p->selected--; break;
	case TERM_KEY_DOWN: case 'j': p->selected++; break;
	case TERM_KEY_PGUP: p->selected -= page; break;
	case TERM_KEY_PGDN: p->selected += page; break;
	case TERM_KEY_HOME: p->selected = 0; break;
	case TERM_KEY_END: p->selected = n - 1; break;
	case TERM_KEY_ENTER:
		p->overview = false;
		go_to(p, p->selected, 0);
		return;
	case TERM_KEY_ESCAPE: case 'o': case '\t':
		p->overview = false;
		return;
	default:
		return;
	}
	p->selected = p->selected < 0 ? 0 : p->selected >= n ? n - 1 : p->selected;
}

/* A key from either window. */
static void on_key(struct present *p, int key)
{
	int li = current_live(p);
	struct live_run *lv = li >= 0 ? p->lives[li] : NULL;

	p->dirty = true;
	if (p->help) {
		p->help = false;
		return;
	}
	/* The demo's question takes digits as its answer. */
	if (lv && lv->model.state == RUN_ASKING && !p->typing && key >= '1' && key <= '9' &&
	    lv->model.ask_n_choices > 0) {
		if (key - '0' <= lv->model.ask_n_choices)
			runner_answer(lv->runner, lv->model.ask_choices[key - '1']);
		return;
	}
	if (lv && lv->model.state == RUN_ASKING && !p->typing && key >= '0' && key <= '9')
		p->answering = true;
	if (typing_key(p, key))
		return;
	if (p->overview) {
		overview_key(p, key);
		return;
	}
	/* The graph on the whole slide takes its own keys, as in a lesson:
	 * arrows choose a box, c follows the cycle, enter asks why it is
	 * alive; space and PgDn still go on, Esc (nothing open) goes back. */
	if (p->graph_full && lv && key != ' ' && key != TERM_KEY_PGDN && key != TERM_KEY_PGUP &&
	    view_graph.key(lv->graph.data, key)) {
		uintptr_t why = view_graph_take_why(lv->graph.data);
		if (why)
			lv->why = why;
		return;
	}
	if (p->graph_full && key == TERM_KEY_ESCAPE) {
		p->graph_full = false;
		return;
	}
	switch (key) {
	case ' ': case TERM_KEY_RIGHT: case TERM_KEY_DOWN: case TERM_KEY_PGDN: case 'n':
	case TERM_KEY_ENTER: case 'l':
		next(p);
		break;
	case TERM_KEY_LEFT: case TERM_KEY_UP: case TERM_KEY_PGUP: case 'p': case TERM_KEY_BACKSPACE:
	case 'h':
		previous(p);
		break;
	case TERM_KEY_HOME:
		go_to(p, 0, 0);
		break;
	case TERM_KEY_END:
		go_to(p, p->deck.nslides - 1, 0);
		break;
	case 'o': case '\t':
		p->overview = true;
		p->selected = p->slide;
		break;
	case '?':
		p->help = true;
		break;
	case 'q':
		p->quit = true;
		break;
	case 's':
		if (lv && runner_busy(lv->runner))
			runner_stop(lv->runner);
		break;
	case 'r':
		restart_demo(p, 0);
		break;
	case 't':
		if (li < 0) {
			say(p, true, "No demo on this slide.");
			break;
		}
		p->typing = p->typing_step = true;
		p->number = 0;
		typing_message(p);
		break;
	case 'g':
		if (lv && p->deck.lives[li].graph)
			p->graph_full = !p->graph_full;
		else
			say(p, true, "This slide shows no object graph.");
		break;
	case TERM_KEY_ESCAPE:
		if (lv && lv->model.state == RUN_ASKING)
			runner_answer(lv->runner, NULL);
		break;
	case 'T':
		p->t0 = util_now();
		say(p, true, "The timer starts again from 0:00.");
		break;
	case 'L':
		p->deck.theme = p->deck.theme == DECK_THEME_LIGHT ? DECK_THEME_DARK : DECK_THEME_LIGHT;
		term_set_theme(p->deck.theme == DECK_THEME_LIGHT ? TERM_THEME_LIGHT : TERM_THEME_DARK);
		break;
	default:
		break;
	}
}

/* ---- hot reload ------------------------------------------------------------ */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Two live blocks run the same demo the same way. */
static bool same_live(const struct deck_live *a, const struct deck_live *b)
{
	return !strcmp(a->scenario ? a->scenario : "", b->scenario ? b->scenario : "") &&
	       !strcmp(a->source ? a->source : "", b->source ? b->source : "") &&
	       a->first_step == b->first_step && a->last_step == b->last_step && a->pace == b->pace;
}

/* The deck file changed: read it again and keep the slide on screen. A
 * deck that no longer reads, or a file that is gone, leaves the last good
 * version on screen, and the footer says why. */
static void reload(struct present *p)
{
	struct deck fresh;
	struct error err;
	struct stat st;
	char msg[ERROR_TEXT_MAX];

	if (stat(p->deck.path, &st) < 0) {
		if (!p->file_gone)
			say(p, false, "The deck file is gone (%s); the slides read before stay.",
			    strerror(errno));
		p->file_gone = true;
		return;
	}
	p->file_gone = false;
	if (same_file(&st, &p->st))
		return;
	p->st = st;
	if (deck_load(&fresh, p->deck.path, &err) < 0) {
		/* The footer is short: the file's own name, the line, the words. */
		const char *base = strrchr(err.file, '/');
		memmove(err.file, base ? base + 1 : err.file, strlen(base ? base + 1 : err.file) + 1);
		error_format(&err, msg, sizeof msg);
		say(p, false, "%s; the slides read before stay", msg);
		return;
	}
	/* Keep what ran for demos the edit left alone, by their order. */
	{
		struct deck old = p->deck;
		struct live_run **old_lives = p->lives;

		if (p->args->theme < 0)
			fresh.theme = p->deck.theme;   /* L's choice stays */
		p->deck = fresh;
		p->lives = NULL;
		lives_new(p);
		for (int i = 0; i < old.nlives; i++) {
			if (i < p->deck.nlives && same_live(&old.lives[i], &p->deck.lives[i])) {
				live_free(p->lives[i]);
				p->lives[i] = old_lives[i];
			} else {
				live_free(old_lives[i]);
			}
		}
		free(old_lives);
		deck_free(&old);
	}
	p->generation++;
	p->overview = p->overview && p->deck.nslides > 0;
	go_to(p, p->slide, p->part);
	say(p, true, "Read the deck again.");
}

/* ---- drawing --------------------------------------------------------------- */

static void draw_slides(struct present *p)
{
	int li = current_live(p);
	struct slide_live live;
	struct slide_frame f = {
		.deck = &p->deck, .generation = p->generation, .slide = p->slide, .part = p->part,
		.figures = (const char *const *)p->figures, .figures_version = p->figures_version,
		.message = p->message, .countdown = -1,
	};
	char status[400];
	const struct deck_slide *sl = &p->deck.slides[p->slide];

	demo_status(p, status, sizeof status);
	f.status = status[0] ? status : NULL;
	if (li >= 0) {
		struct live_run *lv = p->lives[li];
		struct view_ctx ctx = { .model = &lv->model, .place = VIEW_IN_LESSON };

		view_graph.update(lv->graph.data, &ctx);
		live = (struct slide_live){
			.block = &p->deck.lives[li], .model = &lv->model, .gauges = &lv->gauges,
			.graph = &lv->graph, .console = &lv->console, .graph_full = p->graph_full,
			.error = lv->problem[0] ? lv->problem : NULL,
		};
		f.live = &live;
	}
	if (sl->countdown)
		f.countdown = (sl->plan_end - sl->plan_start) * 60 - (elapsed(p) - sl->plan_start * 60);
	if (f.countdown < -0.5 && sl->countdown)
		f.countdown = 0;
	if (p->overview)
		slide_draw_overview(p->screen, &p->deck, p->slide, p->selected, p->message);
	else
		slide_draw(p->cache, p->screen, &f);
	if (p->help)
		slide_draw_help(p->screen, false);
}

static void draw_notes(struct present *p)
{
	struct notes_frame f = {
		.deck = &p->deck, .generation = p->generation,
		.slide = p->remote.slide, .part = p->remote.part,
		.elapsed = elapsed(p), .connected = peer_connected(&p->peer),
		.status = p->message[0] ? p->message : p->remote.status,
	};

	if (f.slide >= p->deck.nslides)
		f.slide = p->deck.nslides - 1;
	if (f.part >= p->deck.slides[f.slide].nparts)
		f.part = p->deck.slides[f.slide].nparts - 1;
	slide_draw_notes(p->cache, p->cache_next, p->screen, &f);
	if (p->help)
		slide_draw_help(p->screen, true);
}

static void resize(struct present *p)
{
	int w, h;

	term_size(&w, &h);
	screen_resize(p->screen, w, h);
	p->dirty = true;
}

/* ---- the loop --------------------------------------------------------------- */

static void send_state(struct present *p)
{
	struct peer_state st = { .slide = p->slide, .part = p->part, .elapsed = elapsed(p) };

	demo_status(p, st.status, sizeof st.status);
	if (p->message[0])
		snprintf(st.status, sizeof st.status, "%s", p->message);
	peer_send_state(&p->peer, &st);
	p->next_state = util_now() + STATE_EVERY;
}

static bool demo_running(const struct present *p)
{
	int li = current_live(p);

	return li >= 0 && (runner_busy(p->lives[li]->runner) || p->lives[li]->model.state == RUN_LOADING);
}

static void wait_for_work(struct present *p)
{
	struct pollfd *fds = xcalloc((size_t)(2 + 2 * p->deck.nlives + PEER_MAX_NOTES), sizeof *fds);
	int n = 0, li = current_live(p);
	double wait = 1.0, now = util_now();

	fds[n++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
	for (int i = 0; i < p->deck.nlives; i++) {
		int rf[2];
		double w;
		if (p->lives[i]->runner == NULL)
			continue;
		w = runner_wait_fds(p->lives[i]->runner, rf);
		wait = w < wait ? w : wait;
		for (int k = 0; k < 2; k++)
			if (rf[k] >= 0)
				fds[n++] = (struct pollfd){ .fd = rf[k], .events = POLLIN };
	}
	n += peer_pollfds(&p->peer, fds + n);
	if (li >= 0 && demo_running(p) && FRAME_LIVE < wait)
		wait = FRAME_LIVE;
	if (p->next_stat - now < wait)
		wait = p->next_stat - now;
	if (p->dirty && p->last_draw + FRAME_MIN - now < wait)
		wait = p->last_draw + FRAME_MIN - now;
	poll(fds, (nfds_t)n, wait > 0 ? (int)(wait * 1000) + 1 : 0);
	free(fds);
}

/* Returns true when a lab has more to say at once. */
static bool tick(struct present *p)
{
	double now = util_now();
	bool more = false;

	for (int i = 0; i < p->deck.nlives; i++) {
		struct live_run *lv = p->lives[i];
		if (lv->runner == NULL)
			continue;
		more |= runner_tick(lv->runner);
		if (lv->why && runner_why(lv->runner, lv->why) == 0)
			lv->why = 0;
	}
	if (!p->notes) {
		int keys[32];
		bool joined;
		int n = peer_take_keys(&p->peer, keys, 32, &joined);
		for (int i = 0; i < n; i++)
			on_key(p, keys[i]);
		update_figures(p);
		update_problems(p);
		if (joined || n > 0)
			p->dirty = true;
	} else {
		if (peer_take_state(&p->peer, &p->remote)) {
			p->remote_at = now;
			p->dirty = true;
		}
		if (!peer_connected(&p->peer) && now >= p->next_try) {
			p->next_try = now + RECONNECT;
			if (peer_connect(&p->peer))
				p->dirty = true;
		}
	}
	if (now >= p->next_stat) {
		p->next_stat = now + STAT_EVERY;
		reload(p);
	}
	if (p->message_until > 0 && now >= p->message_until) {
		p->message[0] = '\0';
		p->message_until = 0;
		p->dirty = true;
	}
	return more;
}

/* A version of everything the slides window shows, to redraw only on change. */
static unsigned shown_version(const struct present *p)
{
	unsigned v = p->figures_version * 31u + p->generation;
	int li = current_live(p);

	if (li >= 0)
		v = v * 31u + p->lives[li]->model.version;
	return v;
}

static void loop(struct present *p)
{
	bool more = false;

	while (!p->quit) {
		double now;
		int key, sig;
		bool keyed = false;
		int old_slide = p->slide, old_part = p->part;
		char old_status[400], status[400];

		demo_status(p, old_status, sizeof old_status);
		if (!more)
			wait_for_work(p);
		sig = term_signal_pending();
		if (sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT) {
			p->quit_signal = sig;
			return;
		}
		if (sig == SIGINT && !p->notes) {
			int li = current_live(p);
			/* Ctrl-C stops a demo; it never ends the talk. */
			if (li >= 0 && runner_busy(p->lives[li]->runner))
				runner_stop(p->lives[li]->runner);
		}
		while (!p->quit && (key = term_read_key()) != TERM_KEY_NONE) {
			keyed = true;
			if (key == TERM_KEY_RESIZE)
				resize(p);
			else if (p->notes && key == 'q')
				p->quit = true;
			else if (p->notes && (key == '?' || p->help))
				p->help = !p->help;
			else if (p->notes)
				peer_send_key(&p->peer, sig == SIGINT ? 's' : key);
			else
				on_key(p, key);
		}
		if (p->notes && sig == SIGINT)
			peer_send_key(&p->peer, 's');
		if (p->quit)
			return;
		more = tick(p);
		now = util_now();
		if (!p->notes) {
			demo_status(p, status, sizeof status);
			if (p->slide != old_slide || p->part != old_part || strcmp(status, old_status) ||
			    keyed || now >= p->next_state)
				send_state(p);
		}
		p->dirty = p->dirty || keyed || shown_version(p) != p->drawn_version ||
		           (demo_running(p) && now - p->last_draw >= FRAME_LIVE) ||
		           now - p->last_draw >= 1.0;   /* the timer moves */
		if (p->dirty && (keyed || now - p->last_draw >= FRAME_MIN)) {
			p->drawn_version = shown_version(p);
			if (p->notes)
				draw_notes(p);
			else
				draw_slides(p);
			term_present(p->screen);
			p->last_draw = now;
			p->dirty = false;
		}
	}
}

static int run_windows(const struct present_args *a)
{
	struct present p = { .args = a, .notes = a->mode == PRESENT_NOTES };
	struct error err;
	char msg[ERROR_TEXT_MAX];
	int status = 0;

	/* Everything that can fail before the screen changes. */
	if (deck_load(&p.deck, a->decks[0], &err) < 0) {
		error_format(&err, msg, sizeof msg);
		fprintf(stderr, "exclab: %s\n", msg);
		return 2;
	}
	stat(p.deck.path, &p.st);
	if (a->theme >= 0)
		p.deck.theme = (enum deck_theme)a->theme;
	peer_init(&p.peer);
	if ((p.notes ? peer_locate(&p.peer, p.deck.path, &err)
	             : peer_listen(&p.peer, p.deck.path, &err)) < 0) {
		error_format(&err, msg, sizeof msg);
		fprintf(stderr, "exclab: %s\n", msg);
		deck_free(&p.deck);
		return 2;
	}
	if (p.notes)
		peer_connect(&p.peer);
	signal(SIGPIPE, SIG_IGN);
	term_set_theme(p.deck.theme == DECK_THEME_LIGHT ? TERM_THEME_LIGHT : TERM_THEME_DARK);
	if (term_init(&err) < 0) {
		error_format(&err, msg, sizeof msg);
		fprintf(stderr, "exclab: %s\n", msg);
		peer_close(&p.peer);
		deck_free(&p.deck);
		return 2;
	}
	p.screen = screen_new(0, 0, term_ascii());
	p.cache = slide_cache_new();
	p.cache_next = slide_cache_new();
	p.t0 = util_now();
	p.next_stat = p.t0 + STAT_EVERY;
	lives_new(&p);
	resize(&p);
	if (!p.notes)
		manage_labs(&p);
	loop(&p);
	status = p.quit_signal ? 128 + p.quit_signal : 0;

	term_done();
	lives_free(&p);
	peer_close(&p.peer);
	slide_cache_free(p.cache);
	slide_cache_free(p.cache_next);
	screen_free(p.screen);
	free(p.figures);
	free(p.figure_buf);
	deck_free(&p.deck);
	return status;
}

int present_main(const struct present_args *a)
{
	int problems = 0;

	switch (a->mode) {
	case PRESENT_CHECK:
		for (int i = 0; i < a->ndecks; i++)
			problems += present_check(a->decks[i]);
		return problems ? 1 : 0;
	case PRESENT_EXPORT:
		return present_export(a->decks[0], a->export_path) < 0 ? 2 : 0;
	case PRESENT_SLIDES:
	case PRESENT_NOTES:
		break;
	}
	return run_windows(a);
}
