/* fuzz.h — one fuzz target: exclab's code fed arbitrary bytes.
 *
 * Each target defines LLVMFuzzerTestOneInput, so it builds two ways: with
 * clang's libFuzzer (tests/fuzz/long.sh, coverage-guided, as long as you
 * like), or with driver.c, a seeded mutator that any compiler builds and the
 * test suite runs for a short, repeatable round under the sanitizers. */
#ifndef EXCLAB_FUZZ_H
#define EXCLAB_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data written as `name` in a private temporary folder, emptied first: its
 * path, valid until the next call. */
const char *fuzz_file(const uint8_t *data, size_t size, const char *name);

#endif
