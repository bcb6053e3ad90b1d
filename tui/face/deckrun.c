/* deckrun.c — live blocks run for the presenter, the deck check and the
 * export. */
#include "deckrun.h"

#include <stdio.h>
#include <string.h>

const char *deckrun_options(const struct deck *d, int live, struct runner_options *opt)
{
	const struct deck_live *l = &d->lives[live];

	*opt = (struct runner_options){
		.interactive = true,
		.source = l->source,
		.pace = l->pace,
		.from_step = l->first_step,
	};
	return l->scenario ? l->scenario : d->path;
}

int deckrun_headless(const struct deck *d, int live, struct model *m, struct error *err)
{
	const struct deck_live *l = &d->lives[live];
	struct runner_options opt;
	const char *path = deckrun_options(d, live, &opt);
	struct runner *r;

	/* Replay to the wait after its last step: the run ends there, or at
	 * the scenario's end. */
	opt.from_step = l->last_step ? l->last_step + 1 : 1 << 30;
	if (runner_open(&r, path, m, &opt, err) < 0) {
		runner_close(r);
		return -1;
	}
	while (!runner_finished(r) && (runner_busy(r) || runner_replaying(r) ||
	                              m->state == RUN_LOADING)) {
		if (!runner_tick(r))
			runner_wait(r);
	}
	runner_close(r);
	return 0;
}

/* The step's record, once the step has ended. */
static const struct step_record *ended_step(const struct model *m, int step)
{
	int k = step - 1;

	if (k < 0 || k >= m->steps_len)
		return NULL;
	if (k + 1 < m->steps_len || m->state == RUN_DONE ||
	    (m->state == RUN_BEFORE_STEP && m->step_index > k))
		return &m->steps[k];
	return NULL;
}

bool deckrun_figure(const struct deck *d, int fig, const struct model *m, double *value)
{
	const struct deck_figure *f = &d->figures[fig];
	const struct step_record *st = ended_step(m, f->step);
	const struct probe_sample *last;

	if (st == NULL)
		return false;
	switch (f->kind) {
	case DECK_FIG_NODES:
		*value = st->graph_nodes;
		return st->graph_nodes >= 0;
	case DECK_FIG_CYCLES:
		*value = st->graph_cycles;
		return st->graph_cycles >= 0;
	case DECK_FIG_PROBE:
	case DECK_FIG_GROWTH:
		break;
	}
	/* The gauge after the step's last Python call. */
	for (int i = st->samples_len - 1; i >= 0; i--) {
		last = &st->samples[i];
		if (last->have & (1u << f->probe)) {
			*value = last->v[f->probe] - (f->kind == DECK_FIG_GROWTH ? st->base[f->probe] : 0);
			return true;
		}
	}
	return false;
}

bool deckrun_problem(const struct deck *d, int live, const struct model *m, char *buf,
                     size_t size)
{
	const struct deck_live *l = &d->lives[live];
	char msg[ERROR_TEXT_MAX];
	int want = l->last_step > l->first_step ? l->last_step : l->first_step;

	if (m->state == RUN_FAILED && m->step_count == 0) {
		error_format(&m->error, msg, sizeof msg);
		snprintf(buf, size, "%s:%d: the live block's scenario did not load: %s", d->path, l->line,
		         msg);
		return true;
	}
	if (m->step_count > 0 && want > m->step_count) {
		char range[48];
		if (l->last_step > l->first_step)
			snprintf(range, sizeof range, "steps %d-%d", l->first_step, l->last_step);
		else
			snprintf(range, sizeof range, "step %d", want);
		snprintf(buf, size, "%s:%d: the live block runs %s, but %s has %d step%s", d->path,
		         l->line, range, l->scenario ? l->scenario : "its scenario", m->step_count,
		         m->step_count == 1 ? "" : "s");
		return true;
	}
	return false;
}
