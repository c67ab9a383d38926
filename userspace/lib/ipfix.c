// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IPFIX export: libfixbuf encodes into our buffer, we send (ipfix.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fixbuf/public.h>

#include "ipfix.h"
#include "ipfix_tls.h"

/* hearth's elements (HEARTH_IPFIX_PEN) */
/* the round-trip times: forward, to the responder and back; reverse (RFC
 * 5103, the element number's bit 14), to the initiator and back */
#define RTT_IE(name, num, desc)                                                         \
	FB_IE_INIT_FULL(name, HEARTH_IPFIX_PEN, num, 4,                                 \
			FB_IE_QUANTITY | FB_IE_F_ENDIAN | FB_IE_F_REVERSIBLE | FB_UNITS_MICROSECONDS, \
			0, 0, FB_UINT_32, desc)

static fbInfoElement_t hearth_elements[] = {
	FB_IE_INIT_FULL("hearthTenant", HEARTH_IPFIX_PEN, 1, 2, FB_IE_IDENTIFIER | FB_IE_F_ENDIAN,
			0, 0, FB_UINT_16, "the tenant the flow's home end belongs to (0: the home)"),
	RTT_IE("hearthRttMinMicroseconds", 2, "the smallest round-trip time measured"),
	RTT_IE("hearthRttSmoothedMicroseconds", 3, "the smoothed round-trip time (TCP's 1/8)"),
	RTT_IE("hearthRttHandshakeMicroseconds", 4, "the round-trip time of the TCP handshake"),
	FB_IE_INIT_FULL("hearthRttSamples", HEARTH_IPFIX_PEN, 5, 4,
			FB_IE_TOTALCOUNTER | FB_IE_F_ENDIAN | FB_IE_F_REVERSIBLE, 0, 0, FB_UINT_32,
			"how many round-trip times were measured"),
	FB_IE_NULL,
};

enum { TID_FLOW4 = 256, TID_FLOW6 = 257, TID_ANON = 258 };

/* Records as libfixbuf reads them (numbers in host order); the
 * paddingOctets of the internal template (flag 1) are not sent. */
/* [0]: forward, [1]: reverse */
#define RTT_FIELDS uint32_t rtt_min[2], rtt_srtt[2], rtt_handshake[2], rtt_samples[2]

struct flow4_rec {
	uint64_t start_ms, end_ms;
	uint64_t octets, packets, rev_octets, rev_packets;
	RTT_FIELDS;
	uint32_t saddr, daddr, xsaddr, xdaddr;
	uint16_t sport, dport, xsport, xdport;
	uint16_t tenant, tcp_flags, rev_tcp_flags;
	uint8_t proto, end_reason, biflow_direction;
	uint8_t pad[7];
};

struct flow6_rec {
	uint64_t start_ms, end_ms;
	uint64_t octets, packets, rev_octets, rev_packets;
	RTT_FIELDS;
	uint8_t saddr[16], daddr[16];
	uint16_t sport, dport;
	uint16_t tenant, tcp_flags, rev_tcp_flags;
	uint8_t proto, end_reason, biflow_direction;
	uint8_t pad[3];
};

#define INTERNAL_ONLY 1

/* RFC 6235 anonymization records: which fields of which template carry
 * anonymized values (Crypto-PAn: structured permutation, stable across
 * sessions and collectors while the key is kept). */
struct anon_rec {
	uint16_t template_id, element_id, flags, technique;
};

#define ANON_STABLE 0x0003
#define ANON_NONE 1
#define ANON_STRUCTURED_PERMUTATION 6

static fbInfoElementSpec_t anon_spec[] = {
	{ "templateId", 2, 0 },
	{ "informationElementId", 2, 0 },
	{ "anonymizationFlags", 2, 0 },
	{ "anonymizationTechnique", 2, 0 },
	FB_IESPEC_NULL,
};

/* the address fields of each flow template */
static const struct {
	uint16_t template_id, element_id;
} anon_fields[] = {
	{ TID_FLOW4, 8 },   { TID_FLOW4, 12 }, /* source, destinationIPv4Address */
	{ TID_FLOW4, 225 }, { TID_FLOW4, 226 }, /* postNATSource, Destination... */
	{ TID_FLOW6, 27 },  { TID_FLOW6, 28 }, /* source, destinationIPv6Address */
};

