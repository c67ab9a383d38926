// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The fast path: verdict, egress, rewritten MACs, TTL and checksums. */
#include <bpf/bpf.h>
#include <stdlib.h>

#include "gw_common.h"

struct fwd_result {
	__u8 frame[FRAME_MAX];
	__u32 len;
	__u32 retval;
};

static bool forward_one(struct fixture *fx, int ifindex, const struct pkt_spec *s,
			__u8 *in, __u32 *in_len, struct fwd_result *r)
{
	*in_len = (__u32)pkt_build(s, in, FRAME_MAX);
	r->len = sizeof(r->frame);
	return ASSERT_TRUE(*in_len > 0, "pkt_build") &&
	       ASSERT_OK(fixture_run(fx, ifindex, in, *in_len, r->frame, &r->len,
				     &r->retval), "test_run");
}

/* The cached decision for a destination, as the test reads it. */
static bool cache_entry(struct fixture *fx, int ingress, int family,
			const char *dst, struct hearth_fib_entry *e)
{
	struct hearth_fib_key key = { .ifindex = (__u32)ingress, .family = (__u32)family };

	inet_pton(family, dst, key.addr);
	return bpf_map_lookup_elem(fx->fib_fd, &key, e) == 0;
}

static void check_forwarded(struct fixture *fx, int family, const char *dst,
			    int in_if, int out_if, const __u8 *dmac,
			    const __u8 *smac)
{
	struct pkt_spec s = lan_spec(fx, family, dst);
	size_t l3 = sizeof(struct ethhdr);
	struct hearth_fib_entry e;
	struct fwd_result r;
	__u8 in[FRAME_MAX];
	__u32 in_len;

	if (in_if == fx->wan) {
		memcpy(s.dmac, fx->wan_mac, 6);
		memcpy(s.smac, fx->inet_mac, 6);
		s.src = family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6;
	}
	if (!forward_one(fx, in_if, &s, in, &in_len, &r))
		return;
	if (!ASSERT_EQ(r.retval, XDP_REDIRECT, "verdict"))
		for (int c = 0; c < HEARTH_CNT_MAX; c++)
			if (fixture_counter(fx, in_if, c))
				printf("  counter %d moved\n", c);
	ASSERT_EQ(r.len, in_len, "length unchanged");
	ASSERT_MEMEQ(r.frame, dmac, 6, "destination MAC is the next hop");
	ASSERT_MEMEQ(r.frame + 6, smac, 6, "source MAC is the egress interface");
	if (family == AF_INET) {
		struct iphdr *ip = (void *)(r.frame + l3);

		ASSERT_EQ(ip->ttl, 63, "TTL decremented");
		ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(ip), "IPv4 header checksum (recomputed)");
		ASSERT_MEMEQ(r.frame + l3 + 9, in + l3 + 9, 1, "protocol unchanged");
		ASSERT_MEMEQ(r.frame + l3 + 12, in + l3 + 12, in_len - l3 - 12,
			     "addresses and payload unchanged");
	} else {
		struct ipv6hdr *ip6 = (void *)(r.frame + l3);

		ASSERT_EQ(ip6->hop_limit, 63, "hop limit decremented");
		ASSERT_MEMEQ(r.frame + l3 + 8, in + l3 + 8, in_len - l3 - 8,
			     "addresses and payload unchanged");
	}
	ASSERT_TRUE(pkt_udp_csum_ok(r.frame, r.len, l3, family), "UDP checksum still valid");
	ASSERT_EQ(fixture_counter(fx, in_if, HEARTH_CNT_FORWARD), 1, "forward counter on ingress");
	ASSERT_EQ(fixture_counter(fx, out_if, HEARTH_CNT_TX), 1, "xmit counter on egress");
	if (ASSERT_TRUE(cache_entry(fx, in_if, family, dst, &e), "decision cached")) {
		ASSERT_EQ(e.action, HEARTH_FIB_FORWARD, "cached action");
		ASSERT_EQ(e.ifindex, out_if, "cached egress ifindex");
		ASSERT_EQ(e.mtu, 1500, "cached path MTU");
	}
}

/* One packet each way and family: in on one side, out on the other. */
#define FORWARD_TEST(name, family, dst, from_wan)                              \
	TEST(name)                                                             \
	{                                                                      \
		struct fixture fx;                                             \
		struct xdp_gateway *skel = gw_setup(&fx);                      \
									       \
		if (!skel)                                                     \
			return;                                                \
		if (from_wan)                                                  \
			check_forwarded(&fx, family, dst, fx.wan, fx.lan,      \
					fx.h1_mac, fx.lan_mac);                \
		else                                                           \
			check_forwarded(&fx, family, dst, fx.lan, fx.wan,      \
					fx.inet_mac, fx.wan_mac);              \
		xdp_gateway__destroy(skel);                                    \
	}

FORWARD_TEST(forward_ipv4_lan_to_wan, AF_INET, FX_SERVER_V4, false)
FORWARD_TEST(forward_ipv4_wan_to_lan, AF_INET, FX_H1_V4, true)
FORWARD_TEST(forward_ipv6_lan_to_wan, AF_INET6, FX_SERVER_V6, false)
FORWARD_TEST(forward_ipv6_wan_to_lan, AF_INET6, FX_H1_V6, true)

/* Every TTL and many header contents: the incremental update must always
 * give the checksum a from-scratch computation gives. */
