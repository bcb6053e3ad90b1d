/* luahost.c — a sandboxed Lua 5.4 state per scenario run.
 *
 * The script's top level declares the scenario and its steps. A driver
 * coroutine then runs the steps; py.*, pause() and the start of each step
 * yield back to the runner with a request. Python replies come back through a
 * continuation (lua_yieldk), which returns the value or raises the error.
 *
 * Budgets follow Redis' scripting engine: a count hook that, once a budget is
 * spent, re-arms itself to fire on every instruction, so pcall can catch the
 * error but the script can never run on. The byte budget is enforced by the
 * state's allocator and made sticky the same way. */
#include "luahost.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "guard.h"
#include "labout.h"
#include "util.h"

#define HOOK_EVERY 1000
#define MEM_HEADROOM (1024 * 1024)   /* for building the error after the budget */
#define DEFAULT_STEP_TIME_LIMIT 60.0
/* Instructions charged for each coroutine made: a fresh coroutine starts a
 * fresh hook count, so without a charge many short ones would run free. */
#define COROUTINE_CHARGE 1000
/* string.rep and table.move loop in C, out of the count hook's sight:
 * results and moves larger than this are refused. */
#define MAX_MOVE 10000000
/* scenario{}'s limits: numbers outside these are refused, never converted. */
#define MEMORY_LIMIT_MIN 1e6   /* 1 MB, as the scenario's MB counts */
#define MEMORY_LIMIT_MAX 1e15
#define TIME_LIMIT_MIN 0.001
#define TIME_LIMIT_MAX 86400.0

struct luahost {
	lua_State *L;
	lua_State *co;          /* the driver coroutine */
	int co_ref;             /* keeps co alive in the registry */
	const struct pyhost_info *py;
	char *path, *dir;
	struct scenario_settings settings;
	bool declared;          /* scenario{} was called */

	struct luahost_limits lim;
	size_t mem_used;
	long instr_left;
	const char *fatal;      /* a budget ran out or Python was stopped: sticky */
	char fatal_buf[1100];

	int nsteps;
	int step_index;
	enum luahost_status status;
	char prompt[256];

	/* The request of the last py.* call: the strings are owned here, and
	 * `request` is the view of them the lab runs. */
	struct pyjob request;
	char *req_path, *req_code, *req_origin, *req_highlight, *req_label, *req_where;
	struct value *req_args;
	const char *req_api;    /* "graph.why": what a refused request's error names */
	char pending[256];      /* graph.show's title or probe.watch's name, kept once Python agrees */
	const struct pyresult *reply;
	struct error py_err;    /* the last Python error raised into Lua */
	char *py_err_text;      /* its message as Lua saw it */
	bool err_is_python;     /* the script failed on that error */
	struct probe_sample last;
	struct error err;

	struct exercise_info exercise;
	bool has_exercise;
	char *verify_target;    /* verify mode: the file verify() gets */
	char *answer;           /* the learner's prediction, for predict()'s continuation */
	char last_question[256];/* what reveal() reports against */
};

static const char HOST_KEY[] = "exclab.host";
static const char STEPS_KEY[] = "exclab.steps";

static struct luahost *host_of(lua_State *L)
{
	struct luahost *h;

	lua_getfield(L, LUA_REGISTRYINDEX, HOST_KEY);
	h = lua_touserdata(L, -1);
	lua_pop(L, 1);
	return h;
}

/* ---- budgets ----------------------------------------------------------- */

static void *budget_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct luahost *h = ud;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		h->mem_used -= osize;
		free(ptr);
		return NULL;
	}
	if (nsize > osize && h->mem_used + (nsize - osize) > h->lim.memory) {
		if (h->fatal == NULL) {
			snprintf(h->fatal_buf, sizeof h->fatal_buf,
			         "the scenario used up its Lua memory budget of %zu MB",
			         h->lim.memory / (1024 * 1024));
			h->fatal = h->fatal_buf;
		}
		if (nsize - osize > 4096 || h->mem_used + (nsize - osize) > h->lim.memory + MEM_HEADROOM)
			return NULL;
	}
	ptr = realloc(ptr, nsize);
	if (ptr)
		h->mem_used += nsize - osize;
	return ptr;
}

/* Count hook: spends the instruction budget; once anything is fatal it fires
 * on every instruction and raises, so no pcall can keep the script going. */
static void budget_hook(lua_State *L, lua_Debug *ar)
{
	struct luahost *h = host_of(L);

	if (h->fatal == NULL) {
		enum stop_reason why = guard_reason();
		h->instr_left -= HOOK_EVERY;
		if (why == STOP_LEARNER)
			snprintf(h->fatal_buf, sizeof h->fatal_buf, "stopped by the learner (Ctrl-C)");
		else if (why != STOP_NONE)
			snprintf(h->fatal_buf, sizeof h->fatal_buf,
			         "the scenario's Lua code ran past %s (a runaway loop?)", guard_limit_text());
		else if (h->instr_left <= 0)
			snprintf(h->fatal_buf, sizeof h->fatal_buf,
			         "the scenario used up its budget of %ld million Lua instructions "
			         "(a runaway loop?)", h->lim.instructions / 1000000);
		else
			return;
		h->fatal = h->fatal_buf;
	}
	lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
	/* In a hook, level 0 is the function being run: name its line, not its caller's. */
	if (lua_getstack(L, 0, ar) && lua_getinfo(L, "Sl", ar) && ar->currentline > 0)
		lua_pushfstring(L, "%s:%d: %s", ar->short_src, ar->currentline, h->fatal);
	else
		lua_pushstring(L, h->fatal);
	lua_error(L);
}

/* Make `fatal` sticky from now on, in this thread. */
static void arm_fatal(lua_State *L, struct luahost *h, const char *msg)
{
	if (h->fatal == NULL) {
		snprintf(h->fatal_buf, sizeof h->fatal_buf, "%s", msg);
		h->fatal = h->fatal_buf;
	}
	lua_sethook(L, budget_hook, LUA_MASKCOUNT, 1);
}

/* ---- helpers ----------------------------------------------------------- */

static void where(lua_State *L, char *buf, size_t size)
{
	lua_Debug ar;

	for (int level = 1; lua_getstack(L, level, &ar); level++) {
		lua_getinfo(L, "Sl", &ar);
		if (ar.currentline > 0) {
			snprintf(buf, size, "%s:%d", ar.short_src, ar.currentline);
			return;
		}
	}
	snprintf(buf, size, "?");
}

/* What is left of one conversion's budget. */
struct convert_budget {
	long items;
	size_t bytes;
};

/* A Lua value as a plain value for Python, within the budget. Tables are
 * read by raw length and raw access: a __len or __index of the script's
 * own runs no code here, and cannot claim 2^40 items. [-0, +0] */
static void to_value(lua_State *L, int idx, struct value *v, int depth, struct convert_budget *b)
{
	memset(v, 0, sizeof *v);
	if (--b->items < 0)
		luaL_error(L, "a value for Python has more than %d items in all", VALUE_MAX_ITEMS);
	switch (lua_type(L, idx)) {
	case LUA_TNIL: v->kind = VALUE_NONE; break;
	case LUA_TBOOLEAN: v->kind = VALUE_BOOL; v->u.b = lua_toboolean(L, idx); break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			v->kind = VALUE_INT;
			v->u.i = lua_tointeger(L, idx);
		} else {
			v->kind = VALUE_FLOAT;
			v->u.f = lua_tonumber(L, idx);
		}
		break;
	case LUA_TSTRING: {
		size_t n;
		const char *s = lua_tolstring(L, idx, &n);
		if (n > b->bytes)
			luaL_error(L, "a value for Python has more than %d MB of text in all",
			           (int)(VALUE_MAX_BYTES >> 20));
		b->bytes -= n;
		v->kind = VALUE_STR;
		v->u.str.s = xmemdup(s, n);   /* NUL bytes and all: the length is exact */
		v->u.str.len = n;
		break;
	}
	case LUA_TTABLE:
		if (depth < 3) {
			size_t n = lua_rawlen(L, idx);
			if (n > (size_t)b->items)
				luaL_error(L, "a value for Python has more than %d items in all", VALUE_MAX_ITEMS);
			v->kind = VALUE_LIST;
			v->u.list.items = xcalloc(n, sizeof *v->u.list.items);
			for (size_t i = 1; i <= n; i++) {
				lua_rawgeti(L, idx, (lua_Integer)i);
				v->u.list.n = i;   /* freed with the rest if the next item fails */
				to_value(L, lua_gettop(L), &v->u.list.items[i - 1], depth + 1, b);
				lua_pop(L, 1);
			}
			break;
		}
		/* fall through */
	default:
		luaL_error(L, "cannot pass a Lua %s to Python", luaL_typename(L, idx));
	}
}

