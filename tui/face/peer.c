/* peer.c — the slides and notes windows' socket. */
#include "peer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define MAX_FRAME 1024

enum { PEER_STATE = 1, PEER_KEY };

void peer_init(struct peer *p)
{
	memset(p, 0, sizeof *p);
	p->listen_fd = p->fd = -1;
	for (int i = 0; i < PEER_MAX_NOTES; i++)
		p->fds[i] = -1;
}

/* A folder only this user may use: made if missing, refused if anyone
 * else could put a socket in it. */
static int private_dir(char *dir, size_t size, struct error *err)
{
	const char *run = getenv("XDG_RUNTIME_DIR");
	struct stat st;

	if (run && run[0] == '/')
		snprintf(dir, size, "%s/exclab", run);
	else
		snprintf(dir, size, "/tmp/exclab-%u", (unsigned)getuid());
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		error_set(err, dir, 0, "cannot make the folder for the notes window's socket: %s",
		          strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode) || st.st_uid != getuid() ||
	    (st.st_mode & 077) != 0) {
		error_set(err, dir, 0, "not a private folder of yours (owner only, mode 0700): "
		          "the notes window's socket cannot go there");
		return -1;
	}
	return 0;
}

/* The socket's path, from the deck's real path: the same deck, however it
 * is named on the command line, meets the same socket. */
int peer_locate(struct peer *p, const char *deck, struct error *err)
{
	char *out = p->path;
	size_t size = sizeof p->path;
	char dir[sizeof ((struct sockaddr_un *)0)->sun_path], real[PATH_MAX];
	unsigned long long h = 1469598103934665603ULL;   /* FNV-1a */

	if (p->path[0])
		return 0;
	if (realpath(deck, real) == NULL) {
		error_set(err, deck, 0, "%s", strerror(errno));
		return -1;
	}
	for (const char *c = real; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	if (private_dir(dir, sizeof dir, err) < 0)
		return -1;
	if (snprintf(out, size, "%s/present-%016llx.sock", dir, h) >= (int)size) {
		error_set(err, dir, 0, "the folder's name is too long for a socket");
		out[0] = '\0';
		return -1;
	}
	return 0;
}

static int unix_socket(void)
{
	return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static bool try_connect(const char *path, int *out)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = unix_socket();

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (fd < 0)
		return false;
	if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
		close(fd);
		return false;
	}
	*out = fd;
	return true;
}

int peer_listen(struct peer *p, const char *deck, struct error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	mode_t old;
	int fd, other, rc;

	if (peer_locate(p, deck, err) < 0)
		return -1;
	snprintf(a.sun_path, sizeof a.sun_path, "%s", p->path);
	fd = unix_socket();
	if (fd < 0) {
		error_set(err, NULL, 0, "cannot make a socket: %s", strerror(errno));
		return -1;
	}
	old = umask(077);
	rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	if (rc < 0 && errno == EADDRINUSE) {
		/* Someone answers: the deck is on screen already. No one: a
		 * socket left by a window that ended without cleaning up. */
		if (try_connect(p->path, &other)) {
			close(other);
			close(fd);
			umask(old);
			error_set(err, deck, 0, "this deck is being presented in another window already; "
			          "for the presenter's view there, run: exclab present --notes %s", deck);
			p->path[0] = '\0';
			return -1;
		}
		unlink(p->path);
		rc = bind(fd, (struct sockaddr *)&a, sizeof a);
	}
	umask(old);
	if (rc < 0 || listen(fd, PEER_MAX_NOTES) < 0) {
		error_set(err, p->path, 0, "cannot listen for the notes window: %s", strerror(errno));
		close(fd);
		p->path[0] = '\0';
		return -1;
	}
	fcntl(fd, F_SETFL, O_NONBLOCK);
	p->listen_fd = fd;
	return 0;
}

bool peer_connect(struct peer *p)
{
	int fd;

	if (p->fd >= 0)
		return true;
	if (!p->path[0] || !try_connect(p->path, &fd))
		return false;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	p->fd = fd;
	wire_conn_init(&p->conn, fd, MAX_FRAME);
	return true;
}

bool peer_connected(const struct peer *p)
{
	return p->fd >= 0;
}

static void drop(int *fd, struct wire_conn *c)
{
	if (*fd < 0)
		return;
	close(*fd);
	wire_conn_free(c);
	*fd = -1;
}

