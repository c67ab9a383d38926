// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tc on WAN egress and the ICMP errors the kernel forwards from home
 * hosts: translated like XDP translates them, or kept off the WAN. The tc
 * program shares the gateway program's maps, as hearthd loads them. */
#include <bpf/bpf.h>

#include "tc_common.h"

/* home1's port unreachable about @quote, as the kernel sends it out of the
 * WAN after forwarding it. */
static __u32 error_frame(struct fixture *fx, const __u8 *quote, __u8 *frame)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = FX_H1_V4, .dst = FX_SERVER_V4,
		.icmp_type = 3, .ttl = 63,
	};

	memcpy(s.dmac, fx->inet_mac, 6);
	memcpy(s.smac, fx->wan_mac, 6);
	return icmp_error_frame(s, 3, quote, frame);
}

TEST(tc_nat_icmp_error_out)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct tc_wan *tc = NULL;
	__u8 in[FRAME_MAX], got[FRAME_MAX], err[FRAME_MAX], out[FRAME_MAX], wan[4];
	__u8 quote[28];
	__u32 len, got_len, out_len;
	struct pkt_spec s;
	const __u8 *q;

	if (!skel)
		return;
	tc = tc_share(&fx);
	if (!tc)
		goto out;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	/* a client reaches home1 by the UDP forward WAN:8080 -> home1:80 */
	{
		struct hearth_nat_fwd_key key = { .proto = IPPROTO_UDP, .port = htons(8080) };
		struct hearth_nat_fwd fwd = { .port = htons(80), .origin = HEARTH_FWD_RUNTIME };
		struct bpf_map *map = bpf_object__find_map_by_name(fx.obj, HEARTH_STR(HEARTH_MAP_NATFWD));

		inet_pton(AF_INET, FX_H1_V4, &fwd.addr);
		ASSERT_OK(bpf_map_update_elem(bpf_map__fd(map), &key, &fwd, BPF_ANY), "add forward");
	}
	s = reply_spec(&fx, IPPROTO_UDP, 8080);
	s.sport = 5555;
	len = (__u32)pkt_build(&s, in, sizeof(in));
	got_len = sizeof(got);
	ASSERT_OK(fixture_run(&fx, fx.wan, in, len, got, &got_len, &(__u32){ 0 }), "delivered");

	len = error_frame(&fx, got + L3, err);
	ASSERT_EQ(tc_run(tc, err, len, out, &out_len), TC_ACT_OK, "translated error leaves");
	ASSERT_MEMEQ(out + L3 + 12, wan, 4, "outer source: the WAN address");
	q = out + L3 + 28;
	ASSERT_MEMEQ(q + 16, wan, 4, "quoted destination: the WAN address");
	ASSERT_EQ(be16_at(q + 22), 8080, "quoted destination port: the public one");
	ASSERT_MEMEQ(q + 20, in + L3 + 20, 8, "quoted UDP header as the client sent it");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "outer IPv4 checksum");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(q), "quoted IPv4 checksum");
	ASSERT_EQ(pkt_csum(out + L3 + 20, 36, 0), 0, "ICMP checksum (recomputed)");
	ASSERT_EQ(fixture_counter(&fx, 1, HEARTH_CNT_TC_SNAT), 1, "counted snat-slow");

	/* about nothing translated: never leaves */
	udp_quote(quote, FX_SERVER_V4, FX_H1_V4);
	len = error_frame(&fx, quote, err);
	ASSERT_EQ(tc_run(tc, err, len, out, &out_len), TC_ACT_SHOT, "unknown error dropped");
	ASSERT_EQ(fixture_counter(&fx, 1, HEARTH_CNT_DROP_LEAK), 1, "counted leak-blocked");
out:
	if (tc)
		tc_wan__destroy(tc);
	xdp_gateway__destroy(skel);
}
