// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Every reason the fast path hands a packet to the kernel (XDP_PASS),
 * each with its counter and the frame untouched. */
#include <linux/icmpv6.h>

#include "gw_common.h"

struct pass_case {
	const char *what;
	int family;
	const char *dst;
	int counter;
	void (*tweak)(struct fixture *fx, struct pkt_spec *s);
	bool from_stray; /* arrive on an interface hearth does not manage */
};

static void arp(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->ethertype = ETH_P_ARP;
}

static void broadcast(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	memset(s->dmac, 0xff, 6);
}

static void other_host(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->dmac[5] ^= 0x40;
}

static void lldp(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->ethertype = 0x88cc;
}

static void vlan(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->vlan = 10;
}

static void options(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->ihl = 6;
}

static void first_fragment(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->frag_off = 0x2000; /* MF */
}

static void later_fragment(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->frag_off = 100; /* offset 800 */
}

static void v6_fragment(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->proto = 44;
}

static void hop_by_hop(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->proto = 0;
	s->proto_set = true;
}

static void routing_hdr(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->proto = 43;
}

static void neighbour_solicit(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->proto = IPPROTO_ICMPV6;
	s->icmp6_type = 135;
	s->payload = 16;
}

static void ttl_one(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->ttl = 1;
}

static void big(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx;
	s->payload = 1400;
}

static void forwarding_off(struct fixture *fx, struct pkt_spec *s)
{
	(void)fx, (void)s;
	fixture_sh("sysctl -qw net.ipv4.conf.lan0.forwarding=0");
}

static const struct pass_case cases[] = {
	{ "arp", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_ARP, arp },
	{ "broadcast frame", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_L2_MCAST, broadcast },
	{ "frame for another host", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_L2_OTHERHOST, other_host },
	{ "unknown ethertype", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_ETHERTYPE, lldp },
	{ "802.1Q tagged", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_VLAN, vlan },
	{ "IPv4 options", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_IP_OPTIONS, options },
	{ "IPv4 first fragment", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_FRAGMENT, first_fragment },
	{ "IPv4 later fragment", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_FRAGMENT, later_fragment },
	{ "IPv6 fragment header", AF_INET6, FX_SERVER_V6, HEARTH_CNT_PASS_FRAGMENT, v6_fragment },
	{ "IPv6 hop-by-hop", AF_INET6, FX_SERVER_V6, HEARTH_CNT_PASS_IPV6_EXT, hop_by_hop },
	{ "IPv6 routing header", AF_INET6, FX_SERVER_V6, HEARTH_CNT_PASS_IPV6_EXT, routing_hdr },
	{ "neighbour solicitation", AF_INET6, "2001:db8:1::1", HEARTH_CNT_PASS_ND, neighbour_solicit },
	{ "IPv4 multicast", AF_INET, "224.0.0.5", HEARTH_CNT_PASS_LOCAL_SCOPE },
	{ "IPv4 loopback", AF_INET, "127.0.0.1", HEARTH_CNT_PASS_LOCAL_SCOPE },
	{ "IPv4 link-local", AF_INET, "169.254.1.1", HEARTH_CNT_PASS_LOCAL_SCOPE },
	{ "IPv6 link-local", AF_INET6, "fe80::1", HEARTH_CNT_PASS_LOCAL_SCOPE },
	{ "IPv6 multicast", AF_INET6, "ff02::1:2", HEARTH_CNT_PASS_LOCAL_SCOPE },
	{ "IPv4 to the gateway", AF_INET, "192.168.1.1", HEARTH_CNT_PASS_LOCAL },
	{ "IPv4 to the gateway's WAN", AF_INET, "198.51.100.1", HEARTH_CNT_PASS_LOCAL },
	{ "IPv6 to the gateway", AF_INET6, "2001:db8:1::1", HEARTH_CNT_PASS_LOCAL },
	{ "unreachable route", AF_INET, "203.0.113.99", HEARTH_CNT_PASS_NO_ROUTE },
	{ "unresolved neighbour", AF_INET, "192.168.1.99", HEARTH_CNT_PASS_NO_NEIGH },
	{ "unresolved IPv6 neighbour", AF_INET6, "2001:db8:1::99", HEARTH_CNT_PASS_NO_NEIGH },
	{ "route via a foreign interface", AF_INET, "10.9.9.2", HEARTH_CNT_PASS_EGRESS_FOREIGN },
	{ "TTL 1", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_TTL, ttl_one },
	{ "hop limit 1", AF_INET6, FX_SERVER_V6, HEARTH_CNT_PASS_TTL, ttl_one },
	{ "larger than the route MTU", AF_INET, "203.0.113.200", HEARTH_CNT_PASS_FRAG_NEEDED, big },
	{ "unmanaged interface", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_UNKNOWN_IFACE, NULL, true },
	{ "forwarding disabled", AF_INET, FX_SERVER_V4, HEARTH_CNT_PASS_FWD_DISABLED, forwarding_off },
};