void peer_close(struct peer *p)
{
	for (int i = 0; i < PEER_MAX_NOTES; i++)
		drop(&p->fds[i], &p->conns[i]);
	drop(&p->fd, &p->conn);
	if (p->listen_fd >= 0) {
		close(p->listen_fd);
		unlink(p->path);
		p->listen_fd = -1;
	}
}

int peer_pollfds(const struct peer *p, struct pollfd *out)
{
	int n = 0;

	if (p->listen_fd >= 0)
		out[n++] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
	for (int i = 0; i < PEER_MAX_NOTES; i++)
		if (p->fds[i] >= 0)
			out[n++] = (struct pollfd){ .fd = p->fds[i], .events = POLLIN };
	if (p->fd >= 0)
		out[n++] = (struct pollfd){ .fd = p->fd, .events = POLLIN };
	return n;
}

/* A whole frame or nothing: a peer whose buffer is full is dropped, never
 * waited for. */
static bool send_frame(int fd, struct wire_out *w)
{
	uint32_t len = (uint32_t)(w->len - 4);   /* the header's length, as wire_send puts it */
	ssize_t n;

	memcpy(w->buf, &len, sizeof len);
	n = send(fd, w->buf, w->len, MSG_NOSIGNAL | MSG_DONTWAIT);

	return n == (ssize_t)w->len;
}

int peer_take_keys(struct peer *p, int *keys, int max, bool *joined)
{
	int n = 0, fd;

	*joined = false;
	while (p->listen_fd >= 0 && (fd = accept(p->listen_fd, NULL, NULL)) >= 0) {
		int slot = -1;
		for (int i = 0; i < PEER_MAX_NOTES && slot < 0; i++)
			if (p->fds[i] < 0)
				slot = i;
		if (slot < 0) {
			close(fd);   /* enough notes windows */
			continue;
		}
		fcntl(fd, F_SETFL, O_NONBLOCK);
		fcntl(fd, F_SETFD, FD_CLOEXEC);
		p->fds[slot] = fd;
		wire_conn_init(&p->conns[slot], fd, MAX_FRAME);
		*joined = true;
	}
	for (int i = 0; i < PEER_MAX_NOTES; i++) {
		struct wire_in in;
		int type;

		if (p->fds[i] < 0)
			continue;
		wire_fill(&p->conns[i], false);
		while (wire_next(&p->conns[i], &type, &in)) {
			int key = wire_get_i32(&in);
			if (type == PEER_KEY && !in.bad && n < max)
				keys[n++] = key;
		}
		if (p->conns[i].eof || p->conns[i].broken)
			drop(&p->fds[i], &p->conns[i]);
	}
	return n;
}

void peer_send_state(struct peer *p, const struct peer_state *st)
{
	struct wire_out w = { 0 };

	wire_begin(&w, PEER_STATE);
	wire_i32(&w, st->slide);
	wire_i32(&w, st->part);
	wire_f64(&w, st->elapsed);
	wire_str(&w, st->status);
	for (int i = 0; i < PEER_MAX_NOTES; i++)
		if (p->fds[i] >= 0 && !send_frame(p->fds[i], &w))
			drop(&p->fds[i], &p->conns[i]);
	wire_out_free(&w);
}

bool peer_take_state(struct peer *p, struct peer_state *st)
{
	struct wire_in in;
	int type;
	bool got = false;

	if (p->fd < 0)
		return false;
	wire_fill(&p->conn, false);
	while (wire_next(&p->conn, &type, &in)) {
		struct peer_state s;
		if (type != PEER_STATE)
			continue;
		s.slide = wire_get_i32(&in);
		s.part = wire_get_i32(&in);
		s.elapsed = wire_get_f64(&in);
		wire_get_strbuf(&in, s.status, sizeof s.status);
		if (!in.bad) {
			*st = s;
			got = true;
		}
	}
	if (p->conn.eof || p->conn.broken)
		drop(&p->fd, &p->conn);
	return got;
}

void peer_send_key(struct peer *p, int key)
{
	struct wire_out w = { 0 };

	if (p->fd < 0)
		return;
	wire_begin(&w, PEER_KEY);
	wire_i32(&w, key);
	if (!send_frame(p->fd, &w))
		drop(&p->fd, &p->conn);
	wire_out_free(&w);
}
