// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The firewall against random frames, both ways, IPv4 (masqueraded) and
 * IPv6 (routed), on the whole path: the gateway program is run with live
 * frames (BPF_F_TEST_XDP_LIVE_FRAMES) as if each frame had come in by
 * lan0 or wan0, so that what it redirects really leaves by the devmap,
 * and what it passes really goes through the kernel, tc on the WAN's
 * ingress and egress included. Packet sockets on lan0's and wan0's peers
 * (lanp, wanp) see everything that leaves towards the home and towards
 * the internet.
 *
 * Frames are mutations of valid templates (TCP, UDP, ICMP, ICMPv6, ESP;
 * IPv4 options, fragments, IPv6 extension headers; flags, lengths,
 * checksums, truncation), their addresses and ports drawn from small
 * pools that include the connections the home opened, so that frames hit
 * connections, the port forwards and the pinholes. The seed is fixed.
 *
 * The oracle judges each frame that comes out, by the frame it came of
 * (IPv4 id and IPv6 flow label carry the frame's number; the test runs
 * one at a time, pinned to one CPU):
 *
 * - towards the home, from a frame sent in by the WAN: only the answers
 *   of a connection the home opened (a frame from a home address that
 *   could open one: its exact tuple for IPv6; for IPv4, from the address
 *   it went to, as NAT's address-dependent filtering lets in), a
 *   pinhole's TCP SYN or UDP and what follows, a port forward's, ICMP(v6)
 *   errors quoting such a connection to its home end, ICMPv6 echo
 *   requests, later fragments of a first fragment that got in; no home
 *   source; and no IPv4 sent to an inside address (no IPv4 pinhole is
 *   set: with NAT, answers come to the WAN address);
 * - towards the internet: no inside IPv4 address (192.168.1.0/24) as
 *   source, nor inside an IP option or an ICMP error's quote unless the
 *   frame it came of brought that very address from the WAN (the kernel
 *   echoes a source route, quotes what it was sent, routes a WAN frame
 *   back out); and from a frame
 *   sent in by the home, no source outside the home (BCP 38);
 * - the gateway's own frames (ND, MLD, ARP, its ICMP errors: one of its
 *   addresses, hop limit 64, 255 or MLD's 1; the generator sends no hop
 *   limit that would look like them once forwarded) are not judged.
 *
 * After the last frame the test waits 3.5 s for what the kernel sends
 * late (host unreachable when a neighbour does not answer). Nothing may
 * crash, the packet sockets may drop nothing, and after the run a new
 * connection out and its answer still go through, both families (unless
 * the run filled the connection table: nothing expires without hearthd).
 * fw_fuzz_oracle runs the same frames with the firewall off and expects
 * the oracle to object.
 *
 * HEARTH_FW_FUZZ_FRAMES sets the number of frames (make check: 20000),
 * HEARTH_FW_FUZZ_SEED the seed, HEARTH_FW_FUZZ_JSON a file for the
 * figures (bench/run.sh, step fw_fuzz); HEARTH_FW_FUZZ_DEBUG=1 prints
 * every violation (else the first 12) with the counters that moved.
 */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "../../util/hash.h"
#include "tc_common.h"

#define FUZZ_FRAMES 20000
#define FUZZ_SEED 0x68656172746831ULL
#define SIDE_HOME 0
#define SIDE_WAN 1
#define MAX_CONNS 4096
#define REPORT_MAX 12

#define PH_TCP_PORT 22
#define PH_UDP_MIN 5000
#define PH_UDP_MAX 5009
#define FWD_TCP_WAN 8080
#define FWD_TCP_HOME 80
#define FWD_UDP_PORT 6000

/* ---- pools ---------------------------------------------------------- */

static const char *const home4[] = { FX_H1_V4, FX_H2_V4, "192.168.1.20", FX_LAN_V4,
				     "192.168.1.255" };
static const char *const wan4[] = { FX_SERVER_V4, "198.51.100.2", "203.0.113.99",
				    "203.0.113.200", "203.0.113.11", FX_WAN_V4,
				    "224.0.0.1", "10.9.9.2", "127.0.0.1", "0.0.0.0" };
static const char *const home6[] = { FX_H1_V6, "2001:db8:1::11", "2001:db8:1::20",
				     "2001:db8:1::1", "fe80::10" };
static const char *const wan6[] = { FX_SERVER_V6, "2001:db8:ff::2", "2001:db8:cafe::11",
				    "2001:db8:ff::1", "2001:db8:99::1", "ff02::1", "::1",
				    "::" };
static const __u16 port_pool[] = { 22, 80, 8080, 6000, 5000, 5005, 5201, 53, 443, 40000,
				   40001, 40002, 1024, 65535, 0 };

/* ---- xorshift64* ---------------------------------------------------- */

static __u64 rng_state;

static __u64 rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dULL;
}

static __u32 below(__u32 n)
{
	return (__u32)(rnd() >> 32) % n;
}

static bool chance(__u32 percent)
{
	return below(100) < percent;
}

#define PICK(arr) ((arr)[below(sizeof(arr) / sizeof((arr)[0]))])

/* ---- a frame, parsed ------------------------------------------------ */

struct parsed {
	bool ip, l4; /* an IP header; the transport header (or ICMP's 8 bytes) */
	int family;
	__u8 src[16], dst[16]; /* IPv4 in the first 4 bytes */
	__u8 proto, ttl;
	__u16 tag; /* IPv4 id, IPv6 flow label's low 16 bits: the frame's number */
	bool frag; /* a fragment */
	__u32 frag_off, frag_id; /* offset in bytes */
	const __u8 *opts; /* IPv4 options */
	__u32 opts_len;
	bool hbh_first; /* IPv6: hop-by-hop first */
	__u16 sport, dport; /* ports, or the echo id in sport */
	__u8 tcp_flags, icmp_type;
	bool icmp_error, inner_ok; /* an ICMP error, and its quote readable */
	__u8 in_src[16], in_dst[16], in_proto;
	__u16 in_sport, in_dport, in_tag;
};

static bool icmp_is_error(int family, __u8 type)
{
	if (family == AF_INET)
		return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
	return type >= 1 && type <= 4;
}

static bool is_echo(int family, __u8 type, bool reply)
{
	if (family == AF_INET)
		return type == (reply ? 0 : 8);
	return type == (reply ? 129 : 128);
}

/* Ports of a transport header at @l4 (@n bytes there), or an ICMP echo's id. */
static bool l4_ports(int family, __u8 proto, const __u8 *l4, __u32 n, __u16 *sport,
		     __u16 *dport)
{
	*sport = *dport = 0;
	switch (proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (n < 4)
			return false;
		*sport = be16_at(l4);
		*dport = be16_at(l4 + 2);
		return true;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (n < 8)
			return false;
		if (is_echo(family, l4[0], false) || is_echo(family, l4[0], true))
			*sport = be16_at(l4 + 4);
		return true;
	}
	return true;
}

static void parse_inner(struct parsed *p, const __u8 *q, __u32 n)
{
	__u32 hl;

	if (p->family == AF_INET) {
		/* (the version is not looked at: the tuple is what counts) */
		if (n < 20)
			return;
		hl = (q[0] & 0xf) * 4u;
		if (hl < 20 || hl > n)
			return;
		p->in_proto = q[9];
		p->in_tag = be16_at(q + 4);
		memcpy(p->in_src, q + 12, 4);
		memcpy(p->in_dst, q + 16, 4);
	} else {
		if (n < 40)
			return;
		hl = 40;
		p->in_proto = q[6];
		p->in_tag = be16_at(q + 2);
		memcpy(p->in_src, q + 8, 16);
		memcpy(p->in_dst, q + 24, 16);
	}
	p->inner_ok = l4_ports(p->family, p->in_proto, q + hl, n - hl, &p->in_sport,
			       &p->in_dport);
	/* a quoted ICMP message: its identifier, whatever its type says */
	if (p->inner_ok && (p->in_proto == IPPROTO_ICMP || p->in_proto == IPPROTO_ICMPV6))
		p->in_sport = be16_at(q + hl + 4);
}

