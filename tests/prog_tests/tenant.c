// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tenants in the data plane: which tenant a connection belongs to (MAC,
 * prefix, interface), both directions metered for it, the download
 * policer's drop reasons, and uploads handed to the shaper. Tenants are
 * written with the same library calls as hearthd and the CLI use. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <time.h>
#include <unistd.h>

#include "gw_common.h"
#include "tenant_common.h"

struct tenant_fx {
	struct fixture fx;
	struct xdp_gateway *skel;
	struct hearth_dp dp;
};

static bool tenant_setup(struct tenant_fx *t, __u64 up_bps, __u64 down_bps)
{
	__u64 capacity[HEARTH_DIR_MAX] = { up_bps, down_bps };
	struct hearth_err err = {};
	__u32 wan_slot = 0, ifindex;

	t->skel = nat_setup(&t->fx, 1024, 65535);
	if (!t->skel)
		return false;
	if (!ASSERT_OK(hearth_dp_from_object(&t->dp, t->skel->obj), "the maps")) {
		xdp_gateway__destroy(t->skel);
		return false;
	}
	ifindex = (__u32)t->fx.wan;
	bpf_map_lookup_elem(t->dp.map_fd[HEARTH_DP_IFSLOTS], &ifindex, &wan_slot);
	if (!ASSERT_OK(hearth_link_apply(&t->dp, capacity, wan_slot, &err), err.msg)) {
		xdp_gateway__destroy(t->skel);
		return false;
	}
	return true;
}

/* tenant NAME WORDS... through the library, as `hearth tenant add` does. */
static int tenant_add(struct tenant_fx *t, const char *name, const char *words)
{
	return tenant_words(&t->dp, name, words, true);
}

static struct hearth_tenant_counters counters(struct tenant_fx *t, int id, int dir)
{
	struct hearth_tenant_counters c = {};

	hearth_tenant_counters(&t->dp, (__u32)id, dir, &c);
	return c;
}

/* The original direction of @src:@sport's UDP connection to the server. */
static struct hearth_ct_key conn_key(const char *src, __u16 sport)
{
	struct hearth_ct_key key = { .family = AF_INET, .proto = IPPROTO_UDP };

	inet_pton(AF_INET, src, &key.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &key.daddr.ip4);
	key.sport = htons(sport);
	key.dport = htons(5201);
	return key;
}

/* Sends @src's UDP datagram out and the server's answer back; returns the
 * tenant its connection was given. */
static int round_trip(struct tenant_fx *t, const char *src, __u16 sport)
{
	struct pkt_spec s = out_spec(&t->fx, src, IPPROTO_UDP, sport);
	struct hearth_ct_key key = conn_key(src, sport);
	struct hearth_ct_entry e = {};
	__u8 out[FRAME_MAX];
	__u32 len;

	if (!ASSERT_EQ(run_spec(&t->fx, t->fx.lan, &s, out, &len), XDP_REDIRECT, "outbound"))
		return -1;
	s = reply_spec(&t->fx, IPPROTO_UDP, sport);
	ASSERT_EQ(run_spec(&t->fx, t->fx.wan, &s, out, &len), XDP_REDIRECT, "reply");
	if (!ASSERT_OK(hearth_ct_lookup(t->fx.ct_fd, &key, &e), "connection tracked"))
		return -1;
	return e.tenant;
}

TEST(tenant_prefix_both_directions)
{
	struct tenant_fx t;
	struct hearth_tenant_counters c;
	int guest;

	if (!tenant_setup(&t, 0, 0))
		return;
	guest = tenant_add(&t, "guest", "prefix " FX_H2_V4 "/32");
	ASSERT_EQ(round_trip(&t, FX_H2_V4, 40000), guest, "h2's connection is the guest's");
	c = counters(&t, guest, HEARTH_DIR_UP);
	ASSERT_EQ(c.packets, 1, "guest: upload counted");
	c = counters(&t, guest, HEARTH_DIR_DOWN);
	ASSERT_EQ(c.packets, 1, "guest: the reply counted for the guest too");
	ASSERT_EQ(round_trip(&t, FX_H1_V4, 40001), HEARTH_TENANT_HOME, "h1 stays home");
	ASSERT_EQ(counters(&t, HEARTH_TENANT_HOME, HEARTH_DIR_UP).packets, 1, "home: upload");
	ASSERT_EQ(counters(&t, HEARTH_TENANT_HOME, HEARTH_DIR_DOWN).packets, 1, "home: download");
	ASSERT_EQ(counters(&t, guest, HEARTH_DIR_UP).packets, 1, "guest: untouched by h1");
	xdp_gateway__destroy(t.skel);
}

