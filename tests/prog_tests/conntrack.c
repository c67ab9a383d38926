// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The connection table the data plane keeps alone: timeouts (as the data
 * plane and hearthd both judge them), an expired entry absent to the
 * packet path, TCP followed as Linux conntrack does, and the eviction
 * order in a full set. */
#define _GNU_SOURCE
#include <sched.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>
#include <unistd.h>

#include "fw_common.h"

#define HZ 100
#define NOW 1000000ULL

static int count_conn(const struct hearth_conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

/* A synthetic connection of @proto from port @sport, in @state, idle
 * @idle_s seconds at NOW. */
static void put_conn(int fd, __u8 proto, __u16 sport, __u16 dport, __u8 state,
		     __u64 idle_s)
{
	struct hearth_ct_key o, r;
	struct hearth_ct_entry eo = { .dir = HEARTH_CT_ORIG, .state = state };
	struct hearth_ct_entry er = { .dir = HEARTH_CT_REPLY, .state = state };
	int rs, os;

	key6(&o, FX_H1_V6, FX_SERVER_V6, proto, sport, dport);
	key6(&r, FX_SERVER_V6, FX_H1_V6, proto, dport, sport);
	eo.peer = r;
	er.peer = o;
	eo.active = er.active = NOW - idle_s * HZ;
	rs = hearth_ct_insert(fd, &r, &er);
	eo.peer_slot = rs < 0 ? 0 : (__u32)rs;
	eo.peer_gen = er.gen;
	os = hearth_ct_insert(fd, &o, &eo);
	ASSERT_TRUE(rs >= 0 && os >= 0, "synthetic connection written");
}

static bool listed(struct hearth_dp *dp, __u8 proto, __u16 sport, __u16 dport)
{
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	int n = 0, without = 0;

	key6(&key, FX_H1_V6, FX_SERVER_V6, proto, sport, dport);
	if (hearth_ct_lookup(dp->map_fd[HEARTH_DP_CT], &key, &e))
		return false;
	/* alive at NOW as the walk judges it: the walk lists one fewer
	 * without it */
	hearth_ct_walk_at(dp, NOW, HZ, count_conn, &n);
	hearth_ct_delete(dp->map_fd[HEARTH_DP_CT], &key);
	hearth_ct_walk_at(dp, NOW, HZ, count_conn, &without);
	hearth_ct_insert(dp->map_fd[HEARTH_DP_CT], &key, &e);
	return n - without == 1;
}

/* The gateway object loaded alone (no interfaces), @dp reaching its
 * connection table, lines and round-trip records; NULL when it does not
 * load. */
static struct xdp_gateway *table_only(struct hearth_dp *dp)
{
	struct xdp_gateway *skel = xdp_gateway__open_and_load();

	if (!ASSERT_TRUE(skel != NULL, "gateway object loaded"))
		return NULL;
	dp->map_fd[HEARTH_DP_CT] = bpf_map__fd(skel->maps.HEARTH_MAP_CT);
	dp->map_fd[HEARTH_DP_CTL1] = bpf_map__fd(skel->maps.HEARTH_MAP_CTL1);
	dp->map_fd[HEARTH_DP_CTRTT] = bpf_map__fd(skel->maps.HEARTH_MAP_CTRTT);
	return skel;
}

/* The RFC minimums, as hearth_ct_timeout_s gives them to the data plane
 * and to hearthd alike: alive a second before, gone a second after the
 * timeout and two lines' lives (hearth_ct_idle_max). */
TEST(conntrack_timeouts)
{
	struct hearth_dp dp = {};
	struct xdp_gateway *skel;
	int fd, n = 0;

	if (!test__require_root())
		return;
	skel = table_only(&dp);
	if (!skel)
		return;
	fd = dp.map_fd[HEARTH_DP_CT];
	put_conn(fd, IPPROTO_UDP, 1001, 80, 0, 119); /* 120 s: alive */
	put_conn(fd, IPPROTO_UDP, 1002, 80, 0, 123);
	put_conn(fd, IPPROTO_UDP, 1003, 53, 0, 29); /* DNS, 30 s */
	put_conn(fd, IPPROTO_UDP, 1004, 53, 0, 33);
	put_conn(fd, IPPROTO_TCP, 2001, 80, HEARTH_TCP_ESTABLISHED, 7439); /* 2 h 4 min */
	put_conn(fd, IPPROTO_TCP, 2002, 80, HEARTH_TCP_ESTABLISHED, 7443);
	put_conn(fd, IPPROTO_TCP, 2003, 80, HEARTH_TCP_CLOSE, 239); /* reset: 4 min */
	put_conn(fd, IPPROTO_TCP, 2004, 80, HEARTH_TCP_CLOSE, 243);
	put_conn(fd, IPPROTO_TCP, 2005, 80, HEARTH_TCP_SYN_SENT, 239);
	put_conn(fd, IPPROTO_TCP, 2006, 80, HEARTH_TCP_FIN_WAIT, 243);
	put_conn(fd, IPPROTO_ICMPV6, 3001, 0, 0, 59); /* echo: 60 s */
	put_conn(fd, IPPROTO_ICMPV6, 3002, 0, 0, 63);
	put_conn(fd, IPPROTO_ESP, 0, 0, 0, 299); /* the rest: 5 min */
	put_conn(fd, IPPROTO_ESP, 1, 1, 0, 303);
	hearth_ct_walk_at(&dp, NOW, HZ, count_conn, &n);
	ASSERT_EQ(n, 7, "alive at NOW");
	ASSERT_TRUE(listed(&dp, IPPROTO_UDP, 1001, 80), "UDP after 119 s (RFC 4787 REQ-5)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_UDP, 1002, 80), "UDP after 123 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_UDP, 1003, 53), "DNS after 29 s (REQ-5a)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_UDP, 1004, 53), "DNS after 33 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_TCP, 2001, 80), "established after 7439 s (RFC 5382)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_TCP, 2002, 80), "established after 7443 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_TCP, 2003, 80), "reset after 239 s (RFC 7857)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_TCP, 2004, 80), "reset after 243 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_TCP, 2005, 80), "SYN sent after 239 s");
	ASSERT_TRUE(!listed(&dp, IPPROTO_TCP, 2006, 80), "closing after 243 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_ICMPV6, 3001, 0), "echo after 59 s (RFC 5508)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_ICMPV6, 3002, 0), "echo after 63 s");
	ASSERT_TRUE(listed(&dp, IPPROTO_ESP, 0, 0), "ESP after 299 s (RFC 6092 REC-12)");
	ASSERT_TRUE(!listed(&dp, IPPROTO_ESP, 1, 1), "ESP after 303 s");
	xdp_gateway__destroy(skel);
}

