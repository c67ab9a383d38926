// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The firewall with NAT on, where XDP and the kernel path (tc on the WAN)
 * share the work: what XDP hands to the kernel, and what tc then lets
 * through or drops, both ways (the holes tests/prog_tests/fw_fuzz.c
 * found). The tc programs run with BPF_PROG_TEST_RUN on the gateway
 * program's maps, as if the kernel had the frame from @ingress. */
#include <bpf/bpf.h>

#include "tc_common.h"

#define ESP 50

static __u32 tc_run_prog(struct tc_wan *tc, int ingress, int ifindex, const __u8 *in,
			 __u32 len, bool egress)
{
	struct __sk_buff ctx = { .ingress_ifindex = (__u32)ingress, .ifindex = (__u32)ifindex };
	__u8 out[FRAME_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = sizeof(out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = 1);
	struct bpf_program *prog = egress ? tc->progs.HEARTH_PROG_TC_WAN_EGRESS :
					    tc->progs.HEARTH_PROG_TC_WAN_INGRESS;

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &opts))
		return ~0u;
	return opts.retval;
}

/* What tc on the WAN's ingress does with @s, arrived by the WAN. */
static __u32 tc_in(struct fixture *fx, struct tc_wan *tc, const struct pkt_spec *s)
{
	__u8 in[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, in, sizeof(in));

	return tc_run_prog(tc, fx->wan, fx->wan, in, len, false);
}

static struct pkt_spec from_wan(struct fixture *fx, const char *src, const char *dst, __u8 proto,
				__u16 sport, __u16 dport)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = src, .dst = dst, .proto = proto,
		.sport = sport, .dport = dport, .payload = 32,
	};

	memcpy(s.dmac, fx->wan_mac, 6);
	memcpy(s.smac, fx->inet_mac, 6);
	return s;
}

static bool setup(struct fixture *fx, struct xdp_gateway **skel, struct tc_wan **tc)
{
	*tc = NULL;
	*skel = nat_setup(fx, 1024, 65535);
	if (!*skel)
		return false;
	if (!ASSERT_OK(fixture_enable_firewall(fx), "enable the firewall"))
		return false;
	*tc = tc_share(fx);
	return *tc != NULL;
}

static void teardown(struct xdp_gateway *skel, struct tc_wan *tc)
{
	if (tc)
		tc_wan__destroy(tc);
	if (skel)
		xdp_gateway__destroy(skel);
}

/* Packets without a connection tuple (ESP, ICMP NAT does not translate)
 * take the tracked ones' way: to the firewall on the kernel path, which
 * refuses them inbound and validates their source outbound. */
TEST(fw_nat_untracked_to_kernel)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 in[FRAME_MAX];
	struct pkt_spec s;
	__u32 len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	s = from_wan(&fx, FX_SERVER_V4, FX_H1_V4, ESP, 0, 0);
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_PASS,
		       HEARTH_CNT_PASS_FW_KERNEL, "ESP from the WAN to 192.168.1.10");
	ASSERT_EQ(tc_in(&fx, tc, &s), TC_ACT_SHOT, "refused on the kernel path");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_FW_REFUSED), 1, "fw-refused");
	s = from_wan(&fx, FX_SERVER_V4, FX_H1_V4, IPPROTO_ICMP, 0, 0);
	s.icmp_type = 13; /* timestamp */
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_PASS,
		       HEARTH_CNT_PASS_FW_KERNEL, "ICMP timestamp to 192.168.1.10");

	s = out_spec(&fx, FX_H1_V4, ESP, 0);
	s.src = "203.0.113.99";
	len = (__u32)pkt_build(&s, in, sizeof(in));
	expect_verdict(&fx, fx.lan, in, len, XDP_PASS, HEARTH_CNT_PASS_FW_KERNEL,
		       "ESP from home, foreign source");
	ASSERT_EQ(tc_run_prog(tc, fx.lan, fx.wan, in, len, true), TC_ACT_SHOT,
		  "kept off the WAN (BCP 38)");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_FW_SPOOFED), 1, "fw-spoofed");
out:
	teardown(skel, tc);
}

/* A WAN packet sent straight to an inside address, its tuple the reverse
 * of a masqueraded connection's, is no connection's: tc lets in only what
 * XDP marked (it translated, then passed it). */
TEST(fw_nat_reversed_tuple_refused)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 out[FRAME_MAX], in[FRAME_MAX];
	struct pkt_spec s;
	__u32 len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "out, masqueraded");
	s = from_wan(&fx, FX_SERVER_V4, FX_H1_V4, IPPROTO_UDP, 5201, 40000);
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_PASS,
		       HEARTH_CNT_PASS_FW_KERNEL, "to 192.168.1.10:40000 itself");
	ASSERT_EQ(tc_in(&fx, tc, &s), TC_ACT_SHOT, "refused: XDP did not let it in");
