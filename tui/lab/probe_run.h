/* probe_run.h — exclab probe in the lab: the user's own program, run as
 * __main__ on the lab's main thread the way python3 runs it.
 *
 * sys.argv, sys.path[0], __main__'s globals, the exit status, SystemExit,
 * an uncaught exception printed by sys.excepthook, the wait for non-daemon
 * threads, atexit and the final flush all follow CPython's own pymain and
 * Py_FinalizeEx (3.11), so the program cannot tell it from python3. The
 * program's Ctrl-C is one KeyboardInterrupt (guard.h, BUSY_PROGRAM); an
 * uncaught one ends it as python3 ends, by SIGINT. Findings are watched
 * meanwhile (probe_watch.h). */
#ifndef EXCLAB_PROBE_RUN_H
#define EXCLAB_PROBE_RUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

/* LAB_PROBE's payload (labproto.h). */
struct probe_request {
	bool module;          /* -m target */
	char *target;         /* the script's path as given, or the module's name */
	char **args;          /* what follows it on the command line */
	uint32_t nargs;
	double time_limit;    /* seconds for the whole program; 0: none */
	size_t heap_cap;      /* bytes; 0: the lab's default */
	bool passthrough;     /* the lab's stdin, stdout and stderr are the real ones */
};

/* 0, or -1 when the payload is malformed; free it either way. */
int probe_request_read(struct wire_in *in, struct probe_request *req);
void probe_request_free(struct probe_request *req);

/* Run the program to its end: PROGRAM, then findings as they come, then
 * EXITED (labproto.h). The heap cap is set by the caller. Questions that
 * come on conn meanwhile are answered by the probe's thread. */
void probe_run(const struct probe_request *req, struct wire_conn *conn);

/* After the program: the rest of python3's exit (Py_FinalizeEx), then
 * _exit. Never returns. */
void probe_finish(void) __attribute__((noreturn));

#endif
