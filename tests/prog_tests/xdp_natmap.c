// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Endpoint-independent mappings in XDP (RFC 4787, RFC 5382): one public
 * port per inside socket whatever it talks to, kept when free, no port
 * shared, low ports below 1024, forwards and the gateway's own sockets
 * kept apart; filtering of unsolicited packets, hairpin through mappings,
 * and established packets that never need the mapping table. */
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <unistd.h>

#include "nat_common.h"

#define R1 FX_SERVER_V4
#define R2 "203.0.113.20"

static int natmap_fd(struct fixture *fx)
{
	return bpf_map__fd(bpf_object__find_map_by_name(fx->obj,
							HEARTH_STR(HEARTH_MAP_NATMAP)));
}

static void set_filtering(struct fixture *fx, __u8 filtering)
{
	int fd = bpf_map__fd(bpf_object__find_map_by_name(fx->obj,
							  HEARTH_STR(HEARTH_MAP_NATCFG)));
	struct hearth_nat_cfg cfg;
	__u32 zero = 0;

	if (!ASSERT_OK(bpf_map_lookup_elem(fd, &zero, &cfg), "read hearth_natcfg"))
		return;
	cfg.filtering = filtering;
	ASSERT_OK(bpf_map_update_elem(fd, &zero, &cfg, BPF_ANY), "write filtering");
}

/* From the home host @src:@sport to @dst:@dport. */
static __u32 send_out(struct fixture *fx, const char *src, __u8 proto, __u16 sport,
		      const char *dst, __u16 dport, __u8 *out, __u32 *len)
{
	struct pkt_spec s = out_spec(fx, src, proto, sport);

	s.dst = dst;
	s.dport = dport;
	return run_spec(fx, fx->lan, &s, out, len);
}

/* From @src:@sport outside to the WAN address's @dport. */
static struct pkt_spec wan_spec(struct fixture *fx, const char *src, __u16 sport,
				__u8 proto, __u16 dport)
{
	struct pkt_spec s = reply_spec(fx, proto, dport);

	s.src = src;
	s.sport = sport;
	return s;
}

/* The public port of a frame that left by the WAN (0 when it did not). */
static __u16 left_with(const __u8 *out, __u32 verdict)
{
	__u8 wan[4];

	inet_pton(AF_INET, FX_WAN_V4, wan);
	if (verdict != XDP_REDIRECT || memcmp(out + L3 + 12, wan, 4))
		return 0;
	return be16_at(out + L3 + 20);
}

/* The entries of one kind for @proto; @port picks one public port (IN,
 * PERMIT) or inside port (OUT), 0 any. The last one found in @m. */
static int natmap_count(struct fixture *fx, __u8 kind, __u8 proto, __u16 port,
			struct hearth_nat_mapping *m)
{
	struct hearth_nat_map_key key, next;
	int fd = natmap_fd(fx), n = 0;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.kind != kind || key.proto != proto ||
		    (port && key.port != htons(port)))
			continue;
		if (m)
			bpf_map_lookup_elem(fd, &key, m);
		n++;
	}
	return n;
}

/* One socket, two remote endpoints of different addresses: one public
 * port for both, its own (REQ-1 and port preservation); and with its own
 * port taken, the same other port for both. */
static void one_socket_two_remotes(__u8 proto)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	__u16 p1, p2;
	__u32 len, v;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, proto, 40000, R1, 7000, out, &len);
	p1 = left_with(out, v);
	check_headers(out, len, "to R1");
	v = send_out(&fx, FX_H1_V4, proto, 40000, R2, 7000, out, &len);
	p2 = left_with(out, v);
	check_headers(out, len, "to R2");
	ASSERT_EQ(p1, 40000, "to R1: the inside port kept");
	ASSERT_EQ(p2, p1, "to R2: the same public port");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_OUT, proto, 0, NULL), 1,
		  "one mapping for the socket");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_PERMIT, proto, 40000, NULL), 2,
		  "one permission per remote address");

	/* h2 takes 41000 first: h1's 41000 moves, and stays moved */
	v = send_out(&fx, FX_H2_V4, proto, 41000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 41000, "h2 keeps 41000");
	v = send_out(&fx, FX_H1_V4, proto, 41000, R1, 7000, out, &len);
	p1 = left_with(out, v);
	v = send_out(&fx, FX_H1_V4, proto, 41000, R2, 7000, out, &len);
	p2 = left_with(out, v);
	ASSERT_TRUE(p1 && p1 != 41000, "h1:41000 to R1: another port");
	ASSERT_EQ(p2, p1, "h1:41000 to R2: that same port");
	xdp_gateway__destroy(skel);
}

