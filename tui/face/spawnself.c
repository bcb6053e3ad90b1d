/* spawnself.c — exclab starting itself, with the descriptors it is told. */
#define _GNU_SOURCE   /* posix_spawn_file_actions_addclosefrom_np */
#include "spawnself.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

static void place(posix_spawn_file_actions_t *fa, int fd, int at, int flags)
{
	if (fd == SPAWN_INHERIT)
		return;
	if (fd < 0)
		posix_spawn_file_actions_addopen(fa, at, "/dev/null", flags, 0);
	else
		posix_spawn_file_actions_adddup2(fa, fd, at);
}

int spawn_self(char *const args[], const struct spawn_fds *fds, pid_t *pid, struct error *err)
{
	char name[] = "exclab";
	char *argv[16] = { name };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t all, none;
	int n, rc;

	for (n = 1; args[n - 1] && n < 15; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	posix_spawn_file_actions_init(&fa);
	place(&fa, fds->in, STDIN_FILENO, O_RDONLY);
	place(&fa, fds->out, STDOUT_FILENO, O_WRONLY);
	place(&fa, fds->err, STDERR_FILENO, O_WRONLY);
	if (fds->extra >= 0)
		posix_spawn_file_actions_adddup2(&fa, fds->extra, 3);
	/* Nothing else of the interface's: a lock or a pipe left open would outlive it. */
	posix_spawn_file_actions_addclosefrom_np(&fa, fds->extra >= 0 ? 4 : 3);
	posix_spawnattr_init(&attr);
	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, (fds->same_group ? 0 : POSIX_SPAWN_SETPGROUP) |
	                                POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(pid, "/proc/self/exe", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		error_set(err, NULL, 0, "cannot start exclab: %s", strerror(rc));
		return -1;
	}
	return 0;
}
