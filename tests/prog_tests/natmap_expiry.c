// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Mapping expiry in hearthd: on real BPF maps holding synthetic
 * connections and mappings of known age, a mapping stays while a
 * connection uses it or while it is recent; otherwise it goes, with its
 * IN entry and its permissions. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <unistd.h>

#include "../lib/test.h"
#include "../../userspace/lib/conntrack.h"
#include "../../userspace/lib/natmap.h"
#include "xdp_gateway.skel.h"

#define HZ 100
#define NOW 1000000ULL
#define H1 "192.168.1.10"
#define H2 "192.168.1.11"
#define WAN "198.51.100.1"
#define R1 "203.0.113.10"
#define R2 "203.0.113.20"

static __be32 ip(const char *text)
{
	__be32 a = 0;

	inet_pton(AF_INET, text, &a);
	return a;
}

static void put(int fd, __u8 kind, const char *addr, __u16 port, __u8 proto,
		const char *v_addr, __u16 v_port, __u64 age_s)
{
	struct hearth_nat_map_key k = { .addr = addr ? ip(addr) : 0,
					.port = htons(port), .proto = proto,
					.kind = kind };
	struct hearth_nat_mapping v = { .addr = v_addr ? ip(v_addr) : 0,
					.port = htons(v_port),
					.last_used = NOW - age_s * HZ };

	ASSERT_OK(bpf_map_update_elem(fd, &k, &v, BPF_ANY), "mapping entry written");
}

/* Both entries of a mapping: @inside:@port is @public. */
static void mapping(int fd, const char *inside, __u16 port, __u8 proto, __u16 public,
		    __u64 age_s)
{
	put(fd, HEARTH_NATMAP_OUT, inside, port, proto, NULL, public, age_s);
	put(fd, HEARTH_NATMAP_IN, NULL, public, proto, inside, port, age_s);
}

static void permit(int fd, const char *remote, __u8 proto, __u16 public, __u64 age_s)
{
	put(fd, HEARTH_NATMAP_PERMIT, remote, public, proto, NULL, 0, age_s);
}

static bool has(int fd, __u8 kind, const char *addr, __u16 port, __u8 proto)
{
	struct hearth_nat_map_key k = { .addr = addr ? ip(addr) : 0,
					.port = htons(port), .proto = proto,
					.kind = kind };
	struct hearth_nat_mapping v;

	return !bpf_map_lookup_elem(fd, &k, &v);
}

/* A connection's two entries as the data plane opens them: @h:@hport
 * to @dst:@dport leaving as WAN:@public; with @to_addr (a hairpin to
 * WAN:@dport) the destination becomes @to_addr:@to_port. */
