/* headless.h — run a scenario with no terminal: text or JSON on stdout.
 *
 * Exit status: 0 when every check held, 1 when a check failed, 2 when the
 * scenario itself failed (an error, a budget ran out, it was interrupted). */
#ifndef EXCLAB_HEADLESS_H
#define EXCLAB_HEADLESS_H

#include <stdbool.h>

#include "runner.h"

int headless_run(const char *scenario, bool json, const struct runner_options *opt);
/* s (what Python code wrote) as valid UTF-8, a new string; for a terminal,
 * with control characters shown as ^X, never obeyed. */
char *headless_clean_text(const char *s, bool for_terminal);

#endif
