/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Helpers shared by the NAT tests of the gateway program: checksums of a
 * translated frame, its endpoints, port forwards. */
#ifndef HEARTH_NAT_COMMON_H
#define HEARTH_NAT_COMMON_H

#include <bpf/bpf.h>

#include "gw_common.h"

#define L3 ETH_HLEN

/* An ICMP error as @s says (addresses, MACs, TTL, type), with @code,
 * quoting the 28 bytes at @quote (an IPv4 header and 8 bytes), its
 * checksum computed. */
static inline __u32 icmp_error_frame(struct pkt_spec s, __u8 code, const __u8 *quote,
				     __u8 *frame)
{
	__u8 *ic;
	__u32 len;

	s.proto = IPPROTO_ICMP;
	s.payload = 28;
	len = (__u32)pkt_build(&s, frame, FRAME_MAX);
	ic = frame + L3 + 20;
	ic[1] = code;
	memset(ic + 4, 0, 4);
	memcpy(ic + 8, quote, 28);
	ic[2] = ic[3] = 0;
	*(__u16 *)(ic + 2) = pkt_csum(ic, 36, 0);
	return len;
}

/* The 28 bytes an ICMP error quotes of a UDP datagram from @src to @dst
 * (ports and checksums 0), about which the tests expect nothing tracked. */
static inline void udp_quote(__u8 *quote, const char *src, const char *dst)
{
	memset(quote, 0, 28);
	quote[0] = 0x45;
	quote[9] = IPPROTO_UDP;
	inet_pton(AF_INET, src, quote + 12);
	inet_pton(AF_INET, dst, quote + 16);
}

/* Sets the IPv4 total length and mends the header checksum. */
static inline void set_ip_len(__u8 *frame, __u16 len)
{
	__u8 *ip = frame + L3;
	__u16 sum;

	ip[2] = len >> 8;
	ip[3] = len & 0xff;
	ip[10] = ip[11] = 0;
	sum = pkt_csum(ip, 20, 0);
	memcpy(ip + 10, &sum, 2);
}

static inline bool check_headers(const __u8 *f, __u32 len, const char *what)
{
	char msg[96];

	snprintf(msg, sizeof(msg), "%s: IPv4 header checksum", what);
	if (!ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(f + L3), msg))
		return false;
	snprintf(msg, sizeof(msg), "%s: transport checksum (recomputed)", what);
	return ASSERT_TRUE(pkt_l4_csum_ok(f, len, L3), msg);
}

static inline void add_forward(struct fixture *fx, __u8 proto, __u16 wan_port,
			       const char *addr, __u16 port)
{
	struct hearth_nat_fwd_key key = { .proto = proto, .port = htons(wan_port) };
	struct hearth_nat_fwd fwd = { .port = htons(port), .origin = HEARTH_FWD_RUNTIME };
	struct bpf_map *map = bpf_object__find_map_by_name(fx->obj, HEARTH_STR(HEARTH_MAP_NATFWD));

	inet_pton(AF_INET, addr, &fwd.addr);
	ASSERT_OK(bpf_map_update_elem(bpf_map__fd(map), &key, &fwd, BPF_ANY), "add forward");
}

/* The IPv4 frame @f is from @src to @dst. */
static inline bool addrs_are(const __u8 *f, const char *src, const char *dst, const char *what)
{
	__u8 s[4], d[4];
	char msg[96];
	bool ok;

	inet_pton(AF_INET, src, s);
	inet_pton(AF_INET, dst, d);
	snprintf(msg, sizeof(msg), "%s: source", what);
	ok = ASSERT_MEMEQ(f + L3 + 12, s, 4, msg);
	snprintf(msg, sizeof(msg), "%s: destination", what);
	return ok & ASSERT_MEMEQ(f + L3 + 16, d, 4, msg);
}

static inline bool endpoints_are(const __u8 *f, const char *src, __u16 sport,
				 const char *dst, __u16 dport, const char *what)
{
	char msg[96];
	bool ok = addrs_are(f, src, dst, what);

	snprintf(msg, sizeof(msg), "%s: source port", what);
	ok &= ASSERT_EQ(be16_at(f + L3 + 20), sport, msg);
	snprintf(msg, sizeof(msg), "%s: destination port", what);
	ok &= ASSERT_EQ(be16_at(f + L3 + 22), dport, msg);
	return ok;
}

#endif
