// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Masquerade in XDP: outbound and return translation per protocol, port
 * choice and exhaustion, and no inside address ever leaving untranslated.
 * ICMP errors about translated connections, both ways, and those XDP
 * builds itself. Checksums are recomputed from scratch by the test. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <sched.h>
#include <stdlib.h>

#include "nat_common.h"


static __u32 run_spec_raw(struct fixture *fx, int ifindex, const __u8 *in, __u32 len,
			  __u8 *out, __u32 *out_len)
{
	__u32 retval = ~0u;

	*out_len = FRAME_MAX;
	if (fixture_run(fx, ifindex, in, len, out, out_len, &retval))
		return ~0u;
	return retval;
}

static void round_trip(__u8 proto)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct hearth_ct_key key = { .family = AF_INET, .proto = proto };
	struct hearth_ct_entry e;
	__u8 out[FRAME_MAX], wan[4], h1[4];
	__u32 len, verdict;
	__u16 port;
	struct pkt_spec s;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	inet_pton(AF_INET, FX_H1_V4, h1);

	s = out_spec(&fx, FX_H1_V4, proto, 40000);
	verdict = run_spec(&fx, fx.lan, &s, out, &len);
	ASSERT_EQ(verdict, XDP_REDIRECT, "outbound: forwarded");
	ASSERT_MEMEQ(out + L3 + 12, wan, 4, "outbound: source is the WAN address");
	port = be16_at(out + L3 + 20 + (proto == IPPROTO_ICMP ? 4 : 0));
	ASSERT_EQ(port, 40000, "outbound: a free source port in range is kept");
	check_headers(out, len, "outbound");
	ASSERT_MEMEQ(out, fx.inet_mac, 6, "outbound: to the next hop");

	/* both directions tracked, each pointing at the other */
	inet_pton(AF_INET, FX_H1_V4, &key.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &key.daddr.ip4);
	key.sport = htons(40000);
	key.dport = proto == IPPROTO_ICMP ? 0 : htons(5201);
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "original direction tracked")) {
		ASSERT_EQ(e.dir, HEARTH_CT_ORIG, "original: direction");
		ASSERT_EQ(e.nat, HEARTH_CT_NAT_SRC, "original: source NAT");
		ASSERT_EQ(e.packets, 1, "original: packet counted");
		ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &e.peer, &e), "reply direction tracked");
		ASSERT_EQ(e.nat, HEARTH_CT_NAT_DST, "reply: destination NAT");
	}

	s = reply_spec(&fx, proto, port);
	verdict = run_spec(&fx, fx.wan, &s, out, &len);
	ASSERT_EQ(verdict, XDP_REDIRECT, "return: forwarded");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "return: destination is the inside host");
	ASSERT_EQ(be16_at(out + L3 + 20 + (proto == IPPROTO_ICMP ? 4 : 2)), 40000,
		  "return: the original port");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "return: to the inside host's MAC");
	check_headers(out, len, "return");
	xdp_gateway__destroy(skel);
}

TEST(nat_round_trip_tcp)
{
	round_trip(IPPROTO_TCP);
}

TEST(nat_round_trip_udp)
{
	round_trip(IPPROTO_UDP);
}

TEST(nat_round_trip_icmp_echo)
{
	round_trip(IPPROTO_ICMP);
}

/* Two hosts, same source port, same server: the second gets another port,
 * and each reply finds its own host. */
TEST(nat_port_collision)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], h1[4], h2[4];
	__u16 p1, p2;
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_H1_V4, h1);
	inet_pton(AF_INET, FX_H2_V4, h2);
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "first host");
	p1 = be16_at(out + L3 + 20);
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "second host");
	p2 = be16_at(out + L3 + 20);
	ASSERT_EQ(p1, 40000, "first keeps its port");
	ASSERT_NEQ(p2, 40000, "second gets another port");
	ASSERT_TRUE(p2 >= 1024, "... from the range");
	check_headers(out, len, "second host");

	s = reply_spec(&fx, IPPROTO_UDP, p2);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "reply to the second");
	ASSERT_MEMEQ(out + L3 + 16, h2, 4, "reply to the second reaches the second");
	ASSERT_MEMEQ(out, fx.h2_mac, 6, "... at its MAC");
	s = reply_spec(&fx, IPPROTO_UDP, p1);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "reply to the first");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "reply to the first reaches the first");
	xdp_gateway__destroy(skel);
}

/* A range of two ports: a third colliding connection is refused with its
 * own counter, and the established ones are not disturbed. */
TEST(nat_port_exhaustion)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 50000, 50001);
	__u8 out[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	for (__u16 sport = 50000; sport < 50002; sport++) {
		s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, sport);
		ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "fills the range");
	}
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 50000);
	/* refused: the frame turned into the sender's "administratively
	 * prohibited" (nat_admin_prohibited checks it) */
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "third connection refused");
	ASSERT_EQ(out[L3 + 20], 3, "... with an ICMP destination unreachable");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT), 1, "nat-no-port counted");
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 50000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "established still forwarded");
	s = reply_spec(&fx, IPPROTO_UDP, 50001);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "established replies too");
	xdp_gateway__destroy(skel);
}

