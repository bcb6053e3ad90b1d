/* pygraph.c — an object graph from live Python objects.
 *
 * Breadth-first from the roots. Each object's referents come from its
 * tp_traverse, so the edges are what gc.get_referents reports; a per-type
 * pass then names them ("__traceback__", "tb_next", a local's name, "[3]").
 * Everything allocated here is plain C memory: the Python heap, the GC
 * counts and the objects' own state are left as they were. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <frameobject.h>
#include <structmember.h>

#include "pygraph.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pyintrospect.h"
#include "util.h"

/* ---- a pointer -> int map (open addressing) ---------------------------- */

/* A slot is in use only when its stamp is the map's current generation, so
 * emptying the map for the next object is one increment, not a wipe. */
struct ptrmap {
	uintptr_t *keys;
	int *values;
	unsigned *stamps;
	unsigned gen;
	size_t cap, len;
};

static size_t ptrmap_slot(const struct ptrmap *m, uintptr_t key)
{
	uint64_t h = (uint64_t)key;

	/* splitmix64's finaliser: every address bit reaches the low bits we mask. */
	h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ull;
	h = (h ^ (h >> 27)) * 0x94D049BB133111EBull;
	h ^= h >> 31;
	size_t i = (size_t)h & (m->cap - 1);

	while (m->stamps[i] == m->gen && m->keys[i] != key)
		i = (i + 1) & (m->cap - 1);
	return i;
}

/* Room for one more key, at most half full. */
static void ptrmap_reserve(struct ptrmap *m)
{
	if (2 * (m->len + 1) <= m->cap)
		return;
	struct ptrmap bigger = { .cap = m->cap ? m->cap * 2 : 64, .gen = 1, .len = m->len };
	bigger.keys = xmalloc(bigger.cap * sizeof *bigger.keys);
	bigger.values = xmalloc(bigger.cap * sizeof *bigger.values);
	bigger.stamps = xcalloc(bigger.cap, sizeof *bigger.stamps);
	/* Keys are distinct: each goes to the first free slot of its probe. */
	for (size_t i = 0; i < m->cap; i++) {
		if (m->stamps[i] != m->gen)
			continue;
		size_t j = ptrmap_slot(&bigger, m->keys[i]);
		bigger.keys[j] = m->keys[i];
		bigger.values[j] = m->values[i];
		bigger.stamps[j] = 1;
	}
	free(m->keys);
	free(m->values);
	free(m->stamps);
	*m = bigger;
}

static void ptrmap_put(struct ptrmap *m, uintptr_t key, int value)
{
	ptrmap_reserve(m);
	size_t i = ptrmap_slot(m, key);
	if (m->stamps[i] != m->gen)
		m->len++;
	m->keys[i] = key;
	m->values[i] = value;
	m->stamps[i] = m->gen;
}

/* key's value; when key is absent, value becomes its value and -1 is
 * returned: a look-up and an insertion in one probe. */
static int ptrmap_get_or_put(struct ptrmap *m, uintptr_t key, int value)
{
	ptrmap_reserve(m);
	size_t i = ptrmap_slot(m, key);
	if (m->stamps[i] == m->gen)
		return m->values[i];
	m->len++;
	m->keys[i] = key;
	m->values[i] = value;
	m->stamps[i] = m->gen;
	return -1;
}

static int ptrmap_get(const struct ptrmap *m, uintptr_t key)
{
	if (m->cap == 0)
		return -1;
	size_t i = ptrmap_slot(m, key);
	return m->stamps[i] == m->gen ? m->values[i] : -1;
}

/* Emptied for the next object. A map grown huge by one wide object is
 * dropped, so it does not stay the size of a million-item list. */
static void ptrmap_clear(struct ptrmap *m)
{
	if (m->cap > 4096 || m->gen == ~0u) {
		free(m->keys);
		free(m->values);
		free(m->stamps);
		memset(m, 0, sizeof *m);
	}
	m->gen++;
	m->len = 0;
}

static void ptrmap_free(struct ptrmap *m)
{
	free(m->keys);
	free(m->values);
	free(m->stamps);
}

