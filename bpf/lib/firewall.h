/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall (RFC 6092 "simple security", RFC 7084): from the WAN, only
 * packets of tracked connections, port forwards and pinholes reach home
 * hosts and chutes; sources are validated both ways (BCP 38). IPv6
 * connections are tracked in the connection table like IPv4 ones, without
 * translation.
 */
#ifndef HEARTH_BPF_FIREWALL_H
#define HEARTH_BPF_FIREWALL_H

#include "common.h"
#include "ct.h"
#include "nat_icmp.h"
#include "tenant.h"

#define IPPROTO_ESP_ 50
#define ICMPV6_DEST_UNREACH 1
#define ICMPV6_PARAMPROB 4
#define ICMPV6_ECHO_REQUEST 128
#define ICMPV6_ECHO_REPLY 129

static __always_inline struct hearth_fw_cfg *fw_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&HEARTH_MAP_FWCFG, &zero);
}

/* Is @addr (of @family, in the ct key's layout) inside a home prefix? */
static __always_inline int addr_home(const union hearth_addr *addr)
{
	struct hearth_home_key key = { .prefixlen = 128, .addr = *addr };

	return bpf_map_lookup_elem(&HEARTH_MAP_HOME, &key) != 0;
}

/* The side of the gateway an interface role faces. */
static __always_inline __u8 role_side(__u32 role)
{
	return role == HEARTH_ROLE_WAN ? HEARTH_CT_SIDE_WAN : HEARTH_CT_SIDE_HOME;
}

static __always_inline void addr6_copy(union hearth_addr *to, const struct in6_addr *from)
{
	to->w[0] = from->in6_u.u6_addr32[0];
	to->w[1] = from->in6_u.u6_addr32[1];
	to->w[2] = from->in6_u.u6_addr32[2];
	to->w[3] = from->in6_u.u6_addr32[3];
}

static __always_inline int addr6_equal(const struct in6_addr *a, const struct in6_addr *b)
{
	return !((a->in6_u.u6_addr32[0] ^ b->in6_u.u6_addr32[0]) |
		 (a->in6_u.u6_addr32[1] ^ b->in6_u.u6_addr32[1]) |
		 (a->in6_u.u6_addr32[2] ^ b->in6_u.u6_addr32[2]) |
		 (a->in6_u.u6_addr32[3] ^ b->in6_u.u6_addr32[3]));
}

#define CT6_MAY_OPEN 0x100 /* with the TCP flags in the low byte */

/*
 * The tuple of an IPv6 packet without extension headers at @l3_off in the
 * frame: TCP, UDP, ICMPv6 echo (the identifier as in IPv4), ESP (no ports:
 * the addresses are the session, RFC 6092 REC-25). *@meta gets the TCP
 * flags and CT6_MAY_OPEN. Returns CT_TRACKED, CT_UNTRACKED or a drop
 * counter, as ct_tuple does. A global function: IPv6 is never rewritten,
 * so the caller needs no packet pointer from here, and the verifier walks
 * its protocols once rather than on every path of the gateway.
 */
