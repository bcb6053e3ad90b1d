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
#include "probe_headless.h"
#include "probe_ui.h"
#include "present.h"
#include "runner.h"
#include "ui.h"
#include "util.h"

#ifndef EXCLAB_VERSION
#define EXCLAB_VERSION "0.0"
#endif
#ifndef EXCLAB_SOURCE_DIR
#define EXCLAB_SOURCE_DIR "."
#endif
#ifndef EXCLAB_DATA_DIR
#define EXCLAB_DATA_DIR "/usr/local/share/exclab"
#endif


static void usage(FILE *f)
{
	fputs("usage: exclab [LESSON.md] [options]\n"
	      "       exclab run SCENARIO.lua [--headless [--json]] [options]\n"
	      "       exclab verify SCENARIO.lua [FILE.py] [--json]\n"
	      "       exclab check [LESSONS_DIR]\n"
	      "       exclab probe [probe options] SCRIPT.py [ARGS...]\n"
	      "       exclab probe [probe options] -m MODULE [ARGS...]\n"
	      "       exclab present [--notes] [--light | --dark] [--pace N] DECK.md\n"
	      "       exclab present --check DECK.md...\n"
	      "       exclab present --export OUT.html DECK.md\n"
	      "\n"
	      "With no argument, exclab opens the course menu: the lessons of --lessons\n"
	      "DIR, else $EXCLAB_LESSONS, else ./lessons, else the installed course.\n"
	      "Your progress is kept in $XDG_STATE_HOME/exclab/progress.json (default\n"
	      "~/.local/state/...).\n"
	      "verify runs a scenario's exercise check on FILE.py (default: the exercise's\n"
	      "own starting file): exit status 0 when it passes.\n"
	      "check runs every lesson of the course as its tests do: scenarios, Python,\n"
	      "exercises (the starting file must fail, the solution pass, cheats fail),\n"
	      "and every deck in the slides folder beside the lessons.\n"
	      "present shows a deck from slides/ full screen; --notes, in a second\n"
	      "terminal, is the presenter's window (notes, timer; its keys drive both);\n"
	      "--check runs every live demo of the deck and checks its figures; --export\n"
	      "writes the deck as one self-contained HTML file.\n"
	      "probe runs your own program as python3 would, and finds exceptions that keep\n"
	      "memory alive in it: reused instances, exception reference cycles,\n"
	      "exceptions kept after their handler. Everything after SCRIPT.py (or -m\n"
	      "MODULE) goes to the program.\n"
	      "\n"
	      "options:\n"
	      "  --lessons DIR      the course in DIR (a teacher's own lesson pack)\n"
	      "  --headless         run the scenario without a terminal, print what happens\n"
	      "  --json             with --headless: one JSON report on stdout\n"
	      "  --mem-limit MB     Python heap cap for the scenario (default 768, at most half of RAM)\n"
	      "  --time-limit SEC   seconds each Python call (or stretch of Lua) may run (default 10)\n"
	      "  --pace N           py.call(name, n) makes at most N calls a second, so a room\n"
	      "                     can watch the gauges climb (default: full speed)\n"
	      "  -h, --help         this text\n"
	      "  --version          the version, and the Python it embeds\n"
	      "probe options (and --headless, --time-limit, --mem-limit: the program's own):\n"
	      "  --headless         no view: the program uses this terminal's stdin, stdout\n"
	      "                     and stderr; the report goes to stderr when it ends\n"
	      "  --json             the report as JSON\n"
	      "  --report FILE      the report into FILE instead of stderr\n"
	      "  --every SEC        a report every SEC seconds while the program runs too\n"
	      "  --fail-on LIMIT    exit status 3 when the program succeeds but its findings\n"
	      "                     pass LIMIT: \"any\", or bytes kept (\"10MB\", \"500k\")\n"
	      "\n"
	      "Exit status of --headless: 0 every check held, 1 a check failed,\n"
	      "2 the scenario failed (an error, a budget ran out, interrupted);\n"
	      "128 + the signal when a signal ended exclab. See man exclab.\n"
	      "Exit status of probe --headless: the program's own, as under python3;\n"
	      "3 with --fail-on (above); 125 when exclab stopped the program (a limit,\n"
	      "a second Ctrl-C) or could not run it.\n", f);
}

