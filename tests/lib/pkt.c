// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "pkt.h"

__u16 pkt_csum(const void *data, size_t len, __u32 seed)
{
	const __u8 *p = data;
	__u32 sum = seed;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (__u32)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (__u32)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((__u16)~sum);
}

bool pkt_ipv4_hdr_csum_ok(const void *iph)
{
	const struct iphdr *ip = iph;

	return pkt_csum(ip, ip->ihl * 4, 0) == 0;
}

static __u32 pseudo_sum_proto(const void *l3, int family, __u32 l4_len, __u8 proto)
{
	const __u8 *addrs;
	size_t n;
	__u32 sum = 0;

	if (family == AF_INET) {
		addrs = (const __u8 *)&((const struct iphdr *)l3)->saddr;
		n = 8;
	} else {
		addrs = (const __u8 *)&((const struct ipv6hdr *)l3)->saddr;
		n = 32;
	}
	for (size_t i = 0; i < n; i += 2)
		sum += (__u32)(addrs[i] << 8 | addrs[i + 1]);
	return sum + proto + l4_len;
}

static __u32 pseudo_sum(const void *l3, int family, __u32 l4_len)
{
	return pseudo_sum_proto(l3, family, l4_len, IPPROTO_UDP);
}

bool pkt_l4_csum_ok(const void *frame, size_t len, size_t l3_off)
{
	const struct iphdr *ip = (const void *)((const __u8 *)frame + l3_off);
	size_t hdr = ip->ihl * 4, l4_len = ntohs(ip->tot_len) - hdr;
	const __u8 *l4 = (const __u8 *)ip + hdr;

	if (l3_off + hdr + l4_len > len)
		return false;
	switch (ip->protocol) {
	case IPPROTO_ICMP:
		return pkt_csum(l4, l4_len, 0) == 0;
	case IPPROTO_UDP:
		if (((const struct udphdr *)l4)->check == 0)
			return true;
		/* fall through */
	case IPPROTO_TCP:
		return pkt_csum(l4, l4_len,
				pseudo_sum_proto(ip, AF_INET, (__u32)l4_len, ip->protocol)) == 0;
	}
	return false;
}

bool pkt_udp_csum_ok(const void *frame, size_t len, size_t l3_off, int family)
{
	const __u8 *l3 = (const __u8 *)frame + l3_off;
	size_t l3_hdr = family == AF_INET ? ((const struct iphdr *)l3)->ihl * 4 :
					    sizeof(struct ipv6hdr);
	const struct udphdr *udp = (const void *)(l3 + l3_hdr);
	__u32 l4_len = ntohs(udp->len);

	if (l3_off + l3_hdr + l4_len > len)
		return false;
	return pkt_csum(udp, l4_len, pseudo_sum(l3, family, l4_len)) == 0;
}

