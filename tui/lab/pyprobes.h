/* pyprobes.h — the probes that need Python (pyprobes.c): the chain and
 * frames gauges follow one watched object, the GC gauges count
 * collections. Call with the GIL held. */
#ifndef EXCLAB_PYPROBES_H
#define EXCLAB_PYPROBES_H

#include <Python.h>

#include "sample.h"

/* Follow the object at a dotted name in the namespace ("" follows none).
 * -1 with a Python exception set when the name cannot be kept. */
int pyprobes_watch(const char *dotted);
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
