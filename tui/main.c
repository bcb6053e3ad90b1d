/* main.c — exclab: a terminal lab for Python exceptions that keep memory alive.
 *
 * Start-up order (teardown runs in reverse):
 *   1. LC_CTYPE from the environment (never LC_ALL: Python and Lua keep "C" numbers)
 *   2. `exclab __lab FD`: this process is a lab (lab.h), and never returns
 *   3. the command line
 *   4. the interface (terminal, lesson, runner) or the headless runner, each
 *      starting labs as child processes as it needs them */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "headless.h"
#include "lab.h"
#include "lesson.h"
#include "runner.h"
#include "ui.h"
#include "util.h"

#ifndef EXCLAB_VERSION
#define EXCLAB_VERSION "0.0"
#endif
#ifndef EXCLAB_PYTHON_VERSION
#define EXCLAB_PYTHON_VERSION "?"
#endif
#ifndef EXCLAB_SOURCE_DIR
#define EXCLAB_SOURCE_DIR "."
#endif


static void usage(FILE *f)
{
	fputs("usage: exclab [LESSON.md] [options]\n"
	      "       exclab run SCENARIO.lua [--headless [--json]] [options]\n"
	      "       exclab verify SCENARIO.lua [FILE.py] [--json]\n"
	      "       exclab check [LESSONS_DIR]\n"
	      "\n"
	      "With no argument, exclab opens the course menu; your progress is kept in\n"
	      "$XDG_STATE_HOME/exclab/progress.json (default ~/.local/state/...).\n"
	      "verify runs a scenario's exercise check on FILE.py (default: the exercise's\n"
	      "own starting file): exit status 0 when it passes.\n"
	      "check runs every lesson of the course as its tests do: scenarios, Python,\n"
	      "exercises (the starting file must fail, the solution pass, cheats fail).\n"
	      "\n"
	      "options:\n"
	      "  --headless         run the scenario without a terminal, print what happens\n"
	      "  --json             with --headless: one JSON report on stdout\n"
	      "  --mem-limit MB     Python heap cap for the scenario (default 768, at most half of RAM)\n"
	      "  --time-limit SEC   seconds each Python call (or stretch of Lua) may run (default 10)\n"
	      "  -h, --help         this text\n"
	      "  --version          the version, and the Python it embeds\n"
	      "\n"
	      "Exit status of --headless: 0 every check held, 1 a check failed,\n"
	      "2 the scenario failed (an error, a budget ran out, interrupted).\n", f);
}

static bool number_arg(int argc, char **argv, int *i, double *out)
{
	char *end;

	if (*i + 1 >= argc)
		return false;
	*out = strtod(argv[++*i], &end);
	return *end == '\0' && *out > 0;
}

int main(int argc, char **argv)
{
	struct runner_options opt = { .interactive = true };
	const char *lesson = NULL, *scenario = NULL;
	bool headless = false, json = false, run = false, verifying = false, checking = false;
	const char *verify_file = NULL, *check_dir = NULL;
	struct error err = { 0 };
	const char *lessons_dir = NULL;
	char msg[ERROR_TEXT_MAX];
	int status;

	setlocale(LC_CTYPE, "");
	if (argc == 3 && strcmp(argv[1], "__lab") == 0)
		lab_main(atoi(argv[2]));

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		double n;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(a, "--version") == 0) {
			printf("exclab %s (embeds Python %s)\n", EXCLAB_VERSION, EXCLAB_PYTHON_VERSION);
			return 0;
		} else if (strcmp(a, "--headless") == 0) {
			headless = true;
		} else if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--mem-limit") == 0) {
			if (!number_arg(argc, argv, &i, &n)) {
				fprintf(stderr, "exclab: --mem-limit needs a size in MB\n");
				return 2;
			}
			opt.heap_cap = (size_t)(n * 1000 * 1000);
		} else if (strcmp(a, "--time-limit") == 0) {
			if (!number_arg(argc, argv, &i, &n)) {
				fprintf(stderr, "exclab: --time-limit needs a number of seconds\n");
				return 2;
			}
			opt.time_limit = n;
		} else if (strcmp(a, "run") == 0 && !run && !lesson && !verifying && !checking) {
			run = true;
		} else if (strcmp(a, "verify") == 0 && !run && !lesson && !verifying && !checking) {
			run = verifying = headless = true;
		} else if (strcmp(a, "check") == 0 && !run && !lesson && !verifying && !checking) {
			checking = true;
		} else if (checking && !check_dir) {
			check_dir = a;
		} else if (verifying && scenario && !verify_file) {
			verify_file = a;
		} else if (a[0] == '-') {
			fprintf(stderr, "exclab: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (run && !scenario) {
			scenario = a;
		} else if (!run && !lesson) {
			lesson = a;
		} else {
			fprintf(stderr, "exclab: unexpected argument '%s'\n", a);
			usage(stderr);
			return 2;
		}
	}
	if (run && !scenario) {
		fprintf(stderr, "exclab: run needs a scenario file, e.g. exclab run scenarios/02-reuse/scenario.lua --headless\n");
		return 2;
	}
	if (headless && !run) {
		fprintf(stderr, "exclab: --headless runs a scenario: exclab run SCENARIO.lua --headless\n");
		return 2;
	}
	if (!headless && !checking && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "exclab: the interface needs a terminal; to run a scenario without one,\n"
		        "use: exclab run SCENARIO.lua --headless\n");
		return 2;
	}
	if (!run && !lesson && !checking) {
		/* The course menu, of the lessons here or where exclab was built. */
		lessons_dir = access("lessons", R_OK) == 0 ? "lessons" : EXCLAB_SOURCE_DIR "/lessons";
	}

	if (checking) {
		const char *dir = check_dir ? check_dir
		                  : access("lessons", R_OK) == 0 ? "lessons" : EXCLAB_SOURCE_DIR "/lessons";
		status = check_course(dir) ? 1 : 0;
	} else if (verifying) {
		opt.verify = verify_file ? verify_file : "";
		status = headless_run(scenario, json, &opt);
	} else if (headless) {
		status = headless_run(scenario, json, &opt);
	} else {
		status = ui_run(lesson, scenario, lessons_dir, &opt, &err);
		if (status < 0) {
			error_format(&err, msg, sizeof msg);
			fprintf(stderr, "exclab: %s\n", msg);
			status = 2;
		}
	}
	return status;
}
