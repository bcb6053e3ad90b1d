/* probe_watch.h — exclab probe's findings, watched while the program runs.
 *
 * Three sources, all read without changing the program (README.md, "How
 * exclab probe sees without changing the program"):
 *  - each collection's garbage, through a gc.callbacks entry: exception
 *    reference cycles, grouped by the except clause that made them, with
 *    the bytes the collector freed (measured by the heap probe);
 *  - scans of the heap from a thread of the probe's own, every half second
 *    or so (at most a twentieth of the time): reused exception instances,
 *    exceptions kept after their handler, cyclic garbage still waiting, and
 *    the heap's bytes by reason;
 *  - the program's own source files: hints.
 * Findings go to the interface as they appear and change (LAB_FINDING,
 * LAB_REASONS). While the program runs, the probe's thread also answers
 * the interface's questions about them (PROBE_GRAPH, ASK_WHY). Call with
 * the GIL held, on the main thread. */
#ifndef EXCLAB_PROBE_WATCH_H
#define EXCLAB_PROBE_WATCH_H

#include <stdbool.h>

#include "wire.h"

/* Before the program: read its main file for hints, hook the collector,
 * start the thread, which reads questions from conn. */
void probe_watch_start(const char *main_file, struct wire_conn *conn);
/* Around os.fork() in the program: the thread ends before and starts
 * again after, in the parent, so that python3 3.12+'s warning about
 * forking a multi-threaded process counts the program's threads only. */
void probe_watch_pause(void);
void probe_watch_resume(void);
/* After the program (its threads and atexit done): stop the thread and,
 * with `look`, take a last look, collect what garbage is left as python3's
 * own finalisation would, and send every finding. Without (a limit
 * stopped the program), only what was found so far is sent. */
void probe_watch_stop(bool look);
/* A question about the findings (PROBE_GRAPH, ASK_WHY) once the program
 * has ended; false when `type` is not one. */
bool probe_watch_command(int type, struct wire_in *in);

#endif
