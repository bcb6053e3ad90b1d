/* fuzz_markdown.c — a mutated lesson: loaded, rendered at the widths the
 * interface uses, in UTF-8 and ASCII; every line's width must fit. */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lesson.h"
#include "mdrender.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int widths[] = { 1, 20, 42, 80 };   /* 1: nothing fits, still no crash */
	struct lesson *l;
	struct error err;

	if (lesson_load(&l, fuzz_file(data, size, "lesson.md"), &err) < 0)
		return 0;   /* refused with a message: fine */
	for (int a = 0; a < 2; a++) {
		for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
			struct mdrender_doc doc;
			lesson_render(l, &doc, widths[w], a);
			for (int i = 0; i < doc.nlines; i++)
				free(mdrender_line_text(&doc.lines[i]));
			if (doc.npages < 1)
				abort();   /* a document always has its first page */
			mdrender_free(&doc);
		}
	}
	lesson_free(l);
	return 0;
}
