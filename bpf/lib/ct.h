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
#include "ct_table.h"
#include "natmap.h"
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
	key->saddr.ip4 = ip->saddr;
	key->daddr.ip4 = ip->daddr;
	key->proto = ip->protocol;
	key->family = AF_INET;
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
		ref->may_open = tcp_may_open(ref->tcp_flags);
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
	} else if (ip->protocol == IPPROTO_ESP) {
		/* no ports: the addresses are the session (RFC 6092 REC-25);
		 * its SPI and sequence number must be there */
		if (l4 + 8 > data_end)
			return HEARTH_CNT_DROP_TRUNC_L4;
		if (ip4_l4_len(ip) < 8)
			return HEARTH_CNT_DROP_BAD_L4;
		ref->may_open = 1;
		return CT_TRACKED;
	} else {
		return CT_UNTRACKED;
	}
	key->sport = *ref->sport;
	key->dport = *ref->dport;
	return CT_TRACKED;
}


static __always_inline void ct_reply_key(const struct hearth_ct_key *orig,
					 const struct ct_plan *plan,
					 struct hearth_ct_key *reply)
{
	__builtin_memset(reply, 0, sizeof(*reply));
	reply->saddr.ip4 = plan->daddr;
	reply->daddr.ip4 = plan->saddr;
	reply->sport = plan->dport;
	reply->dport = plan->sport;
	reply->proto = orig->proto;
	reply->family = AF_INET;
}

/* The state a connection opens in: its first packet's, through the TCP
 * state machine (a SYN: SYN_SENT; a plain ACK: picked up established;
 * anything else stays NONE, unanswered, first to go). */
static __always_inline void ct_open_state(struct hearth_ct_entry *e, __u8 proto,
					  __u8 tcp_flags)
{
	if (proto != IPPROTO_TCP)
		return;
	e->state = tcp_state_next(HEARTH_TCP_NONE, HEARTH_CT_ORIG, tcp_flags);
	if (e->state == HEARTH_TCP_ESTABLISHED)
		e->flags |= HEARTH_CT_F_PICKUP;
}

/* Writes a connection's original half @orig -> @e, its reply half already
 * in @reply_slot (generation @reply_gen), and points the reply at it. The
 * reply is freed again when the original cannot be written. Returns
 * CT_TRACKED or the refusal's counter. */
static __always_inline __u32 ct_open_link(const struct hearth_ct_key *orig,
					  struct hearth_ct_entry *e,
					  const struct hearth_ct_key *reply,
					  __u32 reply_slot, __u32 reply_gen)
{
	struct hearth_ct_entry *r;
	__u32 rc = ct_insert_entry(orig, e, 0);

	if (!(rc & CT_SLOT_FOUND)) {
		/* another CPU opened it meanwhile, or its set is full */
		ct_slot_free(reply_slot, reply);
		return rc == CT_EXISTS ? CT_TRACKED : ct_refusal(rc);
	}
	r = ct_entry_gen(reply_slot, reply_gen);
	if (r) {
		r->peer_slot = CT_SLOT_INDEX(rc);
		r->peer_gen = e->gen;
	}
	ct_event(HEARTH_CT_EV_OPENED);
	return CT_TRACKED;
}

/* Reserves the reply direction on the plan's tuple, written from @e
 * (returns its slot index with CT_SLOT_FOUND, or a counter). With
 * @tries above 1 (an echo request's source NAT, which has no mapping) the
 * identifier is chosen here, free towards the remote address; TCP and UDP
 * ports come from their mapping and take one try. */
static __always_inline __u32 ct_reserve_reply(const struct hearth_nat_cfg *cfg,
					      const struct hearth_ct_key *orig,
					      struct ct_plan *plan,
					      struct hearth_ct_key *reply,
					      struct hearth_ct_entry *e, __u32 tries)
{
	__u32 start = tries > 1 ? bpf_get_prandom_u32() : 0;
	__u16 orig_port = bpf_ntohs(orig->sport);
	__u32 rc;

