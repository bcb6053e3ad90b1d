/* pyprobes.h — the probes that need Python (pyprobes.c): the chain and
 * frames gauges follow one watched object, the GC gauges count
 * collections. Call with the GIL held. */
#ifndef EXCLAB_PYPROBES_H
#define EXCLAB_PYPROBES_H

#include <Python.h>

#include "sample.h"

/* Follow the object a path names in the namespace (pypath.h; "" follows
 * none). -1 and why when the path names nothing now; one whose object is
 * gone is followed all the same. */
int pyprobes_watch(PyObject *namespace, const char *path, char *why, size_t size);
/* Every probe: the chain and frames of the watched object in namespace,
 * the GC counts, and the process probes (probe.h). */
void pyprobes_sample(PyObject *namespace, struct probe_sample *s);

/* A collection finished (from gc.callbacks). */
void pyprobes_gc_event(int generation, long collected);
/* A job begins: its collections are counted afresh. */
void pyprobes_new_job(void);
/* Collections during the job, per generation, and what they found. */
void pyprobes_gc_counts(int counts[3], long *found);
/* A fresh namespace: no watched object, no collections counted. */
void pyprobes_reset(void);

#endif
