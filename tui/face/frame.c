/* frame.c — the screen's layout, and every view drawn into it. */
#include "frame.h"

#include "model.h"

const struct view_ops *const frame_views[V_COUNT] = {
	[V_TITLE] = &view_title,
	[V_LESSON] = &view_lesson,
	[V_GAUGES] = &view_gauges,
	[V_CONSOLE] = &view_console,
	[V_STATUS] = &view_status,
	[V_HELP] = &view_help,
	[V_SMALL] = &view_small,
	[V_GRAPH] = &view_graph,
	[V_PREDICT] = &view_predict,
	[V_MENU] = &view_menu,
	[V_EXERCISE] = &view_exercise,
};

/* At 80x24 the text comes first: the lesson pane is 55 columns (53 of
 * text, the width lessons are written for: lessons/README.md) by 17 rows,
 * the gauges 24 columns, the console 4 rows. Larger terminals give the
 * gauges and the console a share of the extra room; `wide` gives the
 * gauges' room to the text. */
void frame_layout(struct frame_layout *l, int w, int h, bool wide)
{
	int gw = FRAME_GAUGES_WIDTH + (w - VIEW_MIN_WIDTH) / 2, ch = 4 + (h - VIEW_MIN_HEIGHT) / 3;

	l->too_small = w < VIEW_MIN_WIDTH || h < VIEW_MIN_HEIGHT;
	l->wide = wide;
	gw = gw > 60 ? 60 : gw;
	ch = ch > 16 ? 16 : ch;
	l->title = (struct screen_rect){ 0, 0, w, 1 };
	l->status = (struct screen_rect){ 0, h - 1, w, 1 };
	l->console = (struct screen_rect){ 0, h - 1 - ch, w, ch };
	l->rule_y = l->console.y - 1;
	l->split_x = wide ? w : w - gw - 1;
	l->lesson = (struct screen_rect){ 0, 1, l->split_x, l->rule_y - 1 };
	l->gauges = (struct screen_rect){ l->split_x + 1, 1, wide ? 0 : gw, l->rule_y - 1 };
}

static void draw_view(struct view views[V_COUNT], int id, struct screen *s, struct screen_rect r,
                      const struct view_ctx *ctx)
{
	views[id].ops->draw(views[id].data, s, r, ctx);
}

void frame_draw(struct screen *s, const struct frame_layout *l, struct view views[V_COUNT],
                const struct frame_shows *shows, const struct view_ctx *ctx)
{
	struct screen_rect all = screen_bounds(s);
	bool asking = ctx->model->state == RUN_ASKING;

	screen_clear(s);
	if (l->too_small) {
		draw_view(views, V_SMALL, s, all, ctx);
		return;
	}
	draw_view(views, V_TITLE, s, l->title, ctx);
	if (shows->menu) {
		struct screen_rect r = { 0, 1, s->w, s->h - 2 };
		draw_view(views, V_MENU, s, r, ctx);
		draw_view(views, V_STATUS, s, l->status, ctx);
		if (shows->help)
			draw_view(views, V_HELP, s, all, ctx);
		return;
	}
	screen_hline(s, all, 0, l->rule_y, s->w, SCREEN_BORDER);
	if (shows->graph) {
		/* The graph takes the lesson's and the gauges' room. */
		struct screen_rect r = { 0, l->lesson.y, s->w, l->lesson.h };
		draw_view(views, V_GRAPH, s, r, ctx);
	} else {
		draw_view(views, V_LESSON, s, l->lesson, ctx);
		if (!l->wide) {
			screen_vline(s, all, l->split_x, l->lesson.y, l->lesson.h, SCREEN_BORDER);
			draw_view(views, V_GAUGES, s, l->gauges, ctx);
			screen_putc(s, all, l->split_x, l->rule_y, 0x2534, SCREEN_BORDER);
		}
	}
	screen_put(s, all, 2, l->rule_y, " console ", SCREEN_BORDER);
	draw_view(views, V_CONSOLE, s, l->console, ctx);
	draw_view(views, V_STATUS, s, l->status, ctx);
	if (shows->exercise && !asking) {
		/* Over the lesson and gauges, down to the console's rule. */
		struct screen_rect r = { 0, l->lesson.y, s->w, l->rule_y + 1 - l->lesson.y };
		draw_view(views, V_EXERCISE, s, r, ctx);
	}
	if (asking)
		draw_view(views, V_PREDICT, s, (struct screen_rect){ 0, l->lesson.y, s->w, l->lesson.h }, ctx);
	if (shows->help)
		draw_view(views, V_HELP, s, all, ctx);
}
