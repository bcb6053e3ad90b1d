/* guard.h — the lab's watchdog: time limits, the heap cap, the learner's stop.
 *
 * The main thread runs Lua and Python; before each stretch of either it calls
 * guard_begin with its time limit, and guard_end after. A thread of the guard's
 * own decides when a stretch must stop and records why (guard_reason):
 *  - the learner pressed Ctrl-C or s: the interface sent SIGINT, which a
 *    handler in front of Python's own notes before passing it on;
 *  - the stretch ran past its limit;
 *  - the Python heap reached its cap;
 *  - the lab's resident memory reached its limit (guard_set_rss_cap): memory
 *    outside the Python heap that RLIMIT_DATA does not see either, such as
 *    mmap's default MAP_SHARED pages.
 * Python is stopped with SIGINT to the main thread (Python's handler raises
 * KeyboardInterrupt, also inside time.sleep or a lock wait), sent again every
 * 100 ms while the same stretch goes on, so a loop that swallows one still
 * stops; Lua's count hook reads guard_reason() itself. What neither stops (a
 * C loop that ignores signals) the interface kills after a grace period.
 *
 * While Python runs, the guard also sends the process probes (heap, RSS) to
 * the interface ten times a second, so the gauges move during a long call. */
#ifndef EXCLAB_GUARD_H
#define EXCLAB_GUARD_H

#include <stddef.h>

#include "labproto.h"

enum stop_reason { STOP_NONE, STOP_LEARNER, STOP_TIMEOUT, STOP_MEMCAP, STOP_RSS };

/* Start the thread and put the SIGINT handler in front of Python's. Call on
 * the main thread after Python has installed its own handlers. */
int guard_start(void);
/* The most resident memory the lab may have while Python runs; 0: no limit. */
void guard_set_rss_cap(size_t bytes);
size_t guard_rss_cap(void);
/* A new command from the interface: forget the last one's stop. */
void guard_new_command(void);
/* The thread ends and starts again (os.fork in a program: python3 3.12+
 * warns when it forks a process with other threads). One caller at a time;
 * limits go on counting from where they were. */
void guard_pause(void);
void guard_resume(void);

/* A limit this short is spent already (what is left of the step's): the
 * stretch stops at once, as the guard's thread would never see it run. */
#define GUARD_SPENT 0.001

/* A stretch of Lua or Python begins; `limit_text` says which limit applies,
 * for messages ("its time limit of 10.0 s"). */
void guard_begin(enum busy_kind kind, double limit, const char *limit_text);
void guard_end(void);
/* The current (or last) stretch's limit_text. */
const char *guard_limit_text(void);

/* Why the current command must stop; STOP_NONE while it may go on. Once set,
 * it stays until guard_new_command. */
enum stop_reason guard_reason(void);

/* Scenario code may install its own SIGINT handler (signal.signal): call
 * after Python ran, to put the learner's-stop note back in front of it. */
void guard_keep_sigint(void);

#endif
