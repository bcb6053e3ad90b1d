/* progress.h — the learner's progress through the course, kept between runs.
 *
 * One JSON file per user: $XDG_STATE_HOME/exclab/progress.json (default
 * ~/.local/state/exclab/progress.json). Each lesson is keyed by its file's
 * base name ("02-reusing-an-exception"):
 *
 *     {"version": 1, "lessons": {"02-reusing-an-exception": {
 *         "steps_done": 3, "steps_total": 5, "finished": false,
 *         "predictions_asked": 2, "predictions_right": 1,
 *         "exercise": "failing", "hints_shown": 1,
 *         "working_copy": "/home/ada/.local/share/exclab/work/02-.../handler.py"}}}
 *
 * Lessons are written in key order.
 *
 * Two exclab instances may run at once, so a save merges rather than
 * overwrites. Under an exclusive flock on progress.json.lock (a file of its
 * own, kept: the data file is replaced on every save), it re-reads the file,
 * merges, and writes atomically: a temporary file in the same folder,
 * fsync, rename. Per lesson:
 *   - one this process has not changed since it last read or wrote the file
 *     keeps the file's record; one only the file has, or only this process,
 *     is kept as it is;
 *   - one both have, changed here, is combined: steps_done and hints_shown
 *     take the larger; finished is true if either is; the predictions pair
 *     comes from whichever asked more (this process's on a tie); steps_total
 *     and exercise are this process's when it set them, else the file's
 *     (the interface sets them outright: a reset exercise is "not started"
 *     again, and a maximum would undo that); working_copy is this
 *     process's if set, else the file's.
 * Afterwards the process holds the merged records, so it shows the other
 * instance's work too. Loading takes the lock as well, when it can, so it
 * never sets aside a file another instance is just writing.
 *
 * Only a regular file of at most PROGRESS_MAX_BYTES is read: anything else
 * there (a FIFO, a device, a folder) is reported and left where it is, and
 * progress starts afresh. A file that cannot be read, is too big or does not
 * parse is set aside and reported, never fatal: renamed to
 * progress.json.corrupt-<unix time>, or progress.json.corrupt-<unix time>-<n>
 * when that name is taken (an existing file is never replaced). A missing
 * file is a fresh start. */
#ifndef EXCLAB_PROGRESS_H
#define EXCLAB_PROGRESS_H

#include <stdbool.h>

#include "util.h"

/* The largest progress file read: a course's worth is a few kilobytes. */
#define PROGRESS_MAX_BYTES (1024 * 1024)

enum progress_exercise {
	PROGRESS_EX_NOT_STARTED,
	PROGRESS_EX_FAILING,
	PROGRESS_EX_PASSED,
};

struct progress_lesson {
	char *key;                /* the lesson file's base name, without ".md" */
	int steps_done, steps_total;
	bool finished;            /* every step ran */
	int predictions_asked, predictions_right;
	enum progress_exercise exercise;
	int hints_shown;
	char *working_copy;       /* NULL until the exercise is opened */
};

struct progress {
	char *path;               /* the file it is kept in */
	struct progress_lesson *lessons;   /* sorted by key: lookup is a binary search */
	int n, cap;
	/* The records as the file held them when this process last read or wrote
	 * it (sorted too): a record that differs from its copy here was changed
	 * by this process, and progress_save merges it rather than yield. */
	struct progress_lesson *synced;
	int n_synced;
};

/* Where progress is kept, newly allocated (the folders are not created). */
char *progress_default_path(void);

/* Read path (NULL: the default). Returns 0 when it was read or missing
 * (a fresh start), 1 when it was unreadable, too big, not a regular file or
 * corrupt: then notice says so, naming the file and where it was set aside
 * (or that it was left in place), and p starts empty. */
int progress_load(struct progress *p, const char *path, struct error *notice);
/* Merge with the file and write it back (see above), creating the folders.
 * 0 when saved; 1 when saved but the file there was unreadable, too big or
 * corrupt and was set aside first (err says where); -1 and err on failure
 * (a FIFO, device or folder in its place is left alone; another instance
 * held the lock for 5 seconds), p unchanged. On success p holds the merged
 * records, other instances' work included. */
int progress_save(struct progress *p, struct error *err);
void progress_free(struct progress *p);

/* The lesson's record, or NULL. Records live in one sorted array: a pointer
 * from progress_find or progress_get is good only until the next call that
 * may add or replace records (progress_get, progress_load, progress_save,
 * progress_free). Use it at once; keep the key, not the pointer. */
const struct progress_lesson *progress_find(const struct progress *p, const char *key);
/* The lesson's record, added empty (in key order) when missing. */
struct progress_lesson *progress_get(struct progress *p, const char *key);

/* A lesson's key from its path: base name without ".md", newly allocated. */
char *progress_key(const char *lesson_path);
const char *progress_exercise_word(enum progress_exercise e);

/* mkdir -p; 0, or -1 and err naming the folder. */
int progress_mkdirs(const char *dir, struct error *err);

#endif
