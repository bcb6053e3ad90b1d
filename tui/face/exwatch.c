/* exwatch.c — the working copy of an exercise: copied, watched, verified in
 * a child process whose JSON report is read through a non-blocking pipe. */
#include "exwatch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <json-c/json.h>

#include "progress.h"

#define POLL_SECONDS 0.5
#define VERIFY_TIMEOUT 120.0   /* a verification never takes this long: kill it */

extern char **environ;

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
	for (int i = 0; i < w->n_fails; i++) {
		free(w->fails[i].message);
		free(w->fails[i].detail);
		free(w->fails[i].where);
	}
	free(w->fails);
	w->fails = NULL;
	w->n_fails = w->passed = w->failed = 0;
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
	w->pid = -1;
	w->fd = -1;
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

static void kill_child(struct exwatch *w)
{
	if (w->pid > 0) {
		kill(-w->pid, SIGKILL);   /* its own process group: Python's threads too */
		kill(w->pid, SIGKILL);
		waitpid(w->pid, NULL, 0);
	}
	if (w->fd >= 0)
		close(w->fd);
	w->pid = w->fd = -1;
	free(w->out);
	w->out = NULL;
	w->out_len = w->out_cap = 0;
	w->eof = false;
}

void exwatch_close(struct exwatch *w)
{
	if (w == NULL || w->path == NULL)
		return;
	kill_child(w);
	clear_result(w);
	free(w->scenario);
	free(w->start_file);
	free(w->path);
	memset(w, 0, sizeof *w);
	w->pid = w->fd = -1;
}

void exwatch_verify(struct exwatch *w)
{
	/* exclab's own program, even when the file was replaced since it started. */
	char exe[] = "/proc/self/exe", name[] = "exclab", verb[] = "verify", json[] = "--json";
	char *argv[] = { name, verb, w->scenario, w->path, json, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int pipefd[2], rc;
	pid_t pid;

	kill_child(w);
	if (pipe(pipefd) < 0) {
		set_error(w, "cannot verify: %s", strerror(errno));
		return;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addclose(&fa, pipefd[0]);
	posix_spawn_file_actions_addclose(&fa, pipefd[1]);
	/* Its own process group, so Ctrl-C in the terminal is the interface's
	 * alone; default signal handling and no blocked signals. */
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, exe, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(pipefd[1]);
	if (rc != 0) {
		close(pipefd[0]);
		set_error(w, "cannot start the verification: %s", strerror(rc));
		return;
	}
	fcntl(pipefd[0], F_SETFL, fcntl(pipefd[0], F_GETFL) | O_NONBLOCK);
	fcntl(pipefd[0], F_SETFD, FD_CLOEXEC);
	w->pid = pid;
	w->fd = pipefd[0];
	w->started = util_now();
	w->state = EXWATCH_RUNNING;
	w->version++;
}

static char *dup_field(json_object *o, const char *name)
{
	json_object *v;

	if (json_object_object_get_ex(o, name, &v) && json_object_is_type(v, json_type_string))
		return xstrdup(json_object_get_string(v));
	return xstrdup("");
}

bool exwatch_parse_report(struct exwatch *w, const char *text)
{
	json_object *root = json_tokener_parse(text), *v, *steps;

	if (root == NULL || !json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "passed", &v)) {
		json_object_put(root);
		return false;
	}
	clear_result(w);
	w->passed = json_object_get_int(v);
	if (json_object_object_get_ex(root, "failed", &v))
		w->failed = json_object_get_int(v);
	if (json_object_object_get_ex(root, "error", &v) && json_object_is_type(v, json_type_string))
		snprintf(w->error, sizeof w->error, "%s", json_object_get_string(v));
	if (json_object_object_get_ex(root, "steps", &steps) &&
	    json_object_is_type(steps, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(steps); i++) {
			json_object *checks;
			if (!json_object_object_get_ex(json_object_array_get_idx(steps, i), "checks", &checks) ||
			    !json_object_is_type(checks, json_type_array))
				continue;
			for (size_t k = 0; k < json_object_array_length(checks); k++) {
				json_object *c = json_object_array_get_idx(checks, k);
				struct exwatch_check *f;
				if (json_object_object_get_ex(c, "passed", &v) && json_object_get_boolean(v))
					continue;
				w->fails = xrealloc(w->fails, (size_t)(w->n_fails + 1) * sizeof *w->fails);
				f = &w->fails[w->n_fails++];
				f->message = dup_field(c, "message");
				f->detail = dup_field(c, "detail");
				f->where = dup_field(c, "where");
			}
		}
	}
	w->state = w->error[0] ? EXWATCH_ERROR
	         : w->failed == 0 && w->passed > 0 ? EXWATCH_PASSED : EXWATCH_FAILED;
	w->version++;
	json_object_put(root);
	return true;
}

/* Read what the child wrote; once it has closed the pipe and exited, parse. */
static void read_child(struct exwatch *w, double now)
{
	int status;
	pid_t done;

	while (!w->eof) {
		ssize_t n;
		if (w->out_cap - w->out_len < 4096) {
			w->out_cap = w->out_cap ? 2 * w->out_cap : 16384;
			w->out = xrealloc(w->out, w->out_cap);
		}
		n = read(w->fd, w->out + w->out_len, w->out_cap - w->out_len - 1);
		if (n > 0)
			w->out_len += (size_t)n;
		else if (n == 0)
			w->eof = true;
		else if (errno != EINTR)
			break;   /* EAGAIN: nothing more for now */
	}
	if (!w->eof) {
		if (now - w->started > VERIFY_TIMEOUT) {
			kill_child(w);
			set_error(w, "the verification took longer than %s and was stopped", "2 minutes");
		}
		return;
	}
	done = waitpid(w->pid, &status, WNOHANG);
	if (done == 0)
		return;
	w->pid = -1;
	w->out[w->out_len] = '\0';
	if (!exwatch_parse_report(w, w->out)) {
		char why[64];
		if (done > 0 && WIFSIGNALED(status))
			snprintf(why, sizeof why, "killed by signal %d", WTERMSIG(status));
		else
			snprintf(why, sizeof why, "exit status %d", done > 0 ? WEXITSTATUS(status) : -1);
		set_error(w, "the verification ended without a report (%s)", why);
	}
	kill_child(w);   /* closes the pipe and frees the buffer */
}

void exwatch_tick(struct exwatch *w, double now)
{
	long long mtime, size;

	if (w == NULL || w->path == NULL)
		return;
	if (w->pid > 0)
		read_child(w, now);
	if (now - w->last_poll < POLL_SECONDS)
		return;
	w->last_poll = now;
	if (!file_stamp(w->path, &mtime, &size)) {
		if (w->state != EXWATCH_ERROR || w->size != -1) {
			kill_child(w);
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
	kill_child(w);
	if (copy_file(w->start_file, w->path, err) < 0)
		return -1;
	clear_result(w);
	file_stamp(w->path, &w->mtime_ns, &w->size);
	w->state = EXWATCH_UNTOUCHED;
	w->version++;
	return 0;
}
