// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The API socket: accepting, reading lines, writing answers, deadlines. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../util/clock.h"
#include "api_server.h"

static struct json_object *answer_later_marker;
struct json_object *const API_ANSWER_LATER = (struct json_object *)&answer_later_marker;

int api_server_open(struct api_server *s, const char *run_dir, const char *group,
		    api_handler handler, void *ctx, struct hearth_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct group *gr;
	int ret;

	memset(s, 0, sizeof(*s));
	s->listen_fd = -1;
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		s->clients[i].fd = -1;
	s->handler = handler;
	s->ctx = ctx;
	if (group && group[0]) {
		gr = getgrnam(group);
		if (!gr)
			return hearth_err_set(err, ENOENT, "control-group '%s' does not exist",
					      group);
		s->group = gr->gr_gid;
		s->group_set = true;
		snprintf(s->group_name, sizeof(s->group_name), "%s", group);
	}
	ret = hearth_api_socket_path(run_dir, s->path, sizeof(s->path));
	if (ret)
		return hearth_err_set(err, ret, "run-dir '%s' is too long for a socket path",
				      run_dir);
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", s->path);
	s->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->listen_fd < 0)
		return hearth_err_set(err, errno, "socket: %s", strerror(errno));
	unlink(s->path);
	/* who may talk is decided by SO_PEERCRED, so that others get an
	 * answer that says so rather than a bare EACCES */
	if (bind(s->listen_fd, (struct sockaddr *)&sun, sizeof(sun)) ||
	    chmod(s->path, 0666) || listen(s->listen_fd, 16)) {
		ret = hearth_err_set(err, errno, "cannot listen on %s: %s", s->path,
				     strerror(errno));
		api_server_close(s);
		return ret;
	}
	return 0;
}

static void client_drop(struct api_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
}

void api_server_close(struct api_server *s)
{
	if (s->listen_fd < 0)
		return; /* never opened: no clients either */
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		client_drop(&s->clients[i]);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	s->listen_fd = -1;
}

/* Root, or a member (by its primary or a supplementary group, read from
 * /proc because SO_PEERCRED carries only the primary one) of the group. */
static bool peer_allowed(const struct api_server *s, const struct api_peer *p)
{
	char path[64], line[4096];
	bool ok = false;
	FILE *f;

	if (p->uid == 0)
		return true;
	if (!s->group_set)
		return false;
	if (p->gid == s->group)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)p->pid);
	f = fopen(path, "re");
	if (!f)
		return false;
	while (!ok && fgets(line, sizeof(line), f)) {
		char *tok, *save;

		if (strncmp(line, "Groups:", 7))
			continue;
		for (tok = strtok_r(line + 7, " \t\n", &save); tok && !ok;
		     tok = strtok_r(NULL, " \t\n", &save))
			ok = (gid_t)strtoul(tok, NULL, 10) == s->group;
	}
	fclose(f);
	return ok;
}