/* An entry idle past its timeout is no connection to the packet path:
 * its answers are refused, and the next packet out opens it afresh. */
TEST(conntrack_expired_absent)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	struct pkt_spec s;
	__u64 now;

	if (!skel)
		return;
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	expect_spec(&fx, fx.lan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "UDP out");
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, 40000, 5201);
	if (!ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked") ||
	    !ASSERT_OK(hearth_jiffies_now(&now), "jiffies"))
		goto out;
	/* both halves idle 123 s */
	e.active = now - 123ULL * hearth_kernel_hz();
	ASSERT_OK(hearth_ct_update(fx.ct_fd, &key, &e), "aged");
	key = e.peer;
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "reply half")) {
		e.active = now - 123ULL * hearth_kernel_hz();
		ASSERT_OK(hearth_ct_update(fx.ct_fd, &key, &e), "reply aged");
	}
	fixture_bump_generation(&fx); /* no line serves it any more */
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 40000);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		    "the answer of an expired connection");
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	expect_spec(&fx, fx.lan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "UDP out again");
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, 40000, 5201);
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked again"))
		ASSERT_EQ(e.packets, 1, "a new connection: one packet");
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_REUSED), 2,
		  "both halves took their expired slots again");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 40000);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "its answer");
out:
	xdp_gateway__destroy(skel);
}

static __u8 conn_state(struct fixture *fx, __u16 sport, __u8 *flags)
{
	struct hearth_ct_key key;
	struct hearth_ct_entry e = {};

	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, sport, 5201);
	if (hearth_ct_lookup(fx->ct_fd, &key, &e))
		return 0xff;
	if (flags)
		*flags = e.flags;
	return e.state;
}

