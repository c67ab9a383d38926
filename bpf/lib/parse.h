/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Header parsing and validation. Each stage returns HEARTH_CONTINUE or the
 * counter id that decides the packet's fate; nothing here writes the frame.
 */
#ifndef HEARTH_BPF_PARSE_H
#define HEARTH_BPF_PARSE_H

#include "common.h"
#include "csum.h"

#define ICMPV6_ND_FIRST 133 /* router solicitation */
#define ICMPV6_ND_LAST 137 /* redirect */

struct vlan_tag {
	__be16 tci;
	__be16 proto;
};

static __always_inline __u32 parse_eth(struct pkt *p, void *data)
{
	struct ethhdr *eth = data;
	void *cur = eth + 1;

	if (cur > p->data_end)
		return HEARTH_CNT_DROP_TRUNC_ETH;
	p->eth = eth;
	p->proto = eth->h_proto;
	if (p->proto == bpf_htons(ETH_P_8021Q) ||
	    p->proto == bpf_htons(ETH_P_8021AD)) {
		struct vlan_tag *tag = cur;

		if ((void *)(tag + 1) > p->data_end)
			return HEARTH_CNT_DROP_TRUNC_VLAN;
		p->proto = tag->proto;
		p->vlan = 1;
		cur = tag + 1;
	}
	p->l3 = cur;
	return HEARTH_CONTINUE;
}

static __always_inline int mac_is_multicast(const __u8 *mac)
{
	return mac[0] & 1;
}

