/* exwatch.c — the working copy of an exercise: copied, watched, verified in
 * a child exclab whose report is read without blocking (report.h). */
#include "exwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "progress.h"

#define POLL_SECONDS 0.5
#define VERIFY_TIMEOUT 120.0   /* a verification never takes this long: kill it */

char *exwatch_work_path(const char *key, const char *start_file)
{
	const char *data = getenv("XDG_DATA_HOME"), *home = getenv("HOME");
	const char *base = strrchr(start_file, '/');

	base = base ? base + 1 : start_file;
	if (data != NULL && data[0] == '/')
		return xasprintf("%s/exclab/work/%s/%s", data, key, base);
	return xasprintf("%s/.local/share/exclab/work/%s/%s", home && home[0] ? home : ".", key, base);
}

static void clear_result(struct exwatch *w)
{
	report_free(&w->result);
	w->error[0] = '\0';
}

static void set_error(struct exwatch *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void set_error(struct exwatch *w, const char *fmt, ...)
{
	va_list ap;

	clear_result(w);
	va_start(ap, fmt);
	vsnprintf(w->error, sizeof w->error, fmt, ap);
	va_end(ap);
	w->state = EXWATCH_ERROR;
	w->version++;
}

/* Copy from over to through a temporary file and a rename: never half a file. */
static int copy_file(const char *from, const char *to, struct error *err)
{
	size_t len;
	char *text = util_read_file(from, &len, err), *tmp = xasprintf("%s.tmp-XXXXXX", to);
	int fd, rc = -1;

	if (text == NULL)
		goto out;
	fd = mkstemp(tmp);
	if (fd < 0) {
		error_set(err, to, 0, "cannot write the working copy: %s", strerror(errno));
		goto out;
	}
	fchmod(fd, 0644);
	if (write(fd, text, len) != (ssize_t)len || close(fd) < 0 || rename(tmp, to) < 0) {
		error_set(err, to, 0, "cannot write the working copy: %s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	free(tmp);
	free(text);
	return rc;
}

static bool same_content(const char *a, const char *b)
{
	struct error err;
	size_t la, lb;
	char *ta = util_read_file(a, &la, &err), *tb = util_read_file(b, &lb, &err);
	bool same = ta && tb && la == lb && memcmp(ta, tb, la) == 0;

	free(ta);
	free(tb);
	return same;
}

/* The file's time and size; false when it cannot be read. */
static bool file_stamp(const char *path, long long *mtime_ns, long long *size)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return false;
	*mtime_ns = (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
	*size = (long long)st.st_size;
	return true;
}

int exwatch_open(struct exwatch *w, const char *scenario, const char *start_file,
                 const char *path, struct error *err)
{
	char *dir = util_dirname(path);
	int rc;

	memset(w, 0, sizeof *w);
	w->child.pid = w->child.fd = -1;
	w->scenario = xstrdup(scenario);
	w->start_file = xstrdup(start_file);
	w->path = xstrdup(path);
	rc = progress_mkdirs(dir, err);
	free(dir);
	if (rc == 0 && access(path, F_OK) < 0)
		rc = copy_file(start_file, path, err);
	if (rc < 0)
		return -1;
	file_stamp(path, &w->mtime_ns, &w->size);
	if (same_content(path, start_file))
		w->state = EXWATCH_UNTOUCHED;
	else
		exwatch_verify(w);
	return 0;
}

void exwatch_close(struct exwatch *w)
{
	if (w == NULL || w->path == NULL)
		return;
	report_child_free(&w->child);
	clear_result(w);
	free(w->scenario);
	free(w->start_file);
	free(w->path);
	memset(w, 0, sizeof *w);
	w->child.pid = w->child.fd = -1;
}

void exwatch_verify(struct exwatch *w)
{
	char verb[] = "verify", json[] = "--json";
	char *args[] = { verb, w->scenario, w->path, json, NULL };
	struct error err;

	report_child_free(&w->child);
	if (report_spawn(&w->child, args, &err) < 0) {
		set_error(w, "cannot verify: %s", err.msg);
		return;
	}
	w->started = util_now();
	w->state = EXWATCH_RUNNING;
	w->version++;
}

/* Take what the verification wrote; once it has ended, its report. */
static void read_child(struct exwatch *w, double now)
{
	struct report_child *c = &w->child;

	if (!report_poll(c)) {
		if (now - w->started > VERIFY_TIMEOUT) {
			report_child_free(c);
			set_error(w, "the verification took longer than %s and was stopped", "2 minutes");
		}
		return;
	}
	clear_result(w);
	if (report_parse(&w->result, c->out)) {
		snprintf(w->error, sizeof w->error, "%s", w->result.error);
		w->state = w->error[0] ? EXWATCH_ERROR
		         : w->result.failed == 0 && w->result.passed > 0 ? EXWATCH_PASSED : EXWATCH_FAILED;
		w->version++;
	} else if (WIFSIGNALED(c->status)) {
		set_error(w, "the verification ended without a report (killed by signal %d)",
		          WTERMSIG(c->status));
	} else {
		set_error(w, "the verification ended without a report (exit status %d)",
		          WEXITSTATUS(c->status));
	}
	report_child_free(c);
}

void exwatch_tick(struct exwatch *w, double now)
{
	long long mtime, size;

	if (w == NULL || w->path == NULL)
		return;
	if (w->child.pid > 0 || w->child.fd >= 0)
		read_child(w, now);
	if (now - w->last_poll < POLL_SECONDS)
		return;
	w->last_poll = now;
	if (!file_stamp(w->path, &mtime, &size)) {
		if (w->state != EXWATCH_ERROR || w->size != -1) {
			report_child_free(&w->child);
			set_error(w, "the working copy %s is gone; press R to make it again", w->path);
			w->size = -1;
		}
		return;
	}
	if (mtime == w->mtime_ns && size == w->size)
		return;
	w->mtime_ns = mtime;
	w->size = size;
	exwatch_verify(w);   /* kills a verification of an older save */
}

int exwatch_reset(struct exwatch *w, struct error *err)
{
	report_child_free(&w->child);
	if (copy_file(w->start_file, w->path, err) < 0)
		return -1;
	clear_result(w);
	file_stamp(w->path, &w->mtime_ns, &w->size);
	w->state = EXWATCH_UNTOUCHED;
	w->version++;
	return 0;
}
