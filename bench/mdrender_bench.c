/* mdrender_bench.c — time mdrender_parse at 80 columns on one word of 160 KB,
 * 1 MB and 10 MB (cutting long words was once quadratic) and on a 1 MB
 * paragraph of ordinary words. The cases run interleaved, round after round;
 * each prints its median and its time per MB: linear time shows as equal
 * times per MB.
 *
 * usage: mdrender_bench [ROUNDS]   (default 11)
 *        mdrender_bench --smoke    inputs 64 times smaller, one round, and the
 *                                  lines checked: the test suite runs this */
#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mdrender.h"
#include "util.h"

#define WIDTH 80
#define MB 1e6          /* as util_fmt_bytes counts */

struct bench_case {
	size_t bytes;
	bool paragraph;     /* ordinary words; else one word */
	char *text;         /* Markdown, bytes + '\n' */
	double *times;
};

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

/* n bytes of one word, or of words with a soft break every dozen. */
static char *make_text(size_t n, bool paragraph)
{
	static const char *const words[] = {
		"the", "traceback", "keeps", "every", "frame", "alive,", "and", "each",
		"frame", "its", "locals:", "one", "exception", "can", "hold", "megabytes.",
	};
	char *t = xmalloc(n + 2);
	size_t i = 0, k = 0;

	while (i < n) {
		if (!paragraph) {
			t[i] = (char)('a' + i % 26);
			i++;
			continue;
		}
		for (const char *w = words[k % 16]; *w && i < n; w++)
			t[i++] = *w;
		if (i < n)
			t[i++] = ++k % 12 ? ' ' : '\n';
	}
	t[n] = '\n';
	t[n + 1] = '\0';
	return t;
}

/* What the reader must see: the text whole (a word's pieces end to end, a
 * paragraph's lines joined by one space), a word's lines as wide as the screen
 * but the last, a paragraph's no wider. */
static bool output_ok(const struct bench_case *c, const struct mdrender_doc *d)
{
	size_t at = 0;

	for (int i = 0; i < d->nlines; i++) {
		char *t = mdrender_line_text(&d->lines[i]);
		size_t k = strlen(t);
		int w = mdrender_line_width(&d->lines[i], false);
		bool ok = (w == WIDTH || (w < WIDTH && (c->paragraph || i == d->nlines - 1))) &&
		          at + k <= c->bytes;

		for (size_t j = 0; ok && j < k; j++)
			ok = t[j] == (c->text[at + j] == '\n' ? ' ' : c->text[at + j]);
		free(t);
		if (!ok)
			return false;
		at += k + (c->paragraph && at + k < c->bytes);
	}
	return at == c->bytes;
}

int main(int argc, char **argv)
{
	bool smoke = argc > 1 && strcmp(argv[1], "--smoke") == 0;
	int rounds = smoke ? 1 : argc > 1 ? atoi(argv[1]) : 11;
	size_t scale = smoke ? 64 : 1;
	struct bench_case cases[] = {
		{ 160000, false, NULL, NULL },
		{ 1000000, false, NULL, NULL },
		{ 10000000, false, NULL, NULL },
		{ 1000000, true, NULL, NULL },
	};
	const int ncases = (int)(sizeof cases / sizeof cases[0]);
	double base = 0;
	int failed = 0;

	if (rounds < 1) {
		fprintf(stderr, "usage: mdrender_bench [ROUNDS | --smoke]\n");
		return 2;
	}
	setlocale(LC_CTYPE, "C.UTF-8");
	for (int c = 0; c < ncases; c++) {
		cases[c].bytes /= scale;
		cases[c].text = make_text(cases[c].bytes, cases[c].paragraph);
		cases[c].times = xcalloc((size_t)rounds, sizeof(double));
	}
	for (int r = 0; r < rounds; r++) {
		for (int c = 0; c < ncases; c++) {
			struct bench_case *bc = &cases[c];
			struct mdrender_doc doc;
			double t0 = util_now();
			int rc = mdrender_parse(&doc, bc->text, bc->bytes + 1, WIDTH, false);

			bc->times[r] = util_now() - t0;
			if (rc != 0 || (smoke && !output_ok(bc, &doc))) {
				fprintf(stderr, "mdrender_bench: case %d: wrong output\n", c + 1);
				failed = 1;
			}
			mdrender_free(&doc);
		}
	}
	printf("%-10s %9s %10s %10s %16s\n", "input", "size", "median ms", "ms per MB",
	       "per MB vs first");
	for (int c = 0; c < ncases; c++) {
		double ms = median(cases[c].times, rounds) * 1000;
		double per_mb = ms / (double)cases[c].bytes * MB;
		char size[32];

		if (c == 0)
			base = per_mb;
		util_fmt_bytes((double)cases[c].bytes, size, sizeof size);
		printf("%-10s %9s %10.2f %10.2f %15.2fx\n", cases[c].paragraph ? "paragraph" : "one word",
		       size, ms, per_mb, per_mb / base);
		free(cases[c].text);
		free(cases[c].times);
	}
	return failed;
}
