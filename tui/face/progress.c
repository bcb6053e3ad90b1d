/* progress.c — the learner's progress as a JSON file (json-c): read only
 * when small and regular, set aside, not trusted, when it does not parse,
 * and merged with other instances' saves under a lock, written atomically. */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#define PROGRESS_VERSION 1
#define PROGRESS_ASIDE_TRIES 1000   /* set-aside names tried per second */
#define PROGRESS_LOCK_WAIT_MS 5000   /* a save waits this long for another's */
#define PROGRESS_LOCK_POLL_MS 10

static const char *const exercise_words[] = {
	[PROGRESS_EX_NOT_STARTED] = "not started",
	[PROGRESS_EX_FAILING] = "failing",
	[PROGRESS_EX_PASSED] = "passed",
};

const char *progress_exercise_word(enum progress_exercise e)
{
	return exercise_words[e];
}

char *progress_default_path(void)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");

	if (state != NULL && state[0] == '/')   /* relative values are ignored, as the spec says */
		return xasprintf("%s/exclab/progress.json", state);
	return xasprintf("%s/.local/state/exclab/progress.json", home && home[0] ? home : ".");
}

char *progress_key(const char *lesson_path)
{
	const char *base = strrchr(lesson_path, '/');
	size_t len;

	base = base ? base + 1 : lesson_path;
	len = strlen(base);
	if (len > 3 && strcmp(base + len - 3, ".md") == 0)
		len -= 3;
	return xstrndup(base, len);
}

