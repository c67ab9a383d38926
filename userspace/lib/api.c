// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearthd's local API: codes, answers, and the client's one call. */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../../util/clock.h"
#include "api.h"
#include "../../util/files.h"

static const char *const code_names[HEARTH_API_CODE_MAX] = {
	[HEARTH_API_OK] = "ok",
	[HEARTH_API_BAD_REQUEST] = "bad-request",
	[HEARTH_API_UNKNOWN_VERB] = "unknown-verb",
	[HEARTH_API_VERSION_UNSUPPORTED] = "version",
	[HEARTH_API_TOO_LARGE] = "too-large",
	[HEARTH_API_TIMEOUT] = "timeout",
	[HEARTH_API_PERMISSION] = "permission",
	[HEARTH_API_BUSY] = "busy",
	[HEARTH_API_INVALID] = "invalid",
	[HEARTH_API_NOT_FOUND] = "not-found",
	[HEARTH_API_EXISTS] = "exists",
	[HEARTH_API_CONFLICT] = "conflict",
	[HEARTH_API_UNAVAILABLE] = "unavailable",
	[HEARTH_API_FAILED] = "failed",
};

const char *hearth_api_code_name(enum hearth_api_code code)
{
	return code < HEARTH_API_CODE_MAX ? code_names[code] : "failed";
}

enum hearth_api_code hearth_api_code_of(int neg_errno)
{
	switch (-neg_errno) {
	case 0:
		return HEARTH_API_OK;
	case EINVAL:
	case ERANGE:
	case ENAMETOOLONG:
		return HEARTH_API_INVALID;
	case ENOENT:
	case ENODEV:
		return HEARTH_API_NOT_FOUND;
	case EEXIST:
		return HEARTH_API_EXISTS;
	case EADDRINUSE:
	case EBUSY:
		return HEARTH_API_CONFLICT;
	case EALREADY:
	case ENOSPC:
	case EOPNOTSUPP:
		return HEARTH_API_UNAVAILABLE;
	case EPERM:
	case EACCES:
		return HEARTH_API_PERMISSION;
	default:
		return HEARTH_API_FAILED;
	}
}

static struct json_object *answer_new(bool ok)
{
	struct json_object *a = json_object_new_object();

	json_object_object_add(a, "v", json_object_new_int(HEARTH_API_VERSION));
	json_object_object_add(a, "ok", json_object_new_boolean(ok));
	return a;
}

struct json_object *hearth_api_ok(struct json_object *result)
{
	struct json_object *a = answer_new(true);

	json_object_object_add(a, "result", result ?: json_object_new_object());
	return a;
}

struct json_object *hearth_api_error(enum hearth_api_code code, const char *fmt, ...)
{
	struct json_object *a = answer_new(false), *e = json_object_new_object();
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_object_object_add(e, "code", json_object_new_string(hearth_api_code_name(code)));
	json_object_object_add(e, "message", json_object_new_string(msg));
	json_object_object_add(a, "error", e);
	return a;
}

int hearth_api_socket_path(const char *run_dir, char *buf, size_t size)
{
	struct sockaddr_un sun;
	int n = snprintf(buf, size, "%s/" HEARTH_API_SOCKET, run_dir);

	if (n < 0 || (size_t)n >= size || (size_t)n >= sizeof(sun.sun_path))
		return -ENAMETOOLONG;
	return 0;
}

static int connect_to(const char *run_dir, struct hearth_err *err)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, ret;

	ret = hearth_api_socket_path(run_dir, sun.sun_path, sizeof(sun.sun_path));
	if (ret)
		return hearth_err_set(err, ret, "run dir '%s' is too long for a socket path",
				      run_dir);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return hearth_err_set(err, errno, "socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun))) {
		ret = errno;
		close(fd);
		if (ret == ENOENT || ret == ECONNREFUSED)
			return hearth_err_set(err, ret,
					      "hearthd is not running (nothing listens on %s); changes go through hearthd",
					      sun.sun_path);
		return hearth_err_set(err, ret, "cannot reach hearthd at %s: %s",
				      sun.sun_path, strerror(ret));
	}
	return fd;
}

