/* export.c — exclab present --export: placeholder until the handout lands. */
#include <stdio.h>

#include "present.h"

int present_export(const char *deck, const char *out)
{
	fprintf(stderr, "exclab: cannot export %s to %s yet\n", deck, out);
	return -1;
}