	e->peer = *orig;
	/* the reply undoes the plan: back to the original tuple */
	e->nat_saddr = orig->daddr.ip4;
	e->nat_sport = orig->dport;
	e->nat_daddr = orig->saddr.ip4;
	e->nat_dport = orig->sport;
	e->dir = HEARTH_CT_REPLY;
	e->side = plan->reply_side;
	e->nat = ((plan->nat & HEARTH_CT_NAT_SRC) ? HEARTH_CT_NAT_DST : 0) |
		 ((plan->nat & HEARTH_CT_NAT_DST) ? HEARTH_CT_NAT_SRC : 0);
	for (__u32 i = 0; i < HEARTH_NAT_PORT_TRIES && i < tries; i++) {
		if (tries > 1)
			plan->sport = bpf_htons(nat_port_try(cfg->port_min, cfg->port_max,
							     orig_port, start, i));
		ct_reply_key(orig, plan, reply);
		rc = ct_insert_entry(reply, e, tries == 1);
		if (rc & CT_SLOT_FOUND)
			return rc;
		if (rc != CT_EXISTS)
			return ct_refusal(rc);
	}
	return HEARTH_CNT_DROP_NAT_NO_PORT;
}

/*
 * Writes a connection's two entries for @orig translated as @plan says:
 * the reply first (in up to @tries echo identifiers), then the original.
 * Returns CT_TRACKED or the counter of the refusal. A global function, so
 * that the entry it builds does not sit in the stack frame of every
 * caller (the gateway's frame and the mapping search's would not fit
 * together).
 */
__noinline __u32 ct_open_entries(const struct hearth_ct_key *orig_arg)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	__u64 now = bpf_jiffies64();
	struct hearth_scratch *scratch;
	struct hearth_ct_key *orig, *reply;
	struct hearth_ct_entry *e;
	__u32 zero = 0, r, reply_slot, reply_gen;

	/* the entry and both keys are built in the per-CPU scratch slot: on
	 * the stack they would not leave the callers room (the 6.1 kernel
	 * counts each frame in 32-byte steps), and 6.1 takes no argument
	 * memory as a map key */
	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	struct ct_plan *plan;
	__u32 tries;

	if (!orig_arg || !cfg || !scratch)
		return HEARTH_CNT_DROP_CT_FULL;
	plan = &scratch->plan;
	tries = plan->tries;
	e = &scratch->ct;
	orig = &scratch->orig;
	reply = &scratch->reply;
	__builtin_memset(e, 0, sizeof(*e));
	e->first_seen = now;
	e->last_seen = now;
	*orig = *orig_arg;
	/* the reply half a jiffy younger: when its host is at its share, the
	 * original half's insertion evicts the host's least recently active
	 * entry, which is then never the reply just written */
	e->active = now + 1;
	e->tenant = plan->tenant;
	ct_open_state(e, orig->proto, plan->tcp_flags);
	r = tries > 1 ? ct_reserve_reply(cfg, orig, plan, reply, e,
					 HEARTH_NAT_PORT_TRIES) :
			ct_reserve_reply(cfg, orig, plan, reply, e, 1);
	if (!(r & CT_SLOT_FOUND))
		return r;
	reply_slot = CT_SLOT_INDEX(r);
	reply_gen = e->gen;
	e->active = now;
	e->peer = *reply;
	e->peer_slot = reply_slot;
	e->peer_gen = reply_gen;
	e->dir = HEARTH_CT_ORIG;
	e->side = plan->side;
	e->nat = plan->nat;
	e->nat_saddr = plan->saddr;
	e->nat_sport = plan->sport;
	e->nat_daddr = plan->daddr;
	e->nat_dport = plan->dport;
	return ct_open_link(orig, e, reply, reply_slot, reply_gen);
}

/*
 * How a connection opens. The work for a new connection runs in global
 * functions (verified once, each in a stack frame of its own). The
 * program calls the mapping search and then the opener, not one inside
 * the other: the gateway's frame, the mapping search's and the entries'
 * would not fit the 512-byte stack nested in each other.
 *
 *   natmap_public_port   the sender's mapping (TCP, UDP)
 *   ct_open_outbound     a home host's connection leaving by the WAN
 *   ct_open_inbound      a packet to the WAN address: a forward or mapping
 *   ct_open_entries      the connection's two entries, after either
 */

