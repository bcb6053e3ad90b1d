/* lab.h — the lab: the process that runs a scenario's Lua and Python.
 *
 * The interface starts it as `exclab __lab FD` (labproc.h) and talks to it
 * over the socket FD (labproto.h). The lab owns the embedded CPython (on its
 * main thread, as plain python3 runs a program), the scenario's Lua state,
 * the probes and the graph capture; the interface never links a Python or
 * Lua object. Whatever the scenario does to this process (blocks, crashes,
 * forks, exits, leaves threads behind) the interface stays live and reports
 * it. The lab never finalises Python: it ends with _exit, so no thread the
 * scenario left running can hold it up. */
#ifndef EXCLAB_LAB_H
#define EXCLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>

/* Serve commands on fd until the interface goes away; never returns. A
 * `program` lab (`exclab __lab FD probe`) runs a user's program, its
 * interpreter configured as python3's; else it runs lessons, isolated. */
void lab_main(int fd, bool program) __attribute__((noreturn));

/* The CPython this binary embeds, for --version, without starting it: the
 * version of the libpython it runs on, and the one its headers were when
 * that differs (a shared libpython updated since the build). */
void lab_python_version(char *buf, size_t size);

#endif
