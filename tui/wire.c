/* wire.c — frames of plain data: building, sending, receiving, reading. */
#include "wire.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

enum { HEADER = 5 };   /* u32 length of what follows, u8 type */
/* Bytes one wire_fill takes at most, so a chatty lab cannot hold up the caller. */
#define FILL_MAX ((size_t)1 << 20)

/* ---- building ----------------------------------------------------------- */

static void put(struct wire_out *w, const void *p, size_t n)
{
	if (w->len + n > w->cap) {
		size_t cap = w->cap ? w->cap : 256;
		while (cap < w->len + n)
			cap *= 2;
		w->buf = xrealloc(w->buf, cap);
		w->cap = cap;
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

void wire_begin(struct wire_out *w, int type)
{
	unsigned char header[HEADER] = { 0, 0, 0, 0, (unsigned char)type };

	w->len = 0;
	put(w, header, sizeof header);
}

void wire_u8(struct wire_out *w, unsigned v)
{
	unsigned char b = (unsigned char)v;
	put(w, &b, 1);
}

void wire_i32(struct wire_out *w, int32_t v) { put(w, &v, sizeof v); }
void wire_u32(struct wire_out *w, uint32_t v) { put(w, &v, sizeof v); }
void wire_i64(struct wire_out *w, int64_t v) { put(w, &v, sizeof v); }
void wire_u64(struct wire_out *w, uint64_t v) { put(w, &v, sizeof v); }
void wire_f64(struct wire_out *w, double v) { put(w, &v, sizeof v); }

void wire_bytes(struct wire_out *w, const void *p, size_t n)
{
	put(w, p, n);
}

void wire_strn(struct wire_out *w, const char *s, size_t n)
{
	wire_u32(w, (uint32_t)n);
	put(w, s, n);
}

void wire_str(struct wire_out *w, const char *s)
{
	wire_strn(w, s ? s : "", s ? strlen(s) : 0);
}

int wire_send(int fd, struct wire_out *w)
{
	uint32_t n = (uint32_t)(w->len - 4);
	size_t off = 0;

	memcpy(w->buf, &n, sizeof n);
	while (off < w->len) {
		ssize_t k = write(fd, w->buf + off, w->len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		off += (size_t)k;
	}
	return 0;
}

void wire_out_free(struct wire_out *w)
{
	free(w->buf);
	memset(w, 0, sizeof *w);
}

/* ---- reading one frame -------------------------------------------------- */

static bool take(struct wire_in *in, void *out, size_t n)
{
	if (in->bad || in->left < n) {
		in->bad = true;
		memset(out, 0, n);
		return false;
	}
	memcpy(out, in->p, n);
	in->p += n;
	in->left -= n;
	return true;
}

unsigned wire_get_u8(struct wire_in *in)
{
	unsigned char b;
	take(in, &b, 1);
	return b;
}

int32_t wire_get_i32(struct wire_in *in) { int32_t v; take(in, &v, sizeof v); return v; }
uint32_t wire_get_u32(struct wire_in *in) { uint32_t v; take(in, &v, sizeof v); return v; }
int64_t wire_get_i64(struct wire_in *in) { int64_t v; take(in, &v, sizeof v); return v; }
uint64_t wire_get_u64(struct wire_in *in) { uint64_t v; take(in, &v, sizeof v); return v; }
double wire_get_f64(struct wire_in *in) { double v; take(in, &v, sizeof v); return v; }

/* The string's bytes in place; NULL (and bad) when the frame is too short. */
static const char *get_bytes(struct wire_in *in, size_t *n)
{
	uint32_t len = wire_get_u32(in);
	const char *s = in->p;

	if (in->bad || in->left < len) {
		in->bad = true;
		*n = 0;
		return NULL;
	}
	in->p += len;
	in->left -= len;
	*n = len;
	return s;
}

char *wire_get_str(struct wire_in *in)
{
	size_t n;
	const char *s = get_bytes(in, &n);
	char *out = xmalloc(n + 1);

	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (out[i] == '\0')
			out[i] = '?';
	return out;
}

void wire_get_strbuf(struct wire_in *in, char *buf, size_t size)
{
	size_t n;
	const char *s = get_bytes(in, &n);

	if (size == 0)
		return;
	if (n >= size) {
		n = size - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;   /* never half a character */
	}
	if (n)
		memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = '?';
}

/* ---- receiving ---------------------------------------------------------- */

void wire_conn_init(struct wire_conn *c, int fd, size_t max_frame)
{
	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->max_frame = max_frame;
}

void wire_conn_free(struct wire_conn *c)
{
	free(c->buf);
	c->buf = NULL;
	c->start = c->len = c->cap = 0;
}

size_t wire_fill(struct wire_conn *c, bool block)
{
	size_t got = 0;

	if (c->eof || c->broken)
		return 0;
	if (c->start > 0 && c->start == c->len)
		c->start = c->len = 0;
	for (;;) {
		if (c->cap - c->len < 65536) {
			/* Move what is unread to the front before growing. */
			if (c->start > 0) {
				memmove(c->buf, c->buf + c->start, c->len - c->start);
				c->len -= c->start;
				c->start = 0;
			}
			if (c->cap - c->len < 65536) {
				c->cap = c->cap ? c->cap * 2 : 262144;
				c->buf = xrealloc(c->buf, c->cap);
			}
		}
		ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (n > 0) {
			c->len += (size_t)n;
			got += (size_t)n;
			if (block || got >= FILL_MAX)
				return got;   /* the caller cuts frames out before reading more */
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return got;
		c->eof = true;   /* 0: closed; any other error: gone too */
		return got;
	}
}

bool wire_next(struct wire_conn *c, int *type, struct wire_in *in)
{
	size_t avail = c->len - c->start;
	uint32_t n;

	if (c->broken || avail < HEADER)
		return false;
	memcpy(&n, c->buf + c->start, sizeof n);
	if (n < 1 || n > c->max_frame) {
		c->broken = true;
		return false;
	}
	if (avail < 4 + (size_t)n)
		return false;
	*type = (unsigned char)c->buf[c->start + 4];
	in->p = c->buf + c->start + HEADER;
	in->left = n - 1;
	in->bad = false;
	c->start += 4 + (size_t)n;
	return true;
}