void pkt_mac(const char *text, __u8 *mac)
{
	unsigned int b[6] = {};

	sscanf(text, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
	for (int i = 0; i < 6; i++)
		mac[i] = (__u8)b[i];
}

static __u8 l4_proto(const struct pkt_spec *s)
{
	return s->proto || s->proto_set ? s->proto : IPPROTO_UDP;
}

static size_t put_l2(const struct pkt_spec *s, __u8 *buf)
{
	struct ethhdr *eth = (void *)buf;
	__u16 type = s->ethertype ? s->ethertype :
		     s->family == AF_INET ? ETH_P_IP : ETH_P_IPV6;
	size_t off = sizeof(*eth);

	memcpy(eth->h_dest, s->dmac, 6);
	memcpy(eth->h_source, s->smac, 6);
	if (s->vlan) {
		eth->h_proto = htons(ETH_P_8021Q);
		*(__u16 *)(buf + off) = htons((__u16)s->vlan);
		*(__u16 *)(buf + off + 2) = htons(type);
		off += 4;
	} else {
		eth->h_proto = htons(type);
	}
	return off;
}

static size_t put_l4(const struct pkt_spec *s, __u8 *l4)
{
	__u8 proto = l4_proto(s);

	if (proto == IPPROTO_ICMPV6) {
		struct icmp6hdr *ic = (void *)l4;

		memset(ic, 0, sizeof(*ic) + s->payload);
		ic->icmp6_type = s->icmp6_type ? s->icmp6_type : ICMPV6_ECHO_REQUEST;
		return sizeof(*ic) + s->payload;
	}
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)l4;

		memset(th, 0, sizeof(*th));
		th->source = htons(s->sport ? s->sport : 40000);
		th->dest = htons(s->dport ? s->dport : 5201);
		th->seq = htonl(0x01020304);
		th->doff = s->tcp_ts ? 8 : 5;
		l4[13] = s->tcp_flags ? s->tcp_flags : 0x02;
		th->window = htons(64240);
		if (s->tcp_ts) {
			__u32 ts[2] = { htonl(s->tsval), htonl(s->tsecr) };

			memcpy(l4 + sizeof(*th), "\x01\x01\x08\x0a", 4);
			memcpy(l4 + sizeof(*th) + 4, ts, sizeof(ts));
		}
		for (int i = 0; i < s->payload; i++)
			l4[th->doff * 4 + i] = (__u8)(i * 13 + 5);
		return th->doff * 4u + s->payload;
	}
	if (proto == IPPROTO_ICMP) {
		l4[0] = s->icmp_type ? s->icmp_type : s->echo_reply ? 0 : 8;
		l4[1] = 0;
		l4[2] = l4[3] = 0;
		*(__u16 *)(l4 + 4) = htons(s->sport ? s->sport : 0x4242);
		*(__u16 *)(l4 + 6) = htons(1);
		for (int i = 0; i < s->payload; i++)
			l4[8 + i] = (__u8)(i + 1);
		*(__u16 *)(l4 + 2) = pkt_csum(l4, 8 + s->payload, 0);
		return 8 + (size_t)s->payload;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *udp = (void *)l4;

		udp->source = htons(s->sport ? s->sport : 40000);
		udp->dest = htons(s->dport ? s->dport : 5201);
		udp->len = htons(sizeof(*udp) + s->payload);
		udp->check = 0;
		for (int i = 0; i < s->payload; i++)
			l4[sizeof(*udp) + i] = (__u8)(i * 7 + 1);
		return sizeof(*udp) + s->payload;
	}
	memset(l4, 0xab, s->payload);
	return s->payload;
}

static void fill_l4_csum(const struct pkt_spec *s, __u8 *l3, __u8 *l4, size_t l4_len)
{
	if (l4_proto(s) == IPPROTO_TCP) {
		struct tcphdr *th = (void *)l4;

		th->check = pkt_csum(l4, l4_len,
				     pseudo_sum_proto(l3, s->family, (__u32)l4_len, IPPROTO_TCP));
	} else if (l4_proto(s) == IPPROTO_UDP && !s->zero_udp_csum) {
		struct udphdr *udp = (void *)l4;

		udp->check = pkt_csum(l4, l4_len, pseudo_sum(l3, s->family, (__u32)l4_len));
		if (!udp->check)
			udp->check = 0xffff;
	}
}

size_t pkt_build(const struct pkt_spec *s, void *out, size_t size)
{
	__u8 buf[4096] = {}, *l3;
	size_t off = put_l2(s, buf), hdr, l4_len;

	l3 = buf + off;
	if (s->family == AF_INET) {
		struct iphdr *ip = (void *)l3;

		hdr = (s->ihl ? s->ihl : 5) * 4;
		l4_len = put_l4(s, l3 + hdr);
		ip->version = 4;
		ip->ihl = (s->ihl ? s->ihl : 5) & 0xf;
		ip->tot_len = htons((__u16)(hdr + l4_len));
		ip->id = htons(0x1234);
		ip->frag_off = htons(s->frag_off);
		ip->ttl = s->ttl ? s->ttl : 64;
		ip->protocol = l4_proto(s);
		inet_pton(AF_INET, s->src, &ip->saddr);
		inet_pton(AF_INET, s->dst, &ip->daddr);
		ip->check = pkt_csum(ip, hdr, 0);
	} else {
		struct ipv6hdr *ip6 = (void *)l3;

		hdr = sizeof(*ip6);
		l4_len = put_l4(s, l3 + hdr);
		ip6->version = 6;
		ip6->payload_len = htons((__u16)l4_len);
		ip6->nexthdr = l4_proto(s);
		ip6->hop_limit = s->ttl ? s->ttl : 64;
		inet_pton(AF_INET6, s->src, &ip6->saddr);
		inet_pton(AF_INET6, s->dst, &ip6->daddr);
	}
	fill_l4_csum(s, l3, l3 + hdr, l4_len);
	off += hdr + l4_len;
	if (off > size)
		return 0;
	memcpy(out, buf, off);
	return off;
}
