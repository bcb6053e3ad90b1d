/* labout.h — the lab's events to the interface (labproto.h).
 *
 * Any thread of the lab may send: a frame is built in the sender's own
 * buffer and written whole under one lock, so frames never interleave.
 * When the interface is gone, the lab has no one to work for and exits.
 *
 * A process forked by scenario code (os.fork, multiprocessing) inherits the
 * socket; it must not write frames into the parent's stream. In such a child
 * the socket is closed, console text goes to standard error (which the
 * interface shows too), and every other event is dropped. */
#ifndef EXCLAB_LABOUT_H
#define EXCLAB_LABOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "labproto.h"
#include "wire.h"

void labout_init(int fd);
/* True in a process forked from the lab by scenario code. */
bool labout_forked(void);

/* Build an event: labout_begin returns the frame to fill (the caller's
 * thread owns it until labout_end sends it). */
struct wire_out *labout_begin(enum lab_event type);
void labout_end(struct wire_out *w);

/* A console line; text longer than LAB_MAX_LINE is cut with a note of how
 * much was left out. */
void labout_console(enum console_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void labout_console_text(enum console_kind kind, const char *text, size_t len);

/* Events sent from several places. A reading's label and where (NULL:
 * none) say which job made it. */
void labout_sample(const struct probe_sample *s, enum sample_kind kind, const char *label,
                   const char *where);
void labout_graph(const struct graph *g);
/* What the lab runs next, under which limit (LAB_BUSY). */
void labout_busy(enum busy_kind kind, double limit, const char *what, const char *limit_text);

#endif
