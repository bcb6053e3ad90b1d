/* probe_frame.h — exclab probe's screen: the findings on the left, the
 * gauges on the right, the program's output below, or the object graph of
 * a finding over the top half; a title line and a status line.
 *
 * Pure composition, as frame.h: views draw into the off-screen screen, so
 * a probe screen is compared with goldens (tests/unit/test_probe_views.c). */
#ifndef EXCLAB_PROBE_FRAME_H
#define EXCLAB_PROBE_FRAME_H

#include <stdbool.h>

#include "screen.h"
#include "view.h"

enum probe_view { PV_FINDINGS, PV_GAUGES, PV_CONSOLE, PV_GRAPH, PV_SMALL, PV_COUNT };

extern const struct view_ops *const probe_frame_views[PV_COUNT];

struct probe_frame {
	bool too_small;
	struct screen_rect title, findings, gauges, console, status;
	int split_x, rule_y;
};

void probe_frame_layout(struct probe_frame *l, int w, int h);
/* Everything into s (cleared first); the graph replaces findings and
 * gauges when `graph`. */
void probe_frame_draw(struct screen *s, const struct probe_frame *l, struct view views[PV_COUNT],
                      const struct view_ctx *ctx, bool graph);

#endif
