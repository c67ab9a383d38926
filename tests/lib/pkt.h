/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Crafted frames for BPF_PROG_TEST_RUN, and independent checksum checks. */
#ifndef HEARTH_TEST_PKT_H
#define HEARTH_TEST_PKT_H

#include <linux/types.h>
#include <stdbool.h>
#include <stddef.h>

struct pkt_spec {
	int family; /* AF_INET or AF_INET6 */
	const char *src, *dst;
	__u8 proto; /* IPPROTO_UDP (default), IPPROTO_ICMPV6, ... */
	bool proto_set; /* take proto as given even when 0 (hop-by-hop) */
	__u8 ttl; /* 0 means 64 */
	__u16 payload; /* bytes after the UDP header */
	__u8 dmac[6], smac[6];
	int vlan; /* VLAN id to tag with, or 0 for none */
	__u16 ethertype; /* override, 0 for the family's */
	__u16 frag_off; /* IPv4 flags + offset, host order */
	__u8 ihl; /* IPv4 header words, 0 for 5 (options zero-filled) */
	__u8 icmp6_type; /* with IPPROTO_ICMPV6 */
	__u16 sport, dport; /* TCP/UDP ports or ICMP echo id (sport); 0: 40000, 5201 */
	__u8 tcp_flags; /* 0: SYN */
	bool tcp_ts; /* NOP, NOP, timestamps (RFC 7323 appendix A): doff 8 */
	__u32 tsval, tsecr; /* host order */
	__u8 icmp_type; /* with IPPROTO_ICMP; 0 means echo request */
	bool echo_reply; /* with IPPROTO_ICMP */
	bool zero_udp_csum; /* send UDP without a checksum */
};

/* Builds the frame into buf; returns its length or 0 when it does not fit. */
size_t pkt_build(const struct pkt_spec *spec, void *buf, size_t size);

/* RFC 1071 over a buffer, computed from scratch. */
__u16 pkt_csum(const void *data, size_t len, __u32 seed);
bool pkt_ipv4_hdr_csum_ok(const void *iph);
/* UDP checksum over the IPv4 or IPv6 pseudo header; true when valid. */
bool pkt_udp_csum_ok(const void *frame, size_t len, size_t l3_off, int family);
/* The transport checksum of an IPv4 TCP, UDP or ICMP packet, recomputed
 * from scratch; true when valid (a UDP checksum of 0 is "none"). */
bool pkt_l4_csum_ok(const void *frame, size_t len, size_t l3_off);
void pkt_mac(const char *text, __u8 *mac);

#endif
