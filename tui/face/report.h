/* report.h — a child exclab and the JSON report it prints.
 *
 * `exclab check` runs every scenario and every verification in a child of
 * its own, and the exercise panel verifies each save in one, so that the
 * learner's code never runs in the interface's lab. Both start the child
 * with report_spawn (exclab itself, as /proc/self/exe: the program that is
 * running, even if the file was rebuilt since), read its standard output
 * without blocking, and parse the report it ends with (headless.c writes
 * it). */
#ifndef EXCLAB_REPORT_H
#define EXCLAB_REPORT_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

struct report_check {
	char *message, *detail, *where;
};

/* A prediction the run asked, and what the step measured. */
struct report_prediction {
	int step;                     /* 1-based */
	char *question, *actual;
};

/* What a `--json` run reported. */
struct report {
	int passed, failed;
	struct report_check *fails;   /* the checks that failed, in order */
	int n_fails;
	struct report_prediction *predictions;
	int n_predictions;
	char error[1024];             /* the scenario's error, or "" */
};

/* Parse a report; false (r empty) when text is not one. */
bool report_parse(struct report *r, const char *text);
void report_free(struct report *r);

/* A child exclab, its standard output read as it comes. */
struct report_child {
	pid_t pid;          /* -1: none */
	int fd;             /* its stdout, non-blocking; -1 once closed */
	char *out;          /* what it wrote, NUL-terminated */
	size_t len, cap;
	int status;         /* waitpid's, once ended */
};

/* Start `exclab ARGS...` (spawnself.h; args ends with NULL) with stdin and
 * stderr on /dev/null. -1 and err on failure. */
int report_spawn(struct report_child *c, char *const args[], struct error *err);
/* Take what the child wrote, without blocking; true once it has closed its
 * output and exited (then out is whole and status set). */
bool report_poll(struct report_child *c);
/* Wait for report_poll to be true. */
void report_wait(struct report_child *c);
/* Kill the child and its group (if running), and free; safe to repeat. */
void report_child_free(struct report_child *c);

#endif