static void conn(int fd, const char *h, __u16 hport, const char *dst, __u16 dport,
		 __u8 proto, __u16 public, const char *to_addr, __u16 to_port)
{
	struct hearth_ct_key o = { .saddr.ip4 = ip(h), .daddr.ip4 = ip(dst),
				   .sport = htons(hport), .dport = htons(dport),
				   .proto = proto, .family = AF_INET };
	struct hearth_ct_key r = { .saddr.ip4 = to_addr ? ip(to_addr) : ip(dst),
				   .daddr.ip4 = ip(WAN), .family = AF_INET,
				   .sport = to_addr ? htons(to_port) : htons(dport),
				   .dport = htons(public), .proto = proto };
	struct hearth_ct_entry eo = { .peer = r, .dir = HEARTH_CT_ORIG,
				      .nat = HEARTH_CT_NAT_SRC, .nat_saddr = ip(WAN),
				      .nat_sport = htons(public), .nat_daddr = o.daddr.ip4,
				      .nat_dport = o.dport, .last_seen = NOW, .active = NOW,
				      .packets = 1 };
	struct hearth_ct_entry er = { .peer = o, .dir = HEARTH_CT_REPLY,
				      .nat = HEARTH_CT_NAT_DST, .nat_saddr = o.daddr.ip4,
				      .nat_sport = o.dport, .nat_daddr = o.saddr.ip4,
				      .nat_dport = o.sport, .last_seen = NOW, .active = NOW };
	int r_slot, o_slot;

	if (to_addr) {
		eo.nat |= HEARTH_CT_NAT_DST;
		eo.nat_daddr = r.saddr.ip4;
		eo.nat_dport = r.sport;
		/* the reply leaves as the far end's mapping, WAN:@dport */
		er.nat |= HEARTH_CT_NAT_SRC;
		er.nat_saddr = ip(WAN);
		er.nat_sport = htons(dport);
	}
	r_slot = hearth_ct_insert(fd, &r, &er);
	ASSERT_TRUE(r_slot >= 0, "reply entry written");
	eo.peer_slot = (__u32)r_slot;
	eo.peer_gen = er.gen;
	o_slot = hearth_ct_insert(fd, &o, &eo);
	ASSERT_TRUE(o_slot >= 0, "original entry written");
	er.peer_slot = (__u32)o_slot;
	er.peer_gen = eo.gen;
	ASSERT_OK(hearth_ct_update(fd, &r, &er), "reply entry linked");
}

