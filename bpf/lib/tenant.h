/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Which tenant a packet belongs to: a MAC rule, else the longest prefix
 * rule, else its interface's tenant, else the home. The MAC and prefix
 * lookups (a hash and a trie walk, ~30 ns each) are only made while such
 * rules exist; a connection pays for this once, when it opens, and its
 * conntrack entries carry the answer from then on.
 */
#ifndef HEARTH_BPF_TENANT_H
#define HEARTH_BPF_TENANT_H

#include "common.h"

static __always_inline __u32 tenant_by_mac(const __u8 *mac)
{
	struct hearth_tenant_mac_key key = {};
	__u32 *t;

	__builtin_memcpy(key.mac, mac, ETH_ALEN);
	t = bpf_map_lookup_elem(&HEARTH_MAP_TNMAC, &key);
	return t ? *t : HEARTH_TENANT_HOME;
}

/* @addr: 4 bytes for AF_INET, 16 for AF_INET6, as on the wire. */
static __always_inline __u32 tenant_by_addr(__u32 family, const void *addr)
{
	struct hearth_tenant_prefix_key key = { .prefixlen = 128 };
	__u32 *t;

	if (family == AF_INET) {
		key.addr[10] = key.addr[11] = 0xff;
		__builtin_memcpy(&key.addr[12], addr, 4);
	} else {
		__builtin_memcpy(key.addr, addr, 16);
	}
	t = bpf_map_lookup_elem(&HEARTH_MAP_TNPREFIX, &key);
	return t ? *t : HEARTH_TENANT_HOME;
}

static __always_inline __u32 tenant_by_slot(__u32 slot)
{
	__u32 *t = bpf_map_lookup_elem(&HEARTH_MAP_TNIFACE, &slot);

	return t ? *t : HEARTH_TENANT_HOME;
}

/*
 * The tenant of a host: the one seen on the LAN side of the gateway, by
 * its interface's @slot, its @mac (NULL when unknown, e.g. after the
 * kernel rebuilt the frame) and its address.
 */
static __always_inline __u32 tenant_classify(__u32 slot, const __u8 *mac,
					     __u32 family, const void *addr)
{
	struct hearth_state *st = dp_state();
	__u32 flags = st ? st->flags : 0;
	__u32 t;

	if (mac && (flags & HEARTH_STATE_TENANT_MACS)) {
		t = tenant_by_mac(mac);
		if (t != HEARTH_TENANT_HOME)
			return t;
	}
	if (flags & HEARTH_STATE_TENANT_PREFIXES) {
		t = tenant_by_addr(family, addr);
		if (t != HEARTH_TENANT_HOME)
			return t;
	}
	return tenant_by_slot(slot);
}

#endif /* HEARTH_BPF_TENANT_H */
