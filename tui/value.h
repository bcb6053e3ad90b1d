/* value.h — plain C values passed between the Python and Lua hosts.
 *
 * Neither interpreter ever sees the other's objects: a Python result becomes
 * a struct value on the Python thread, and Lua reads it on the main thread. */
#ifndef EXCLAB_VALUE_H
#define EXCLAB_VALUE_H

#include <stddef.h>

enum value_kind {
	VALUE_NONE,
	VALUE_BOOL,
	VALUE_INT,
	VALUE_FLOAT,
	VALUE_STR,   /* also the safe repr of anything without a plain equivalent */
	VALUE_LIST,  /* list or tuple of values */
};

struct value {
	enum value_kind kind;
	union {
		int b;
		long long i;
		double f;
		struct { char *s; size_t len; } str;
		struct { struct value *items; size_t n; } list;
	} u;
};

/* One conversion between Lua and Python carries at most this much: Python
 * lists and Lua tables past it are cut (Python's side) or refused (Lua's). */
#define VALUE_MAX_ITEMS 100000
#define VALUE_MAX_BYTES ((size_t)16 * 1024 * 1024)

void value_free(struct value *v);   /* frees contents; v becomes VALUE_NONE */
void value_copy(struct value *dst, const struct value *src);

#endif
