/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ICMP errors about translated connections (RFC 5508), both ways: from
 * outside to a home host (time exceeded for traceroute, fragmentation
 * needed for path MTU discovery) and from a home host to the outside (a
 * port unreachable about a forwarded port). Shared by XDP and by tc on WAN
 * egress: both rewrite with direct packet access and incremental checksum
 * updates, which is safe in tc too because an ICMP message never carries
 * an offloaded checksum.
 */
#ifndef HEARTH_BPF_NAT_ICMP_H
#define HEARTH_BPF_NAT_ICMP_H

#include "common.h"
#include "csum.h"
#include "ct.h"

#define ICMP_DEST_UNREACH 3
#define ICMP_TIME_EXCEEDED 11
#define ICMP_PARAMETERPROB 12

static __always_inline int icmp_is_error(__u8 type)
{
	return type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* The connection an ICMP error is about, from the header it quotes: the
 * quoted packet went the other way, so the quoted tuple reversed is the key
 * of the direction the error itself travels (for an error from outside,
 * the direction answers take; for one from a home host, the direction the
 * home host sends in). */
static __always_inline int icmp_error_key(struct iphdr *quoted, void *data_end,
					  struct hearth_ct_key *key)
{
	__u8 *l4 = (void *)(quoted + 1);

	if ((void *)(l4 + 8) > data_end || quoted->version != 4 || quoted->ihl != 5)
		return -1;
	__builtin_memset(key, 0, sizeof(*key));
	key->saddr.ip4 = quoted->daddr;
	key->daddr.ip4 = quoted->saddr;
	key->family = AF_INET;
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
 * One end of the quoted packet: its address field @qaddr and port field
 * @qport (or echo identifier) become @addr and @port, with the quoted IPv4
 * header checksum and a quoted UDP checksum (when not 0) or echo checksum
 * following, so that they are again what was sent; a quoted TCP checksum
 * lies beyond the 8 bytes quoted. *check is the outer ICMP checksum, which
 * covers all of it.
 */
static __always_inline void icmp_quote_rewrite(struct iphdr *quoted, __u8 *l4,
					       __be32 *qaddr, __be16 *qport,
					       __be32 addr, __be16 port,
					       __u16 *check)
{
	__u16 old16 = quoted->check;

	quoted->check = csum_replace4(quoted->check, *qaddr, addr);
	*check = csum_replace4(*check, *qaddr, addr);
	*check = csum_replace2(*check, old16, quoted->check);
	if (quoted->protocol == IPPROTO_UDP && *(__u16 *)(l4 + 6)) {
		__u16 *ucheck = (__u16 *)(l4 + 6), before = *ucheck;
		__u16 after = csum_replace4(before, *qaddr, addr);

		after = csum_replace2(after, *qport, port);
		*ucheck = after ? after : 0xffff;
		*check = csum_replace2(*check, before, *ucheck);
	} else if (quoted->protocol == IPPROTO_ICMP) {
		__u16 *echeck = (__u16 *)(l4 + 2), before = *echeck;

		*echeck = csum_replace2(before, *qport, port);
		*check = csum_replace2(*check, before, *echeck);
	}
	*check = csum_replace2(*check, *qport, port);
	*qaddr = addr;
	*qport = port;
}

/*
 * An ICMP error (destination unreachable, time exceeded, parameter
 * problem) about a translated connection, translated as a packet of the
 * direction it travels would be, the quoted packet the other way round:
 *
 * - the entry translates the destination (an error from outside about a
 *   masqueraded connection): the outer destination and the quoted source
 *   address and port go back to the home host;
 * - it translates the source (an error from a home host about a forward
 *   or a masqueraded connection): the outer source becomes the WAN
 *   address, the quoted destination address and port the public ones;
 * - a hairpin entry does both.
 *
 * Every checksum they touch follows: outer IPv4, ICMP, the quoted IPv4
 * header, a quoted UDP or echo checksum. Returns 1 when translated.
 */
static __always_inline int nat_icmp_error(struct iphdr *ip, void *data_end)
{
	struct icmphdr *ic = (void *)(ip + 1);
	struct iphdr *quoted = (void *)(ic + 1);
	__u8 *l4 = (void *)(quoted + 1);
	struct hearth_ct_entry *ct;
	struct hearth_ct_key key;
	__u16 check;

	/* an error goes to the quoted packet's source: about a connection's
	 * packet, to its sender, never to another address */
	if ((void *)(ic + 1) > data_end || !icmp_is_error(ic->type) ||
	    (void *)(quoted + 1) > data_end || ip->daddr != quoted->saddr)
		return 0;
	if (icmp_error_key(quoted, data_end, &key))
		return 0;
	ct = ct_lookup(&key);
	if (!ct || !(ct->nat & (HEARTH_CT_NAT_DST | HEARTH_CT_NAT_SRC)))
		return 0;
	/* the source half rewrites a quoted destination port: TCP and UDP
	 * only (no home host's error about an echo reply is translated) */
	if ((void *)(l4 + 8) > data_end ||
	    (ct->nat & HEARTH_CT_NAT_SRC && quoted->protocol == IPPROTO_ICMP))
		return 0;
	check = ic->checksum;
	if (ct->nat & HEARTH_CT_NAT_DST) {
		/* outer destination: only the IPv4 header checksum covers it */
		ip->check = csum_replace4(ip->check, ip->daddr, ct->nat_daddr);
		ip->daddr = ct->nat_daddr;
		icmp_quote_rewrite(quoted, l4, &quoted->saddr,
				   quoted->protocol == IPPROTO_ICMP ? (__be16 *)(l4 + 4) :
								      (__be16 *)l4,
				   ct->nat_daddr, ct->nat_dport, &check);
	}
	if (ct->nat & HEARTH_CT_NAT_SRC) {
		ip->check = csum_replace4(ip->check, ip->saddr, ct->nat_saddr);
		ip->saddr = ct->nat_saddr;
		icmp_quote_rewrite(quoted, l4, &quoted->daddr, (__be16 *)(l4 + 2),
				   ct->nat_saddr, ct->nat_sport, &check);
	}
	ic->checksum = check;
	/* not counted on the connection: an error is no answer, and counting
	 * it would let an unanswered probe look established */
	return 1;
}

#endif /* HEARTH_BPF_NAT_ICMP_H */