/* Outside the range, a source port is moved into it. */
TEST(nat_port_outside_range_moved)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 out[FRAME_MAX];
	__u16 port;
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "forwarded");
	port = be16_at(out + L3 + 20);
	ASSERT_TRUE(port >= 20000 && port <= 20099, "port moved into the range");
	check_headers(out, len, "moved port");
	xdp_gateway__destroy(skel);
}

TEST(nat_udp_zero_checksum_stays_zero)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	s.zero_udp_csum = true;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "forwarded");
	ASSERT_EQ(be16_at(out + L3 + 26), 0, "UDP checksum still absent");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "IPv4 header checksum");
	xdp_gateway__destroy(skel);
}

/* Inside addresses never leave untranslated: a protocol NAT cannot
 * translate is dropped, and what the kernel must answer goes up as it came. */
TEST(nat_no_leak)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 frame[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, 47 /* GRE */, 0);
	s.proto_set = true;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_LEAK, "GRE from inside");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	s.ttl = 1;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_PASS, HEARTH_CNT_PASS_TTL,
		       "TTL 1: the kernel answers the inside host");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, 40001);
	s.tcp_flags = 0x04; /* RST opens nothing */
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_LEAK,
		       "RST of an unknown connection");
	xdp_gateway__destroy(skel);
}

/* Unsolicited traffic to the WAN address is the gateway's: left alone. */
TEST(nat_unsolicited_inbound_untouched)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 frame[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = reply_spec(&fx, IPPROTO_TCP, 22);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.wan, frame, len, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
		       "to the WAN address, no connection");
	xdp_gateway__destroy(skel);
}

/* Random headers and payloads: every translation checks out from scratch. */
TEST(nat_checksums_random)
{
	static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	int bad = 0, forwarded = 0;

	if (!skel)
		return;
	srand(3);
	for (int i = 0; i < 3000; i++) {
		struct pkt_spec s = out_spec(&fx, FX_H1_V4, protos[i % 3],
					     (__u16)(1 + rand() % 65535));
		__u8 out[FRAME_MAX];
		__u32 len;

		s.payload = (__u16)(rand() % 200);
		s.tcp_flags = 0x10; /* ACK */
		if (run_spec(&fx, fx.lan, &s, out, &len) != XDP_REDIRECT)
			continue;
		forwarded++;
		if (!pkt_ipv4_hdr_csum_ok(out + L3) || !pkt_l4_csum_ok(out, len, L3))
			bad++;
	}
	ASSERT_TRUE(forwarded > 2900, "translated and forwarded");
	ASSERT_EQ(bad, 0, "translations with a wrong checksum");
	xdp_gateway__destroy(skel);
}

static void forward_round_trip(__u8 proto)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	add_forward(&fx, proto, 8080, FX_H1_V4, 80);
	/* from the internet to WAN:8080 */
	s = reply_spec(&fx, proto, 8080);
	s.sport = 5555;
	s.tcp_flags = 0x02;
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "inbound: forwarded");
	endpoints_are(out, FX_SERVER_V4, 5555, FX_H1_V4, 80, "inbound");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "inbound: to the inside server");
	check_headers(out, len, "inbound");
	/* the server answers from port 80 */
	s = out_spec(&fx, FX_H1_V4, proto, 80);
	s.dport = 5555;
	s.tcp_flags = 0x12;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "answer: forwarded");
	endpoints_are(out, FX_WAN_V4, 8080, FX_SERVER_V4, 5555, "answer");
	ASSERT_MEMEQ(out, fx.inet_mac, 6, "answer: to the next hop");
	check_headers(out, len, "answer");
	xdp_gateway__destroy(skel);
}

TEST(nat_forward_tcp)
{
	forward_round_trip(IPPROTO_TCP);
}

TEST(nat_forward_udp)
{
	forward_round_trip(IPPROTO_UDP);
}

/* home2 reaches the home1 server through the WAN address: both ends are
 * rewritten so that home1's answer comes back through the gateway. */