static void parse(const __u8 *f, __u32 len, struct parsed *p)
{
	__u32 off = ETH_HLEN, hl, n;
	__u16 type;

	memset(p, 0, sizeof(*p));
	if (len < ETH_HLEN)
		return;
	type = be16_at(f + 12);
	if (type == ETH_P_8021Q && len >= ETH_HLEN + 4) {
		type = be16_at(f + 16);
		off += 4;
	}
	if (type == ETH_P_IP) {
		const __u8 *ip = f + off;
		__u16 fo;

		if (len < off + 20 || ip[0] >> 4 != 4)
			return;
		hl = (ip[0] & 0xf) * 4u;
		if (hl < 20 || len < off + hl)
			return;
		p->ip = true;
		p->family = AF_INET;
		p->proto = ip[9];
		p->ttl = ip[8];
		memcpy(p->src, ip + 12, 4);
		memcpy(p->dst, ip + 16, 4);
		fo = be16_at(ip + 6);
		p->frag = fo & 0x3fff;
		p->frag_off = (fo & 0x1fffu) * 8;
		p->frag_id = be16_at(ip + 4);
		p->tag = (__u16)p->frag_id;
		p->opts = ip + 20;
		p->opts_len = hl - 20;
		off += hl;
	} else if (type == ETH_P_IPV6) {
		const __u8 *ip6 = f + off;
		__u8 next;

		if (len < off + 40 || ip6[0] >> 4 != 6)
			return;
		p->ip = true;
		p->family = AF_INET6;
		p->ttl = ip6[7];
		p->tag = be16_at(ip6 + 2);
		memcpy(p->src, ip6 + 8, 16);
		memcpy(p->dst, ip6 + 24, 16);
		next = ip6[6];
		p->hbh_first = next == 0;
		off += 40;
		for (int i = 0; i < 8; i++) {
			const __u8 *h = f + off;

			if (next != 0 && next != 43 && next != 60 && next != 44)
				break;
			if (len < off + 8)
				return;
			if (next == 44) {
				p->frag = true;
				p->frag_off = be16_at(h + 2) & 0xfff8u;
				p->frag_id = (__u32)be16_at(h + 4) << 16 | be16_at(h + 6);
				next = h[0];
				off += 8;
				continue;
			}
			next = h[0];
			off += (h[1] + 1u) * 8;
			if (len < off)
				return;
		}
		p->proto = next;
	} else {
		return;
	}
	if (p->frag_off)
		return;
	n = len - off;
	p->l4 = l4_ports(p->family, p->proto, f + off, n, &p->sport, &p->dport);
	if (!p->l4)
		return;
	if (p->proto == IPPROTO_TCP && n >= 14)
		p->tcp_flags = f[off + 13];
	if (p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) {
		p->icmp_type = f[off];
		p->icmp_error = icmp_is_error(p->family, p->icmp_type);
		if (p->icmp_error)
			parse_inner(p, f + off + 8, n - 8);
	}
}

/* ---- the oracle's memory: a set of tuples ----------------------------- */

struct key {
	__u8 kind, family, proto, pad;
	__u8 a[16], b[16];
	__u16 pa, pb;
};

enum { K_CONN = 1, K_FWD_TRY, K_FRAG, K_GEN };

/* open addressing, at most half full: 4 slots a frame (a frame adds about
 * one key; more than two a frame would stop the test) */
static struct key *set;
static bool *set_used;
static __u32 set_mask;

static __u32 key_hash(const struct key *k)
{
	return (__u32)hearth_fnv1a(HEARTH_FNV_BASIS, k, sizeof(*k));
}

static bool set_has(const struct key *k)
{
	for (__u32 i = key_hash(k) & set_mask;; i = (i + 1) & set_mask) {
		if (!set_used[i])
			return false;
		if (!memcmp(&set[i], k, sizeof(*k)))
			return true;
	}
}

static long set_n;

static void set_add(const struct key *k)
{
	__u32 i;

	if (set_has(k))
		return;
	if (set_n >= (long)(set_mask / 2)) {
		fprintf(stderr, "fw_fuzz: the oracle's set is full\n");
		abort();
	}
	for (i = key_hash(k) & set_mask; set_used[i]; i = (i + 1) & set_mask)
		;
	set[i] = *k;
	set_used[i] = true;
	set_n++;
}

static struct key mkkey(__u8 kind, int family, __u8 proto, const __u8 *a, __u16 pa,
			const __u8 *b, __u16 pb)
{
	struct key k;
	size_t alen = family == AF_INET ? 4 : 16;

	memset(&k, 0, sizeof(k));
	k.kind = kind;
	k.family = (__u8)family;
	k.proto = proto;
	if (a)
		memcpy(k.a, a, alen);
	if (b)
		memcpy(k.b, b, alen);
	k.pa = pa;
	k.pb = pb;
	return k;
}

/* A connection: the inside end (@in:@ip), the remote one; IPv4 is
 * filtered address-dependent, so its key leaves the remote port out. */
static struct key conn_key(int family, __u8 proto, const __u8 *in, __u16 ip, const __u8 *rem,
			   __u16 rp)
{
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		rp = 0;
	if (family == AF_INET)
		rp = 0;
	return mkkey(K_CONN, family, proto, in, ip, rem, rp);
}

/* What the generator aims at: connections that left by the WAN. */
struct conn {
	int family;
	__u8 proto;
	__u8 in[16], rem[16];
	__u16 iport, rport, natport;
};

static struct conn conns[MAX_CONNS];
static int n_conns;

/* ---- addresses ------------------------------------------------------ */

/* 16 bytes each: IPv4 in the first 4, the rest 0, as in struct parsed */
static __u8 a_wan4[16], a_lan4[16], a_wan6[16], a_lan6[16], a_h1v6[16], a_h1v4[16];

static void addr(int family, const char *text, __u8 *out)
{
	memset(out, 0, 16);
	inet_pton(family, text, out);
}

static bool inside4(const __u8 *a)
{
	return a[0] == 192 && a[1] == 168 && a[2] == 1;
}

static bool home6_addr(const __u8 *a)
{
	static const __u8 pfx[8] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0 };

	return !memcmp(a, pfx, 8);
}

static bool link_local6(const __u8 *a)
{
	return a[0] == 0xfe && (a[1] & 0xc0) == 0x80;
}

/* One of the gateway's own frames: its address, the kernel's hop limit. */
static bool gateway_own(const struct parsed *p)
{
	bool mine;

	if (p->family == AF_INET)
		mine = !memcmp(p->src, a_wan4, 4) || !memcmp(p->src, a_lan4, 4);
	else
		mine = !memcmp(p->src, a_wan6, 16) || !memcmp(p->src, a_lan6, 16) ||
		       link_local6(p->src) || !memcmp(p->src, (__u8[16]){}, 16);
	return mine && (p->ttl == 64 || p->ttl == 255 ||
			(p->family == AF_INET6 && p->hbh_first && p->ttl == 1));
}

/* ---- results --------------------------------------------------------- */

enum verdict {
	V_NOT_IP, V_GATEWAY, V_TRACKED, V_PINHOLE, V_FORWARD, V_ICMP_ERROR, V_ECHO6,
	V_FRAGMENT, V_FROM_HOME, V_OUT_OK,
	V_BAD_IN, V_BAD_IN_INSIDE4, V_SPOOFED_IN, V_LEAK_SRC, V_LEAK_OPT, V_LEAK_QUOTE, V_BCP38,
	V_MAX,
};

static const char *const verdict_name[V_MAX] = {
	"not IP", "the gateway's own", "tracked connection", "pinhole", "port forward",
	"ICMP error about a connection", "ICMPv6 echo request", "later fragment",
	"home to home", "out by the WAN",
	"VIOLATION: unexplained frame towards the home",
	"VIOLATION: IPv4 sent to an inside address reached the home",
	"VIOLATION: a home source from the WAN reached the home (BCP 38)",
	"VIOLATION: inside source address out by the WAN",
	"VIOLATION: inside address in an IPv4 option out by the WAN",
	"VIOLATION: inside address in an ICMP quote out by the WAN",
	"VIOLATION: source outside the home out by the WAN (BCP 38)",
};

