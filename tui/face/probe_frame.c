/* probe_frame.c — exclab probe's screen, composed from its views. */
#include "probe_frame.h"

#include <stdio.h>
#include <string.h>

#include "model.h"

#define GAUGES_WIDTH 24

const struct view_ops *const probe_frame_views[PV_COUNT] = {
	[PV_FINDINGS] = &view_findings,
	[PV_GAUGES] = &view_gauges,
	[PV_CONSOLE] = &view_console,
	[PV_GRAPH] = &view_graph,
	[PV_SMALL] = &view_small,
};

/* At 80x24: findings 55 columns by 15 rows, the gauges 24, the program's
 * output 5 rows; more room goes to the findings and the output. */
void probe_frame_layout(struct probe_frame *l, int w, int h)
{
	int gw = GAUGES_WIDTH + (w - VIEW_MIN_WIDTH) / 4, ch = 5 + (h - VIEW_MIN_HEIGHT) / 3;

	l->too_small = w < VIEW_MIN_WIDTH || h < VIEW_MIN_HEIGHT;
	gw = gw > 40 ? 40 : gw;
	l->title = (struct screen_rect){ 0, 0, w, 1 };
	l->status = (struct screen_rect){ 0, h - 1, w, 1 };
	l->console = (struct screen_rect){ 0, h - 1 - ch, w, ch };
	l->rule_y = l->console.y - 1;
	l->split_x = w - gw - 1;
	l->findings = (struct screen_rect){ 0, 1, l->split_x, l->rule_y - 1 };
	l->gauges = (struct screen_rect){ l->split_x + 1, 1, gw, l->rule_y - 1 };
}

static int width_of(const struct screen *s, const char *text)
{
	return screen_text_width(text, strlen(text), s->ascii);
}

static void title(struct screen *s, struct screen_rect r, const struct model *m)
{
	char right[48] = "";
	int x;

	screen_fill(s, r, L' ', SCREEN_TITLE);
	x = screen_put(s, r, r.x + 1, r.y, "exclab probe \u00b7 ", SCREEN_TITLE);
	screen_put(s, (struct screen_rect){ r.x, r.y, r.w - 16, 1 }, x, r.y, m->program, SCREEN_TITLE);
	if (m->python_version[0])
		snprintf(right, sizeof right, " Python %s ", m->python_version);
	screen_put(s, r, r.x + r.w - width_of(s, right), r.y, right, SCREEN_TITLE);
}

/* The state in a word, then the keys that matter now. */
static void status(struct screen *s, struct screen_rect r, const struct model *m, bool graph)
{
	char word[64];
	const char *keys;
	int x;

	if (m->program_ended && m->program_end.kind == PROGRAM_EXITED)
		snprintf(word, sizeof word, " EXITED %d ", m->program_end.code);
	else if (m->program_ended && m->program_end.kind == PROGRAM_SIGNAL)
		snprintf(word, sizeof word, " INTERRUPTED ");
	else if (m->state == RUN_STOPPED || m->state == RUN_FAILED)
		snprintf(word, sizeof word, " %s ", m->state == RUN_STOPPED ? "STOPPED" : "FAILED");
	else
		snprintf(word, sizeof word, " RUNNING ");
	if (graph)
		keys = " arrows move \u00b7 enter details \u00b7 g findings \u00b7 q quit";
	else if (m->program_ended || m->state == RUN_STOPPED || m->state == RUN_FAILED)
		keys = " \u2191\u2193 choose \u00b7 enter why \u00b7 g graph \u00b7 r run again \u00b7 q quit";
	else
		keys = " \u2191\u2193 choose \u00b7 enter why \u00b7 g graph \u00b7 Ctrl-C interrupt \u00b7 q quit";
	screen_fill(s, r, L' ', SCREEN_STATUS);
	x = screen_put(s, r, r.x, r.y, word, SCREEN_SELECTED);
	screen_put(s, r, x, r.y, keys, SCREEN_STATUS);
}

static void draw_view(struct view views[PV_COUNT], int id, struct screen *s, struct screen_rect r,
                      const struct view_ctx *ctx)
{
	views[id].ops->draw(views[id].data, s, r, ctx);
}

void probe_frame_draw(struct screen *s, const struct probe_frame *l, struct view views[PV_COUNT],
                      const struct view_ctx *ctx, bool graph)
{
	struct screen_rect all = screen_bounds(s);

	screen_clear(s);
	if (l->too_small) {
		draw_view(views, PV_SMALL, s, all, ctx);
		return;
	}
	title(s, l->title, ctx->model);
	screen_hline(s, all, 0, l->rule_y, s->w, SCREEN_BORDER);
	if (graph) {
		draw_view(views, PV_GRAPH, s, (struct screen_rect){ 0, l->findings.y, s->w, l->findings.h },
		          ctx);
	} else {
		draw_view(views, PV_FINDINGS, s, l->findings, ctx);
		screen_vline(s, all, l->split_x, l->findings.y, l->findings.h, SCREEN_BORDER);
		draw_view(views, PV_GAUGES, s, l->gauges, ctx);
		screen_putc(s, all, l->split_x, l->rule_y, 0x2534, SCREEN_BORDER);
	}
	screen_put(s, all, 2, l->rule_y, ctx->model->program_stdin[0]
	           ? " the program's output (its stdin is /dev/null) " : " the program's output ",
	           SCREEN_BORDER);
	draw_view(views, PV_CONSOLE, s, l->console, ctx);
	status(s, l->status, ctx->model, graph);
}
