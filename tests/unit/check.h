/* check.h — the smallest test harness: count failures, say where, exit non-zero.
 *
 * CHECK(cond) and CHECK_STR(got, want) keep going after a failure so one run
 * shows every broken expectation; check_done() prints "name: ok" or the count
 * and returns the exit status for main. */
#ifndef EXCLAB_TEST_CHECK_H
#define EXCLAB_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_failures;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			check_failures++;                                  \
			fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__,      \
			        __LINE__, #cond);                          \
		}                                                          \
	} while (0)

#define CHECK_STR(got, want)                                               \
	do {                                                               \
		const char *check_got_ = (got), *check_want_ = (want);     \
		if (check_got_ == NULL || strcmp(check_got_, check_want_)) { \
			check_failures++;                                  \
			fprintf(stderr, "FAIL %s:%d: %s\n--- got:\n%s\n"   \
			        "--- want:\n%s\n---\n", __FILE__, __LINE__, \
			        #got, check_got_ ? check_got_ : "(null)",  \
			        check_want_);                              \
		}                                                          \
	} while (0)

static inline int check_done(const char *name)
{
	if (check_failures == 0) {
		printf("%s: ok\n", name);
		return 0;
	}
	printf("%s: %d failed\n", name, check_failures);
	return 1;
}

#endif