static int count(int fd)
{
	struct hearth_nat_map_key key, next;
	void *prev = NULL;
	int n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static int count_conn(const struct hearth_conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

TEST(natmap_expiry)
{
	struct hearth_dp dp = {};
	struct xdp_gateway *skel;
	int ct, nm, l1, live;

	if (!test__require_root())
		return;
	/* the connection table as the data plane defines it (its sets'
	 * locks need the object's BTF) */
	skel = xdp_gateway__open_and_load();
	if (!ASSERT_TRUE(skel != NULL, "gateway object loaded"))
		return;
	ct = bpf_map__fd(skel->maps.HEARTH_MAP_CT);
	nm = bpf_map_create(BPF_MAP_TYPE_HASH, "natmap_test",
			    sizeof(struct hearth_nat_map_key),
			    sizeof(struct hearth_nat_mapping), 64, NULL);
	l1 = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "ctl1_test", sizeof(__u32),
			    sizeof(struct hearth_ct_l1), HEARTH_CT_L1_ENTRIES, NULL);
	if (!ASSERT_TRUE(ct >= 0 && nm >= 0 && l1 >= 0, "maps created"))
		return;
	dp.map_fd[HEARTH_DP_CT] = ct;
	dp.map_fd[HEARTH_DP_NATMAP] = nm;
	dp.map_fd[HEARTH_DP_CTL1] = l1;

	/* A: old, used by a connection to R1; its permission for R2 unused */
	mapping(nm, H1, 40000, IPPROTO_UDP, 40000, 1000);
	permit(nm, R1, IPPROTO_UDP, 40000, 1000);
	permit(nm, R2, IPPROTO_UDP, 40000, 1000);
	conn(ct, H1, 40000, R1, 7000, IPPROTO_UDP, 40000, NULL, 0);
	/* B: unused, just past the mapping timer (120 s) */
	mapping(nm, H1, 40001, IPPROTO_UDP, 40001, 121);
	permit(nm, R1, IPPROTO_UDP, 40001, 121);
	/* C: unused, just within it */
	mapping(nm, H2, 40000, IPPROTO_UDP, 50000, 119);
	permit(nm, R1, IPPROTO_UDP, 50000, 119);
	/* D: an old IN entry without its OUT entry */
	put(nm, HEARTH_NATMAP_IN, NULL, 60000, IPPROTO_UDP, H2, 41000, 1000);
	/* E: an old IN entry whose OUT entry names another, recent, port */
	put(nm, HEARTH_NATMAP_IN, NULL, 60001, IPPROTO_UDP, H2, 42000, 1000);
	mapping(nm, H2, 42000, IPPROTO_UDP, 60002, 10);
	/* F: two old mappings used only by a hairpin connection between them */
	mapping(nm, H1, 43000, IPPROTO_UDP, 43000, 1000);
	mapping(nm, H2, 43000, IPPROTO_UDP, 53000, 1000);
	permit(nm, WAN, IPPROTO_UDP, 43000, 1000);
	permit(nm, WAN, IPPROTO_UDP, 53000, 1000);
	conn(ct, H1, 43000, WAN, 53000, IPPROTO_UDP, 43000, H2, 43000);
	/* G: B's inside port in TCP, old, used by a TCP connection */
	mapping(nm, H1, 40001, IPPROTO_TCP, 40001, 1000);
	permit(nm, R1, IPPROTO_TCP, 40001, 1000);
	conn(ct, H1, 40001, R1, 443, IPPROTO_TCP, 40001, NULL, 0);
	ASSERT_EQ(count(nm), 23, "entries before");

	ASSERT_EQ(hearth_natmap_expire(&dp, NULL, NOW, HZ), 1, "mappings expired");
	ASSERT_EQ(count(nm), 17, "entries after");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_OUT, H1, 40000, IPPROTO_UDP), "A: used and old: kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_IN, NULL, 40000, IPPROTO_UDP), "A: its IN entry kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_PERMIT, R1, 40000, IPPROTO_UDP),
		    "A: the permission its connection uses kept");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_PERMIT, R2, 40000, IPPROTO_UDP),
		    "A: an old permission no connection uses gone");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_OUT, H1, 40001, IPPROTO_UDP), "B: unused and old: gone");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_IN, NULL, 40001, IPPROTO_UDP), "B: its IN entry gone");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_PERMIT, R1, 40001, IPPROTO_UDP),
		    "B: its permission gone");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_OUT, H2, 40000, IPPROTO_UDP), "C: unused, recent: kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_IN, NULL, 50000, IPPROTO_UDP), "C: its IN entry kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_PERMIT, R1, 50000, IPPROTO_UDP),
		    "C: its permission kept");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_IN, NULL, 60000, IPPROTO_UDP), "D: orphan IN gone");
	ASSERT_TRUE(!has(nm, HEARTH_NATMAP_IN, NULL, 60001, IPPROTO_UDP),
		    "E: IN entry its OUT entry disowns gone");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_IN, NULL, 60002, IPPROTO_UDP),
		    "E: the OUT entry's own IN entry kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_OUT, H1, 43000, IPPROTO_UDP) &&
		    has(nm, HEARTH_NATMAP_OUT, H2, 43000, IPPROTO_UDP),
		    "F: both hairpinned mappings kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_PERMIT, WAN, 43000, IPPROTO_UDP) &&
		    has(nm, HEARTH_NATMAP_PERMIT, WAN, 53000, IPPROTO_UDP),
		    "F: both permissions for the WAN address kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_OUT, H1, 40001, IPPROTO_TCP),
		    "G: the TCP mapping of B's port, in use: kept");
	ASSERT_TRUE(has(nm, HEARTH_NATMAP_PERMIT, R1, 40001, IPPROTO_TCP),
		    "G: its permission kept");
	live = 0;
	hearth_ct_walk_at(&dp, NOW, HZ, count_conn, &live);
	ASSERT_EQ(live, 3, "connections untouched");

	/* stamped after the clock was read: busy, not ancient */
	ASSERT_EQ(hearth_natmap_expire(&dp, NULL, NOW - 2000 * HZ, HZ), 0,
		  "entries newer than now: kept");
	ASSERT_EQ(count(nm), 17, "... all of them");

	ASSERT_EQ(hearth_natmap_flush(&dp), 6, "flush: the mappings it removed");
	ASSERT_EQ(count(nm), 0, "flush: table empty");
	xdp_gateway__destroy(skel);
	close(nm);
	close(l1);
}
