/* check.c — exclab check: run the whole course as its tests would.
 * Scenarios and verifications run in child processes of exclab itself. */
#include "check.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "exwatch.h"
#include "lesson.h"
#include "model.h"
#include "runner.h"
#include "util.h"

extern char **environ;

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

/* exclab itself, in a child process, on one scenario: each run gets an
 * interpreter of its own, as the tests give each lesson, so memory one lesson
 * freed cannot hide another's growth in RSS. res holds the JSON report. */
static bool run_child(const char *verb, const char *scenario, const char *file, struct exwatch *res)
{
	char exe[] = "/proc/self/exe", name[] = "exclab", json[] = "--json", headless[] = "--headless";
	char *argv[7] = { name, (char *)verb, (char *)scenario, NULL, NULL, NULL, NULL };
	posix_spawn_file_actions_t fa;
	char buf[65536], *out = NULL;
	size_t len = 0;
	int pipefd[2], status;
	pid_t pid;
	ssize_t n;
	bool ok;

	argv[3] = file ? (char *)file : headless;
	argv[4] = file ? headless : json;
	argv[5] = file ? json : NULL;
	memset(res, 0, sizeof *res);
	res->path = xstrdup(file ? file : scenario);   /* so exwatch_close frees what parsing made */
	res->pid = res->fd = -1;
	if (pipe(pipefd) < 0)
		return false;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	ok = posix_spawn(&pid, exe, &fa, NULL, argv, environ) == 0;
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	while (ok && (n = read(pipefd[0], buf, sizeof buf)) > 0) {
		out = xrealloc(out, len + (size_t)n + 1);
		memcpy(out + len, buf, (size_t)n);
		len += (size_t)n;
	}
	close(pipefd[0]);
	if (ok)
		waitpid(pid, &status, 0);
	if (out)
		out[len] = '\0';
	ok = ok && out && exwatch_parse_report(res, out);
	if (!ok)
		snprintf(res->error, sizeof res->error, "exclab %s gave no report", verb);
	free(out);
	return ok;
}

static bool passed(const struct exwatch *res)
{
	return res->state == EXWATCH_PASSED && res->passed > 0;
}

static const char *why_failed(const struct exwatch *res)
{
	static char buf[1400];

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
	struct exwatch res;

	/* A starting file must fail by measurement, not by failing to run. */
	run_child("verify", scenario, ex->file, &res);
	if (passed(&res))
		report(false, ex->file, "passes verification before any fix");
	else if (res.failed == 0)
		report(false, ex->file, "does not run to its checks: %s", why_failed(&res));
	else
		report(true, ex->file, "fails verification, as a starting file must (%d of %d checks failed)",
		       res.failed, res.passed + res.failed);
	exwatch_close(&res);

	run_child("verify", scenario, ex->solution, &res);
	if (passed(&res))
		report(true, ex->solution, "passes verification (%d checks)", res.passed);
	else
		report(false, ex->solution, "the solution fails: %s", why_failed(&res));
	exwatch_close(&res);

	for (int i = 0; i < ex->n_cheats; i++) {
		/* A cheat must be caught by a check, not by a missing file. */
		run_child("verify", scenario, ex->cheats[i], &res);
		if (passed(&res))
			report(false, ex->cheats[i], "a cheat passes verification");
		else if (res.failed == 0 && res.passed == 0)
			report(false, ex->cheats[i], "does not run to its checks: %s", why_failed(&res));
		else
			report(true, ex->cheats[i], "fails verification, as a cheat must: %s", why_failed(&res));
		exwatch_close(&res);
	}
}

static void check_lesson(const char *path)
{
	struct lesson *lesson = NULL;
	struct error err = { 0 };
	struct model probe;
	struct exwatch res;
	struct runner *r = NULL;
	struct runner_options opt = { .interactive = true };   /* load, then wait before step 1 */
	char msg[ERROR_TEXT_MAX];
	const char *scenario;

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
	run_child("run", scenario, NULL, &res);
	if (passed(&res))
		report(true, scenario, "%d checks hold", res.passed);
	else
		report(false, scenario, "%s", why_failed(&res));
	exwatch_close(&res);

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
	printf("%d lesson%s checked, %d problem%s\n", n, n == 1 ? "" : "s", problems,
	       problems == 1 ? "" : "s");
	return problems;
}