TEST(nat_hairpin)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	add_forward(&fx, IPPROTO_TCP, 8080, FX_H1_V4, 80);
	s = out_spec(&fx, FX_H2_V4, IPPROTO_TCP, 40000);
	s.dst = FX_WAN_V4;
	s.dport = 8080;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "to WAN:8080 from home2");
	endpoints_are(out, FX_WAN_V4, 40000, FX_H1_V4, 80, "hairpin request");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "hairpin request: back out of the LAN to home1");
	ASSERT_MEMEQ(out + 6, fx.lan_mac, 6, "... from the gateway's LAN MAC");
	check_headers(out, len, "hairpin request");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, 80);
	s.dst = FX_WAN_V4;
	s.dport = 40000;
	s.tcp_flags = 0x12;
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "home1 answers the WAN address");
	endpoints_are(out, FX_WAN_V4, 8080, FX_H2_V4, 40000, "hairpin answer");
	ASSERT_MEMEQ(out, fx.h2_mac, 6, "hairpin answer: to home2");
	check_headers(out, len, "hairpin answer");
	xdp_gateway__destroy(skel);
}

/* An ICMP error from a router on the path, quoting @quote (our packet as
 * it left the WAN: IPv4 header and 8 bytes of transport). */
static __u32 build_icmp_error(struct fixture *fx, const __u8 *quote, __u8 type,
			      __u8 *frame)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = "198.51.100.2", .dst = FX_WAN_V4,
		.icmp_type = type,
	};

	memcpy(s.dmac, fx->wan_mac, 6);
	memcpy(s.smac, fx->inet_mac, 6);
	return icmp_error_frame(s, 0, quote, frame);
}

static void icmp_error_translated(__u8 proto)
{
	struct fixture fx;
	/* a range that moves port 40000, so the quoted port must change back */
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 orig[FRAME_MAX], out[FRAME_MAX], err[FRAME_MAX], h1[4];
	__u32 len, orig_len;
	struct pkt_spec s;
	const __u8 *q;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_H1_V4, h1);
	s = out_spec(&fx, FX_H1_V4, proto, 40000);
	orig_len = (__u32)pkt_build(&s, orig, sizeof(orig));
	len = sizeof(out);
	fixture_run(&fx, fx.lan, orig, orig_len, out, &len, &(__u32){ 0 });
	len = build_icmp_error(&fx, out + L3, 11, err);
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, err, len, out, &len), XDP_REDIRECT,
		  "error forwarded to the inside host");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "outer destination: the inside host");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "to its MAC");
	q = out + L3 + 20 + 8;
	ASSERT_MEMEQ(q + 12, h1, 4, "quoted source: the inside host");
	ASSERT_EQ(be16_at(q + 20 + (proto == IPPROTO_ICMP ? 4 : 0)), 40000,
		  "quoted port or echo id: the original");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "outer IPv4 checksum");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(q), "quoted IPv4 checksum");
	ASSERT_EQ(pkt_csum(out + L3 + 20, 36, 0), 0, "ICMP checksum (recomputed)");
	/* the quoted transport checksum is what home1 sent, as it sent it */
	if (proto == IPPROTO_UDP)
		ASSERT_MEMEQ(q + 26, orig + L3 + 26, 2, "quoted UDP checksum restored");
	if (proto == IPPROTO_ICMP)
		ASSERT_MEMEQ(q + 22, orig + L3 + 22, 2, "quoted echo checksum restored");
	xdp_gateway__destroy(skel);
}

TEST(nat_icmp_error_udp)
{
	icmp_error_translated(IPPROTO_UDP);
}

TEST(nat_icmp_error_tcp)
{
	icmp_error_translated(IPPROTO_TCP);
}

TEST(nat_icmp_error_echo)
{
	icmp_error_translated(IPPROTO_ICMP);
}

/* An error about nothing we track is the gateway's own business. */
TEST(nat_icmp_error_unknown)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 quote[28], err[FRAME_MAX];
	__u32 len;

	if (!skel)
		return;
	udp_quote(quote, FX_WAN_V4, FX_SERVER_V4);
	len = build_icmp_error(&fx, quote, 3, err);
	expect_verdict(&fx, fx.wan, err, len, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
		       "error about no connection");
	xdp_gateway__destroy(skel);
}

/* An ICMP error is translated but is no answer: the connection stays
 * unreplied (and so keeps its short timeout). */
TEST(nat_icmp_error_is_no_answer)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct hearth_ct_key key = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct hearth_ct_entry e;
	__u8 out[FRAME_MAX], err[FRAME_MAX];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	run_spec(&fx, fx.lan, &s, out, &len);
	len = build_icmp_error(&fx, out + L3, 3, err);
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, err, len, out, &len), XDP_REDIRECT, "error translated");
	inet_pton(AF_INET, FX_H1_V4, &key.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &key.daddr.ip4);
	key.sport = htons(40000);
	key.dport = htons(5201);
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "connection tracked") &&
	    ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &e.peer, &e), "reply half"))
		ASSERT_EQ(e.packets, 0, "no packet counted as an answer");
	xdp_gateway__destroy(skel);
}

/* Established packets are served by this CPU's line: a change to the
 * shared entry shows only once the line is retired (generation), and no
 * packet count is lost between the line and the entry. */