/* A plain value as a Lua value. [-0, +1] */
static void push_value(lua_State *L, const struct value *v)
{
	switch (v->kind) {
	case VALUE_NONE: lua_pushnil(L); break;
	case VALUE_BOOL: lua_pushboolean(L, v->u.b); break;
	case VALUE_INT: lua_pushinteger(L, (lua_Integer)v->u.i); break;
	case VALUE_FLOAT: lua_pushnumber(L, v->u.f); break;
	case VALUE_STR: lua_pushlstring(L, v->u.str.s, v->u.str.len); break;
	case VALUE_LIST:
		lua_createtable(L, (int)v->u.list.n, 0);
		for (size_t i = 0; i < v->u.list.n; i++) {
			push_value(L, &v->u.list.items[i]);
			lua_seti(L, -2, (lua_Integer)i + 1);
		}
		break;
	}
}

/* A probe sample as a table. [-0, +1] */
static void push_sample(lua_State *L, const struct probe_sample *s)
{
	lua_createtable(L, 0, PROBE_COUNT);
	for (int id = 0; id < PROBE_COUNT; id++) {
		if (!(s->have & (1u << id)))
			continue;
		if (s->v[id] == floor(s->v[id]) && fabs(s->v[id]) < 9.0e15)
			lua_pushinteger(L, (lua_Integer)s->v[id]);
		else
			lua_pushnumber(L, s->v[id]);
		lua_setfield(L, -2, probe_info[id].key);
	}
}

/* What a graph query found, in short: for the table and for the report. */
static void capture_summary(const struct graph *g, struct lab_capture *c)
{
	const struct graph_node *root = g && g->n_nodes > 0 && g->nodes[0].root ? &g->nodes[0] : NULL;

	c->alive = root != NULL;
	if (g == NULL)
		return;
	c->nodes = g->n_nodes;
	c->edges = g->n_edges;
	for (int i = 0; i < g->n_nodes; i++)
		c->cycle_groups = g->nodes[i].scc + 1 > c->cycle_groups ? g->nodes[i].scc + 1 : c->cycle_groups;
	c->limited = g->limited;
	if (root == NULL)
		return;
	snprintf(c->type, sizeof c->type, "%s", root->type);
	c->size = root->size;
	c->retained = root->retained;
	c->on_cycle = root->scc >= 0;
}

/* What a graph query found, as a table. [-0, +1] */
static void push_graph(lua_State *L, const struct graph *g, const struct lab_capture *c)
{
	const struct graph_node *root = c->alive ? &g->nodes[0] : NULL;
	int counts[GRAPH_KIND_COUNT] = { 0 }, path[64], len;

	lua_createtable(L, 0, 12);
	lua_pushboolean(L, c->alive);
	lua_setfield(L, -2, "alive");
	if (g == NULL)
		return;
	for (int i = 0; i < g->n_nodes; i++)
		counts[g->nodes[i].kind]++;
	lua_pushinteger(L, c->nodes);
	lua_setfield(L, -2, "nodes");
	lua_pushinteger(L, c->edges);
	lua_setfield(L, -2, "edges");
	/* Groups of objects that reach each other, not loops: one group can
	 * hold many loops. `cycles` is the older name of the same count. */
	lua_pushinteger(L, c->cycle_groups);
	lua_setfield(L, -2, "cycle_groups");
	lua_pushinteger(L, c->cycle_groups);
	lua_setfield(L, -2, "cycles");
	lua_createtable(L, 0, GRAPH_KIND_COUNT);
	for (int k = 0; k < GRAPH_KIND_COUNT; k++) {
		lua_pushinteger(L, counts[k]);
		lua_setfield(L, -2, graph_kind_name(k));
	}
	lua_setfield(L, -2, "count");
	if (root == NULL)
		return;
	lua_pushstring(L, c->type);
	lua_setfield(L, -2, "type");
	lua_pushinteger(L, (lua_Integer)c->size);
	lua_setfield(L, -2, "size");
	lua_pushinteger(L, (lua_Integer)c->retained);
	lua_setfield(L, -2, "retained");
	lua_pushboolean(L, c->on_cycle);
	lua_setfield(L, -2, "on_cycle");
	lua_pushboolean(L, c->limited);
	lua_setfield(L, -2, "limited");
	/* The root's own edges: {label=, addr=, type=} in traversal order. */
	lua_createtable(L, 8, 0);
	for (int e = 0, k = 0; e < g->n_edges; e++) {
		const struct graph_node *to = &g->nodes[g->edges[e].to];
		if (g->edges[e].from != 0 || to->kind == GRAPH_MORE)
			continue;
		lua_createtable(L, 0, 3);
		lua_pushstring(L, g->edges[e].label);
		lua_setfield(L, -2, "label");
		lua_pushinteger(L, (lua_Integer)to->addr);
		lua_setfield(L, -2, "addr");
		lua_pushstring(L, to->type);
		lua_setfield(L, -2, "type");
		lua_seti(L, -2, ++k);
	}
	lua_setfield(L, -2, "edges_out");
	/* The cycle through the root, readable: "E -[__traceback__]-> traceback ..." */
	len = graph_cycle_through(g, 0, path, 64);
	if (len > 0) {
		luaL_Buffer b;
		luaL_buffinit(L, &b);
		luaL_addstring(&b, root->type);
		for (int i = 0; i < len; i++) {
			const struct graph_edge *e = &g->edges[path[i]];
			lua_pushfstring(L, " -[%s]-> %s", e->label[0] ? e->label : "?", g->nodes[e->to].type);
			luaL_addvalue(&b);
		}
		luaL_pushresult(&b);
		lua_setfield(L, -2, "cycle");
	}
}

/* graph.capture's answer: the table for Lua, its summary for the report. [-0, +1] */
static void reply_graph(lua_State *L, struct luahost *h, const struct pyresult *r)
{
	struct lab_capture c = { 0 };
	struct wire_out *w;

	capture_summary(r->query, &c);
	push_graph(L, r->query, &c);
	snprintf(c.root, sizeof c.root, "%s", h->req_code ? h->req_code : "");
	snprintf(c.where, sizeof c.where, "%s", h->req_where ? h->req_where : "");
	c.t = r->sample.t;
	w = labout_begin(LAB_CAPTURE);
	labproto_put_capture(w, &c);
	labout_end(w);
}

/* ---- yielding to the runner ------------------------------------------- */

static void clear_request(struct luahost *h)
{
	free(h->req_path);
	free(h->req_code);
	free(h->req_origin);
	free(h->req_highlight);
	free(h->req_label);
	free(h->req_where);
	for (size_t i = 0; i < h->request.nargs; i++)
		value_free(&h->req_args[i]);
	free(h->req_args);
	h->req_path = h->req_code = h->req_origin = h->req_highlight = h->req_label = h->req_where = NULL;
	h->req_args = NULL;
	h->req_api = NULL;
	h->pending[0] = '\0';
	memset(&h->request, 0, sizeof h->request);
}

/* What a py.* call gives back to Lua. */
enum reply { REPLY_NONE, REPLY_VALUE, REPLY_GRAPH };

/* Continuation of every py.* call: the reply is in h->reply. */
static int python_done(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct luahost *h = host_of(L);
	const struct pyresult *r = h->reply;
	char msg[ERROR_TEXT_MAX];

	h->reply = NULL;
	if (r == NULL)
		return luaL_error(L, "internal error: Python reply missing");
	switch (r->status) {
	case PYRESULT_OK:
		if (h->request.kind == PYJOB_GRAPH_ROOTS || h->request.kind == PYJOB_WATCH) {
			/* Python agreed to follow the new names: show them. */
			char *to = h->request.kind == PYJOB_WATCH ? h->settings.watch : h->settings.graph_roots;
			size_t size = h->request.kind == PYJOB_WATCH ? sizeof h->settings.watch
			                                             : sizeof h->settings.graph_roots;
			snprintf(to, size, "%s", h->pending);
			luahost_send_settings(h);
		}
		if (ctx == REPLY_VALUE)
			push_value(L, &r->value);
		else if (ctx == REPLY_GRAPH)
			reply_graph(L, h, r);
		return ctx == REPLY_NONE ? 0 : 1;
	case PYRESULT_REFUSED:
		/* The scenario asked about a name that names nothing: its mistake, at
		 * its line (the Lua line that asked, also when pcall called us). */
		lua_pushfstring(L, "%s: %s: %s", h->req_where, h->req_api, r->err.msg);
		return lua_error(L);
	case PYRESULT_ERROR:
		h->py_err = r->err;
		error_format(&r->err, msg, sizeof msg);
		free(h->py_err_text);
		h->py_err_text = xstrdup(msg);
		lua_pushstring(L, msg);
		return lua_error(L);
	default:
		/* Stopped, out of time or memory: the scenario must end here. */
		arm_fatal(L, h, r->err.msg);
		return luaL_error(L, "%s", h->fatal);
	}
}