/* Appends @answer and its newline to the client's output. */
static void queue_answer(struct api_client *c, struct json_object *answer)
{
	const char *text = json_object_to_json_string_ext(answer, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(text);
	char *out = realloc(c->out, c->out_len + len + 1);

	if (!out) {
		c->hangup = true;
	} else {
		memcpy(out + c->out_len, text, len);
		out[c->out_len + len] = '\n';
		c->out = out;
		c->out_len += len + 1;
	}
	json_object_put(answer);
}

/* Sends what the socket takes now; false when the client is gone. */
static bool flush_out(struct api_client *c)
{
	while (c->out_sent < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN;
		c->out_sent += (size_t)n;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_sent = 0;
	return !c->hangup;
}

static struct json_object *parse_request(const char *line, size_t len,
					 struct json_object **req)
{
	struct json_tokener *tok = json_tokener_new();
	enum json_tokener_error jerr;
	struct json_object *v;
	size_t rest;

	*req = json_tokener_parse_ex(tok, line, (int)len);
	jerr = json_tokener_get_error(tok);
	rest = *req ? (size_t)tok->char_offset : len;
	json_tokener_free(tok);
	/* blanks after the object are fine ("\r\n" from a terminal) */
	while (rest < len && strchr(" \t\r", line[rest]))
		rest++;
	if (*req && rest < len)
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "not valid JSON: text after the object");
	if (!*req)
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "not valid JSON: %s",
					jerr == json_tokener_continue ?
						"it ends before its line does" :
						json_tokener_error_desc(jerr));
	if (!json_object_is_type(*req, json_type_object))
		return hearth_api_error(HEARTH_API_BAD_REQUEST,
					"a request is a JSON object with a \"verb\"");
	if (json_object_object_get_ex(*req, "v", &v) &&
	    (!json_object_is_type(v, json_type_int) || json_object_get_int(v) != HEARTH_API_VERSION))
		return hearth_api_error(HEARTH_API_VERSION_UNSUPPORTED,
					"API version %s is not spoken here (this hearthd speaks %d)",
					json_object_to_json_string(v), HEARTH_API_VERSION);
	if (!json_object_object_get_ex(*req, "verb", &v) || !json_object_is_type(v, json_type_string))
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "the request has no \"verb\" string");
	if (json_object_object_get_ex(*req, "args", &v) && !json_object_is_type(v, json_type_object))
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "\"args\" must be a JSON object");
	return NULL;
}

static void handle_line(struct api_server *s, struct api_client *c, const char *line,
			size_t len)
{
	struct json_object *req = NULL, *answer, *id;

	answer = parse_request(line, len, &req);
	if (!answer)
		answer = s->handler(s->ctx, json_object_get_string(json_object_object_get(req, "verb")),
				    json_object_object_get(req, "args"), &c->peer);
	if (answer == API_ANSWER_LATER) {
		c->waiting = true;
		c->deadline = LLONG_MAX;
	} else {
		if (req && json_object_object_get_ex(req, "id", &id))
			json_object_object_add(answer, "id", json_object_get(id));
		queue_answer(c, answer);
	}
	json_object_put(req);
}

/* Answers every complete line read so far; false to drop the client. */
static bool take_lines(struct api_server *s, struct api_client *c)
{
	char *nl;

	while (!c->hangup && !c->waiting && (nl = memchr(c->in, '\n', c->in_len))) {
		size_t len = (size_t)(nl - c->in);

		handle_line(s, c, c->in, len);
		memmove(c->in, nl + 1, c->in_len - len - 1);
		c->in_len -= len + 1;
		if (!c->waiting)
			c->deadline = hearth_monotonic_ms() + HEARTH_API_TIMEOUT_MS;
	}
	if (!c->hangup && c->in_len >= HEARTH_API_MAX_REQUEST) {
		queue_answer(c, hearth_api_error(HEARTH_API_TOO_LARGE,
						 "a request is at most %d bytes with its newline",
						 HEARTH_API_MAX_REQUEST));
		c->hangup = true;
	}
	/* a client done sending is closed once all it asked is answered */
	if (c->eof && !c->waiting)
		c->hangup = true;
	return flush_out(c);
}

static bool client_read(struct api_server *s, struct api_client *c)
{
	ssize_t n = recv(c->fd, c->in + c->in_len, HEARTH_API_MAX_REQUEST - c->in_len,
			 MSG_DONTWAIT);

	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		/* done sending: what it sent is answered, then it is closed */
		c->eof = true;
		return take_lines(s, c);
	}
	c->in_len += (size_t)n;
	return take_lines(s, c);
}

/* Answers @fd at once and closes it: a peer that holds no place. */
static void turn_away(int fd, struct json_object *answer)
{
	struct api_client once = { .fd = fd, .hangup = true };

	queue_answer(&once, answer);
	flush_out(&once);
	client_drop(&once);
}

