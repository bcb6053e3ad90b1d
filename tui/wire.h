/* wire.h — length-prefixed frames of plain data over a socket.
 *
 * The interface and the lab are the same executable, so numbers travel in
 * host byte order. A frame is a 4-byte length, a 1-byte type and a payload of
 * numbers and length-prefixed strings. The reader trusts nothing: the lab
 * runs arbitrary code that can write anything to its socket, so every read
 * is bounds-checked and a frame larger than the connection's limit is an
 * error, never an allocation. */
#ifndef EXCLAB_WIRE_H
#define EXCLAB_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One frame being built. */
struct wire_out {
	char *buf;
	size_t len, cap;
};

void wire_begin(struct wire_out *w, int type);
void wire_u8(struct wire_out *w, unsigned v);
void wire_i32(struct wire_out *w, int32_t v);
void wire_u32(struct wire_out *w, uint32_t v);
void wire_i64(struct wire_out *w, int64_t v);
void wire_u64(struct wire_out *w, uint64_t v);
void wire_f64(struct wire_out *w, double v);
/* A string: its length, then its bytes (NULL travels as ""). */
void wire_str(struct wire_out *w, const char *s);
void wire_strn(struct wire_out *w, const char *s, size_t n);
/* Raw bytes, no length: for a string sent in parts after its wire_u32 length. */
void wire_bytes(struct wire_out *w, const void *p, size_t n);
/* Write the whole frame to fd (blocking; EINTR is retried). 0, or -1 with errno. */
int wire_send(int fd, struct wire_out *w);
void wire_out_free(struct wire_out *w);

/* One received frame's payload, read front to back. Reading past its end
 * yields zeros and empty strings and sets `bad`. */
struct wire_in {
	const char *p;
	size_t left;
	bool bad;
};

unsigned wire_get_u8(struct wire_in *in);
int32_t wire_get_i32(struct wire_in *in);
uint32_t wire_get_u32(struct wire_in *in);
int64_t wire_get_i64(struct wire_in *in);
uint64_t wire_get_u64(struct wire_in *in);
double wire_get_f64(struct wire_in *in);
/* A string as a new NUL-terminated copy; NUL bytes inside it become '?'. */
char *wire_get_str(struct wire_in *in);
/* A string into buf, cut to size - 1 bytes at a UTF-8 character boundary. */
void wire_get_strbuf(struct wire_in *in, char *buf, size_t size);

/* The receiving end of a connection: bytes read so far, frames cut out. */
struct wire_conn {
	int fd;
	size_t max_frame;   /* a longer frame is a protocol error */
	char *buf;
	size_t start, len, cap;
	bool eof;           /* the other side closed (or the connection failed) */
	bool broken;        /* a frame was malformed or too long */
};

void wire_conn_init(struct wire_conn *c, int fd, size_t max_frame);
void wire_conn_free(struct wire_conn *c);
/* Read what is available without blocking (fd must be O_NONBLOCK), or, with
 * block, wait for at least one byte. Returns the number of bytes read; sets
 * eof when the other side is gone. */
size_t wire_fill(struct wire_conn *c, bool block);
/* The next complete frame: true with its type and payload (valid until the
 * next call); false when none is complete yet. */
bool wire_next(struct wire_conn *c, int *type, struct wire_in *in);

#endif