TEST(nat_ct_line_serves_and_hands_over)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct hearth_ct_key key = { .family = AF_INET, .proto = IPPROTO_UDP };
	struct hearth_ct_entry e;
	__u8 out[FRAME_MAX], other[4];
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	for (int i = 0; i < 5; i++)
		ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "packet forwarded");
	inet_pton(AF_INET, FX_H1_V4, &key.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &key.daddr.ip4);
	key.sport = htons(40000);
	key.dport = htons(5201);
	if (!ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked"))
		goto out;
	ASSERT_TRUE(e.packets < 5, "some counts still wait in the line");

	inet_pton(AF_INET, "198.51.100.77", other);
	memcpy(&e.nat_saddr, other, 4);
	hearth_ct_update(fx.ct_fd, &key, &e);
	run_spec(&fx, fx.lan, &s, out, &len);
	ASSERT_TRUE(memcmp(out + L3 + 12, other, 4) != 0, "the line still serves");

	fixture_bump_generation(&fx);
	run_spec(&fx, fx.lan, &s, out, &len);
	ASSERT_MEMEQ(out + L3 + 12, other, 4, "a retired line takes the entry again");
	ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "still tracked");
	/* 6 packets went through the first line, handed over when retired; the
	 * 7th waits in the new line */
	ASSERT_EQ(e.packets, 6, "counts handed to the entry");
out:
	xdp_gateway__destroy(skel);
}

/* The line carries the connection's forwarding decision; a neighbour
 * change (generation bump, as hearthd does on the netlink event) reaches
 * established connections at once. */
TEST(nat_ct_line_route_follows_changes)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], moved[6] = { 0x02, 0, 0, 0, 0x99, 0x02 };
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, 40000);
	s.tcp_flags = 0x10;
	for (int i = 0; i < 3; i++)
		run_spec(&fx, fx.lan, &s, out, &len);
	ASSERT_MEMEQ(out, fx.inet_mac, 6, "established: to the next hop");
	fixture_sh("ip neigh replace 198.51.100.2 lladdr 02:00:00:00:99:02 dev wan0 nud permanent");
	ASSERT_OK(fixture_bump_generation(&fx), "bump generation");
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "still forwarded");
	ASSERT_MEMEQ(out, moved, 6, "established: to the next hop's new MAC");
	check_headers(out, len, "after the change");
	xdp_gateway__destroy(skel);
}

/* Fragments of a reply go up to the kernel (which forwards them one by
 * one) already addressed to the inside host: the first by its ports, the
 * later ones by their datagram. */
TEST(nat_fragments_inbound)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 out[FRAME_MAX], h1[4], wan[4];
	__u16 port;
	__u32 len;
	struct pkt_spec s;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_H1_V4, h1);
	inet_pton(AF_INET, FX_WAN_V4, wan);
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	run_spec(&fx, fx.lan, &s, out, &len);
	port = be16_at(out + L3 + 20);

	s = reply_spec(&fx, IPPROTO_UDP, port);
	s.frag_off = 0x2000; /* first fragment: more follow */
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_PASS, "first fragment up to the kernel");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "first fragment: to the inside host");
	ASSERT_EQ(be16_at(out + L3 + 22), 40000, "first fragment: the original port");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "first fragment: IPv4 checksum");

	s.frag_off = 100; /* a later fragment of the same datagram (same id) */
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_PASS, "later fragment up to the kernel");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "later fragment: to the inside host");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "later fragment: IPv4 checksum");

	s.src = "203.0.113.77"; /* a datagram whose first fragment never came */
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_PASS, "unknown datagram up as it came");
	ASSERT_MEMEQ(out + L3 + 16, wan, 4, "unknown datagram: untouched");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_PASS_FRAGMENT), 3, "all counted as fragments");
	xdp_gateway__destroy(skel);
}

/* A packet to translate whose transport header the IP length does not
 * hold is dropped and counted (bad-l4); Ethernet padding is not that. */
TEST(nat_malformed_l4_dropped)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 frame[FRAME_MAX], out[FRAME_MAX];
	static const __u8 doffs[] = { 0, 2, 15 };
	struct pkt_spec s;
	__u32 len, out_len, verdict;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 41000);
	s.payload = 0;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	set_ip_len(frame, 20 + 4);
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_L4,
		       "UDP header cut by the IP length");

	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 41001);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	frame[L3 + 20 + 4] = 0, frame[L3 + 20 + 5] = 8; /* UDP length 8 */
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_L4,
		       "UDP length not the IP payload's");

	for (size_t i = 0; i < sizeof(doffs); i++) {
		char what[48];

		s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, (__u16)(41010 + i));
		s.payload = 0; /* a bare 20-byte header: 60 bytes of it are too many */
		len = (__u32)pkt_build(&s, frame, sizeof(frame));
		frame[L3 + 20 + 12] = (__u8)(doffs[i] << 4);
		snprintf(what, sizeof(what), "TCP data offset %u", doffs[i]);
		expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_L4, what);
	}

	s = out_spec(&fx, FX_H1_V4, IPPROTO_ICMP, 41020);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	set_ip_len(frame, 20 + 4);
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_BAD_L4,
		       "ICMP header cut by the IP length");

	/* a minimum-size frame: the 18 bytes after a 28-byte datagram are padding */
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 41030);
	s.payload = 0;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	memset(frame + len, 0, 60 - len);
	verdict = run_spec_raw(&fx, fx.lan, frame, 60, out, &out_len);
	ASSERT_EQ(verdict, XDP_REDIRECT, "Ethernet padding after the datagram: translated");
	xdp_gateway__destroy(skel);
}

