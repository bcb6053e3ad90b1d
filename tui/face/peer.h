/* peer.h — the link between `exclab present DECK` (the slides the room
 * sees) and `exclab present --notes DECK` (the presenter's window).
 *
 * A Unix socket named after the deck's real path, in $XDG_RUNTIME_DIR/exclab
 * (else /tmp/exclab-UID), a folder only its owner may enter. The slides
 * window listens; notes windows connect, receive the state (slide, part,
 * timer, footer) whenever it changes and every second, and send the keys
 * pressed in them. Every socket is non-blocking and every frame small: a
 * notes window that stops reading is dropped, never waited for, and a
 * vanished one is noticed by its end of file. */
#ifndef EXCLAB_PEER_H
#define EXCLAB_PEER_H

#include <poll.h>
#include <stdbool.h>

#include "util.h"
#include "wire.h"

#define PEER_MAX_NOTES 4

struct peer_state {
	int slide, part;
	double elapsed;          /* seconds, when sent */
	char status[240];        /* the slides window's footer */
};

struct peer {
	char path[108];          /* the socket */
	int listen_fd;           /* the slides window: -1 otherwise */
	int fds[PEER_MAX_NOTES]; /* its notes windows, -1 when free */
	struct wire_conn conns[PEER_MAX_NOTES];
	int fd;                  /* a notes window: its connection, -1 while none */
	struct wire_conn conn;
};

void peer_init(struct peer *p);

/* Find the deck's socket: -1 and err when its folder is not private to
 * this user (or cannot be made). */
int peer_locate(struct peer *p, const char *deck, struct error *err);
/* The slides window: listen for notes windows. -1 and err when another
 * window presents the same deck already, or the socket's folder is not
 * private. */
int peer_listen(struct peer *p, const char *deck, struct error *err);
/* A notes window (after peer_locate): connect to the slides window, if it
 * is there (true). */
bool peer_connect(struct peer *p);
bool peer_connected(const struct peer *p);
void peer_close(struct peer *p);

/* The descriptors to poll: up to 1 + PEER_MAX_NOTES into out. */
int peer_pollfds(const struct peer *p, struct pollfd *out);

/* The slides window: take new notes windows and their keys (at most max
 * into keys; returns how many); *joined is set when one joined, so the
 * state should be sent. */
int peer_take_keys(struct peer *p, int *keys, int max, bool *joined);
void peer_send_state(struct peer *p, const struct peer_state *st);

/* A notes window: the newest state (true when one came), and keys out.
 * When the slides window goes, the connection closes (peer_connected). */
bool peer_take_state(struct peer *p, struct peer_state *st);
void peer_send_key(struct peer *p, int key);

#endif
