/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Endpoint-independent NAT (RFC 4787, RFC 5382): the public port of an
 * inside endpoint, kept whatever it talks to, and the filtering of what
 * may reach it unsolicited. Only new connections and packets no
 * connection knows come here; a connection carries its own translation.
 */
#ifndef HEARTH_BPF_NATMAP_H
#define HEARTH_BPF_NATMAP_H

#include "common.h"

/* The program's context type, which the socket lookups take. */
#ifndef HEARTH_CTX
#error "define HEARTH_CTX (struct xdp_md or struct __sk_buff) before including natmap.h"
#endif

#ifndef EEXIST
#define EEXIST 17
#endif

static __always_inline struct hearth_nat_cfg *nat_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&HEARTH_MAP_NATCFG, &zero);
}

/* The port to try on attempt @i: the original one first (when inside the
 * range: port preservation), then ports spread over the range from a
 * random start (a golden-ratio stride, as RFC 6056's algorithm 2 draws
 * each try anew): a run of taken ports, which a host opening many
 * mappings leaves, does not refuse the next socket as consecutive tries
 * would. */
static __always_inline __u16 nat_port_try(__u16 lo, __u16 hi, __u16 orig,
					  __u32 start, __u32 i)
{
	__u32 span = (__u32)hi - lo + 1;

	if (i == 0 && orig >= lo && orig <= hi)
		return orig;
	return (__u16)(lo + (start + i * 2654435761u) % span);
}

/* RFC 4787 REQ-3: a port below 1024 stays below 1024, the others keep to
 * the configured range (`nat ports`). */
static __always_inline void nat_port_range(const struct hearth_nat_cfg *cfg,
					   __u16 orig, __u16 *lo, __u16 *hi)
{
	if (orig && orig <= HEARTH_NAT_LOW_PORT_MAX) {
		*lo = 1;
		*hi = HEARTH_NAT_LOW_PORT_MAX;
	} else {
		*lo = cfg->port_min;
		*hi = cfg->port_max;
	}
}

/*
 * Would a packet from @raddr:@rport to the WAN address's @port reach a
 * socket of the gateway itself (a listener, a bound UDP socket, or its own
 * connection with exactly this tuple)? The gateway's own connections are
 * not tracked: such a port is never given to a home host, and such a
 * packet is the gateway's even when a mapping holds the port. @ports is
 * rport << 16 | port, in network order each. A global function: the
 * lookup's tuple stays out of its callers' stack frames.
 */
