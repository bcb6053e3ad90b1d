/* probe_pass.h — exclab probe's private passes over the heap, done as the
 * cyclic GC does its own but without collecting anything.
 *
 * probe_pass_run classifies every object the GC tracks: reachable from
 * outside the GC's lists (a reference the GC cannot see: the interpreter's
 * frames, the C stack, static objects) or from such an object; reachable
 * only once traceback objects are followed (kept alive only through
 * tracebacks); or neither: cyclic garbage waiting for a collection. The
 * bytes of each class include the untracked objects (bytes, str, numbers)
 * that only objects of that class hold.
 *
 * probe_retained answers what a set of objects keeps alive alone: what
 * would be freed if they were let go, judged by reference counts, so that
 * an object also held from elsewhere is not counted.
 *
 * Both only read: no Python object is made, nothing is freed. Call with
 * the GIL held and no collection running. */
#ifndef EXCLAB_PROBE_PASS_H
#define EXCLAB_PROBE_PASS_H

#include <Python.h>
#include <stdbool.h>

enum probe_class { CLASS_GARBAGE, CLASS_REACHABLE, CLASS_TB_ONLY };

struct probe_pass;

/* NULL when the interpreter's layout is not known (probe_heap.h). */
struct probe_pass *probe_pass_run(void);
void probe_pass_free(struct probe_pass *p);
/* The class of a tracked object; -1 when the pass did not see it. */
int probe_pass_class(const struct probe_pass *p, PyObject *o);
/* Bytes per class. */
double probe_pass_bytes(const struct probe_pass *p, enum probe_class c);
/* The objects the pass saw, in the GC's order (borrowed: valid until the
 * GIL is let go). */
int probe_pass_len(const struct probe_pass *p);
PyObject *probe_pass_object(const struct probe_pass *p, int i);

struct probe_kept {
	double bytes;     /* what they keep alive, themselves included */
	long objects;
	long frames;      /* frame objects among them */
	bool limited;     /* the walk stopped at its bound: bytes are at least this */
};

/* What `roots` keep alive alone. Modules, classes, functions and code are
 * never counted (the program holds them anyway), nor walked through. */
void probe_retained(PyObject *const *roots, int n, struct probe_kept *out);

/* The same for nsets sets let go together, roots[i] in set[i] (0 to
 * nsets - 1), into out[0 .. nsets - 1]: what several sets keep alive
 * together is counted once, with the first of them (the lowest number)
 * that reaches it, so that the sets' bytes add up to what all keep. */
void probe_retained_sets(PyObject *const *roots, int n, const int *set, int nsets,
                         struct probe_kept *out);

#endif