#define COUNTS_SPEC                                                              \
	{ "flowStartMilliseconds", 8, 0 }, { "flowEndMilliseconds", 8, 0 },      \
	{ "octetDeltaCount", 8, 0 }, { "packetDeltaCount", 8, 0 },              \
	{ "reverseOctetDeltaCount", 8, 0 }, { "reversePacketDeltaCount", 8, 0 }, \
	{ "hearthRttMinMicroseconds", 4, 0 },                                    \
	{ "reverseHearthRttMinMicroseconds", 4, 0 },                             \
	{ "hearthRttSmoothedMicroseconds", 4, 0 },                               \
	{ "reverseHearthRttSmoothedMicroseconds", 4, 0 },                        \
	{ "hearthRttHandshakeMicroseconds", 4, 0 },                              \
	{ "reverseHearthRttHandshakeMicroseconds", 4, 0 },                       \
	{ "hearthRttSamples", 4, 0 }, { "reverseHearthRttSamples", 4, 0 }

#define TAIL_SPEC                                                                \
	{ "hearthTenant", 2, 0 }, { "tcpControlBits", 2, 0 },                    \
	{ "reverseTcpControlBits", 2, 0 }, { "protocolIdentifier", 1, 0 },      \
	{ "flowEndReason", 1, 0 }, { "biflowDirection", 1, 0 }

static fbInfoElementSpec_t flow4_spec[] = {
	COUNTS_SPEC,
	{ "sourceIPv4Address", 4, 0 },
	{ "destinationIPv4Address", 4, 0 },
	{ "postNATSourceIPv4Address", 4, 0 },
	{ "postNATDestinationIPv4Address", 4, 0 },
	{ "sourceTransportPort", 2, 0 },
	{ "destinationTransportPort", 2, 0 },
	{ "postNAPTSourceTransportPort", 2, 0 },
	{ "postNAPTDestinationTransportPort", 2, 0 },
	TAIL_SPEC,
	{ "paddingOctets", 7, INTERNAL_ONLY },
	FB_IESPEC_NULL,
};

static fbInfoElementSpec_t flow6_spec[] = {
	COUNTS_SPEC,
	{ "sourceIPv6Address", 16, 0 },
	{ "destinationIPv6Address", 16, 0 },
	{ "sourceTransportPort", 2, 0 },
	{ "destinationTransportPort", 2, 0 },
	TAIL_SPEC,
	{ "paddingOctets", 3, INTERNAL_ONLY },
	FB_IESPEC_NULL,
};

struct hearth_ipfix {
	struct hearth_ipfix_target target;
	struct hearth_ipfix_stats stats;
	fbInfoModel_t *model;
	fBuf_t *fbuf; /* owns the session and the exporter */
	fbExporter_t *exporter;
	int fd;
	bool connecting; /* TCP: connect(2) in progress */
	struct ipfix_tls *tls; /* TLS: the session's state */
	bool handshaking; /* TLS: connected, the handshake not done */
	short hs_events; /* and what it waits for */
	bool templates_due; /* next message starts with them */
	bool anonymized;
	unsigned int in_message; /* records in the message in hand */
	long long next_templates_ms, next_connect_ms;
	uint8_t msg[HEARTH_IPFIX_MTU];
	uint8_t *queue; /* TCP: bytes not yet taken by the socket */
	size_t queued, sent_of_queue;
};

static int gerr_errno(GError *gerr, int fallback, struct hearth_err *err, const char *what)
{
	if (err)
		hearth_err_set(err, fallback, "ipfix: %s: %s", what, gerr ? gerr->message : "failed");
	g_clear_error(&gerr);
	return -fallback;
}