/* A global opener's plan, kept for ct_open_entries, which the program
 * calls next (not the opener: nested, their frames and the table's would
 * pass the 512 bytes of stack a chain of calls has). */
#define CT_PLANNED (HEARTH_CNT_MAX + 10)

static __always_inline __u32 ct_plan_keep(const struct ct_plan *plan, __u32 tries)
{
	struct hearth_scratch *scratch;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!scratch)
		return HEARTH_CNT_DROP_CT_FULL;
	scratch->plan = *plan;
	scratch->plan.tries = tries;
	return CT_PLANNED;
}

/* A public port from natmap_public_port, as a counter when refused. */
static __always_inline __u32 ct_public_port(HEARTH_CTX *ctx,
					    const struct hearth_ct_key *orig,
					    __u32 *public)
{
	__u32 r = natmap_public_port(ctx, orig);

	if (NATMAP_ID(r) == HEARTH_CNT_DROP_CT_FULL)
		return HEARTH_CNT_DROP_CT_FULL;
	if (NATMAP_ID(r) != HEARTH_CONTINUE)
		return HEARTH_CNT_DROP_NAT_NO_PORT;
	*public = NATMAP_PORT(r);
	return HEARTH_CONTINUE;
}

/*
 * Masquerade: a home host's connection leaves as the WAN address, on its
 * mapping's @public port (TCP, UDP), which now lets the destination's
 * address in (address-dependent filtering), or on an echo identifier free
 * towards the destination. @tenant_flags: the tenant, and the opening
 * packet's TCP flags shifted by 16. Returns CT_TRACKED or the refusal's
 * counter.
 */
__noinline __u32 ct_open_outbound(const struct hearth_ct_key *orig, __u32 tenant_flags,
				  __u32 public)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	struct ct_plan plan = { .nat = HEARTH_CT_NAT_SRC,
				.tenant = (__u16)tenant_flags,
				.tcp_flags = (__u8)(tenant_flags >> 16),
				.side = HEARTH_CT_SIDE_HOME,
				.reply_side = HEARTH_CT_SIDE_WAN };

	if (!orig || !cfg)
		return HEARTH_CNT_DROP_CT_FULL;
	plan.saddr = cfg->wan_addr;
	plan.daddr = orig->daddr.ip4;
	plan.dport = orig->dport;
	if (orig->proto == IPPROTO_ICMP) {
		plan.sport = orig->sport;
		return ct_plan_keep(&plan, HEARTH_NAT_PORT_TRIES);
	}
	if (orig->proto == IPPROTO_ESP) {
		/* no port to choose: one home host at a time per remote peer
		 * (a second one's reply key is taken: nat-no-port) */
		plan.sport = 0;
		return ct_plan_keep(&plan, 1);
	}
	plan.sport = (__be16)public;
	natmap_permit(orig->proto, plan.sport, orig->daddr.ip4, bpf_jiffies64());
	return ct_plan_keep(&plan, 1);
}

/*
 * A packet no connection knows, to the WAN address on a mapping's port
 * (RFC 4787 REQ-8): the mapping's inside endpoint gets it when the
 * filtering lets @remote in; else it is dropped (nat-filtered), silently,
 * so that TCP simultaneous open works (RFC 5382 REQ-4). A packet that a
 * socket of the gateway would take is the gateway's. Fills the plan's
 * destination; CT_UNTRACKED when no mapping holds the port.
 */
static __always_inline __u32 ct_plan_mapped(HEARTH_CTX *ctx,
					    const struct hearth_nat_cfg *cfg,
					    const struct hearth_ct_key *orig,
					    __be32 remote, struct ct_plan *plan)
{
	struct hearth_nat_mapping *m = natmap_inbound(orig->proto, orig->dport);

	if (!m)
		return CT_UNTRACKED;
	plan->daddr = m->addr;
	plan->dport = m->port;
	if (gateway_socket(ctx, orig->proto, orig->saddr.ip4, orig->daddr.ip4,
			   GATEWAY_PORTS(orig->sport, orig->dport)))
		return CT_UNTRACKED;
	if (!natmap_permitted(cfg, orig->proto, orig->dport, remote))
		return HEARTH_CNT_DROP_NAT_FILTERED;
	return HEARTH_CONTINUE;
}

