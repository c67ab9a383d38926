/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * NAT rewrites in XDP, with direct packet access and incremental checksum
 * updates (tc on WAN egress uses the skb helpers instead: a forwarded skb
 * may carry an offloaded checksum that only they handle right).
 */
#ifndef HEARTH_BPF_NAT_H
#define HEARTH_BPF_NAT_H

#include "common.h"
#include "csum.h"
#include "ct.h"

static __always_inline void l4_csum_update(const struct l4_ref *ref,
					   __be32 old_addr, __be32 new_addr,
					   __be16 old_port, __be16 new_port)
{
	__u16 check;

	if (!ref->csum || ref->udp_no_csum)
		return;
	check = *ref->csum;
	if (ref->pseudo)
		check = csum_replace4(check, old_addr, new_addr);
	check = csum_replace2(check, old_port, new_port);
	/* a computed UDP checksum of 0 is sent as 0xffff (RFC 768) */
	if (ref->udp && !check)
		check = 0xffff;
	*ref->csum = check;
}

/* One end of the tuple: an address field and its port (or echo id) field,
 * which a packet may not have (NULL). */
static __always_inline void nat_rewrite(struct iphdr *ip, const struct l4_ref *ref,
					__be32 *addr_field, __be16 *port_field,
					__be32 addr, __be16 port)
{
	__be32 old_addr = *addr_field;
	__be16 old_port = port_field ? *port_field : port;

	ip->check = csum_replace4(ip->check, old_addr, addr);
	*addr_field = addr;
	l4_csum_update(ref, old_addr, addr, old_port, port);
	if (port_field)
		*port_field = port;
}

static __always_inline void nat_rewrite_src(struct iphdr *ip, const struct l4_ref *ref,
					    __be32 addr, __be16 port)
{
	nat_rewrite(ip, ref, &ip->saddr, ref->sport, addr, port);
}

static __always_inline void nat_rewrite_dst(struct iphdr *ip, const struct l4_ref *ref,
					    __be32 addr, __be16 port)
{
	nat_rewrite(ip, ref, &ip->daddr, ref->dport, addr, port);
}

#endif /* HEARTH_BPF_NAT_H */
