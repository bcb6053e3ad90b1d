/* check.c — exclab check: run the whole course as its tests would. */
#include "check.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "headless.h"
#include "lesson.h"
#include "luahost.h"
#include "model.h"
#include "pyhost.h"
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

/* Every .py file under dir compiles. */
static void compile_all(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char *path = util_join(dir, e->d_name);
		size_t n = strlen(e->d_name);
		if (e->d_name[0] != '.' && e->d_type == DT_DIR) {
			compile_all(path);
		} else if (n > 3 && strcmp(e->d_name + n - 3, ".py") == 0) {
			struct pyjob job = { .kind = PYJOB_COMPILE, .path = path };
			struct pyresult res;
			char msg[1700];
			pyhost_submit(&job);
			pyhost_wait(&res);
			if (res.status != PYRESULT_OK) {
				error_format(&res.err, msg, sizeof msg);
				report(false, path, "does not compile: %s", msg);
			}
			pyresult_free(&res);
		}
		free(path);
	}
	closedir(d);
}

/* Verify one file: 0 when it passes. */
static int verify(const char *scenario, const char *file, struct model *m)
{
	struct runner_options opt = { .verify = file };
	int status = headless_quiet(scenario, &opt, m);

	return status == 0 && m->checks_passed > 0 ? 0 : status ? status : 1;
}

static const char *why_failed(const struct model *m)
{
	static char buf[600];

	if (headless_error(m)[0])
		return headless_error(m);
	for (int i = 0; i < m->checks_len; i++)
		if (!m->checks[i].passed) {
			snprintf(buf, sizeof buf, "%s: %s (%s)", m->checks[i].where, m->checks[i].message,
			         m->checks[i].detail);
			return buf;
		}
	return m->checks_len ? "" : "verify() made no checks";
}

static void check_exercise(const char *scenario, const struct exercise_info *ex)
{
	struct model m;

	/* A starting file must fail by measurement, not by failing to run. */
	if (verify(scenario, ex->file, &m) == 0)
		report(false, ex->file, "passes verification before any fix");
	else if (m.checks_failed == 0)
		report(false, ex->file, "does not run to its checks: %s", why_failed(&m));
	else
		report(true, ex->file, "fails verification, as a starting file must (%d of %d checks failed)",
		       m.checks_failed, m.checks_len);
	model_free(&m);

	if (verify(scenario, ex->solution, &m) == 0)
		report(true, ex->solution, "passes verification (%d checks)", m.checks_passed);
	else
		report(false, ex->solution, "the solution fails: %s", why_failed(&m));
	model_free(&m);

	for (int i = 0; i < ex->n_cheats; i++) {
		/* A cheat must be caught by a check, not by a missing file. */
		if (verify(scenario, ex->cheats[i], &m) == 0)
			report(false, ex->cheats[i], "a cheat passes verification");
		else if (m.checks_len == 0)
			report(false, ex->cheats[i], "does not run to its checks: %s", why_failed(&m));
		else
			report(true, ex->cheats[i], "fails verification, as a cheat must: %s", why_failed(&m));
		model_free(&m);
	}
}

static void check_lesson(const char *path)
{
	struct lesson *lesson = NULL;
	struct error err = { 0 };
	struct model m, probe;
	struct runner *r = NULL;
	struct runner_options opt = { 0 };
	char msg[1700];
	const char *scenario;
	int status;

	if (lesson_load(&lesson, path, &err) < 0) {
		error_format(&err, msg, sizeof msg);
		report(false, path, "%s", msg);
		return;
	}
	scenario = lesson_scenario(lesson);
	if (scenario == NULL) {
		report(true, path, "\"%s\" has no live part", lesson_title(lesson));
		lesson_free(lesson);
		return;
	}
	status = headless_quiet(scenario, &opt, &m);
	if (status == 0 && m.checks_passed > 0)
		report(true, scenario, "%d checks hold, %d predictions", m.checks_passed, m.predictions_len);
	else
		report(false, scenario, "%s", why_failed(&m));
	model_free(&m);

	char *dir = util_dirname(scenario);
	compile_all(dir);
	free(dir);

	/* The exercise, as the scenario declares it. */
	model_init(&probe);
	if (runner_open(&r, scenario, &probe, &opt, &err) == 0 && runner_exercise(r)) {
		const struct exercise_info *ex = runner_exercise(r);
		/* Copy what check_exercise needs: the runner must close first. */
		struct exercise_info copy = *ex;
		char *file = xstrdup(ex->file), *solution = xstrdup(ex->solution);
		char **cheats = xcalloc((size_t)(ex->n_cheats ? ex->n_cheats : 1), sizeof *cheats);
		for (int i = 0; i < ex->n_cheats; i++)
			cheats[i] = xstrdup(ex->cheats[i]);
		copy.file = file;
		copy.solution = solution;
		copy.cheats = cheats;
		runner_close(r);
		r = NULL;
		check_exercise(scenario, &copy);
		for (int i = 0; i < copy.n_cheats; i++)
			free(cheats[i]);
		free(cheats);
		free(file);
		free(solution);
	} else {
		report(false, scenario, "declares no exercise{}");
	}
	runner_close(r);
	model_free(&probe);
	lesson_free(lesson);
}

int check_course(const char *lessons_dir)
{
	char **paths;
	struct error err = { 0 };
	int n = lesson_list(lessons_dir, &paths, &err);

	problems = 0;
	if (n < 0) {
		char msg[1700];
		error_format(&err, msg, sizeof msg);
		report(false, lessons_dir, "%s", msg);
		return 1;
	}
	for (int i = 0; i < n; i++)
		check_lesson(paths[i]);
	lesson_list_free(paths, n);
	printf("%d lesson%s checked, %d problem%s\n", n, n == 1 ? "" : "s", problems,
	       problems == 1 ? "" : "s");
	return problems;
}
