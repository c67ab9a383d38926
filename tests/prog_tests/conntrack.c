// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Connection expiry in hearthd: per-protocol, per-state timeouts applied to
 * a real BPF hash holding synthetic connections of known age. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include "../lib/test.h"
#include "../../userspace/lib/conntrack.h"

#define HZ 100
#define NOW 1000000ULL

static void add_conn_to(int fd, __u8 proto, __u16 sport, __u16 dport, __u8 flags_out,
			__u8 flags_in, __u64 in_packets, __u64 idle_s)
{
	struct hearth_ct_key orig = { .family = AF_INET, .proto = proto, .sport = htons(sport), .dport = htons(dport) };
	struct hearth_ct_key reply = { .family = AF_INET, .proto = proto, .sport = htons(dport), .dport = htons(sport) };
	struct hearth_ct_entry o = { .dir = HEARTH_CT_ORIG, .nat = HEARTH_CT_NAT_SRC };
	struct hearth_ct_entry r = { .dir = HEARTH_CT_REPLY, .nat = HEARTH_CT_NAT_DST };

	inet_pton(AF_INET, "192.168.1.10", &orig.saddr.ip4);
	inet_pton(AF_INET, "203.0.113.10", &orig.daddr.ip4);
	reply.saddr = orig.daddr;
	inet_pton(AF_INET, "198.51.100.1", &reply.daddr.ip4);
	o.peer = reply;
	r.peer = orig;
	o.last_seen = r.last_seen = NOW - idle_s * HZ;
	o.first_seen = r.first_seen = o.last_seen - 5 * HZ;
	o.packets = 3;
	r.packets = in_packets;
	o.tcp_flags = flags_out;
	r.tcp_flags = flags_in;
	bpf_map_update_elem(fd, &orig, &o, BPF_ANY);
	bpf_map_update_elem(fd, &reply, &r, BPF_ANY);
}

static void add_conn(int fd, __u8 proto, __u16 sport, __u8 flags_out,
		     __u8 flags_in, __u64 in_packets, __u64 idle_s)
{
	add_conn_to(fd, proto, sport, 80, flags_out, flags_in, in_packets, idle_s);
}

static bool alive_to(int fd, __u8 proto, __u16 sport, __u16 dport)
{
	struct hearth_ct_key orig = { .family = AF_INET, .proto = proto, .sport = htons(sport), .dport = htons(dport) };
	struct hearth_ct_entry e;

	inet_pton(AF_INET, "192.168.1.10", &orig.saddr.ip4);
	inet_pton(AF_INET, "203.0.113.10", &orig.daddr.ip4);
	return !bpf_map_lookup_elem(fd, &orig, &e);
}

static bool alive(int fd, __u8 proto, __u16 sport)
{
	return alive_to(fd, proto, sport, 80);
}

TEST(conntrack_expiry_by_protocol_and_state)
{
	struct hearth_dp dp = {};
	int fd;

	if (!test__require_root())
		return;
	fd = bpf_map_create(BPF_MAP_TYPE_HASH, "ct_test", sizeof(struct hearth_ct_key),
			    sizeof(struct hearth_ct_entry), 64, NULL);
	if (!ASSERT_TRUE(fd >= 0, "map created"))
		return;
	dp.map_fd[HEARTH_DP_CT] = fd;
	/* the RFC minimums, one second either side */
	add_conn(fd, IPPROTO_UDP, 1001, 0, 0, 0, 119);	   /* unreplied, 120 s: kept */
	add_conn(fd, IPPROTO_UDP, 1002, 0, 0, 0, 121);	   /* unreplied: gone */
	add_conn(fd, IPPROTO_UDP, 1003, 0, 0, 5, 121);	   /* replied, 120 s: gone */
	add_conn_to(fd, IPPROTO_UDP, 1004, 53, 0, 0, 5, 31); /* DNS, 30 s: gone */
	add_conn(fd, IPPROTO_TCP, 2001, 0x12, 0x12, 9, 7439); /* established, 2 h 4 min: kept */
	add_conn(fd, IPPROTO_TCP, 2002, 0x12, 0x12, 9, 7441); /* established: gone */
	add_conn(fd, IPPROTO_TCP, 2003, 0x14, 0x10, 9, 239);  /* reset, 4 min: kept */
	add_conn(fd, IPPROTO_TCP, 2004, 0x14, 0x10, 9, 241);  /* reset: gone */
	add_conn(fd, IPPROTO_TCP, 2005, 0x02, 0, 0, 239);	   /* opening, 4 min: kept */
	add_conn(fd, IPPROTO_TCP, 2006, 0x11, 0x10, 9, 241);  /* closing, 4 min: gone */
	add_conn(fd, IPPROTO_ICMP, 3001, 0, 0, 1, 59);	   /* echo, 60 s: kept */
	add_conn(fd, IPPROTO_ICMP, 3002, 0, 0, 1, 61);	   /* echo: gone */

	ASSERT_EQ(hearth_ct_entries(&dp), 24, "two entries per connection");
	ASSERT_EQ(hearth_ct_expire(&dp, NOW, HZ), 7, "expired connections");
	ASSERT_EQ(hearth_ct_entries(&dp), 10, "both halves of each removed");
	ASSERT_TRUE(alive(fd, IPPROTO_UDP, 1001), "unanswered UDP after 119 s (RFC 4787 REQ-5)");
	ASSERT_TRUE(!alive(fd, IPPROTO_UDP, 1002), "unanswered UDP after 121 s");
	ASSERT_TRUE(!alive(fd, IPPROTO_UDP, 1003), "answered UDP after 121 s");
	ASSERT_TRUE(!alive_to(fd, IPPROTO_UDP, 1004, 53), "DNS after 31 s (REQ-5a)");
	ASSERT_TRUE(alive(fd, IPPROTO_TCP, 2001), "established TCP after 7439 s (RFC 5382 REQ-5)");
	ASSERT_TRUE(!alive(fd, IPPROTO_TCP, 2002), "established TCP after 7441 s");
	ASSERT_TRUE(alive(fd, IPPROTO_TCP, 2003), "reset TCP after 239 s (RFC 7857)");
	ASSERT_TRUE(!alive(fd, IPPROTO_TCP, 2004), "reset TCP after 241 s");
	ASSERT_TRUE(alive(fd, IPPROTO_TCP, 2005), "opening TCP after 239 s");
	ASSERT_TRUE(!alive(fd, IPPROTO_TCP, 2006), "closing TCP after 241 s");
	ASSERT_TRUE(alive(fd, IPPROTO_ICMP, 3001), "echo after 59 s (RFC 5508 REQ-2)");
	ASSERT_TRUE(!alive(fd, IPPROTO_ICMP, 3002), "echo after 61 s");
	/* an entry stamped after the clock was read is busy, not ancient */
	add_conn(fd, IPPROTO_UDP, 1005, 0, 0, 0, 0);
	ASSERT_EQ(hearth_ct_expire(&dp, NOW - 10, HZ), 0, "newer than now: kept");
	close(fd);
}