__noinline __u32 ct_tuple6(HEARTH_CTX *ctx, __u32 l3_off, struct hearth_ct_key *key,
			   __u32 *meta)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct ipv6hdr *ip6 = (void *)(long)ctx->data + (l3_off & 0xff);
	void *l4 = ip6 + 1;
	__u32 l4_len;

	if (!key || !meta)
		return CT_UNTRACKED;
	__builtin_memset(key, 0, sizeof(*key));
	*meta = 0;
	if ((void *)(ip6 + 1) > data_end)
		return CT_UNTRACKED;
	l4_len = len_be16(ip6->payload_len);
	addr6_copy(&key->saddr, &ip6->saddr);
	addr6_copy(&key->daddr, &ip6->daddr);
	key->proto = ip6->nexthdr;
	key->family = AF_INET6;
	if (ip6->nexthdr == IPPROTO_TCP) {
		struct tcphdr *th = l4;
		__u8 flags;

		if ((void *)(th + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (th->doff < 5 || th->doff * 4u > l4_len)
			return HEARTH_CNT_DROP_BAD_L4;
		flags = ((__u8 *)th)[13];
		*meta = flags | (tcp_may_open(flags) ? CT6_MAY_OPEN : 0);
		key->sport = th->source;
		key->dport = th->dest;
	} else if (ip6->nexthdr == IPPROTO_UDP) {
		struct udphdr *uh = l4;

		if ((void *)(uh + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (l4_len < sizeof(*uh) || len_be16(uh->len) != l4_len)
			return HEARTH_CNT_DROP_BAD_L4;
		*meta = CT6_MAY_OPEN;
		key->sport = uh->source;
		key->dport = uh->dest;
	} else if (ip6->nexthdr == IPPROTO_ICMPV6) {
		struct icmphdr *ic = l4; /* the echo layout is the same */

		if ((void *)(ic + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (ic->type == ICMPV6_ECHO_REQUEST) {
			*meta = CT6_MAY_OPEN;
			key->sport = ic->un.echo.id;
		} else if (ic->type == ICMPV6_ECHO_REPLY) {
			key->dport = ic->un.echo.id;
		} else {
			return CT_UNTRACKED;
		}
	} else if (ip6->nexthdr == IPPROTO_ESP_) {
		*meta = CT6_MAY_OPEN;
	} else {
		return CT_UNTRACKED;
	}
	return CT_TRACKED;
}

/* A pinhole (`firewall allow`) lets a new connection in to @key's
 * destination. A short array read in order: it is only asked for packets
 * no connection knows. A global function: verified once, not on every
 * path that reaches it. */
__noinline int fw_pinhole(const struct hearth_ct_key *key)
{
	struct hearth_fw_cfg *cfg = fw_cfg();
	__u32 n;
	__u16 port;

	if (!key || !cfg)
		return 0;
	port = bpf_ntohs(key->dport);
	n = cfg->n_pinholes;

	/* the counter stays a constant the verifier follows: a copy is the
	 * map key (6.1 loses a 4-byte spilled counter and calls the loop
	 * infinite) */
	for (int i = 0; i < HEARTH_PINHOLES; i++) {
		struct hearth_pinhole *ph;
		__u32 idx = i, len, match = 1;

		if (idx >= n)
			break;
		ph = bpf_map_lookup_elem(&HEARTH_MAP_PINHOLES, &idx);

		if (!ph || ph->family != key->family)
			continue;
		if (ph->proto && ph->proto != key->proto)
			continue;
		if ((ph->port_min || ph->port_max) &&
		    (port < ph->port_min || port > ph->port_max))
			continue;
		len = ph->prefixlen + (key->family == AF_INET ? 96 : 0);
		for (__u32 w = 0; w < 4; w++) {
			__u32 bits = len > w * 32 ? len - w * 32 : 0;
			__u32 mask = bits >= 32 ? 0xffffffff :
					bits ? bpf_htonl(~((1u << (32 - bits)) - 1)) : 0;

			if ((key->daddr.w[w] ^ ph->addr.w[w]) & mask)
				match = 0;
		}
		if (match)
			return 1;
	}
	return 0;
}

/*
 * Tracks a connection the gateway does not translate (IPv6, or IPv4 with
 * NAT off): the reply is the original reversed. @side is where the opening
 * packet came from. Returns CT_TRACKED or the refusal's counter. A global
 * function, like the other openers (the entry is built in the scratch
 * slot), which counts the opening packet in it.
 */
__noinline __u32 ct_open_tracked(const struct hearth_ct_key *orig_arg, __u32 side,
				 __u32 tenant, __u32 bytes, __u32 tcp_flags)
{
	__u64 now = bpf_jiffies64();
	struct hearth_scratch *scratch;
	struct hearth_ct_key *orig, *reply;
	struct hearth_ct_entry *e;
	__u32 zero = 0, rc, reply_slot;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!orig_arg || !scratch)
		return HEARTH_CNT_DROP_CT_FULL;
	e = &scratch->ct;
	orig = &scratch->orig;
	reply = &scratch->reply;
	*orig = *orig_arg;
	__builtin_memset(reply, 0, sizeof(*reply));
	reply->saddr = orig->daddr;
	reply->daddr = orig->saddr;
	reply->sport = orig->dport;
	reply->dport = orig->sport;
	reply->proto = orig->proto;
	reply->family = orig->family;
	__builtin_memset(e, 0, sizeof(*e));
	e->first_seen = now;
	e->last_seen = now;
	e->active = now + 1; /* the reply half a jiffy younger: see ct_open_entries */
	e->tenant = tenant;
	ct_open_state(e, orig->proto, tcp_flags);
	e->peer = *orig;
	e->dir = HEARTH_CT_REPLY;
	e->side = side == HEARTH_CT_SIDE_WAN ? HEARTH_CT_SIDE_HOME : HEARTH_CT_SIDE_WAN;
	rc = ct_insert_entry(reply, e, 0);
	if (rc == CT_EXISTS)
		return CT_TRACKED; /* another CPU opened it meanwhile */
	if (!(rc & CT_SLOT_FOUND))
		return ct_refusal(rc);
	reply_slot = CT_SLOT_INDEX(rc);
	e->active = now;
	e->peer = *reply;
	e->peer_slot = reply_slot;
	e->peer_gen = e->gen; /* the reply's, as ct_insert_entry left it */
	e->dir = HEARTH_CT_ORIG;
	e->side = side;
	e->packets = 1; /* the opening packet, counted here */
	e->bytes = bytes;
	e->tcp_flags = tcp_flags;
	return ct_open_link(orig, e, reply, reply_slot, e->gen);
}

/* Is the quoted packet whose addresses and protocol are in @key, its first
 * transport bytes at @ports, one of our untranslated connections? A
 * translated one's packets never leave with their home tuple: an error
 * quoting one as it is was not sent about a packet of ours (XDP translates
 * the real ones, nat_icmp_error, and marks them if it passes them). */
static __always_inline int fw_quoted_tracked(struct hearth_ct_key *key, const __be16 *ports)
{
	struct hearth_ct_entry *e;

	if (key->proto == IPPROTO_TCP || key->proto == IPPROTO_UDP) {
		key->sport = ports[0];
		key->dport = ports[1];
	} else {
		key->sport = ports[2]; /* an echo request's identifier */
	}
	e = ct_lookup(key);
	return e && !(e->nat & (HEARTH_CT_NAT_SRC | HEARTH_CT_NAT_DST));
}

/* An ICMP or ICMPv6 error from the WAN about one of our connections (RFC
 * 4890 4.3.1, RFC 6092 REC-10): the packet it quotes left by the WAN, so
 * its tuple is that connection's key as it is (for NAT, once nat_icmp_error
 * translated the error back to the home host), and the error goes to that
 * packet's source, the connection's own home host: not to another home
 * address. The frame is an untagged one without IPv4 options or IPv6
 * extension headers: classify said so. */
static __always_inline int fw_icmp_error_ok(HEARTH_CTX *ctx, __u8 family)
{
	void *data_end = (void *)(long)ctx->data_end;
	void *l3 = (void *)(long)ctx->data + ETH_HLEN;
	struct hearth_ct_key key = {};
	struct icmphdr *ic;
	__be16 *ports;

	key.family = family;
	if (family == AF_INET6) {
		struct ipv6hdr *ip6 = l3, *quoted;

		ic = (void *)(ip6 + 1);
		quoted = (void *)(ic + 1);
		ports = (void *)(quoted + 1);
		if ((void *)(ports + 3) > data_end || ip6->nexthdr != IPPROTO_ICMPV6 ||
		    ic->type < ICMPV6_DEST_UNREACH || ic->type > ICMPV6_PARAMPROB)
			return 0;
		if (!addr6_equal(&ip6->daddr, &quoted->saddr))
			return 0;
		addr6_copy(&key.saddr, &quoted->saddr);
		addr6_copy(&key.daddr, &quoted->daddr);
		key.proto = quoted->nexthdr;
	} else {
		struct iphdr *ip = l3, *quoted;

		ic = (void *)(ip + 1);
		quoted = (void *)(ic + 1);
		ports = (void *)(quoted + 1);
		if ((void *)(ports + 3) > data_end || ip->protocol != IPPROTO_ICMP ||
		    (quoted->ihl & 0xf) != 5 || !icmp_is_error(ic->type) ||
		    ip->daddr != quoted->saddr)
			return 0;
		key.saddr.ip4 = quoted->saddr;
		key.daddr.ip4 = quoted->daddr;
		key.proto = quoted->protocol;
	}
	return fw_quoted_tracked(&key, ports);
}

/* What fw_open is told about the packet, in one word. */
#define FW_OUTBOUND (1u << 0) /* leaving by the WAN (else arriving) */
#define FW_TRACKABLE (1u << 1) /* it has a tuple (ct_tuple said so) */
#define FW_MAY_OPEN (1u << 2)
#define FW_SLOT(slot) ((slot) << 8) /* the ingress interface */
#define FW_OUT_SLOT(slot) ((slot) << 16)
#define FW_TCP_FLAGS(flags) ((__u32)(flags) << 24)

/* What fw_open answers when the packet opens a tracked connection: the
 * caller opens it (ct_open_tracked), from the side and for the tenant in
 * the answer. Apart, the calls' frames stay within the 6.1 kernel's 512
 * bytes for the whole chain. */
#define FW_OPEN (1u << 31)
#define FW_OPEN_WAN (1u << 30) /* the opening packet came from the WAN */
#define FW_OPEN_TENANT(r) ((r) & 0xffff)

/* A home host's packet no connection knows, leaving by the WAN: tracked as
 * it is, so that its answers come in. Its source must be the home's (BCP
 * 38). */
static __always_inline __u32 fw_outbound(HEARTH_CTX *ctx,
					 const struct hearth_ct_key *key, __u32 how)
{
	struct ethhdr *eth = (void *)(long)ctx->data;
	__u32 tenant;

	if ((void *)(eth + 1) > (void *)(long)ctx->data_end)
		return HEARTH_CNT_DROP_TRUNC_ETH;
	if (!addr_home(&key->saddr))
		return HEARTH_CNT_DROP_FW_SPOOFED;
	if (!(how & FW_TRACKABLE) || !(how & FW_MAY_OPEN))
		return HEARTH_CONTINUE; /* a reset, an error: nothing to answer */
	tenant = tenant_classify(how >> 8 & 0xff, eth->h_source, key->family,
				 key->family == AF_INET ? (void *)&key->saddr.ip4 :
							  (void *)&key->saddr);
	return FW_OPEN | (tenant & 0xffff);
}

/* A new connection from the WAN, to a home host's @key: through a pinhole
 * only, and a TCP one with a SYN alone (no mid-stream pick-up inbound);
 * its tenant is the home end's, by its address (on @slot, 0: any), as for
 * forwards. FW_OPEN when it may open, else the refusal's counter. XDP and
 * the kernel path's tc both ask here. */
static __always_inline __u32 fw_open_pinhole(const struct hearth_ct_key *key, __u8 tcp_flags,
					     __u32 slot)
{
	__u32 tenant;

	if (key->proto == IPPROTO_TCP && !tcp_syn_alone(tcp_flags))
		return HEARTH_CNT_DROP_FW_REFUSED;
	if (!fw_pinhole(key))
		return HEARTH_CNT_DROP_FW_REFUSED;
	if (!ct_open_rate_ok())
		return HEARTH_CNT_DROP_OPEN_RATE;
	tenant = tenant_classify(slot, 0, key->family,
				 key->family == AF_INET ? (void *)&key->daddr.ip4 :
							  (void *)&key->daddr);
	return FW_OPEN | FW_OPEN_WAN | (tenant & 0xffff);
}

/* Opens what fw_open or fw_open_pinhole said may open (@r), its first
 * packet @bytes long with @tcp_flags. Returns CT_TRACKED or a counter. */
static __always_inline __u32 fw_open_tracked(const struct hearth_ct_key *key, __u32 r,
					     __u32 bytes, __u8 tcp_flags)
{
	return ct_open_tracked(key, r & FW_OPEN_WAN ? HEARTH_CT_SIDE_WAN : HEARTH_CT_SIDE_HOME,
			       FW_OPEN_TENANT(r), bytes, tcp_flags);
}

/* From the WAN to a home host, a packet no connection knows: let in by a
 * pinhole (a tracked connection opens), an open interface, an ICMP error
 * about one of our connections or an ICMPv6 echo request (as configured);
 * else refused, silently (fw-refused). */
static __always_inline __u32 fw_inbound(HEARTH_CTX *ctx,
					const struct hearth_ct_key *key, __u32 how)
{
	struct hearth_fw_cfg *cfg = fw_cfg();
	__u32 out_slot = how >> 16 & 0xff;
	struct hearth_iface *out;

	out = bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &out_slot);
	if (!cfg || (out && out->flags & HEARTH_IFACE_FW_OPEN))
		return HEARTH_CONTINUE;
	if (addr_home(&key->saddr))
		return HEARTH_CNT_DROP_FW_SPOOFED;
	if (!(how & FW_TRACKABLE))
		return fw_icmp_error_ok(ctx, key->family) ? HEARTH_CONTINUE :
							    HEARTH_CNT_DROP_FW_REFUSED;
	if (!(how & FW_MAY_OPEN))
		return HEARTH_CNT_DROP_FW_REFUSED;
	if (key->family == AF_INET6 && key->proto == IPPROTO_ICMPV6)
		return cfg->echo6_in ? HEARTH_CONTINUE : HEARTH_CNT_DROP_FW_REFUSED;
	return fw_open_pinhole(key, how >> 24, out_slot);
}

/*
 * The firewall's decision about a packet that no connection knows and
 * that crosses the WAN (@how says which way; its tuple is in the scratch
 * slot's fw_key): HEARTH_CONTINUE, FW_OPEN with what the caller opens
 * (fw_open_tracked), or the drop counter. A global function: verified
 * once, not on each of the gateway's paths.
 */
__noinline __u32 fw_open(HEARTH_CTX *ctx, __u32 how, __u32 track)
{
	struct hearth_scratch *scratch;
	struct hearth_ct_key *key;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!scratch)
		return HEARTH_CNT_DROP_FW_REFUSED;
	key = &scratch->fw_key;

	if (track == CT_TRACKED)
		how |= FW_TRACKABLE;
	if (!ctx || !key)
		return HEARTH_CNT_DROP_FW_REFUSED;
	return how & FW_OUTBOUND ? fw_outbound(ctx, key, how) : fw_inbound(ctx, key, how);
}

#endif /* HEARTH_BPF_FIREWALL_H */