TEST(natmap_one_socket_two_remotes_udp)
{
	one_socket_two_remotes(IPPROTO_UDP);
}

TEST(natmap_one_socket_two_remotes_tcp)
{
	one_socket_two_remotes(IPPROTO_TCP);
}

/* Two hosts, one source port: two public ports (no overloading), each
 * with exactly one IN entry naming its own host. */
TEST(natmap_no_port_overloading)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct hearth_nat_mapping m;
	__u8 out[FRAME_MAX], h1[4], h2[4];
	__u16 p1, p2;
	__u32 len, v;

	if (!skel)
		return;
	inet_pton(AF_INET, FX_H1_V4, h1);
	inet_pton(AF_INET, FX_H2_V4, h2);
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 40000, R1, 7000, out, &len);
	p1 = left_with(out, v);
	/* to another remote: per-destination NAT could reuse 40000 here */
	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 40000, R2, 7000, out, &len);
	p2 = left_with(out, v);
	ASSERT_EQ(p1, 40000, "h1 keeps its port");
	ASSERT_TRUE(p2 >= 1024 && p2 != 40000, "h2 gets another port, in the range");
	if (ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_IN, IPPROTO_UDP, p1, &m), 1,
		      "one IN entry for h1's port")) {
		ASSERT_EQ(memcmp(&m.addr, h1, 4), 0, "... naming h1");
		ASSERT_EQ(ntohs(m.port), 40000, "... and its port");
	}
	if (ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_IN, IPPROTO_UDP, p2, &m), 1,
		      "one IN entry for h2's port")) {
		ASSERT_EQ(memcmp(&m.addr, h2, 4), 0, "... naming h2");
		ASSERT_EQ(ntohs(m.port), 40000, "... and its port");
	}
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_IN, IPPROTO_UDP, 0, NULL), 2,
		  "two IN entries in all");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_OUT, IPPROTO_UDP, 0, NULL), 2,
		  "two OUT entries in all");
	xdp_gateway__destroy(skel);
}

/* REQ-3: a port below 1024 stays below 1024 whatever `nat ports` says;
 * the others keep to `nat ports`. */
TEST(natmap_port_ranges)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 20000, 20099);
	__u8 out[FRAME_MAX];
	__u16 p;
	__u32 len, v;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 500, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 500, "h1:500 keeps 500 (outside nat ports)");
	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 500, R1, 7000, out, &len);
	p = left_with(out, v);
	ASSERT_TRUE(p >= 1 && p <= 1023 && p != 500, "h2:500 gets another port below 1024");
	check_headers(out, len, "low port moved");

	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 20050, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 20050, "h1:20050 keeps 20050 (in nat ports)");
	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 20050, R1, 7000, out, &len);
	p = left_with(out, v);
	ASSERT_TRUE(p >= 20000 && p <= 20099 && p != 20050, "h2:20050 moves within nat ports");
	v = send_out(&fx, FX_H1_V4, IPPROTO_TCP, 1024, R1, 7000, out, &len);
	p = left_with(out, v);
	ASSERT_TRUE(p >= 20000 && p <= 20099, "h1:1024 (not a low port) into nat ports");
	xdp_gateway__destroy(skel);
}

/* A forwarded port is never a mapping's, even when it is the only one
 * left in the range: then the connection is refused. */
TEST(natmap_forwarded_port_skipped)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 50000, 50001);
	__u8 out[FRAME_MAX];
	__u32 len, v;

	if (!skel)
		return;
	add_forward(&fx, IPPROTO_UDP, 50000, FX_H2_V4, 5000);
	add_forward(&fx, IPPROTO_TCP, 50001, FX_H2_V4, 5000);
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 50000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 50001, "h1:50000 (forwarded UDP port): moved to 50001");
	v = send_out(&fx, FX_H1_V4, IPPROTO_TCP, 50001, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 50000,
		  "h1:50001 TCP (forwarded TCP port): moved to 50000");
	/* UDP: 50000 forwarded, 50001 mapped; nothing is left */
	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 50000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 0, "h2:50000: not translated");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT), 1,
		  "... refused, nat-no-port");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_IN, IPPROTO_UDP, 50000, NULL), 0,
		  "no mapping on the forwarded UDP port");
	xdp_gateway__destroy(skel);
}

static int bound_socket(int type, __u16 port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, type, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) ||
	    (type == SOCK_STREAM && listen(fd, 4))) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The gateway's own sockets, in the fixture's namespace: a bound port is
 * not given to a mapping, and a packet to a mapping's port that a socket
 * bound later would take goes to the gateway's stack. */
