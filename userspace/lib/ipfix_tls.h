/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TLS for an IPFIX collector outside the home (RFC 7011 section 11, over
 * TCP), on ipfix.c's own non-blocking socket, with OpenSSL: Debian's
 * libfixbuf is built without it. The collector's certificate must chain
 * to the configured CA and name the collector's address; a client
 * certificate is offered when one is configured. TLS 1.2 at least.
 */
#ifndef HEARTH_IPFIX_TLS_H
#define HEARTH_IPFIX_TLS_H

#include <stdbool.h>
#include <sys/types.h>

#include "../../util/error.h"

struct ipfix_tls;

/* @ca: the CA file (PEM); @cert and @key: the client's, or "" for none;
 * @peer: the collector's address as text, which its certificate must
 * carry. NULL with the reason in @err. */
struct ipfix_tls *ipfix_tls_new(const char *ca, const char *cert, const char *key,
				const char *peer, struct hearth_err *err);
void ipfix_tls_free(struct ipfix_tls *t);
/* A new session on connected socket @fd (the last one's dropped). */
int ipfix_tls_start(struct ipfix_tls *t, int fd);
/* Goes on with the handshake: 1 done, 0 not yet (*@events: what to poll
 * for), or a negative errno with the reason in @why. */
int ipfix_tls_handshake(struct ipfix_tls *t, short *events, char *why, size_t size);
/* Bytes taken, 0 when the socket would block, or a negative errno. */
ssize_t ipfix_tls_write(struct ipfix_tls *t, const void *buf, size_t len);
/* Ends the session (the socket stays the caller's). */
void ipfix_tls_stop(struct ipfix_tls *t);

#endif
