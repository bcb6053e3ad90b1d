/* golden.h — compare text with a golden file under tests/golden/.
 *
 * EXCLAB_REGENERATE_GOLDENS=1 writes the goldens instead (then review the
 * diff and commit it); it refuses under CI, where a golden must never be
 * rewritten to make a test pass. Run from the project root, as meson does. */
#ifndef EXCLAB_TEST_GOLDEN_H
#define EXCLAB_TEST_GOLDEN_H

#include <stdio.h>
#include <stdlib.h>

#include "check.h"
#include "util.h"

static inline void check_golden_text(const char *path, const char *got)
{
	struct error err;
	char *want;

	if (getenv("EXCLAB_REGENERATE_GOLDENS") != NULL) {
		FILE *f;
		if (getenv("CI") != NULL) {
			fprintf(stderr, "FAIL %s: goldens are never regenerated under CI\n", path);
			check_failures++;
			return;
		}
		f = fopen(path, "w");
		CHECK(f != NULL);
		if (f != NULL) {
			fputs(got, f);
			fclose(f);
		}
		return;
	}
	want = util_read_file(path, NULL, &err);
	if (want == NULL)
		fprintf(stderr, "FAIL %s: %s (EXCLAB_REGENERATE_GOLDENS=1 writes it)\n", path, err.msg);
	CHECK(want != NULL);
	if (want != NULL)
		CHECK_STR(got, want);
	free(want);
}

#endif
