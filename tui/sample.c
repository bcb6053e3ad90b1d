/* sample.c — the probes' names. */
#include "sample.h"

#include <string.h>

const struct probe_info probe_info[PROBE_COUNT] = {
	[PROBE_HEAP]    = { .key = "heap",    .label = "Python heap",   .unit = PROBE_UNIT_BYTES },
	[PROBE_RSS]     = { .key = "rss",     .label = "Process RSS",   .unit = PROBE_UNIT_BYTES },
	[PROBE_CHAIN]   = { .key = "chain",   .label = "Traceback chain", .unit = PROBE_UNIT_COUNT },
	[PROBE_FRAMES]  = { .key = "frames",  .label = "Frames kept",   .unit = PROBE_UNIT_COUNT },
	[PROBE_GC0]     = { .key = "gc0",     .label = "GC gen-0",       .unit = PROBE_UNIT_COUNT },
	[PROBE_GC_RUNS] = { .key = "gc_runs", .label = "GC collections", .unit = PROBE_UNIT_COUNT },
};

int probe_find(const char *key)
{
	for (int id = 0; id < PROBE_COUNT; id++)
		if (strcmp(probe_info[id].key, key) == 0)
			return id;
	return -1;
}
