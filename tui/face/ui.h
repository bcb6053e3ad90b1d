/* ui.h — the interactive interface: terminal, lesson, runner, event loop. */
#ifndef EXCLAB_UI_H
#define EXCLAB_UI_H

#include "runner.h"
#include "util.h"

/* With lessons_dir, open the course menu of that folder's lessons; else show
 * the lesson (NULL: none) and run its scenario, or scenario_path when given,
 * until the learner quits. The learner's progress is kept (progress.h).
 * Returns 0 when the learner quit, 128 + the signal when a signal ended it
 * (SIGTERM, SIGHUP, SIGQUIT), or -1 with err set when the course or the
 * lesson cannot be loaded or the terminal cannot be used; a scenario that
 * fails to load is shown in the console instead. */
int ui_run(const char *lesson_path, const char *scenario_path, const char *lessons_dir,
           const struct runner_options *opt, struct error *err);

#endif
