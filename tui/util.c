/* util.c — allocation that cannot fail, error reports, small helpers. */
#include "util.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void error_set(struct error *err, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return;
	snprintf(err->file, sizeof err->file, "%s", file ? file : "");
	err->line = line;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

void error_format(const struct error *err, char *buf, size_t size)
{
	if (err->file[0] && err->line > 0)
		snprintf(buf, size, "%s:%d: %s", err->file, err->line, err->msg);
	else if (err->file[0])
		snprintf(buf, size, "%s: %s", err->file, err->msg);
	else
		snprintf(buf, size, "%s", err->msg);
}

/* The one place where running out of host memory ends the program. */
static void *check_alloc(void *p)
{
	if (p == NULL) {
		static const char msg[] = "exclab: out of memory\n";
		if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0)
			abort();
		abort();
	}
	return p;
}

void *xmalloc(size_t size) { return check_alloc(malloc(size ? size : 1)); }
void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1)); }
void *xrealloc(void *ptr, size_t size) { return check_alloc(realloc(ptr, size ? size : 1)); }
char *xstrdup(const char *s) { return check_alloc(strdup(s)); }
char *xstrndup(const char *s, size_t n)
{
	/* Zero bytes of nothing is an empty string (md4c hands out NULL, 0). */
	return check_alloc(n ? strndup(s, n) : strdup(""));
}

void util_copy(char *dst, size_t size, const char *src)
{
	size_t n = strnlen(src, size - 1);

	memcpy(dst, src, n);
	dst[n] = '\0';
}

char *xmemdup(const void *s, size_t n)
{
	char *p = xmalloc(n + 1);

	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	int n;
	char *s;

	va_copy(copy, ap);
	n = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (n < 0)
		n = 0;
	s = xmalloc((size_t)n + 1);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *util_read_file(const char *path, size_t *len, struct error *err)
{
	/* O_NONBLOCK: a FIFO must not hang the open; fstat then turns it away. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	struct stat st;
	char *buf = NULL;
	size_t cap, n = 0;

	if (fd < 0) {
		error_set(err, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		error_set(err, path, 0, "cannot read: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		error_set(err, path, 0, S_ISDIR(st.st_mode) ? "cannot read: it is a folder"
		          : "cannot read: it is not a regular file");
		close(fd);
		return NULL;
	}
	if (st.st_size > UTIL_MAX_FILE) {
		error_set(err, path, 0, "cannot read: %lld bytes is more than the %d MB exclab reads",
		          (long long)st.st_size, UTIL_MAX_FILE >> 20);
		close(fd);
		return NULL;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t got = read(fd, buf + n, cap - 1 - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			error_set(err, path, 0, "cannot read: %s", strerror(errno));
			close(fd);
			free(buf);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n == cap - 1) {
			/* The file grew while being read: take up to the limit. */
			if (cap > UTIL_MAX_FILE) {
				error_set(err, path, 0, "cannot read: more than the %d MB exclab reads",
				          UTIL_MAX_FILE >> 20);
				close(fd);
				free(buf);
				return NULL;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
	}
	close(fd);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *util_dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Take "." and "name/.." parts out of path, in place; a leading ".." stays
 * (it is not known what it undoes). */
static void normalize(char *path)
{
	char *parts[512];
	int n = 0;
	bool absolute = path[0] == '/';
	char *save = NULL, *out = path, *copy = xstrdup(path);

	for (char *p = strtok_r(copy, "/", &save); p && n < 512; p = strtok_r(NULL, "/", &save)) {
		if (strcmp(p, ".") == 0)
			continue;
		if (strcmp(p, "..") == 0 && n > 0 && strcmp(parts[n - 1], "..") != 0) {
			n--;
			continue;
		}
		if (strcmp(p, "..") == 0 && absolute)
			continue;   /* "/.." is "/" */
		parts[n++] = p;
	}
	if (absolute)
		*out++ = '/';
	for (int i = 0; i < n; i++) {
		size_t len = strlen(parts[i]);
		memcpy(out, parts[i], len);
		out += len;
		if (i + 1 < n)
			*out++ = '/';
	}
	if (out == path)
		*out++ = '.';
	*out = '\0';
	free(copy);
}

char *util_join(const char *base, const char *rel)
{
	char *path;

	if (rel[0] == '/' || base == NULL || base[0] == '\0')
		path = xstrdup(rel);
	else
		path = xasprintf("%s/%s", base, rel);
	normalize(path);
	return path;
}

double util_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void util_fmt_bytes(double bytes, char *buf, size_t size)
{
	static const char *const units[] = { "B", "KB", "MB", "GB", "TB" };
	double v = bytes < 0 ? -bytes : bytes;
	const char *sign = bytes < 0 ? "-" : "";
	int u = 0;

	while (v >= 1000.0 && u < 4) {
		v /= 1000.0;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%s%.0f B", sign, v);
	else
		snprintf(buf, size, "%s%.*f %s", sign, v < 10 ? 2 : v < 100 ? 1 : 0, v, units[u]);
}

void util_fmt_count(double n, char *buf, size_t size)
{
	char digits[32], out[48];
	long long v = (long long)(n < 0 ? -n : n);
	int len, o = 0;

	len = snprintf(digits, sizeof digits, "%lld", v);
	if (n < 0)
		out[o++] = '-';
	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
	snprintf(buf, size, "%s", out);
}
