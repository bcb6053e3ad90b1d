/* pyerror.h — the pending Python exception as a result: a message, the
 * file and line it points at (the innermost frame outside the standard
 * library), and the last entries of its traceback, formatted. Call with
 * the GIL held. */
#ifndef EXCLAB_PYERROR_H
#define EXCLAB_PYERROR_H

#include <Python.h>

#include "pyhost.h"

/* The standard library's folder, whose frames errors skip. */
void pyerror_set_stdlib(PyObject *dir);
/* Move the pending exception into r (status PYRESULT_ERROR) and drop it;
 * no-op when none is pending. sys.last_exc is never set. */
void pyerror_take(struct pyresult *r);
/* The exception's traceback object, or NULL when it has none (never None). New reference. */
PyObject *pyerror_traceback_of(PyObject *exc);

#endif