out:
	teardown(skel, tc);
}

/* An ICMP error goes to the packet it quotes' source: about a connection
 * of 192.168.1.10's, sent to another home address, it is no connection's,
 * and quoting a masqueraded connection untranslated it is not ours. */
TEST(fw_nat_error_to_its_host)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 out[FRAME_MAX], err[FRAME_MAX], quote[28];
	struct pkt_spec s, e;
	__u16 nat_port;
	__u32 len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "out, masqueraded");
	nat_port = be16_at(out + L3 + 20);
	memcpy(quote, out + L3, 28); /* as it left: WAN:nat_port -> server */
	e = from_wan(&fx, FX_SERVER_V4, FX_H2_V4, IPPROTO_ICMP, 0, 0);
	e.icmp_type = 3;
	len = icmp_error_frame(e, 3, quote, err);
	expect_verdict(&fx, fx.wan, err, len, XDP_PASS, HEARTH_CNT_PASS_FW_KERNEL,
		       "error to 192.168.1.11 about 192.168.1.10's connection: not translated");
	e.dst = FX_WAN_V4;
	len = icmp_error_frame(e, 3, quote, err);
	expect_verdict(&fx, fx.wan, err, len, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		       "to the WAN address: translated to 192.168.1.10");
	ASSERT_TRUE(nat_port != 0, "a public port");

	/* the connection's quote untranslated, to 192.168.1.10 */
	udp_quote(quote, FX_H1_V4, FX_SERVER_V4);
	quote[20] = 40000 >> 8, quote[21] = 40000 & 0xff;
	quote[22] = 5201 >> 8, quote[23] = 5201 & 0xff;
	e.dst = FX_H1_V4;
	len = icmp_error_frame(e, 3, quote, err);
	ASSERT_EQ(tc_run_prog(tc, fx.wan, fx.wan, err, len, false), TC_ACT_SHOT,
		  "quoting the home tuple: refused on the kernel path");
out:
	teardown(skel, tc);
}

/* An IPv6 extension header chain that runs past the packet: refused in,
 * dropped out (fail closed). */
TEST(fw_tc_unreadable_chain)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 in[FRAME_MAX];
	struct pkt_spec s = { .family = AF_INET6, .src = FX_SERVER_V6, .dst = FX_H1_V6,
			      .proto = IPPROTO_UDP, .payload = 32 };
	struct ipv6hdr *ip6 = (void *)(in + L3);
	__u32 len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	memcpy(s.dmac, fx.wan_mac, 6);
	memcpy(s.smac, fx.inet_mac, 6);
	pkt_build(&s, in, sizeof(in));
	ip6->nexthdr = 60; /* destination options, of which 4 bytes are there */
	ip6->payload_len = htons(4);
	len = L3 + sizeof(*ip6) + 4;
	ASSERT_EQ(tc_run_prog(tc, fx.wan, fx.wan, in, len, false), TC_ACT_SHOT, "in: refused");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_FW_REFUSED), 1, "fw-refused");
	inet_pton(AF_INET6, FX_H1_V6, &ip6->saddr);
	inet_pton(AF_INET6, FX_SERVER_V6, &ip6->daddr);
	ASSERT_EQ(tc_run_prog(tc, fx.lan, fx.wan, in, len, true), TC_ACT_SHOT, "out: dropped");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_TRUNC_IP6), 1, "trunc-ipv6");
out:
	teardown(skel, tc);
}

/* The gateway's own host unreachable about a packet XDP translated to a
 * home host quotes the inside address: translated back on its way out, or
 * dropped. */
TEST(fw_nat_own_error_quote)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 in[FRAME_MAX], got[FRAME_MAX], err[FRAME_MAX], out[FRAME_MAX], wan[4], quote[28];
	struct pkt_spec s, e = { .family = AF_INET, .src = FX_WAN_V4, .dst = FX_SERVER_V4,
				 .icmp_type = 3, .ttl = 64 };
	__u32 len, got_len, out_len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	memcpy(e.dmac, fx.inet_mac, 6);
	memcpy(e.smac, fx.wan_mac, 6);
	add_forward(&fx, IPPROTO_UDP, 8080, FX_H1_V4, 80);
	s = reply_spec(&fx, IPPROTO_UDP, 8080);
	s.sport = 5555;
	len = (__u32)pkt_build(&s, in, sizeof(in));
	got_len = sizeof(got);
	ASSERT_OK(fixture_run(&fx, fx.wan, in, len, got, &got_len, &(__u32){ 0 }), "forwarded");
	len = icmp_error_frame(e, 1, got + L3, err); /* host unreachable */
	ASSERT_EQ(tc_run(tc, err, len, out, &out_len), TC_ACT_OK, "translated, it leaves");
	ASSERT_MEMEQ(out + L3 + 28 + 16, wan, 4, "quoted destination: the WAN address");
	ASSERT_EQ(be16_at(out + L3 + 28 + 22), 8080, "quoted port: the public one");
	udp_quote(quote, FX_SERVER_V4, FX_H2_V4);
	len = icmp_error_frame(e, 1, quote, err);
	ASSERT_EQ(tc_run(tc, err, len, out, &out_len), TC_ACT_SHOT,
		  "about nothing translated: dropped");