TEST(tenant_mac_then_prefix_then_iface)
{
	struct tenant_fx t;
	char words[96];
	int by_prefix, by_mac, by_iface;

	if (!tenant_setup(&t, 0, 0))
		return;
	by_prefix = tenant_add(&t, "byprefix", "prefix 192.168.1.0/24");
	snprintf(words, sizeof(words), "mac %02x:%02x:%02x:%02x:%02x:%02x", t.fx.h2_mac[0],
		 t.fx.h2_mac[1], t.fx.h2_mac[2], t.fx.h2_mac[3], t.fx.h2_mac[4], t.fx.h2_mac[5]);
	by_mac = tenant_add(&t, "bymac", words);
	by_iface = tenant_add(&t, "byiface", "iface lan0");
	ASSERT_EQ(round_trip(&t, FX_H2_V4, 40000), by_mac, "a MAC rule wins");
	ASSERT_EQ(round_trip(&t, FX_H1_V4, 40000), by_prefix, "then the prefix");
	{
		struct hearth_err err = {};

		ASSERT_OK(hearth_tenant_del(&t.dp, "byprefix", &err), "delete byprefix");
	}
	ASSERT_EQ(round_trip(&t, FX_H1_V4, 40001), by_iface, "then the interface");
	/* a deleted tenant's connections are the home's now */
	{
		struct hearth_ct_key key = conn_key(FX_H1_V4, 40000);
		struct hearth_ct_entry e = {};

		ASSERT_OK(hearth_ct_lookup(t.fx.ct_fd, &key, &e), "old connection");
		ASSERT_EQ(e.tenant, HEARTH_TENANT_HOME, "deleted tenant's connection to home");
	}
	xdp_gateway__destroy(t.skel);
}

/* Replies to an open connection of @src, @n of them @gap_us apart;
 * counts how many were forwarded. */
static int replies_paced(struct tenant_fx *t, const char *src, __u16 sport, int n,
			 unsigned int gap_us)
{
	struct pkt_spec s = out_spec(&t->fx, src, IPPROTO_UDP, sport);
	__u8 out[FRAME_MAX];
	int passed = 0;
	__u32 len;

	s.payload = 1400;
	run_spec(&t->fx, t->fx.lan, &s, out, &len);
	s = reply_spec(&t->fx, IPPROTO_UDP, sport);
	s.payload = 1400;
	for (int i = 0; i < n; i++) {
		passed += run_spec(&t->fx, t->fx.wan, &s, out, &len) == XDP_REDIRECT;
		if (gap_us)
			usleep(gap_us);
	}
	return passed;
}

static int replies(struct tenant_fx *t, const char *src, __u16 sport, int n)
{
	return replies_paced(t, src, sport, n, 0);
}

TEST(tenant_police_ceiling)
{
	struct tenant_fx t;
	struct hearth_tenant_counters c;
	__u64 before;
	int guest, passed;

	if (!tenant_setup(&t, 0, 100000000))
		return;
	guest = tenant_add(&t, "guest", "prefix " FX_H2_V4 "/32 down rate 1mbit ceil 2mbit burst 3k");
	before = fixture_counter(&t.fx, t.fx.wan, HEARTH_CNT_DROP_TENANT_CEIL);
	/* 20 x 1.4 kB in well under a millisecond: about 2 bursts' worth */
	passed = replies(&t, FX_H2_V4, 40000, 20);
	c = counters(&t, guest, HEARTH_DIR_DOWN);
	ASSERT_TRUE(passed >= 1 && passed <= 4, "only the ceiling's burst passes");
	ASSERT_EQ(c.packets, (__u64)passed, "guest: delivered counted");
	ASSERT_EQ(c.drops[HEARTH_TDROP_CEIL], (__u64)(20 - passed), "guest: drops over ceiling");
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.wan, HEARTH_CNT_DROP_TENANT_CEIL) - before,
		  (__u64)(20 - passed), "interface counter tenant-ceiling");
	/* the home is not the guest's ceiling's business */
	ASSERT_EQ(replies(&t, FX_H1_V4, 40001, 20), 20, "home unaffected");
	xdp_gateway__destroy(t.skel);
}