static __always_inline int mac_equal(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Frames the kernel would not route (ARP, other hosts' frames, multicast). */
static __always_inline __u32 check_l2(struct pkt *p, const __u8 *if_mac)
{
	if (p->proto == bpf_htons(ETH_P_ARP))
		return HEARTH_CNT_PASS_ARP;
	if (mac_is_multicast(p->eth->h_dest))
		return HEARTH_CNT_PASS_L2_MCAST;
	if (!mac_equal(p->eth->h_dest, if_mac))
		return HEARTH_CNT_PASS_L2_OTHERHOST;
	return HEARTH_CONTINUE;
}

/* A length field in host order, bounded for the verifier. Kernels before
 * 6.x's bswap tracking (Debian 12's 6.1 among them) know nothing of a
 * byte-swapped value, so a length straight from bpf_ntohs could not be
 * added to a packet pointer; the mask in asm stays where the compiler
 * would otherwise drop it as redundant. */
static __always_inline __u32 len_be16(__be16 field)
{
	__u32 len = bpf_ntohs(field);

	asm volatile("%0 &= 0xffff" : "+r"(len));
	return len;
}

static __always_inline __u32 parse_ipv4(struct pkt *p)
{
	struct iphdr *iph = p->l3;
	__u32 hdr_len, tot_len;

	if ((void *)(iph + 1) > p->data_end)
		return HEARTH_CNT_DROP_TRUNC_IP4;
	if (iph->version != 4)
		return HEARTH_CNT_DROP_BAD_VERSION;
	hdr_len = iph->ihl * 4;
	if (hdr_len < sizeof(*iph))
		return HEARTH_CNT_DROP_BAD_IHL;
	if ((void *)iph + hdr_len > p->data_end)
		return HEARTH_CNT_DROP_TRUNC_IP4;
	tot_len = len_be16(iph->tot_len);
	if (tot_len < hdr_len || (void *)iph + tot_len > p->data_end)
		return HEARTH_CNT_DROP_BAD_LEN;
	p->ip4 = iph;
	p->family = AF_INET;
	p->l3_len = tot_len;
	if (hdr_len != sizeof(*iph))
		return HEARTH_CNT_PASS_IP_OPTIONS;
	if (!ipv4_hdr_csum_ok(iph))
		return HEARTH_CNT_DROP_BAD_CSUM;
	if (iph->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return HEARTH_CNT_PASS_FRAGMENT;
	return HEARTH_CONTINUE;
}

static __always_inline __u32 parse_icmpv6(struct pkt *p, __u32 payload_len)
{
	__u8 *type = (void *)(p->ip6 + 1);

	/* type, code and checksum must all be there */
	if (payload_len < 4 || (void *)(type + 4) > p->data_end)
		return HEARTH_CNT_DROP_TRUNC_L4;
	if (*type >= ICMPV6_ND_FIRST && *type <= ICMPV6_ND_LAST)
		return HEARTH_CNT_PASS_ND;
	return HEARTH_CONTINUE;
}

static __always_inline __u32 parse_ipv6(struct pkt *p)
{
	struct ipv6hdr *ip6 = p->l3;
	__u32 payload_len;

	if ((void *)(ip6 + 1) > p->data_end)
		return HEARTH_CNT_DROP_TRUNC_IP6;
	if (ip6->version != 6)
		return HEARTH_CNT_DROP_BAD_VERSION;
	payload_len = len_be16(ip6->payload_len);
	if ((void *)(ip6 + 1) + payload_len > p->data_end)
		return HEARTH_CNT_DROP_BAD_LEN;
	p->ip6 = ip6;
	p->family = AF_INET6;
	p->l3_len = sizeof(*ip6) + payload_len;
	switch (ip6->nexthdr) {
	case IPPROTO_FRAGMENT:
		return HEARTH_CNT_PASS_FRAGMENT;
	case IPPROTO_HOPOPTS:
	case IPPROTO_ROUTING:
	case IPPROTO_DSTOPTS:
	case IPPROTO_AH:
	case IPPROTO_MH:
	case 139: /* HIP */
	case 140: /* Shim6 */
	case 253: /* experimentation (RFC 3692) */
	case 254:
		return HEARTH_CNT_PASS_IPV6_EXT;
	case IPPROTO_ICMPV6:
		return parse_icmpv6(p, payload_len);
	}
	return HEARTH_CONTINUE;
}

static __always_inline __u32 parse_l3(struct pkt *p)
{
	if (p->proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(p);
	if (p->proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(p);
	return HEARTH_CNT_PASS_ETHERTYPE;
}

/* Addresses the kernel must see: 0/8, loopback, link-local (RFC 3927 says
 * routers must not forward it), multicast, reserved and broadcast. */
static __always_inline int ipv4_addr_local_scope1(__u32 a)
{
	return (a >> 24) == 0 || (a >> 24) == 127 || (a >> 16) == 0xa9fe ||
	       (a >> 28) >= 0xe;
}

static __always_inline int ipv4_addr_local_scope(__be32 saddr, __be32 daddr)
{
	return ipv4_addr_local_scope1(bpf_ntohl(saddr)) ||
	       ipv4_addr_local_scope1(bpf_ntohl(daddr));
}

/* Multicast, link-local, loopback or unspecified addresses. */
static __always_inline int ipv6_addr_local_scope(const struct in6_addr *a)
{
	__u32 w0 = bpf_ntohl(a->in6_u.u6_addr32[0]);

	if ((w0 >> 24) == 0xff || (w0 >> 22) == (0xfe80 >> 6))
		return 1;
	return a->in6_u.u6_addr32[0] == 0 && a->in6_u.u6_addr32[1] == 0 &&
	       a->in6_u.u6_addr32[2] == 0 &&
	       (a->in6_u.u6_addr32[3] == 0 ||
		a->in6_u.u6_addr32[3] == bpf_htonl(1));
}

static __always_inline __u32 check_scope(struct pkt *p)
{
	if (p->family == AF_INET) {
		if (ipv4_addr_local_scope(p->ip4->saddr, p->ip4->daddr))
			return HEARTH_CNT_PASS_LOCAL_SCOPE;
	} else if (ipv6_addr_local_scope(&p->ip6->saddr) ||
		   ipv6_addr_local_scope(&p->ip6->daddr)) {
		return HEARTH_CNT_PASS_LOCAL_SCOPE;
	}
	return HEARTH_CONTINUE;
}

#endif /* HEARTH_BPF_PARSE_H */
