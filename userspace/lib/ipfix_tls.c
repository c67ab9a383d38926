// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* TLS to an IPFIX collector with OpenSSL (ipfix_tls.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "ipfix_tls.h"

struct ipfix_tls {
	SSL_CTX *ctx;
	SSL *ssl;
	char peer[64];
};

static void ssl_reason(char *buf, size_t size)
{
	unsigned long e = ERR_get_error();

	if (e)
		ERR_error_string_n(e, buf, size);
	else
		snprintf(buf, size, "TLS failed");
	ERR_clear_error();
}

struct ipfix_tls *ipfix_tls_new(const char *ca, const char *cert, const char *key,
				const char *peer, struct hearth_err *err)
{
	struct ipfix_tls *t = calloc(1, sizeof(*t));
	char why[160];

	if (!t) {
		hearth_err_set(err, ENOMEM, "ipfix tls: no memory");
		return NULL;
	}
	snprintf(t->peer, sizeof(t->peer), "%s", peer);
	t->ctx = SSL_CTX_new(TLS_client_method());
	if (!t->ctx || !SSL_CTX_set_min_proto_version(t->ctx, TLS1_2_VERSION))
		goto fail;
	SSL_CTX_set_verify(t->ctx, SSL_VERIFY_PEER, NULL);
	/* the queue hands over what it holds, from wherever it now starts */
	SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	if (SSL_CTX_load_verify_locations(t->ctx, ca, NULL) != 1) {
		ssl_reason(why, sizeof(why));
		hearth_err_set(err, EINVAL, "ipfix tls: CA %s: %s", ca, why);
		goto out;
	}
	if (cert[0] && (SSL_CTX_use_certificate_chain_file(t->ctx, cert) != 1 ||
			SSL_CTX_use_PrivateKey_file(t->ctx, key, SSL_FILETYPE_PEM) != 1 ||
			SSL_CTX_check_private_key(t->ctx) != 1)) {
		ssl_reason(why, sizeof(why));
		hearth_err_set(err, EINVAL, "ipfix tls: client certificate %s: %s", cert, why);
		goto out;
	}
	return t;
fail:
	ssl_reason(why, sizeof(why));
	hearth_err_set(err, EIO, "ipfix tls: %s", why);
out:
	ipfix_tls_free(t);
	return NULL;
}

void ipfix_tls_stop(struct ipfix_tls *t)
{
	if (t && t->ssl) {
		SSL_free(t->ssl); /* no close_notify: the socket is going */
		t->ssl = NULL;
	}
}

void ipfix_tls_free(struct ipfix_tls *t)
{
	if (!t)
		return;
	ipfix_tls_stop(t);
	SSL_CTX_free(t->ctx);
	free(t);
}

int ipfix_tls_start(struct ipfix_tls *t, int fd)
{
	X509_VERIFY_PARAM *param;

	ipfix_tls_stop(t);
	t->ssl = SSL_new(t->ctx);
	if (!t->ssl || SSL_set_fd(t->ssl, fd) != 1)
		return -ENOMEM;
	/* the collector is named by its address: its certificate must carry it */
	param = SSL_get0_param(t->ssl);
	if (X509_VERIFY_PARAM_set1_ip_asc(param, t->peer) != 1)
		return -EINVAL;
	SSL_set_connect_state(t->ssl);
	return 0;
}

int ipfix_tls_handshake(struct ipfix_tls *t, short *events, char *why, size_t size)
{
	int r, e;
	long verify;

	if (!t->ssl)
		return -ENOTCONN;
	r = SSL_do_handshake(t->ssl);
	if (r == 1)
		return 1;
	e = SSL_get_error(t->ssl, r);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		*events = e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT;
		return 0;
	}
	verify = SSL_get_verify_result(t->ssl);
	if (verify != X509_V_OK)
		snprintf(why, size, "collector's certificate: %s",
			 X509_verify_cert_error_string(verify));
	else
		ssl_reason(why, size);
	return -EPROTO;
}

ssize_t ipfix_tls_write(struct ipfix_tls *t, const void *buf, size_t len)
{
	size_t written = 0;
	int e;

	if (!t->ssl)
		return -ENOTCONN;
	if (SSL_write_ex(t->ssl, buf, len, &written) == 1)
		return (ssize_t)written;
	e = SSL_get_error(t->ssl, 0);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
		return 0;
	ERR_clear_error();
	return -EPIPE;
}