int progress_mkdirs(const char *dir, struct error *err)
{
	char *p = xstrdup(dir);
	int rc = 0;

	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;
		*s = '\0';
		if (mkdir(p, 0700) < 0 && errno != EEXIST) {
			error_set(err, p, 0, "cannot create the folder: %s", strerror(errno));
			rc = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return rc;
}

/* Where key is, or would go, in the sorted array a[0..n). */
static int lower_bound(const struct progress_lesson *a, int n, const char *key)
{
	int lo = 0, hi = n;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (strcmp(a[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A new empty record at index i, the later ones moved up one. */
static struct progress_lesson *insert_at(struct progress *p, int i, const char *key)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 8;
		p->lessons = xrealloc(p->lessons, (size_t)p->cap * sizeof *p->lessons);
	}
	memmove(&p->lessons[i + 1], &p->lessons[i], (size_t)(p->n - i) * sizeof *p->lessons);
	p->n++;
	memset(&p->lessons[i], 0, sizeof p->lessons[i]);
	p->lessons[i].key = xstrdup(key);
	return &p->lessons[i];
}

/* key's record in the sorted array a[0..n), or NULL. */
static const struct progress_lesson *find_in(const struct progress_lesson *a, int n,
                                             const char *key)
{
	int i = lower_bound(a, n, key);

	return i < n && strcmp(a[i].key, key) == 0 ? &a[i] : NULL;
}

const struct progress_lesson *progress_find(const struct progress *p, const char *key)
{
	return find_in(p->lessons, p->n, key);
}

struct progress_lesson *progress_get(struct progress *p, const char *key)
{
	int i = lower_bound(p->lessons, p->n, key);

	if (i < p->n && strcmp(p->lessons[i].key, key) == 0)
		return &p->lessons[i];
	return insert_at(p, i, key);
}

static void copy_lesson(struct progress_lesson *to, const struct progress_lesson *from)
{
	*to = *from;
	to->key = xstrdup(from->key);
	to->working_copy = from->working_copy ? xstrdup(from->working_copy) : NULL;
}

/* Free n records and their array. */
static void free_lessons(struct progress_lesson *a, int n)
{
	for (int i = 0; i < n; i++) {
		free(a[i].key);
		free(a[i].working_copy);
	}
	free(a);
}

/* Remember the records as the file now holds them, for the next merge. */
static void note_synced(struct progress *p)
{
	free_lessons(p->synced, p->n_synced);
	p->synced = xmalloc((size_t)p->n * sizeof *p->synced);
	for (int i = 0; i < p->n; i++)
		copy_lesson(&p->synced[i], &p->lessons[i]);
	p->n_synced = p->n;
}

void progress_free(struct progress *p)
{
	if (p == NULL)
		return;
	free_lessons(p->lessons, p->n);
	free_lessons(p->synced, p->n_synced);
	free(p->path);
	memset(p, 0, sizeof *p);
}

static int get_int(json_object *o, const char *name)
{
	json_object *v;
	int n;

	if (!json_object_object_get_ex(o, name, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	n = json_object_get_int(v);
	return n < 0 ? 0 : n;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(((const struct progress_lesson *)a)->key, ((const struct progress_lesson *)b)->key);
}

/* Fill p from a parsed document; false when it is not progress at all.
 * Appended, then sorted once: inserting each in order would be quadratic
 * for a file whose keys come in reverse. json-c keeps one value per key. */
static bool from_json(struct progress *p, json_object *root)
{
	json_object *lessons, *v;

	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "lessons", &lessons) ||
	    !json_object_is_type(lessons, json_type_object))
		return false;
	json_object_object_foreach(lessons, key, o) {
		struct progress_lesson *l;

		if (!json_object_is_type(o, json_type_object))
			return false;
		l = insert_at(p, p->n, key);
		l->steps_done = get_int(o, "steps_done");
		l->steps_total = get_int(o, "steps_total");
		l->finished = json_object_object_get_ex(o, "finished", &v) && json_object_get_boolean(v);
		l->predictions_asked = get_int(o, "predictions_asked");
		l->predictions_right = get_int(o, "predictions_right");
		l->hints_shown = get_int(o, "hints_shown");
		if (json_object_object_get_ex(o, "exercise", &v) && json_object_is_type(v, json_type_string))
			for (int e = 0; e <= PROGRESS_EX_PASSED; e++)
				if (strcmp(json_object_get_string(v), exercise_words[e]) == 0)
					l->exercise = (enum progress_exercise)e;
		if (json_object_object_get_ex(o, "working_copy", &v) && json_object_is_type(v, json_type_string))
			l->working_copy = xstrdup(json_object_get_string(v));
	}
	if (p->n > 1)
		qsort(p->lessons, (size_t)p->n, sizeof *p->lessons, compare_keys);
	return true;
}

/* Nothing but white space after the document: "{}garbage" is corrupt too. */
static bool only_space_after(json_tokener *tok, const char *text)
{
	size_t end = json_tokener_get_parse_end(tok);

	return text[end + strspn(text + end, " \t\r\n")] == '\0';
}

/* rename() that fails with EEXIST rather than replace to: link() never
 * replaces. Where the file system has no hard links (vfat, some FUSE
 * mounts), a check and then a rename; callers hold the progress lock
 * (loading, when it could take it), so no other exclab takes the name in
 * between. */
static int move_no_replace(const char *from, const char *to)
{
	struct stat st;

	if (link(from, to) == 0) {
		if (unlink(from) == 0)
			return 0;
		int saved = errno;
		unlink(to);
		errno = saved;
		return -1;
	}
	if (errno == EEXIST)
		return -1;
	if (lstat(to, &st) == 0) {
		errno = EEXIST;
		return -1;
	}
	return rename(from, to);
}

/* Move the bad file to path.corrupt-<unix time>, or -2, -3... after it when
 * that name is taken: two set aside in one second both survive. The new
 * name, newly allocated, or NULL and errno. */
static char *move_aside(const char *path)
{
	long long now = (long long)time(NULL);

	for (int n = 1; n <= PROGRESS_ASIDE_TRIES; n++) {
		char *aside = n == 1 ? xasprintf("%s.corrupt-%lld", path, now)
		                     : xasprintf("%s.corrupt-%lld-%d", path, now, n);

		if (move_no_replace(path, aside) == 0)
			return aside;
		free(aside);
		if (errno != EEXIST)
			return NULL;
	}
	return NULL;   /* errno is EEXIST */
}

/* Move the bad file out of the way and say so in notice: why, where it
 * went, and then what happens (when it could not be moved: then_over). */
static void set_aside(const char *path, const char *why, const char *then,
                      const char *then_over, struct error *notice)
{
	char *aside = move_aside(path);

	if (aside != NULL)
		error_set(notice, path, 0, "%s; it was set aside as %s and %s", why, aside, then);
	else
		error_set(notice, path, 0, "%s, and could not be set aside (%s); %s", why,
		          strerror(errno), then_over);
	free(aside);
}

/* Hold path.lock exclusively: its descriptor (closing it unlocks), or -1
 * and err. A file of its own, because each save renames a new data file
 * into place and a lock on the old one would guard nothing; never removed,
 * or two instances could each lock a different one. The wait is bounded so
 * a stopped instance holding the lock cannot freeze this one. */
static int lock_progress(const char *path, struct error *err)
{
	char *name = xasprintf("%s.lock", path);
	/* Non-blocking: a FIFO put there must not hang the save. */
	int fd = open(name, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0) {
		error_set(err, name, 0, "cannot lock the progress file: %s", strerror(errno));
		free(name);
		return -1;
	}
	for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; waited += PROGRESS_LOCK_POLL_MS) {
		if (errno == EINTR || (errno == EWOULDBLOCK && waited < PROGRESS_LOCK_WAIT_MS)) {
			nanosleep(&(struct timespec){ .tv_nsec = PROGRESS_LOCK_POLL_MS * 1000000L }, NULL);
			continue;
		}
		if (errno == EWOULDBLOCK)
			error_set(err, name, 0, "cannot lock the progress file: another exclab has "
			          "held it for %d seconds", PROGRESS_LOCK_WAIT_MS / 1000);
		else
			error_set(err, name, 0, "cannot lock the progress file: %s", strerror(errno));
		close(fd);
		free(name);
		return -1;
	}
	free(name);
	return fd;
}

/* What read_bounded found at the path. */
enum progress_read {
	PROGRESS_READ_OK,
	PROGRESS_READ_MISSING,    /* no file: a fresh start */
	PROGRESS_READ_NOT_FILE,   /* a FIFO, a device, a folder: not ours to move */
	PROGRESS_READ_BAD,        /* unreadable or too big: to be set aside */
};

/* Up to max bytes of fd into buf: how many, or -1 and errno. */
static ssize_t read_up_to(int fd, char *buf, size_t max)
{
	size_t n = 0;

	while (n < max) {
		ssize_t got = read(fd, buf + n, max - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return -1;
		if (got == 0)
			break;
		n += (size_t)got;
	}
	return (ssize_t)n;
}

/* The file's text, NUL-terminated, when it is a regular file of at most
 * PROGRESS_MAX_BYTES. Opened without blocking and checked before any read:
 * a FIFO would wait for a writer, /dev/zero never ends, a huge file would
 * fill memory. Otherwise why says what is wrong. */
static enum progress_read read_bounded(const char *path, char **text, size_t *len,
                                       char *why, size_t why_size)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	ssize_t n;
	char *buf;

	if (fd < 0 && errno == ENOENT)
		return PROGRESS_READ_MISSING;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_size, "cannot open: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return PROGRESS_READ_BAD;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		snprintf(why, why_size, "it is not a regular file");
		return PROGRESS_READ_NOT_FILE;
	}
	if (st.st_size > PROGRESS_MAX_BYTES) {
		close(fd);
		snprintf(why, why_size, "it is larger than %d bytes", PROGRESS_MAX_BYTES);
		return PROGRESS_READ_BAD;
	}
	/* One byte more than allowed: the file may have grown since fstat. */
	buf = xmalloc(PROGRESS_MAX_BYTES + 1);
	n = read_up_to(fd, buf, PROGRESS_MAX_BYTES + 1);
	if (n < 0)
		snprintf(why, why_size, "cannot read: %s", strerror(errno));
	else if (n > PROGRESS_MAX_BYTES)
		snprintf(why, why_size, "it is larger than %d bytes", PROGRESS_MAX_BYTES);
	close(fd);
	if (n < 0 || n > PROGRESS_MAX_BYTES) {
		free(buf);
		return PROGRESS_READ_BAD;
	}
	buf[n] = '\0';
	*text = buf;
	*len = (size_t)n;
	return PROGRESS_READ_OK;
}

/* Fill p from the file's text; false, and p empty, when it is not valid. */
static bool parse(struct progress *p, const char *text, size_t len)
{
	json_tokener *tok = json_tokener_new();
	json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	bool ok = root != NULL && json_tokener_get_error(tok) == json_tokener_success &&
	          only_space_after(tok, text) &&
	          from_json(p, root);

	json_tokener_free(tok);
	json_object_put(root);
	if (!ok) {
		free_lessons(p->lessons, p->n);
		p->lessons = NULL;
		p->n = p->cap = 0;
	}
	return ok;
}

/* progress_load's work, under the lock when it could be taken. */
static int load_locked(struct progress *p, struct error *notice)
{
	static const char *const then = "progress starts afresh";
	static const char *const then_over = "progress starts afresh and will be written over it";
	char why[1100], reason[1000];
	size_t len = 0;
	char *text = NULL;
	bool ok;

	switch (read_bounded(p->path, &text, &len, reason, sizeof reason)) {
	case PROGRESS_READ_MISSING:
		return 0;   /* a fresh start */
	case PROGRESS_READ_NOT_FILE:
		/* Someone put it there on purpose, or by mistake: not ours to move. */
		error_set(notice, p->path, 0, "the saved progress could not be read (%s); it was "
		          "left as it is and progress starts afresh", reason);
		return 1;
	case PROGRESS_READ_BAD:
		snprintf(why, sizeof why, "the saved progress could not be read (%s)", reason);
		set_aside(p->path, why, then, then_over, notice);
		return 1;
	case PROGRESS_READ_OK:
		break;
	}
	ok = parse(p, text, len);
	free(text);
	if (!ok) {
		set_aside(p->path, "the saved progress is not valid (corrupt JSON)", then, then_over,
		          notice);
		return 1;
	}
	note_synced(p);
	return 0;
}

int progress_load(struct progress *p, const char *path, struct error *notice)
{
	int lock, rc;

	memset(p, 0, sizeof *p);
	p->path = path ? xstrdup(path) : progress_default_path();
	/* Reading needs no lock (saves are atomic), but setting a bad file aside
	 * does: unlocked, it could move a good file another instance just saved.
	 * No folder yet, or a read-only one: read without it. */
	lock = lock_progress(p->path, NULL);
	rc = load_locked(p, notice);
	if (lock >= 0)
		close(lock);
	return rc;
}

static json_object *to_json(const struct progress *p)
{
	json_object *root = json_object_new_object(), *lessons = json_object_new_object();

	json_object_object_add(root, "version", json_object_new_int(PROGRESS_VERSION));
	for (int i = 0; i < p->n; i++) {
		const struct progress_lesson *l = &p->lessons[i];
		json_object *o = json_object_new_object();

		json_object_object_add(o, "steps_done", json_object_new_int(l->steps_done));
		json_object_object_add(o, "steps_total", json_object_new_int(l->steps_total));
		json_object_object_add(o, "finished", json_object_new_boolean(l->finished));
		json_object_object_add(o, "predictions_asked", json_object_new_int(l->predictions_asked));
		json_object_object_add(o, "predictions_right", json_object_new_int(l->predictions_right));
		json_object_object_add(o, "exercise", json_object_new_string(exercise_words[l->exercise]));
		json_object_object_add(o, "hints_shown", json_object_new_int(l->hints_shown));
		json_object_object_add(o, "working_copy", l->working_copy
		                       ? json_object_new_string(l->working_copy) : NULL);
		json_object_object_add(lessons, l->key, o);
	}
	json_object_object_add(root, "lessons", lessons);
	return root;
}

/* Whether a and b hold the same progress (keys aside). */
static bool same_lesson(const struct progress_lesson *a, const struct progress_lesson *b)
{
	return a->steps_done == b->steps_done && a->steps_total == b->steps_total &&
	       a->finished == b->finished && a->predictions_asked == b->predictions_asked &&
	       a->predictions_right == b->predictions_right && a->exercise == b->exercise &&
	       a->hints_shown == b->hints_shown &&
	       (a->working_copy && b->working_copy ? strcmp(a->working_copy, b->working_copy) == 0
	                                           : a->working_copy == b->working_copy);
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

/* Into to, a lesson both this process and the file have. base is the file's
 * record as this process last saw it (NULL: it had none). */
static void merge_lesson(struct progress_lesson *to, const struct progress_lesson *ours,
                         const struct progress_lesson *base, const struct progress_lesson *disk)
{
	static const struct progress_lesson none;   /* as progress_get adds one */

	if (base == NULL)
		base = &none;
	if (same_lesson(ours, base)) {   /* not changed here: the file's is as new or newer */
		copy_lesson(to, disk);
		return;
	}
	copy_lesson(to, ours);
	/* Counters that only grow, and done stays done. */
	to->steps_done = max_int(ours->steps_done, disk->steps_done);
	to->hints_shown = max_int(ours->hints_shown, disk->hints_shown);
	to->finished = ours->finished || disk->finished;
	/* The interface sets these outright (a reset copy is "not started"
	 * again): a value set here stands, an untouched one yields to the
	 * file's. A maximum would undo the change, and the interface would set
	 * it again and save on every tick. */
	if (ours->steps_total == base->steps_total)
		to->steps_total = disk->steps_total;
	if (ours->exercise == base->exercise)
		to->exercise = disk->exercise;
	/* The run that answered more predictions; ours on a tie. */
	if (disk->predictions_asked > ours->predictions_asked) {
		to->predictions_asked = disk->predictions_asked;
		to->predictions_right = disk->predictions_right;
	}
	if (to->working_copy == NULL && disk->working_copy != NULL)
		to->working_copy = xstrdup(disk->working_copy);
}

/* p's records merged with the file's (both sorted) into to, sorted: a lesson
 * only one side has is kept as it is. */
static void merge(struct progress *to, const struct progress *p, const struct progress *disk)
{
	int i = 0, j = 0;

	to->cap = p->n + disk->n;
	to->lessons = xmalloc((size_t)to->cap * sizeof *to->lessons);
	while (i < p->n || j < disk->n) {
		int c = i == p->n ? 1 : j == disk->n ? -1 : strcmp(p->lessons[i].key, disk->lessons[j].key);
		struct progress_lesson *out = &to->lessons[to->n++];

		if (c < 0) {
			copy_lesson(out, &p->lessons[i++]);
		} else if (c > 0) {
			copy_lesson(out, &disk->lessons[j++]);
		} else {
			const struct progress_lesson *ours = &p->lessons[i++];
			merge_lesson(out, ours, find_in(p->synced, p->n_synced, ours->key),
			             &disk->lessons[j++]);
		}
	}
}

/* The file's records into disk, to merge with. 0 when read or missing; 1
 * when it was unreadable, too big or corrupt and has been set aside (err
 * says so); -1 and err when something not a regular file is in its place. */
static int read_for_merge(const char *path, struct progress *disk, struct error *err)
{
	static const char *const then = "this session's progress was saved in its place";
	static const char *const then_over = "this session's progress was saved over it";
	char why[1100], reason[1000];
	size_t len = 0;
	char *text = NULL;
	bool ok;

	switch (read_bounded(path, &text, &len, reason, sizeof reason)) {
	case PROGRESS_READ_MISSING:
		return 0;
	case PROGRESS_READ_NOT_FILE:
		error_set(err, path, 0, "cannot save progress: %s, and it is left as it is", reason);
		return -1;
	case PROGRESS_READ_BAD:
		snprintf(why, sizeof why, "the saved progress could not be read (%s)", reason);
		set_aside(path, why, then, then_over, err);
		return 1;
	case PROGRESS_READ_OK:
		break;
	}
	ok = parse(disk, text, len);
	free(text);
	if (ok)
		return 0;
	set_aside(path, "the saved progress is not valid (corrupt JSON)", then, then_over, err);
	return 1;
}

/* Write p's records to its file atomically: a temporary file in the same
 * folder, fsync, rename, and fsync of the folder. */
static int write_atomic(const struct progress *p, struct error *err)
{
	char *dir = util_dirname(p->path), *tmp = xasprintf("%s.tmp-XXXXXX", p->path);
	json_object *root = to_json(p);
	const char *text = json_object_to_json_string_ext(root,
		JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text), off = 0;
	int fd = mkstemp(tmp), rc = -1;

	if (fd < 0) {
		error_set(err, p->path, 0, "cannot save progress: %s", strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (write(fd, "\n", 1) != 1 || fsync(fd) < 0)
		goto fail;
	if (close(fd) < 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, p->path) < 0)
		goto fail;
	/* The rename itself lasts once the folder is synced. */
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
		fd = -1;
	}
	rc = 0;
	goto out;
fail:
	error_set(err, p->path, 0, "cannot save progress: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	json_object_put(root);
	free(tmp);
	free(dir);
	return rc;
}

/* progress_save's work, with the lock held: nobody writes the file between
 * the read and the rename. */
static int save_locked(struct progress *p, struct error *err)
{
	struct progress disk = { 0 }, merged = { .path = p->path };
	int rc = read_for_merge(p->path, &disk, err);

	if (rc < 0)
		return -1;
	merge(&merged, p, &disk);
	free_lessons(disk.lessons, disk.n);
	if (write_atomic(&merged, err) < 0) {
		free_lessons(merged.lessons, merged.n);
		return -1;
	}
	/* The other instance's work shows here too from now on. */
	free_lessons(p->lessons, p->n);
	p->lessons = merged.lessons;
	p->n = merged.n;
	p->cap = merged.cap;
	note_synced(p);
	return rc;
}

int progress_save(struct progress *p, struct error *err)
{
	char *dir = util_dirname(p->path);
	int lock, rc = progress_mkdirs(dir, err);

	free(dir);
	if (rc < 0)
		return -1;
	lock = lock_progress(p->path, err);
	if (lock < 0)
		return -1;
	rc = save_locked(p, err);
	close(lock);   /* unlocks */
	return rc;
}