/* Calls that wait for Python or the learner must come from the step itself:
 * a yield from a coroutine the scenario made would only reach that
 * coroutine's resume, and the request would be lost. */
static int check_in_step(lua_State *L, struct luahost *h, const char *what)
{
	if (L != h->co && lua_isyieldable(L))
		return luaL_error(L, "%s cannot be used inside a coroutine the scenario made: "
		                  "call it from the step itself", what);
	if (!lua_isyieldable(L))
		return luaL_error(L, "%s can only be used inside a step", what);
	return 0;
}

/* The request's label in the report: the call and the start of what it
 * names, on one line. */
static void set_label(struct luahost *h, const char *api, const char *what)
{
	size_t n = what ? strcspn(what, "\n") : 0;
	bool cut = what && (what[n + strspn(what + n, " \t\n")] != '\0' || n > 60);

	if (n > 60)
		n = 60;
	while (n > 0 && cut && ((unsigned char)what[n] & 0xC0) == 0x80)
		n--;   /* never half a character */
	free(h->req_label);
	h->req_label = what ? xasprintf("%s %.*s%s", api, (int)n, what, cut ? "…" : "") : xstrdup(api);
}

static int yield_python(lua_State *L, struct luahost *h, const char *api, enum pyjob_kind kind,
                        enum reply returns)
{
	char here[600];

	check_in_step(L, h, "py.*, probe.watch and graph.*");
	where(L, here, sizeof here);
	free(h->req_where);
	h->req_where = xstrdup(here);
	h->req_api = api;
	if (h->req_label == NULL)
		set_label(h, api, NULL);
	h->request.kind = kind;
	h->request.time_limit = h->settings.time_limit;
	h->request.path = h->req_path;
	h->request.code = h->req_code;
	h->request.origin = h->req_origin;
	h->request.highlight = h->req_highlight;
	h->request.args = h->req_args;
	h->request.label = h->req_label;
	h->request.where = h->req_where;
	h->status = LUAHOST_PYTHON;
	return lua_yieldk(L, 0, returns, python_done);
}

/* Python snippets are named after the Lua line they come from. */
static void set_origin(lua_State *L, struct luahost *h, const char *what)
{
	char here[600];

	where(L, here, sizeof here);
	h->req_origin = xasprintf("<%s at %s>", what, here);
}

static int l_py_load(lua_State *L)
{
	struct luahost *h = host_of(L);
	const char *file = luaL_checkstring(L, 1);

	clear_request(h);
	h->req_path = util_join(h->dir, file);
	set_label(h, "py.load", file);
	return yield_python(L, h, "py.load", PYJOB_LOAD, REPLY_NONE);
}

/* py.exec and py.eval: Python source run in the namespace. */
static int py_source(lua_State *L, enum pyjob_kind kind, const char *what, enum reply returns)
{
	struct luahost *h = host_of(L);
	const char *code = luaL_checkstring(L, 1);

	clear_request(h);
	h->req_code = xstrdup(code);
	set_origin(L, h, what);
	set_label(h, what, code + strspn(code, " \t\n"));
	return yield_python(L, h, what, kind, returns);
}

static int l_py_exec(lua_State *L)
{
	return py_source(L, PYJOB_EXEC, "py.exec", REPLY_NONE);
}

static int l_py_eval(lua_State *L)
{
	return py_source(L, PYJOB_EVAL, "py.eval", REPLY_VALUE);
}

static int l_py_call(lua_State *L)
{
	struct luahost *h = host_of(L);
	const char *name = luaL_checkstring(L, 1);
	lua_Integer times = luaL_optinteger(L, 2, 1);
	int nargs = lua_gettop(L) > 2 ? lua_gettop(L) - 2 : 0;

	luaL_argcheck(L, times >= 1 && times <= 100000000, 2, "times must be between 1 and 100,000,000");
	clear_request(h);
	h->req_args = xcalloc((size_t)nargs, sizeof *h->req_args);
	h->request.nargs = (size_t)nargs;
	struct convert_budget budget = { .items = VALUE_MAX_ITEMS, .bytes = VALUE_MAX_BYTES };
	for (int i = 0; i < nargs; i++)
		to_value(L, 3 + i, &h->req_args[i], 0, &budget);
	h->req_code = xstrdup(name);
	h->request.times = (long)times;
	set_label(h, "py.call", name);
	return yield_python(L, h, "py.call", PYJOB_CALL, REPLY_VALUE);
}

static int l_py_collect(lua_State *L)
{
	struct luahost *h = host_of(L);

	clear_request(h);
	return yield_python(L, h, "py.collect", PYJOB_GC, REPLY_VALUE);
}

/* probe.watch(name): the gauges follow it once Python finds it names something. */
static int l_probe_watch(lua_State *L)
{
	struct luahost *h = host_of(L);
	const char *name = luaL_checkstring(L, 1);

	check_in_step(L, h, "probe.watch");
	clear_request(h);
	h->req_code = xstrdup(name);
	snprintf(h->pending, sizeof h->pending, "%s", name);
	set_label(h, "probe.watch", name);
	return yield_python(L, h, "probe.watch", PYJOB_WATCH, REPLY_NONE);
}

/* The type of a field, as an error names it: "a boolean". */
static const char *a_type(lua_State *L, int idx)
{
	return lua_pushfstring(L, "a %s", luaL_typename(L, idx));
}

/* The table field `key` at the top of the stack, an integer from 1 to max. */
static int int_field(lua_State *L, const char *api, const char *key, lua_Integer max)
{
	int ok;
	lua_Integer n = lua_tointegerx(L, -1, &ok);

	if (lua_type(L, -1) != LUA_TNUMBER || !ok)
		luaL_error(L, "%s: %s must be an integer, not %s", api, key,
		           lua_type(L, -1) == LUA_TNUMBER ? lua_pushfstring(L, "%f", lua_tonumber(L, -1))
		                                          : a_type(L, -1));
	if (n < 1 || n > max)
		luaL_error(L, "%s: %s must be from 1 to %I (got %I)", api, key, max, n);
	return (int)n;
}

/* An optional last argument of graph.show or graph.capture: {depth = n,
 * nodes = n} and, for graph.show, highlight = name. Every field is checked:
 * a misspelt or mistyped option is an error, not a default. [-0, +0] */
static void graph_options(lua_State *L, int idx, struct luahost *h, const char *api, bool highlight)
{
	struct pyjob *job = &h->request;

	if (lua_isnoneornil(L, idx))
		return;
	if (!lua_istable(L, idx))
		luaL_error(L, "%s: its options must be a table {depth = n, nodes = n%s}, not %s", api,
		           highlight ? ", highlight = name" : "", a_type(L, idx));
	lua_pushnil(L);
	while (lua_next(L, idx)) {
		const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "?";
		if (strcmp(key, "depth") == 0) {
			job->graph_depth = int_field(L, api, key, 1000000);
		} else if (strcmp(key, "nodes") == 0) {
			/* The live graph crosses to the interface: keep it within a frame. */
			job->graph_nodes = int_field(L, api, key, 200000);
		} else if (highlight && strcmp(key, "highlight") == 0) {
			if (lua_type(L, -1) != LUA_TSTRING)
				luaL_error(L, "%s: highlight must be a string (a root), not %s", api, a_type(L, -1));
			free(h->req_highlight);
			h->req_highlight = xstrdup(lua_tostring(L, -1));
		} else {
			luaL_error(L, "%s: unknown option '%s' (known: depth, nodes%s)", api, key,
			           highlight ? ", highlight" : "");
		}
		lua_pop(L, 1);
	}
}

/* graph.show(name, ... [, {depth=, nodes=, highlight=}]): the live graph's roots. */
static int l_graph_show(lua_State *L)
{
	struct luahost *h = host_of(L);
	int n = lua_gettop(L), names = lua_istable(L, n) ? n - 1 : n;
	luaL_Buffer code;

	check_in_step(L, h, "graph.show");
	clear_request(h);
	if (names < n)
		graph_options(L, n, h, "graph.show", true);
	luaL_buffinit(L, &code);
	for (int i = 1; i <= names; i++) {
		const char *name = luaL_checkstring(L, i);
		size_t used = strlen(h->pending);
		snprintf(h->pending + used, sizeof h->pending - used, "%s%s", i > 1 ? ", " : "", name);
		lua_pushstring(L, name);
		luaL_addvalue(&code);
		luaL_addchar(&code, '\n');
	}
	luaL_pushresult(&code);
	h->req_code = xstrdup(lua_tostring(L, -1));
	lua_pop(L, 1);
	set_label(h, "graph.show", h->pending);
	return yield_python(L, h, "graph.show", PYJOB_GRAPH_ROOTS, REPLY_NONE);
}