/* The number after an option, within [min, max] (the ranges scenario{} allows). */
static bool number_arg(int argc, char **argv, int *i, double min, double max, double *out)
{
	char *end;

	if (*i + 1 >= argc)
		return false;
	*out = strtod(argv[++*i], &end);
	return *end == '\0' && *out >= min && *out <= max;
}

enum command { CMD_COURSE, CMD_LESSON, CMD_RUN, CMD_VERIFY, CMD_CHECK, CMD_PROBE, CMD_PRESENT };

#define MAX_DECKS 64

/* What the command line asks for. */
struct args {
	enum command command;
	const char *lesson;        /* CMD_LESSON */
	const char *scenario;      /* CMD_RUN, CMD_VERIFY */
	const char *verify_file;   /* CMD_VERIFY: the file to verify, or NULL */
	const char *check_dir;     /* CMD_CHECK: or NULL */
	const char *lessons_dir;   /* --lessons, or NULL */
	bool headless, json;
	struct runner_options opt;
	struct runner_program program;          /* CMD_PROBE */
	struct probe_report_options report;     /* CMD_PROBE */
	struct present_args present;            /* CMD_PRESENT */
	const char *decks[MAX_DECKS];
};

static bool is_python_file(const char *path)
{
	size_t n = strlen(path);

	return n > 3 && strcmp(path + n - 3, ".py") == 0;
}

/* `exclab probe`'s own options, then SCRIPT.py or -m MODULE; whatever
 * follows belongs to the program. -1 when the program goes on. */
/* --time-limit and --mem-limit, for lessons and for probe alike: 1 when
 * argv[*i] was one (read into opt), 0 when it is another option, -1 when
 * its value is missing or out of range (a message was printed). A program
 * may be probed for longer than a lesson's call may run: `max_time`. */
static int limit_arg(int argc, char **argv, int *i, double max_time, struct runner_options *opt)
{
	double n;

	if (strcmp(argv[*i], "--mem-limit") == 0) {
		if (!number_arg(argc, argv, i, 1, 1e9, &n)) {
			fprintf(stderr, "exclab: --mem-limit needs a size in MB, from 1 to 1,000,000,000\n");
			return -1;
		}
		opt->heap_cap = (size_t)(n * 1000 * 1000);
		return 1;
	}
	if (strcmp(argv[*i], "--time-limit") == 0) {
		if (!number_arg(argc, argv, i, 0.001, max_time, &n)) {
			fprintf(stderr, "exclab: --time-limit needs a number of seconds, from 0.001 to %.0f\n",
			        max_time);
			return -1;
		}
		opt->time_limit = n;
		return 1;
	}
	return 0;
}