/*
 * A new TCP/UDP connection to the WAN address: through a port forward,
 * else a mapping. From a home host it is hairpinned (RFC 4787 REQ-9): it
 * leaves its source as the sender's own mapping, @public (REQ-9a), so that
 * the answer comes back through the gateway, and the far end, for
 * filtering, is the WAN address itself. @public_flags: that port (0 for
 * none), and the opening packet's TCP flags shifted by 16. Returns CT_TRACKED, CT_UNTRACKED
 * or the refusal's counter.
 */
__noinline __u32 ct_open_inbound(HEARTH_CTX *ctx, const struct hearth_ct_key *orig,
				 __u32 public_flags)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	struct ct_plan plan = { .nat = HEARTH_CT_NAT_DST, .side = HEARTH_CT_SIDE_WAN,
				.reply_side = HEARTH_CT_SIDE_HOME,
				.tcp_flags = (__u8)(public_flags >> 16) };
	__u32 public = public_flags & 0xffff;
	struct hearth_nat_fwd_key fkey = {};
	struct hearth_nat_fwd *fwd;
	__be32 remote;
	__u32 id;

	if (!orig || !cfg)
		return CT_UNTRACKED;
	plan.saddr = orig->saddr.ip4;
	plan.sport = orig->sport;
	remote = orig->saddr.ip4;
	/* only a hairpin comes from the WAN address: another packet claiming
	 * it is forged */
	if (!public && remote == cfg->wan_addr)
		return HEARTH_CNT_DROP_FW_SPOOFED;
	if (public) {
		plan.saddr = remote = cfg->wan_addr;
		plan.sport = (__be16)public;
		plan.nat |= HEARTH_CT_NAT_SRC;
		plan.side = HEARTH_CT_SIDE_HOME; /* a hairpin: home both ways */
		natmap_permit(orig->proto, plan.sport, remote, bpf_jiffies64());
	}
	fkey.proto = orig->proto;
	fkey.port = orig->dport;
	fwd = bpf_map_lookup_elem(&HEARTH_MAP_NATFWD, &fkey);
	if (fwd) {
		plan.daddr = fwd->addr;
		plan.dport = fwd->port;
	} else {
		id = ct_plan_mapped(ctx, cfg, orig, remote, &plan);
		if (id != HEARTH_CONTINUE)
			return id;
	}
	/* a hairpin is the home's own; from the WAN, at a bounded rate */
	if (!public && !ct_open_rate_ok())
		return HEARTH_CNT_DROP_OPEN_RATE;
	/* the inside end's tenant, by its address (its interface and MAC are
	 * not known before the packet is routed) */
	plan.tenant = tenant_classify(0, 0, AF_INET, &plan.daddr);
	return ct_plan_keep(&plan, 1);
}

/* What a global opener returned, as the verifier can follow it: *out is
 * set with CT_TRACKED; anything unexpected counts as a full table. A plan
 * is carried out first. */
static __always_inline __u32 ct_opened(__u32 id, const struct hearth_ct_key *orig,
				       struct hearth_ct_entry **out)
{
	if (id == CT_PLANNED) {
		id = ct_open_entries(orig);
		ct_retire_endings();
	}
	if (id == CT_UNTRACKED || id == HEARTH_CNT_DROP_NAT_NO_PORT ||
	    id == HEARTH_CNT_DROP_NAT_FILTERED || id == HEARTH_CNT_DROP_CT_HOST ||
	    id == HEARTH_CNT_DROP_OPEN_RATE || id == HEARTH_CNT_DROP_FW_SPOOFED)
		return id;
	if (id != CT_TRACKED)
		return HEARTH_CNT_DROP_CT_FULL;
	*out = ct_lookup(orig);
	return *out ? CT_TRACKED : HEARTH_CNT_DROP_CT_FULL;
}

