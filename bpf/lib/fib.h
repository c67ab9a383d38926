/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Forwarding decisions: bpf_fib_lookup, cached per (ingress, destination).
 *
 * Two levels: a per-CPU direct-mapped array (an inlined array lookup, no
 * hashing in the kernel) in front of a shared LRU hash. A decision is valid
 * while its generation equals hearth_state's (hearthd bumps it on every
 * route, neighbour, address or link event) and it has not expired; the
 * expiry bounds staleness while hearthd is not running.
 */
#ifndef HEARTH_BPF_FIB_H
#define HEARTH_BPF_FIB_H

#include "common.h"

/* Load-time setting: how long a cached decision may be used, in jiffies
 * (the loader converts HEARTH_FIB_CACHE_TTL_MS with the kernel's HZ; this
 * default assumes HZ=100). bpf_jiffies64() is inlined by the verifier,
 * unlike the ktime helpers, which cost a helper call per packet. */
const volatile __u64 fib_cache_ttl_jiffies = HEARTH_FIB_CACHE_TTL_MS / 10;

static __always_inline void fib_key_init(struct hearth_fib_key *key,
					 struct xdp_md *ctx, struct pkt *p)
{
	key->ifindex = ctx->ingress_ifindex;
	if (p->family == AF_INET) {
		key->family = AF_INET;
		key->addr[0] = p->ip4->daddr;
		key->addr[1] = key->addr[2] = key->addr[3] = 0;
	} else {
		key->family = AF_INET6;
		__builtin_memcpy(key->addr, &p->ip6->daddr, sizeof(key->addr));
	}
}

static __always_inline int fib_key_equal(const struct hearth_fib_key *a,
					 const struct hearth_fib_key *b)
{
	return a->ifindex == b->ifindex && a->family == b->family &&
	       a->addr[0] == b->addr[0] && a->addr[1] == b->addr[1] &&
	       a->addr[2] == b->addr[2] && a->addr[3] == b->addr[3];
}

/* Multiplicative hash (Knuth) of the folded key into an L1 line. */
static __always_inline __u32 fib_l1_index(const struct hearth_fib_key *key)
{
	__u32 folded = key->addr[0] ^ key->addr[1] ^ key->addr[2] ^
		       key->addr[3] ^ (key->ifindex << 8);

	return (folded * 2654435761u) >> 22 & (HEARTH_FIB_L1_ENTRIES - 1);
}

static __always_inline int fib_entry_valid(const struct hearth_fib_entry *e,
					   __u32 generation, __u64 now)
{
	return e->generation == generation && e->expires > now;
}

static __always_inline void fib_params_init(struct bpf_fib_lookup *fib,
					    struct xdp_md *ctx, struct pkt *p,
					    __u16 tot_len)
{
	__builtin_memset(fib, 0, sizeof(*fib));
	fib->ifindex = ctx->ingress_ifindex;
	fib->tot_len = tot_len;
	if (p->family == AF_INET) {
		fib->family = AF_INET;
		fib->tos = p->ip4->tos;
		fib->l4_protocol = p->ip4->protocol;
		fib->ipv4_src = p->ip4->saddr;
		fib->ipv4_dst = p->ip4->daddr;
	} else {
		fib->family = AF_INET6;
		fib->flowinfo = *(__be32 *)p->ip6 & bpf_htonl(IPV6_FLOWINFO_MASK);
		fib->l4_protocol = p->ip6->nexthdr;
		__builtin_memcpy(fib->ipv6_src, &p->ip6->saddr, 16);
		__builtin_memcpy(fib->ipv6_dst, &p->ip6->daddr, 16);
	}
}

static __always_inline __u32 fib_reason(int rc)
{
	switch (rc) {
	case BPF_FIB_LKUP_RET_NOT_FWDED:
		return HEARTH_CNT_PASS_LOCAL;
	case BPF_FIB_LKUP_RET_FWD_DISABLED:
		return HEARTH_CNT_PASS_FWD_DISABLED;
	case BPF_FIB_LKUP_RET_NO_NEIGH:
		return HEARTH_CNT_PASS_NO_NEIGH;
	default: /* blackhole, unreachable, prohibit, lwt, errors */
		return HEARTH_CNT_PASS_NO_ROUTE;
	}
}