/*
 * ICMP errors hearth builds itself (RFC 5508): the frame that earned one
 * is checked byte for byte: Ethernet back to its sender, an IPv4 header
 * from @src (TOS 0xc0, DF, TTL 64), ICMP @type/@code with @mtu in the
 * next-hop MTU field, and the quote: the IPv4 header and 8 bytes of what
 * the sender sent (@sent, a whole frame), unchanged. Checksums recomputed.
 */
static bool icmp_error_is(const __u8 *out, __u32 len, const __u8 *sent, const char *src,
			  __u8 type, __u8 code, __u16 mtu, const char *what)
{
	static const __u8 ip_head[] = { 0x45, 0xc0, 0, 56, 0, 0, 0x40, 0, 64, IPPROTO_ICMP };
	const __u8 *ip = out + L3, *ic = ip + 20;
	__u8 saddr[4];
	char msg[128];
	bool ok;

	inet_pton(AF_INET, src, saddr);
#define CHECK(cond, part) (snprintf(msg, sizeof(msg), "%s: %s", what, part), ASSERT_TRUE(cond, msg))
	ok = CHECK(len == L3 + 56, "frame length 70");
	if (!ok)
		return false;
	ok &= CHECK(!memcmp(out, sent + 6, 6), "to the sender's MAC");
	ok &= CHECK(!memcmp(out + 6, sent, 6), "from the MAC it was sent to");
	ok &= CHECK(out[12] == 0x08 && out[13] == 0x00, "IPv4 ethertype");
	ok &= CHECK(!memcmp(ip, ip_head, sizeof(ip_head)), "IPv4 header fields");
	ok &= CHECK(!memcmp(ip + 12, saddr, 4), "source address");
	ok &= CHECK(!memcmp(ip + 16, sent + L3 + 12, 4), "to the sender's address");
	ok &= CHECK(pkt_ipv4_hdr_csum_ok(ip), "IPv4 header checksum");
	ok &= CHECK(ic[0] == type && ic[1] == code, "ICMP type and code");
	ok &= CHECK(ic[4] == 0 && ic[5] == 0 && be16_at(ic + 6) == mtu, "unused and next-hop MTU");
	ok &= CHECK(pkt_csum(ic, 36, 0) == 0, "ICMP checksum (recomputed)");
	ok &= CHECK(!memcmp(ic + 8, sent + L3, 28), "quote: what the sender sent, byte for byte");
#undef CHECK
	return ok;
}

/* Exactly one more of counter @id on @ifindex since @before. */
static bool counted_once(struct fixture *fx, int ifindex, int id, __u64 before,
			 const char *what)
{
	return ASSERT_EQ(fixture_counter(fx, ifindex, id) - before, 1, what);
}

/* A packet of a translated connection that would expire here gets "time
 * exceeded" from the WAN address, about itself as it came; it is counted
 * as dropped (nat-ttl) and the error as sent (icmp-sent). */
TEST(nat_inbound_ttl_one_time_exceeded)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	__u32 len, out_len;
	struct pkt_spec s;
	__u64 tx;

	if (!skel)
		return;
	s = out_spec(&fx, FX_H1_V4, IPPROTO_TCP, 40000);
	run_spec(&fx, fx.lan, &s, out, &len);
	tx = fixture_counter(&fx, fx.lan, HEARTH_CNT_TX);
	s = reply_spec(&fx, IPPROTO_TCP, 40000);
	s.ttl = 1;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, frame, len, out, &out_len), XDP_REDIRECT,
		  "TTL 1 on a translated connection: answered");
	icmp_error_is(out, out_len, frame, FX_WAN_V4, 11, 0, 0, "time exceeded");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_NAT_TTL), 1, "nat-ttl counted");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_ICMP_SENT), 1, "icmp-sent counted");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_TX), tx, "nothing forwarded to home1");
	xdp_gateway__destroy(skel);
}

/* traceroute -T through a forward: the probe with TTL 1 opens nothing
 * visible to the home server and gets the gateway's hop. */
