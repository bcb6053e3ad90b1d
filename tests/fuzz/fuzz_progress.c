/* fuzz_progress.c — a mutated progress file: loaded (or set aside), used
 * and saved again; whatever was read must save and load back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "progress.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size, "progress.json");
	struct progress p, again;
	struct error notice, err;

	progress_load(&p, path, &notice);
	progress_get(&p, "01-fuzz")->steps_done = 1;
	if (progress_save(&p, &err) < 0)
		abort();   /* our own file in our own folder must save */
	if (progress_load(&again, path, &notice) != 0 ||
	    progress_find(&again, "01-fuzz") == NULL || again.n != p.n)
		abort();   /* what we wrote reads back whole */
	progress_free(&again);
	progress_free(&p);
	return 0;
}
