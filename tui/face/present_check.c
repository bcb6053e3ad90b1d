/* present_check.c — exclab present --check: what a speaker runs the
 * morning of the talk. Every finding is a line "ok  " or "FAIL" with the
 * deck's file and line, as exclab check reports a course. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deck.h"
#include "deckrun.h"
#include "mdrender.h"
#include "present.h"
#include "view.h"
#include "view_slide.h"

static int problems;

static void report(bool ok, const char *path, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void report(bool ok, const char *path, int line, const char *fmt, ...)
{
	char detail[2400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	if (line > 0)
		printf("%s %s:%d: %s\n", ok ? "ok  " : "FAIL", path, line, detail);
	else
		printf("%s %s: %s\n", ok ? "ok  " : "FAIL", path, detail);
	problems += !ok;
	fflush(stdout);
}

/* The deck's line that holds `needle`, from the slide's first line on
 * (the slide's own line when none does). */
static int line_of(const char *text, int from, const char *needle)
{
	int line = 1;

	for (const char *s = text; *s; line++) {
		const char *e = strchr(s, '\n');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (line >= from && n >= strlen(needle)) {
			for (size_t i = 0; i + strlen(needle) <= n; i++)
				if (memcmp(s + i, needle, strlen(needle)) == 0)
					return line;
		}
		if (e == NULL)
			break;
		s = e + 1;
	}
	return from;
}

static bool is_remote(const char *href)
{
	return strstr(href, "://") != NULL || href[0] == '#' || strncmp(href, "mailto:", 7) == 0;
}

/* Every file a slide links to is there. */
static void check_links(const struct deck *d, const char *text)
{
	for (int i = 0; i < d->nslides; i++) {
		char *body = deck_slide_text(d, i, d->slides[i].nparts - 1, NULL);
		struct mdrender_doc doc;

		mdrender_parse(&doc, body, strlen(body), 80, false);
		for (int k = 0; k < doc.nlinks; k++) {
			const char *href = doc.links[k].href;
			char *rel, *path, needle[600];
			if (is_remote(href) || !href[0])
				continue;
			rel = xstrndup(href, strcspn(href, "#?"));
			path = util_join(d->dir, rel);
			if (access(path, R_OK) != 0) {
				snprintf(needle, sizeof needle, "](%s", href);
				report(false, d->path, line_of(text, d->slides[i].line, needle),
				       "the link to %s: no such file (%s)", href, path);
			}
			free(rel);
			free(path);
		}
		mdrender_free(&doc);
		free(body);
	}
}

/* Every slide, all of it shown, fits the smallest screen exclab runs on. */
static void check_fit(const struct deck *d)
{
	struct screen *s = screen_new(VIEW_MIN_WIDTH, VIEW_MIN_HEIGHT, false);
	struct slide_cache *c = slide_cache_new();
	struct model m;
	struct view gauges = { &view_gauges, NULL };
	struct view graph = { &view_graph, view_graph.init() };
	struct view console = { &view_console, view_console.init() };
	int bad = 0;

	model_init(&m);
	for (int i = 0; i < d->nslides; i++) {
		const struct deck_slide *sl = &d->slides[i];
		struct slide_live live = { .model = &m, .gauges = &gauges, .graph = &graph,
		                           .console = &console };
		struct slide_frame f = { .deck = d, .slide = i, .part = sl->nparts - 1,
		                         .countdown = sl->countdown ? 0 : -1 };
		char *text;

		if (sl->live >= 0) {
			live.block = &d->lives[sl->live];
			f.live = &live;
		}
		slide_draw(c, s, &f);
		text = screen_to_text(s);
		if (strstr(text, "more than the screen holds")) {
			report(false, d->path, sl->line, "slide %d (\"%s\") does not fit 80x24: shorten it "
			       "or split it", i + 1, sl->title);
			bad++;
		}
		free(text);
	}
	if (bad == 0)
		report(true, d->path, 0, "all %d slides fit 80x24", d->nslides);
	view_graph.free(graph.data);
	view_console.free(console.data);
	model_free(&m);
	slide_cache_free(c);
	screen_free(s);
}