/* A question about one named object; only graph.capture takes options. */
static int named_query(lua_State *L, const char *api, enum pyjob_kind kind, enum reply reply)
{
	struct luahost *h = host_of(L);
	const char *name = luaL_checkstring(L, 1);

	clear_request(h);
	if (kind == PYJOB_GRAPH_QUERY)
		graph_options(L, 2, h, api, false);
	else if (lua_gettop(L) > 1)
		return luaL_error(L, "%s takes one root, and no options", api);
	h->req_code = xstrdup(name);
	set_label(h, api, name);
	return yield_python(L, h, api, kind, reply);
}

/* graph.capture(name [, opts]): what the object reaches, as a table. */
static int l_graph_capture(lua_State *L)
{
	return named_query(L, "graph.capture", PYJOB_GRAPH_QUERY, REPLY_GRAPH);
}

/* graph.why(name): the path that keeps it alive. */
static int l_graph_why(lua_State *L)
{
	return named_query(L, "graph.why", PYJOB_WHY, REPLY_VALUE);
}

static int l_graph_only_through_traceback(lua_State *L)
{
	return named_query(L, "graph.only_through_traceback", PYJOB_ONLY_TB, REPLY_VALUE);
}

/* probe.sample([name]): the newest reading; a name marks it in the report. */
static int l_probe_sample(lua_State *L)
{
	struct luahost *h = host_of(L);

	if (!lua_isnoneornil(L, 1)) {
		struct wire_out *w;
		if (lua_type(L, 1) != LUA_TSTRING)
			return luaL_error(L, "probe.sample: a name for the reading must be a string, not %s",
			                  a_type(L, 1));
		w = labout_begin(LAB_SAMPLE_NAME);
		wire_f64(w, h->last.t);
		wire_str(w, lua_tostring(L, 1));
		labout_end(w);
	}
	push_sample(L, &h->last);
	return 1;
}

static int l_pause(lua_State *L)
{
	struct luahost *h = host_of(L);

	if (h->verify_target)
		return luaL_error(L, "pause() is for the learner; verify() runs without one");
	snprintf(h->prompt, sizeof h->prompt, "%s", luaL_optstring(L, 1, "Press space to go on."));
	check_in_step(L, h, "pause()");
	h->status = LUAHOST_PAUSE;
	return lua_yield(L, 0);
}

/* predict{question = q, choices = {...}} or predict{question = q, number = true}:
 * the runner asks the learner; the continuation returns the answer. */
static int predict_done(lua_State *L, int status, lua_KContext ctx)
{
	(void)status;
	struct luahost *h = host_of(L);

	if (h->answer == NULL)
		lua_pushnil(L);
	else if (ctx && lua_stringtonumber(L, h->answer) == 0)
		lua_pushnil(L);   /* a number was asked for; anything else counts as skipped */
	else if (!ctx)
		lua_pushstring(L, h->answer);
	free(h->answer);
	h->answer = NULL;
	return 1;
}

static int l_predict(lua_State *L)
{
	struct luahost *h = host_of(L);
	struct wire_out *w;
	int n = 0;
	bool number;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (h->verify_target)
		return luaL_error(L, "predict() is for the learner; verify() runs without one");
	check_in_step(L, h, "predict()");
	if (lua_getfield(L, 1, "question") != LUA_TSTRING)
		return luaL_error(L, "predict{}: question must be a string, not %s", a_type(L, -1));
	snprintf(h->last_question, sizeof h->last_question, "%s", lua_tostring(L, -1));
	number = lua_getfield(L, 1, "number") != LUA_TNIL && lua_toboolean(L, -1);
	if (lua_getfield(L, 1, "choices") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			return luaL_error(L, "predict{}: choices must be a list of strings, not %s", a_type(L, -1));
		n = (int)lua_rawlen(L, -1);
		luaL_argcheck(L, n >= 2 && n <= LAB_MAX_CHOICES, 1, "choices: 2 to 9 of them");
		for (int i = 0; i < n; i++) {
			lua_rawgeti(L, -1 - i, i + 1);
			if (lua_type(L, -1) != LUA_TSTRING)
				return luaL_error(L, "predict{}: choice %d is a %s, not a string", i + 1,
				                  luaL_typename(L, -1));
		}
	}
	luaL_argcheck(L, n > 0 || number, 1, "give choices = {...} or number = true");
	w = labout_begin(LAB_ASK);
	wire_str(w, h->last_question);
	wire_u8(w, (unsigned)(number ? 0 : n));
	for (int i = 0; !number && i < n; i++)
		wire_str(w, lua_tostring(L, -n + i));   /* still on the stack, in order */
	labout_end(w);
	h->status = LUAHOST_PREDICT;
	return lua_yieldk(L, 0, number, predict_done);
}

/* reveal(guess, actual [, tolerance]): the guess beside the measurement. */
static int l_reveal(lua_State *L)
{
	struct luahost *h = host_of(L);
	double tol = luaL_optnumber(L, 3, 0);
	const char *actual, *guess = NULL;
	struct wire_out *w;
	bool right = false;

	luaL_checkany(L, 2);
	actual = luaL_tolstring(L, 2, NULL);
	if (!lua_isnil(L, 1)) {
		guess = luaL_tolstring(L, 1, NULL);
		if (lua_isnumber(L, 1) && lua_isnumber(L, 2))
			right = fabs(lua_tonumber(L, 1) - lua_tonumber(L, 2)) <= tol;
		else
			right = strcmp(guess, actual) == 0;
	}
	w = labout_begin(LAB_PREDICTION);
	wire_str(w, h->last_question);
	wire_u8(w, guess != NULL);
	wire_str(w, guess);
	wire_str(w, actual);
	wire_u8(w, right);
	labout_end(w);
	lua_pushboolean(L, right);
	return 1;
}

/* exercise{file =, solution =, cheats = {}, hints = {}, verify = function(path)}:
 * a list of strings, every item checked before anything is kept, so an
 * error leaves nothing half made. */
static char **string_list(lua_State *L, int idx, const char *field, const char *dir, int *n)
{
	char **out = NULL;
	int len = 0;

	*n = 0;
	if (lua_getfield(L, idx, field) != LUA_TNIL) {
		if (!lua_istable(L, -1))
			luaL_error(L, "exercise{}: %s must be a list of strings, not a %s", field,
			           luaL_typename(L, -1));
		len = (int)lua_rawlen(L, -1);
		for (int i = 1; i <= len; i++) {
			if (lua_rawgeti(L, -1, i) != LUA_TSTRING)
				luaL_error(L, "exercise{}: %s[%d] is a %s, not a string", field, i,
				           luaL_typename(L, -1));
			lua_pop(L, 1);
		}
		out = xcalloc((size_t)(len ? len : 1), sizeof *out);
		for (int i = 0; i < len; i++) {
			lua_rawgeti(L, -1, i + 1);
			out[i] = dir ? util_join(dir, lua_tostring(L, -1)) : xstrdup(lua_tostring(L, -1));
			lua_pop(L, 1);
		}
	}
	lua_pop(L, 1);
	*n = len;
	return out;
}

static int l_exercise(lua_State *L)
{
	struct luahost *h = host_of(L);

	luaL_checktype(L, 1, LUA_TTABLE);
	if (lua_isyieldable(L))
		return luaL_error(L, "exercise{} declares the exercise: call it at the top level");
	if (h->has_exercise)
		return luaL_error(L, "exercise{} is declared twice");
	if (lua_getfield(L, 1, "file") != LUA_TSTRING || lua_getfield(L, 1, "solution") != LUA_TSTRING)
		return luaL_error(L, "exercise{}: file and solution must be strings (paths)");
	if (lua_getfield(L, 1, "verify") != LUA_TFUNCTION)
		return luaL_error(L, "exercise{}: verify must be a function(path)");
	lua_setfield(L, LUA_REGISTRYINDEX, "exclab.verify");
	h->exercise.cheats = string_list(L, 1, "cheats", h->dir, &h->exercise.n_cheats);
	h->exercise.hints = string_list(L, 1, "hints", NULL, &h->exercise.n_hints);
	if (lua_getfield(L, 1, "task") != LUA_TNIL && !lua_isstring(L, -1))
		return luaL_error(L, "exercise{}: task must be a string");
	h->exercise.task = xstrdup(lua_isstring(L, -1) ? lua_tostring(L, -1) : "");
	lua_pop(L, 1);
	h->exercise.file = util_join(h->dir, lua_tostring(L, -2));
	h->exercise.solution = util_join(h->dir, lua_tostring(L, -1));
	lua_pop(L, 2);
	h->has_exercise = true;
	return 0;
}

