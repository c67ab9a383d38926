/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Chute isolation. A chute reaches the internet and the gateway's own
 * address on its link, never the home or another chute on its own: a
 * packet from a chute to those prefixes passes only as the reply of a
 * connection the home opened (whose tuple the home's packets leave in
 * HEARTH_MAP_CHALLOW). Checked before any other decision, so no slow path
 * (options, fragments, the kernel's forwarding) can carry a chute's packet
 * into the home. A chute sends from its own address only
 * (HEARTH_MAP_CHSRC): posing as another chute would pass that chute's
 * replies, posing as an internet host would reach the home's NATed
 * connections through the WAN address. Its broadcast and multicast frames
 * other than ARP go nowhere: the kernel would take them in for the
 * gateway's own services on every address.
 */
#ifndef HEARTH_BPF_ISOLATE_H
#define HEARTH_BPF_ISOLATE_H

#include "common.h"
#include "ct.h"

/* Load-time settings in jiffies (the loader converts them with the
 * kernel's HZ): how long a reply stays allowed after the home's last
 * packet, and how often the home's packets refresh that. */
const volatile __u64 challow_jiffies = HEARTH_CHALLOW_MS / 10;
const volatile __u64 challow_refresh_jiffies = 1000 / 10;

static __always_inline int isolate_kind(__be32 addr)
{
	struct hearth_isolate_key key = { .prefixlen = 32, .addr = addr };
	__u32 *kind = bpf_map_lookup_elem(&HEARTH_MAP_ISOLATE, &key);

	return kind ? (int)*kind : -1;
}

/* The tuple of a packet whose transport header may be missing (a later
 * fragment): such packets have no tuple and so are never replies. */
static __always_inline int isolate_tuple(struct pkt *p, struct hearth_ct_key *key)
{
	struct l4_ref ref;

	if (ipv4_is_fragment(p->ip4) && !ipv4_first_fragment(p->ip4))
		return 0;
	return ct_tuple(p->ip4, p->data_end, key, &ref) == CT_TRACKED;
}

static __always_inline int isolate_own_source(struct pkt *p, __u32 slot)
{
	__u32 *src = bpf_map_lookup_elem(&HEARTH_MAP_CHSRC, &slot);

	return src && *src && *src == p->ip4->saddr;
}

/* A packet arriving from the chute on @slot, @id what classify made of
 * it: HEARTH_CONTINUE, or the drop counter. */
static __always_inline __u32 isolate_from_chute(struct pkt *p, __u32 slot, __u32 id)
{
	struct hearth_ct_key key;
	__u64 *opened;
	int kind;

	if (id == HEARTH_CNT_PASS_ARP)
		return HEARTH_CONTINUE; /* the kernel answers, never routes it */
	if (p->family != AF_INET)
		return HEARTH_CNT_DROP_CHUTE_ISOLATED; /* IPv4 only, unicast only */
	if (!isolate_own_source(p, slot))
		return HEARTH_CNT_DROP_CHUTE_ISOLATED;
	kind = isolate_kind(p->ip4->daddr);
	if (kind <= HEARTH_ISOLATE_OPEN)
		return HEARTH_CONTINUE;
	if (!isolate_tuple(p, &key))
		return HEARTH_CNT_DROP_CHUTE_ISOLATED;
	opened = bpf_map_lookup_elem(&HEARTH_MAP_CHALLOW, &key);
	if (!opened || bpf_jiffies64() - *opened > challow_jiffies)
		return HEARTH_CNT_DROP_CHUTE_ISOLATED;
	return HEARTH_CONTINUE;
}

/* A home packet to a chute opens the way for the chute's replies. Written
 * at most once a second per connection: the map is shared by all CPUs. */
static __always_inline void isolate_from_home(struct pkt *p)
{
	struct hearth_state *st = dp_state();
	struct hearth_ct_key key, reply;
	__u64 now, *opened;

	if (!st || !(st->flags & HEARTH_STATE_CHUTES) || p->family != AF_INET)
		return;
	if (isolate_kind(p->ip4->daddr) != HEARTH_ISOLATE_CHUTE)
		return;
	if (!isolate_tuple(p, &key))
		return;
	__builtin_memset(&reply, 0, sizeof(reply));
	reply.saddr = key.daddr;
	reply.daddr = key.saddr;
	reply.family = AF_INET;
	reply.sport = key.dport;
	reply.dport = key.sport;
	reply.proto = key.proto;
	now = bpf_jiffies64();
	opened = bpf_map_lookup_elem(&HEARTH_MAP_CHALLOW, &reply);
	if (opened && now - *opened < challow_refresh_jiffies)
		return;
	bpf_map_update_elem(&HEARTH_MAP_CHALLOW, &reply, &now, BPF_ANY);
}

#endif /* HEARTH_BPF_ISOLATE_H */
