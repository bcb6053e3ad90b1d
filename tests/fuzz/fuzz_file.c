/* fuzz_file.c — targets that read a path get the input as a file. */
#include "fuzz.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fuzz_file(const uint8_t *data, size_t size, const char *name)
{
	static char dir[64], path[384];
	int fd;

	if (dir[0] == '\0') {
		snprintf(dir, sizeof dir, "/tmp/exclab-fuzz-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
	}
	/* An empty folder for each input: nothing one run left (a file set
	 * aside, a lock) changes the next. */
	DIR *d = opendir(dir);
	for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		unlink(path);
	}
	if (d)
		closedir(d);
	snprintf(path, sizeof path, "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size || close(fd) < 0)
		abort();
	return path;
}
