/* labproto.c — the composite payloads: samples, graphs, errors, exercises. */
#include "labproto.h"

#include <stdlib.h>
#include <string.h>

void labproto_put_sample(struct wire_out *w, const struct probe_sample *s)
{
	wire_f64(w, s->t);
	wire_u32(w, s->have);
	for (int id = 0; id < PROBE_COUNT; id++)
		wire_f64(w, s->v[id]);
}

void labproto_get_sample(struct wire_in *in, struct probe_sample *s)
{
	s->t = wire_get_f64(in);
	s->have = wire_get_u32(in) & ((1u << PROBE_COUNT) - 1);
	for (int id = 0; id < PROBE_COUNT; id++)
		s->v[id] = wire_get_f64(in);
}

void labproto_put_graph(struct wire_out *w, const struct graph *g)
{
	wire_u32(w, (uint32_t)g->n_nodes);
	for (int i = 0; i < g->n_nodes; i++) {
		const struct graph_node *n = &g->nodes[i];
		wire_u64(w, n->addr);
		wire_u8(w, n->kind);
		wire_str(w, n->type);
		wire_str(w, n->repr);
		wire_u64(w, n->size);
		wire_u64(w, n->retained);
		wire_u8(w, (unsigned)n->root | (unsigned)n->external << 1 | (unsigned)n->truncated << 2 |
		           (unsigned)n->incidental << 3);
		wire_str(w, n->root_name);
		wire_i32(w, n->scc);
		wire_i64(w, n->collapsed);
		wire_u64(w, n->collapsed_bytes);
	}
	wire_u32(w, (uint32_t)g->n_edges);
	for (int e = 0; e < g->n_edges; e++) {
		wire_i32(w, g->edges[e].from);
		wire_i32(w, g->edges[e].to);
		wire_str(w, g->edges[e].label);
		wire_u8(w, g->edges[e].in_cycle);
	}
	wire_i64(w, g->reachable);
	wire_u8(w, g->limited);
	wire_u64(w, g->highlight);
}

struct graph *labproto_get_graph(struct wire_in *in)
{
	struct graph *g = graph_new();
	uint32_t nodes = wire_get_u32(in), edges;

	/* Each node takes at least 50 bytes on the wire: a count beyond what the
	 * frame holds is a lie, not a reason to allocate. */
	if (nodes > in->left / 50)
		in->bad = true;
	for (uint32_t i = 0; i < nodes && !in->bad; i++) {
		struct graph_node n = { 0 };
		unsigned flags;
		n.addr = (uintptr_t)wire_get_u64(in);
		n.kind = (enum graph_kind)wire_get_u8(in);
		wire_get_strbuf(in, n.type, sizeof n.type);
		wire_get_strbuf(in, n.repr, sizeof n.repr);
		n.size = (size_t)wire_get_u64(in);
		n.retained = (size_t)wire_get_u64(in);
		flags = wire_get_u8(in);
		n.root = flags & 1;
		n.external = flags & 2;
		n.truncated = flags & 4;
		n.incidental = flags & 8;
		wire_get_strbuf(in, n.root_name, sizeof n.root_name);
		n.scc = wire_get_i32(in);
		n.collapsed = wire_get_i64(in);
		n.collapsed_bytes = (size_t)wire_get_u64(in);
		if (n.kind >= GRAPH_KIND_COUNT || n.scc < -1 || n.scc >= (int32_t)nodes)
			in->bad = true;
		graph_add_node(g, &n);
	}
	edges = wire_get_u32(in);
	if (edges > in->left / 13)
		in->bad = true;
	for (uint32_t e = 0; e < edges && !in->bad; e++) {
		int32_t from = wire_get_i32(in), to = wire_get_i32(in);
		char label[sizeof g->edges[0].label];
		bool cyc;
		wire_get_strbuf(in, label, sizeof label);
		cyc = wire_get_u8(in);
		if (from < 0 || to < 0 || from >= g->n_nodes || to >= g->n_nodes) {
			in->bad = true;
			break;
		}
		graph_add_edge(g, from, to, label);
		g->edges[g->n_edges - 1].in_cycle = cyc;
	}
	g->reachable = wire_get_i64(in);
	g->limited = wire_get_u8(in);
	g->highlight = (uintptr_t)wire_get_u64(in);
	if (in->bad) {
		graph_free(g);
		return NULL;
	}
	return g;
}

void labproto_put_capture(struct wire_out *w, const struct lab_capture *c)
{
	wire_str(w, c->root);
	wire_str(w, c->where);
	wire_f64(w, c->t);
	wire_u8(w, (unsigned)c->alive | (unsigned)c->on_cycle << 1 | (unsigned)c->limited << 2);
	wire_str(w, c->type);
	wire_i32(w, c->nodes);
	wire_i32(w, c->edges);
	wire_i32(w, c->cycle_groups);
	wire_u64(w, c->size);
	wire_u64(w, c->retained);
}

void labproto_get_capture(struct wire_in *in, struct lab_capture *c)
{
	unsigned flags;

	memset(c, 0, sizeof *c);
	wire_get_strbuf(in, c->root, sizeof c->root);
	wire_get_strbuf(in, c->where, sizeof c->where);
	c->t = wire_get_f64(in);
	flags = wire_get_u8(in);
	c->alive = flags & 1;
	c->on_cycle = flags & 2;
	c->limited = flags & 4;
	wire_get_strbuf(in, c->type, sizeof c->type);
	c->nodes = wire_get_i32(in);
	c->edges = wire_get_i32(in);
	c->cycle_groups = wire_get_i32(in);
	c->size = wire_get_u64(in);
	c->retained = wire_get_u64(in);
}

