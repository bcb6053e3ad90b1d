/* ui.h — the interactive interface: terminal, lesson, runner, event loop. */
#ifndef EXCLAB_UI_H
#define EXCLAB_UI_H

#include "runner.h"
#include "util.h"

/* Show the lesson (NULL: none) and run its scenario, or scenario_path when
 * given, until the learner quits. Returns 0, or -1 with err set when the
 * lesson cannot be loaded or the terminal cannot be used; a scenario that
 * fails to load is shown in the console instead. */
int ui_run(const char *lesson_path, const char *scenario_path,
           const struct runner_options *opt, struct error *err);

#endif