out:
	teardown(skel, tc);
}

/* Only a hairpin comes from the WAN address, and only from home: from the
 * WAN, the WAN address or an inside address as the source is forged, even
 * to a mapping whose filter a home host's hairpin attempt opened to the
 * WAN address (RFC 4787 REQ-9 hole punching between two home hosts). */
TEST(fw_nat_wan_address_spoofed)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 in[FRAME_MAX], out[FRAME_MAX];
	struct pkt_spec s;
	__u16 h1_port, h2_port;
	__u32 len;

	if (!setup(&fx, &skel, &tc))
		goto out;
	add_forward(&fx, IPPROTO_UDP, 8080, FX_H1_V4, 80);
	s = from_wan(&fx, FX_WAN_V4, FX_WAN_V4, IPPROTO_UDP, 5555, 8080);
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_DROP,
		       HEARTH_CNT_DROP_FW_SPOOFED, "the WAN address from the WAN");
	s = from_wan(&fx, FX_H2_V4, FX_WAN_V4, IPPROTO_UDP, 5555, 8080);
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_DROP,
		       HEARTH_CNT_DROP_FW_SPOOFED, "an inside address from the WAN");
	s = from_wan(&fx, FX_WAN_V4, FX_H1_V4, IPPROTO_UDP, 5555, 80);
	ASSERT_EQ(tc_in(&fx, tc, &s), TC_ACT_SHOT, "the WAN address, to 192.168.1.10");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "h1 out");
	h1_port = be16_at(out + L3 + 20);
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 40001);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "h2 out");
	h2_port = be16_at(out + L3 + 20);
	/* h2 tries h1's mapping, which filters by address: refused, and h2's
	 * own mapping now lets the WAN address in, for hairpins */
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 40001);
	s.dst = FX_WAN_V4;
	s.dport = h1_port;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_DROP, "h2's hairpin: filtered");
	s = from_wan(&fx, FX_WAN_V4, FX_WAN_V4, IPPROTO_UDP, h1_port, h2_port);
	expect_verdict(&fx, fx.wan, in, (__u32)pkt_build(&s, in, sizeof(in)), XDP_DROP,
		       HEARTH_CNT_DROP_FW_SPOOFED, "the WAN address from the WAN, to h2's mapping");
out:
	teardown(skel, tc);
}

/* What XDP translated and then passes to the kernel (too big without DF,
 * next hop unresolved) carries XDP's mark in the metadata before the frame,
 * by which tc on the WAN's ingress lets it in. */
TEST(fw_nat_passed_marked)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct tc_wan *tc;
	__u8 in[FRAME_MAX], out[FRAME_MAX], h1[4];
	struct pkt_spec s;
	__u32 len, out_len = sizeof(out), retval = ~0u, mark;

	if (!setup(&fx, &skel, &tc))
		goto out;
	inet_pton(AF_INET, FX_H1_V4, h1);
	ASSERT_OK(fixture_sh("ip link set lan0 mtu 1400"), "LAN MTU 1400");
	add_forward(&fx, IPPROTO_UDP, 8080, FX_H1_V4, 80);
	s = reply_spec(&fx, IPPROTO_UDP, 8080);
	s.payload = 1500 - 20 - 8;
	len = (__u32)pkt_build(&s, in, sizeof(in));
	ASSERT_OK(fixture_run(&fx, fx.wan, in, len, out, &out_len, &retval), "run");
	ASSERT_EQ(retval, XDP_PASS, "too big without DF: to the kernel");
	if (ASSERT_EQ(out_len, len + 4, "4 bytes of metadata before the frame")) {
		memcpy(&mark, out, 4);
		ASSERT_EQ(mark, HEARTH_XDP_META_CONN, "XDP's mark");
		ASSERT_MEMEQ(out + 4 + L3 + 16, h1, 4, "translated, to the inside host");
	}
	s = from_wan(&fx, FX_SERVER_V4, FX_H1_V4, IPPROTO_UDP, 5201, 53);
	len = (__u32)pkt_build(&s, in, sizeof(in));
	out_len = sizeof(out);
	ASSERT_OK(fixture_run(&fx, fx.wan, in, len, out, &out_len, &retval), "run");
	ASSERT_EQ(retval, XDP_PASS, "no connection's, to 192.168.1.10: to the kernel");
	ASSERT_EQ(out_len, len, "... unmarked");
out:
	teardown(skel, tc);
}