/* A home host's new connection leaving by the WAN (XDP and tc). */
static __always_inline __u32 ct_open_snat(HEARTH_CTX *ctx,
					  const struct hearth_ct_key *orig, __u32 tenant,
					  __u8 tcp_flags, struct hearth_ct_entry **out)
{
	__u32 public = 0, id;

	if (orig->proto != IPPROTO_ICMP && orig->proto != IPPROTO_ESP) {
		id = ct_public_port(ctx, orig, &public);
		if (id != HEARTH_CONTINUE)
			return id;
	}
	return ct_opened(ct_open_outbound(orig, (tenant & 0xffff) | (__u32)tcp_flags << 16,
					  public),
			 orig, out);
}

/* A home socket's packet to its own mapping: both directions of such a
 * connection would have one key. It is left to the gateway's stack. */
static __always_inline int ct_to_own_mapping(const struct hearth_ct_key *orig,
					     const struct hearth_nat_mapping *m)
{
	return m && m->addr == orig->saddr.ip4 && m->port == orig->sport;
}

/* A packet to the WAN address may open a connection: the sender's own
 * mapping is made first when it is a home host and a forward or mapping
 * holds the port. */
static __always_inline __u32 ct_open_to_wan(HEARTH_CTX *ctx,
					    const struct hearth_nat_cfg *cfg,
					    const struct hearth_ct_key *orig, __u8 tcp_flags,
					    struct hearth_ct_entry **out)
{
	struct hearth_nat_fwd_key fkey = { .proto = orig->proto, .port = orig->dport };
	struct hearth_nat_mapping *m;
	__u32 public = 0, id;

	if (orig->daddr.ip4 != cfg->wan_addr || !cfg->wan_addr ||
	    (orig->proto != IPPROTO_TCP && orig->proto != IPPROTO_UDP))
		return CT_UNTRACKED;
	if (orig->proto == IPPROTO_TCP && !tcp_syn_alone(tcp_flags))
		return CT_UNTRACKED;
	if (addr_inside(orig->saddr.ip4)) {
		/* a hairpin comes from home: from the WAN, the source is forged */
		if (ctx->ingress_ifindex == cfg->wan_ifindex)
			return HEARTH_CNT_DROP_FW_SPOOFED;
		m = natmap_inbound(orig->proto, orig->dport);
		if (ct_to_own_mapping(orig, m))
			return CT_UNTRACKED;
		if (m || bpf_map_lookup_elem(&HEARTH_MAP_NATFWD, &fkey)) {
			id = ct_public_port(ctx, orig, &public);
			if (id != HEARTH_CONTINUE)
				return id;
		}
	}
	return ct_opened(ct_open_inbound(ctx, orig, (public & 0xffff) | (__u32)tcp_flags << 16),
			 orig, out);
}

/* Set in a line's nat: the line is in use even when its entry rewrites
 * nothing. */
#define CT_LINE_TRACKED 0x80

/* What a packet's direction is translated to, wherever it was found. */
struct ct_xlat {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 nat; /* enum hearth_ct_nat | CT_LINE_TRACKED; 0: not tracked */
};

/* The connection was active at @when: both halves say so (the other
 * half only while its slot still holds it). A retired half (clock 0)
 * stays retired. */
static __always_inline void ct_touch(struct hearth_ct_entry *e, __u64 when)
{
	struct hearth_ct_entry *peer;

	if (!e->active || e->active >= when)
		return;
	e->active = when;
	peer = ct_peer(e);
	if (peer && peer->active && peer->active < when)
		peer->active = when;
}

/* Hands a line's pending counts to the entry it copies, while its slot
 * still holds that entry's generation (never to a newer connection). */