static void gateway_socket_apart(__u8 proto)
{
	int type = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_spec s;
	int sk1 = -1, sk2 = -1;
	__u16 p;
	__u32 len, v;

	if (!skel)
		return;
	sk1 = bound_socket(type, 43000);
	if (!ASSERT_TRUE(sk1 >= 0, "gateway socket on 43000"))
		goto out;
	v = send_out(&fx, FX_H1_V4, proto, 43000, R1, 7000, out, &len);
	p = left_with(out, v);
	ASSERT_TRUE(p >= 1024 && p != 43000, "h1:43000: not the gateway's port 43000");

	/* h1:44000 maps to 44000 first; then the gateway binds 44000 */
	v = send_out(&fx, FX_H1_V4, proto, 44000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 44000, "h1:44000 keeps 44000");
	sk2 = bound_socket(type, 44000);
	if (!ASSERT_TRUE(sk2 >= 0, "gateway socket on 44000"))
		goto out;
	/* R1 may answer by filtering; from another port no connection knows it */
	s = wan_spec(&fx, R1, 7001, proto, 44000);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.wan, frame, len, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
		       "R1:7001 to WAN:44000, a gateway socket's: to the kernel");
	/* the connection itself is still the home host's */
	s = wan_spec(&fx, R1, 7000, proto, 44000);
	s.tcp_flags = 0x12;
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT,
		  "R1:7000's answer to h1's connection: translated");
	endpoints_are(out, R1, 7000, FX_H1_V4, 44000, "answer");
out:
	if (sk1 >= 0)
		close(sk1);
	if (sk2 >= 0)
		close(sk2);
	xdp_gateway__destroy(skel);
}

TEST(natmap_gateway_socket_udp)
{
	gateway_socket_apart(IPPROTO_UDP);
}

TEST(natmap_gateway_socket_tcp)
{
	gateway_socket_apart(IPPROTO_TCP);
}

/* A connection of the gateway's own to R1:7000 from port 45000, made after
 * h1's socket mapped 45000: h1's connection with that exact tuple is
 * refused (nat-no-port), not given the gateway's traffic; the mapping's
 * other connections are untouched. */
TEST(natmap_gateway_connection_tuple_refused)
{
	struct sockaddr_in r1 = { .sin_family = AF_INET, .sin_port = htons(7000) };
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	__u64 refused;
	__u32 len, v;
	int sk = -1;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 45000, R2, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 45000, "h1:45000 to R2 maps 45000");
	sk = bound_socket(SOCK_DGRAM, 45000);
	inet_pton(AF_INET, R1, &r1.sin_addr);
	if (!ASSERT_TRUE(sk >= 0 && !connect(sk, (struct sockaddr *)&r1, sizeof(r1)),
			 "gateway socket 45000 connected to R1:7000"))
		goto out;
	refused = fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT);
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 45000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 0, "h1:45000 to R1:7000, the gateway's tuple: not sent");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT) - refused, 1,
		  "counted nat-no-port");
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 45000, R1, 7001, out, &len);
	ASSERT_EQ(left_with(out, v), 45000, "h1:45000 to R1:7001: its mapping still");
out:
	if (sk >= 0)
		close(sk);
	xdp_gateway__destroy(skel);
}

/* A socket sending to its own mapping through the WAN address: both
 * directions would be one key, so it is the gateway's stack's, counted
 * local, not a full table. */
TEST(natmap_own_mapping_to_kernel)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_spec s;
	__u32 len, v;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 46000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 46000, "h1:46000 maps 46000");
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 46000);
	s.dst = FX_WAN_V4;
	s.dport = 46000;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
		       "h1:46000 to WAN:46000: to the gateway's stack");
	xdp_gateway__destroy(skel);
}

/* REQ-8: by default only addresses the socket sent to may reach it, from
 * any of their ports; endpoint-independent filtering lets anyone in. */
static void filtering(__u8 proto)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_spec s;
	__u32 len, v;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, proto, 40000, R1, 7000, out, &len);
	ASSERT_EQ(left_with(out, v), 40000, "h1:40000 to R1:7000");

	s = wan_spec(&fx, R1, 7001, proto, 40000);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT,
		  "R1:7001 (address sent to, other port): let in");
	endpoints_are(out, R1, 7001, FX_H1_V4, 40000, "R1:7001 let in");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "... to h1's MAC");
	check_headers(out, len, "R1:7001 let in");

	s = wan_spec(&fx, R2, 7000, proto, 40000);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.wan, frame, len, XDP_DROP, HEARTH_CNT_DROP_NAT_FILTERED,
		       "R2 (never sent to): dropped");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_PERMIT, proto, 40000, NULL), 1,
		  "the refusal opened no permission");

	set_filtering(&fx, HEARTH_FILTER_ENDPOINT);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT,
		  "endpoint-independent: R2 let in");
	endpoints_are(out, R2, 7000, FX_H1_V4, 40000, "R2 let in");
	s = wan_spec(&fx, R2, 7000, proto, 40001);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.wan, frame, len, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
		       "no mapping on 40001: the gateway's");
	xdp_gateway__destroy(skel);
}