static __u64 monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
}

TEST(tenant_police_home_first)
{
	struct hearth_police_state busy;
	__u32 link = HEARTH_POLICE_LINK;
	struct hearth_tenant_counters c;
	struct tenant_fx t;
	int guest, passed;

	if (!tenant_setup(&t, 0, 100000000))
		return;
	guest = tenant_add(&t, "guest", "prefix " FX_H2_V4 "/32 down rate 1mbit ceil 50mbit burst 3k");
	/* 20 x 1.4 kB over 20 ms: 11 Mbit/s, within the ceiling, well over
	 * the guarantee; an idle link lends the difference */
	passed = replies_paced(&t, FX_H2_V4, 40000, 20, 1000);
	ASSERT_EQ(passed, 20, "link idle: the guest borrows");
	/* the link as the home fills it: no spare for borrowers for 10 s */
	busy.commit_tat = busy.ceil_tat = monotonic_ns() + 10000000000ull;
	ASSERT_OK(bpf_map_update_elem(t.dp.map_fd[HEARTH_DP_TNPOLICE], &link, &busy, BPF_ANY),
		  "link busy");
	memset(&busy, 0, sizeof(busy)); /* the guest's own buckets fresh */
	ASSERT_OK(bpf_map_update_elem(t.dp.map_fd[HEARTH_DP_TNPOLICE], &guest, &busy, BPF_ANY),
		  "guest buckets reset");
	passed = replies_paced(&t, FX_H2_V4, 40001, 20, 1000);
	c = counters(&t, guest, HEARTH_DIR_DOWN);
	/* 3k of burst and 1 Mbit/s for ~20 ms (+ scheduling slack): a handful */
	ASSERT_TRUE(passed >= 2 && passed <= 8, "link busy: only the guarantee passes");
	ASSERT_EQ(c.drops[HEARTH_TDROP_SQUEEZED], (__u64)(20 - passed), "guest: squeezed");
	ASSERT_EQ(c.drops[HEARTH_TDROP_CEIL], 0, "guest: not over its ceiling");
	/* the home's guarantee (capacity - 1 Mbit/s) still passes */
	ASSERT_EQ(replies(&t, FX_H1_V4, 40002, 10), 10, "home within its guarantee");
	xdp_gateway__destroy(t.skel);
}

TEST(tenant_upload_to_shaper)
{
	struct hearth_ct_key key = conn_key(FX_H2_V4, 40000);
	struct hearth_ct_entry e = {};
	struct tenant_fx t;
	struct pkt_spec s;
	int guest;

	if (!tenant_setup(&t, 50000000, 0))
		return;
	guest = tenant_add(&t, "guest", "prefix " FX_H2_V4 "/32 up rate 1mbit ceil 5mbit");
	s = out_spec(&t.fx, FX_H2_V4, IPPROTO_UDP, 40000);
	{
		__u8 in[FRAME_MAX];
		__u32 len = (__u32)pkt_build(&s, in, sizeof(in));

		/* to the kernel untranslated: tc translates and picks the class */
		expect_verdict(&t.fx, t.fx.lan, in, len, XDP_PASS, HEARTH_CNT_PASS_SHAPER,
			       "upload with shaping");
	}
	if (ASSERT_OK(hearth_ct_lookup(t.fx.ct_fd, &key, &e), "opened in XDP"))
		ASSERT_EQ(e.tenant, guest, "with its tenant");
	ASSERT_EQ(counters(&t, guest, HEARTH_DIR_UP).packets, 0, "metered by tc, not here");
	xdp_gateway__destroy(t.skel);
}

