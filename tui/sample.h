/* sample.h — what the gauges show: the probes' names and one reading.
 *
 * Plain data, shared by the lab (which takes readings, probe.h) and the
 * interface (which keeps and draws them). */
#ifndef EXCLAB_SAMPLE_H
#define EXCLAB_SAMPLE_H

enum probe_id {
	PROBE_HEAP,     /* live bytes in the Python MEM+OBJ domains */
	PROBE_RSS,      /* resident set size of the lab process, bytes */
	PROBE_CHAIN,    /* entries in the watched object's __traceback__ chain */
	PROBE_FRAMES,   /* distinct frame objects that chain keeps alive (tb_frame and f_back) */
	PROBE_GC0,      /* gc generation-0 count (net new container objects) */
	PROBE_GC_RUNS,  /* collections finished since the scenario started */
	PROBE_COUNT
};

enum probe_unit { PROBE_UNIT_BYTES, PROBE_UNIT_COUNT };

struct probe_info {
	const char *key;    /* name in Lua and JSON: "heap", "rss", "chain", ... */
	const char *label;  /* name on screen */
	enum probe_unit unit;
};

extern const struct probe_info probe_info[PROBE_COUNT];

/* One reading. Bit (1u << id) of `have` says probe id was read. */
struct probe_sample {
	double t;                 /* util_now() when taken */
	double v[PROBE_COUNT];
	unsigned have;
};

/* Look a probe up by key; -1 when unknown. */
int probe_find(const char *key);

#endif
