/* pyintrospect.h — read what a frame's locals and an instance's attributes
 * hold, by name, without creating anything: no f_locals dict (reading
 * frame.f_locals materialises one on 3.11 and 3.12 and so changes what is
 * kept alive), no instance __dict__ (touching it moves instances away from
 * their inline values). Call with the GIL held.
 *
 * Uses CPython's internal structures for the version exclab is built
 * against: 3.11, 3.12 or 3.13 (meson.build refuses any other). */
#ifndef EXCLAB_PYINTROSPECT_H
#define EXCLAB_PYINTROSPECT_H

#include <Python.h>
#include <stdint.h>

/* Called once per named slot that holds an object; borrowed references. */
typedef void (*pyintrospect_visit)(void *arg, PyObject *name, PyObject *value);

/* The frame's fast locals, cells and free variables. */
void pyintrospect_frame_locals(PyObject *frame, pyintrospect_visit visit, void *arg);
/* The instance's attributes held inline (managed dicts). No visits when it
 * keeps them in an ordinary __dict__ (read that as a dict). */
void pyintrospect_inline_attrs(PyObject *obj, pyintrospect_visit visit, void *arg);

/* The frame's local `name` (a str), read in place: 1 with *value the
 * object it holds (borrowed; a cell's contents for a cell variable; NULL
 * while it is unbound, or once the frame was cleared); 0 when the frame's
 * code has no such local. */
int pyintrospect_frame_local(PyObject *frame, PyObject *name, PyObject **value);
/* The object at addr, if the cycle collector tracks one there: 1 and *obj
 * (borrowed), else 0. addr is compared with the tracked objects'
 * addresses, never dereferenced: it may be stale. */
int pyintrospect_find_tracked(uintptr_t addr, PyObject **obj);

/* The function, code object and locals dict a frame refers to, borrowed.
 * The dict is NULL in a function's frame until 3.11 or 3.12 materialise it
 * (3.13 never does: frame.f_locals is a proxy there, PEP 667); a class
 * body's or a module's frame has its namespace there. */
void pyintrospect_frame_fields(PyObject *frame, PyObject **func, PyObject **code, PyObject **locals);
/* The frame object's other references, borrowed, NULL when unset: f_trace,
 * and from 3.13 f_extra_locals and f_locals_cache (NULL before). */
void pyintrospect_frame_others(PyObject *frame, PyObject **trace, PyObject **extra_locals,
                               PyObject **locals_cache);
/* A traceback entry's line. From 3.12 tb_lineno is -1 until Python code
 * asks for it; the line table gives it without making an int object. -1
 * once the GC has cleared the entry's frame. */
int pyintrospect_tb_line(PyObject *tb);
/* PyFrame_GetLineNumber(frame), remembered in memo (zeroed before its
 * first use, and for no longer than the code objects it names live) by
 * code object and instruction: the frames of one recursion or of one
 * function called again and again share both, and scanning the line table
 * each time was the most expensive part of describing a frame. */
struct pyintrospect_lines {
	struct {
		const void *code;
		int lasti, line;
	} slot[64];
};
int pyintrospect_frame_line(PyObject *frame, struct pyintrospect_lines *memo);
/* The frame's stored f_back, borrowed, or NULL. Unlike PyFrame_GetBack this
 * never creates a frame object for a caller that is still running. */
PyObject *pyintrospect_frame_back(PyObject *frame);
/* The instance's __dict__ if it holds its attributes, borrowed, or NULL
 * (as tp_traverse sees it: on 3.13 a __dict__ built on inline values that
 * still hold the attributes is not visited). Unlike _PyObject_GetDictPtr
 * this never builds one from inline values. */
PyObject *pyintrospect_instance_dict(PyObject *obj);

/* The GC's generation-0 count, read from the interpreter's state.
 * gc.get_count() would create a tuple to say it, and tuples of that size
 * are recycled without being uncounted: the reading would move the count
 * it reads. */
long pyintrospect_gc_count0(void);

/* An interpreter frame's code object: f_code until 3.12, f_executable
 * from 3.13 (a code object in any frame that runs the program's code). */
struct _PyInterpreterFrame;
PyCodeObject *pyintrospect_frame_code(struct _PyInterpreterFrame *f);
/* sys.getsizeof without running Python code: the type's own C __sizeof__
 * (a method descriptor), else its basic and item sizes; plus the GC header
 * for tracked objects, as sys.getsizeof adds. */
size_t pyintrospect_sizeof(PyObject *o);

#endif