/*
 * Asks the kernel FIB. To cache a decision the route's MTU must be learned:
 * the first lookup passes the largest length so that it stops at the MTU
 * check and reports it, the second, without a length, resolves the
 * neighbour. For this packet alone (@learn_mtu false) one lookup with its
 * own length does. Returns non-zero when the decision may be cached.
 */
static __always_inline int fib_resolve(struct xdp_md *ctx, struct pkt *p,
				       struct bpf_fib_lookup *fib,
				       struct hearth_fib_entry *e, int learn_mtu)
{
	__u16 mtu = 0xffff;
	__u32 out_slot;
	int rc;

	fib_params_init(fib, ctx, p, learn_mtu ? 0xffff : p->l3_len);
	rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED && learn_mtu) {
		mtu = fib->mtu_result;
		fib_params_init(fib, ctx, p, 0);
		rc = bpf_fib_lookup(ctx, fib, sizeof(*fib), 0);
	}
	e->mtu = mtu;
	if (rc == BPF_FIB_LKUP_RET_FRAG_NEEDED) {
		e->action = HEARTH_FIB_PASS;
		e->reason = HEARTH_CNT_PASS_FRAG_NEEDED;
		return 0;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		e->action = HEARTH_FIB_PASS;
		e->reason = fib_reason(rc);
		return rc != BPF_FIB_LKUP_RET_NO_NEIGH;
	}
	out_slot = iface_slot(fib->ifindex);
	if (!out_slot || out_slot >= HEARTH_MAX_IFACES) {
		e->action = HEARTH_FIB_PASS;
		e->reason = HEARTH_CNT_PASS_EGRESS_FOREIGN;
		return 1;
	}
	e->action = HEARTH_FIB_FORWARD;
	e->ifindex = fib->ifindex;
	e->out_slot = out_slot;
	__builtin_memcpy(e->dmac, fib->dmac, ETH_ALEN);
	__builtin_memcpy(e->smac, fib->smac, ETH_ALEN);
	return 1;
}

/* A decision resolved for this packet into this CPU's scratch entry, with
 * bpf_fib_lookup's parameters in the scratch slot too: the program's stack
 * frame has no room for them (see the scratch map). Only the paths that
 * miss the cache come here. *@cacheable as fib_resolve returns it. */
static __always_inline struct hearth_fib_entry *
fib_fresh(struct xdp_md *ctx, struct pkt *p, int learn_mtu, int *cacheable)
{
	__u32 zero = 0;
	struct hearth_scratch *sc = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);

	if (!sc)
		return 0;
	__builtin_memset(&sc->entry, 0, sizeof(sc->entry));
	*cacheable = fib_resolve(ctx, p, &sc->fib, &sc->entry, learn_mtu);
	return &sc->entry;
}

/*
 * Returns the forwarding decision for the packet: from the per-CPU line,
 * from the shared cache (copied into the line), or freshly resolved
 * (fib_fresh) and stored in both when it can be cached.
 */
static __always_inline struct hearth_fib_entry *fib_decide(struct xdp_md *ctx,
							   struct pkt *p)
{
	struct hearth_state *st = dp_state();
	__u64 now = bpf_jiffies64();
	struct hearth_fib_key key;
	struct hearth_fib_entry *e;
	struct hearth_fib_l1 *line;
	__u32 generation, index;
	int cacheable;

	if (!st)
		return 0;
	if (st->flags & HEARTH_STATE_NO_FIB_CACHE)
		return fib_fresh(ctx, p, 0, &cacheable);
	generation = st->generation;
	fib_key_init(&key, ctx, p);
	index = fib_l1_index(&key);
	line = bpf_map_lookup_elem(&HEARTH_MAP_FIBL1, &index);
	if (!line)
		return 0;
	if (fib_key_equal(&line->key, &key) &&
	    fib_entry_valid(&line->entry, generation, now))
		return &line->entry;
	e = bpf_map_lookup_elem(&HEARTH_MAP_FIBCACHE, &key);
	if (e && fib_entry_valid(e, generation, now)) {
		line->key = key;
		line->entry = *e;
		return &line->entry;
	}
	e = fib_fresh(ctx, p, 1, &cacheable);
	if (!e || !cacheable)
		return e;
	e->generation = generation;
	e->expires = now + fib_cache_ttl_jiffies;
	bpf_map_update_elem(&HEARTH_MAP_FIBCACHE, &key, e, BPF_ANY);
	line->key = key;
	line->entry = *e;
	return &line->entry;
}

#endif /* HEARTH_BPF_FIB_H */
