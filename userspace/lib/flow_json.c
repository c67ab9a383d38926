// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A flow record as a JSON line. Every value is a number, an address or a
 * word of our own, so nothing needs escaping but the tenant's name, which
 * tenant_spec.c limits to letters, digits, '-', '_' and '.'. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <time.h>

#include "flow_json.h"

const char *hearth_tcp_flags_text(__u8 flags, char buf[9])
{
	static const char names[] = "FSRPAUEC"; /* bit 0 (FIN) to bit 7 (CWR) */
	int n = 0;

	for (int bit = 0; bit < 8; bit++)
		if (flags & (1u << bit))
			buf[n++] = names[bit];
	buf[n] = '\0';
	return buf;
}

static const char *proto_name(__u8 proto, char buf[8])
{
	switch (proto) {
	case 6:
		return "tcp";
	case 17:
		return "udp";
	case 1:
		return "icmp";
	case 58:
		return "icmpv6";
	case 50:
		return "esp";
	default:
		snprintf(buf, 8, "%u", proto);
		return buf;
	}
}

const char *hearth_json_time_ms(__u64 ms, char buf[32])
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, 24, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, 32 - n, ".%03uZ", (unsigned int)(ms % 1000));
	return buf;
}

static const char *addr_text(const struct hearth_flow *f, const union hearth_addr *a,
			     char buf[INET6_ADDRSTRLEN])
{
	if (f->family == AF_INET)
		return inet_ntop(AF_INET, &a->ip4, buf, INET6_ADDRSTRLEN);
	return inet_ntop(AF_INET6, a->b, buf, INET6_ADDRSTRLEN);
}

/* ,"rtt":{"wan":{...},"home":{...}}: each direction that has samples,
 * by where it leads; nothing when none has. */
static void rtt_text(const struct hearth_flow *f, char *buf, size_t size)
{
	static const char *const where[] = { "wan", "home" };
	size_t n = 0;

	buf[0] = '\0';
	for (int i = 0; i < 2; i++) {
		const struct hearth_flow_rtt *r = &f->rtt[i];

		if (!r->samples)
			continue;
		n += (size_t)snprintf(buf + n, size - n,
				      "%s\"%s\":{\"min_us\":%u,\"srtt_us\":%u,\"handshake_us\":%u,\"samples\":%u}",
				      n ? "," : ",\"rtt\":{", where[hearth_flow_rtt_where(f, i)],
				      r->min_us, r->srtt_us, r->handshake_us, r->samples);
		if (n >= size)
			return;
	}
	if (n && n + 1 < size)
		snprintf(buf + n, size - n, "}");
}

int hearth_flow_json(const struct hearth_flow *f, const char *tenant, char *buf, size_t size)
{
	char start[32], end[32], p[8], fl[9], rfl[9], nat[200] = "", rtt[240];
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], xs[INET6_ADDRSTRLEN], xd[INET6_ADDRSTRLEN];
	int n;

	rtt_text(f, rtt, sizeof(rtt));
	if (f->translated)
		snprintf(nat, sizeof(nat), ",\"nat\":{\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u}",
			 addr_text(f, &f->xsaddr, xs), ntohs(f->xsport), addr_text(f, &f->xdaddr, xd),
			 ntohs(f->xdport));
	n = snprintf(buf, size,
		     "{\"start\":\"%s\",\"end\":\"%s\",\"duration_ms\":%llu,\"family\":\"%s\","
		     "\"proto\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u%s,"
		     "\"tenant\":\"%s\",\"packets\":%llu,\"bytes\":%llu,\"rev_packets\":%llu,"
		     "\"rev_bytes\":%llu,\"tcp_flags\":\"%s\",\"rev_tcp_flags\":\"%s\","
		     "\"end_reason\":\"%s\"%s,\"anonymized\":%s}",
		     hearth_json_time_ms(f->start_ms, start), hearth_json_time_ms(f->end_ms, end),
		     (unsigned long long)(f->end_ms - f->start_ms),
		     f->family == AF_INET ? "ipv4" : "ipv6", proto_name(f->proto, p),
		     addr_text(f, &f->saddr, s), ntohs(f->sport), addr_text(f, &f->daddr, d),
		     ntohs(f->dport), nat, tenant, (unsigned long long)f->packets[0],
		     (unsigned long long)f->bytes[0], (unsigned long long)f->packets[1],
		     (unsigned long long)f->bytes[1], hearth_tcp_flags_text(f->tcp_flags[0], fl),
		     hearth_tcp_flags_text(f->tcp_flags[1], rfl), hearth_flow_end_name(f->end_reason),
		     rtt, f->anonymized ? "true" : "false");
	return n < 0 || (size_t)n >= size ? -ENOSPC : n;
}
