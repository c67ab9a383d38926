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

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

static __always_inline int icmp_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The connection an ICMP error is about, from the header it quotes (our
 * packet as it left, translated): the quoted tuple reversed is the key of
 * the direction that packets coming back take. */
static __always_inline int icmp_error_key(struct iphdr *quoted, void *data_end,
					  struct hearth_ct_key *key)
{
	__u8 *l4 = (void *)(quoted + 1);

	if ((void *)(l4 + 8) > data_end || quoted->version != 4 || quoted->ihl != 5)
		return -1;
	__builtin_memset(key, 0, sizeof(*key));
	key->saddr = quoted->daddr;
	key->daddr = quoted->saddr;
	key->proto = quoted->protocol;
	if (quoted->protocol == IPPROTO_TCP || quoted->protocol == IPPROTO_UDP) {
		key->sport = *(__be16 *)(l4 + 2);
		key->dport = *(__be16 *)l4;
	} else if (quoted->protocol == IPPROTO_ICMP && l4[0] == ICMP_ECHO) {
		key->dport = *(__be16 *)(l4 + 4); /* the echo identifier */
	} else {
		return -1;
	}
	return 0;
}

/*
 * An ICMP error from outside about a translated connection (time exceeded
 * for traceroute, fragmentation needed for path MTU discovery, ...): the
 * outer destination and the quoted source go back to the inside host, and
 * every checksum they touch follows (outer IPv4, ICMP, the quoted IPv4
 * header, the quoted UDP or ICMP checksum). Returns 1 when translated.
 */
static __always_inline int nat_icmp_error_in(struct iphdr *ip, void *data_end)
{
	struct icmphdr *ic = (void *)(ip + 1);
	struct iphdr *quoted = (void *)(ic + 1);
	__u8 *l4 = (void *)(quoted + 1);
	struct hearth_ct_entry *ct;
	struct hearth_ct_key key;
	__u16 check, old16;
	__be16 *qport;

	if ((void *)(ic + 1) > data_end || !icmp_is_error(ic->type) ||
	    (void *)(quoted + 1) > data_end)
		return 0;
	if (icmp_error_key(quoted, data_end, &key))
		return 0;
	ct = bpf_map_lookup_elem(&HEARTH_MAP_CT, &key);
	if (!ct || !(ct->nat & HEARTH_CT_NAT_DST))
		return 0;
	if ((void *)(l4 + 8) > data_end)
		return 0;
	/* outer destination: only the IPv4 header checksum covers it */
	ip->check = csum_replace4(ip->check, ip->daddr, ct->nat_daddr);
	ip->daddr = ct->nat_daddr;
	/* quoted source address, and the quoted header's own checksum */
	check = ic->checksum;
	old16 = quoted->check;
	quoted->check = csum_replace4(quoted->check, quoted->saddr, ct->nat_daddr);
	check = csum_replace4(check, quoted->saddr, ct->nat_daddr);
	check = csum_replace2(check, old16, quoted->check);
	/* quoted source port or echo identifier, and a quoted checksum */
	qport = quoted->protocol == IPPROTO_ICMP ? (__be16 *)(l4 + 4) : (__be16 *)l4;
	if (quoted->protocol == IPPROTO_UDP && *(__u16 *)(l4 + 6)) {
		__u16 *ucheck = (__u16 *)(l4 + 6), before = *ucheck;
		__u16 after = csum_replace4(before, quoted->saddr, ct->nat_daddr);

		after = csum_replace2(after, *qport, ct->nat_dport);
		*ucheck = after ? after : 0xffff;
		check = csum_replace2(check, before, *ucheck);
	} else if (quoted->protocol == IPPROTO_ICMP) {
		__u16 *echeck = (__u16 *)(l4 + 2), before = *echeck;

		*echeck = csum_replace2(before, *qport, ct->nat_dport);
		check = csum_replace2(check, before, *echeck);
	}
	check = csum_replace2(check, *qport, ct->nat_dport);
	quoted->saddr = ct->nat_daddr;
	*qport = ct->nat_dport;
	ic->checksum = check;
	/* not counted on the connection: an error is no answer, and counting
	 * it would let an unanswered probe look established */
	return 1;
}

#endif /* HEARTH_BPF_NAT_H */
