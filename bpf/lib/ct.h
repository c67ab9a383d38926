/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Connection tracking for NAT: the tuple of a packet, and new masqueraded
 * connections. Shared by XDP and by tc on WAN egress (what the kernel
 * forwards), so that both translate the same way.
 */
#ifndef HEARTH_BPF_CT_H
#define HEARTH_BPF_CT_H

#include <linux/tcp.h>
#include <linux/udp.h>

#include "common.h"
#include "parse.h"
#include "tenant.h"

/* linux/icmp.h drags in libc headers; only the echo layout is needed */
#define ICMP_ECHOREPLY 0
#define ICMP_ECHO 8

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	union {
		struct {
			__be16 id;
			__be16 sequence;
		} echo;
		__be32 gateway;
	} un;
};

#ifndef E2BIG
#define E2BIG 7
#endif
#ifndef EEXIST
#define EEXIST 17
#endif

#define TCP_FLAG_RST_BIT 0x04

/* Where the fields NAT rewrites sit in the packet. A NULL port pointer is a
 * field this packet does not have (an echo request has no "dport"). */
struct l4_ref {
	__be16 *sport; /* or the echo identifier of a request */
	__be16 *dport; /* or the echo identifier of a reply */
	__sum16 *csum;
	__u8 tcp_flags;
	__u8 pseudo; /* the L4 checksum covers the addresses */
	__u8 udp; /* 0 in the checksum field means "none" */
	__u8 udp_no_csum; /* UDP sent without a checksum: leave it so */
	__u8 may_open; /* this packet may open a connection */
};

enum ct_track {
	CT_TRACKED = HEARTH_CNT_MAX + 1, /* key and ref filled */
	CT_UNTRACKED, /* a protocol or message NAT does not translate */
};

static __always_inline struct hearth_nat_cfg *nat_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&HEARTH_MAP_NATCFG, &zero);
}

static __always_inline int addr_inside(__be32 addr)
{
	struct hearth_inside_key key = { .prefixlen = 32, .addr = addr };

	return bpf_map_lookup_elem(&HEARTH_MAP_INSIDE, &key) != 0;
}

static __always_inline __u32 ct_tuple_icmp(struct icmphdr *ic,
					   struct hearth_ct_key *key,
					   struct l4_ref *ref)
{
	ref->csum = &ic->checksum;
	if (ic->type == ICMP_ECHO) {
		ref->sport = &ic->un.echo.id;
		ref->may_open = 1;
		key->sport = ic->un.echo.id;
		return CT_TRACKED;
	}
	if (ic->type == ICMP_ECHOREPLY) {
		ref->dport = &ic->un.echo.id;
		key->dport = ic->un.echo.id;
		return CT_TRACKED;
	}
	return CT_UNTRACKED; /* errors: translated with their embedded header later */
}

/*
 * What the IP length leaves for the transport header, which must hold it:
 * a TCP header whose data offset is 5 words to the segment's length, a
 * UDP header whose length is the IP payload's, an ICMP header. The frame
 * may run on past the IP packet (Ethernet padding): that is not
 * malformed. Fields are read by the caller, from its checked pointer.
 */
static __always_inline __u32 ip4_l4_len(const struct iphdr *ip)
{
	__u32 hdr = (ip->ihl & 0xf) * 4, ip_len = len_be16(ip->tot_len);

	return ip_len > hdr ? ip_len - hdr : 0;
}

/*
 * The tuple of an option-less, unfragmented IPv4 packet. Returns
 * CT_TRACKED, CT_UNTRACKED, or a drop counter: trunc-l4 when the frame
 * ends inside the transport header, bad-l4 when the IP length and the
 * transport header disagree (ip4_l4_len).
 */
static __always_inline __u32 ct_tuple(struct iphdr *ip, void *data_end,
				      struct hearth_ct_key *key,
				      struct l4_ref *ref)
{
	/* options are possible on the kernel's path (tc); XDP sends them up */
	void *l4 = (void *)ip + (ip->ihl & 0xf) * 4;

