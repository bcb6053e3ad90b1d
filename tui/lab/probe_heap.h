/* probe_heap.h — the interpreter's own state, read in place for exclab
 * probe: every object the GC tracks, the exceptions threads are raising or
 * handling, the frames that run, the GC's settings, and the bytes an object
 * takes as tracemalloc counts them.
 *
 * Nothing here creates a Python object or runs Python code, so reading
 * changes nothing the program could see: no collection is triggered, no
 * frame object is made for a running frame. Call with the GIL held.
 * CPython's layouts are known for 3.11, 3.12 and 3.13; elsewhere
 * probe_heap_supported() is false and exclab probe runs the program
 * without findings, and says so. */
#ifndef EXCLAB_PROBE_HEAP_H
#define EXCLAB_PROBE_HEAP_H

#include <Python.h>
#include <stdbool.h>

typedef void (*probe_heap_visit)(PyObject *o, void *arg);

bool probe_heap_supported(void);

/* Every object the GC tracks, in every generation. The visitor must not
 * create or free objects. */
void probe_heap_walk(probe_heap_visit visit, void *arg);

/* The exceptions some thread is raising or handling now (its exception
 * stack, and the traceback of the one it raises), and, for a generator or coroutine, the one it handles where it is
 * suspended (NULL: none). */
void probe_heap_active(probe_heap_visit visit, void *arg);
PyObject *probe_heap_gen_exception(PyObject *gen);

/* Each frame that runs now, innermost first per thread: its code, its
 * current line, and its local variables' names and values (a value may be
 * NULL). */
typedef void (*probe_heap_frame_visit)(PyCodeObject *code, int line, PyObject *const *values,
                                       int n, void *arg);
void probe_heap_frames(probe_heap_frame_visit visit, void *arg);

/* The bytes o and the blocks only it owns take, as requested from the
 * allocator (tracemalloc's count): its own block with the GC header, a
 * list's items, a dict's keys and values, a set's table. */
size_t probe_heap_size(PyObject *o);

/* The GC's list of uncollectable objects (gc.garbage, even when the
 * program rebound the name) and its debug flags, borrowed. */
PyObject *probe_heap_garbage(void);
int *probe_heap_gc_debug(void);

/* The handler that instruction `lasti` goes to, past the compiler's
 * cleanups, as a byte offset in code: an except clause (the first of its
 * try statement), a finally, a with's exit; -1 when none. Given a
 * handler, the one around it. probe_heap_handler_line: its line, 0 for -1. */
int probe_heap_handler(PyCodeObject *code, int lasti);
int probe_heap_handler_line(PyCodeObject *code, int at);

#endif