TEST(tenant_library_refusals)
{
	struct hearth_tenant_spec spec;
	struct hearth_err err = {};
	struct tenant_fx t;

	if (!tenant_setup(&t, 20000000, 20000000))
		return;
	tenant_add(&t, "a", "down rate 15mbit prefix 10.0.0.0/8");
	hearth_tenant_spec_init(&spec, "a");
	ASSERT_EQ(hearth_tenant_put(&t.dp, &spec, HEARTH_TENANT_RUNTIME, true, &err), -EEXIST,
		  "a second 'a'");
	hearth_tenant_spec_init(&spec, "b");
	spec.dir[HEARTH_DIR_DOWN].given = HEARTH_FIELD_RATE;
	spec.dir[HEARTH_DIR_DOWN].rate = 10000000;
	ASSERT_EQ(hearth_tenant_put(&t.dp, &spec, HEARTH_TENANT_RUNTIME, true, &err), -ERANGE,
		  "guarantees over the capacity");
	ASSERT_TRUE(strstr(err.msg, "above the WAN capacity") != NULL, err.msg);
	hearth_tenant_spec_init(&spec, "c");
	spec.matches_given = true;
	spec.n_prefixes = 1;
	hearth_prefix_parse("10.0.0.0/8", &spec.prefixes[0]);
	ASSERT_EQ(hearth_tenant_put(&t.dp, &spec, HEARTH_TENANT_RUNTIME, true, &err), -EEXIST,
		  "a prefix of another tenant");
	ASSERT_EQ(hearth_tenant_find(&t.dp, "c"), -ENOENT, "nothing left of the refused 'c'");
	ASSERT_EQ(hearth_tenant_del(&t.dp, "home", &err), -EINVAL, "the home stays");
	ASSERT_EQ(hearth_tenant_del(&t.dp, "nobody", &err), -ENOENT, "no such tenant");
	xdp_gateway__destroy(t.skel);
}

TEST(tenant_parse)
{
	struct hearth_tenant_spec spec;
	char msg[256];
	__u64 bps;
	__u32 bytes;
	char *bad[][4] = {
		{ "up", "rate", "fast" }, { "prio", "0" }, { "prio", "8" },
		{ "mac", "01:00:5e:00:00:01" }, { "prefix", "10.0.0.0/33" },
		{ "id", "256" }, { "colour", "red" }, { "down", "burst", "100" },
		{ "host-share", "0" }, { "host-share", "101" }, { "host-share", "half" },
	};
	char *share[] = { "host-share", "25" };

	ASSERT_OK(hearth_rate_parse("2.5gbit", &bps), "2.5gbit");
	ASSERT_EQ(bps, 2500000000ull, "2.5gbit in bits/s");
	ASSERT_OK(hearth_rate_parse("640kbit", &bps), "640kbit");
	ASSERT_EQ(bps, 640000, "640kbit in bits/s");
	ASSERT_EQ(hearth_rate_parse("100mbps", &bps), -EINVAL, "unknown unit");
	ASSERT_EQ(hearth_rate_parse("1bit", &bps), -ERANGE, "too slow");
	ASSERT_OK(hearth_size_parse("32k", &bytes), "32k");
	ASSERT_EQ(bytes, 32768, "32k in bytes");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int argc = 0;

		while (argc < 4 && bad[i][argc])
			argc++;
		hearth_tenant_spec_init(&spec, "t");
		msg[0] = '\0';
		ASSERT_TRUE(hearth_tenant_spec_parse(&spec, argc, bad[i], msg, sizeof(msg)) < 0,
			    bad[i][0]);
		ASSERT_TRUE(msg[0] != '\0', "a message names the problem");
	}
	hearth_tenant_spec_init(&spec, "t");
	ASSERT_OK(hearth_tenant_spec_parse(&spec, 2, share, msg, sizeof(msg)), "host-share 25");
	ASSERT_EQ(spec.host_share, 25, "host-share in percent");
	ASSERT_EQ(hearth_ct_share_ways(25), 4, "25% of a set's 16 ways");
	ASSERT_EQ(hearth_ct_share_ways(1), 1, "rounded up: never none");
	ASSERT_EQ(hearth_ct_share_ways(100), HEARTH_CT_WAYS + 1, "100%: no share");
	ASSERT_TRUE(!hearth_tenant_name_ok("../x") && !hearth_tenant_name_ok("") &&
		    hearth_tenant_name_ok("chute-1.web"), "tenant names");
}