/* The driver calls this before each step. */
static int l_begin_step(lua_State *L)
{
	struct luahost *h = host_of(L);

	h->step_index = (int)luaL_checkinteger(L, 1) - 1;
	h->status = LUAHOST_STEP;
	return lua_yield(L, 0);
}

static int l_print(lua_State *L)
{
	luaL_Buffer b;
	int n = lua_gettop(L);

	luaL_buffinit(L, &b);
	for (int i = 1; i <= n; i++) {
		if (i > 1)
			luaL_addchar(&b, '\t');
		luaL_tolstring(L, i, NULL);
		luaL_addvalue(&b);
	}
	luaL_pushresult(&b);
	/* One console line per printed line. */
	size_t len;
	const char *s = lua_tolstring(L, -1, &len), *end = s + len;
	for (const char *nl; (nl = memchr(s, '\n', (size_t)(end - s))); s = nl + 1)
		labout_console_text(CONSOLE_OUTPUT, s, (size_t)(nl - s));
	labout_console_text(CONSOLE_OUTPUT, s, (size_t)(end - s));
	return 0;
}

static int l_show_gauges(lua_State *L)
{
	struct luahost *h = host_of(L);
	unsigned shown = 0;
	size_t n;

	luaL_checktype(L, 1, LUA_TTABLE);
	n = lua_rawlen(L, 1);
	for (size_t i = 1; i <= n; i++) {
		lua_rawgeti(L, 1, (lua_Integer)i);
		const char *key = lua_type(L, -1) == LUA_TSTRING ? lua_tostring(L, -1) : NULL;
		int id = key ? probe_find(key) : -1;
		if (id < 0)
			return luaL_error(L, "unknown gauge '%s' (known: heap, rss, chain, frames, gc0, gc_runs)",
			                  key ? key : luaL_typename(L, -1));
		shown |= 1u << id;
		lua_pop(L, 1);
	}
	h->settings.shown = shown;
	luahost_send_settings(h);
	return 0;
}

/* ---- checks ------------------------------------------------------------ */

/* Checks on numbers may end with a unit: "bytes" shows figures as the
 * gauges do (244 KB). Pops the unit so the optional arguments before it
 * keep their places. */
static bool take_bytes_unit(lua_State *L)
{
	int top = lua_gettop(L);

	if (top < 4 || lua_type(L, top) != LUA_TSTRING)
		return false;
	if (strcmp(lua_tostring(L, top), "bytes") != 0)
		luaL_error(L, "unknown unit '%s' (known: bytes)", lua_tostring(L, top));
	lua_settop(L, top - 1);
	return true;
}

/* A measured figure as people read it: bytes in B/KB/MB, counts grouped by thousands. */
static void fmt_figure(double v, bool bytes, char *buf, size_t size)
{
	if (bytes)
		util_fmt_bytes(v, buf, size);
	else if (v == floor(v) && fabs(v) < 1e15)
		util_fmt_count(v, buf, size);
	else
		snprintf(buf, size, "%.6g", v);
}

/* Two figures to compare: when rounding to KB or MB would print a failed
 * comparison as equal, both are shown to the byte. */
static void fmt_figures(double x, double y, bool bytes, char *bx, char *by, size_t size)
{
	fmt_figure(x, bytes, bx, size);
	fmt_figure(y, bytes, by, size);
	if (bytes && x != y && strcmp(bx, by) == 0) {
		fmt_figure(x, false, bx, size - 2);
		fmt_figure(y, false, by, size - 2);
		strcat(bx, " B");
		strcat(by, " B");
	}
}

/* A number as a value: an integer when it is one. */
static struct value number_value(double d)
{
	struct value v = { .kind = VALUE_FLOAT, .u.f = d };

	if (d == floor(d) && fabs(d) < 9.0e15) {
		v.kind = VALUE_INT;
		v.u.i = (long long)d;
	}
	return v;
}

/* The Lua value at idx as a scalar value; tables and the like as their text. [-0, +0] */
static struct value scalar_value(lua_State *L, int idx)
{
	struct value v = { .kind = VALUE_NONE };
	size_t n;
	const char *s;

	switch (lua_type(L, idx)) {
	case LUA_TNIL: break;
	case LUA_TBOOLEAN: v.kind = VALUE_BOOL; v.u.b = lua_toboolean(L, idx); break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			v.kind = VALUE_INT;
			v.u.i = lua_tointeger(L, idx);
		} else {
			v = number_value(lua_tonumber(L, idx));
			if (v.kind == VALUE_INT && (double)v.u.i != lua_tonumber(L, idx))
				v = (struct value){ .kind = VALUE_FLOAT, .u.f = lua_tonumber(L, idx) };
		}
		break;
	default:
		s = luaL_tolstring(L, idx, &n);
		v.kind = VALUE_STR;
		v.u.str.s = xmemdup(s, n);
		v.u.str.len = n;
		lua_pop(L, 1);
		break;
	}
	return v;
}

/* Send a check's result, with what was expected and what was measured
 * (both freed here). */
static int report_check(lua_State *L, bool passed, const char *msg, const char *detail,
                        struct value expected, struct value got)
{
	char here[600];
	struct wire_out *w;

	where(L, here, sizeof here);
	w = labout_begin(LAB_CHECK);
	wire_u8(w, passed);
	wire_str(w, msg);
	wire_str(w, detail);
	wire_str(w, here);
	labproto_put_value(w, &expected);
	labproto_put_value(w, &got);
	labout_end(w);
	value_free(&expected);
	value_free(&got);
	lua_pushboolean(L, passed);
	return 1;
}

static int l_check_equals(lua_State *L)
{
	const char *msg = luaL_checkstring(L, 1);
	char detail[300], a[64], e[64], t[64];

	luaL_checkany(L, 3);
	if (lua_type(L, 2) != LUA_TNUMBER || lua_type(L, 3) != LUA_TNUMBER) {
		/* Strings, booleans, nil: equal as Lua values, shown as text. */
		bool quote = lua_type(L, 3) == LUA_TSTRING;
		const char *actual = luaL_tolstring(L, 2, NULL);
		const char *expected = luaL_tolstring(L, 3, NULL);
		snprintf(detail, sizeof detail, quote ? "expected \"%s\", got \"%s\"" : "expected %s, got %s",
		         expected, actual);
		return report_check(L, lua_rawequal(L, 2, 3), msg, detail, scalar_value(L, 3),
		                    scalar_value(L, 2));
	}
	bool bytes = take_bytes_unit(L);
	double actual = lua_tonumber(L, 2), expected = lua_tonumber(L, 3);
	double tol = luaL_optnumber(L, 4, 0);
	fmt_figures(actual, expected, bytes, a, e, sizeof a);
	fmt_figure(tol, bytes, t, sizeof t);
	if (tol > 0)
		snprintf(detail, sizeof detail, "expected %s ± %s, got %s", e, t, a);
	else
		snprintf(detail, sizeof detail, "expected %s, got %s", e, a);
	return report_check(L, fabs(actual - expected) <= tol, msg, detail, scalar_value(L, 3),
	                    scalar_value(L, 2));
}

static int l_check_grows(lua_State *L)
{
	const char *msg = luaL_checkstring(L, 1);
	bool bytes = take_bytes_unit(L);
	double before = luaL_checknumber(L, 2), after = luaL_checknumber(L, 3);
	bool has_min = !lua_isnoneornil(L, 4);
	double min = luaL_optnumber(L, 4, 0);
	char detail[300], d[64], mn[64];

	fmt_figures(after - before, min, bytes, d, mn, sizeof d);
	if (has_min)
		snprintf(detail, sizeof detail, "grew by %s, expected at least %s", d, mn);
	else
		snprintf(detail, sizeof detail, "grew by %s, expected growth", d);
	return report_check(L, has_min ? after - before >= min : after > before, msg, detail,
	                    has_min ? number_value(min) : (struct value){ .kind = VALUE_NONE },
	                    number_value(after - before));
}

static int l_check_flat(lua_State *L)
{
	const char *msg = luaL_checkstring(L, 1);
	bool bytes = take_bytes_unit(L);
	double before = luaL_checknumber(L, 2), after = luaL_checknumber(L, 3);
	double tol = luaL_optnumber(L, 4, 0);
	char detail[300], d[64], t[64];

	fmt_figures(fabs(after - before), tol, bytes, d, t, sizeof d);
	snprintf(detail, sizeof detail, "changed by %s%s, allowed ± %s", after < before ? "-" : "",
	         d, t);
	return report_check(L, fabs(after - before) <= tol, msg, detail, number_value(tol),
	                    number_value(after - before));
}