struct fuzz {
	struct fixture fx;
	int sock[2]; /* packet sockets on lanp (home side) and wanp */
	int lanp, wanp;
	long frames, sent[2], runs_failed, bytes_seen[2];
	long count[2][V_MAX]; /* by capture side */
	long violations, reported;
	long late; /* frames that arrived after a later frame's test run */
	long sock_drops; /* frames the packet sockets had no room for */
	bool firewall_off; /* the oracle's own check: expects violations */
	bool debug; /* HEARTH_FW_FUZZ_DEBUG: every violation, with counters */
	__u64 before[2][HEARTH_CNT_MAX]; /* lan0's and wan0's, in debug */
};

#define CNT_NAME_(id, cls, name, desc) [HEARTH_CNT_##id] = name,
static const char *const cnt_name[HEARTH_CNT_MAX] = { HEARTH_COUNTERS(CNT_NAME_) };
#undef CNT_NAME_

static void counters_snap(struct fuzz *fz, __u64 snap[2][HEARTH_CNT_MAX])
{
	for (int c = 0; c < HEARTH_CNT_MAX; c++) {
		snap[SIDE_HOME][c] = fixture_counter(&fz->fx, fz->fx.lan, c);
		snap[SIDE_WAN][c] = fixture_counter(&fz->fx, fz->fx.wan, c);
	}
}

static void hexdump(const char *what, const __u8 *f, __u32 len)
{
	printf("    %s (%u bytes):", what, len);
	for (__u32 i = 0; i < len && i < 96; i++)
		printf("%s%02x", i % 32 ? " " : "\n      ", f[i]);
	printf("\n");
}

static void describe(const char *what, const struct parsed *p)
{
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];

	if (!p->ip) {
		printf("    %s: not IP\n", what);
		return;
	}
	inet_ntop(p->family, p->src, s, sizeof(s));
	inet_ntop(p->family, p->dst, d, sizeof(d));
	printf("    %s: %s -> %s proto %u ttl %u ports %u -> %u flags 0x%02x icmp %u%s%s\n",
	       what, s, d, p->proto, p->ttl, p->sport, p->dport, p->tcp_flags, p->icmp_type,
	       p->frag ? " fragment" : "", p->l4 ? "" : " (no transport header)");
	if (p->icmp_error && p->inner_ok) {
		inet_ntop(p->family, p->in_src, s, sizeof(s));
		inet_ntop(p->family, p->in_dst, d, sizeof(d));
		printf("      quoting %s:%u -> %s:%u proto %u\n", s, p->in_sport, d,
		       p->in_dport, p->in_proto);
	}
}

/* ---- the oracle ------------------------------------------------------- */

/* An inside address in what leaves by the WAN, that the frame it came of
 * did not bring from the WAN itself (as its source or destination, or in
 * its own quote: the kernel echoes a source route, quotes what it was
 * sent, routes a WAN frame back out). */
static bool leaks(const __u8 *a, int side, const struct parsed *in)
{
	if (!inside4(a))
		return false;
	if (side != SIDE_WAN || !in->ip || in->family != AF_INET)
		return true;
	return memcmp(a, in->src, 4) && memcmp(a, in->dst, 4) &&
	       !(in->icmp_error && in->inner_ok &&
		 (!memcmp(a, in->in_src, 4) || !memcmp(a, in->in_dst, 4)));
}

static bool opt_leaks(const struct parsed *p, int side, const struct parsed *in)
{
	for (__u32 i = 0; i + 3 <= p->opts_len; i++)
		if (leaks(p->opts + i, side, in))
			return true;
	return false;
}

/* A frame seen leaving by the WAN, of a frame sent in from @side (-1: not
 * known which). */
static enum verdict judge_out(const struct parsed *p, int side, const struct parsed *in)
{
	if (!p->ip)
		return V_NOT_IP;
	if (p->family == AF_INET) {
		if (inside4(p->src))
			return V_LEAK_SRC;
		if (opt_leaks(p, side, in))
			return V_LEAK_OPT;
		if (p->icmp_error && p->inner_ok &&
		    (leaks(p->in_src, side, in) || leaks(p->in_dst, side, in)))
			return V_LEAK_QUOTE;
	}
	if (gateway_own(p))
		return V_GATEWAY;
	if (side != SIDE_HOME)
		return V_OUT_OK;
	if (p->family == AF_INET ? memcmp(p->src, a_wan4, 4) :
				   !home6_addr(p->src) && memcmp(p->src, a_wan6, 16))
		return V_BCP38;
	/* a connection that left: the generator aims at it from now on */
	if (in->ip && in->l4 && !in->frag && !p->frag && p->l4 && in->family == p->family &&
	    in->proto == p->proto && !memcmp(in->dst, p->dst, 16) &&
	    (p->proto == IPPROTO_TCP || p->proto == IPPROTO_UDP ||
	     (is_echo(p->family, p->icmp_type, false)) || p->proto == IPPROTO_ESP)) {
		struct key k = conn_key(p->family, p->proto, in->src, in->sport, p->dst,
					p->dport);
		struct conn *c;

		set_add(&k);
		k.kind = K_GEN;
		if (!set_has(&k)) {
			set_add(&k);
			c = &conns[n_conns < MAX_CONNS ? n_conns++ : (int)below(MAX_CONNS)];
			c->family = p->family;
			c->proto = p->proto;
			memcpy(c->in, in->src, 16);
			memcpy(c->rem, p->dst, 16);
			c->iport = in->sport;
			c->rport = p->dport;
			c->natport = p->sport;
		}
	}
	return V_OUT_OK;
}

/* A frame towards the home of a connection that left (an echo reply
 * carries the identifier where a request did). */
static bool tracked(const struct parsed *p)
{
	bool echo = p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6;
	struct key k = conn_key(p->family, p->proto, p->dst, echo ? p->sport : p->dport,
				p->src, p->sport);

	return set_has(&k);
}

static enum verdict judge_home_l4(const struct parsed *p)
{
	struct key k;

	switch (p->proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
		if (p->family == AF_INET6 && !memcmp(p->dst, a_h1v6, 16) &&
		    ((p->proto == IPPROTO_TCP && p->dport == PH_TCP_PORT &&
		      (p->tcp_flags & 0x02)) ||
		     (p->proto == IPPROTO_UDP && p->dport >= PH_UDP_MIN &&
		      p->dport <= PH_UDP_MAX)))
			return V_PINHOLE;
		k = mkkey(K_FWD_TRY, AF_INET, p->proto, p->src, p->sport, NULL, 0);
		if (p->family == AF_INET && !memcmp(p->dst, a_h1v4, 4) && set_has(&k) &&
		    p->dport == (p->proto == IPPROTO_TCP ? FWD_TCP_HOME : FWD_UDP_PORT)) {
			k = conn_key(p->family, p->proto, p->dst, p->dport, p->src, p->sport);
			set_add(&k);
			return V_FORWARD;
		}
		return tracked(p) ? V_TRACKED : V_BAD_IN;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (p->family == AF_INET6 && p->icmp_type == 128)
			return V_ECHO6;
		if (is_echo(p->family, p->icmp_type, true))
			return tracked(p) ? V_TRACKED : V_BAD_IN;
		/* about a connection, to its home end */
		if (p->icmp_error && p->inner_ok && !memcmp(p->dst, p->in_src, 16)) {
			k = conn_key(p->family, p->in_proto, p->in_src, p->in_sport, p->in_dst,
				     p->in_dport);
			return set_has(&k) ? V_ICMP_ERROR : V_BAD_IN;
		}
		return V_BAD_IN;
	default:
		return tracked(p) ? V_TRACKED : V_BAD_IN;
	}
}

/* A frame seen arriving at the home side, after a frame from the WAN. */
static enum verdict judge_home(const struct parsed *p, const struct parsed *in)
{
	enum verdict v;
	struct key k;

