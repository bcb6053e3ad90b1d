/* labproc.c — start, talk to, interrupt and end the lab process. */
#define _GNU_SOURCE   /* pipe2, sigabbrev_np */
#include "labproc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawnself.h"


static void nonblocking(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Spawn `exclab __lab 3 [probe]`. Its standard streams are a pipe back to
 * us (stdin /dev/null), or with `passthrough` our own. */
static int spawn(struct labproc *p, bool program, bool passthrough, struct error *err)
{
	char mode[] = "__lab", fdarg[] = "3", probe[] = "probe";
	char *args[] = { mode, fdarg, program ? probe : NULL, NULL };
	int sv[2], out[2] = { -1, -1 }, rc;

	memset(p, 0, sizeof *p);
	p->pid = -1;
	p->out_fd = -1;
	/* A program that reads the terminal must be in its foreground group;
	 * everything else gets a group of its own. */
	p->own_group = !(passthrough && isatty(STDIN_FILENO));
	wire_conn_init(&p->conn, -1, LAB_MAX_FRAME);
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		error_set(err, NULL, 0, "cannot start the lab: socketpair: %s", strerror(errno));
		return -1;
	}
	if (!passthrough && pipe2(out, O_CLOEXEC) < 0) {
		error_set(err, NULL, 0, "cannot start the lab: pipe: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	rc = spawn_self(args, &(struct spawn_fds){
		.in = passthrough ? SPAWN_INHERIT : -1,
		.out = passthrough ? SPAWN_INHERIT : out[1],
		.err = passthrough ? SPAWN_INHERIT : out[1],
		.extra = sv[1], .same_group = !p->own_group }, &p->pid, err);
	close(sv[1]);
	if (out[1] >= 0)
		close(out[1]);
	if (rc < 0) {
		close(sv[0]);
		if (out[0] >= 0)
			close(out[0]);
		p->pid = -1;
		return -1;
	}
	nonblocking(sv[0]);
	p->conn.fd = sv[0];
	if (out[0] >= 0) {
		nonblocking(out[0]);
		p->out_fd = out[0];
	}
	return 0;
}

int labproc_start(struct labproc *p, struct error *err)
{
	return spawn(p, false, false, err);
}

int labproc_start_program(struct labproc *p, bool passthrough, struct error *err)
{
	return spawn(p, true, passthrough, err);
}

int labproc_send(struct labproc *p, struct wire_out *w)
{
	uint32_t n = (uint32_t)(w->len - 4);
	size_t off = 0;

	if (p->pid < 0 || p->conn.fd < 0)
		return -1;
	memcpy(w->buf, &n, sizeof n);
	while (off < w->len) {
		ssize_t k = send(p->conn.fd, w->buf + off, w->len - off, MSG_NOSIGNAL);
		if (k > 0) {
			off += (size_t)k;
			continue;
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			/* Commands are small; the lab reads them whenever it is idle. */
			struct pollfd pfd = { .fd = p->conn.fd, .events = POLLOUT };
			if (poll(&pfd, 1, 1000) > 0)
				continue;
		}
		return -1;
	}
	return 0;
}

void labproc_interrupt(struct labproc *p)
{
	if (p->pid > 0 && !p->reaped)
		kill(p->pid, SIGINT);
}

bool labproc_crashed(const struct labproc *p)
{
	return p->reaped && WIFSIGNALED(p->status);
}

bool labproc_ended(struct labproc *p)
{
	if (p->pid < 0 || p->reaped)
		return true;
	if (waitpid(p->pid, &p->status, WNOHANG) == p->pid)
		p->reaped = true;
	return p->reaped;
}

bool labproc_output_line(struct labproc *p, char *buf, size_t size)
{
	for (;;) {
		char *nl = memchr(p->line, '\n', p->line_len);
		size_t take;

		if (nl != NULL || p->line_len == sizeof p->line || (p->out_fd < 0 && p->line_len > 0)) {
			/* A whole line, a line as long as the buffer, or what is left at EOF. */
			size_t len = nl ? (size_t)(nl - p->line) : p->line_len;
			take = len < size - 1 ? len : size - 1;
			memcpy(buf, p->line, take);
			buf[take] = '\0';
			len += nl != NULL;
			memmove(p->line, p->line + len, p->line_len - len);
			p->line_len -= len;
			return true;
		}
		if (p->out_fd < 0)
			return false;
		ssize_t n = read(p->out_fd, p->line + p->line_len, sizeof p->line - p->line_len);
		if (n > 0) {
			p->line_len += (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return false;
		close(p->out_fd);   /* EOF, or an error: nothing more will come */
		p->out_fd = -1;
	}
}

void labproc_describe_end(const struct labproc *p, char *buf, size_t size)
{
	if (!p->reaped)
		snprintf(buf, size, "still running");
	else if (WIFSIGNALED(p->status))
	{
		const char *abbrev = sigabbrev_np(WTERMSIG(p->status));
		snprintf(buf, size, "killed by SIG%s (%s)", abbrev ? abbrev : "?",
		         strsignal(WTERMSIG(p->status)));
	}
	else
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(p->status));
}

void labproc_close(struct labproc *p)
{
	if (p->pid > 0) {
		/* The whole group: a process the scenario forked goes too. */
		if (p->own_group)
			kill(-p->pid, SIGKILL);
		kill(p->pid, SIGKILL);
		if (!p->reaped) {
			while (waitpid(p->pid, &p->status, 0) < 0 && errno == EINTR)
				;
			p->reaped = true;
		}
	}
	if (p->conn.fd >= 0)
		close(p->conn.fd);
	if (p->out_fd >= 0)
		close(p->out_fd);
	p->conn.fd = p->out_fd = -1;
	wire_conn_free(&p->conn);
}