static int l_check_truthy(lua_State *L)
{
	const char *msg = luaL_checkstring(L, 1);

	luaL_checkany(L, 2);
	return report_check(L, lua_toboolean(L, 2), msg,
	                    lua_toboolean(L, 2) ? "true" : "false or nil",
	                    (struct value){ .kind = VALUE_BOOL, .u.b = 1 }, scalar_value(L, 2));
}

/* ---- declarations ------------------------------------------------------ */

/* scenario{} field `key` at the top of the stack, when it is a string. */
static const char *string_field(lua_State *L, const char *key)
{
	if (lua_type(L, -1) != LUA_TSTRING)
		luaL_error(L, "scenario{}: %s must be a string, not %s", key, a_type(L, -1));
	return lua_tostring(L, -1);
}

/* scenario{} field `key` at the top of the stack, a number in [min, max]
 * (`range` says so in words): anything else, NaN and infinities among
 * them, is refused before it reaches a size or a timer. */
static lua_Number number_field(lua_State *L, const char *key, lua_Number min, lua_Number max,
                               const char *range)
{
	lua_Number n;

	if (lua_type(L, -1) != LUA_TNUMBER)
		luaL_error(L, "scenario{}: %s must be a number, not %s", key, a_type(L, -1));
	n = lua_tonumber(L, -1);
	if (!(n >= min && n <= max))
		luaL_error(L, "scenario{}: %s must be %s (got %f)", key, range, n);
	return n;
}

static int l_scenario(lua_State *L)
{
	struct luahost *h = host_of(L);
	static const char *const known[] = {
		"title", "python", "gauges", "watch", "memory_limit", "time_limit", "step_time_limit", NULL
	};
	lua_Debug ar;

	luaL_checktype(L, 1, LUA_TTABLE);
	if (h->declared)
		return luaL_error(L, "scenario{} is declared twice");
	if (h->nsteps > 0)
		return luaL_error(L, "scenario{} must come before the first step()");
	h->declared = true;
	if (lua_getstack(L, 1, &ar) && lua_getinfo(L, "l", &ar))
		h->settings.line = ar.currentline;
	lua_pushnil(L);
	while (lua_next(L, 1)) {
		const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : NULL;
		bool ok = false;
		for (int i = 0; key && known[i]; i++)
			ok = ok || strcmp(key, known[i]) == 0;
		if (!ok)
			return luaL_error(L, "scenario{}: unknown field '%s' (known: title, python, gauges, "
			                  "watch, memory_limit, time_limit, step_time_limit)", key ? key : "?");
		lua_pop(L, 1);
	}
	if (lua_getfield(L, 1, "title") != LUA_TNIL)
		snprintf(h->settings.title, sizeof h->settings.title, "%s", string_field(L, "title"));
	if (lua_getfield(L, 1, "python") != LUA_TNIL) {
		char *p = util_join(h->dir, string_field(L, "python"));
		snprintf(h->settings.python, sizeof h->settings.python, "%s", p);
		free(p);
	}
	if (lua_getfield(L, 1, "memory_limit") != LUA_TNIL)
		h->settings.memory_limit = (size_t)number_field(L, "memory_limit", MEMORY_LIMIT_MIN,
		                                                MEMORY_LIMIT_MAX,
		                                                "between 1 MB and 1,000,000 GB");
	if (lua_getfield(L, 1, "time_limit") != LUA_TNIL)
		h->settings.time_limit = number_field(L, "time_limit", TIME_LIMIT_MIN, TIME_LIMIT_MAX,
		                                      "between 0.001 and 86,400 seconds (a day)");
	if (lua_getfield(L, 1, "step_time_limit") != LUA_TNIL)
		h->settings.step_time_limit = number_field(L, "step_time_limit", TIME_LIMIT_MIN,
		                                           TIME_LIMIT_MAX,
		                                           "between 0.001 and 86,400 seconds (a day)");
	if (lua_getfield(L, 1, "watch") != LUA_TNIL)
		snprintf(h->settings.watch, sizeof h->settings.watch, "%s", string_field(L, "watch"));
	lua_pop(L, 6);
	if (lua_getfield(L, 1, "gauges") != LUA_TNIL) {
		if (!lua_istable(L, -1))
			return luaL_error(L, "scenario{}: gauges must be a list of names, not %s", a_type(L, -1));
		lua_pushcfunction(L, l_show_gauges);
		lua_insert(L, -2);
		lua_call(L, 1, 0);
	} else {
		lua_pop(L, 1);
	}
	return 0;
}

static int l_step(lua_State *L)
{
	struct luahost *h = host_of(L);

	luaL_checkstring(L, 1);
	luaL_checktype(L, 2, LUA_TFUNCTION);
	if (lua_isyieldable(L))
		return luaL_error(L, "step() declares a step: call it at the top level of the script");
	lua_getfield(L, LUA_REGISTRYINDEX, STEPS_KEY);
	lua_createtable(L, 0, 2);
	lua_pushvalue(L, 1);
	lua_setfield(L, -2, "title");
	lua_pushvalue(L, 2);
	lua_setfield(L, -2, "fn");
	lua_seti(L, -2, ++h->nsteps);
	lua_pop(L, 1);
	return 0;
}

/* The text-only load of the sandbox: load(chunk [, name [, mode [, env]]]) */
static int l_load(lua_State *L)
{
	int top = lua_gettop(L);

	lua_settop(L, 4);   /* slots 2 to 4 nil when not given, not what is pushed next */
	lua_getfield(L, LUA_REGISTRYINDEX, "exclab.load");
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_pushliteral(L, "t");
	if (top >= 4)
		lua_pushvalue(L, 4);
	lua_call(L, top >= 4 ? 4 : 3, 2);
	/* The chunk, or nil and the message: as load itself returns them. */
	return lua_isnil(L, -2) ? 2 : (lua_pop(L, 1), 1);
}

/* The driver runs with an empty environment: it touches none of the
 * script's globals, so redefining ipairs or the like cannot fake steps. */
static const char driver[] =
	"local steps, n, begin_step = ...\n"
	"return function()\n"
	"  for i = 1, n do\n"
	"    begin_step(i)\n"
	"    steps[i].fn()\n"
	"  end\n"
	"end\n";

/* Verify mode: the exercise's verify() on one file, as the only step. */
static const char verify_driver[] =
	"local verify, target = ...\n"
	"return function() verify(target) end\n";

/* ---- the sandbox's guarded library functions ----------------------------- */

/* coroutine.create and coroutine.wrap: each coroutine is charged, since a
 * fresh one starts with a fresh hook count. The original is upvalue 1. */
static int l_co_make(lua_State *L)
{
	struct luahost *h = host_of(L);

	h->instr_left -= COROUTINE_CHARGE;
	if (h->instr_left <= 0 && h->fatal == NULL)
		budget_hook(L, &(lua_Debug){ 0 });   /* raises the budget's error */
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* coroutine.resume: a budget that ran out inside the coroutine must not be
 * swallowed as a plain `false, message`: it ends the caller too. */
static int l_co_resume(lua_State *L)
{
	struct luahost *h = host_of(L);

	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	if (h->fatal != NULL)
		arm_fatal(L, h, h->fatal);
	return lua_gettop(L);
}

/* setmetatable without __gc: finalizers run with the count hook off, out of
 * reach of every budget. */
static int l_setmetatable(lua_State *L)
{
	if (lua_istable(L, 2) && lua_getfield(L, 2, "__gc") != LUA_TNIL)
		return luaL_error(L, "__gc finalizers are not available in scenarios "
		                  "(they would run outside the time budget)");
	lua_settop(L, 2);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, 2, 1);
	return 1;
}

/* xpcall, with its message handler run after the error unwinds, as ordinary
 * code: Lua runs a handler with the count hook off. */
static int xpcall_done(lua_State *L, int status, lua_KContext ctx)
{
	(void)ctx;
	if (status == LUA_OK || status == LUA_YIELD) {
		lua_pushboolean(L, 1);
		lua_replace(L, 1);   /* the handler's slot: true, then the results */
		return lua_gettop(L);
	}
	lua_pushvalue(L, 1);
	lua_insert(L, -2);   /* handler, message */
	lua_pcall(L, 1, 1, 0);
	lua_pushboolean(L, 0);
	lua_insert(L, -2);
	return 2;
}

static int l_xpcall(lua_State *L)
{
	int n = lua_gettop(L);

	luaL_checktype(L, 2, LUA_TFUNCTION);
	lua_pushvalue(L, 1);
	lua_pushvalue(L, 2);
	lua_replace(L, 1);   /* handler first ... */
	lua_replace(L, 2);   /* ... then the function and its arguments */
	return xpcall_done(L, lua_pcallk(L, n - 2, LUA_MULTRET, 0, 0, xpcall_done), 0);
}