	__builtin_memset(key, 0, sizeof(*key));
	__builtin_memset(ref, 0, sizeof(*ref));
	key->saddr = ip->saddr;
	key->daddr = ip->daddr;
	key->proto = ip->protocol;
	if (ip->protocol == IPPROTO_TCP) {
		struct tcphdr *th = l4;

		if ((void *)(th + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (th->doff < 5 || th->doff * 4u > ip4_l4_len(ip))
			return HEARTH_CNT_DROP_BAD_L4;
		ref->sport = &th->source;
		ref->dport = &th->dest;
		ref->csum = &th->check;
		ref->pseudo = 1;
		ref->tcp_flags = ((__u8 *)th)[13];
		ref->may_open = !(ref->tcp_flags & TCP_FLAG_RST_BIT);
	} else if (ip->protocol == IPPROTO_UDP) {
		struct udphdr *uh = l4;
		__u32 l4_len = ip4_l4_len(ip);

		if ((void *)(uh + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (l4_len < sizeof(*uh) || len_be16(uh->len) != l4_len)
			return HEARTH_CNT_DROP_BAD_L4;
		ref->sport = &uh->source;
		ref->dport = &uh->dest;
		ref->csum = &uh->check;
		ref->pseudo = 1;
		ref->udp = 1;
		ref->udp_no_csum = uh->check == 0;
		ref->may_open = 1;
	} else if (ip->protocol == IPPROTO_ICMP) {
		struct icmphdr *ic = l4;

		if ((void *)(ic + 1) > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (ip4_l4_len(ip) < sizeof(*ic))
			return HEARTH_CNT_DROP_BAD_L4;
		return ct_tuple_icmp(ic, key, ref);
	} else {
		return CT_UNTRACKED;
	}
	key->sport = *ref->sport;
	key->dport = *ref->dport;
	return CT_TRACKED;
}

/* The port to try on attempt @i: the original one first (when inside the
 * range), then a run from a random start, as RFC 6056 suggests. */
static __always_inline __u16 nat_port_try(const struct hearth_nat_cfg *cfg,
					  __u16 orig, __u32 start, __u32 i)
{
	__u32 span = (__u32)cfg->port_max - cfg->port_min + 1;

	if (i == 0 && orig >= cfg->port_min && orig <= cfg->port_max)
		return orig;
	return (__u16)(cfg->port_min + (start + i) % span);
}

/* The original direction of a new connection after translation. */
struct ct_plan {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 nat; /* enum hearth_ct_nat */
	__u16 tenant;
};

static __always_inline void ct_reply_key(const struct hearth_ct_key *orig,
					 const struct ct_plan *plan,
					 struct hearth_ct_key *reply)
{
	__builtin_memset(reply, 0, sizeof(*reply));
	reply->saddr = plan->daddr;
	reply->daddr = plan->saddr;
	reply->sport = plan->dport;
	reply->dport = plan->sport;
	reply->proto = orig->proto;
}

/* Reserves the reply direction: with source NAT on a free port (the plan's
 * sport is then chosen here), else on the plan's tuple as it is. */
static __always_inline __u32 ct_reserve_reply(const struct hearth_nat_cfg *cfg,
					      const struct hearth_ct_key *orig,
					      struct ct_plan *plan,
					      struct hearth_ct_key *reply,
					      __u64 now)
{
	struct hearth_ct_entry r = {
		.peer = *orig,
		/* the reply undoes the plan: back to the original tuple */
		.nat_saddr = orig->daddr,
		.nat_sport = orig->dport,
		.nat_daddr = orig->saddr,
		.nat_dport = orig->sport,
		.dir = HEARTH_CT_REPLY,
		.nat = ((plan->nat & HEARTH_CT_NAT_SRC) ? HEARTH_CT_NAT_DST : 0) |
		       ((plan->nat & HEARTH_CT_NAT_DST) ? HEARTH_CT_NAT_SRC : 0),
		.first_seen = now,
		.last_seen = now,
		.tenant = plan->tenant,
	};
	__u32 tries = plan->nat & HEARTH_CT_NAT_SRC ? HEARTH_NAT_PORT_TRIES : 1;
	__u32 start = tries > 1 ? bpf_get_prandom_u32() : 0;
	__u16 orig_port = bpf_ntohs(orig->sport);

	for (__u32 i = 0; i < HEARTH_NAT_PORT_TRIES && i < tries; i++) {
		long rc;

		if (plan->nat & HEARTH_CT_NAT_SRC)
			plan->sport = bpf_htons(nat_port_try(cfg, orig_port, start, i));
		ct_reply_key(orig, plan, reply);
		rc = bpf_map_update_elem(&HEARTH_MAP_CT, reply, &r, BPF_NOEXIST);
		if (!rc)
			return CT_TRACKED;
		if (rc != -EEXIST)
			return HEARTH_CNT_DROP_CT_FULL;
	}
	return HEARTH_CNT_DROP_NAT_NO_PORT;
}

/*
 * Opens a connection for @orig translated as @plan says: a reply entry
 * (on a free port for source NAT), then the original entry. Returns
 * CT_TRACKED with *out set, or the counter of the refusal.
 */
static __always_inline __u32 ct_open(const struct hearth_nat_cfg *cfg,
				     const struct hearth_ct_key *orig,
				     struct ct_plan *plan, __u64 now,
				     struct hearth_ct_entry **out)
{
	struct hearth_ct_entry o = {
		.dir = HEARTH_CT_ORIG,
		.first_seen = now,
		.last_seen = now,
		.tenant = plan->tenant,
	};
	struct hearth_ct_key reply;
	__u32 id;
	long rc;

	id = ct_reserve_reply(cfg, orig, plan, &reply, now);
	if (id != CT_TRACKED)
		return id;
	o.peer = reply;
	o.nat = plan->nat;
	o.nat_saddr = plan->saddr;
	o.nat_sport = plan->sport;
	o.nat_daddr = plan->daddr;
	o.nat_dport = plan->dport;
	rc = bpf_map_update_elem(&HEARTH_MAP_CT, orig, &o, BPF_NOEXIST);
	if (rc) {
		/* another CPU opened it meanwhile, or the table filled up */
		bpf_map_delete_elem(&HEARTH_MAP_CT, &reply);
		if (rc != -EEXIST)
			return HEARTH_CNT_DROP_CT_FULL;
	}
	*out = bpf_map_lookup_elem(&HEARTH_MAP_CT, orig);
	return *out ? CT_TRACKED : HEARTH_CNT_DROP_CT_FULL;
}

/* Masquerade: the inside source leaves as the WAN address. */
static __always_inline __u32 ct_open_snat(const struct hearth_nat_cfg *cfg,
					  const struct hearth_ct_key *orig,
					  __u64 now, __u32 tenant,
					  struct hearth_ct_entry **out)
{
	struct ct_plan plan = {
		.saddr = cfg->wan_addr,
		.daddr = orig->daddr,
		.sport = orig->sport,
		.dport = orig->dport,
		.nat = HEARTH_CT_NAT_SRC,
		.tenant = tenant,
	};

	return ct_open(cfg, orig, &plan, now, out);
}

/*
 * A port forward: a new TCP/UDP connection to the WAN address on a
 * forwarded port goes to the inside server. From an inside host
 * (hairpin), the source becomes the WAN address too, so that the server's
 * answer comes back through the gateway instead of straight to the host.
 * Returns CT_UNTRACKED when no forward applies.
 */
static __always_inline __u32 ct_open_forward(const struct hearth_nat_cfg *cfg,
					     const struct hearth_ct_key *orig,
					     __u64 now, struct hearth_ct_entry **out)
{
	struct hearth_nat_fwd_key fkey = { .proto = orig->proto, .port = orig->dport };
	struct hearth_nat_fwd *fwd;
	struct ct_plan plan;

	if (orig->daddr != cfg->wan_addr || !cfg->wan_addr ||
	    (orig->proto != IPPROTO_TCP && orig->proto != IPPROTO_UDP))
		return CT_UNTRACKED;
	fwd = bpf_map_lookup_elem(&HEARTH_MAP_NATFWD, &fkey);
	if (!fwd)
		return CT_UNTRACKED;
	plan.saddr = orig->saddr;
	plan.sport = orig->sport;
	plan.daddr = fwd->addr;
	plan.dport = fwd->port;
	plan.nat = HEARTH_CT_NAT_DST;
	/* the server's tenant, by its address (its interface and MAC are not
	 * known before the packet is routed) */
	plan.tenant = tenant_classify(0, 0, AF_INET, &fwd->addr);
	if (addr_inside(orig->saddr)) {
		plan.saddr = cfg->wan_addr;
		plan.nat |= HEARTH_CT_NAT_SRC;
	}
	return ct_open(cfg, orig, &plan, now, out);
}

/* Load-time setting: HEARTH_CT_LINE_MS in jiffies (the loader converts it
 * with the kernel's HZ; this default assumes HZ=100). */
const volatile __u64 ct_line_jiffies = HEARTH_CT_LINE_MS / 10;

/* Set in a line's nat: the line is in use even when its entry rewrites
 * nothing. */
#define CT_LINE_TRACKED 0x80

/* What a packet's direction is translated to, wherever it was found. */
struct ct_xlat {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 nat; /* enum hearth_ct_nat; 0: not tracked */
};

static __always_inline int ct_key_equal(const struct hearth_ct_key *a,
					const struct hearth_ct_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/* Hands a line's pending counts to the shared entry it copies. */
static __always_inline void ct_line_flush(struct hearth_ct_l1 *line)
{
	struct hearth_ct_entry *e;

	if (!line->nat || !line->packets)
		return;
	e = bpf_map_lookup_elem(&HEARTH_MAP_CT, &line->key);
	if (e) {
		__sync_fetch_and_add(&e->packets, line->packets);
		__sync_fetch_and_add(&e->bytes, line->bytes);
		if (line->last_seen > e->last_seen)
			e->last_seen = line->last_seen;
		if ((e->tcp_flags | line->tcp_flags) != e->tcp_flags)
			e->tcp_flags |= line->tcp_flags;
	}
	line->packets = line->bytes = 0;
	line->tcp_flags = 0;
}

static __always_inline void ct_xlat_from(struct ct_xlat *x, __be32 saddr,
					 __be32 daddr, __be16 sport,
					 __be16 dport, __u8 nat)
{
	x->saddr = saddr;
	x->daddr = daddr;
	x->sport = sport;
	x->dport = dport;
	x->nat = nat;
}

/*
 * The translation for @key: from this CPU's line while it is valid (same
 * key, generation and not expired), else from the connection table, which
 * then refills the line. Returns the line to count on, or NULL (with x->nat
 * 0 when the key is not tracked at all).
 */
static __always_inline struct hearth_ct_l1 *
ct_find(const struct hearth_ct_key *key, __u32 generation, __u64 now,
	struct ct_xlat *x)
{
	__u32 index = hearth_ct_l1_index(key);
	struct hearth_ct_l1 *line = bpf_map_lookup_elem(&HEARTH_MAP_CTL1, &index);
	struct hearth_ct_entry *e;

	x->nat = 0;
	if (!line)
		return 0;
	if (line->nat && ct_key_equal(&line->key, key) &&
	    line->generation == generation && line->expires > now) {
		ct_xlat_from(x, line->nat_saddr, line->nat_daddr, line->nat_sport,
			     line->nat_dport, line->nat);
		return line;
	}
	ct_line_flush(line); /* whatever it held, its counts go home first */
	e = bpf_map_lookup_elem(&HEARTH_MAP_CT, key);
	if (!e)
		return 0;
	line->key = *key;
	line->nat_saddr = e->nat_saddr;
	line->nat_daddr = e->nat_daddr;
	line->nat_sport = e->nat_sport;
	line->nat_dport = e->nat_dport;
	line->nat = e->nat | CT_LINE_TRACKED;
	line->tenant = e->tenant;
	line->generation = generation;
	line->expires = now + ct_line_jiffies;
	line->fwd.action = 0; /* routed again by the next packet */
	ct_xlat_from(x, e->nat_saddr, e->nat_daddr, e->nat_sport, e->nat_dport,
		     line->nat);
	return line;
}

static __always_inline void ct_line_account(struct hearth_ct_l1 *line,
					    const struct l4_ref *ref,
					    __u32 bytes, __u64 now)
{
	line->packets++;
	line->bytes += bytes;
	line->last_seen = now;
	line->tcp_flags |= ref->tcp_flags;
}

static __always_inline int ipv4_is_fragment(const struct iphdr *ip)
{
	return ip->frag_off & bpf_htons(IP_MF | IP_OFFSET);
}

static __always_inline int ipv4_first_fragment(const struct iphdr *ip)
{
	return !(ip->frag_off & bpf_htons(IP_OFFSET));
}

/* Remembers how a first fragment was translated, for the rest of its
 * datagram (@ip as it came, before the rewrite). */
static __always_inline void frag_remember(const struct iphdr *ip, __u8 dir,
					  __be32 new_addr)
{
	struct hearth_frag_key key = {
		.saddr = ip->saddr, .daddr = ip->daddr, .id = ip->id,
		.proto = ip->protocol, .dir = dir,
	};

	bpf_map_update_elem(&HEARTH_MAP_FRAGS, &key, &new_addr, BPF_ANY);
}

static __always_inline __be32 *frag_lookup(const struct iphdr *ip, __u8 dir)
{
	struct hearth_frag_key key = {
		.saddr = ip->saddr, .daddr = ip->daddr, .id = ip->id,
		.proto = ip->protocol, .dir = dir,
	};

	return bpf_map_lookup_elem(&HEARTH_MAP_FRAGS, &key);
}

static __always_inline void ct_account(struct hearth_ct_entry *e,
				       const struct l4_ref *ref, __u32 bytes,
				       __u64 now)
{
	__sync_fetch_and_add(&e->packets, 1);
	__sync_fetch_and_add(&e->bytes, bytes);
	if (e->last_seen != now)
		e->last_seen = now;
	/* written only when a new flag shows up, so rarely */
	if ((e->tcp_flags | ref->tcp_flags) != e->tcp_flags)
		e->tcp_flags |= ref->tcp_flags;
}

#endif /* HEARTH_BPF_CT_H */
