/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_BPF_COMMON_H
#define HEARTH_BPF_COMMON_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "../../maps/hearth_maps.bpf.h"

#ifndef AF_INET
#define AF_INET 2
#endif
#ifndef AF_INET6
#define AF_INET6 10
#endif

#define IP_MF 0x2000
#define IP_OFFSET 0x1fff
#define IPV6_FLOWINFO_MASK 0x0fffffff

/* TCP flags, as the header's byte 13 holds them. */
#define TCPF_FIN 0x01
#define TCPF_SYN 0x02
#define TCPF_RST 0x04
#define TCPF_ACK 0x10

/* Two addresses of either family (union hearth_addr), without a branch. */
static __always_inline int addr_equal(const union hearth_addr *a, const union hearth_addr *b)
{
	return !((a->w[0] ^ b->w[0]) | (a->w[1] ^ b->w[1]) | (a->w[2] ^ b->w[2]) |
		 (a->w[3] ^ b->w[3]));
}

/* What the parser learned about one frame. */
struct pkt {
	void *data_end;
	struct ethhdr *eth;
	void *l3;
	/* The verifier does not know packet pointers are never NULL, so the
	 * family, not a pointer test, selects ip4 or ip6. */
	__u32 family; /* AF_INET: ip4 is set; AF_INET6: ip6 is set */
	struct iphdr *ip4;
	struct ipv6hdr *ip6;
	__u32 l3_len; /* IP header + payload, from the length field */
	__be16 proto; /* ethertype behind the optional VLAN tag */
	__u8 vlan;
	__u8 in_role; /* enum hearth_iface_role of the ingress interface */
};

/* The slot of a gateway interface, 0 for any other. */
static __always_inline __u32 iface_slot(__u32 ifindex)
{
	__u32 *slot = bpf_map_lookup_elem(&HEARTH_MAP_IFSLOTS, &ifindex);

	return slot ? *slot : 0;
}

static __always_inline struct hearth_state *dp_state(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&HEARTH_MAP_STATE, &zero);
}

/* Returned by the stages instead of a counter id to mean "go on". */
#define HEARTH_CONTINUE HEARTH_CNT_MAX

#endif /* HEARTH_BPF_COMMON_H */
