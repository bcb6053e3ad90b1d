/* spawnself.h — start exclab itself as a child process.
 *
 * The lab (labproc.h) and the child runs of `check` and the exercise panel
 * (report.h) are all this same program, started as /proc/self/exe: the one
 * that is running, even if the file was rebuilt since. Each child gets a
 * process group of its own unless told otherwise (Ctrl-C in the terminal is
 * the interface's alone, and killing the group ends whatever the child
 * started), every
 * signal at its default and none blocked, whatever the interface did with
 * its own. */
#ifndef EXCLAB_SPAWNSELF_H
#define EXCLAB_SPAWNSELF_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

/* Where the child's descriptors come from: -1 is /dev/null, SPAWN_INHERIT
 * the interface's own. `extra`, when not -1, becomes the child's fd 3.
 * `same_group` keeps the child in the interface's process group (a program
 * that reads the terminal must be in its foreground group). */
enum { SPAWN_INHERIT = -2 };
struct spawn_fds {
	int in, out, err, extra;
	bool same_group;
};

/* Start `exclab ARGS...` (args ends with NULL, at most 14 of them). 0 and
 * *pid, or -1 and err. */
int spawn_self(char *const args[], const struct spawn_fds *fds, pid_t *pid, struct error *err);

#endif
