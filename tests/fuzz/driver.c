/* driver.c — a seeded mutation fuzzer for builds without libFuzzer.
 *
 *     fuzz_markdown SEED RUNS SEED_FILE...
 *
 * Each run takes one seed file and mutates it: flipped bits, bytes set to
 * edge values, bytes inserted or removed, runs duplicated, parts of two
 * files spliced. The same SEED gives the same inputs, so a failure can be
 * replayed; the input of a failing run is left in fuzz-crash.bin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"

static uint64_t state;

static uint64_t next(void)
{
	/* xorshift64*: small, and the same everywhere. */
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545F4914F6CDD1DULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

struct buf {
	uint8_t *p;
	size_t len;
};

static void insert(struct buf *b, size_t at, const uint8_t *src, size_t n)
{
	b->p = xrealloc(b->p, b->len + n + 1);
	memmove(b->p + at + n, b->p + at, b->len - at);
	memcpy(b->p + at, src, n);
	b->len += n;
}

static void mutate(struct buf *b, const struct buf *other)
{
	static const uint8_t edges[] = { 0, 0x7F, 0x80, 0xC0, 0xFF, '\n', '*', '[', '`', '#', '|', '{', '"' };
	int rounds = 1 + (int)below(8);

	for (int r = 0; r < rounds; r++) {
		size_t at = below(b->len + 1);
		switch (below(6)) {
		case 0:
			if (b->len)
				b->p[below(b->len)] ^= (uint8_t)(1u << below(8));
			break;
		case 1:
			if (b->len)
				b->p[below(b->len)] = edges[below(sizeof edges)];
			break;
		case 2: {
			uint8_t c = (uint8_t)next();
			insert(b, at, &c, 1);
			break;
		}
		case 3:
			if (b->len) {
				size_t n = 1 + below(b->len - at < 64 ? b->len - at + 1 : 64);
				if (at + n > b->len)
					n = b->len - at;
				memmove(b->p + at, b->p + at + n, b->len - at - n);
				b->len -= n;
			}
			break;
		case 4:
			if (b->len) {
				/* A run repeated many times: deep nesting, long words. */
				size_t from = below(b->len), n = 1 + below(16), times = 1 + below(200);
				uint8_t run[16];
				if (from + n > b->len)
					n = b->len - from;
				memcpy(run, b->p + from, n);
				for (size_t k = 0; k < times; k++)
					insert(b, at, run, n);
			}
			break;
		case 5:
			if (other->len) {
				size_t from = below(other->len), n = below(other->len - from + 1);
				insert(b, at, other->p + from, n);
			}
			break;
		}
	}
}

static struct buf load(const char *path)
{
	struct error err;
	struct buf b = { 0 };
	char *text = util_read_file(path, &b.len, &err);

	if (text == NULL) {
		fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
		exit(2);
	}
	b.p = (uint8_t *)text;
	return b;
}

int main(int argc, char **argv)
{
	struct buf *seeds;
	long runs;
	int n;

	if (argc < 4) {
		fprintf(stderr, "usage: %s SEED RUNS SEED_FILE...\n", argv[0]);
		return 2;
	}
	state = strtoull(argv[1], NULL, 10) * 2654435761u + 1;
	runs = strtol(argv[2], NULL, 10);
	n = argc - 3;
	seeds = xcalloc((size_t)n, sizeof *seeds);
	for (int i = 0; i < n; i++)
		seeds[i] = load(argv[3 + i]);
	for (long r = 0; r < runs; r++) {
		const struct buf *from = &seeds[below((size_t)n)], *other = &seeds[below((size_t)n)];
		struct buf b = { xmalloc(from->len + 1), from->len };
		FILE *f;

		memcpy(b.p, from->p, from->len);
		mutate(&b, other);
		/* Kept until the run returns: a crash leaves it for replay. */
		f = fopen("fuzz-crash.bin", "wb");
		if (f) {
			fwrite(b.p, 1, b.len, f);
			fclose(f);
		}
		LLVMFuzzerTestOneInput(b.p, b.len);
		free(b.p);
	}
	remove("fuzz-crash.bin");
	printf("%ld runs from %d seed files, seed %s: no failure\n", runs, n, argv[1]);
	for (int i = 0; i < n; i++)
		free(seeds[i].p);
	free(seeds);
	return 0;
}
