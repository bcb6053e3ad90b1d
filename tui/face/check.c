/* check.c — exclab check: run the whole course as its tests would.
 * Scenarios and verifications run in child processes of exclab itself. */
#define _GNU_SOURCE   /* strcasestr */
#include "check.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frame.h"
#include "lesson.h"
#include "model.h"
#include "present.h"
#include "report.h"
#include "runner.h"
#include "util.h"

static int problems;

static void report(bool ok, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void report(bool ok, const char *what, const char *fmt, ...)
{
	char detail[1600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof detail, fmt, ap);
	va_end(ap);
	printf("%s %s: %s\n", ok ? "ok  " : "FAIL", what, detail);
	problems += !ok;
	fflush(stdout);
}

/* Every .py file under dir compiles, in the lab r. */
static void compile_all(struct runner *r, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *path = util_join(dir, e->d_name);
		size_t n = strlen(e->d_name);
		if (e->d_name[0] != '.' && e->d_type == DT_DIR) {
			compile_all(r, path);
		} else if (n > 3 && strcmp(e->d_name + n - 3, ".py") == 0) {
			struct error err = { 0 };
			char msg[ERROR_TEXT_MAX];
			if (runner_compile(r, path, &err) < 0) {
				error_format(&err, msg, sizeof msg);
				report(false, path, "does not compile: %s", msg);
			}
		}
		free(path);
	}
	closedir(d);
}

/* exclab itself, in a child process, on one scenario: each run gets a lab
 * of its own, as the tests give each lesson, so memory one lesson freed
 * cannot hide another's growth in RSS. res holds the JSON report. */
static void run_child(const char *verb, const char *scenario, const char *file, struct report *res)
{
	char json[] = "--json", headless[] = "--headless";
	char *args[] = { (char *)verb, (char *)scenario, file ? (char *)file : headless,
	                 file ? headless : json, file ? json : NULL, NULL };
	struct report_child c;
	struct error err;

	if (report_spawn(&c, args, &err) < 0) {
		memset(res, 0, sizeof *res);
		snprintf(res->error, sizeof res->error, "%s", err.msg);
		return;
	}
	report_wait(&c);
	if (!report_parse(res, c.out))
		snprintf(res->error, sizeof res->error, "exclab %s gave no report", verb);
	report_child_free(&c);
}

static bool passed(const struct report *res)
{
	return !res->error[0] && res->failed == 0 && res->passed > 0;
}

static const char *why_failed(const struct report *res)
{
	static char buf[ERROR_TEXT_MAX];

	if (res->error[0])
		return res->error;
	if (res->n_fails > 0) {
		snprintf(buf, sizeof buf, "%s: %s (%s)", res->fails[0].where, res->fails[0].message,
		         res->fails[0].detail);
		return buf;
	}
	return res->passed ? "" : "no check was made";
}

static void check_exercise(const char *scenario, const struct exercise_info *ex)
{
	struct report res;

	/* A starting file must fail by measurement, not by failing to run. */
	run_child("verify", scenario, ex->file, &res);
	if (passed(&res))
		report(false, ex->file, "passes verification before any fix");
	else if (res.failed == 0)
		report(false, ex->file, "does not run to its checks: %s", why_failed(&res));
	else
		report(true, ex->file, "fails verification, as a starting file must (%d of %d checks failed)",
		       res.failed, res.passed + res.failed);
	report_free(&res);

	run_child("verify", scenario, ex->solution, &res);
	if (passed(&res))
		report(true, ex->solution, "passes verification (%d checks)", res.passed);
	else
		report(false, ex->solution, "the solution fails: %s", why_failed(&res));
	report_free(&res);

	for (int i = 0; i < ex->n_cheats; i++) {
		/* A cheat must be caught by a check, not by a missing file. */
		run_child("verify", scenario, ex->cheats[i], &res);
		if (passed(&res))
			report(false, ex->cheats[i], "a cheat passes verification");
		else if (res.failed == 0 && res.passed == 0)
			report(false, ex->cheats[i], "does not run to its checks: %s", why_failed(&res));
		else
			report(true, ex->cheats[i], "fails verification, as a cheat must: %s", why_failed(&res));
		report_free(&res);
	}
}

