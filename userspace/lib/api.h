/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_API_H
#define HEARTH_API_H

/*
 * hearthd's local API: the wire format both ends share (docs/api.md).
 *
 * A Unix stream socket, <run-dir>/hearthd.sock. Every message is one JSON
 * object on one line ending in '\n'. A request
 *	{"v": 1, "verb": "tenant.add", "args": {...}}
 * gets exactly one answer, in order:
 *	{"v": 1, "ok": true, "result": ...}
 *	{"v": 1, "ok": false, "error": {"code": "not-found", "message": "..."}}
 */

#include <stdbool.h>
#include <stddef.h>

#include "../../util/error.h"

struct json_object;

#define HEARTH_API_VERSION 1
#define HEARTH_API_SOCKET "hearthd.sock"
/* A request line, '\n' included; longer ones are answered too-large. */
#define HEARTH_API_MAX_REQUEST (64 * 1024)
/* An answer line the client takes (chute lists and statuses are small). */
#define HEARTH_API_MAX_ANSWER (16 * 1024 * 1024)
/* A client has this long to finish each request, and to take its answer. */
#define HEARTH_API_TIMEOUT_MS 5000
/* How long the CLI waits for an answer: a chute install unpacks images. */
#define HEARTH_API_CLIENT_WAIT_MS 120000

enum hearth_api_code {
	HEARTH_API_OK,
	HEARTH_API_BAD_REQUEST, /* not a JSON object, no verb, args of the wrong type */
	HEARTH_API_UNKNOWN_VERB,
	HEARTH_API_VERSION_UNSUPPORTED,
	HEARTH_API_TOO_LARGE,
	HEARTH_API_TIMEOUT,
	HEARTH_API_PERMISSION,
	HEARTH_API_BUSY, /* too many clients at once */
	HEARTH_API_INVALID, /* a value refused: a bad rate, name, port */
	HEARTH_API_NOT_FOUND,
	HEARTH_API_EXISTS,
	HEARTH_API_CONFLICT, /* owned by the configuration file or a chute */
	HEARTH_API_UNAVAILABLE, /* not possible in this state (NAT off, ...) */
	HEARTH_API_FAILED, /* the system refused: the message says why */
	HEARTH_API_CODE_MAX,
};

/* "bad-request", "not-found", ... as they appear on the wire. */
const char *hearth_api_code_name(enum hearth_api_code code);
/* The code for a library error: -ENOENT not-found, -EEXIST exists, ... */
enum hearth_api_code hearth_api_code_of(int neg_errno);

/* Answers; they take the reference to @result. */
struct json_object *hearth_api_ok(struct json_object *result);
struct json_object *hearth_api_error(enum hearth_api_code code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The socket's path under @run_dir; -ENAMETOOLONG if it does not fit. */
int hearth_api_socket_path(const char *run_dir, char *buf, size_t size);

/*
 * The client side: sends one request and waits for its answer. -ENOENT or
 * -ECONNREFUSED (with @err saying so) when no hearthd listens; any answer,
 * an error answer included, is 0 with *@answer set (the caller puts it).
 * @args may be NULL; the call takes the reference to it.
 */
int hearth_api_call(const char *run_dir, const char *verb,
		    struct json_object *args, struct json_object **answer,
		    struct hearth_err *err);

/* The answer's parts: true and *@result (borrowed) when ok, else false
 * with the code and message (borrowed). */
bool hearth_api_answer_ok(struct json_object *answer, struct json_object **result,
			  const char **code, const char **message);

#endif
