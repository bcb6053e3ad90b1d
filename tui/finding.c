/* finding.c — findings as plain data: names, copies, the --fail-on limit. */
#include "finding.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

const char *const finding_kind_key[FINDING_KIND_COUNT] = {
	[FINDING_REUSED] = "reused",
	[FINDING_CYCLE] = "cycle",
	[FINDING_KEPT] = "kept",
	[FINDING_HINT] = "hint",
};

const char *const finding_kind_name[FINDING_KIND_COUNT] = {
	[FINDING_REUSED] = "reused exception instance",
	[FINDING_CYCLE] = "exception reference cycles",
	[FINDING_KEPT] = "exceptions kept after their handler",
	[FINDING_HINT] = "hint from the source",
};

static char *dup_or_empty(const char *s)
{
	return xstrdup(s ? s : "");
}

void finding_copy(struct finding *dst, const struct finding *src)
{
	*dst = *src;
	dst->title = dup_or_empty(src->title);
	dst->raise_at = dup_or_empty(src->raise_at);
	dst->except_at = dup_or_empty(src->except_at);
	dst->store_at = dup_or_empty(src->store_at);
	dst->detail = dup_or_empty(src->detail);
}

void finding_free(struct finding *f)
{
	if (f == NULL)
		return;
	free(f->title);
	free(f->raise_at);
	free(f->except_at);
	free(f->store_at);
	free(f->detail);
	f->title = f->raise_at = f->except_at = f->store_at = f->detail = NULL;
}

int finding_parse_limit(const char *text, bool *any, double *bytes)
{
	static const struct { const char *suffix; double scale; } units[] = {
		{ "", 1 }, { "b", 1 }, { "k", 1e3 }, { "kb", 1e3 }, { "m", 1e6 }, { "mb", 1e6 },
		{ "g", 1e9 }, { "gb", 1e9 }, { "kib", 1024.0 }, { "mib", 1024.0 * 1024 },
		{ "gib", 1024.0 * 1024 * 1024 },
	};
	char *end;
	double n;

	*any = false;
	*bytes = 0;
	if (strcasecmp(text, "any") == 0) {
		*any = true;
		return 0;
	}
	n = strtod(text, &end);
	if (end == text || n < 0 || !isdigit((unsigned char)text[0]))
		return -1;
	while (*end == ' ')
		end++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			*bytes = n * units[i].scale;
			return 0;
		}
	}
	return -1;
}

bool finding_over_limit(const struct finding *f, int n, bool any, double bytes)
{
	double total = 0;

	for (int i = 0; i < n; i++) {
		if (f[i].kind == FINDING_HINT || f[i].gone)
			continue;
		if (any)
			return true;
		total += (double)f[i].bytes;
	}
	return !any && total > bytes;
}