static int add_template(fbSession_t *session, fbInfoModel_t *model, fbInfoElementSpec_t *spec,
			uint16_t tid, uint16_t scope, struct hearth_err *err)
{
	fbTemplate_t *internal = fbTemplateAlloc(model), *external = fbTemplateAlloc(model);
	GError *gerr = NULL;

	if (!fbTemplateAppendSpecArray(internal, spec, INTERNAL_ONLY, &gerr) ||
	    !fbTemplateAppendSpecArray(external, spec, 0, &gerr))
		return gerr_errno(gerr, EINVAL, err, "template");
	if (scope) {
		fbTemplateSetOptionsScope(internal, scope);
		fbTemplateSetOptionsScope(external, scope);
	}
	if (
	    !fbSessionAddTemplate(session, TRUE, tid, internal, &gerr) ||
	    !fbSessionAddTemplate(session, FALSE, tid, external, &gerr)) {
		return gerr_errno(gerr, EINVAL, err, "template");
	}
	return 0;
}

static int sock_open(struct hearth_ipfix *x)
{
	const struct sockaddr *sa = (const struct sockaddr *)&x->target.addr;
	socklen_t len = sa->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6) :
						    sizeof(struct sockaddr_in);
	int type = x->target.transport == HEARTH_IPFIX_UDP ? SOCK_DGRAM : SOCK_STREAM;
	int fd = socket(sa->sa_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -errno;
	if (connect(fd, sa, len) && errno != EINPROGRESS) {
		int ret = -errno;

		close(fd);
		return ret;
	}
	x->fd = fd;
	x->connecting = type == SOCK_STREAM;
	return 0;
}

static void sock_close(struct hearth_ipfix *x)
{
	ipfix_tls_stop(x->tls);
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	x->connecting = false;
	x->handshaking = false;
}

/* Connected, and for TLS through the handshake: messages may go. */
static bool stream_ready(const struct hearth_ipfix *x)
{
	return x->fd >= 0 && !x->connecting && !x->handshaking;
}

static void count_error(struct hearth_ipfix *x, int errnum)
{
	x->stats.errors++;
	x->stats.last_errno = errnum;
	x->stats.last_error[0] = '\0';
}

/* A TCP collector that went away: the queue is dropped (its messages
 * refer to templates the next connection must be sent again). */
static void tcp_lost(struct hearth_ipfix *x, int errnum, long long now_ms)
{
	count_error(x, errnum);
	sock_close(x);
	if (x->queued)
		x->stats.dropped_messages++;
	x->queued = x->sent_of_queue = 0;
	x->next_connect_ms = now_ms + 1000;
}

/* Some of the queue to the socket: bytes taken, 0 when it would block,
 * or a negative errno. */