TEST(nat_forward_ttl_one_time_exceeded)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	__u32 len, out_len;
	struct pkt_spec s;

	if (!skel)
		return;
	add_forward(&fx, IPPROTO_TCP, 8080, FX_H1_V4, 80);
	s = reply_spec(&fx, IPPROTO_TCP, 8080);
	s.sport = 5555;
	s.ttl = 1;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, frame, len, out, &out_len), XDP_REDIRECT,
		  "SYN with TTL 1 to a forwarded port: answered");
	icmp_error_is(out, out_len, frame, FX_WAN_V4, 11, 0, 0, "time exceeded, forward");
	ASSERT_EQ(be16_at(out + L3 + 28 + 22), 8080, "quote: the WAN port");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_NAT_TTL), 1, "nat-ttl counted");
	s.ttl = 2; /* the next probe reaches the server */
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "TTL 2: forwarded");
	endpoints_are(out, FX_SERVER_V4, 5555, FX_H1_V4, 80, "TTL 2");
	ASSERT_EQ(out[L3 + 8], 1, "TTL 2: leaves with 1");
	xdp_gateway__destroy(skel);
}

/* The LAN's MTU is 1400: a translated inbound 1500-byte packet with DF
 * gets "fragmentation needed" (MTU 1400) from the WAN address, quoting it
 * as it arrived (the destination rewrite undone); without DF it goes to
 * the kernel, translated, to be fragmented. */
static void too_big(__u8 proto, bool forward)
{
	struct fixture fx;
	/* a range that moves port 40000: the quote must show the WAN port */
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 out[FRAME_MAX], frame[FRAME_MAX], h1[4];
	__u32 len, out_len;
	__u16 port = 8080;
	struct pkt_spec s;
	char what[64];

	if (!skel)
		return;
	snprintf(what, sizeof(what), "%s %s", proto == IPPROTO_TCP ? "TCP" : "UDP",
		 forward ? "forward" : "masquerade");
	inet_pton(AF_INET, FX_H1_V4, h1);
	ASSERT_OK(fixture_sh("ip link set lan0 mtu 1400"), "LAN MTU 1400");
	if (forward) {
		add_forward(&fx, proto, 8080, FX_H1_V4, 80);
	} else {
		s = out_spec(&fx, FX_H1_V4, proto, 40000);
		run_spec(&fx, fx.lan, &s, out, &len);
		port = be16_at(out + L3 + 20);
	}
	s = reply_spec(&fx, proto, port);
	if (forward && proto == IPPROTO_TCP) {
		/* the forward's connection opens with a SYN (no pick-up
		 * from outside) */
		s.tcp_flags = 0x02;
		ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "SYN forwarded");
	}
	s.payload = 1500 - 20 - (proto == IPPROTO_TCP ? 20 : 8);
	s.frag_off = 0x4000; /* DF */
	s.tcp_flags = 0x10;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, frame, len, out, &out_len), XDP_REDIRECT,
		  "too big with DF: answered");
	icmp_error_is(out, out_len, frame, FX_WAN_V4, 3, 4, 1400, what);
	ASSERT_EQ(be16_at(out + L3 + 28 + 22), port, "quote: the WAN port");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_NAT_TOO_BIG), 1, "nat-too-big counted");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_ICMP_SENT), 1, "icmp-sent counted");

	s.frag_off = 0;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, frame, len, out, &out_len), XDP_PASS,
		  "too big without DF: to the kernel");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "... translated, to the inside host");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "... IPv4 checksum");
	ASSERT_TRUE(pkt_l4_csum_ok(out, out_len, L3), "... transport checksum");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_PASS_FRAG_NEEDED), 1, "frag-needed counted");

	s.payload = 1400 - 20 - (proto == IPPROTO_TCP ? 20 : 8);
	s.frag_off = 0x4000;
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "1400 bytes with DF: forwarded");
	ASSERT_MEMEQ(out + L3 + 16, h1, 4, "... to the inside host");
	xdp_gateway__destroy(skel);
}

TEST(nat_too_big_masquerade_udp)
{
	too_big(IPPROTO_UDP, false);
}

TEST(nat_too_big_forward_tcp)
{
	too_big(IPPROTO_TCP, true);
}

TEST(nat_too_big_forward_udp)
{
	too_big(IPPROTO_UDP, true);
}

/* An ICMP error a home host sends about a packet it received (a port
 * unreachable, say), quoting @quote (IPv4 header and 8 bytes). */
static __u32 build_error_from(struct fixture *fx, const char *src, const char *dst,
			      const __u8 *quote, __u8 type, __u8 code, __u8 *frame)
{
	struct pkt_spec s = lan_spec(fx, AF_INET, dst);

	s.src = src;
	s.icmp_type = type;
	return icmp_error_frame(s, code, quote, frame);
}

/*
 * The mirror of nat_icmp_error_*: home1's error about a packet of a
 * translated connection leaves translated. @forward: the remote client
 * reached home1 by the UDP/TCP forward WAN:8080 -> home1:80; else home1
 * opened the connection (masquerade, its port moved) and errs about the
 * answer. Outer source, quoted destination and port become public; the
 * quoted source and every checksum are what the remote host sent.
 */
