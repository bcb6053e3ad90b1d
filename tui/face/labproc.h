/* labproc.h — the lab as a child process, seen from the interface.
 *
 * The lab is this same executable, started as `exclab __lab 3` in a process
 * group of its own (so no terminal signal reaches it, and killing the group
 * also ends whatever it forked). It talks over a socket on its fd 3; its
 * standard output and error come back on a pipe, line by line, so a crash
 * message or a C extension's printf is shown rather than lost; its standard
 * input is /dev/null. Nothing here blocks for long: the interface must stay
 * live whatever the lab does. */
#ifndef EXCLAB_LABPROC_H
#define EXCLAB_LABPROC_H

#include <stdbool.h>
#include <sys/types.h>

#include "labproto.h"
#include "util.h"
#include "wire.h"

struct labproc {
	pid_t pid;              /* -1: none */
	struct wire_conn conn;  /* the socket, non-blocking */
	int out_fd;             /* the lab's stdout and stderr, non-blocking; -1 at EOF */
	char line[LAB_MAX_LINE];/* a partial line from out_fd */
	size_t line_len;
	bool own_group;         /* in a process group of its own (see labproc_start_program) */
	bool reaped;
	int status;             /* waitpid's status, once reaped */
};

/* Start a lab. -1 and err when it cannot be started. */
int labproc_start(struct labproc *p, struct error *err);
/* Start a lab for exclab probe (`exclab __lab 3 probe`). With passthrough
 * (headless) it shares our stdin, stdout and stderr instead of the pipe and
 * /dev/null; when stdin is a terminal it then stays in our process group,
 * so that it may read the terminal and the terminal's Ctrl-C reaches it
 * directly, as it reaches python3. */
int labproc_start_program(struct labproc *p, bool passthrough, struct error *err);
/* Send one command (small: waits at most a second for room). -1 when the
 * lab is gone. */
int labproc_send(struct labproc *p, struct wire_out *w);
/* SIGINT to the lab (Python raises KeyboardInterrupt). */
void labproc_interrupt(struct labproc *p);
/* True once the lab's process has ended (reaped without blocking). */
bool labproc_ended(struct labproc *p);
/* The next line the lab wrote to its stdout or stderr, without blocking;
 * false when none is complete. At EOF a partial line is given too. */
bool labproc_output_line(struct labproc *p, char *buf, size_t size);
/* True when a signal ended the lab (a crash, or a kill from outside). */
bool labproc_crashed(const struct labproc *p);
/* How the lab ended, in words: "killed by SIGSEGV (Segmentation fault)",
 * "exited with status 3". */
void labproc_describe_end(const struct labproc *p, char *buf, size_t size);
/* Kill the lab and everything in its process group, and reap it; safe to
 * call on a lab that has ended or never started. */
void labproc_close(struct labproc *p);

#endif