/* ---- text into fixed buffers ------------------------------------------- */

/* A capture names every edge and describes every object: tens of thousands
 * of short strings, where snprintf's cost was most of the capture's time.
 * These append to a buffer and cut the text where snprintf would: at the
 * buffer's size less one byte, whatever that splits. */
struct text {
	char *p, *end;   /* end: where the terminating NUL goes when full */
};

static struct text text_at(char *buf, size_t size)
{
	*buf = '\0';
	return (struct text){ buf, buf + size - 1 };
}

/* At most max bytes of s (as "%.<max>s"). */
static void text_strn(struct text *t, const char *s, size_t max)
{
	size_t room = (size_t)(t->end - t->p), n = strnlen(s, max < room ? max : room);

	memcpy(t->p, s, n);
	t->p += n;
	*t->p = '\0';
}

static void text_str(struct text *t, const char *s)
{
	text_strn(t, s, SIZE_MAX);
}

/* As "%lld". */
static void text_int(struct text *t, long long v)
{
	char digits[24], *d = digits + sizeof digits;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	*--d = '\0';
	do
		*--d = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--d = '-';
	text_str(t, d);
}

/* "[i]": an item's or an int key's name. */
static const char *index_name(char buf[24], long long i)
{
	struct text t = text_at(buf, 24);

	text_str(&t, "[");
	text_int(&t, i);
	text_str(&t, "]");
	return buf;
}

/* ---- labels: referent address -> names, for one object ----------------- */

/* An object can reach the same referent by several names (__cause__ and
 * __context__ both naming one exception): each edge to it takes the next
 * name in order. */
struct labels {
	struct ptrmap index;     /* referent -> its first entry */
	char (*names)[48];
	int *next;               /* the referent's next entry, -1 at the end */
	int *cursor;             /* first entry: the one the next edge takes */
	int len, cap;
};

static void labels_reset(struct labels *l)
{
	ptrmap_clear(&l->index);
	l->len = 0;
}

static void label(struct labels *l, PyObject *target, const char *name)
{
	if (target == NULL)
		return;
	if (l->len == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->names = xrealloc(l->names, (size_t)l->cap * sizeof *l->names);
		l->next = xrealloc(l->next, (size_t)l->cap * sizeof *l->next);
		l->cursor = xrealloc(l->cursor, (size_t)l->cap * sizeof *l->cursor);
	}
	util_copy(l->names[l->len], sizeof l->names[l->len], name);
	l->next[l->len] = -1;
	l->cursor[l->len] = l->len;
	int first = ptrmap_get_or_put(&l->index, (uintptr_t)target, l->len);
	if (first >= 0) {
		int last = first;
		while (l->next[last] >= 0)
			last = l->next[last];
		l->next[last] = l->len;
	}
	l->len++;
}

/* The name for the next edge to target; the last name repeats. */
static const char *label_of(struct labels *l, PyObject *target)
{
	int first = ptrmap_get(&l->index, (uintptr_t)target), at;

	if (first < 0)
		return NULL;
	at = l->cursor[first];
	if (l->next[at] >= 0)
		l->cursor[first] = l->next[at];
	return l->names[at];
}

static const char *utf8(PyObject *s)
{
	const char *u = PyUnicode_Check(s) ? PyUnicode_AsUTF8(s) : NULL;

	if (u == NULL)
		PyErr_Clear();
	return u ? u : "?";
}

static void label_name(void *arg, PyObject *name, PyObject *value)
{
	label(arg, value, utf8(name));
}

static void label_dict(struct labels *l, PyObject *dict)
{
	Py_ssize_t pos = 0;
	PyObject *key, *value;
	char name[48];

	while (PyDict_Next(dict, &pos, &key, &value)) {
		if (PyUnicode_Check(key)) {
			label(l, value, utf8(key));
		} else if (PyLong_CheckExact(key)) {
			label(l, value, index_name(name, PyLong_AsLongLong(key)));
		} else {
			snprintf(name, sizeof name, "[%s key]", Py_TYPE(key)->tp_name);
			label(l, value, name);
		}
		label(l, key, "(key)");
	}
	PyErr_Clear();
}