static ssize_t stream_write(struct hearth_ipfix *x)
{
	const void *from = x->queue + x->sent_of_queue;
	size_t len = x->queued - x->sent_of_queue;
	ssize_t n;

	if (x->tls)
		return ipfix_tls_write(x->tls, from, len);
	n = send(x->fd, from, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	return n;
}

static void tcp_push(struct hearth_ipfix *x, long long now_ms)
{
	while (stream_ready(x) && x->sent_of_queue < x->queued) {
		ssize_t n = stream_write(x);

		if (n < 0)
			tcp_lost(x, (int)-n, now_ms);
		if (n <= 0)
			return;
		x->sent_of_queue += (size_t)n;
	}
	if (x->sent_of_queue == x->queued)
		x->queued = x->sent_of_queue = 0;
}

/* Hands one encoded message to the socket, or counts it dropped. */
static void message_send(struct hearth_ipfix *x, size_t len, unsigned int records,
			 long long now_ms)
{
	if (x->target.transport == HEARTH_IPFIX_UDP) {
		if (x->fd < 0)
			goto dropped;
		if (send(x->fd, x->msg, len, MSG_NOSIGNAL) == (ssize_t)len)
			goto sent;
		count_error(x, errno);
		/* a refusal is an earlier datagram's ICMP error, reported now:
		 * this one may still go. The collector was away, so it has
		 * lost the templates: they go again with the next message. */
		x->templates_due = true;
		if (errno == ECONNREFUSED && send(x->fd, x->msg, len, MSG_NOSIGNAL) == (ssize_t)len)
			goto sent;
		goto dropped;
	}
	if (!stream_ready(x) || x->queued + len > HEARTH_IPFIX_QUEUE) {
		if (stream_ready(x))
			count_error(x, ENOBUFS);
		goto dropped;
	}
	if (x->queued && x->sent_of_queue) {
		memmove(x->queue, x->queue + x->sent_of_queue, x->queued - x->sent_of_queue);
		x->queued -= x->sent_of_queue;
		x->sent_of_queue = 0;
	}
	memcpy(x->queue + x->queued, x->msg, len);
	x->queued += len;
	tcp_push(x, now_ms);
sent:
	x->stats.messages++;
	x->stats.bytes += len;
	return;
dropped:
	x->stats.dropped_messages++;
	x->stats.dropped_records += records;
}

/*
 * libfixbuf runs in automatic mode (the only one in which it starts a
 * message with templates by itself): any call may end the message in
 * hand, which its buffer exporter then copies to x->msg. A call ends at
 * most one, so each call is followed by collect(), which sends a message
 * that appeared (its header's version, 10, written over the zero left
 * there) with the @records it held.
 */
static void collect(struct hearth_ipfix *x, unsigned int records, long long now_ms)
{
	if (x->msg[0] == 0 && x->msg[1] == 10)
		message_send(x, fbExporterGetMsgLen(x->exporter), records, now_ms);
	x->msg[0] = x->msg[1] = 0;
}

/* Ends the message in hand and sends it. */
static int emit(struct hearth_ipfix *x, long long now_ms)
{
	GError *gerr = NULL;
	gboolean ok = fBufEmit(x->fbuf, &gerr);

	collect(x, x->in_message, now_ms);
	x->in_message = 0;
	return ok ? 0 : gerr_errno(gerr, EIO, NULL, "emit");
}

static bool append(struct hearth_ipfix *x, uint16_t tid, void *rec, size_t size,
		   GError **gerr)
{
	return fBufSetInternalTemplate(x->fbuf, tid, gerr) &&
	       fBufSetExportTemplate(x->fbuf, tid, gerr) &&
	       fBufAppend(x->fbuf, rec, size, gerr);
}

/* The templates and, after them, what the address fields hold (RFC 6235
 * 6.1: each new session, and each time the templates are sent again). */
static int templates_send(struct hearth_ipfix *x, long long now_ms)
{
	GError *gerr = NULL;

	if (x->in_message)
		emit(x, now_ms);
	if (!fbSessionExportTemplates(fBufGetSession(x->fbuf), &gerr))
		return gerr_errno(gerr, EIO, NULL, "templates");
	collect(x, 0, now_ms);
	for (size_t i = 0; i < sizeof(anon_fields) / sizeof(anon_fields[0]); i++) {
		struct anon_rec r = {
			.template_id = anon_fields[i].template_id,
			.element_id = anon_fields[i].element_id,
			.flags = x->anonymized ? ANON_STABLE : 0,
			.technique = x->anonymized ? ANON_STRUCTURED_PERMUTATION : ANON_NONE,
		};

		if (!append(x, TID_ANON, (uint8_t *)&r, sizeof(r), &gerr))
			return gerr_errno(gerr, EIO, NULL, "anonymization records");
		collect(x, 0, now_ms);
	}
	x->templates_due = false;
	x->next_templates_ms = now_ms + HEARTH_IPFIX_TEMPLATE_REFRESH_MS;
	return emit(x, now_ms);
}

static int session_open(struct hearth_ipfix *x, __u32 domain, struct hearth_err *err)
{
	GError *gerr = NULL;
	fbSession_t *session;
	int ret;

	x->model = fbInfoModelAlloc();
	fbInfoModelAddElementArray(x->model, hearth_elements);
	session = fbSessionAlloc(x->model);
	fbSessionSetDomain(session, domain);
	ret = add_template(session, x->model, flow4_spec, TID_FLOW4, 0, err);
	if (!ret)
		ret = add_template(session, x->model, flow6_spec, TID_FLOW6, 0, err);
	if (!ret)
		ret = add_template(session, x->model, anon_spec, TID_ANON, 2, err);
	if (ret) {
		fbSessionFree(session);
		return ret;
	}
	x->exporter = fbExporterAllocBuffer(x->msg, sizeof(x->msg));
	x->fbuf = fBufAllocForExport(session, x->exporter);
	/* libfixbuf exports templates only with a current template set */
	if (!fBufSetInternalTemplate(x->fbuf, TID_FLOW4, &gerr) ||
	    !fBufSetExportTemplate(x->fbuf, TID_FLOW4, &gerr))
		return gerr_errno(gerr, EINVAL, err, "template");
	return 0;
}

/* The collector's address without its port (what its certificate names). */
static const char *collector_host(const struct hearth_ipfix_target *t, char *buf, size_t size)
{
	const struct sockaddr_in6 *in6 = (const void *)&t->addr;
	const struct sockaddr_in *in = (const void *)&t->addr;

	if (t->addr.ss_family == AF_INET6)
		return inet_ntop(AF_INET6, &in6->sin6_addr, buf, (socklen_t)size);
	return inet_ntop(AF_INET, &in->sin_addr, buf, (socklen_t)size);
}

int hearth_ipfix_open(struct hearth_ipfix **out, const struct hearth_ipfix_target *t,
		      __u32 domain, bool anonymized, struct hearth_err *err)
{
	struct hearth_ipfix *x = calloc(1, sizeof(*x));
	int ret;

	if (!x)
		return -ENOMEM;
	x->target = *t;
	x->fd = -1;
	x->templates_due = true;
	x->anonymized = anonymized;
	if (t->transport != HEARTH_IPFIX_UDP) {
		x->queue = malloc(HEARTH_IPFIX_QUEUE);
		if (!x->queue) {
			free(x);
			return -ENOMEM;
		}
	}
	ret = 0;
	if (t->transport == HEARTH_IPFIX_TLS) {
		char peer[64];

		x->tls = ipfix_tls_new(t->ca, t->cert, t->key, collector_host(t, peer, sizeof(peer)),
				       err);
		if (!x->tls)
			ret = -EINVAL;
	}
	if (!ret)
		ret = session_open(x, domain, err);
	/* a collector out of reach now (no route yet at boot) is tried again
	 * every second: it never stops the gateway */
	if (!ret) {
		int failed = sock_open(x);

		if (failed)
			count_error(x, -failed);
	}
	if (ret) {
		hearth_ipfix_close(x);
		return ret;
	}
	*out = x;
	return 0;
}

static void fill4(struct flow4_rec *r, const struct hearth_flow *f)
{
	r->saddr = ntohl(f->saddr.ip4);
	r->daddr = ntohl(f->daddr.ip4);
	r->xsaddr = ntohl(f->xsaddr.ip4);
	r->xdaddr = ntohl(f->xdaddr.ip4);
	r->sport = ntohs(f->sport);
	r->dport = ntohs(f->dport);
	r->xsport = ntohs(f->xsport);
	r->xdport = ntohs(f->xdport);
}

#define FILL_COMMON(r, f)                                                        \
	do {                                                                     \
		(r)->start_ms = (f)->start_ms;                                   \
		(r)->end_ms = (f)->end_ms;                                       \
		(r)->octets = (f)->bytes[0];                                     \
		(r)->packets = (f)->packets[0];                                  \
		(r)->rev_octets = (f)->bytes[1];                                 \
		(r)->rev_packets = (f)->packets[1];                              \
		(r)->tenant = (f)->tenant;                                       \
		(r)->tcp_flags = (f)->tcp_flags[0];                              \
		(r)->rev_tcp_flags = (f)->tcp_flags[1];                          \
		(r)->proto = (f)->proto;                                         \
		(r)->end_reason = (f)->end_reason;                               \
		(r)->biflow_direction = 1; /* initiator: the source */           \
		for (int d_ = 0; d_ < 2; d_++) {                                 \
			(r)->rtt_min[d_] = (f)->rtt[d_].min_us;                  \
			(r)->rtt_srtt[d_] = (f)->rtt[d_].srtt_us;                \
			(r)->rtt_handshake[d_] = (f)->rtt[d_].handshake_us;      \
			(r)->rtt_samples[d_] = (f)->rtt[d_].samples;             \
		}                                                                \
	} while (0)

int hearth_ipfix_add(struct hearth_ipfix *x, const struct hearth_flow *f, long long now_ms)
{
	struct flow4_rec r4 = {};
	struct flow6_rec r6 = {};
	uint16_t tid = f->family == AF_INET ? TID_FLOW4 : TID_FLOW6;
	void *rec = f->family == AF_INET ? (void *)&r4 : (void *)&r6;
	size_t size = f->family == AF_INET ? sizeof(r4) : sizeof(r6);
	GError *gerr = NULL;

	if (x->templates_due || now_ms >= x->next_templates_ms)
		templates_send(x, now_ms);
	if (f->family == AF_INET) {
		FILL_COMMON(&r4, f);
		fill4(&r4, f);
	} else {
		FILL_COMMON(&r6, f);
		memcpy(r6.saddr, f->saddr.b, 16);
		memcpy(r6.daddr, f->daddr.b, 16);
		r6.sport = ntohs(f->sport);
		r6.dport = ntohs(f->dport);
	}
	if (!append(x, tid, rec, size, &gerr))
		return gerr_errno(gerr, EIO, NULL, "record");
	if (x->msg[0] == 0 && x->msg[1] == 10) {
		/* the message in hand was full: it went, this one begins the next */
		collect(x, x->in_message, now_ms);
		x->in_message = 0;
	}
	x->in_message++;
	x->stats.records++;
	return 0;
}

/* Finishes a TCP connect; opens a socket again once a second. */
static void connect_step(struct hearth_ipfix *x, long long now_ms)
{
	int soerr = 0, ret;
	socklen_t len = sizeof(soerr);
	struct pollfd p;

	if (x->fd < 0) {
		if (now_ms < x->next_connect_ms)
			return;
		x->next_connect_ms = now_ms + 1000;
		ret = sock_open(x);
		if (ret)
			count_error(x, -ret);
		else
			x->templates_due = true;
		return;
	}
	if (!x->connecting)
		return;
	p = (struct pollfd){ .fd = x->fd, .events = POLLOUT };
	if (poll(&p, 1, 0) <= 0)
		return;
	getsockopt(x->fd, SOL_SOCKET, SO_ERROR, &soerr, &len);
	if (soerr) {
		tcp_lost(x, soerr, now_ms);
		return;
	}
	x->connecting = false;
	x->templates_due = true; /* a new transport session needs them */
	if (x->tls) {
		x->handshaking = true;
		if (ipfix_tls_start(x->tls, x->fd))
			tcp_lost(x, ENOMEM, now_ms);
	}
}

/* TLS: the handshake, as far as the socket lets it go. */
static void handshake_step(struct hearth_ipfix *x, long long now_ms)
{
	char why[sizeof(x->stats.last_error)] = "";
	int r;

	if (!x->handshaking)
		return;
	r = ipfix_tls_handshake(x->tls, &x->hs_events, why, sizeof(why));
	if (r > 0) {
		x->handshaking = false;
		return;
	}
	if (r < 0) {
		tcp_lost(x, -r, now_ms);
		snprintf(x->stats.last_error, sizeof(x->stats.last_error), "%s", why);
	}
}

void hearth_ipfix_flush(struct hearth_ipfix *x, long long now_ms)
{
	connect_step(x, now_ms);
	handshake_step(x, now_ms);
	if (x->in_message)
		emit(x, now_ms);
	if ((x->templates_due || now_ms >= x->next_templates_ms) && stream_ready(x))
		templates_send(x, now_ms);
	if (x->target.transport != HEARTH_IPFIX_UDP)
		tcp_push(x, now_ms);
}

int hearth_ipfix_pollfd(const struct hearth_ipfix *x, short *events)
{
	if (x->fd < 0 || x->target.transport == HEARTH_IPFIX_UDP)
		return -1;
	if (x->handshaking) {
		*events = x->hs_events ? x->hs_events : POLLOUT;
		return x->fd;
	}
	if (!x->connecting && x->sent_of_queue == x->queued)
		return -1;
	*events = POLLOUT;
	return x->fd;
}

const struct hearth_ipfix_stats *hearth_ipfix_stats(const struct hearth_ipfix *x)
{
	return &x->stats;
}

const struct hearth_ipfix_target *hearth_ipfix_target(const struct hearth_ipfix *x)
{
	return &x->target;
}

void hearth_ipfix_close(struct hearth_ipfix *x)
{
	if (!x)
		return;
	if (x->fbuf)
		fBufFree(x->fbuf); /* with its session and exporter */
	if (x->model)
		fbInfoModelFree(x->model);
	sock_close(x);
	ipfix_tls_free(x->tls);
	free(x->queue);
	free(x);
}