	if (!p->ip)
		return V_NOT_IP;
	if (gateway_own(p))
		return V_GATEWAY;
	if (p->family == AF_INET ? inside4(p->src) : home6_addr(p->src))
		return V_SPOOFED_IN;
	if (in->ip && in->family == AF_INET && inside4(in->dst))
		return V_BAD_IN_INSIDE4;
	k = mkkey(K_FRAG, p->family, p->proto, p->src, 0, p->dst, 0);
	k.pa = (__u16)(p->frag_id >> 16);
	k.pb = (__u16)p->frag_id;
	if (p->frag && p->frag_off)
		return set_has(&k) ? V_FRAGMENT : V_BAD_IN;
	/* cut short on the way (the kernel trims a packet to its IP length):
	 * judged as it was sent */
	if ((!p->l4 || (p->icmp_error && !p->inner_ok)) && in->ip && in->l4 && !in->frag_off &&
	    in->family == p->family && (in->proto == p->proto || !p->l4) &&
	    !memcmp(in->src, p->src, 16) && !memcmp(in->dst, p->dst, 16))
		p = in;
	if (!p->l4)
		return V_BAD_IN;
	v = judge_home_l4(p);
	if (p->frag && v < V_BAD_IN)
		set_add(&k);
	return v;
}

/* ---- the frame generator --------------------------------------------- */

struct gen {
	int family;
	__u8 src[16], dst[16];
	__u8 proto;
	__u16 sport, dport;
	__u8 tcp_flags, icmp_type, icmp_code;
	bool quote; /* an ICMP error quoting q_* */
	__u8 q_src[16], q_dst[16], q_proto;
	__u16 q_sport, q_dport;
	__u8 ttl;
};

static void pool_addr(int family, bool home, __u8 *out)
{
	if (family == AF_INET)
		addr(family, home ? PICK(home4) : PICK(wan4), out);
	else
		addr(family, home ? PICK(home6) : PICK(wan6), out);
	if (chance(3)) /* now and then anything at all */
		for (int i = family == AF_INET ? 3 : 15; i >= (family == AF_INET ? 2 : 8); i--)
			out[i] = (__u8)rnd();
}

static __u16 pool_port(void)
{
	return chance(15) ? (__u16)rnd() : PICK(port_pool);
}

static __u8 pool_proto(int family)
{
	switch (below(10)) {
	case 0: case 1: case 2: case 3:
		return IPPROTO_TCP;
	case 4: case 5: case 6:
		return IPPROTO_UDP;
	case 7: case 8:
		return family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	default:
		return chance(50) ? IPPROTO_ESP : (__u8)rnd();
	}
}

static const __u8 tcp_flag_pool[] = { 0x02, 0x02, 0x12, 0x10, 0x18, 0x04, 0x14, 0x11, 0x01,
				      0x03, 0x06, 0x00, 0x3f, 0xc2 };

static __u8 pool_icmp_type(int family)
{
	static const __u8 t4[] = { 8, 0, 3, 11, 12, 4, 5, 13, 14 };
	static const __u8 t6[] = { 128, 129, 1, 2, 3, 4, 133, 134, 135, 136, 137, 130, 143, 200 };

	if (chance(5))
		return (__u8)rnd();
	return family == AF_INET ? PICK(t4) : PICK(t6);
}

static void gen_random(struct gen *g, int side)
{
	g->family = chance(50) ? AF_INET : AF_INET6;
	pool_addr(g->family, side == SIDE_HOME, g->src);
	pool_addr(g->family, side != SIDE_HOME, g->dst);
	if (chance(5)) /* the wrong side's address */
		pool_addr(g->family, side != SIDE_HOME, g->src);
	g->proto = pool_proto(g->family);
	g->sport = pool_port();
	g->dport = pool_port();
	g->tcp_flags = PICK(tcp_flag_pool);
	g->icmp_type = pool_icmp_type(g->family);
	g->icmp_code = (__u8)below(5);
	if (icmp_is_error(g->family, g->icmp_type) && chance(70)) {
		g->quote = true;
		g->q_proto = chance(50) ? IPPROTO_UDP : IPPROTO_TCP;
		pool_addr(g->family, side != SIDE_HOME, g->q_src);
		pool_addr(g->family, side == SIDE_HOME, g->q_dst);
		g->q_sport = pool_port();
		g->q_dport = pool_port();
	}
}

/* From the WAN: at one of the connections, a pinhole, a forward. */
static void gen_wan(struct gen *g)
{
	const struct conn *c = n_conns ? &conns[below((__u32)n_conns)] : NULL;
	__u32 what = below(100);

	gen_random(g, SIDE_WAN);
	if (what < 40 && c) {
		bool v4 = c->family == AF_INET;

		g->family = c->family;
		g->proto = c->proto;
		memcpy(g->src, c->rem, 16);
		memcpy(g->dst, v4 ? (chance(90) ? a_wan4 : c->in) : c->in, 16);
		g->sport = chance(80) ? c->rport : pool_port();
		g->dport = v4 ? c->natport : c->iport;
		if (chance(10))
			g->dport = pool_port();
		if (g->proto == IPPROTO_ICMP || g->proto == IPPROTO_ICMPV6) {
			g->icmp_type = v4 ? 0 : 129;
			g->sport = g->dport;
			if (chance(10))
				g->icmp_type = v4 ? 8 : 128;
		}
		if (chance(10))
			pool_addr(g->family, false, g->src);
	} else if (what < 55 && c) {
		/* an ICMP error about it, from anywhere, to where it is seen */
		bool v4 = c->family == AF_INET;

		g->family = c->family;
		g->proto = v4 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		g->icmp_type = v4 ? PICK(((const __u8[]){ 3, 11, 12 })) : (__u8)(1 + below(4));
		pool_addr(g->family, false, g->src);
		memcpy(g->dst, v4 ? a_wan4 : c->in, 16);
		if (!v4 && chance(10)) /* to another home host than the connection's */
			pool_addr(g->family, true, g->dst);
		g->quote = true;
		g->q_proto = c->proto;
		memcpy(g->q_src, v4 ? a_wan4 : c->in, 16);
		g->q_sport = v4 ? c->natport : c->iport;
		memcpy(g->q_dst, c->rem, 16);
		g->q_dport = chance(85) ? c->rport : pool_port();
	} else if (what < 67) {
		/* the IPv6 pinholes */
		g->family = AF_INET6;
		pool_addr(AF_INET6, chance(5), g->src);
		memcpy(g->dst, a_h1v6, 16);
		g->proto = chance(60) ? IPPROTO_TCP : IPPROTO_UDP;
		g->dport = g->proto == IPPROTO_TCP ? PH_TCP_PORT :
			   (__u16)(PH_UDP_MIN + below(PH_UDP_MAX - PH_UDP_MIN + 3));
		if (chance(10))
			g->dport = pool_port();
	} else if (what < 79) {
		/* the IPv4 forwards */
		g->family = AF_INET;
		pool_addr(AF_INET, chance(5), g->src);
		memcpy(g->dst, chance(85) ? a_wan4 : a_h1v4, 16);
		g->proto = chance(60) ? IPPROTO_TCP : IPPROTO_UDP;
		g->dport = g->proto == IPPROTO_TCP ? FWD_TCP_WAN : FWD_UDP_PORT;
		if (chance(10))
			g->dport = pool_port();
	} else if (what < 83) {
		g->family = AF_INET6;
		pool_addr(AF_INET6, chance(5), g->src);
		pool_addr(AF_INET6, true, g->dst);
		g->proto = IPPROTO_ICMPV6;
		g->icmp_type = 128;
	}
}

/* From the home: connections out, from h1 and h2 mostly. */
static void gen_home(struct gen *g)
{
	gen_random(g, SIDE_HOME);
	if (chance(50)) {
		addr(g->family, g->family == AF_INET ? (chance(70) ? FX_H1_V4 : FX_H2_V4) :
			(chance(70) ? FX_H1_V6 : "2001:db8:1::11"), g->src);
		addr(g->family, g->family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6, g->dst);
		if (chance(30))
			pool_addr(g->family, false, g->dst);
		if (chance(60))
			g->proto = chance(50) ? IPPROTO_UDP : IPPROTO_TCP;
		if (g->proto == IPPROTO_ICMP || g->proto == IPPROTO_ICMPV6)
			g->icmp_type = chance(70) ? (g->family == AF_INET ? 8 : 128) :
				       g->icmp_type;
	}
}

static __u8 rand_ttl(void)
{
	__u8 t;

	do
		t = chance(5) ? (__u8)below(3) : (__u8)(2 + below(253));
	while (t == 65 || t == 255); /* forwarded, they would read as the gateway's */
	return t;
}