static void icmp_error_out(__u8 proto, bool forward)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 in[FRAME_MAX], got[FRAME_MAX], err[FRAME_MAX], out[FRAME_MAX], wan[4];
	__u32 len, got_len, out_len;
	__u16 pub_port = 8080, rport = 5555;
	const __u8 *q;
	struct pkt_spec s;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	if (forward) {
		add_forward(&fx, proto, 8080, FX_H1_V4, 80);
		s = reply_spec(&fx, proto, 8080);
		s.sport = rport;
	} else {
		s = out_spec(&fx, FX_H1_V4, proto, 40000);
		run_spec(&fx, fx.lan, &s, out, &len);
		pub_port = be16_at(out + L3 + 20);
		rport = 5201;
		s = reply_spec(&fx, proto, pub_port);
	}
	/* a forward's connection opens with a SYN (no pick-up from outside) */
	s.tcp_flags = forward ? 0x02 : 0x12;
	len = (__u32)pkt_build(&s, in, sizeof(in));
	/* what home1 received: the remote packet, translated */
	ASSERT_EQ(run_spec_raw(&fx, fx.wan, in, len, got, &got_len), XDP_REDIRECT, "delivered");
	len = build_error_from(&fx, FX_H1_V4, FX_SERVER_V4, got + L3, 3, 3, err);
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, err, len, out, &out_len), XDP_REDIRECT,
		  "home1's port unreachable: forwarded");
	ASSERT_MEMEQ(out + L3 + 12, wan, 4, "outer source: the WAN address");
	ASSERT_MEMEQ(out + L3 + 16, in + L3 + 12, 4, "outer destination: the remote host");
	ASSERT_MEMEQ(out, fx.inet_mac, 6, "to the next hop");
	q = out + L3 + 28;
	ASSERT_MEMEQ(q + 12, in + L3 + 12, 4, "quoted source: the remote host");
	ASSERT_EQ(be16_at(q + 20), rport, "quoted source port: the remote one");
	ASSERT_MEMEQ(q + 16, wan, 4, "quoted destination: the WAN address");
	ASSERT_EQ(be16_at(q + 22), pub_port, "quoted destination port: the public one");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "outer IPv4 checksum");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(q), "quoted IPv4 checksum");
	ASSERT_EQ(pkt_csum(out + L3 + 20, 36, 0), 0, "ICMP checksum (recomputed)");
	/* the quoted header is the remote host's as it sent it, but for the
	 * TTL home1 saw (and the checksum that follows it) */
	ASSERT_MEMEQ(q, in + L3, 8, "quoted IPv4 header: version to fragment");
	ASSERT_MEMEQ(q + 9, in + L3 + 9, 1, "quoted protocol");
	ASSERT_MEMEQ(q + 20, in + L3 + 20, 8, "quoted transport header as the remote host sent it");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_LEAK), 0, "nothing blocked");
	xdp_gateway__destroy(skel);
}

TEST(nat_icmp_error_out_forward_udp)
{
	icmp_error_out(IPPROTO_UDP, true);
}

TEST(nat_icmp_error_out_forward_tcp)
{
	icmp_error_out(IPPROTO_TCP, true);
}

TEST(nat_icmp_error_out_masquerade_udp)
{
	icmp_error_out(IPPROTO_UDP, false);
}

/* An error from a home host about nothing translated never leaves with
 * the home address. */
TEST(nat_icmp_error_out_unknown_blocked)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 quote[28], err[FRAME_MAX];
	__u32 len;

	if (!skel)
		return;
	udp_quote(quote, FX_SERVER_V4, FX_H1_V4);
	len = build_error_from(&fx, FX_H1_V4, FX_SERVER_V4, quote, 3, 3, err);
	expect_verdict(&fx, fx.lan, err, len, XDP_DROP, HEARTH_CNT_DROP_LEAK,
		       "home1's error about no connection");
	xdp_gateway__destroy(skel);
}

/* Sets every rate limit of every CPU to a window that began at @window
 * (jiffies) with @sent errors in it. */
static void icmp_rl_set(struct fixture *fx, __u64 window, __u32 sent)
{
	struct bpf_map *map = bpf_object__find_map_by_name(fx->obj, HEARTH_STR(HEARTH_MAP_ICMPRL));
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_icmp_rl vals[ncpus > 0 ? ncpus : 1];

	memset(vals, 0, sizeof(vals));
	for (int i = 0; i < ncpus; i++) {
		vals[i].window = window;
		vals[i].sent = sent;
	}
	for (__u32 slot = 0; slot < HEARTH_ICMP_RL_MAX; slot++)
		ASSERT_OK(bpf_map_update_elem(bpf_map__fd(map), &slot, vals, BPF_ANY),
			  "reset the ICMP rate limit");
}