/* The lesson fits the screen it is read on at 80x24: no code line is
 * carried on for want of room, no page is longer than three screens. */
static void check_layout(const struct lesson *lesson, const char *path)
{
	struct mdrender_doc doc;
	int problems_before = problems;

	lesson_render(lesson, &doc, FRAME_TEXT_WIDTH_80, false);
	for (int p = 0; p < doc.npages; p++) {
		const struct mdrender_page *pg = &doc.pages[p];
		if (pg->count > FRAME_PAGE_MAX)
			report(false, path, "page %d (\"%s\") is %d lines at 80x24; at most %d, three "
			       "screens: split it", p + 1, pg->title, pg->count, FRAME_PAGE_MAX);
		for (int i = pg->first; i < pg->first + pg->count; i++) {
			if (!doc.lines[i].carried)
				continue;
			char *text = mdrender_line_text(&doc.lines[i]);
			report(false, path, "page %d: a code line is wider than the %d columns of text at "
			       "80x24: %s", p + 1, FRAME_TEXT_WIDTH_80, text);
			free(text);
			while (i + 1 < pg->first + pg->count && doc.lines[i].carried)
				i++;   /* one report per code line */
		}
	}
	if (problems == problems_before)
		report(true, path, "fits 80x24: code within %d columns, pages within %d lines",
		       FRAME_TEXT_WIDTH_80, FRAME_PAGE_MAX);
	mdrender_free(&doc);
}

/* Where the figure `number` stands as a number of its own in text (commas
 * between groups of digits allowed: "1,000" is 1000), or NULL. */
static const char *find_number(const char *text, const char *number)
{
	for (const char *t = text; *t; t++) {
		char digits[64];
		size_t n = 0;
		const char *e = t;

		if (!isdigit((unsigned char)*t) || (t > text && (isalnum((unsigned char)t[-1]) ||
		    t[-1] == '.' || t[-1] == ',' || t[-1] == '_')))
			continue;
		while (n + 1 < sizeof digits && (isdigit((unsigned char)*e) || ((*e == ',' || *e == '.') &&
		       isdigit((unsigned char)e[1]))))
			if (*e++ != ',')
				digits[n++] = e[-1];
		digits[n] = '\0';
		if (!isalnum((unsigned char)*e) && *e != '_' && strcmp(digits, number) == 0)
			return t;
		t = e - 1;
	}
	return NULL;
}

static bool is_number(const char *s)
{
	char *end;

	strtod(s, &end);
	return *s && *end == '\0' && isdigit((unsigned char)*s);
}

/* Where text gives away a prediction's answer: its figure (when it is one a
 * reader would not meet by chance: 10 or more, and not in the question) or
 * the words of the right choice (three words or more), or NULL. Shorter
 * answers ("no", "4") cannot be told from ordinary text. */
static const char *find_answer(const char *text, const struct report_prediction *p)
{
	if (is_number(p->actual)) {
		if (strtod(p->actual, NULL) < 10 || find_number(p->question, p->actual))
			return NULL;
		return find_number(text, p->actual);
	}
	int spaces = 0;
	for (const char *a = p->actual; *a; a++)
		spaces += *a == ' ';
	return spaces >= 2 ? strcasestr(text, p->actual) : NULL;
}

/* No page shows a prediction's answer before the step that asks it has
 * run: the text a learner can read by then (every page, less the parts held
 * back until that step or a later one) must not contain it. */
