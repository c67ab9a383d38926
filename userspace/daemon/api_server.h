/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_API_SERVER_H
#define HEARTHD_API_SERVER_H

/*
 * hearthd's side of the local API (userspace/lib/api.h, docs/api.md): the
 * listening socket and its clients, served from the daemon's poll loop
 * without ever blocking on one of them. A client has HEARTH_API_TIMEOUT_MS
 * to send each request and to take each answer; a request line longer
 * than HEARTH_API_MAX_REQUEST is answered too-large; a peer that is not
 * root (and not of the configured group) is answered permission as soon
 * as it connects, and closed, so that it never holds a place.
 */

#include <poll.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../lib/api.h"

#define API_MAX_CLIENTS 32

struct api_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	unsigned long serial; /* this connection's, for a later answer */
};

/* Answers one well-formed request; returns the answer (hearth_api_ok or
 * hearth_api_error), which the server puts, or API_ANSWER_LATER: the
 * handler then owes the answer to api_server_answer(@peer->serial). The
 * client waits (its deadline stopped, its further requests kept) and
 * nothing else does. */
extern struct json_object *const API_ANSWER_LATER;
typedef struct json_object *(*api_handler)(void *ctx, const char *verb,
					   struct json_object *args,
					   const struct api_peer *peer);

struct api_client {
	int fd; /* -1: a free slot */
	struct api_peer peer;
	char *in;
	size_t in_len;
	char *out;
	size_t out_len, out_sent;
	long long deadline; /* monotonic ms */
	bool hangup; /* close once the output is sent */
	bool eof; /* it sent all it will */
	bool waiting; /* for an answer owed (API_ANSWER_LATER) */
};

struct api_server {
	int listen_fd;
	char path[108];
	bool group_set;
	gid_t group;
	char group_name[64];
	api_handler handler;
	void *ctx;
	unsigned long serials; /* the last connection's serial */
	struct api_client clients[API_MAX_CLIENTS];
};

/* Listens on <run_dir>/hearthd.sock (replacing a stale one: the caller
 * holds the pid file, so no other hearthd uses it). @group: the group
 * whose members may use it besides root, or NULL. */
int api_server_open(struct api_server *s, const char *run_dir, const char *group,
		    api_handler handler, void *ctx, struct hearth_err *err);
void api_server_close(struct api_server *s);
/* The descriptors to poll, from @fds; returns how many were filled. */
int api_server_pollfds(struct api_server *s, struct pollfd *fds, int max);
/* Serves what the poll found ready on the descriptors it was given. */
void api_server_serve(struct api_server *s, const struct pollfd *fds, int n);
/* The answer owed to connection @serial (dropped, with @answer, when that
 * client has gone meanwhile). */
void api_server_answer(struct api_server *s, unsigned long serial, struct json_object *answer);
/* Drops clients past their deadline; returns the next deadline (or
 * @later when no client has one sooner). */
long long api_server_expire(struct api_server *s, long long now, long long later);

#endif