static __u16 csum_l4(int family, const __u8 *src, const __u8 *dst, __u8 proto,
		     const __u8 *l4, __u32 len)
{
	__u32 sum = proto + len, alen = family == AF_INET ? 4 : 16;

	for (__u32 i = 0; i < alen; i += 2)
		sum += (__u32)(src[i] << 8 | src[i + 1]) + (__u32)(dst[i] << 8 | dst[i + 1]);
	return pkt_csum(l4, len, sum);
}

static void put32(__u8 *p, __u32 v)
{
	memcpy(p, &v, 4);
}

/* The transport part of @g at @l4; returns its length. */
static __u32 put_transport(const struct gen *g, __u8 *l4, __u32 room)
{
	__u32 n = 0, payload = chance(80) ? below(64) : below(room > 200 ? 200 : room / 2);

	switch (g->proto) {
	case IPPROTO_TCP:
		memset(l4, 0, 20);
		l4[0] = g->sport >> 8, l4[1] = (__u8)g->sport;
		l4[2] = g->dport >> 8, l4[3] = (__u8)g->dport;
		put32(l4 + 4, (__u32)rnd());
		put32(l4 + 8, chance(50) ? 0 : (__u32)rnd());
		l4[12] = chance(95) ? 5 << 4 : (__u8)rnd();
		l4[13] = g->tcp_flags;
		l4[14] = 0xfa, l4[15] = 0xf0;
		n = 20;
		break;
	case IPPROTO_UDP:
		l4[0] = g->sport >> 8, l4[1] = (__u8)g->sport;
		l4[2] = g->dport >> 8, l4[3] = (__u8)g->dport;
		l4[6] = l4[7] = 0;
		n = 8;
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		memset(l4, 0, 8);
		l4[0] = g->icmp_type;
		l4[1] = g->icmp_code;
		l4[4] = g->sport >> 8, l4[5] = (__u8)g->sport;
		n = 8;
		if (g->quote) {
			__u8 *q = l4 + 8;
			__u32 hl = g->family == AF_INET ? 20 : 40;

			memset(q, 0, hl + 8);
			if (g->family == AF_INET) {
				q[0] = 0x45;
				q[2] = 0, q[3] = 60;
				q[8] = 64;
				q[9] = g->q_proto;
				memcpy(q + 12, g->q_src, 4);
				memcpy(q + 16, g->q_dst, 4);
				*(__u16 *)(q + 10) = pkt_csum(q, 20, 0);
			} else {
				q[0] = 0x60;
				q[5] = 40;
				q[6] = g->q_proto;
				q[7] = 64;
				memcpy(q + 8, g->q_src, 16);
				memcpy(q + 24, g->q_dst, 16);
			}
			q[hl] = g->q_sport >> 8, q[hl + 1] = (__u8)g->q_sport;
			q[hl + 2] = g->q_dport >> 8, q[hl + 3] = (__u8)g->q_dport;
			if (g->q_proto == IPPROTO_ICMP || g->q_proto == IPPROTO_ICMPV6) {
				q[hl] = g->family == AF_INET ? 8 : 128;
				q[hl + 1] = 0;
				q[hl + 4] = g->q_sport >> 8, q[hl + 5] = (__u8)g->q_sport;
			}
			n += hl + 8;
			payload = chance(70) ? 0 : payload;
		}
		break;
	case IPPROTO_ESP:
		put32(l4, (__u32)rnd() | 1);
		n = 8;
		break;
	}
	for (__u32 i = 0; i < payload && n < room; i++)
		l4[n++] = (__u8)rnd();
	return n;
}

static void put_l4_csum(const struct gen *g, const __u8 *src, const __u8 *dst, __u8 *l4,
			__u32 n)
{
	__u16 c;

	if (chance(5))
		return; /* left as it is: most likely wrong */
	switch (g->proto) {
	case IPPROTO_TCP:
		if (n < 20)
			return;
		l4[16] = l4[17] = 0;
		c = csum_l4(g->family, src, dst, IPPROTO_TCP, l4, n);
		memcpy(l4 + 16, &c, 2);
		break;
	case IPPROTO_UDP:
		if (n < 8)
			return;
		l4[4] = (__u8)(n >> 8), l4[5] = (__u8)n;
		if (g->family == AF_INET && chance(20))
			return; /* no checksum */
		c = csum_l4(g->family, src, dst, IPPROTO_UDP, l4, n);
		memcpy(l4 + 6, c ? &c : &(__u16){ 0xffff }, 2);
		break;
	case IPPROTO_ICMP:
		c = pkt_csum(l4, n, 0);
		memcpy(l4 + 2, &c, 2);
		break;
	case IPPROTO_ICMPV6:
		c = csum_l4(AF_INET6, src, dst, IPPROTO_ICMPV6, l4, n);
		memcpy(l4 + 2, &c, 2);
		break;
	}
}