static __always_inline void ct_line_flush(struct hearth_ct_l1 *line)
{
	struct hearth_ct_entry *e;

	if (!line->nat || !line->packets)
		return;
	e = ct_entry_gen(line->slot, line->slot_gen);
	if (e) {
		__sync_fetch_and_add(&e->packets, line->packets);
		__sync_fetch_and_add(&e->bytes, line->bytes);
		if (line->last_seen > e->last_seen)
			e->last_seen = line->last_seen;
		if ((e->tcp_flags | line->tcp_flags) != e->tcp_flags)
			e->tcp_flags |= line->tcp_flags;
		ct_touch(e, line->last_seen);
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
 * 0 when the key is not tracked at all). A packet from the other @side of
 * the gateway than its direction's packets come from is forged: for it,
 * the key is not tracked, and what decides untracked packets (NAT's
 * opening rules, the firewall) decides it.
 */
/* Refills line @index of this CPU from the table's entry for @key (its
 * old counts handed over first). Returns 1 when @key is tracked from
 * @side. A global function: its work stays out of the gateway's frame. */
__noinline int ct_line_refill(const struct hearth_ct_key *key, __u32 index,
			      __u32 generation, __u32 side)
{
	struct hearth_ct_l1 *line = bpf_map_lookup_elem(&HEARTH_MAP_CTL1, &index);
	struct hearth_ct_entry *e;
	struct hearth_ct_slot *s;
	__u64 now;
	__u32 r;

	if (!line || !key)
		return 0;
	ct_line_flush(line); /* whatever it held, its counts go home first */
	r = ct_slot_find(key);
	if (!(r & CT_SLOT_FOUND))
		return 0;
	s = ct_slot_at(CT_SLOT_INDEX(r));
	if (!s || s->e.side != side)
		return 0; /* from the other side of the gateway: forged */
	e = &s->e;
	now = bpf_jiffies64();
	/* the entry's clock at most two lines' lives behind its packets,
	 * which hearth_ct_idle_max allows for; written only when older than
	 * one, so that a busy connection's refills write nothing shared */
	if (e->active + ct_line_jiffies < now)
		ct_touch(e, now);
	line->key = *key;
	line->nat_saddr = e->nat_saddr;
	line->nat_daddr = e->nat_daddr;
	line->nat_sport = e->nat_sport;
	line->nat_dport = e->nat_dport;
	line->nat = e->nat | CT_LINE_TRACKED;
	line->tenant = e->tenant;
	line->side = e->side;
	line->watch = ct_watch(key->proto, e->dir, e->state, e->flags);
	line->slot = CT_SLOT_INDEX(r);
	line->slot_gen = e->gen;
	line->rtt_conn = (e->dir == HEARTH_CT_ORIG ? CT_SLOT_INDEX(r) : e->peer_slot) |
			 (__u32)(e->dir & 1) << 31;
	line->rtt_gen = (__u16)(e->dir == HEARTH_CT_ORIG ? e->gen : e->peer_gen);
	line->generation = generation;
	line->expires = now + ct_line_jiffies;
	line->fwd.action = 0; /* routed again by the next packet */
	return 1;
}

static __always_inline struct hearth_ct_l1 *
ct_find(const struct hearth_ct_key *key, __u32 generation, __u64 now,
	struct ct_xlat *x, __u8 side)
{
	__u32 index = hearth_ct_l1_index(key);
	struct hearth_ct_l1 *line = bpf_map_lookup_elem(&HEARTH_MAP_CTL1, &index);

	x->nat = 0;
	if (!line)
		return 0;
	if (!line->nat || !ct_key_equal(&line->key, key) || line->side != side ||
	    line->generation != generation || line->expires <= now) {
		if (!ct_line_refill(key, index, generation, side))
			return 0;
	}
	ct_xlat_from(x, line->nat_saddr, line->nat_daddr, line->nat_sport,
		     line->nat_dport, line->nat);
	return line;
}


static __always_inline void ct_line_account(struct hearth_ct_l1 *line,
					    const struct l4_ref *ref,
					    __u32 bytes, __u64 now)
{
	__u32 r;

	line->packets++;
	line->bytes += bytes;
	line->last_seen = now;
	line->tcp_flags |= ref->tcp_flags;
	if (!((ref->tcp_flags | CT_WATCH_ALL) & line->watch))
		return;
	r = ct_progress(line->slot, line->slot_gen, ref->tcp_flags);
	/* evicted meanwhile: the next packet looks again */
	line->nat = r == CT_ABSENT ? 0 : line->nat;
	line->watch = ct_watch_of(line->key.proto, r);
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

/* Counts a packet in its entry directly: a connection's opening packet,
 * or one the kernel forwarded (tc), which also follows the connection's
 * state here. */
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
	if (e->active != now)
		e->active = now; /* the other half: when a line flushes */
}

#endif /* HEARTH_BPF_CT_H */