__noinline int gateway_socket(HEARTH_CTX *ctx, __u32 proto, __be32 raddr,
			      __be32 wan, __u32 ports)
{
	/* the IPv4 half of struct bpf_sock_tuple only: the whole union (36
	 * bytes) would put this frame over 32 bytes, which the 6.1 kernel
	 * rounds up to 64, and its callers' chains over the 512-byte stack */
	struct {
		__be32 saddr, daddr;
		__be16 sport, dport;
	} t = { .saddr = raddr, .daddr = wan, .sport = (__be16)(ports >> 16),
		.dport = (__be16)ports };
	struct bpf_sock *sk;

	if (!ctx)
		return 0;
	if (proto == IPPROTO_TCP)
		sk = (struct bpf_sock *)bpf_skc_lookup_tcp(ctx, (void *)&t, sizeof(t),
							   BPF_F_CURRENT_NETNS, 0);
	else
		sk = bpf_sk_lookup_udp(ctx, (void *)&t, sizeof(t), BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	bpf_sk_release(sk);
	return 1;
}

#define GATEWAY_PORTS(rport, port) ((__u32)(rport) << 16 | (port))

/* A public port no new mapping may take: a forward's, or the gateway's. */
static __always_inline int natmap_port_taken(void *ctx,
					     const struct hearth_nat_cfg *cfg,
					     const struct hearth_ct_key *orig,
					     __be16 port)
{
	struct hearth_nat_fwd_key fwd = { .proto = orig->proto, .port = port };

	if (bpf_map_lookup_elem(&HEARTH_MAP_NATFWD, &fwd))
		return 1;
	return gateway_socket(ctx, orig->proto, orig->daddr.ip4, cfg->wan_addr,
			      GATEWAY_PORTS(orig->dport, port));
}

/* A new mapping for @out (@orig's source): the public port is reserved
 * first (its IN entry), so two endpoints never share one (REQ-3's "no
 * port overloading"). */
static __always_inline __u32 natmap_new(void *ctx, const struct hearth_nat_cfg *cfg,
					const struct hearth_ct_key *orig,
					const struct hearth_nat_map_key *out,
					__u64 now, __be16 *public)
{
	struct hearth_nat_mapping v = { .addr = orig->saddr.ip4, .port = orig->sport,
					.last_used = now };
	struct hearth_nat_map_key in = { .proto = orig->proto,
					 .kind = HEARTH_NATMAP_IN };
	__u16 orig_port = bpf_ntohs(orig->sport), lo, hi;
	__u32 start = bpf_get_prandom_u32();
	struct hearth_nat_mapping *m;

	nat_port_range(cfg, orig_port, &lo, &hi);
	for (__u32 i = 0; i < HEARTH_NAT_PORT_TRIES; i++) {
		long rc;

		in.port = bpf_htons(nat_port_try(lo, hi, orig_port, start, i));
		if (natmap_port_taken(ctx, cfg, orig, in.port))
			continue;
		rc = bpf_map_update_elem(&HEARTH_MAP_NATMAP, &in, &v, BPF_NOEXIST);
		if (rc == -EEXIST)
			continue;
		if (rc)
			return HEARTH_CNT_DROP_CT_FULL;
		v.addr = 0; /* now the OUT entry */
		v.port = in.port;
		if (!bpf_map_update_elem(&HEARTH_MAP_NATMAP, out, &v, BPF_NOEXIST)) {
			*public = in.port;
			return HEARTH_CONTINUE;
		}
		/* another CPU mapped this endpoint meanwhile: take its port */
		bpf_map_delete_elem(&HEARTH_MAP_NATMAP, &in);
		m = bpf_map_lookup_elem(&HEARTH_MAP_NATMAP, out);
		if (!m)
			return HEARTH_CNT_DROP_CT_FULL;
		*public = m->port;
		return HEARTH_CONTINUE;
	}
	return HEARTH_CNT_DROP_NAT_NO_PORT;
}

/* The public port of @orig's source: its mapping, renewed, or a new one. */
static __always_inline __u32 natmap_get(void *ctx, const struct hearth_nat_cfg *cfg,
					const struct hearth_ct_key *orig, __u64 now,
					__be16 *public)
{
	struct hearth_nat_map_key out = { .addr = orig->saddr.ip4, .port = orig->sport,
					  .proto = orig->proto,
					  .kind = HEARTH_NATMAP_OUT };
	struct hearth_nat_mapping *m = bpf_map_lookup_elem(&HEARTH_MAP_NATMAP, &out);

	if (!m)
		return natmap_new(ctx, cfg, orig, &out, now, public);
	if (m->last_used != now)
		m->last_used = now;
	*public = m->port;
	/* a connection of the gateway's own already has this exact tuple
	 * (it bound the port after the mapping was made): refused, rather
	 * than take its traffic or leave the mapping's port */
	if (gateway_socket(ctx, orig->proto, orig->daddr.ip4, cfg->wan_addr,
			   GATEWAY_PORTS(orig->dport, *public)))
		return HEARTH_CNT_DROP_NAT_NO_PORT;
	return HEARTH_CONTINUE;
}

/*
 * The public port of @orig's source (TCP or UDP), as NATMAP_PORT(result)
 * when NATMAP_ID(result) is HEARTH_CONTINUE, else NATMAP_ID is the counter
 * of the refusal. A global function, verified once rather than at every
 * place a connection opens: its port search would multiply the states of
 * each.
 */
#define NATMAP_ID(r) ((r) >> 16)
#define NATMAP_PORT(r) ((__be16)((r) & 0xffff))

__noinline __u32 natmap_public_port(HEARTH_CTX *ctx, const struct hearth_ct_key *orig)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	__be16 public = 0;
	__u32 id;

	if (!orig || !cfg)
		return (__u32)HEARTH_CNT_DROP_NAT_NO_PORT << 16;
	id = natmap_get(ctx, cfg, orig, bpf_jiffies64(), &public);
	return id << 16 | public;
}

/* The mapping's endpoint has sent to @remote: address-dependent filtering
 * lets @remote in. A full table only makes filtering stricter. */
static __always_inline void natmap_permit(__u8 proto, __be16 public,
					  __be32 remote, __u64 now)
{
	struct hearth_nat_map_key key = { .addr = remote, .port = public,
					  .proto = proto,
					  .kind = HEARTH_NATMAP_PERMIT };
	struct hearth_nat_mapping v = { .last_used = now };
	struct hearth_nat_mapping *m = bpf_map_lookup_elem(&HEARTH_MAP_NATMAP, &key);

	if (!m)
		bpf_map_update_elem(&HEARTH_MAP_NATMAP, &key, &v, BPF_NOEXIST);
	else if (m->last_used != now)
		m->last_used = now;
}

static __always_inline int natmap_permitted(const struct hearth_nat_cfg *cfg,
					    __u8 proto, __be16 public,
					    __be32 remote)
{
	struct hearth_nat_map_key key = { .addr = remote, .port = public,
					  .proto = proto,
					  .kind = HEARTH_NATMAP_PERMIT };

	if (cfg->filtering == HEARTH_FILTER_ENDPOINT)
		return 1;
	return bpf_map_lookup_elem(&HEARTH_MAP_NATMAP, &key) != 0;
}

/* The inside endpoint whose mapping holds @public, or NULL. */
static __always_inline struct hearth_nat_mapping *natmap_inbound(__u8 proto,
								 __be16 public)
{
	struct hearth_nat_map_key key = { .port = public, .proto = proto,
					  .kind = HEARTH_NATMAP_IN };

	return bpf_map_lookup_elem(&HEARTH_MAP_NATMAP, &key);
}

#endif /* HEARTH_BPF_NATMAP_H */