/* TCP as Linux conntrack follows it: the handshake, answered (assured)
 * at its last ACK, then a FIN and a reset. */
TEST(conntrack_tcp_states)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	__u8 flags = 0;

	if (!skel)
		return;
	tcp_seg(&fx, true, 40000, 0x02, "SYN out");
	ASSERT_EQ(conn_state(&fx, 40000, &flags), HEARTH_TCP_SYN_SENT, "SYN sent");
	tcp_seg(&fx, false, 40000, 0x12, "SYN-ACK in");
	ASSERT_EQ(conn_state(&fx, 40000, &flags), HEARTH_TCP_SYN_RECV, "SYN received");
	ASSERT_TRUE(flags & HEARTH_CT_F_REPLIED, "answered");
	ASSERT_TRUE(!(flags & HEARTH_CT_F_ASSURED), "not yet assured");
	tcp_seg(&fx, true, 40000, 0x10, "ACK out");
	ASSERT_EQ(conn_state(&fx, 40000, &flags), HEARTH_TCP_ESTABLISHED, "established");
	ASSERT_TRUE(flags & HEARTH_CT_F_ASSURED, "assured at the handshake's end");
	tcp_seg(&fx, true, 40000, 0x10, "data out");
	tcp_seg(&fx, false, 40000, 0x10, "data in");
	ASSERT_EQ(conn_state(&fx, 40000, NULL), HEARTH_TCP_ESTABLISHED, "still established");
	tcp_seg(&fx, true, 40000, 0x11, "FIN out");
	ASSERT_EQ(conn_state(&fx, 40000, NULL), HEARTH_TCP_FIN_WAIT, "closing");
	tcp_seg(&fx, false, 40000, 0x14, "RST in");
	ASSERT_EQ(conn_state(&fx, 40000, NULL), HEARTH_TCP_CLOSE, "reset");
	/* a mid-stream segment from home picks a connection up, unassured */
	tcp_seg(&fx, true, 40001, 0x10, "ACK out, no SYN seen");
	ASSERT_EQ(conn_state(&fx, 40001, &flags), HEARTH_TCP_ESTABLISHED, "picked up");
	ASSERT_TRUE((flags & HEARTH_CT_F_PICKUP) && !(flags & HEARTH_CT_F_ASSURED),
		    "picked up, not assured");
	tcp_seg(&fx, false, 40001, 0x10, "its answer");
	ASSERT_EQ(conn_state(&fx, 40001, &flags), HEARTH_TCP_ESTABLISHED, "established");
	ASSERT_TRUE((flags & HEARTH_CT_F_REPLIED) && !(flags & HEARTH_CT_F_ASSURED),
		    "answered");
	/* as Linux: assured by the first packet after the answer */
	tcp_seg(&fx, true, 40001, 0x10, "ACK out");
	conn_state(&fx, 40001, &flags);
	ASSERT_TRUE(flags & HEARTH_CT_F_ASSURED, "assured");
	xdp_gateway__destroy(skel);
}

/* conntrack tcp-pickup off: from home too, only a SYN alone opens a TCP
 * connection, so a mid-stream segment opens nothing and its answer is
 * refused; a SYN still opens one. */
TEST(conntrack_tcp_pickup_off)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_open(&fx);
	struct pkt_spec s;

	if (skel)
		skel->rodata->ct_tcp_pickup = 0;
	skel = fw_load(&fx, skel);
	if (!skel)
		return;
	tcp_seg(&fx, true, 40001, 0x10, "ACK out, no SYN seen: forwarded");
	ASSERT_EQ(conn_state(&fx, 40001, NULL), 0xff, "... and not picked up");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 40001);
	s.tcp_flags = 0x10;
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "its answer: refused");
	tcp_seg(&fx, true, 40002, 0x02, "a SYN out");
	ASSERT_EQ(conn_state(&fx, 40002, NULL), HEARTH_TCP_SYN_SENT, "opens a connection");
	tcp_seg(&fx, false, 40002, 0x12, "its SYN-ACK in");
	xdp_gateway__destroy(skel);
}

