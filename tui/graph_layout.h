/* graph_layout.h — an object graph laid out on the character grid, and drawn.
 *
 * graph_layout() is a pure function: a (collapsed) graph in, boxes and edge
 * routes in cell coordinates out. Layers run left to right: a node's layer is
 * its shortest distance from a root (nodes no root reaches start new layers
 * after the last). Edges back to an earlier or the same layer go around the
 * boxes, never through them; barycenter sweeps order each layer to keep
 * crossings low. Each gap between layers keeps a band beside either layer
 * wide enough for the labels of the edges leaving it, so labels show in full
 * and no line crosses them. Boxes never overlap; everything lies inside
 * width x height.
 *
 * graph_draw() paints a window of a layout into a screen grid: light boxes,
 * double boxes for nodes on a cycle, dashed boxes for summaries, heavy lines
 * and a "⟲ " label prefix for edges on a cycle (ASCII: '=' and '#', "@ "). */
#ifndef EXCLAB_GRAPH_LAYOUT_H
#define EXCLAB_GRAPH_LAYOUT_H

#include <stdbool.h>

#include "graph.h"
#include "screen.h"

struct graph_layout_opts {
	int box_w;      /* box width in cells; 0: 20 */
	int gap;        /* least columns between layers; 0: 9, widened for the
	                 * tracks and for the labels of the edges leaving a layer */
	int label_max;  /* cells a label is given at most, "⟲ " included; 0: 16.
	                 * Labels up to it show in full; longer ones are cut */
};

struct graph_layout_point {
	int x, y;
};

/* One edge: an orthogonal polyline from the cell beside its source box to
 * the cell beside its target box (where the arrowhead goes). */
struct graph_layout_route {
	int first, n_points;    /* into graph_layout.points; n_points >= 2 */
	/* The run near the source that can hold the label: cells label_x ..
	 * label_x + label_w - 1 of row label_y; label_w may be 0. The source is at
	 * the run's right end when label_at_end is set. */
	int label_x, label_y, label_w;
	bool label_at_end;
};

struct graph_layout {
	int n_nodes, n_edges;
	struct screen_rect *boxes;          /* one per node */
	int *layers;                        /* one per node */
	struct graph_layout_route *routes;  /* one per edge */
	struct graph_layout_point *points;
	int n_points;
	int width, height;                  /* every box and route lies inside */
};

enum graph_layout_dir {
	GRAPH_LAYOUT_UP,
	GRAPH_LAYOUT_DOWN,
	GRAPH_LAYOUT_LEFT,
	GRAPH_LAYOUT_RIGHT,
};

/* Lay g out into *out (opt may be NULL). Returns 0; *out is then released
 * with graph_layout_free. */
int graph_layout(const struct graph *g, const struct graph_layout_opts *opt,
                 struct graph_layout *out);
void graph_layout_free(struct graph_layout *l);

/* The node whose box is nearest to node's in direction dir, -1 when none. */
int graph_layout_neighbor(const struct graph_layout *l, int node, enum graph_layout_dir dir);
/* The target of node's nth outgoing edge (nth taken modulo their count), -1
 * when node has none. */
int graph_layout_follow(const struct graph *g, int node, int nth);
/* Scroll offsets changed as little as possible so that node's box shows in a
 * view_w x view_h window. */
void graph_layout_reveal(const struct graph_layout *l, int node, int view_w, int view_h,
                         int *scroll_x, int *scroll_y);

/* Where the drawing ends beside a window: the column after the last box or
 * line cell in the window's rows (down: the row after the last one in its
 * columns); 0 when there is none. Panning that stops there never leaves the
 * window showing only empty space. */
int graph_layout_reach(const struct graph_layout *l, struct screen_rect window, bool down);

/* Draw the part of l that shows in area when scrolled by (scroll_x, scroll_y);
 * selected (-1: none) is drawn with SCREEN_SELECTED. */
void graph_draw(struct screen *s, struct screen_rect area, const struct graph *g,
                const struct graph_layout *l, int scroll_x, int scroll_y, int selected_node);

#endif
