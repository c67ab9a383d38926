// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Malformed frames: each lands on its documented drop (or slow-path)
 * counter, and nothing is ever forwarded with a wrong header. */
#include <stdlib.h>

#include "gw_common.h"

static struct xdp_gateway *skel_or_skip(struct fixture *fx)
{
	return gw_setup(fx);
}

static __u32 build(struct fixture *fx, int family, __u8 *frame, int vlan)
{
	struct pkt_spec s = lan_spec(fx, family, family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6);

	s.vlan = vlan;
	return (__u32)pkt_build(&s, frame, FRAME_MAX);
}

/* The counter a frame truncated to @len must hit. The kernel refuses
 * test frames shorter than an Ethernet header, so cuts start at 14. */
static int truncation_reason(int family, bool vlan, __u32 len)
{
	__u32 l3 = ETH_HLEN + (vlan ? 4 : 0);

	if (vlan && len < l3)
		return HEARTH_CNT_DROP_TRUNC_VLAN;
	if (family == AF_INET)
		return len < l3 + 20 ? HEARTH_CNT_DROP_TRUNC_IP4 : HEARTH_CNT_DROP_BAD_LEN;
	return len < l3 + 40 ? HEARTH_CNT_DROP_TRUNC_IP6 : HEARTH_CNT_DROP_BAD_LEN;
}

static void truncate_everywhere(int family, int vlan)
{
	struct fixture fx;
	struct xdp_gateway *skel = skel_or_skip(&fx);
	__u8 frame[FRAME_MAX];
	__u32 full;
	int bad = 0;

	if (!skel)
		return;
	full = build(&fx, family, frame, vlan);
	for (__u32 len = ETH_HLEN; len < full; len++) {
		char what[64];

		snprintf(what, sizeof(what), "cut at %u of %u", len, full);
		if (!expect_verdict(&fx, fx.lan, frame, len, XDP_DROP,
				    truncation_reason(family, vlan, len), what))
			bad++;
	}
	ASSERT_EQ(bad, 0, "truncations on the wrong path");
	xdp_gateway__destroy(skel);
}

TEST(malformed_truncated_ipv4)
{
	truncate_everywhere(AF_INET, 0);
}

TEST(malformed_truncated_ipv6)
{
	truncate_everywhere(AF_INET6, 0);
}

TEST(malformed_truncated_vlan_ipv4)
{
	truncate_everywhere(AF_INET, 7);
}

TEST(malformed_truncated_vlan_ipv6)
{
	truncate_everywhere(AF_INET6, 7);
}

/* Mutations of the IPv4 header, each with its reason. */
struct ipv4_case {
	const char *what;
	int counter;
	__u32 verdict;
	void (*mutate)(__u8 *ip, __u32 *len);
};

static void ihl_4(__u8 *ip, __u32 *len) { (void)len; ip[0] = 0x44; }
static void ihl_0(__u8 *ip, __u32 *len) { (void)len; ip[0] = 0x40; }
static void ihl_15_short(__u8 *ip, __u32 *len) { ip[0] = 0x4f; *len = ETH_HLEN + 40; }
static void tot_len_short(__u8 *ip, __u32 *len) { (void)len; ip[2] = 0; ip[3] = 19; }
static void tot_len_long(__u8 *ip, __u32 *len) { (void)len; ip[2] = 0x05; ip[3] = 0xdc; }
static void version_6(__u8 *ip, __u32 *len) { (void)len; ip[0] = 0x65; }
static void bad_csum(__u8 *ip, __u32 *len) { (void)len; ip[10] ^= 0x01; }

static const struct ipv4_case ipv4_cases[] = {
	{ "IHL 4", HEARTH_CNT_DROP_BAD_IHL, XDP_DROP, ihl_4 },
	{ "IHL 0", HEARTH_CNT_DROP_BAD_IHL, XDP_DROP, ihl_0 },
	{ "IHL 15 in a short frame", HEARTH_CNT_DROP_TRUNC_IP4, XDP_DROP, ihl_15_short },
	{ "total length below header", HEARTH_CNT_DROP_BAD_LEN, XDP_DROP, tot_len_short },
	{ "total length beyond frame", HEARTH_CNT_DROP_BAD_LEN, XDP_DROP, tot_len_long },
	{ "version 6 in an IPv4 frame", HEARTH_CNT_DROP_BAD_VERSION, XDP_DROP, version_6 },
	{ "bad header checksum", HEARTH_CNT_DROP_BAD_CSUM, XDP_DROP, bad_csum },
};

TEST(malformed_ipv4_headers)
{
	struct fixture fx;
	struct xdp_gateway *skel = skel_or_skip(&fx);

	if (!skel)
		return;
	for (size_t i = 0; i < sizeof(ipv4_cases) / sizeof(ipv4_cases[0]); i++) {
		const struct ipv4_case *c = &ipv4_cases[i];
		__u8 frame[FRAME_MAX];
		__u32 len = build(&fx, AF_INET, frame, 0);

		c->mutate(frame + ETH_HLEN, &len);
		expect_verdict(&fx, fx.lan, frame, len, c->verdict, c->counter, c->what);
	}
	xdp_gateway__destroy(skel);
}