static void check_live(const struct deck *d, int i, struct model *m)
{
	const struct deck_live *l = &d->lives[i];
	const char *what = l->scenario ? l->scenario : "the inline scenario";
	char msg[ERROR_TEXT_MAX + 200];
	struct error err;
	int failed = 0;

	if (deckrun_headless(d, i, m, &err) < 0) {
		error_format(&err, msg, sizeof msg);
		report(false, d->path, l->line, "the live block could not start a lab: %s", msg);
		return;
	}
	if (deckrun_problem(d, i, m, msg, sizeof msg)) {
		/* The message names the deck's file and line itself. */
		printf("FAIL %s\n", msg);
		problems++;
		return;
	}
	if (m->state == RUN_FAILED || m->state == RUN_STOPPED) {
		error_format(&m->error, msg, sizeof msg);
		report(false, d->path, l->line, "%s failed: %s", what, msg);
		return;
	}
	for (int k = 0; k < m->checks_len; k++) {
		const struct check_result *c = &m->checks[k];
		if (c->passed)
			continue;
		report(false, d->path, l->line, "%s: a check failed at %s: %s (%s)", what, c->where,
		       c->message, c->detail);
		failed++;
	}
	if (failed == 0)
		report(true, d->path, l->line, "%s: %d step%s ran, %d check%s held", what, m->steps_len,
		       m->steps_len == 1 ? "" : "s", m->checks_passed, m->checks_passed == 1 ? "" : "s");
}

static void check_figures(const struct deck *d, struct model *models)
{
	int held = 0;

	for (int i = 0; i < d->nfigures; i++) {
		const struct deck_figure *f = &d->figures[i];
		const struct model *m = &models[f->live];
		char got[48];
		double v;

		if (m->state == RUN_FAILED)
			continue;   /* its live block's failure is reported already */
		if (!deckrun_figure(d, i, m, &v)) {
			report(false, d->path, f->line, "figure %s (%s): nothing measured it: step %d of the "
			       "live block at line %d never ended", f->written, f->spec, f->step,
			       d->lives[f->live].line);
			continue;
		}
		deck_format_figure(f, v, got, sizeof got);
		if (!deck_figure_holds(f, v)) {
			report(false, d->path, f->line, "figure %s (%s) no longer holds: the interpreter "
			       "measured %s", f->written, f->spec, got);
			continue;
		}
		held++;
	}
	if (d->nfigures > 0 && held == d->nfigures)
		report(true, d->path, 0, "all %d figure%s hold", held, held == 1 ? "" : "s");
}

int present_check(const char *path)
{
	struct deck d;
	struct error err;
	char msg[ERROR_TEXT_MAX];
	struct model *models;
	char *text;
	size_t len;

	problems = 0;
	if (deck_load(&d, path, &err) < 0) {
		error_format(&err, msg, sizeof msg);
		printf("FAIL %s\n", msg);
		return 1;
	}
	report(true, path, 0, "%d slides, %d live block%s, %d figure%s", d.nslides, d.nlives,
	       d.nlives == 1 ? "" : "s", d.nfigures, d.nfigures == 1 ? "" : "s");
	text = util_read_file(path, &len, &err);
	if (text) {
		check_links(&d, text);
		free(text);
	}
	check_fit(&d);
	models = xcalloc((size_t)d.nlives + 1, sizeof *models);
	for (int i = 0; i < d.nlives; i++) {
		model_init(&models[i]);
		check_live(&d, i, &models[i]);
	}
	check_figures(&d, models);
	for (int i = 0; i < d.nlives; i++)
		model_free(&models[i]);
	free(models);
	printf("%s: %d problem%s\n", path, problems, problems == 1 ? "" : "s");
	deck_free(&d);
	return problems;
}
