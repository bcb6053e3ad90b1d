/* probe_ui.h — exclab probe's live view: the program runs in a lab while
 * its findings, gauges and output are shown, until the person quits. */
#ifndef EXCLAB_PROBE_UI_H
#define EXCLAB_PROBE_UI_H

#include "runner.h"
#include "util.h"

/* 0 when the person quit, 128 + the signal that ended exclab, or -1 with
 * err when the terminal cannot be used. */
int probe_ui_run(const struct runner_program *prog, const struct runner_options *opt,
                 struct error *err);

#endif