TEST(malformed_ipv6_headers)
{
	struct fixture fx;
	struct xdp_gateway *skel = skel_or_skip(&fx);
	struct pkt_spec s;
	__u8 frame[FRAME_MAX];
	__u32 len;

	if (!skel)
		return;
	len = build(&fx, AF_INET6, frame, 0);
	frame[ETH_HLEN] = 0x45; /* version 4 behind an IPv6 ethertype */
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_VERSION,
		       "version 4 in an IPv6 frame");

	len = build(&fx, AF_INET6, frame, 0);
	frame[ETH_HLEN + 4] = 0x05; /* payload length 1280+ beyond the frame */
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_LEN,
		       "payload length beyond frame");

	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.proto = IPPROTO_ICMPV6;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	/* keep only 2 bytes of ICMPv6 and say so in the payload length */
	frame[ETH_HLEN + 4] = 0;
	frame[ETH_HLEN + 5] = 2;
	expect_verdict(&fx, fx.lan, frame, ETH_HLEN + 42, XDP_DROP, HEARTH_CNT_DROP_TRUNC_L4,
		       "ICMPv6 without a full header");
	xdp_gateway__destroy(skel);
}

TEST(malformed_vlan_with_nothing_behind)
{
	struct fixture fx;
	struct xdp_gateway *skel = skel_or_skip(&fx);
	__u8 frame[FRAME_MAX];
	__u32 len;

	if (!skel)
		return;
	len = build(&fx, AF_INET, frame, 5);
	/* tag present, inner IPv4 header absent */
	expect_verdict(&fx, fx.lan, frame, ETH_HLEN + 4, XDP_DROP, HEARTH_CNT_DROP_TRUNC_IP4,
		       "tag then nothing");
	/* tag itself cut short */
	expect_verdict(&fx, fx.lan, frame, ETH_HLEN + 2, XDP_DROP, HEARTH_CNT_DROP_TRUNC_VLAN,
		       "half a tag");
	/* a second tag (QinQ) is not parsed: slow path, not a mis-parse */
	frame[ETH_HLEN + 2] = 0x81;
	frame[ETH_HLEN + 3] = 0x00;
	expect_verdict(&fx, fx.lan, frame, len, XDP_PASS, HEARTH_CNT_PASS_ETHERTYPE,
		       "two tags");
	xdp_gateway__destroy(skel);
}

/* Whatever a frame looks like, a redirected one has a valid header: right
 * version, no options, length within the frame, correct checksum, TTL one
 * less than it came with, and the next hop's MAC. */
static bool redirect_is_sane(struct fixture *fx, const __u8 *in, __u32 in_len,
			     const __u8 *out, __u32 out_len)
{
	const __u8 *ip = out + ETH_HLEN;
	__u16 tot_len = (__u16)(ip[2] << 8 | ip[3]);

	if (out_len != in_len || memcmp(out, fx->inet_mac, 6) || memcmp(out + 6, fx->wan_mac, 6))
		return false;
	if (out[12] != 0x08 || out[13] != 0x00 || ip[0] != 0x45)
		return false;
	if (tot_len < 20 || (__u32)ETH_HLEN + tot_len > out_len || !pkt_ipv4_hdr_csum_ok(ip))
		return false;
	return ip[8] == in[ETH_HLEN + 8] - 1 && !memcmp(ip + 12, in + ETH_HLEN + 12, 8);
}

TEST(malformed_random_mutations_never_misforward)
{
	struct fixture fx;
	struct xdp_gateway *skel = skel_or_skip(&fx);
	int redirected = 0, insane = 0, errors = 0;

	if (!skel)
		return;
	srand(7);
	for (int i = 0; i < 20000; i++) {
		__u8 in[FRAME_MAX], out[FRAME_MAX];
		__u32 len = build(&fx, AF_INET, in, 0), out_len = sizeof(out), retval;
		int flips = 1 + rand() % 4;

		for (int f = 0; f < flips; f++) /* mostly in the IPv4 header */
			in[ETH_HLEN + rand() % (rand() % 4 ? 20 : (int)len - ETH_HLEN)] ^=
				(__u8)(1 + rand() % 255);
		if (rand() % 3 == 0)
			len = ETH_HLEN + (__u32)rand() % (len - ETH_HLEN);
		if (fixture_run(&fx, fx.lan, in, len, out, &out_len, &retval)) {
			errors++;
			continue;
		}
		if (retval != XDP_REDIRECT)
			continue;
		redirected++;
		if (!redirect_is_sane(&fx, in, len, out, out_len))
			insane++;
	}
	ASSERT_EQ(errors, 0, "test_run errors");
	ASSERT_EQ(insane, 0, "frames forwarded with a wrong header");
	/* flips in payload-only bytes still forward: the test saw both paths */
	ASSERT_TRUE(redirected > 100, "some mutated frames were forwarded");
	printf("  %d of 20000 mutated frames forwarded, %d of them with a bad header\n",
	       redirected, insane);
	xdp_gateway__destroy(skel);
}