/* A full set makes room: closed and reset connections and unanswered
 * SYNs go first, established (answered) ones stay and keep working. */
TEST(conntrack_eviction_order)
{
	struct fixture fx;
	/* a table of 1024 sets: enough source ports share a set; one host
	 * may fill a set here */
	struct xdp_gateway *skel = fw_setup_table(&fx, SETS, HEARTH_CT_WAYS + 1);
	__u16 ports[HEARTH_CT_WAYS + 12];
	int i;

	if (!skel)
		return;
	if (!ASSERT_EQ(same_set_ports(ports, HEARTH_CT_WAYS + 12, SETS),
		       HEARTH_CT_WAYS + 12, "ports of one set"))
		goto out;
	for (i = 0; i < HEARTH_CT_WAYS; i++) {
		tcp_seg(&fx, true, ports[i], 0x02, "SYN out");
		if (i % 4 == 0)
			continue; /* unanswered */
		tcp_seg(&fx, false, ports[i], 0x12, "SYN-ACK in");
		tcp_seg(&fx, true, ports[i], 0x10, "ACK out");
		if (i % 4 == 1)
			tcp_seg(&fx, true, ports[i], 0x04, "RST out");
		else if (i % 4 == 2)
			tcp_seg(&fx, true, ports[i], 0x11, "FIN out");
	}
	/* ten seconds pass */
	for (i = 0; i < HEARTH_CT_WAYS; i++) {
		struct hearth_ct_key key;
		struct hearth_ct_entry e;

		key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, ports[i], 5201);
		if (!hearth_ct_lookup(fx.ct_fd, &key, &e)) {
			e.active -= 10ULL * hearth_kernel_hz();
			hearth_ct_update(fx.ct_fd, &key, &e);
		}
	}
	/* 12 new connections into the full set: the 4 unanswered, 4 reset
	 * and 4 closing go, the least recently active first */
	for (i = HEARTH_CT_WAYS; i < HEARTH_CT_WAYS + 12; i++)
		tcp_seg(&fx, true, ports[i], 0x02, "new SYN out");
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_EVICT_ASSURED), 0,
		  "no established connection evicted");
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_EVICT_CLOSED), 12,
		  "closed, reset and unanswered evicted");
	for (i = 0; i < HEARTH_CT_WAYS; i++) {
		bool established = i % 4 == 3;

		ASSERT_EQ(conn_state(&fx, ports[i], NULL) != 0xff, established,
			  established ? "established: kept" : "closed or unanswered: gone");
		if (established)
			tcp_seg(&fx, false, ports[i], 0x10, "established: still answered");
	}
out:
	xdp_gateway__destroy(skel);
}

/* A UDP datagram from @src:@sport (a home host) to the server. */
static __u32 udp_out_family(struct fixture *fx, int family, const char *src, __u16 sport)
{
	struct pkt_spec s = lan_spec(fx, family, family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6);
	__u8 out[FRAME_MAX];
	__u32 out_len;

	s.src = src;
	s.sport = sport;
	return run_spec(fx, fx->lan, &s, out, &out_len);
}

static __u32 udp_out(struct fixture *fx, const char *src, __u16 sport)
{
	return udp_out_family(fx, AF_INET6, src, sport);
}

static bool tracked(struct fixture *fx, const char *src, __u16 sport)
{
	struct hearth_ct_key key;
	struct hearth_ct_entry e;

	key6(&key, src, FX_SERVER_V6, IPPROTO_UDP, sport, 5201);
	return !hearth_ct_lookup(fx->ct_fd, &key, &e);
}

#define FLOOD_HOST "2001:db8:1::66"
#define FLOODS 200000

/*
 * No hearthd (none runs in these tests): one host sends 200000 new UDP
 * flows, three times what the table holds, while another's answered
 * connection runs; the host gets at most its share and gives way to
 * itself, the other's connection never breaks, and 100 new connections
 * of the other host at the end all open and stay.
 */
