/* headless.h — run a scenario with no terminal: text or JSON on stdout.
 *
 * Exit status: 0 when every check held, 1 when a check failed, 2 when the
 * scenario itself failed (an error, a budget ran out, it was interrupted). */
#ifndef EXCLAB_HEADLESS_H
#define EXCLAB_HEADLESS_H

#include <stdbool.h>

#include "runner.h"

int headless_run(const char *scenario, bool json, const struct runner_options *opt);

/* Run a scenario to its end without printing; m holds what happened (the
 * caller frees it with model_free). The same exit status as headless_run. */
int headless_quiet(const char *scenario, const struct runner_options *opt, struct model *m);

/* The last error line of a run (without its mark), or "" when none. */
const char *headless_error(const struct model *m);

#endif
