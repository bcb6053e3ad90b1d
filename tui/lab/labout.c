/* labout.c — events out of the lab, whole frames under one lock. */
#include "labout.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int out_fd = -1;
static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static bool forked;
static _Thread_local struct wire_out frame;   /* each thread builds its own */

/* Around fork: the child must not inherit the lock held by another thread. */
static void before_fork(void) { pthread_mutex_lock(&out_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&out_lock); }

static void after_fork_child(void)
{
	pthread_mutex_unlock(&out_lock);
	if (out_fd >= 0)
		close(out_fd);
	out_fd = -1;
	forked = true;
}

void labout_init(int fd)
{
	out_fd = fd;
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
}

bool labout_forked(void)
{
	return forked;
}

struct wire_out *labout_begin(enum lab_event type)
{
	wire_begin(&frame, type);
	return &frame;
}

void labout_end(struct wire_out *w)
{
	int rc;

	if (forked)
		return;
	pthread_mutex_lock(&out_lock);
	rc = out_fd >= 0 ? wire_send(out_fd, w) : -1;
	pthread_mutex_unlock(&out_lock);
	if (rc < 0)
		_exit(0);   /* the interface is gone: nothing left to do */
	/* A huge frame (a big graph) does not keep its buffer for the next small one. */
	if (w->cap > (size_t)1 << 20)
		wire_out_free(w);
}

void labout_console_text(enum console_kind kind, const char *text, size_t len)
{
	char note[64] = "";
	size_t keep = len;
	struct wire_out *w;

	if (len > LAB_MAX_LINE) {
		keep = LAB_MAX_LINE;
		while (keep > 0 && ((unsigned char)text[keep] & 0xC0) == 0x80)
			keep--;   /* never half a character */
		snprintf(note, sizeof note, " … [%zu more bytes]", len - keep);
	}
	if (forked) {
		/* Best effort: a forked child's words still reach the learner. */
		ssize_t unused = write(STDERR_FILENO, text, keep);
		unused = write(STDERR_FILENO, note, strlen(note));
		unused = write(STDERR_FILENO, "\n", 1);
		(void)unused;
		return;
	}
	w = labout_begin(LAB_CONSOLE);
	wire_u8(w, kind);
	wire_u32(w, (uint32_t)(keep + strlen(note)));
	wire_bytes(w, text, keep);
	wire_bytes(w, note, strlen(note));
	labout_end(w);
}

void labout_console(enum console_kind kind, const char *fmt, ...)
{
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	labout_console_text(kind, text, strlen(text));
	free(text);
}

void labout_sample(const struct probe_sample *s, enum sample_kind kind, const char *label,
                   const char *where)
{
	struct wire_out *w = labout_begin(LAB_SAMPLE);

	wire_u8(w, kind);
	labproto_put_sample(w, s);
	wire_str(w, label);
	wire_str(w, where);
	labout_end(w);
}

void labout_graph(const struct graph *g)
{
	struct wire_out *w = labout_begin(LAB_GRAPH);

	labproto_put_graph(w, g);
	labout_end(w);
}

void labout_busy(enum busy_kind kind, double limit, const char *what, const char *limit_text)
{
	struct wire_out *w = labout_begin(LAB_BUSY);

	wire_u8(w, kind);
	wire_f64(w, limit);
	wire_str(w, what);
	wire_str(w, limit_text);
	labout_end(w);
}