static void run_case(const struct pass_case *c)
{
	struct fixture fx;
	struct xdp_gateway *skel = gw_setup(&fx);
	struct pkt_spec s;
	__u8 frame[FRAME_MAX];
	__u32 len;
	int ifindex;

	if (!skel)
		return;
	s = lan_spec(&fx, c->family, c->dst);
	if (c->tweak)
		c->tweak(&fx, &s);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	ifindex = c->from_stray ? fx.stray : fx.lan;
	if (c->from_stray) {
		/* counted in slot 0, which the stray interface maps to */
		ASSERT_EQ(fixture_counter(&fx, ifindex, c->counter), 0, "slot 0 starts clean");
	}
	printf("  case: %s\n", c->what);
	expect_verdict(&fx, ifindex, frame, len, XDP_PASS, c->counter, c->what);
	/* a cached "pass" must be served the same way */
	if (!c->tweak || c->tweak == big)
		expect_verdict(&fx, ifindex, frame, len, XDP_PASS, c->counter, c->what);
	xdp_gateway__destroy(skel);
}

#define PASS_TEST(idx, name)                                                   \
	TEST(slowpath_##name)                                                  \
	{                                                                      \
		run_case(&cases[idx]);                                         \
	}

PASS_TEST(0, arp)
PASS_TEST(1, l2_broadcast)
PASS_TEST(2, l2_otherhost)
PASS_TEST(3, ethertype)
PASS_TEST(4, vlan)
PASS_TEST(5, ipv4_options)
PASS_TEST(6, ipv4_first_fragment)
PASS_TEST(7, ipv4_later_fragment)
PASS_TEST(8, ipv6_fragment)
PASS_TEST(9, ipv6_hop_by_hop)
PASS_TEST(10, ipv6_routing_header)
PASS_TEST(11, ipv6_nd)
PASS_TEST(12, ipv4_multicast)
PASS_TEST(13, ipv4_loopback)
PASS_TEST(14, ipv4_link_local)
PASS_TEST(15, ipv6_link_local)
PASS_TEST(16, ipv6_multicast)
PASS_TEST(17, local_lan)
PASS_TEST(18, local_wan)
PASS_TEST(19, local_ipv6)
PASS_TEST(20, no_route)
PASS_TEST(21, no_neigh)
PASS_TEST(22, no_neigh_ipv6)
PASS_TEST(23, egress_foreign)
PASS_TEST(24, ttl_expired)
PASS_TEST(25, hop_limit_expired)
PASS_TEST(26, frag_needed)
PASS_TEST(27, unknown_iface)
PASS_TEST(28, fwd_disabled)

TEST(slowpath_cases_all_listed)
{
	ASSERT_EQ(sizeof(cases) / sizeof(cases[0]), 29, "every case has a TEST");
}