/* string.rep: the result is checked against the memory budget first, and an
 * empty one is made at once (Lua would loop n times to build it). */
static int l_string_rep(lua_State *L)
{
	struct luahost *h = host_of(L);
	size_t len, seplen;
	lua_Integer n = luaL_checkinteger(L, 2);

	luaL_checklstring(L, 1, &len);
	luaL_optlstring(L, 3, "", &seplen);
	if (n <= 0 || len + seplen == 0) {
		lua_pushliteral(L, "");
		return 1;
	}
	if ((lua_Unsigned)n > (h->lim.memory - (h->mem_used < h->lim.memory ? h->mem_used : h->lim.memory)) /
	                      (len + seplen))
		return luaL_error(L, "string.rep: the result would not fit the scenario's Lua memory "
		                  "budget of %d MB", (int)(h->lim.memory >> 20));
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, 1);
	return 1;
}

/* table.move: its loop runs in C, unseen by the count hook. */
static int l_table_move(lua_State *L)
{
	lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);

	if (e >= f && ((lua_Unsigned)e - (lua_Unsigned)f >= MAX_MOVE))
		return luaL_error(L, "table.move: more than %d elements at once", MAX_MOVE);
	lua_pushvalue(L, lua_upvalueindex(1));
	lua_insert(L, 1);
	lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
	return lua_gettop(L);
}

/* Replace lib.name (lib on top of the stack, or the globals when NULL) by
 * fn, with the original as its upvalue. */
static void guard_function(lua_State *L, const char *lib, const char *name, lua_CFunction fn)
{
	if (lib)
		lua_getglobal(L, lib);
	else
		lua_pushglobaltable(L);
	lua_getfield(L, -1, name);
	lua_pushcclosure(L, fn, 1);
	lua_setfield(L, -2, name);
	lua_pop(L, 1);
}

/* ---- the state --------------------------------------------------------- */

static void set_funcs(lua_State *L, const char *table, const luaL_Reg *fns)
{
	lua_newtable(L);
	luaL_setfuncs(L, fns, 0);
	lua_setglobal(L, table);
}

/* Libraries as linit.c would open them, minus what a scenario must not have. */
static void open_sandbox(lua_State *L, struct luahost *h)
{
	static const luaL_Reg libs[] = {
		{ LUA_GNAME, luaopen_base },
		{ LUA_COLIBNAME, luaopen_coroutine },
		{ LUA_TABLIBNAME, luaopen_table },
		{ LUA_STRLIBNAME, luaopen_string },
		{ LUA_MATHLIBNAME, luaopen_math },
		{ LUA_UTF8LIBNAME, luaopen_utf8 },
		{ NULL, NULL },
	};
	static const char *const removed[] = {
		"dofile", "loadfile", "require", "collectgarbage", NULL
	};
	static const luaL_Reg py_fns[] = {
		{ "load", l_py_load }, { "exec", l_py_exec }, { "eval", l_py_eval },
		{ "call", l_py_call }, { "collect", l_py_collect }, { NULL, NULL },
	};
	static const luaL_Reg probe_fns[] = {
		{ "sample", l_probe_sample }, { "watch", l_probe_watch }, { NULL, NULL },
	};
	static const luaL_Reg gauge_fns[] = { { "show", l_show_gauges }, { NULL, NULL } };
	static const luaL_Reg graph_fns[] = {
		{ "show", l_graph_show }, { "capture", l_graph_capture },
		{ "only_through_traceback", l_graph_only_through_traceback },
		{ "why", l_graph_why }, { NULL, NULL },
	};
	static const luaL_Reg check_fns[] = {
		{ "equals", l_check_equals }, { "grows", l_check_grows },
		{ "flat", l_check_flat }, { "truthy", l_check_truthy }, { NULL, NULL },
	};

	for (const luaL_Reg *lib = libs; lib->func; lib++) {
		luaL_requiref(L, lib->name, lib->func, 1);
		lua_pop(L, 1);
	}
	for (int i = 0; removed[i]; i++) {
		lua_pushnil(L);
		lua_setglobal(L, removed[i]);
	}
	lua_getglobal(L, "load");
	lua_setfield(L, LUA_REGISTRYINDEX, "exclab.load");
	lua_register(L, "load", l_load);
	lua_getglobal(L, "string");
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	lua_pop(L, 1);

	/* os: the clock and dates only. */
	luaL_requiref(L, LUA_OSLIBNAME, luaopen_os, 0);
	lua_createtable(L, 0, 3);
	for (const char *const *f = (const char *const[]){ "clock", "time", "date", NULL }; *f; f++) {
		lua_getfield(L, -2, *f);
		lua_setfield(L, -2, *f);
	}
	lua_setglobal(L, "os");
	lua_pop(L, 1);

	guard_function(L, "coroutine", "create", l_co_make);
	guard_function(L, "coroutine", "wrap", l_co_make);
	guard_function(L, "coroutine", "resume", l_co_resume);
	guard_function(L, NULL, "setmetatable", l_setmetatable);
	lua_register(L, "xpcall", l_xpcall);
	guard_function(L, "string", "rep", l_string_rep);
	guard_function(L, "table", "move", l_table_move);

	lua_register(L, "print", l_print);
	lua_register(L, "pause", l_pause);
	lua_register(L, "predict", l_predict);
	lua_register(L, "reveal", l_reveal);
	lua_register(L, "exercise", l_exercise);
	lua_register(L, "scenario", l_scenario);
	lua_register(L, "step", l_step);
	set_funcs(L, "py", py_fns);
	set_funcs(L, "probe", probe_fns);
	set_funcs(L, "gauges", gauge_fns);
	set_funcs(L, "graph", graph_fns);
	set_funcs(L, "check", check_fns);

	lua_pushinteger(L, 1000);
	lua_setglobal(L, "KB");
	lua_pushinteger(L, 1000 * 1000);
	lua_setglobal(L, "MB");
	lua_pushinteger(L, 1000 * 1000 * 1000);
	lua_setglobal(L, "GB");

	lua_createtable(L, 0, 5);
	lua_pushstring(L, h->py->version);
	lua_setfield(L, -2, "version");
	lua_pushinteger(L, h->py->major);
	lua_setfield(L, -2, "major");
	lua_pushinteger(L, h->py->minor);
	lua_setfield(L, -2, "minor");
	lua_pushinteger(L, h->py->micro);
	lua_setfield(L, -2, "micro");
	lua_createtable(L, 3, 0);
	for (int i = 0; i < 3; i++) {
		lua_pushinteger(L, h->py->gc_threshold[i]);
		lua_seti(L, -2, i + 1);
	}
	lua_setfield(L, -2, "gc_threshold");
	lua_setglobal(L, "python");
}

/* An error at the top level as one line, as a step's error is: a traceback
 * would end up inside the message (the console shows its newlines as ^J). */
static int msghandler(lua_State *L)
{
	if (lua_tostring(L, 1) == NULL)
		lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
	return 1;
}

/* "file:line: message" into err. */
static void set_lua_error(struct error *err, const char *text, const char *fallback_file)
{
	const char *colon = strchr(text, ':');
	char *end = NULL;
	long line = colon ? strtol(colon + 1, &end, 10) : 0;

	if (colon && end && end != colon + 1 && *end == ':' && line > 0) {
		snprintf(err->file, sizeof err->file, "%.*s", (int)(colon - text), text);
		err->line = (int)line;
		text = end + 1;
		while (*text == ' ')
			text++;
	} else {
		snprintf(err->file, sizeof err->file, "%s", fallback_file);
		err->line = 0;
	}
	snprintf(err->msg, sizeof err->msg, "%s", text);
}

/* Lua's last resort, for an error outside any protected call: say so on
 * standard error (which the interface shows); Lua then aborts the lab. */
static int panic(lua_State *L)
{
	const char *msg = lua_tostring(L, -1);

	fprintf(stderr, "exclab lab: unprotected Lua error: %s\n", msg ? msg : "(not a string)");
	fflush(stderr);
	return 0;
}

/* The driver coroutine: the steps in order, or verify() on the target. */
static void make_driver(lua_State *L, struct luahost *h, const char *verify)
{
	lua_State *co;

	h->co = co = lua_newthread(L);
	h->co_ref = luaL_ref(L, LUA_REGISTRYINDEX);
	if (verify) {
		/* Absolute, so py.load(path) does not join the scenario's folder on again. */
		const char *target = verify[0] ? verify : h->exercise.file;
		h->verify_target = realpath(target, NULL);
		if (h->verify_target == NULL)
			h->verify_target = xstrdup(target);   /* py.load will say it cannot open it */
		luaL_loadbufferx(co, verify_driver, sizeof verify_driver - 1, "=driver", "t");
		lua_getfield(co, LUA_REGISTRYINDEX, "exclab.verify");
		lua_pushstring(co, h->verify_target);
		lua_pushnil(co);
	} else {
		luaL_loadbufferx(co, driver, sizeof driver - 1, "=driver", "t");
		lua_getfield(co, LUA_REGISTRYINDEX, STEPS_KEY);
		lua_pushinteger(co, h->nsteps);
		lua_pushcfunction(co, l_begin_step);
	}
	/* An empty _ENV: the driver sees nothing the script defined. */
	lua_newtable(co);
	lua_setupvalue(co, -5, 1);
	lua_call(co, 3, 1);
}

