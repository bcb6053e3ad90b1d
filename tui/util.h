/* util.h — allocation that cannot fail, error reports, small string helpers.
 *
 * Host allocations abort on failure in one place (xmalloc); budgets for script
 * code are enforced elsewhere (Lua allocator, Python allocator hook). */
#ifndef EXCLAB_UTIL_H
#define EXCLAB_UTIL_H

#include <stdarg.h>
#include <stddef.h>

/* A message for the user about a file and a line (line 0: the whole file). */
struct error {
	char file[512];
	int line;
	char msg[1024];
};

void error_set(struct error *err, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Room for any error_format result: file, line and message. */
#define ERROR_TEXT_MAX (sizeof(((struct error *)0)->file) + sizeof(((struct error *)0)->msg) + 16)

/* "file:line: msg", "file: msg" or "msg" into buf. */
void error_format(const struct error *err, char *buf, size_t size);

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* n bytes of s (NUL bytes and all), plus a terminating NUL. */
char *xmemdup(const void *s, size_t n);
/* src into dst of size bytes (size > 0), cut to size - 1 bytes as
 * snprintf(dst, size, "%s", src) cuts it (a byte count: it can split a UTF-8
 * character), always NUL-terminated; without snprintf's cost, for the graph
 * capture's tens of thousands of names. */
void util_copy(char *dst, size_t size, const char *src);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/* Files exclab reads whole (lessons, scenarios, Python files) are at most this big. */
#define UTIL_MAX_FILE (64 << 20)

/* Whole file into a NUL-terminated buffer; NULL and err set on failure,
 * including a path that is not a regular file (a FIFO, a device, a folder)
 * or is bigger than UTIL_MAX_FILE. */
char *util_read_file(const char *path, size_t *len, struct error *err);
/* Directory part of path ("." when none), newly allocated. */
char *util_dirname(const char *path);
/* base joined to rel unless rel is absolute, with "." and "dir/.." parts
 * taken out ("lessons/../scenarios/x" is "scenarios/x"), newly allocated. */
char *util_join(const char *base, const char *rel);

/* Monotonic seconds. */
double util_now(void);

/* Human-readable bytes ("1.4 MB", "512 B") and counts ("12,345"). */
void util_fmt_bytes(double bytes, char *buf, size_t size);
void util_fmt_count(double n, char *buf, size_t size);

#endif
