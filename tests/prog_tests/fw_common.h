/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared set-up of the firewall and connection table program tests: the
 * gateway with the firewall on, frames from the WAN, IPv6 keys. */
#ifndef HEARTH_FW_COMMON_H
#define HEARTH_FW_COMMON_H

#include "gw_common.h"

#define H1_TCP_SYN 0x02
#define TCP_SYNACK 0x12

static inline struct xdp_gateway *fw_setup(struct fixture *fx)
{
	struct xdp_gateway *skel = gw_setup(fx);

	if (skel && !ASSERT_OK(fixture_enable_firewall(fx), "enable the firewall")) {
		xdp_gateway__destroy(skel);
		return NULL;
	}
	return skel;
}

/* A frame from the server, arriving on the WAN, to @dst. */
static inline struct pkt_spec wan_spec(struct fixture *fx, int family, const char *dst, __u8 proto,
				__u16 sport, __u16 dport)
{
	struct pkt_spec s = {
		.family = family,
		.src = family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6,
		.dst = dst,
		.proto = proto,
		.sport = sport,
		.dport = dport,
		.payload = 32,
	};

	memcpy(s.dmac, fx->wan_mac, 6);
	memcpy(s.smac, fx->inet_mac, 6);
	return s;
}

static inline bool expect_spec(struct fixture *fx, int ifindex, const struct pkt_spec *s,
			__u32 verdict, int id, const char *what)
{
	__u8 in[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, in, sizeof(in));

	return ASSERT_TRUE(len > 0, "pkt_build") &&
	       expect_verdict(fx, ifindex, in, len, verdict, id, what);
}

static inline void key6(struct hearth_ct_key *key, const char *src, const char *dst, __u8 proto,
		 __u16 sport, __u16 dport)
{
	memset(key, 0, sizeof(*key));
	inet_pton(AF_INET6, src, key->saddr.b);
	inet_pton(AF_INET6, dst, key->daddr.b);
	key->proto = proto;
	key->family = AF_INET6;
	key->sport = htons(sport);
	key->dport = htons(dport);
}

#endif
