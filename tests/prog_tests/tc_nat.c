// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tc on WAN egress, for what the kernel forwards: malformed transport
 * headers dropped as XDP drops them, and new connections on the same
 * endpoint-independent mappings as XDP's. */
#include "tc_common.h"

/* A home host's packet as the kernel sends it out of the WAN after
 * forwarding it (TTL already decreased, MACs of the WAN link). */
static __u32 wan_frame(struct fixture *fx, __u8 proto, __u16 sport, __u16 dport,
		       __u32 payload, __u8 *frame)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = FX_H1_V4, .dst = FX_SERVER_V4,
		.proto = proto, .sport = sport, .dport = dport,
		.payload = payload, .ttl = 63,
	};

	memcpy(s.dmac, fx->inet_mac, 6);
	memcpy(s.smac, fx->wan_mac, 6);
	return (__u32)pkt_build(&s, frame, FRAME_MAX);
}

/* The kernel's path drops what XDP drops: a transport header that the IP
 * length cuts, or that disagrees with it, is bad-l4, never translated. */
TEST(tc_nat_malformed_l4_dropped)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct tc_wan *tc = NULL;
	__u8 frame[FRAME_MAX], out[FRAME_MAX];
	__u32 len, out_len;
	__u64 before;

	if (!skel)
		return;
	tc = tc_share(&fx);
	if (!tc)
		goto out;
	before = fixture_counter(&fx, 1, HEARTH_CNT_DROP_BAD_L4);
	len = wan_frame(&fx, IPPROTO_UDP, 42000, 7000, 0, frame);
	set_ip_len(frame, 20 + 4);
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_SHOT,
		  "UDP header cut by the IP length: dropped");
	len = wan_frame(&fx, IPPROTO_UDP, 42001, 7000, 32, frame);
	frame[L3 + 20 + 4] = 0, frame[L3 + 20 + 5] = 8;
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_SHOT,
		  "UDP length not the IP payload's: dropped");
	len = wan_frame(&fx, IPPROTO_TCP, 42002, 80, 0, frame);
	frame[L3 + 20 + 12] = 2 << 4;
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_SHOT,
		  "TCP data offset 2: dropped");
	len = wan_frame(&fx, IPPROTO_TCP, 42003, 80, 0, frame);
	frame[L3 + 20 + 12] = 15 << 4;
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_SHOT,
		  "TCP data offset 15 past the segment: dropped");
	ASSERT_EQ(fixture_counter(&fx, 1, HEARTH_CNT_DROP_BAD_L4) - before, 4,
		  "each counted bad-l4");
	ASSERT_EQ(fixture_counter(&fx, 1, HEARTH_CNT_TC_SNAT), 0, "none translated");

	len = wan_frame(&fx, IPPROTO_UDP, 42004, 7000, 32, frame);
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_OK,
		  "the same datagram well formed: translated");
	ASSERT_EQ(be16_at(out + L3 + 20), 42004, "its port kept");
out:
	if (tc)
		tc_wan__destroy(tc);
	xdp_gateway__destroy(skel);
}

/* A connection the kernel's path opens makes the socket's mapping, and a
 * later connection of the socket through XDP, to another server port,
 * leaves on the same public port (one mapping for both paths). */
TEST(tc_nat_mapping_shared_with_xdp)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct tc_wan *tc = NULL;
	__u8 frame[FRAME_MAX], out[FRAME_MAX], wan[4];
	struct pkt_spec s;
	__u32 len, out_len;

	if (!skel)
		return;
	tc = tc_share(&fx);
	if (!tc)
		goto out;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	/* another home host holds 43000 first, through XDP */
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 43000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &out_len), XDP_REDIRECT, "home2 from 43000");
	ASSERT_EQ(be16_at(out + L3 + 20), 43000, "home2 keeps 43000");

	len = wan_frame(&fx, IPPROTO_UDP, 43000, 7000, 32, frame);
	ASSERT_EQ(tc_run(tc, frame, len, out, &out_len), TC_ACT_OK, "home1 from 43000 by tc");
	ASSERT_MEMEQ(out + L3 + 12, wan, 4, "source: the WAN address");
	__u16 public = be16_at(out + L3 + 20);
	ASSERT_TRUE(public != 43000 && public >= 1024, "home1 gets another port than home2's");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 43000);
	s.dport = 7001;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &out_len), XDP_REDIRECT,
		  "home1 from 43000 to another port, by XDP");
	ASSERT_EQ(be16_at(out + L3 + 20), public, "the same public port as tc gave");
out:
	if (tc)
		tc_wan__destroy(tc);
	xdp_gateway__destroy(skel);
}
