/* pyvalue.h — Python objects as plain values (struct value) for Lua, and
 * plain values as Python objects. Call with the GIL held. */
#ifndef EXCLAB_PYVALUE_H
#define EXCLAB_PYVALUE_H

#include <Python.h>

#include "value.h"

/* o as a value, never running the object's own __repr__: scalars by value,
 * lists and tuples three levels deep within VALUE_MAX_ITEMS and
 * VALUE_MAX_BYTES (what does not fit is said so in a last item), anything
 * else as "<type object at address>". */
void pyvalue_to_lua(PyObject *o, struct value *v);
/* v as a new Python object; NULL with an exception set on failure. */
PyObject *pyvalue_from(const struct value *v);

#endif
