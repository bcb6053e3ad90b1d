/* pypath.h — how a scenario names an object: a graph root or the watched
 * object, one syntax for both.
 *
 * Dotted parts from the scenario's namespace: "Errors.user_not_found",
 * "err.__traceback__.tb_frame". Any part may end in "()" to follow a weak
 * reference ("last_error().__traceback__"); "local:NAME" reads a frame's
 * local in place ("err.__traceback__.tb_frame.local:buffer"), without the
 * f_locals dict that reading frame.f_locals would make; a first part
 * "#ADDRESS" is the object with that id() among those the cycle collector
 * tracks, which names garbage that only a cycle keeps.
 *
 * A path that names nothing (a typo, an attribute that does not exist) is
 * an error; one whose object is gone (a dead weak reference, None along the
 * way, an unbound local, an address nothing tracked is at) is not: the
 * object was there to name. Call with the GIL held. */
#ifndef EXCLAB_PYPATH_H
#define EXCLAB_PYPATH_H

#include <Python.h>
#include <stddef.h>

struct pypath;

enum pypath_found {
	PYPATH_FOUND,    /* *out holds the object */
	PYPATH_GONE,     /* it was there to name, and is not now: why says how */
	PYPATH_UNKNOWN,  /* the path names nothing: why says which part */
};

/* The parsed path, or NULL with why saying what is wrong with its text. */
struct pypath *pypath_parse(const char *text, char *why, size_t size);
void pypath_free(struct pypath *p);
const char *pypath_text(const struct pypath *p);

/* Follow p from the namespace. *out is a new reference when found, else
 * NULL; why (may be NULL) says why not. No Python error is left set. */
enum pypath_found pypath_resolve(const struct pypath *p, PyObject *namespace, PyObject **out,
                                 char *why, size_t size);

#endif