/* Builds @g into @f with the side's MACs; returns the length. */
static __u32 build(struct fuzz *fz, const struct gen *g, int side, long idx, __u8 *f)
{
	const __u8 *gw = side == SIDE_HOME ? fz->fx.lan_mac : fz->fx.wan_mac;
	const __u8 *peer = side == SIDE_HOME ? (chance(80) ? fz->fx.h1_mac : fz->fx.h2_mac) :
			   fz->fx.inet_mac;
	__u32 off = ETH_HLEN, l3, hl, n, total;
	__u8 *l4;

	memset(f, 0, FRAME_MAX);
	memcpy(f, chance(97) ? gw : (const __u8[]){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 6);
	memcpy(f + 6, peer, 6);
	if (chance(2)) {
		f[12] = 0x81, f[13] = 0x00, f[15] = (__u8)below(4);
		off += 4;
	}
	f[off - 2] = g->family == AF_INET ? 0x08 : 0x86;
	f[off - 1] = g->family == AF_INET ? 0x00 : 0xdd;
	if (chance(1))
		f[off - 2] = 0x08, f[off - 1] = 0x06; /* "ARP" */
	l3 = off;
	if (g->family == AF_INET) {
		__u8 *ip = f + l3;
		__u32 opt = chance(8) ? 4 * (1 + below(10)) : 0;
		__u16 fo = 0;

		hl = 20 + opt;
		if (opt) {
			/* record route with room, or a timestamp, or noise; with
			 * the home's addresses in it now and then */
			__u8 *o = ip + 20;

			memset(o, 1, opt);
			if (chance(70) && opt >= 8) {
				o[0] = chance(60) ? 7 : 68;
				o[1] = (__u8)(opt - 1);
				o[2] = chance(50) ? 4 : 8;
				if (o[0] == 68)
					o[2] = 5, o[3] = 0;
				if (chance(50))
					memcpy(o + 4 - (o[0] == 7), g->src, 4);
			} else if (chance(30)) {
				for (__u32 i = 0; i < opt; i++)
					o[i] = (__u8)rnd();
			}
		}
		if (chance(8)) {
			/* a first fragment, or a later one (the last or not) */
			fo = chance(50) ? 0x2000 :
			     (__u16)((chance(50) ? 0x2000 : 0) | (1 + below(200)));
			if (chance(5))
				fo = (__u16)rnd();
		} else if (chance(30)) {
			fo = 0x4000; /* DF */
		}
		ip[0] = (__u8)(0x40 | (hl / 4));
		ip[1] = chance(90) ? 0 : (__u8)rnd();
		ip[4] = (__u8)(idx >> 8), ip[5] = (__u8)idx;
		ip[6] = fo >> 8, ip[7] = (__u8)fo;
		ip[8] = g->ttl;
		ip[9] = g->proto;
		memcpy(ip + 12, g->src, 4);
		memcpy(ip + 16, g->dst, 4);
		l4 = ip + hl;
		n = put_transport(g, l4, 1400);
		put_l4_csum(g, g->src, g->dst, l4, n);
		total = hl + n;
		if (chance(4))
			total = (__u32)(total + below(40)) - 20; /* a wrong total length */
		ip[2] = (__u8)(total >> 8), ip[3] = (__u8)total;
		*(__u16 *)(ip + 10) = 0;
		if (chance(97)) {
			__u16 c = pkt_csum(ip, hl, 0);

			memcpy(ip + 10, &c, 2);
		}
		total = hl + n;
	} else {
		__u8 *ip6 = f + l3, *h = ip6 + 40, *next = ip6 + 6;
		int ext = chance(85) ? 0 : 1 + (int)below(3);

		ip6[0] = chance(90) ? 0x60 : (__u8)(0x60 | below(16));
		ip6[1] = chance(90) ? 0 : (__u8)(below(16) << 4);
		ip6[2] = (__u8)(idx >> 8), ip6[3] = (__u8)idx;
		ip6[7] = g->ttl;
		memcpy(ip6 + 8, g->src, 16);
		memcpy(ip6 + 24, g->dst, 16);
		for (int i = 0; i < ext; i++) {
			static const __u8 kinds[] = { 0, 60, 43, 44 };
			__u8 kind = i == 0 ? PICK(kinds) : PICK(((const __u8[]){ 60, 43, 44 }));

			*next = kind;
			memset(h, 0, 8);
			if (kind == 44) {
				__u16 fo = chance(50) ? 1 :
					   (__u16)((1 + below(100)) << 3 | below(2));

				h[2] = fo >> 8, h[3] = (__u8)fo;
				put32(h + 4, (__u32)rnd());
			} else if (kind == 43) {
				h[2] = (__u8)below(5); /* routing type */
				h[3] = 0; /* segments left */
			} else {
				h[2] = 1, h[3] = 4; /* PadN */
			}
			if (kind != 44 && chance(8))
				h[1] = (__u8)below(12); /* longer than what follows, maybe */
			next = h;
			h += 8;
		}
		*next = g->proto;
		hl = (__u32)(h - ip6);
		l4 = h;
		n = put_transport(g, l4, 1400);
		put_l4_csum(g, g->src, g->dst, l4, n);
		total = hl - 40 + n;
		if (chance(4))
			total = (__u32)(total + below(40)) - 20;
		ip6[4] = (__u8)(total >> 8), ip6[5] = (__u8)total;
		total = hl + n;
	}
	total += l3;
	if (chance(3))
		f[l3 + below(total - l3)] ^= (__u8)(1 << below(8)); /* one bit flipped */
	if (chance(6))
		total = ETH_HLEN + below(total - ETH_HLEN + 1); /* cut short */
	return total < ETH_HLEN ? ETH_HLEN : total;
}

/* ---- the run ---------------------------------------------------------- */

static int open_capture(int ifindex)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = ifindex };
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
	int size = 8 << 20;

	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	if (bind(fd, (void *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int inject(struct fuzz *fz, int side, const __u8 *f, __u32 len)
{
	struct xdp_md ctx = { .data_end = len,
			      .ingress_ifindex = (__u32)(side == SIDE_HOME ? fz->fx.lan :
								      fz->fx.wan) };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f, .data_size_in = len,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1,
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES);

	return bpf_prog_test_run_opts(fz->fx.prog_fd, &opts) ? -errno : 0;
}

static void report(struct fuzz *fz, enum verdict v, long idx, int side, const __u8 *in,
		   __u32 in_len, const struct parsed *pin, const __u8 *out, __u32 out_len,
		   const struct parsed *pout)
{
	fz->violations++;
	if (fz->firewall_off || (fz->reported++ >= REPORT_MAX && !fz->debug))
		return;
	printf("  frame %ld, sent in by the %s: %s\n", idx, side == SIDE_HOME ? "home" : "WAN",
	       verdict_name[v]);
	describe("sent", pin);
	describe("seen", pout);
	if (in)
		hexdump("sent", in, in_len);
	hexdump("seen", out, out_len);
	if (fz->debug && pout->ip && pout->l4)
		printf("    the answer of a connection the home opened: %s\n",
		       tracked(pout) ? "yes" : "no");
	if (fz->debug) {
		__u64 now[2][HEARTH_CNT_MAX];

		counters_snap(fz, now);
		printf("    counters:");
		for (int i = 0; i < 2; i++)
			for (int c = 0; c < HEARTH_CNT_MAX; c++)
				if (now[i][c] != fz->before[i][c])
					printf(" %s/%s+%llu", i ? "wan0" : "lan0",
					       cnt_name[c], (unsigned long long)
					       (now[i][c] - fz->before[i][c]));
		printf("\n");
	}
}

/* The frames sent, by number modulo 2^16: what arrives is judged by the
 * frame it came of (its tag says which), should it come after a later
 * frame's test run (the kernel may leave work to ksoftirqd). */
struct sent {
	long idx;
	int side;
	struct parsed p;
};

#define RING (1 << 16)
static struct sent *ring;

static const struct sent *ring_match(long idx, int family, __u16 tag, const __u8 *src,
				     const __u8 *dst)
{
	const struct sent *r = &ring[tag];

	if (r->idx <= idx && r->idx > idx - RING && r->p.ip && r->p.family == family &&
	    (!memcmp(r->p.src, src, 16) || !memcmp(r->p.dst, dst, 16)))
		return r;
	return NULL;
}

/* The frame @p came of: by its tag when a recent frame of that number has
 * its source or destination (NAT rewrites the other); for an ICMP error
 * the gateway sent, the frame its quote is of (first); else, with *@sure
 * false, the last frame. */
static const struct sent *came_of(struct fuzz *fz, const struct parsed *p, long idx,
				  bool *sure)
{
	bool quoted = p->ip && p->icmp_error && p->inner_ok;
	const struct sent *r = NULL;

	/* the gateway's own error: its IP id is the kernel's */
	if (quoted && gateway_own(p))
		r = ring_match(idx, p->family, p->in_tag, p->in_src, p->in_dst);
	if (!r && p->ip)
		r = ring_match(idx, p->family, p->tag, p->src, p->dst);
	if (!r && quoted)
		r = ring_match(idx, p->family, p->in_tag, p->in_src, p->in_dst);
	*sure = r;
	if (r && r->idx != idx)
		fz->late++;
	return r ? r : &ring[idx & (RING - 1)];
}

/* Takes in everything the sockets hold and judges it. */
static void drain(struct fuzz *fz, long idx, const __u8 *in, __u32 in_len)
{
	__u8 buf[4096];

	for (int s = 0; s < 2; s++) {
		for (;;) {
			struct sockaddr_ll from;
			socklen_t fl = sizeof(from);
			ssize_t n = recvfrom(fz->sock[s], buf, sizeof(buf), MSG_TRUNC,
					     (void *)&from, &fl);
			const struct sent *r;
			struct parsed p;
			enum verdict v;
			bool sure;

			if (n < 0)
				break;
			if (from.sll_pkttype == PACKET_OUTGOING)
				continue;
			if (n > (ssize_t)sizeof(buf))
				n = sizeof(buf);
			parse(buf, (__u32)n, &p);
			r = came_of(fz, &p, idx, &sure);
			if (s == SIDE_WAN)
				v = judge_out(&p, sure ? r->side : -1, &r->p);
			else if (r->side == SIDE_HOME)
				v = p.ip ? V_FROM_HOME : V_NOT_IP;
			else
				v = judge_home(&p, &r->p);
			fz->count[s][v]++;
			fz->bytes_seen[s] += n;
			if (v >= V_BAD_IN)
				report(fz, v, r->idx, r->side, r->idx == idx ? in : NULL, in_len,
				       &r->p, buf, (__u32)n, &p);
		}
	}
}

/*
 * What a frame may open, whether or not it gets anywhere after (a hop
 * limit running out, say): from the home, a connection, unless a TCP
 * reset or not from a home address; from the WAN, a pinhole's connection
 * (a TCP SYN or UDP), or a port forward's.
 */
static void remember(int side, const struct parsed *p)
{
	bool tcp = p->proto == IPPROTO_TCP, udp = p->proto == IPPROTO_UDP;
	struct key k;

	if (!p->ip || !p->l4 || p->frag_off)
		return;
	if (side == SIDE_HOME) {
		if (!(p->family == AF_INET ? inside4(p->src) : home6_addr(p->src)) ||
		    (tcp && (p->tcp_flags & 0x04)) || p->icmp_error ||
		    ((p->proto == IPPROTO_ICMP || p->proto == IPPROTO_ICMPV6) &&
		     !is_echo(p->family, p->icmp_type, false)))
			return;
		k = conn_key(p->family, p->proto, p->src, p->sport, p->dst, p->dport);
		set_add(&k);
		return;
	}
	if (p->family == AF_INET6 && !memcmp(p->dst, a_h1v6, 16) &&
	    ((tcp && p->dport == PH_TCP_PORT && (p->tcp_flags & 0x02)) ||
	     (udp && p->dport >= PH_UDP_MIN && p->dport <= PH_UDP_MAX))) {
		k = conn_key(p->family, p->proto, p->dst, p->dport, p->src, p->sport);
		set_add(&k);
	}
	if (p->family == AF_INET && !memcmp(p->dst, a_wan4, 4) &&
	    ((tcp && p->dport == FWD_TCP_WAN) || (udp && p->dport == FWD_UDP_PORT))) {
		k = mkkey(K_FWD_TRY, AF_INET, p->proto, p->src, p->sport, NULL, 0);
		set_add(&k);
	}
}

static void fuzz_frame(struct fuzz *fz, long idx, int side)
{
	__u8 f[FRAME_MAX];
	struct parsed pin;
	struct gen g;
	__u32 len;

	memset(&g, 0, sizeof(g));
	if (side == SIDE_HOME)
		gen_home(&g);
	else
		gen_wan(&g);
	g.ttl = rand_ttl();
	len = build(fz, &g, side, idx, f);
	parse(f, len, &pin);
	pin.opts = NULL; /* (kept, and f is not) */
	ring[idx & (RING - 1)] = (struct sent){ .idx = idx, .side = side, .p = pin };
	remember(side, &pin);
	if (fz->debug)
		counters_snap(fz, fz->before);
	if (inject(fz, side, f, len))
		fz->runs_failed++;
	fz->sent[side]++;
	drain(fz, idx, f, len);
}

/* Sends @s in from @side; true when a UDP datagram from or to port 7 (as
 * @out_to_7 says) comes out at @at, parsed into @p. */
static bool probe(struct fuzz *fz, int side, const struct pkt_spec *s, int at, bool out_to_7,
		  struct parsed *p)
{
	__u8 f[FRAME_MAX], buf[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, f, sizeof(f));
	bool found = false;
	ssize_t n;

	if (!len || inject(fz, side, f, len))
		return false;
	for (int sd = 0; sd < 2; sd++)
		while ((n = recv(fz->sock[sd], buf, sizeof(buf), 0)) > 0) {
			struct parsed q;

			parse(buf, (__u32)n, &q);
			if (sd != at || found || !q.l4 || q.proto != IPPROTO_UDP ||
			    (out_to_7 ? q.dport : q.sport) != 7)
				continue;
			*p = q;
			found = true;
		}
	return found;
}

/* Entries in the connection table. */
static long ct_entries(struct fuzz *fz)
{
	struct hearth_ct_key key, next;
	long n = 0;

	for (void *prev = NULL; !bpf_map_get_next_key(fz->fx.ct_fd, prev, &next); prev = &key) {
		key = next;
		n++;
	}
	return n;
}

/* After the fuzz, the gateway still works: a new connection out and its
 * answer in, each family. Unless the fuzz filled the connection table:
 * nothing expires without hearthd (architecture.md, "Not yet"). */
static void check_still_works(struct fuzz *fz)
{
	long entries = ct_entries(fz);

	if (entries >= HEARTH_CT_ENTRIES - 2) {
		printf("  the connection table is full (%ld entries): no new connection "
		       "after the fuzz to check\n", entries);
		return;
	}
	for (int i = 0; i < 2; i++) {
		int family = i ? AF_INET6 : AF_INET;
		struct pkt_spec s = lan_spec(&fz->fx, family,
					     i ? FX_SERVER_V6 : FX_SERVER_V4);
		char what[64];
		struct parsed p;

		s.sport = 47001;
		s.dport = 7;
		snprintf(what, sizeof(what), "after the fuzz: IPv%d out", i ? 6 : 4);
		if (!ASSERT_TRUE(probe(fz, SIDE_HOME, &s, SIDE_WAN, true, &p), what))
			continue;
		s = (struct pkt_spec){ .family = family, .src = i ? FX_SERVER_V6 : FX_SERVER_V4,
				       .dst = i ? FX_H1_V6 : FX_WAN_V4, .sport = 7,
				       .dport = p.sport, .payload = 16 };
		memcpy(s.dmac, fz->fx.wan_mac, 6);
		memcpy(s.smac, fz->fx.inet_mac, 6);
		snprintf(what, sizeof(what), "after the fuzz: IPv%d answer in", i ? 6 : 4);
		if (ASSERT_TRUE(probe(fz, SIDE_WAN, &s, SIDE_HOME, false, &p), what))
			ASSERT_EQ(p.dport, 47001, "to the port it came from");
	}
}

static int fuzz_setup(struct fuzz *fz, struct xdp_gateway **skel, struct tc_wan **tc)
{
	LIBBPF_OPTS(bpf_tc_hook, hook);
	LIBBPF_OPTS(bpf_tc_opts, in_opts);
	LIBBPF_OPTS(bpf_tc_opts, out_opts);
	struct hearth_pinhole ph = { .family = AF_INET6, .prefixlen = 128,
				     .proto = IPPROTO_TCP, .port_min = PH_TCP_PORT,
				     .port_max = PH_TCP_PORT };

	*skel = nat_setup(&fz->fx, 1024, 65535);
	if (!*skel)
		return -1;
	if (!fz->firewall_off && !ASSERT_OK(fixture_enable_firewall(&fz->fx), "firewall on"))
		return -1;
	inet_pton(AF_INET6, FX_H1_V6, ph.addr.b);
	if (!ASSERT_OK(fixture_add_pinhole(&fz->fx, &ph), "pinhole tcp h1 22"))
		return -1;
	ph.proto = IPPROTO_UDP;
	ph.port_min = PH_UDP_MIN;
	ph.port_max = PH_UDP_MAX;
	if (!ASSERT_OK(fixture_add_pinhole(&fz->fx, &ph), "pinhole udp h1 5000-5009"))
		return -1;
	add_forward(&fz->fx, IPPROTO_TCP, FWD_TCP_WAN, FX_H1_V4, FWD_TCP_HOME);
	add_forward(&fz->fx, IPPROTO_UDP, FWD_UDP_PORT, FX_H1_V4, FWD_UDP_PORT);
	*tc = tc_share(&fz->fx);
	if (!*tc)
		return -1;
	hook.ifindex = fz->fx.wan;
	hook.attach_point = BPF_TC_INGRESS;
	if (!ASSERT_OK(bpf_tc_hook_create(&hook), "clsact on wan0"))
		return -1;
	in_opts.prog_fd = bpf_program__fd((*tc)->progs.HEARTH_PROG_TC_WAN_INGRESS);
	out_opts.prog_fd = bpf_program__fd((*tc)->progs.HEARTH_PROG_TC_WAN_EGRESS);
	if (!ASSERT_OK(bpf_tc_attach(&hook, &in_opts), "tc wan0 ingress"))
		return -1;
	hook.attach_point = BPF_TC_EGRESS;
	if (!ASSERT_OK(bpf_tc_attach(&hook, &out_opts), "tc wan0 egress"))
		return -1;
	/* the peers: frames redirected into a veth are taken by a peer with
	 * GRO on; no IPv6 of their own (router solicitations, MLD) */
	if (!ASSERT_OK(fixture_sh("ethtool -K lanp gro on >/dev/null && "
				  "ethtool -K wanp gro on >/dev/null && "
				  "sysctl -qw net.ipv6.conf.lanp.disable_ipv6=1 "
				  "net.ipv6.conf.wanp.disable_ipv6=1"), "lanp and wanp") ||
	    !ASSERT_OK(fixture_sh("ip -6 neigh add 2001:db8:1::11 lladdr %s dev lan0 "
				  "nud permanent", FX_H2_MAC), "h2's IPv6 neighbour"))
		return -1;
	fz->lanp = (int)if_nametoindex("lanp");
	fz->wanp = (int)if_nametoindex("wanp");
	fz->sock[SIDE_HOME] = open_capture(fz->lanp);
	fz->sock[SIDE_WAN] = open_capture(fz->wanp);
	return ASSERT_TRUE(fz->sock[0] >= 0 && fz->sock[1] >= 0, "packet sockets") ? 0 : -1;
}

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 0) : dflt;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void write_json(struct fuzz *fz, const char *path, __u64 seed, double secs)
{
	FILE *f = fopen(path, "w");

	if (!ASSERT_TRUE(f != NULL, "open the JSON file"))
		return;
	fprintf(f, "{\n  \"frames\": %ld,\n  \"seed\": \"0x%llx\",\n  \"seconds\": %.3f,\n"
		   "  \"frames_per_s\": %.0f,\n  \"violations\": %ld,\n  \"seen\": {",
		fz->frames, (unsigned long long)seed, secs, fz->frames / secs, fz->violations);
	for (int s = 0; s < 2; s++) {
		bool first = true;

		fprintf(f, "%s\n    \"%s\": {", s ? "," : "", s == SIDE_HOME ? "home" : "wan");
		for (int v = 0; v < V_MAX; v++) {
			if (!fz->count[s][v])
				continue;
			fprintf(f, "%s\n      \"%s\": %ld", first ? "" : ",", verdict_name[v],
				fz->count[s][v]);
			first = false;
		}
		fprintf(f, "\n    }");
	}
	fprintf(f, "\n  }\n}\n");
	fclose(f);
}

static void init_addrs(void)
{
	addr(AF_INET, FX_WAN_V4, a_wan4);
	addr(AF_INET, FX_LAN_V4, a_lan4);
	addr(AF_INET, FX_H1_V4, a_h1v4);
	addr(AF_INET6, "2001:db8:ff::1", a_wan6);
	addr(AF_INET6, "2001:db8:1::1", a_lan6);
	addr(AF_INET6, FX_H1_V6, a_h1v6);
}

static void run_fuzz(struct fuzz *fz, long frames, __u64 seed, double *secs)
{
	struct xdp_gateway *skel = NULL;
	struct tc_wan *tc = NULL;
	cpu_set_t one;
	double t0;

	init_addrs();
	set_mask = 1 << 16;
	while (set_mask < 4 * frames)
		set_mask <<= 1;
	set = calloc(set_mask, sizeof(*set));
	set_used = calloc(set_mask, sizeof(*set_used));
	set_mask--;
	set_n = 0;
	ring = calloc(RING, sizeof(*ring));
	if (!ASSERT_TRUE(set && set_used && ring, "memory"))
		goto cleanup;
	for (int i = 0; i < RING; i++)
		ring[i].idx = -RING - 1;
	/* one CPU: what a frame causes is done when its test run returns */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	fz->sock[0] = fz->sock[1] = -1;
	if (fuzz_setup(fz, &skel, &tc))
		goto cleanup;
	rng_state = seed ? seed : FUZZ_SEED;
	t0 = now_s();
	for (long i = 0; i < frames; i++) {
		/* the home speaks first, then both, the WAN a little more */
		int side = i < 200 ? SIDE_HOME : chance(40) ? SIDE_HOME : SIDE_WAN;

		fuzz_frame(fz, i, side);
		fz->frames++;
	}
	*secs = now_s() - t0;
	/* what comes late: the kernel gives up on a neighbour after 3 s, and
	 * answers what it held for it with host unreachable */
	for (int i = 0; i < 35; i++) {
		usleep(100000);
		drain(fz, frames - 1, NULL, 0);
	}
	for (int s = 0; s < 2; s++) {
		struct tpacket_stats st = {};
		socklen_t sl = sizeof(st);

		if (!getsockopt(fz->sock[s], SOL_PACKET, PACKET_STATISTICS, &st, &sl))
			fz->sock_drops += st.tp_drops;
	}
	if (!fz->firewall_off)
		check_still_works(fz);
cleanup:
	for (int s = 0; s < 2; s++)
		if (fz->sock[s] >= 0)
			close(fz->sock[s]);
	if (tc)
		tc_wan__destroy(tc);
	if (skel)
		xdp_gateway__destroy(skel);
	free(set);
	free(set_used);
	free(ring);
}

static void print_counts(struct fuzz *fz)
{
	printf("  %ld frames (%ld from the home, %ld from the WAN), %ld connections out, "
	       "%ld violations; %ld frames came out after a later frame's test run\n",
	       fz->frames, fz->sent[SIDE_HOME], fz->sent[SIDE_WAN], (long)n_conns,
	       fz->violations, fz->late);
	for (int s = 0; s < 2; s++)
		for (int v = 0; v < V_MAX; v++)
			if (fz->count[s][v])
				printf("    seen %s: %-60s %ld\n",
				       s == SIDE_HOME ? "home" : "wan ", verdict_name[v],
				       fz->count[s][v]);
}

/* The fixed-seed run: nothing the rules do not allow reaches the home,
 * nothing inside leaves by the WAN, and the frames hit what is open. */
TEST(fw_fuzz)
{
	long frames = env_long("HEARTH_FW_FUZZ_FRAMES", FUZZ_FRAMES);
	__u64 seed = (__u64)env_long("HEARTH_FW_FUZZ_SEED", 0);
	const char *json = getenv("HEARTH_FW_FUZZ_JSON");
	struct fuzz *fz = calloc(1, sizeof(*fz));
	double secs = 0;

	if (!fz || !test__require_root())
		goto out;
	fz->debug = env_long("HEARTH_FW_FUZZ_DEBUG", 0);
	run_fuzz(fz, frames, seed, &secs);
	if (test__failed() && !fz->frames)
		goto out;
	print_counts(fz);
	printf("  %.2f s, %.0f frames/s\n", secs, secs > 0 ? fz->frames / secs : 0);
	ASSERT_EQ(fz->frames, frames, "frames sent");
	ASSERT_EQ(fz->runs_failed, 0, "live-frame test runs that failed");
	ASSERT_EQ(fz->sock_drops, 0, "frames the packet sockets dropped (unjudged)");
	/* the invariants, one by one */
	ASSERT_EQ(fz->count[SIDE_HOME][V_BAD_IN] + fz->count[SIDE_HOME][V_BAD_IN_INSIDE4] +
		  fz->count[SIDE_HOME][V_SPOOFED_IN], 0,
		  "frames towards the home that are no connection's, forward's or pinhole's");
	ASSERT_EQ(fz->count[SIDE_WAN][V_LEAK_SRC] + fz->count[SIDE_WAN][V_LEAK_OPT] +
		  fz->count[SIDE_WAN][V_LEAK_QUOTE], 0, "inside addresses out by the WAN");
	ASSERT_EQ(fz->count[SIDE_WAN][V_BCP38], 0, "sources outside the home out by the WAN");
	if (fz->violations)
		printf("  (HEARTH_FW_FUZZ_DEBUG=1 prints every violation, with the counters "
		       "that moved)\n");
	/* the frames hit what they aim at, on both paths */
	ASSERT_TRUE(n_conns >= 50, "connections out by the WAN");
	ASSERT_TRUE(fz->count[SIDE_HOME][V_TRACKED] >= 100, "answers of connections in");
	ASSERT_TRUE(fz->count[SIDE_HOME][V_PINHOLE] >= 20, "through the pinholes");
	ASSERT_TRUE(fz->count[SIDE_HOME][V_FORWARD] >= 20, "through the forwards");
	ASSERT_TRUE(fz->count[SIDE_HOME][V_ICMP_ERROR] >= 10, "ICMP errors about connections");
	ASSERT_TRUE(fz->count[SIDE_HOME][V_ECHO6] >= 10, "ICMPv6 echo requests");
	ASSERT_TRUE(fz->count[SIDE_WAN][V_OUT_OK] >= 1000, "frames out by the WAN");
	if (json)
		write_json(fz, json, seed ? seed : FUZZ_SEED, secs);
out:
	free(fz);
}

/* The oracle itself: with the firewall off (NAT on, a plain router for
 * IPv6), the same frames reach the home unasked, and it says so. */
TEST(fw_fuzz_oracle)
{
	struct fuzz *fz = calloc(1, sizeof(*fz));
	double secs = 0;

	if (!fz || !test__require_root())
		goto out;
	fz->firewall_off = true;
	run_fuzz(fz, 3000, 0, &secs);
	if (test__failed())
		goto out;
	printf("  firewall off: %ld violations found in %ld frames (expected)\n",
	       fz->violations, fz->frames);
	ASSERT_TRUE(fz->count[SIDE_HOME][V_BAD_IN] >= 10, "unexplained frames towards the home");
out:
	free(fz);
}