TEST(ttl_checksum_all_values)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_setup(&fx);
	struct fwd_result r;
	__u8 in[FRAME_MAX];
	int bad = 0;

	if (!skel)
		return;
	srand(42);
	for (int i = 0; i < 4000; i++) {
		struct pkt_spec s = lan_spec(&fx, AF_INET, FX_SERVER_V4);
		struct iphdr *ip = (void *)(in + sizeof(struct ethhdr));
		__u32 len = (__u32)pkt_build(&s, in, sizeof(in));

		/* vary TTL and the id field, which moves the checksum around */
		ip->ttl = (__u8)(2 + i % 254);
		ip->id = (__u16)rand();
		ip->check = 0;
		ip->check = pkt_csum(ip, sizeof(*ip), 0);
		r.len = sizeof(r.frame);
		if (fixture_run(&fx, fx.lan, in, len, r.frame, &r.len, &r.retval) ||
		    r.retval != XDP_REDIRECT ||
		    !pkt_ipv4_hdr_csum_ok(r.frame + sizeof(struct ethhdr)) ||
		    r.frame[sizeof(struct ethhdr) + 8] != ip->ttl - 1)
			bad++;
	}
	ASSERT_EQ(bad, 0, "frames with a wrong TTL or checksum");
	xdp_gateway__destroy(skel);
}

/* The established path uses the cache: the per-CPU level first, then the
 * shared one, until the generation moves or the entry expires. */
TEST(fib_cache_levels_and_invalidation)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_setup(&fx);
	struct pkt_spec s;
	struct hearth_fib_key key = { .family = AF_INET };
	struct hearth_fib_entry e;
	struct fwd_result r;
	__u8 in[FRAME_MAX], mac_a[6] = { 0x02, 0xaa, 0, 0, 0, 1 },
			    mac_b[6] = { 0x02, 0xbb, 0, 0, 0, 2 };
	__u32 in_len;

	if (!skel)
		return;
	s = lan_spec(&fx, AF_INET, FX_SERVER_V4);
	if (!forward_one(&fx, fx.lan, &s, in, &in_len, &r))
		goto out;
	key.ifindex = (__u32)fx.lan;
	inet_pton(AF_INET, FX_SERVER_V4, key.addr);
	if (!ASSERT_OK(bpf_map_lookup_elem(fx.fib_fd, &key, &e), "shared entry after first packet"))
		goto out;

	/* shared level: planted entry, per-CPU level emptied */
	memcpy(e.dmac, mac_a, 6);
	ASSERT_OK(bpf_map_update_elem(fx.fib_fd, &key, &e, BPF_ANY), "plant A");
	ASSERT_OK(fixture_clear_l1(&fx), "clear per-CPU level");
	forward_one(&fx, fx.lan, &s, in, &in_len, &r);
	ASSERT_MEMEQ(r.frame, mac_a, 6, "shared level used when the per-CPU line is empty");

	/* per-CPU level: it now holds A and wins over a newer shared entry */
	memcpy(e.dmac, mac_b, 6);
	ASSERT_OK(bpf_map_update_elem(fx.fib_fd, &key, &e, BPF_ANY), "plant B");
	forward_one(&fx, fx.lan, &s, in, &in_len, &r);
	ASSERT_MEMEQ(r.frame, mac_a, 6, "per-CPU line used first");

	ASSERT_OK(fixture_bump_generation(&fx), "bump generation");
	forward_one(&fx, fx.lan, &s, in, &in_len, &r);
	ASSERT_MEMEQ(r.frame, fx.inet_mac, 6, "after invalidation the FIB answers");

	/* an expired entry is refreshed even without a generation change */
	ASSERT_OK(bpf_map_lookup_elem(fx.fib_fd, &key, &e), "entry after refresh");
	memcpy(e.dmac, mac_a, 6);
	e.expires = 1;
	ASSERT_OK(bpf_map_update_elem(fx.fib_fd, &key, &e, BPF_ANY), "plant expired");
	ASSERT_OK(fixture_clear_l1(&fx), "clear per-CPU level");
	forward_one(&fx, fx.lan, &s, in, &in_len, &r);
	ASSERT_MEMEQ(r.frame, fx.inet_mac, 6, "expired entry not used");
	ASSERT_OK(bpf_map_lookup_elem(fx.fib_fd, &key, &e), "entry refreshed");
	ASSERT_TRUE(e.expires > 1, "refreshed entry has a new deadline");
out:
	xdp_gateway__destroy(skel);
}

/* With the cache off (policy routing), every packet asks the FIB. */
TEST(fib_cache_disabled)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_setup(&fx);
	struct hearth_fib_entry e;
	struct fwd_result r;
	struct pkt_spec s;
	__u8 in[FRAME_MAX];
	__u32 in_len;

	if (!skel)
		return;
	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_NO_FIB_CACHE, true), "the cache off");
	s = lan_spec(&fx, AF_INET, FX_SERVER_V4);
	forward_one(&fx, fx.lan, &s, in, &in_len, &r);
	ASSERT_EQ(r.retval, XDP_REDIRECT, "still forwarded");
	ASSERT_MEMEQ(r.frame, fx.inet_mac, 6, "next hop MAC");
	ASSERT_TRUE(!cache_entry(&fx, fx.lan, AF_INET, FX_SERVER_V4, &e), "nothing cached");

	/* one lookup with the packet's own length still enforces the MTU */
	s = lan_spec(&fx, AF_INET, "203.0.113.200");
	s.payload = 1400;
	in_len = (__u32)pkt_build(&s, in, sizeof(in));
	expect_verdict(&fx, fx.lan, in, in_len, XDP_PASS, HEARTH_CNT_PASS_FRAG_NEEDED,
		       "larger than the route MTU, cache off");
	xdp_gateway__destroy(skel);
}
