/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * IPFIX export (RFC 7011) of flow records to one collector: biflow
 * records (RFC 5103 reverse elements), the NAT elements, flowEndReason,
 * the gateway's observation domain, and hearth's own elements under the
 * documentation enterprise number (HEARTH_IPFIX_PEN).
 *
 * libfixbuf encodes: it writes each message into our buffer (its buffer
 * exporter), and this file sends it on a non-blocking socket of its own,
 * so that a collector that is down, unreachable or slow never blocks the
 * caller: a message that cannot go at once is dropped and counted (UDP),
 * or queued up to HEARTH_IPFIX_QUEUE bytes (TCP, TLS) and dropped past that.
 * (Debian's libfixbuf is built without OpenSSL, and its own sockets
 * block; hence the buffer exporter.)
 */
#ifndef HEARTH_IPFIX_H
#define HEARTH_IPFIX_H

#include <stdbool.h>
#include <sys/socket.h>

#include "../../util/error.h"
#include "flow.h"

/* RFC 5612's enterprise number for documentation: hearth's elements
 * (docs/architecture.md lists them) until it has one of its own. */
#define HEARTH_IPFIX_PEN 32473
#define HEARTH_IPFIX_MTU 1400 /* a UDP message fits any home's path */
#define HEARTH_IPFIX_QUEUE (1u << 20)
#define HEARTH_IPFIX_TEMPLATE_REFRESH_MS 60000 /* UDP: templates resent */

enum hearth_ipfix_transport {
	HEARTH_IPFIX_UDP,
	HEARTH_IPFIX_TCP,
	HEARTH_IPFIX_TLS, /* TCP with TLS (ipfix_tls.h) */
};

struct hearth_ipfix_target {
	struct sockaddr_storage addr;
	enum hearth_ipfix_transport transport;
	char text[64]; /* as configured */
	/* TLS: the CA the collector's certificate must chain to, and the
	 * client's certificate and key ("" for none) */
	char ca[256], cert[256], key[256];
};

struct hearth_ipfix_stats {
	unsigned long long records; /* appended to a message */
	unsigned long long messages, bytes; /* handed to the socket */
	unsigned long long dropped_messages; /* could not be sent */
	unsigned long long dropped_records; /* in those */
	unsigned long long errors; /* failed sends and connects */
	int last_errno;
	char last_error[128]; /* when more than strerror(last_errno) is known */
};

struct hearth_ipfix; /* opaque: libfixbuf's types stay in ipfix.c */

/* @domain: the observation domain; @anonymized: the records' home
 * addresses were anonymized (said in RFC 6235 options records). */
int hearth_ipfix_open(struct hearth_ipfix **x, const struct hearth_ipfix_target *t,
		      __u32 domain, bool anonymized, struct hearth_err *err);
/* Appends @f; a full message is sent. 0 or a negative errno (counted). */
int hearth_ipfix_add(struct hearth_ipfix *x, const struct hearth_flow *f, long long now_ms);
/* Sends the message in hand, the templates when due, and what waits for
 * a TCP collector; (re)connects a TCP collector. Call often. */
void hearth_ipfix_flush(struct hearth_ipfix *x, long long now_ms);
/* The socket and the events to poll it for (TCP with bytes waiting or
 * connecting: POLLOUT), or -1. */
int hearth_ipfix_pollfd(const struct hearth_ipfix *x, short *events);
const struct hearth_ipfix_stats *hearth_ipfix_stats(const struct hearth_ipfix *x);
const struct hearth_ipfix_target *hearth_ipfix_target(const struct hearth_ipfix *x);
void hearth_ipfix_close(struct hearth_ipfix *x);

#endif