static int parse_probe(int argc, char **argv, int i, struct args *a)
{
	for (; i < argc; i++) {
		const char *arg = argv[i];
		int limit = limit_arg(argc, argv, &i, 1e9, &a->opt);

		if (limit < 0) {
			return 2;
		} else if (limit > 0) {
			continue;
		} else if (strcmp(arg, "--headless") == 0) {
			a->headless = true;
		} else if (strcmp(arg, "--json") == 0) {
			a->report.json = true;
		} else if (strcmp(arg, "--report") == 0 && i + 1 < argc) {
			a->report.path = argv[++i];
		} else if (strcmp(arg, "--every") == 0) {
			if (!number_arg(argc, argv, &i, 0.001, 86400, &a->report.every)) {
				fprintf(stderr, "exclab: --every needs a number of seconds, from 0.001 to 86400\n");
				return 2;
			}
		} else if (strcmp(arg, "--fail-on") == 0) {
			if (i + 1 >= argc || finding_parse_limit(argv[++i], &a->report.fail_any,
			                                          &a->report.fail_bytes) < 0) {
				fprintf(stderr, "exclab: --fail-on needs \"any\" or a size, e.g. 10MB\n");
				return 2;
			}
			a->report.fail_on = true;
		} else if (strcmp(arg, "-m") == 0 && i + 1 < argc) {
			a->program.module = true;
			a->program.target = argv[++i];
			break;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (arg[0] == '-' && arg[1] != '\0') {
			fprintf(stderr, "exclab: unknown probe option '%s'\n", arg);
			usage(stderr);
			return 2;
		} else {
			a->program.target = arg;
			break;
		}
	}
	if (a->program.target == NULL) {
		fprintf(stderr, "exclab: probe needs a program: exclab probe app.py, or "
		        "exclab probe -m package\n");
		return 2;
	}
	a->program.args = argv + i + 1;
	a->program.nargs = argc - i - 1;
	if (!a->headless && (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		fprintf(stderr, "exclab: the interface needs a terminal; without one, use: "
		        "exclab probe --headless %s%s\n", a->program.module ? "-m " : "",
		        a->program.target);
		return 2;
	}
	return -1;
}

/* Read the command line into a, as lua.c's collectargs does; -1 when the
 * program goes on, else the exit status (a message was printed). */
static int parse_args(int argc, char **argv, struct args *a)
{
	bool verb = false;   /* run, verify or check was given */

	*a = (struct args){ .command = CMD_COURSE, .opt = { .interactive = true },
	                    .present = { .mode = PRESENT_SLIDES, .theme = -1 } };
	a->present.decks = a->decks;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		int limit = limit_arg(argc, argv, &i, 86400, &a->opt);

		if (limit < 0) {
			return 2;
		} else if (limit > 0) {
			continue;
		} else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
			usage(stdout);
			return 0;
		} else if (strcmp(arg, "--version") == 0) {
			char python[96];
			lab_python_version(python, sizeof python);
			printf("exclab %s (embeds Python %s)\n", EXCLAB_VERSION, python);
			return 0;
		} else if (strcmp(arg, "--lessons") == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "exclab: --lessons needs a folder of lessons\n");
				return 2;
			}
			a->lessons_dir = argv[++i];
		} else if (strcmp(arg, "--headless") == 0) {
			a->headless = true;
		} else if (strcmp(arg, "--json") == 0) {
			a->json = true;
		} else if (strcmp(arg, "--pace") == 0) {
			double n;
			if (!number_arg(argc, argv, &i, 0.001, 1000, &n)) {
				fprintf(stderr, "exclab: --pace needs a number of calls a second, up to 1000\n");
				return 2;
			}
			a->opt.pace = n;
		} else if (!verb && !a->lesson && strcmp(arg, "run") == 0) {
			a->command = CMD_RUN;
			verb = true;
		} else if (!verb && !a->lesson && strcmp(arg, "verify") == 0) {
			a->command = CMD_VERIFY;
			a->headless = verb = true;
		} else if (!verb && !a->lesson && strcmp(arg, "probe") == 0) {
			a->command = CMD_PROBE;
			return parse_probe(argc, argv, i + 1, a);
		} else if (!verb && !a->lesson && strcmp(arg, "check") == 0) {
			a->command = CMD_CHECK;
			verb = true;
		} else if (!verb && !a->lesson && strcmp(arg, "present") == 0) {
			a->command = CMD_PRESENT;
			verb = true;
		} else if (a->command == CMD_PRESENT && (!strcmp(arg, "--notes") || !strcmp(arg, "--check"))) {
			a->present.mode = arg[2] == 'n' ? PRESENT_NOTES : PRESENT_CHECK;
		} else if (a->command == CMD_PRESENT && !strcmp(arg, "--export")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "exclab: --export needs the HTML file to write\n");
				return 2;
			}
			a->present.mode = PRESENT_EXPORT;
			a->present.export_path = argv[++i];
		} else if (a->command == CMD_PRESENT && (!strcmp(arg, "--light") || !strcmp(arg, "--dark"))) {
			a->present.theme = arg[2] == 'l' ? 1 : 0;
		} else if (a->command == CMD_PRESENT && arg[0] != '-') {
			if (a->present.ndecks == MAX_DECKS) {
				fprintf(stderr, "exclab: at most %d decks at once\n", MAX_DECKS);
				return 2;
			}
			a->decks[a->present.ndecks++] = arg;
		} else if (arg[0] == '-') {
			fprintf(stderr, "exclab: unknown option '%s'\n", arg);
			usage(stderr);
			return 2;
		} else if (a->command == CMD_CHECK && !a->check_dir) {
			a->check_dir = arg;
		} else if ((a->command == CMD_RUN || a->command == CMD_VERIFY) && !a->scenario) {
			a->scenario = arg;
		} else if (a->command == CMD_VERIFY && !a->verify_file) {
			a->verify_file = arg;
		} else if (a->command == CMD_COURSE) {
			a->command = CMD_LESSON;
			a->lesson = arg;
		} else {
			fprintf(stderr, "exclab: unexpected argument '%s'\n", arg);
			usage(stderr);
			return 2;
		}
	}
	if (a->command == CMD_RUN || a->command == CMD_LESSON) {
		const char *file = a->command == CMD_RUN ? a->scenario : a->lesson;
		if (file && is_python_file(file)) {
			fprintf(stderr, "exclab: %s is a Python program; to find the exceptions that keep "
			        "memory alive in it, run:\n  exclab probe %s\n", file, file);
			return 2;
		}
	}
	if ((a->command == CMD_RUN || a->command == CMD_VERIFY) && !a->scenario) {
		fprintf(stderr, "exclab: %s needs a scenario file, e.g. exclab run "
		        "scenarios/02-reuse/scenario.lua --headless\n",
		        a->command == CMD_RUN ? "run" : "verify");
		return 2;
	}
	if (a->command == CMD_PRESENT) {
		a->present.pace = a->opt.pace;
		if (a->present.ndecks == 0) {
			fprintf(stderr, "exclab: present needs a deck, e.g. exclab present slides/talk.md\n");
			return 2;
		}
		if (a->present.ndecks > 1 && a->present.mode != PRESENT_CHECK) {
			fprintf(stderr, "exclab: present shows one deck at a time (--check takes several)\n");
			return 2;
		}
		if (a->present.mode == PRESENT_CHECK || a->present.mode == PRESENT_EXPORT)
			return -1;   /* no terminal needed */
	}
	if (a->headless && a->command != CMD_RUN && a->command != CMD_VERIFY) {
		fprintf(stderr, "exclab: --headless runs a scenario: exclab run SCENARIO.lua --headless\n");
		return 2;
	}
	if (!a->headless && a->command != CMD_CHECK &&
	    (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))) {
		if (a->command == CMD_PRESENT)
			fprintf(stderr, "exclab: present needs a terminal; without one, check a deck with\n"
			        "exclab present --check DECK.md, or export it with --export OUT.html\n");
		else
			fprintf(stderr, "exclab: the interface needs a terminal; to run a scenario without "
			        "one,\nuse: exclab run SCENARIO.lua --headless\n");
		return 2;
	}
	return -1;
}

