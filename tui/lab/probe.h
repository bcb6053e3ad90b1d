/* probe.h — the measurements: what the gauges show.
 *
 * Two kinds of probe live here:
 *  - process probes, safe from any thread without the GIL: live Python-heap
 *    bytes (a counting hook on the MEM and OBJ allocator domains) and RSS;
 *  - Python probes (traceback chain length and frames kept alive for a watched
 *    object, GC counts and collections), implemented in pyhost.c because they
 *    need the GIL; they are carried here as plain numbers in a probe_sample.
 *
 * Probes must not change what they measure: nothing here allocates from the
 * Python allocators. */
#ifndef EXCLAB_PROBE_H
#define EXCLAB_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "sample.h"

/* Install the counting hook on the MEM and OBJ domains. Must run after
 * Py_PreInitialize and before Py_InitializeFromConfig, so that the hook never
 * sees a free() of a block it did not allocate. */
void probe_install_allocator(void);

/* The Python heap cap. While armed, an allocation that would take live bytes
 * past `limit` fails (Python sees MemoryError) and probe_heap_cap_hit() turns
 * true. Small blocks keep a little headroom so the error can still be built
 * and reported; nothing passes limit + headroom. limit 0 disarms. */
void probe_set_heap_cap(size_t limit);
size_t probe_heap_cap(void);
bool probe_heap_cap_hit(void);
void probe_clear_heap_cap_hit(void);

/* Live Python-heap bytes now (the heap probe). Any thread, no GIL. */
size_t probe_live_bytes(void);

/* The size requested for a block the MEM or OBJ domain handed out (what
 * tracemalloc counts for it), or 0 when ptr is not the start of one. ptr
 * must point into memory with 16 readable bytes before it: a block of ours,
 * or any object the GC tracks. GIL held. */
size_t probe_block_size(const void *ptr);

/* Fill heap (live bytes, requested sizes as tracemalloc counts them) and
 * RSS (from /proc/self/statm) into s, and s->t. Any thread, no GIL. */
void probe_sample_process(struct probe_sample *s);

#endif
