/* exercise.c — freeing an exercise's description. */
#include "exercise.h"

#include <stdlib.h>
#include <string.h>

void exercise_info_free(struct exercise_info *e)
{
	if (e == NULL)
		return;
	free(e->task);
	free(e->file);
	free(e->solution);
	for (int i = 0; i < e->n_cheats; i++)
		free(e->cheats[i]);
	free(e->cheats);
	for (int i = 0; i < e->n_hints; i++)
		free(e->hints[i]);
	free(e->hints);
	memset(e, 0, sizeof *e);
}