TEST(conntrack_flood_share)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_dp dp = {};
	int n = 0, ok = 0, kept = 0;
	struct pkt_spec s;

	if (!skel)
		return;
	dp.map_fd[HEARTH_DP_CT] = fx.ct_fd;
	dp.map_fd[HEARTH_DP_CTL1] = bpf_map__fd(skel->maps.HEARTH_MAP_CTL1);
	/* home1's answered connection */
	ASSERT_EQ(udp_out(&fx, FX_H1_V6, 40000), XDP_REDIRECT, "home1 out");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 40000);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "its answer");
	for (__u32 i = 0; i < FLOODS; i++) {
		ok += udp_out(&fx, FLOOD_HOST, (__u16)(1024 + i % 64000)) == XDP_REDIRECT;
		if (i % 20000 == 0)
			/* the answered connection keeps working meanwhile */
			kept += udp_out(&fx, FX_H1_V6, 40000) == XDP_REDIRECT;
	}
	ASSERT_EQ(kept, FLOODS / 20000, "home1's connection through the flood");
	ASSERT_EQ(ok, FLOODS, "every flood packet still leaves (its host gives way to itself)");
	hearth_ct_walk(&dp, count_conn, &n);
	ASSERT_TRUE(n <= HEARTH_CT_ENTRIES / 2 / 2 + 1,
		    "the flooding host holds at most its share (a half)");
	ASSERT_TRUE(n >= HEARTH_CT_ENTRIES / 2 / 4, "... and a good part of it");
	ASSERT_TRUE(ct_event_count(skel, HEARTH_CT_EV_EVICT_OWN) > FLOODS / 2,
		    "it evicted its own entries");
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_EVICT_ASSURED), 0, "nothing answered evicted");
	ok = 0;
	for (__u16 p = 0; p < 100; p++)
		ok += udp_out(&fx, FX_H1_V6, (__u16)(50000 + p)) == XDP_REDIRECT;
	ASSERT_EQ(ok, 100, "home1's 100 new connections");
	ok = 0;
	for (__u16 p = 0; p < 100; p++)
		ok += tracked(&fx, FX_H1_V6, (__u16)(50000 + p));
	ASSERT_EQ(ok, 100, "... all tracked");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 40000);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		    "home1's first connection still answered");
	xdp_gateway__destroy(skel);
}

/* The same through NAT: the mappings of 200000 flows do not shut the
 * other host out either (the mapping table gives way to the least
 * recently used). */
TEST(conntrack_flood_nat)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	int ok = 0;

	if (!skel)
		return;
	if (!ASSERT_OK(fixture_enable_nat(&fx, 1024, 65535), "NAT on"))
		goto out;
	for (__u32 i = 0; i < FLOODS; i++)
		ok += udp_out_family(&fx, AF_INET, "192.168.1.66", (__u16)(1024 + i % 64000)) ==
		      XDP_REDIRECT;
	ASSERT_TRUE(ok > FLOODS * 9 / 10, "the flood leaves, translated");
	ok = 0;
	for (__u16 p = 0; p < 100; p++)
		ok += udp_out_family(&fx, AF_INET, FX_H1_V4, (__u16)(50000 + p)) == XDP_REDIRECT;
	ASSERT_EQ(ok, 100, "home1's 100 new connections through NAT");
out:
	xdp_gateway__destroy(skel);
}

/* Openings from the WAN, through a pinhole here, at a bounded rate: past
 * it they are refused (open-rate) and take no room in the table. */