static void accept_one(struct api_server *s)
{
	struct api_client *c = NULL;
	struct api_peer peer = {};
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len)) {
		close(fd);
		return;
	}
	peer = (struct api_peer){ .pid = cred.pid, .uid = cred.uid, .gid = cred.gid };
	/* told at once, so that nobody without permission holds one of the
	 * places root's clients need */
	if (!peer_allowed(s, &peer)) {
		turn_away(fd, hearth_api_error(HEARTH_API_PERMISSION,
					       "uid %u may not use hearthd's API (root%s%s only)",
					       (unsigned int)peer.uid, s->group_set ? " and group " : "",
					       s->group_name));
		return;
	}
	for (int i = 0; i < API_MAX_CLIENTS && !c; i++)
		if (s->clients[i].fd < 0)
			c = &s->clients[i];
	if (!c) {
		turn_away(fd, hearth_api_error(HEARTH_API_BUSY,
					       "hearthd serves %d clients at once; try again",
					       API_MAX_CLIENTS));
		return;
	}
	c->fd = fd;
	c->peer = peer;
	c->peer.serial = ++s->serials;
	c->in = malloc(HEARTH_API_MAX_REQUEST);
	c->deadline = hearth_monotonic_ms() + HEARTH_API_TIMEOUT_MS;
	if (!c->in)
		client_drop(c);
}

int api_server_pollfds(struct api_server *s, struct pollfd *fds, int max)
{
	int n = 0;

	if (s->listen_fd < 0 || max < 1)
		return 0;
	fds[n++] = (struct pollfd){ .fd = s->listen_fd, .events = POLLIN };
	for (int i = 0; i < API_MAX_CLIENTS && n < max; i++) {
		struct api_client *c = &s->clients[i];

		if (c->fd < 0)
			continue;
		fds[n++] = (struct pollfd){
			.fd = c->fd,
			/* a client waiting for an answer is read again after it */
			.events = (c->hangup || c->eof || c->waiting ? 0 : POLLIN) |
				  (c->out_len ? POLLOUT : 0),
		};
	}
	return n;
}

static struct api_client *client_of(struct api_server *s, int fd)
{
	for (int i = 0; i < API_MAX_CLIENTS; i++)
		if (s->clients[i].fd == fd)
			return &s->clients[i];
	return NULL;
}

void api_server_serve(struct api_server *s, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		struct api_client *c;
		bool keep = true;

		if (!fds[i].revents)
			continue;
		if (fds[i].fd == s->listen_fd) {
			accept_one(s);
			continue;
		}
		c = client_of(s, fds[i].fd);
		if (!c)
			continue;
		if (fds[i].revents & POLLOUT)
			keep = flush_out(c);
		if (keep && (fds[i].revents & POLLIN))
			keep = client_read(s, c);
		else if (keep && (fds[i].revents & (POLLHUP | POLLERR)))
			keep = false;
		if (!keep)
			client_drop(c);
	}
}

void api_server_answer(struct api_server *s, unsigned long serial, struct json_object *answer)
{
	struct api_client *c = NULL;

	for (int i = 0; i < API_MAX_CLIENTS && !c; i++)
		if (s->clients[i].fd >= 0 && s->clients[i].peer.serial == serial)
			c = &s->clients[i];
	if (!c || !c->waiting) {
		json_object_put(answer);
		return;
	}
	c->waiting = false;
	c->deadline = hearth_monotonic_ms() + HEARTH_API_TIMEOUT_MS;
	queue_answer(c, answer);
	/* what it sent while it waited, then what it sends next */
	if (!take_lines(s, c))
		client_drop(c);
}

long long api_server_expire(struct api_server *s, long long now, long long later)
{
	for (int i = 0; i < API_MAX_CLIENTS; i++) {
		struct api_client *c = &s->clients[i];

		if (c->fd < 0)
			continue;
		if (now >= c->deadline) {
			/* an answer it never took is dropped; a request it
			 * never finished is told so */
			if (!c->out_len)
				queue_answer(c, hearth_api_error(HEARTH_API_TIMEOUT,
								 "no complete request within %d ms",
								 HEARTH_API_TIMEOUT_MS));
			c->hangup = true;
			flush_out(c);
			client_drop(c);
			continue;
		}
		if (c->deadline < later)
			later = c->deadline;
	}
	return later;
}
