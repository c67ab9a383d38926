// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The frames xdp_bench sends through the programs, built on the fixture's
 * addresses, each with its interfaces and FIB cache key.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <string.h>

#include "../tests/lib/pkt.h"
#include "xdp_bench.h"

static void fib_key(struct frame *f, int ingress, int family, const char *dst)
{
	f->key.ifindex = (__u32)ingress;
	f->key.family = (__u32)family;
	inet_pton(family, dst, f->key.addr);
}

/* From h1 on the LAN to a server behind the default route. */
int bench_build_udp(struct bench *b, struct frame *f, int family)
{
	struct pkt_spec s = {
		.family = family,
		.src = family == AF_INET ? FX_H1_V4 : FX_H1_V6,
		.dst = family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6,
		.payload = UDP_PAYLOAD,
		.sport = EST_SPORT,
	};

	memcpy(s.dmac, b->fx.lan_mac, 6);
	memcpy(s.smac, b->fx.h1_mac, 6);
	f->len = (__u32)pkt_build(&s, f->data, sizeof(f->data));
	f->desc = family == AF_INET ?
			  "IPv4 UDP " FX_H1_V4 ":40000 -> " FX_SERVER_V4 ":5201" :
			  "IPv6 UDP [" FX_H1_V6 "]:40000 -> [" FX_SERVER_V6 "]:5201";
	f->ingress = b->fx.lan;
	f->egress = b->fx.wan;
	fib_key(f, b->fx.lan, family, s.dst);
	return f->len >= BENCH_NAT_HEAD_LEN ? 0 : -EINVAL;
}

/* h1's established IPv6 TCP connection, a segment with the timestamps
 * option (as every stack sends them): the path round-trip times look at. */
int bench_build_tcp6(struct bench *b, struct frame *f)
{
	struct pkt_spec s = {
		.family = AF_INET6,
		.src = FX_H1_V6,
		.dst = FX_SERVER_V6,
		.proto = IPPROTO_TCP,
		.payload = UDP_PAYLOAD - 12, /* the frame as long as udp6 */
		.sport = EST_SPORT,
		.tcp_flags = 0x18, /* PSH ACK */
		.tcp_ts = true,
		.tsval = 1000,
		.tsecr = 2000,
	};

	memcpy(s.dmac, b->fx.lan_mac, 6);
	memcpy(s.smac, b->fx.h1_mac, 6);
	f->len = (__u32)pkt_build(&s, f->data, sizeof(f->data));
	f->desc = "IPv6 TCP [" FX_H1_V6 "]:40000 -> [" FX_SERVER_V6
		  "]:5201, PSH ACK with timestamps (picked up mid-stream)";
	f->ingress = b->fx.lan;
	f->egress = b->fx.wan;
	fib_key(f, b->fx.lan, AF_INET6, s.dst);
	return f->len >= BENCH_NAT_HEAD_LEN ? 0 : -EINVAL;
}

/* The server's answer to udp4's connection as it arrives on the WAN,
 * addressed to the port the masquerade kept (EST_SPORT). */
int bench_build_udp4_in(struct bench *b, struct frame *f)
{
	struct pkt_spec s = {
		.family = AF_INET,
		.src = FX_SERVER_V4,
		.dst = FX_WAN_V4,
		.payload = UDP_PAYLOAD,
		.sport = 5201,
		.dport = EST_SPORT,
	};

	memcpy(s.dmac, b->fx.wan_mac, 6);
	memcpy(s.smac, b->fx.inet_mac, 6);
	f->len = (__u32)pkt_build(&s, f->data, sizeof(f->data));
	f->desc = "IPv4 UDP " FX_SERVER_V4 ":5201 -> " FX_WAN_V4
		  ":40000 on wan0 (reply, translated to " FX_H1_V4 ":40000)";
	f->ingress = b->fx.wan;
	f->egress = b->fx.lan;
	/* routed after the destination rewrite */
	fib_key(f, b->fx.wan, AF_INET, FX_H1_V4);
	return f->len >= BENCH_NAT_HEAD_LEN ? 0 : -EINVAL;
}

/* h1 asks for the gateway's LAN address, as hosts do all the time. */
void bench_build_arp(struct bench *b, struct frame *f)
{
	static const __u8 arp_hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 }; /* request */
	struct ethhdr *eth = (void *)f->data;
	__u8 *arp = f->data + sizeof(*eth);

	memset(f->data, 0, sizeof(f->data));
	memset(eth->h_dest, 0xff, ETH_ALEN);
	memcpy(eth->h_source, b->fx.h1_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_ARP);
	memcpy(arp, arp_hdr, sizeof(arp_hdr));
	memcpy(arp + 8, b->fx.h1_mac, ETH_ALEN);
	inet_pton(AF_INET, FX_H1_V4, arp + 14);
	inet_pton(AF_INET, "192.168.1.1", arp + 24);
	f->len = sizeof(*eth) + 28;
	f->desc = "ARP request who-has 192.168.1.1 tell " FX_H1_V4;
	f->ingress = b->fx.lan;
	f->egress = 0;
}