/*
 * RFC 5508 REQ-8: a new connection NAT refuses (no free port) is answered
 * with "communication administratively prohibited" from the gateway's LAN
 * address, at most 10 a second per CPU (the window is made to last here,
 * and the test keeps to one CPU).
 */
TEST(nat_admin_prohibited)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_open(&fx);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	__u32 len, out_len, redirected = 0;
	__u64 sent0;
	cpu_set_t cpu;
	struct pkt_spec s;

	if (!skel)
		return;
	CPU_ZERO(&cpu);
	CPU_SET(0, &cpu);
	ASSERT_OK(sched_setaffinity(0, sizeof(cpu), &cpu), "keep to CPU 0");
	skel->rodata->icmp_window_jiffies = 1ULL << 40; /* a window that never ends */
	skel = gw_load(&fx, skel);
	if (!skel || !ASSERT_OK(fixture_enable_nat(&fx, 50000, 50001), "enable NAT"))
		goto out;
	for (__u16 sport = 50000; sport < 50002; sport++) {
		s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, sport);
		ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "fills the range");
	}
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 50000);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, frame, len, out, &out_len), XDP_REDIRECT,
		  "refused connection: answered");
	icmp_error_is(out, out_len, frame, FX_LAN_V4, 3, 13, 0, "admin prohibited");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT), 1, "nat-no-port counted");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_ICMP_SENT), 1, "icmp-sent counted");

	for (int i = 0; i < 20; i++)
		if (run_spec_raw(&fx, fx.lan, frame, len, out, &out_len) == XDP_REDIRECT)
			redirected++;
	ASSERT_EQ(redirected, 9, "rate limit: 10 errors in the window, the rest dropped");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_ICMP_SENT), 10, "icmp-sent: 10");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT), 21,
		  "every refusal counted");

	/* a full window that began a window's length ago (2^40 jiffies before
	 * jiffy 0, wrapping): over, so the count starts again */
	icmp_rl_set(&fx, 0 - (1ULL << 40), 10);
	sent0 = fixture_counter(&fx, fx.lan, HEARTH_CNT_ICMP_SENT);
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, frame, len, out, &out_len), XDP_REDIRECT,
		  "a new window: answered again");
	counted_once(&fx, fx.lan, HEARTH_CNT_ICMP_SENT, sent0, "icmp-sent in the new window");
	/* a full window that has just begun: nothing */
	icmp_rl_set(&fx, 0, 10);
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, frame, len, out, &out_len), XDP_DROP,
		  "a full window that is not over: dropped only");
out:
	if (skel)
		xdp_gateway__destroy(skel);
}

/* A hairpin connection (home2 -> WAN:8080 -> home1:80): home1's error
 * about the packet it got (from WAN:p) goes to home2 translated both ways,
 * quoting exactly what home2 sent, but for the TTL. */
TEST(nat_icmp_error_hairpin)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 sent[FRAME_MAX], got[FRAME_MAX], err[FRAME_MAX], out[FRAME_MAX], wan[4], h2[4];
	__u32 len, got_len, out_len;
	struct pkt_spec s;
	const __u8 *q;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	inet_pton(AF_INET, FX_H2_V4, h2);
	add_forward(&fx, IPPROTO_UDP, 8080, FX_H1_V4, 80);
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 40000);
	s.dst = FX_WAN_V4;
	s.dport = 8080;
	len = (__u32)pkt_build(&s, sent, sizeof(sent));
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, sent, len, got, &got_len), XDP_REDIRECT,
		  "hairpin request delivered");
	len = build_error_from(&fx, FX_H1_V4, FX_WAN_V4, got + L3, 3, 3, err);
	ASSERT_EQ(run_spec_raw(&fx, fx.lan, err, len, out, &out_len), XDP_REDIRECT,
		  "home1's port unreachable: forwarded");
	ASSERT_MEMEQ(out + L3 + 12, wan, 4, "outer source: the WAN address");
	ASSERT_MEMEQ(out + L3 + 16, h2, 4, "outer destination: home2");
	ASSERT_MEMEQ(out, fx.h2_mac, 6, "to home2's MAC");
	q = out + L3 + 28;
	ASSERT_MEMEQ(q, sent + L3, 8, "quoted IPv4 header: version to fragment");
	ASSERT_MEMEQ(q + 9, sent + L3 + 9, 1, "quoted protocol");
	ASSERT_MEMEQ(q + 12, sent + L3 + 12, 16, "quoted addresses and UDP header: home2's");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(out + L3), "outer IPv4 checksum");
	ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(q), "quoted IPv4 checksum");
	ASSERT_EQ(pkt_csum(out + L3 + 20, 36, 0), 0, "ICMP checksum (recomputed)");
	xdp_gateway__destroy(skel);
}