/* One line, up to HEARTH_API_MAX_ANSWER, within HEARTH_API_CLIENT_WAIT_MS. */
static int read_line(int fd, char **line, struct hearth_err *err)
{
	long long deadline = hearth_monotonic_ms() + HEARTH_API_CLIENT_WAIT_MS;
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap), *nl = NULL;
	int ret = 0;

	while (buf && !nl) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = deadline - hearth_monotonic_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) == 0) {
			ret = hearth_err_set(err, ETIMEDOUT, "hearthd did not answer within %d s",
					     HEARTH_API_CLIENT_WAIT_MS / 1000);
			goto cleanup;
		}
		if (len + 1 >= cap) {
			char *more = cap < HEARTH_API_MAX_ANSWER ? realloc(buf, cap * 2) : NULL;

			if (!more) {
				ret = hearth_err_set(err, EMSGSIZE, "hearthd's answer is too large");
				goto cleanup;
			}
			buf = more;
			cap *= 2;
		}
		n = recv(fd, buf + len, cap - len - 1, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			ret = hearth_err_set(err, n ? errno : EPIPE,
					     "hearthd closed the connection without an answer");
			goto cleanup;
		}
		buf[len + (size_t)n] = '\0';
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
	}
	if (!buf)
		return hearth_err_set(err, ENOMEM, "out of memory");
	*nl = '\0';
	*line = buf;
	return 0;
cleanup:
	free(buf);
	return ret;
}

int hearth_api_call(const char *run_dir, const char *verb, struct json_object *args,
		    struct json_object **answer, struct hearth_err *err)
{
	struct json_object *req = json_object_new_object();
	char *line = NULL;
	const char *text;
	int fd, ret, sent;

	json_object_object_add(req, "v", json_object_new_int(HEARTH_API_VERSION));
	json_object_object_add(req, "verb", json_object_new_string(verb));
	if (args)
		json_object_object_add(req, "args", args);
	fd = connect_to(run_dir, err);
	if (fd < 0) {
		ret = fd;
		goto cleanup;
	}
	text = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	ret = hearth_write_all(fd, text, strlen(text));
	if (!ret)
		ret = hearth_write_all(fd, "\n", 1);
	/* hearthd may have answered and hung up before taking the request
	 * (a peer without permission): its answer is what counts */
	if (ret && ret != -EPIPE && ret != -ECONNRESET) {
		hearth_err_set(err, ret, "cannot send to hearthd: %s", strerror(-ret));
		goto cleanup;
	}
	sent = ret;
	ret = read_line(fd, &line, err);
	if (ret && sent)
		hearth_err_set(err, sent, "cannot send to hearthd: %s", strerror(-sent));
	if (ret)
		goto cleanup;
	*answer = json_tokener_parse(line);
	if (!*answer || !json_object_is_type(*answer, json_type_object)) {
		json_object_put(*answer);
		*answer = NULL;
		ret = hearth_err_set(err, EPROTO, "hearthd's answer is not a JSON object");
	}
cleanup:
	if (fd >= 0)
		close(fd);
	free(line);
	json_object_put(req);
	return ret;
}

bool hearth_api_answer_ok(struct json_object *answer, struct json_object **result,
			  const char **code, const char **message)
{
	struct json_object *e;

	if (json_object_get_boolean(json_object_object_get(answer, "ok"))) {
		*result = json_object_object_get(answer, "result");
		return true;
	}
	e = json_object_object_get(answer, "error");
	*code = json_object_get_string(json_object_object_get(e, "code")) ?: "failed";
	*message = json_object_get_string(json_object_object_get(e, "message")) ?: "hearthd refused";
	return false;
}