/* The course: --lessons, else $EXCLAB_LESSONS, else the lessons here (a
 * clone), else the installed course, else the one exclab was built from. */
static const char *lessons_folder(const struct args *a)
{
	const char *env = getenv("EXCLAB_LESSONS");

	if (a->lessons_dir)
		return a->lessons_dir;
	if (env && env[0])
		return env;
	if (access("lessons", R_OK) == 0)
		return "lessons";
	if (access(EXCLAB_DATA_DIR "/lessons", R_OK) == 0)
		return EXCLAB_DATA_DIR "/lessons";
	return EXCLAB_SOURCE_DIR "/lessons";
}

int main(int argc, char **argv)
{
	struct args a;
	struct error err = { 0 };
	char msg[ERROR_TEXT_MAX];
	int status;

	setlocale(LC_CTYPE, "");
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "__lab") == 0)
		lab_main(atoi(argv[2]), argc == 4 && strcmp(argv[3], "probe") == 0);
	status = parse_args(argc, argv, &a);
	if (status >= 0)
		return status;

	switch (a.command) {
	case CMD_CHECK:
		return check_course(a.check_dir ? a.check_dir : lessons_folder(&a)) ? 1 : 0;
	case CMD_PRESENT:
		return present_main(&a.present);
	case CMD_VERIFY:
		a.opt.verify = a.verify_file ? a.verify_file : "";
		return headless_run(a.scenario, a.json, &a.opt);
	case CMD_RUN:
		if (a.headless)
			return headless_run(a.scenario, a.json, &a.opt);
		break;
	case CMD_PROBE:
		if (a.headless)
			return probe_headless(&a.program, &a.opt, &a.report);
		status = probe_ui_run(&a.program, &a.opt, &err);
		if (status < 0) {
			error_format(&err, msg, sizeof msg);
			fprintf(stderr, "exclab: %s\n", msg);
			status = 2;
		}
		return status;
	case CMD_COURSE:
	case CMD_LESSON:
		break;
	}
	status = ui_run(a.lesson, a.command == CMD_RUN ? a.scenario : NULL,
	                a.command == CMD_COURSE ? lessons_folder(&a) : NULL, &a.opt, &err);
	if (status < 0) {
		error_format(&err, msg, sizeof msg);
		fprintf(stderr, "exclab: %s\n", msg);
		status = 2;
	}
	return status;
}