TEST(conntrack_open_rate)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_open(&fx);
	struct hearth_pinhole ph = {
		.family = AF_INET6, .prefixlen = 128, .proto = IPPROTO_TCP,
		.port_min = 22, .port_max = 22,
	};
	__u8 out[FRAME_MAX];
	__u32 out_len, let_in = 0, refused = 0;
	cpu_set_t saved, one;
	struct pkt_spec s;

	if (skel)
		skel->rodata->open_rate = 50;
	skel = fw_load(&fx, skel);
	if (!skel)
		return;
	inet_pton(AF_INET6, FX_H1_V6, ph.addr.b);
	ASSERT_OK(fixture_add_pinhole(&fx, &ph), "pinhole");
	/* the rate is per CPU: all on one */
	sched_getaffinity(0, sizeof(saved), &saved);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	ASSERT_OK(sched_setaffinity(0, sizeof(one), &one), "pinned to a CPU");
	for (__u16 i = 0; i < 100; i++) {
		__u32 verdict;

		s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, (__u16)(30000 + i), 22);
		s.tcp_flags = 0x02;
		verdict = run_spec(&fx, fx.wan, &s, out, &out_len);
		let_in += verdict == XDP_REDIRECT;
		refused += verdict == XDP_DROP;
	}
	/* 50 a second on one CPU: the test runs well within a second */
	ASSERT_EQ(let_in, 50, "openings let in");
	ASSERT_EQ(refused, 50, "openings over the rate refused");
	ASSERT_EQ(fixture_counter(&fx, fx.wan, HEARTH_CNT_DROP_OPEN_RATE), 50, "open-rate counted");
	sched_setaffinity(0, sizeof(saved), &saved);
	xdp_gateway__destroy(skel);
}

struct walked {
	struct hearth_ct_walker *w;
	int n;
	__u32 min_us; /* port 4001's WAN minimum, as the walker read it */
};

static int note_conn(const struct hearth_conn *c, void *arg)
{
	struct walked *s = arg;
	struct hearth_conn timed = *c;

	s->n++;
	if (c->key.sport != htons(4001))
		return 0;
	hearth_ct_walker_rtt(s->w, &timed);
	s->min_us = timed.rtt.dir[HEARTH_CT_ORIG].min_us;
	return 0;
}

/* hearthd's walker keeps its buffers from one walk to the next: each walk
 * still sees the table as it is then, and a connection's times are those
 * of its own generation, read when asked. */
TEST(conntrack_walker_reuse)
{
	struct hearth_ct_walker w = {};
	struct walked s = { .w = &w };
	struct hearth_dp dp = {};
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	struct hearth_ct_rtt r = {};
	struct xdp_gateway *skel;
	int fd, slot;

	if (!test__require_root())
		return;
	skel = table_only(&dp);
	if (!skel)
		return;
	fd = dp.map_fd[HEARTH_DP_CT];
	put_conn(fd, IPPROTO_TCP, 4001, 443, HEARTH_TCP_ESTABLISHED, 1);
	put_conn(fd, IPPROTO_UDP, 4002, 53, 0, 1);
	ASSERT_EQ(hearth_ct_walker_run(&w, &dp, NOW, HZ, note_conn, &s), 0, "first walk");
	ASSERT_EQ(s.n, 2, "  both connections");
	ASSERT_EQ(s.min_us, 0, "  no times yet");

	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, 4001, 443);
	ASSERT_EQ(hearth_ct_lookup(fd, &key, &e), 0, "port 4001's entry");
	slot = hearth_ct_insert(fd, &key, &e); /* in place: its slot */
	r.gen = e.gen;
	r.dir[HEARTH_CT_ORIG].min_us = 20000;
	ASSERT_EQ(bpf_map_update_elem(dp.map_fd[HEARTH_DP_CTRTT], &slot, &r, BPF_ANY), 0,
		  "times written at its slot");
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, 4002, 53);
	hearth_ct_delete(fd, &key);
	put_conn(fd, IPPROTO_UDP, 4003, 53, 0, 1);
	put_conn(fd, IPPROTO_UDP, 4004, 53, 0, 1);
	s.n = 0;
	ASSERT_EQ(hearth_ct_walker_run(&w, &dp, NOW, HZ, note_conn, &s), 0, "second walk");
	ASSERT_EQ(s.n, 3, "  the deleted one gone, the two new ones there");
	ASSERT_EQ(s.min_us, 20000, "  port 4001's times, of its generation");

	r.gen = e.gen + 1; /* another connection's, since */
	bpf_map_update_elem(dp.map_fd[HEARTH_DP_CTRTT], &slot, &r, BPF_ANY);
	s.n = 0;
	ASSERT_EQ(hearth_ct_walker_run(&w, &dp, NOW, HZ, note_conn, &s), 0, "third walk");
	ASSERT_EQ(s.min_us, 0, "  times of another generation are not its own");
	hearth_ct_walker_free(&w);
	xdp_gateway__destroy(skel);
}