TEST(natmap_filtering_udp)
{
	filtering(IPPROTO_UDP);
}

TEST(natmap_filtering_tcp)
{
	filtering(IPPROTO_TCP);
}

/* REQ-9: two home hosts reach each other through their mappings, each
 * seeing the other as its mapping, as two remote hosts would. */
TEST(natmap_hairpin_mappings)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX], frame[FRAME_MAX];
	struct pkt_spec s;
	__u16 pub1, pub2;
	__u32 len, v;

	if (!skel)
		return;
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 40000, R1, 3478, out, &len);
	pub1 = left_with(out, v);
	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 40000, R1, 3478, out, &len);
	pub2 = left_with(out, v);
	if (!ASSERT_TRUE(pub1 && pub2 && pub1 != pub2, "two mappings"))
		goto out;

	/* h2 first: h1 never sent to the WAN address, so filtered, but h2's
	 * mapping now lets the WAN address in */
	s = out_spec(&fx, FX_H2_V4, IPPROTO_UDP, 40000);
	s.dst = FX_WAN_V4;
	s.dport = pub1;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_DROP, HEARTH_CNT_DROP_NAT_FILTERED,
		       "h2 to WAN:pub1");

	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 40000, FX_WAN_V4, pub2, out, &len);
	ASSERT_EQ(v, XDP_REDIRECT, "h1 to WAN:pub2: hairpinned");
	endpoints_are(out, FX_WAN_V4, pub1, FX_H2_V4, 40000, "h1 to h2");
	ASSERT_MEMEQ(out, fx.h2_mac, 6, "... to h2's MAC");
	check_headers(out, len, "h1 to h2");

	v = send_out(&fx, FX_H2_V4, IPPROTO_UDP, 40000, FX_WAN_V4, pub1, out, &len);
	ASSERT_EQ(v, XDP_REDIRECT, "h2 answers WAN:pub1");
	endpoints_are(out, FX_WAN_V4, pub2, FX_H1_V4, 40000, "h2's answer");
	ASSERT_MEMEQ(out, fx.h1_mac, 6, "... to h1's MAC");
	check_headers(out, len, "h2's answer");
out:
	xdp_gateway__destroy(skel);
}

/* Connections carry their translation: with the whole mapping table gone,
 * an open connection goes on both ways, from the table itself (the
 * generation bump retires every per-CPU line). */
TEST(natmap_established_needs_no_mapping)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	struct hearth_nat_map_key key;
	__u8 out[FRAME_MAX];
	struct pkt_spec s;
	int fd, gone = 0;
	__u16 pub;
	__u32 len, v;

	if (!skel)
		return;
	fd = natmap_fd(&fx);
	/* h2 holds 40000, so h1's mapping cannot be guessed from its port */
	send_out(&fx, FX_H2_V4, IPPROTO_UDP, 40000, R2, 7000, out, &len);
	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 40000, R1, 7000, out, &len);
	pub = left_with(out, v);
	ASSERT_TRUE(pub && pub != 40000, "h1:40000 mapped to another port");
	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (!bpf_map_delete_elem(fd, &key))
			gone++;
	ASSERT_TRUE(gone >= 6, "every mapping entry deleted");
	ASSERT_OK(fixture_bump_generation(&fx), "retire the per-CPU lines");

	v = send_out(&fx, FX_H1_V4, IPPROTO_UDP, 40000, R1, 7000, out, &len);
	ASSERT_EQ(v, XDP_REDIRECT, "outbound: forwarded");
	endpoints_are(out, FX_WAN_V4, pub, R1, 7000, "outbound");
	s = wan_spec(&fx, R1, 7000, IPPROTO_UDP, pub);
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "inbound: forwarded");
	endpoints_are(out, R1, 7000, FX_H1_V4, 40000, "inbound");
	ASSERT_EQ(natmap_count(&fx, HEARTH_NATMAP_OUT, IPPROTO_UDP, 0, NULL), 0,
		  "established packets made no mapping");
	xdp_gateway__destroy(skel);
}