void labproto_put_value(struct wire_out *w, const struct value *v)
{
	enum value_kind kind = v->kind == VALUE_LIST ? VALUE_NONE : v->kind;

	wire_u8(w, kind);
	switch (kind) {
	case VALUE_BOOL: wire_u8(w, v->u.b != 0); break;
	case VALUE_INT: wire_i64(w, v->u.i); break;
	case VALUE_FLOAT: wire_f64(w, v->u.f); break;
	case VALUE_STR: wire_strn(w, v->u.str.s, v->u.str.len); break;
	default: break;
	}
}

void labproto_get_value(struct wire_in *in, struct value *v)
{
	memset(v, 0, sizeof *v);
	v->kind = (enum value_kind)wire_get_u8(in);
	switch (v->kind) {
	case VALUE_NONE: break;
	case VALUE_BOOL: v->u.b = wire_get_u8(in) != 0; break;
	case VALUE_INT: v->u.i = wire_get_i64(in); break;
	case VALUE_FLOAT: v->u.f = wire_get_f64(in); break;
	case VALUE_STR:
		v->u.str.s = wire_get_str(in);
		v->u.str.len = strlen(v->u.str.s);
		break;
	default:
		v->kind = VALUE_NONE;
		in->bad = true;
		break;
	}
}

void labproto_put_error(struct wire_out *w, const struct error *e)
{
	wire_str(w, e->file);
	wire_i32(w, e->line);
	wire_str(w, e->msg);
}

void labproto_get_error(struct wire_in *in, struct error *e)
{
	wire_get_strbuf(in, e->file, sizeof e->file);
	e->line = wire_get_i32(in);
	wire_get_strbuf(in, e->msg, sizeof e->msg);
	if (e->line < 0)
		e->line = 0;
}

static void put_list(struct wire_out *w, char *const *items, int n)
{
	wire_u32(w, (uint32_t)n);
	for (int i = 0; i < n; i++)
		wire_str(w, items[i]);
}

static char **get_list(struct wire_in *in, int *n)
{
	uint32_t count = wire_get_u32(in);
	char **items;

	if (count > in->left / 4) {   /* each string takes 4 bytes at least */
		in->bad = true;
		count = 0;
	}
	items = xcalloc(count ? count : 1, sizeof *items);
	for (uint32_t i = 0; i < count; i++)
		items[i] = wire_get_str(in);
	*n = (int)count;
	return items;
}

void labproto_put_exercise(struct wire_out *w, const struct exercise_info *e)
{
	wire_u8(w, e != NULL);
	if (e == NULL)
		return;
	wire_str(w, e->task);
	wire_str(w, e->file);
	wire_str(w, e->solution);
	put_list(w, e->cheats, e->n_cheats);
	put_list(w, e->hints, e->n_hints);
}

bool labproto_get_exercise(struct wire_in *in, struct exercise_info *e)
{
	memset(e, 0, sizeof *e);
	if (!wire_get_u8(in))
		return false;
	e->task = wire_get_str(in);
	e->file = wire_get_str(in);
	e->solution = wire_get_str(in);
	e->cheats = get_list(in, &e->n_cheats);
	e->hints = get_list(in, &e->n_hints);
	return true;
}

void labproto_put_finding(struct wire_out *w, const struct finding *f)
{
	wire_u32(w, f->id);
	wire_u8(w, f->kind);
	wire_u8(w, f->gone);
	wire_str(w, f->title);
	wire_str(w, f->raise_at);
	wire_str(w, f->except_at);
	wire_str(w, f->store_at);
	wire_str(w, f->detail);
	wire_u64(w, f->count);
	wire_u64(w, f->bytes);
	wire_u64(w, f->addr);
}

void labproto_get_finding(struct wire_in *in, struct finding *f)
{
	unsigned kind;

	f->id = wire_get_u32(in);
	kind = wire_get_u8(in);
	f->kind = kind < FINDING_KIND_COUNT ? (enum finding_kind)kind : FINDING_HINT;
	if (kind >= FINDING_KIND_COUNT)
		in->bad = true;
	f->gone = wire_get_u8(in);
	f->title = wire_get_str(in);
	f->raise_at = wire_get_str(in);
	f->except_at = wire_get_str(in);
	f->store_at = wire_get_str(in);
	f->detail = wire_get_str(in);
	f->count = wire_get_u64(in);
	f->bytes = wire_get_u64(in);
	f->addr = wire_get_u64(in);
}

void labproto_put_reasons(struct wire_out *w, const struct probe_reasons *r)
{
	wire_f64(w, r->heap);
	wire_f64(w, r->traceback_only);
	wire_f64(w, r->cyclic_garbage);
	wire_f64(w, r->gc_freed);
	wire_u8(w, r->gc_unseen);
}

void labproto_get_reasons(struct wire_in *in, struct probe_reasons *r)
{
	r->heap = wire_get_f64(in);
	r->traceback_only = wire_get_f64(in);
	r->cyclic_garbage = wire_get_f64(in);
	r->gc_freed = wire_get_f64(in);
	r->gc_unseen = wire_get_u8(in) != 0;
}

void labproto_put_end(struct wire_out *w, const struct program_end *e)
{
	wire_u8(w, e->kind);
	wire_i32(w, e->code);
	wire_str(w, e->message);
}

void labproto_get_end(struct wire_in *in, struct program_end *e)
{
	unsigned kind = wire_get_u8(in);

	e->kind = kind <= PROGRAM_STOPPED ? (enum program_end_kind)kind : PROGRAM_STOPPED;
	if (kind > PROGRAM_STOPPED)
		in->bad = true;
	e->code = wire_get_i32(in);
	wire_get_strbuf(in, e->message, sizeof e->message);
}
