/* value.c — plain values between the hosts. */
#include "value.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void value_free(struct value *v)
{
	if (v == NULL)
		return;
	if (v->kind == VALUE_STR) {
		free(v->u.str.s);
	} else if (v->kind == VALUE_LIST) {
		for (size_t i = 0; i < v->u.list.n; i++)
			value_free(&v->u.list.items[i]);
		free(v->u.list.items);
	}
	memset(v, 0, sizeof *v);
	v->kind = VALUE_NONE;
}

void value_copy(struct value *dst, const struct value *src)
{
	*dst = *src;
	if (src->kind == VALUE_STR) {
		dst->u.str.s = xmalloc(src->u.str.len + 1);
		memcpy(dst->u.str.s, src->u.str.s, src->u.str.len + 1);
	} else if (src->kind == VALUE_LIST) {
		dst->u.list.items = xcalloc(src->u.list.n, sizeof *dst->u.list.items);
		for (size_t i = 0; i < src->u.list.n; i++)
			value_copy(&dst->u.list.items[i], &src->u.list.items[i]);
	}
}
