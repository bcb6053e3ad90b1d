/* deckrun.h — a deck's live blocks as runs: how to start one, running one
 * to its last step without a terminal (present --check, --export), and
 * the figures a run measured.
 *
 * A live block that starts at step N replays the steps before it
 * (runner_jump's replay); run without a terminal, it replays every step up
 * to its last one and stops there, with every pause and prediction passed
 * over, so the model holds what a speaker's run would have measured. */
#ifndef EXCLAB_DECKRUN_H
#define EXCLAB_DECKRUN_H

#include <stdbool.h>

#include "deck.h"
#include "model.h"
#include "runner.h"

/* The runner's path and options for live block `live` (interactive, paced,
 * starting at its first step). The path is the scenario's, or the deck's
 * for an inline scenario. */
const char *deckrun_options(const struct deck *d, int live, struct runner_options *opt);

/* Run live block `live` through its last step, without a terminal, into m
 * (model_init'ed by the caller). -1 and err when no lab could start; a run
 * that fails says so in m (RUN_FAILED and m->error). */
int deckrun_headless(const struct deck *d, int live, struct model *m, struct error *err);

/* What figure `fig` quotes, from the run of its live block in m: false when
 * that step has not ended yet. */
bool deckrun_figure(const struct deck *d, int fig, const struct model *m, double *value);

/* Why a live block cannot run as the deck says, in words with the deck's
 * file and line (it names a step the scenario does not have, or its
 * scenario failed to load), into buf; false when nothing is wrong (yet). */
bool deckrun_problem(const struct deck *d, int live, const struct model *m, char *buf,
                     size_t size);

#endif