static void check_giveaways(const struct lesson *lesson, const char *path,
                            const struct report *res)
{
	struct mdrender_doc doc;
	int problems_before = problems;

	lesson_render(lesson, &doc, 1 << 20, false);   /* one line a paragraph: phrases whole */
	for (int k = 0; k < res->n_predictions; k++) {
		const struct report_prediction *pr = &res->predictions[k];
		for (int pg = 0; pg < doc.npages; pg++) {
			const struct mdrender_page *page = &doc.pages[pg];
			for (int i = page->first; i < page->first + page->count; i++) {
				if (doc.lines[i].shown_after >= pr->step)
					continue;   /* held back until the step has run */
				char *text = mdrender_line_text(&doc.lines[i]);
				const char *at = find_answer(text, pr);
				if (at) {
					int from = at - text > 40 ? (int)(at - text) - 40 : 0;
					report(false, path, "page %d (\"%s\") gives away step %d's prediction "
					       "before it is asked: the answer, %s, is in \"%s%.80s\"; hold it back "
					       "with <!-- after step %d -->", pg + 1, page->title, pr->step,
					       pr->actual, from ? "…" : "", text + from, pr->step);
					free(text);
					goto next_prediction;   /* one report a prediction */
				}
				free(text);
			}
		}
next_prediction:;
	}
	if (problems == problems_before && res->n_predictions > 0)
		report(true, path, "no page gives away the answer of its %d prediction%s before it is asked",
		       res->n_predictions, res->n_predictions == 1 ? "" : "s");
	mdrender_free(&doc);
}

static void check_lesson(const char *path)
{
	struct lesson *lesson = NULL;
	struct error err = { 0 };
	struct model probe;
	struct report res;
	struct runner *r = NULL;
	struct runner_options opt = { .interactive = true };   /* load, then wait before step 1 */
	char msg[ERROR_TEXT_MAX];
	const char *scenario;

	if (lesson_load(&lesson, path, &err) < 0) {
		error_format(&err, msg, sizeof msg);
		report(false, path, "%s", msg);
		return;
	}
	check_layout(lesson, path);
	scenario = lesson_scenario(lesson);
	if (scenario == NULL) {
		report(true, path, "\"%s\" has no live part", lesson_title(lesson));
		lesson_free(lesson);
		return;
	}
	run_child("run", scenario, NULL, &res);
	if (passed(&res))
		report(true, scenario, "%d checks hold", res.passed);
	else
		report(false, scenario, "%s", why_failed(&res));
	check_giveaways(lesson, path, &res);
	report_free(&res);

	/* The Python files, and the exercise as the scenario declares it. */
	model_init(&probe);
	if (runner_open(&r, scenario, &probe, &opt, &err) == 0)
		runner_settle(r);
	char *dir = util_dirname(scenario);
	compile_all(r, dir);
	free(dir);
	if (runner_exercise(r)) {
		check_exercise(scenario, runner_exercise(r));
	} else if (probe.step_count > 0) {
		/* (When the scenario did not even load, its run said why.) */
		report(false, scenario, "declares no exercise{}");
	}
	runner_close(r);
	model_free(&probe);
	lesson_free(lesson);
}

/* The decks in the slides folder beside the lessons, as present --check
 * checks them: a speaker's talk breaks when the course it quotes changes. */
static int check_decks(const char *lessons_dir)
{
	char *dir = util_join(lessons_dir, "../slides"), **paths;
	struct error err;
	int n = lesson_list(dir, &paths, &err), found = 0;

	for (int i = 0; i < n; i++) {
		problems += present_check(paths[i]);
		found++;
	}
	if (n > 0)
		lesson_list_free(paths, n);
	free(dir);
	return found;
}

int check_course(const char *lessons_dir)
{
	char **paths;
	struct error err = { 0 };
	int n = lesson_list(lessons_dir, &paths, &err);

	problems = 0;
	if (n < 0) {
		char msg[ERROR_TEXT_MAX];
		error_format(&err, msg, sizeof msg);
		report(false, lessons_dir, "%s", msg);
		return 1;
	}
	for (int i = 0; i < n; i++)
		check_lesson(paths[i]);
	lesson_list_free(paths, n);
	{
		int decks = check_decks(lessons_dir);
		char also[48] = "";
		if (decks > 0)
			snprintf(also, sizeof also, " and %d deck%s", decks, decks == 1 ? "" : "s");
		printf("%d lesson%s%s checked, %d problem%s\n", n, n == 1 ? "" : "s", also, problems,
		       problems == 1 ? "" : "s");
	}
	return problems;
}