/* Items of a list or tuple subclass by position; past LABELLED_ITEMS the
 * rest go unnamed rather than grow the map by a million entries. */
#define LABELLED_ITEMS 4096

static void label_items(struct labels *l, PyObject *seq)
{
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	char name[24];

	for (Py_ssize_t i = 0; i < n && i < LABELLED_ITEMS; i++)
		label(l, PySequence_Fast_ITEMS(seq)[i], index_name(name, i));
}

/* An instance's __slots__, read where each slot's member keeps it: the
 * classes defined in Python up its bases, as tp_traverse visits them. */
static void label_slots(struct labels *l, PyObject *o)
{
	for (PyTypeObject *tp = Py_TYPE(o); tp && (tp->tp_flags & Py_TPFLAGS_HEAPTYPE); tp = tp->tp_base) {
		for (PyMemberDef *m = tp->tp_members; m && m->name; m++)
			if (m->type == T_OBJECT_EX || m->type == T_OBJECT)
				label(l, *(PyObject **)((char *)o + m->offset), m->name);
	}
}

static void labels_for(struct labels *l, PyObject *o)
{
	labels_reset(l);
	if (PyExceptionInstance_Check(o)) {
		PyBaseExceptionObject *e = (PyBaseExceptionObject *)o;
		label(l, e->traceback, "__traceback__");
		label(l, e->context, "__context__");
		label(l, e->cause, "__cause__");
		label(l, e->args, "args");
		label(l, e->dict, "__dict__");
		label(l, e->notes, "__notes__");
	} else if (PyTraceBack_Check(o)) {
		PyTracebackObject *tb = (PyTracebackObject *)o;
		label(l, (PyObject *)tb->tb_next, "tb_next");
		label(l, (PyObject *)tb->tb_frame, "tb_frame");
	} else if (PyFrame_Check(o)) {
		PyObject *func, *code, *locals, *trace, *extra, *cache;
		pyintrospect_frame_locals(o, label_name, l);
		label(l, pyintrospect_frame_back(o), "f_back");
		pyintrospect_frame_fields(o, &func, &code, &locals);
		label(l, func, "f_func");
		label(l, code, "f_code");
		label(l, locals, "f_locals");
		pyintrospect_frame_others(o, &trace, &extra, &cache);
		label(l, trace, "f_trace");
		label(l, extra, "f_extra_locals");
		label(l, cache, "f_locals_cache");
	} else if (PyDict_Check(o)) {
		label_dict(l, o);
	} else if (PyCell_Check(o)) {
		label(l, PyCell_GET(o), "cell_contents");
	} else if (PyFunction_Check(o)) {
		PyFunctionObject *fn = (PyFunctionObject *)o;
		label(l, fn->func_globals, "__globals__");
		label(l, fn->func_closure, "__closure__");
		label(l, fn->func_defaults, "__defaults__");
		label(l, fn->func_kwdefaults, "__kwdefaults__");
		label(l, fn->func_code, "__code__");
		label(l, fn->func_dict, "__dict__");
		label(l, fn->func_module, "__module__");
		label(l, fn->func_name, "__name__");
		label(l, fn->func_qualname, "__qualname__");
		label(l, fn->func_doc, "__doc__");
		label(l, fn->func_annotations, "__annotations__");
		label(l, fn->func_builtins, "__builtins__");
	} else if (PyCFunction_Check(o)) {
		label(l, PyCFunction_GET_SELF(o), "__self__");
		label(l, ((PyCFunctionObject *)o)->m_module, "__module__");
	} else if (PyMethod_Check(o)) {
		label(l, PyMethod_GET_SELF(o), "__self__");
		label(l, PyMethod_GET_FUNCTION(o), "__func__");
	} else if (PyType_Check(o)) {
		/* A class's traverse visits these (types defined in Python only). */
		PyTypeObject *tp = (PyTypeObject *)o;
		label(l, tp->tp_dict, "__dict__");
		label(l, tp->tp_mro, "__mro__");
		label(l, tp->tp_bases, "__bases__");
		label(l, (PyObject *)tp->tp_base, "__base__");
		label(l, tp->tp_cache, "(cache)");
		if (tp->tp_flags & Py_TPFLAGS_HEAPTYPE)
			label(l, ((PyHeapTypeObject *)tp)->ht_module, "(defining module)");
	} else if (PyList_Check(o) || PyTuple_Check(o)) {
		label_items(l, o);   /* a subclass: exact ones are named by position */
	}
	if (!PyType_Check(o) && (Py_TYPE(o)->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
		/* An instance of a class: its attributes, in place, in __slots__ or
		 * in __dict__. */
		pyintrospect_inline_attrs(o, label_name, l);
		label_slots(l, o);
		label(l, pyintrospect_instance_dict(o), "__dict__");
		label(l, (PyObject *)Py_TYPE(o), "__class__");
	}
}

/* ---- what a node says about its object --------------------------------- */

static enum graph_kind kind_of(PyObject *o)
{
	if (PyExceptionInstance_Check(o)) return GRAPH_EXCEPTION;
	if (PyTraceBack_Check(o)) return GRAPH_TRACEBACK;
	if (PyFrame_Check(o)) return GRAPH_FRAME;
	if (PyDict_Check(o)) return GRAPH_DICT;
	if (PyList_Check(o)) return GRAPH_LIST;
	if (PyTuple_Check(o)) return GRAPH_TUPLE;
	if (PyAnySet_Check(o)) return GRAPH_SET;
	if (PyCell_Check(o)) return GRAPH_CELL;
	if (PyFunction_Check(o)) return GRAPH_FUNCTION;
	if (PyMethod_Check(o)) return GRAPH_METHOD;
	if (PyCode_Check(o)) return GRAPH_CODE;
	if (PyModule_Check(o)) return GRAPH_MODULE;
	if (PyType_Check(o)) return GRAPH_TYPE;
	if (PyBytes_Check(o) || PyByteArray_Check(o)) return GRAPH_BYTES;
	if (PyUnicode_Check(o)) return GRAPH_STR;
	if (PyLong_Check(o) || PyFloat_Check(o) || PyBool_Check(o)) return GRAPH_NUMBER;
	if (Py_TYPE(o)->tp_flags & Py_TPFLAGS_HEAPTYPE) return GRAPH_INSTANCE;
	return GRAPH_OTHER;
}

static const char *basename_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* A module's namespace: a scenario's has __builtins__, an imported module's
 * (builtins' own among them) has __spec__. */
static bool is_namespace(PyObject *dict)
{
	/* Made once, not a new str (decoded and hashed) per look-up as
	 * PyDict_GetItemString makes: the same answers. */
	static PyObject *name, *builtins, *spec;

	if (name == NULL) {
		name = PyUnicode_InternFromString("__name__");
		builtins = PyUnicode_InternFromString("__builtins__");
		spec = PyUnicode_InternFromString("__spec__");
		if (name == NULL || builtins == NULL || spec == NULL) {
			PyErr_Clear();
			Py_CLEAR(name);
			return false;
		}
	}
	return PyDict_GetItem(dict, name) != NULL &&
	       (PyDict_GetItem(dict, builtins) != NULL || PyDict_GetItem(dict, spec) != NULL);
}

/* A short description built from the object's fields: never its __repr__.
 * Written with struct text, as snprintf would write it (the formats in the
 * comments), but for the few rare ones snprintf still writes. */
static void describe(PyObject *o, enum graph_kind kind, char *buf, size_t size,
                     struct pyintrospect_lines *lines)
{
	struct text t = text_at(buf, size);

	switch (kind) {
	case GRAPH_EXCEPTION: {
		PyObject *args = ((PyBaseExceptionObject *)o)->args;
		PyObject *first = args && PyTuple_Check(args) && PyTuple_GET_SIZE(args) > 0
		                  ? PyTuple_GET_ITEM(args, 0) : NULL;
		text_str(&t, Py_TYPE(o)->tp_name);
		if (first && PyUnicode_Check(first)) {   /* "%s('%.60s')" */
			text_str(&t, "('");
			text_strn(&t, utf8(first), 60);
			text_str(&t, "')");
		} else {                                 /* "%s()" */
			text_str(&t, "()");
		}
		break;
	}
	case GRAPH_TRACEBACK: {
		PyTracebackObject *tb = (PyTracebackObject *)o;
		/* tb_frame is NULL once the GC has cleared the traceback. */
		PyCodeObject *code = tb->tb_frame ? PyFrame_GetCode(tb->tb_frame) : NULL;
		int line = pyintrospect_tb_line(o);
		if (code) {                              /* "%s:%d" */
			text_str(&t, basename_of(utf8(code->co_filename)));
			text_str(&t, ":");
			text_int(&t, line);
		} else if (line >= 0) {                  /* "cleared, line %d" */
			text_str(&t, "cleared, line ");
			text_int(&t, line);
		} else {
			text_str(&t, "cleared");
		}
		Py_XDECREF(code);
		break;
	}
	case GRAPH_FRAME: {                              /* "%s() %s:%d" */
		PyCodeObject *code = PyFrame_GetCode((PyFrameObject *)o);
		text_str(&t, utf8(code->co_name));
		text_str(&t, "() ");
		text_str(&t, basename_of(utf8(code->co_filename)));
		text_str(&t, ":");
		text_int(&t, pyintrospect_frame_line(o, lines));
		Py_DECREF(code);
		break;
	}
	case GRAPH_DICT:
	case GRAPH_SET:
	case GRAPH_LIST:
	case GRAPH_TUPLE: {                              /* "%zd item%s" */
		/* Read in place: a subclass's own __len__ would run code mid-capture. */
		Py_ssize_t n = PyDict_Check(o) ? PyDict_GET_SIZE(o) : PyAnySet_Check(o) ? PySet_GET_SIZE(o)
		               : PySequence_Fast_GET_SIZE(o);
		text_int(&t, n);
		text_str(&t, n == 1 ? " item" : " items");
		break;
	}
	case GRAPH_FUNCTION:                             /* "%s()" */
		text_str(&t, utf8(((PyFunctionObject *)o)->func_qualname));
		text_str(&t, "()");
		break;
	case GRAPH_CODE:                                 /* "code %s" */
		text_str(&t, "code ");
		text_str(&t, utf8(((PyCodeObject *)o)->co_name));
		break;
	case GRAPH_MODULE:
		snprintf(buf, size, "module %s", PyModule_GetName(o) ? PyModule_GetName(o) : "?");
		PyErr_Clear();
		break;
	case GRAPH_TYPE:                                 /* "class %s" */
		text_str(&t, "class ");
		text_str(&t, ((PyTypeObject *)o)->tp_name);
		break;
	case GRAPH_BYTES:                                /* "%zd bytes" */
		text_int(&t, PyBytes_Check(o) ? PyBytes_GET_SIZE(o) : PyByteArray_GET_SIZE(o));
		text_str(&t, " bytes");
		break;
	case GRAPH_STR:                                  /* "'%.40s%s'" */
		text_str(&t, "'");
		text_strn(&t, utf8(o), 40);
		text_str(&t, PyUnicode_GET_LENGTH(o) > 40 ? "…'" : "'");
		break;
	case GRAPH_NUMBER:
		if (PyBool_Check(o))
			text_str(&t, o == Py_True ? "True" : "False");
		else if (PyFloat_Check(o))
			snprintf(buf, size, "%g", PyFloat_AS_DOUBLE(o));
		else                                     /* "%lld" */
			text_int(&t, PyLong_AsLongLong(o));
		PyErr_Clear();
		break;
	default:                                         /* "<%s>" */
		if (o == Py_None) {
			text_str(&t, "None");
		} else {
			text_str(&t, "<");
			text_str(&t, Py_TYPE(o)->tp_name);
			text_str(&t, ">");
		}
		break;
	}
}

/* The interpreter's machinery and the constants it keeps for good (None,
 * True, False, the small ints it caches), which no leak keeps alive: what a
 * lesson's picture can leave out (graph_hide_incidental). */
static bool is_incidental(PyObject *o, enum graph_kind kind)
{
	int overflow;
	long value;

	switch (kind) {
	case GRAPH_CODE:
	case GRAPH_FUNCTION:
	case GRAPH_MODULE:
	case GRAPH_TYPE:
		return true;
	case GRAPH_DICT:
		return is_namespace(o);
	case GRAPH_NUMBER:
		if (!PyLong_CheckExact(o))
			return PyBool_Check(o);
		value = PyLong_AsLongAndOverflow(o, &overflow);
		return !overflow && value >= -5 && value <= 256;
	default:
		return PyCFunction_Check(o) || o == Py_None || o == Py_Ellipsis ||
		       o == Py_NotImplemented;
	}
}

/* Module namespaces, code, modules and classes end the walk: they lead to
 * everything else in the program, and a lesson is about what lies before. */
static bool is_leaf(PyObject *o, const struct graph_node *node, const struct pygraph_limits *lim)
{
	if (node->kind == GRAPH_TYPE)
		return !(lim->follow_classes && (((PyTypeObject *)o)->tp_flags & Py_TPFLAGS_HEAPTYPE));
	if (node->kind == GRAPH_CODE || node->kind == GRAPH_MODULE)
		return true;
	/* A dict is incidental when it is a namespace (is_incidental). */
	return node->kind == GRAPH_DICT && node->incidental;
}

/* ---- the walk ---------------------------------------------------------- */

struct referents {
	PyObject **items;
	int len, cap;
};

static int collect(PyObject *child, void *arg)
{
	struct referents *r = arg;

	if (child == NULL)
		return 0;
	if (r->len == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 32;
		r->items = xrealloc(r->items, (size_t)r->cap * sizeof *r->items);
	}
	r->items[r->len++] = child;
	return 0;
}

struct walk {
	struct graph *g;
	struct ptrmap index;     /* object -> node */
	PyObject **objs;         /* node -> object (borrowed) */
	int *depth;
	int *in_degree;          /* edges into each node from captured nodes */
	int cap;
	struct pyintrospect_lines lines;   /* frames' line numbers by code and instruction */
};

static int add_object(struct walk *w, PyObject *o, int depth)
{
	struct graph_node n = { .addr = (uintptr_t)o };
	int i;

	n.kind = kind_of(o);
	util_copy(n.type, sizeof n.type, Py_TYPE(o)->tp_name);
	describe(o, n.kind, n.repr, sizeof n.repr, &w->lines);
	n.incidental = is_incidental(o, n.kind);
	n.size = pyintrospect_sizeof(o);
	i = graph_add_node(w->g, &n);
	if (i == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 256;
		w->objs = xrealloc(w->objs, (size_t)w->cap * sizeof *w->objs);
		w->depth = xrealloc(w->depth, (size_t)w->cap * sizeof *w->depth);
		w->in_degree = xrealloc(w->in_degree, (size_t)w->cap * sizeof *w->in_degree);
	}
	w->objs[i] = o;
	w->depth[i] = depth;
	w->in_degree[i] = 0;
	return i;
}

struct graph *pygraph_capture(PyObject *const *roots, const char *const *names, int n_roots,
                              const struct pygraph_limits *lim)
{
	struct walk w = { .g = graph_new() };
	struct referents refs = { 0 };
	struct labels labels = { 0 };

	for (int r = 0; r < n_roots; r++) {
		if (roots[r] == NULL || ptrmap_get(&w.index, (uintptr_t)roots[r]) >= 0)
			continue;
		int i = add_object(&w, roots[r], 0);
		ptrmap_put(&w.index, (uintptr_t)roots[r], i);
		w.g->nodes[i].root = true;
		snprintf(w.g->nodes[i].root_name, sizeof w.g->nodes[i].root_name, "%s", names[r]);
	}
	/* Breadth first: node order is the visiting order. */
	for (int v = 0; v < w.g->n_nodes; v++) {
		PyObject *o = w.objs[v];
		struct graph_node *node = &w.g->nodes[v];
		traverseproc traverse = Py_TYPE(o)->tp_traverse;
		long skipped = 0;
		size_t skipped_bytes = 0;

		if (!PyObject_IS_GC(o) || traverse == NULL)
			continue;
		if ((w.depth[v] > 0 && is_leaf(o, node, lim)) || w.depth[v] >= lim->depth ||
		    w.g->limited) {
			/* Past the node limit nothing more is expanded: one "+N more"
			 * stands where the limit was reached. */
			node->truncated = true;
			continue;
		}
		refs.len = 0;
		traverse(o, collect, &refs);
		/* Lists and tuples visit their items last to first: the position is
		 * the name, with no map to build for a million items (checked
		 * against the item, in case the sequence has holes). */
		bool by_index = PyList_CheckExact(o) || PyTuple_CheckExact(o);
		Py_ssize_t n_items = by_index ? PySequence_Fast_GET_SIZE(o) : 0;
		if (!by_index)
			labels_for(&labels, o);
		/* In index order for sequences (traversed last to first). */
		for (int j = 0; j < refs.len; j++) {
			int k = by_index ? refs.len - 1 - j : j;
			PyObject *child = refs.items[k];
			char index[24];
			const char *name = index;
			if (by_index) {
				Py_ssize_t i = n_items - 1 - k;
				if (i >= 0 && PySequence_Fast_ITEMS(o)[i] == child)
					index_name(index, i);
				else
					name = "[?]";
			} else {
				name = label_of(&labels, child);
			}
			if (lim->skip_tracebacks && PyTraceBack_Check(child))
				continue;
			/* Below the node limit, a child not seen yet gets the next
			 * node's index, in the look-up's own probe. */
			bool room = w.g->n_nodes < lim->nodes;
			int c = room ? ptrmap_get_or_put(&w.index, (uintptr_t)child, w.g->n_nodes)
			             : ptrmap_get(&w.index, (uintptr_t)child);
			if (c < 0) {
				if (!room) {
					skipped++;
					skipped_bytes += pyintrospect_sizeof(child);
					continue;
				}
				c = add_object(&w, child, w.depth[v] + 1);
			}
			w.in_degree[c]++;
			/* No field or name known for it: say so rather than leave it blank. */
			graph_add_edge(w.g, v, c, name ? name : "(referent)");
		}
		if (skipped) {
			struct graph_node more = { .kind = GRAPH_MORE, .collapsed = skipped,
			                           .collapsed_bytes = skipped_bytes };
			char count[32];
			util_fmt_count((double)skipped, count, sizeof count);
			snprintf(more.type, sizeof more.type, "more");
			snprintf(more.repr, sizeof more.repr, "+%s more not captured", count);
			w.g->nodes[v].truncated = true;
			int m = graph_add_node(w.g, &more);
			graph_add_edge(w.g, v, m, "…");
			w.g->limited = true;
			/* Keep objs/depth in step with the nodes array. */
			if (m == w.cap) {
				w.cap *= 2;
				w.objs = xrealloc(w.objs, (size_t)w.cap * sizeof *w.objs);
				w.depth = xrealloc(w.depth, (size_t)w.cap * sizeof *w.depth);
				w.in_degree = xrealloc(w.in_degree, (size_t)w.cap * sizeof *w.in_degree);
			}
			w.objs[m] = Py_None;
			w.depth[m] = lim->depth;
			w.in_degree[m] = 1;
		}
	}
	/* An object with more references than captured edges into it is held
	 * from outside the graph too; so is any object still in use by the
	 * interpreter (a running frame). Roots hold one reference for us. */
	for (int v = 0; v < w.g->n_nodes; v++) {
		struct graph_node *node = &w.g->nodes[v];
		if (node->kind == GRAPH_MORE)
			continue;
		Py_ssize_t held = Py_REFCNT(w.objs[v]) - w.in_degree[v] - (node->root ? 1 : 0);
		node->external = held > 0;
	}
	w.g->reachable = w.g->n_nodes;
	graph_find_cycles(w.g);

	PyErr_Clear();
	free(refs.items);
	ptrmap_free(&labels.index);
	free(labels.names);
	free(labels.next);
	free(labels.cursor);
	ptrmap_free(&w.index);
	free(w.objs);
	free(w.depth);
	free(w.in_degree);
	return w.g;
}
