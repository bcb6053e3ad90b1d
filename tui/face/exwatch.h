/* exwatch.h — an exercise's working copy, watched and verified.
 *
 * The learner's copy of the exercise's starting file lives in
 * $XDG_DATA_HOME/exclab/work/<lesson>/<file name> (default
 * ~/.local/share/exclab/work/...). exwatch_tick(), called often from the
 * event loop, polls its modification time about twice a second; on a change
 * it runs verification in a child exclab (report.h),
 *     exclab verify <scenario> <working copy> --json
 * reading its report without blocking, so the interface never stalls and
 * the learner's code never runs in the lesson's lab. A newer save kills a
 * verification still running. Nothing here calls curses or an interpreter. */
#ifndef EXCLAB_EXWATCH_H
#define EXCLAB_EXWATCH_H

#include <stdbool.h>

#include "report.h"
#include "util.h"

enum exwatch_state {
	EXWATCH_UNTOUCHED,   /* the copy is still the starting file: nothing to verify */
	EXWATCH_RUNNING,     /* a verification is running */
	EXWATCH_PASSED,      /* every check held */
	EXWATCH_FAILED,      /* a check failed */
	EXWATCH_ERROR,       /* the file or the verification itself failed (see error) */
};

struct exwatch {
	char *scenario, *start_file, *path;   /* path: the working copy */
	enum exwatch_state state;
	struct report result;                 /* of the last finished verification */
	char error[1024];                     /* EXWATCH_ERROR: why */
	unsigned version;                     /* bumped on every change */
	/* private */
	long long mtime_ns, size;
	double last_poll, started;
	struct report_child child;            /* a verification running, or pid -1 */
};

/* The working copy's path for a lesson key and a starting file, newly allocated. */
char *exwatch_work_path(const char *key, const char *start_file);

/* Make sure the working copy exists (copying the starting file when it does
 * not), and start watching it. A copy that differs from the starting file is
 * verified at once. -1 and err when the copy cannot be made. */
int exwatch_open(struct exwatch *w, const char *scenario, const char *start_file,
                 const char *path, struct error *err);
void exwatch_close(struct exwatch *w);   /* kills a running verification */

/* Poll the file, read the child's report; never blocks. */
void exwatch_tick(struct exwatch *w, double now);
/* Verify now, whatever the file's time says. */
void exwatch_verify(struct exwatch *w);
/* Copy the starting file over the working copy (then it is untouched again). */
int exwatch_reset(struct exwatch *w, struct error *err);

#endif
