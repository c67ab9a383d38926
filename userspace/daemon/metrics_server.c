// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * GET /metrics, answered from hearthd's loop: libmicrohttpd with its own
 * epoll descriptor in hearthd's poll set and no thread of its own, so a
 * scrape reads the maps as the API does, one at a time. A slow or silent
 * client is libmicrohttpd's to time out (5 s), an oversized request its
 * to refuse (its memory limit per connection); neither holds the others.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <microhttpd.h>

#include "daemon.h"
#include "metrics_server.h"
#include "../lib/metrics.h"

#define METRICS_TIMEOUT_S 5
#define METRICS_CLIENTS 16
#define METRICS_REQUEST_MAX (16 * 1024) /* a connection's buffer: headers and all */

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status,
				   const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_metrics(struct MHD_Connection *conn, struct daemon *d)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	struct json_object *export, *chutes;
	struct hearth_err err = {};
	char *text = NULL;
	size_t len = 0;
	int failed;

	hearth_ct_ends_drain(&d->ends);
	export = flows_json(d);
	if (chute_status_all(&d->chutes, &chutes, &err))
		chutes = NULL; /* none installed yet, or their directory unreadable */
	failed = hearth_metrics_render(&d->dp, &d->ends, export, chutes, &text, &len);
	json_object_put(export);
	json_object_put(chutes);
	if (failed)
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				   "cannot read the data plane\n");
	r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **state)
{
	static int seen;

	(void)version;
	(void)upload_data;
	if (!*state) {
		/* the headers: a wrong method or path is answered at once, and
		 * its body is not read */
		if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
			return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics\n");
		if (strcmp(url, "/metrics"))
			return answer_text(conn, MHD_HTTP_NOT_FOUND, "GET /metrics\n");
		*state = &seen;
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0; /* a body with a GET: ignored */
		return MHD_YES;
	}
	return answer_metrics(conn, cls);
}

int metrics_server_open(struct metrics_server *m, const struct hearth_config *cfg,
			struct daemon *d, struct hearth_err *err)
{
	const struct sockaddr *sa = (const struct sockaddr *)&cfg->metrics_addr;

	m->mhd = NULL;
	if (!cfg->metrics_on)
		return 0;
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_IPv6 * (sa->sa_family == AF_INET6),
				  0, NULL, NULL, on_request, d,
				  MHD_OPTION_SOCK_ADDR, sa,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_CLIENTS,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_REQUEST_MAX,
				  MHD_OPTION_END);
	if (!m->mhd)
		return hearth_err_set(err, EADDRNOTAVAIL, "metrics: cannot listen on %s",
				      cfg->metrics_listen);
	return 0;
}

int metrics_server_fd(const struct metrics_server *m)
{
	const union MHD_DaemonInfo *info;

	if (!m->mhd)
		return -1;
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

long long metrics_server_wait_ms(const struct metrics_server *m)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (!m->mhd || MHD_get_timeout(m->mhd, &ms) != MHD_YES)
		return -1;
	return (long long)ms;
}

void metrics_server_run(struct metrics_server *m)
{
	if (m->mhd)
		MHD_run(m->mhd);
}

void metrics_server_close(struct metrics_server *m)
{
	if (m->mhd)
		MHD_stop_daemon(m->mhd);
	m->mhd = NULL;
}
