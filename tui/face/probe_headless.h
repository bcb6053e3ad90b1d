/* probe_headless.h — exclab probe without a terminal, for CI.
 *
 * The program runs with our own stdin, stdout and stderr, so it reads and
 * writes exactly as under python3; the report (text, or JSON) goes to
 * standard error or to a file, when the program ends and, with `every`,
 * every so many seconds while it runs.
 *
 * Exit status: the program's own (an uncaught KeyboardInterrupt ends exclab
 * by SIGINT, as it ends python3); PROBE_STATUS_FAIL_ON when the program
 * succeeded but its findings pass the --fail-on limit; PROBE_STATUS_STOPPED
 * when exclab stopped it (a limit, a second Ctrl-C) or could not run it. */
#ifndef EXCLAB_PROBE_HEADLESS_H
#define EXCLAB_PROBE_HEADLESS_H

#include <stdbool.h>

#include "runner.h"

#define PROBE_STATUS_FAIL_ON 3
#define PROBE_STATUS_STOPPED 125

struct probe_report_options {
	bool json;
	const char *path;     /* the report's file; NULL: standard error */
	double every;         /* seconds between reports while it runs; 0: only at the end */
	bool fail_on;         /* --fail-on was given */
	bool fail_any;        /* ... as "any" */
	double fail_bytes;    /* ... as a size */
};

int probe_headless(const struct runner_program *prog, const struct runner_options *opt,
                   const struct probe_report_options *ro);

#endif