struct open_args {
	struct luahost *h;
	const char *source, *verify;
	size_t len;
	struct error *err;
	int rc;
};

/* Everything that can raise, inside one protected call (as lua.c's pmain):
 * the libraries, the script's top level, the driver. [-0, +0] */
static int open_protected(lua_State *L)
{
	struct open_args *a = lua_touserdata(L, 1);
	struct luahost *h = a->h;
	char *chunkname = xasprintf("@%s", h->path);
	int rc;

	lua_pushlightuserdata(L, h);
	lua_setfield(L, LUA_REGISTRYINDEX, HOST_KEY);
	lua_newtable(L);
	lua_setfield(L, LUA_REGISTRYINDEX, STEPS_KEY);
	open_sandbox(L, h);
	lua_sethook(L, budget_hook, LUA_MASKCOUNT, HOOK_EVERY);

	/* The top level: declarations only. */
	lua_pushcfunction(L, msghandler);
	rc = luaL_loadbufferx(L, a->source, a->len, chunkname, "t");
	free(chunkname);
	if (rc == LUA_OK)
		rc = lua_pcall(L, 0, 0, -2);
	if (rc != LUA_OK) {
		set_lua_error(a->err, h->fatal && rc == LUA_ERRMEM ? h->fatal
		              : lua_tostring(L, -1) ? lua_tostring(L, -1) : "error", h->path);
		return 0;
	}
	lua_pop(L, 1);
	if (a->verify && !h->has_exercise) {
		error_set(a->err, h->path, 0, "the scenario declares no exercise{} to verify");
		return 0;
	}
	if (!a->verify && h->nsteps == 0) {
		error_set(a->err, h->path, 0, "the scenario declares no step()");
		return 0;
	}
	make_driver(L, h, a->verify);
	h->step_index = -1;
	a->rc = 0;
	return 0;
}

int luahost_open(struct luahost **out, const char *path, const char *text,
                 const struct luahost_limits *lim, const struct pyhost_info *py,
                 const char *verify, struct error *err)
{
	struct luahost *h = xcalloc(1, sizeof *h);
	struct open_args a = { .h = h, .verify = verify, .err = err, .rc = -1 };
	char *source;
	const char *base;

	*out = NULL;
	h->py = py;
	h->lim = *lim;
	h->instr_left = lim->instructions;
	h->path = xstrdup(path);
	h->dir = util_dirname(path);
	h->settings.time_limit = LUAHOST_DEFAULT_TIME_LIMIT;
	h->settings.step_time_limit = DEFAULT_STEP_TIME_LIMIT;
	h->settings.shown = 1u << PROBE_HEAP | 1u << PROBE_RSS;
	base = strrchr(path, '/');
	snprintf(h->settings.title, sizeof h->settings.title, "%s", base ? base + 1 : path);

	if (text != NULL) {
		source = xstrdup(text);
		a.len = strlen(text);
	} else {
		source = util_read_file(path, &a.len, err);
	}
	if (source == NULL)
		goto fail;
	a.source = source;
	h->L = lua_newstate(budget_alloc, h);
	if (h->L == NULL) {
		error_set(err, path, 0, "cannot create a Lua state");
		goto fail;
	}
	lua_atpanic(h->L, panic);
	lua_pushcfunction(h->L, open_protected);
	lua_pushlightuserdata(h->L, &a);
	if (lua_pcall(h->L, 1, 0, 0) != LUA_OK) {
		const char *msg = lua_tostring(h->L, -1);
		set_lua_error(err, h->fatal ? h->fatal : msg ? msg : "error", path);
		goto fail;
	}
	if (a.rc < 0)
		goto fail;
	free(source);
	*out = h;
	return 0;

fail:
	free(source);
	luahost_close(h);
	return -1;
}

void luahost_close(struct luahost *h)
{
	if (h == NULL)
		return;
	if (h->L)
		lua_close(h->L);
	clear_request(h);
	free(h->py_err_text);
	free(h->path);
	free(h->dir);
	free(h->verify_target);
	free(h->answer);
	exercise_info_free(&h->exercise);
	free(h);
}

const struct exercise_info *luahost_exercise(const struct luahost *h)
{
	return h && h->has_exercise ? &h->exercise : NULL;
}

const char *luahost_verify_target(const struct luahost *h)
{
	return h->verify_target;
}

void luahost_answer(struct luahost *h, const char *answer)
{
	free(h->answer);
	h->answer = answer ? xstrdup(answer) : NULL;
}

const struct scenario_settings *luahost_settings(const struct luahost *h)
{
	return &h->settings;
}

const char *luahost_path(const struct luahost *h)
{
	return h->path;
}

void luahost_set_sample(struct luahost *h, const struct probe_sample *s)
{
	h->last = *s;
}

int luahost_step_count(const struct luahost *h)
{
	return h->nsteps;
}

const char *luahost_step_title(const struct luahost *h, int i)
{
	const char *title;

	if (i < 0 || i >= h->nsteps)
		return "";
	lua_getfield(h->L, LUA_REGISTRYINDEX, STEPS_KEY);
	lua_geti(h->L, -1, i + 1);
	lua_getfield(h->L, -1, "title");
	title = lua_tostring(h->L, -1);   /* kept alive by the steps table */
	lua_pop(h->L, 3);
	return title ? title : "";
}

enum luahost_status luahost_resume(struct luahost *h, const struct pyresult *reply)
{
	int nres = 0, rc;

	if (h->status == LUAHOST_DONE || h->status == LUAHOST_ERROR)
		return h->status;
	if (reply) {
		h->last = reply->sample;
		h->reply = reply;
	}
	rc = lua_resume(h->co, h->L, 0, &nres);
	h->reply = NULL;
	if (rc == LUA_YIELD && h->fatal == NULL) {
		lua_pop(h->co, nres);
		return h->status;
	}
	if (rc == LUA_OK && h->fatal == NULL) {
		h->status = LUAHOST_DONE;
		return h->status;
	}

	/* The script failed: where, and why. A budget that ran out is the
	 * reason even when the script caught its error and went on. */
	const char *msg = rc == LUA_OK || rc == LUA_YIELD ? NULL : lua_tostring(h->co, -1);
	if (h->fatal && (msg == NULL || rc == LUA_ERRMEM))
		msg = h->fatal;
	char at[600] = "";
	lua_Debug ar;
	for (int level = 0; lua_getstack(h->co, level, &ar); level++) {
		lua_getinfo(h->co, "Sl", &ar);
		if (ar.currentline > 0 && strcmp(ar.short_src, "driver") != 0) {
			snprintf(at, sizeof at, "%s:%d", ar.short_src, ar.currentline);
			break;
		}
	}
	if (msg && h->py_err_text && strcmp(msg, h->py_err_text) == 0) {
		/* A Python error: name the Python file and line, and where Lua asked. */
		h->err_is_python = true;
		h->err = h->py_err;
		size_t n = strlen(h->err.msg);
		snprintf(h->err.msg + n, sizeof h->err.msg - n, " (from %s)", at);
	} else {
		set_lua_error(&h->err, msg ? msg : "error object is not a string", h->path);
		if (h->err.line == 0 && at[0]) {
			/* Errors raised from C (budgets) carry no position: use the Lua frame. */
			char *colon = strrchr(at, ':');
			snprintf(h->err.file, sizeof h->err.file, "%.*s", (int)(colon - at), at);
			h->err.line = atoi(colon + 1);
		}
	}
	h->status = LUAHOST_ERROR;
	return h->status;
}

void luahost_send_settings(const struct luahost *h)
{
	struct wire_out *w = labout_begin(LAB_SETTINGS);

	wire_u32(w, h->settings.shown);
	wire_str(w, h->settings.watch);
	wire_str(w, h->settings.graph_roots);
	labout_end(w);
}

bool luahost_error_is_python(const struct luahost *h)
{
	return h->err_is_python;
}

const struct pyjob *luahost_request(const struct luahost *h)
{
	return &h->request;
}

const char *luahost_prompt(const struct luahost *h)
{
	return h->prompt;
}

int luahost_step_index(const struct luahost *h)
{
	return h->step_index;
}

const struct error *luahost_error(const struct luahost *h)
{
	return &h->err;
}
