// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The firewall in XDP: default-deny inbound for IPv6 and IPv4, outbound
 * connections tracked and answered, pinholes, ICMPv6 as RFC 4890 asks,
 * open interfaces, and source validation both ways (BCP 38). */
#include <bpf/bpf.h>
#include <linux/tcp.h>
#include <stdlib.h>

#include "fw_common.h"

/* Nothing from the WAN reaches a home host's IPv6 address unasked, TCP or
 * UDP; the same with the firewall off goes through (a plain router). */
TEST(fw_ipv6_unsolicited_refused)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_fw_cfg off = {};
	struct pkt_spec s;
	__u32 zero = 0;

	if (!skel)
		return;
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "TCP SYN in");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 53);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "UDP in");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	s.tcp_flags = 0x10; /* a mid-stream ACK opens nothing either */
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "TCP ACK in");
	ASSERT_OK(bpf_map_update_elem(bpf_map__fd(skel->maps.HEARTH_MAP_FWCFG), &zero, &off,
				      BPF_ANY), "firewall off");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "off: TCP SYN in");
	xdp_gateway__destroy(skel);
}

/* A home host's connection out is tracked untranslated, from the home
 * side, and its answers come in; the same tuple from the wrong side is
 * forged. */
TEST(fw_ipv6_outbound_answered)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	struct pkt_spec s;

	if (!skel)
		return;
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.proto = IPPROTO_TCP;
	expect_spec(&fx, fx.lan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "SYN out");
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, 40000, 5201);
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked")) {
		ASSERT_EQ(e.dir, HEARTH_CT_ORIG, "original direction");
		ASSERT_EQ(e.nat, 0, "not translated");
		ASSERT_EQ(e.side, HEARTH_CT_SIDE_HOME, "from the home side");
		ASSERT_EQ(e.packets, 1, "the SYN counted");
		ASSERT_EQ(e.tcp_flags, H1_TCP_SYN, "its flags");
		ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &e.peer, &e), "reply tracked");
		ASSERT_EQ(e.side, HEARTH_CT_SIDE_WAN, "reply from the WAN side");
	}
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 40000);
	s.tcp_flags = TCP_SYNACK;
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "SYN-ACK in");
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "again");
	/* the connection's own tuple, arriving from the WAN: not the
	 * connection's (it is tracked from the home side only), and a home
	 * source from outside */
	s = wan_spec(&fx, AF_INET6, FX_SERVER_V6, IPPROTO_TCP, 40000, 5201);
	s.src = FX_H1_V6;
	s.tcp_flags = 0x10;
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_SPOOFED,
		    "the connection's tuple from the WAN");
	/* ping: the echo identifier is the connection's */
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.proto = IPPROTO_ICMPV6;
	expect_spec(&fx, fx.lan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "echo request out");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_ICMPV6, 0, 0);
	s.icmp6_type = 129;
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "echo reply in");
	xdp_gateway__destroy(skel);
}

/* BCP 38: no source outside the home leaves by the WAN, and no packet from
 * the WAN claims a home source. */
TEST(fw_source_validation)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct pkt_spec s;

	if (!skel)
		return;
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.src = "2001:db8:99::1";
	expect_spec(&fx, fx.lan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_SPOOFED, "foreign source out");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 53);
	s.src = "2001:db8:1::20";
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_SPOOFED, "home source in");
	xdp_gateway__destroy(skel);
}

/* `firewall allow tcp 2001:db8:1::10 22`: that port opens, and only it. */
TEST(fw_ipv6_pinhole)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_pinhole ph = {
		.family = AF_INET6, .prefixlen = 128, .proto = IPPROTO_TCP,
		.port_min = 22, .port_max = 22,
	};
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	struct pkt_spec s;

	if (!skel)
		return;
	inet_pton(AF_INET6, FX_H1_V6, ph.addr.b);
	ASSERT_OK(fixture_add_pinhole(&fx, &ph), "pinhole");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "SYN to the pinhole");
	key6(&key, FX_SERVER_V6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	if (ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked"))
		ASSERT_EQ(e.side, HEARTH_CT_SIDE_WAN, "opened from the WAN");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5202, 22);
	s.tcp_flags = 0x10;
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		    "a mid-stream ACK opens nothing, even there");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 23);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "SYN to port 23");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "UDP to port 22");
	/* (a neighbour of the gateway's: else XDP leaves it to the kernel) */
	ASSERT_OK(fixture_sh("ip -6 neigh add 2001:db8:1::11 lladdr %s dev lan0 nud permanent",
			     FX_H2_MAC), "h2's IPv6 neighbour");
	s = wan_spec(&fx, AF_INET6, "2001:db8:1::11", IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "another host");
	xdp_gateway__destroy(skel);
}

/* RFC 4890: echo requests in as configured (on by default); errors only
 * about connections the gateway tracks. */
TEST(fw_icmpv6)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct hearth_fw_cfg cfg = { .enabled = 1 };
	struct pkt_spec s;
	__u32 zero = 0;

	if (!skel)
		return;
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_ICMPV6, 0, 0);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "echo request in");
	ASSERT_OK(bpf_map_update_elem(bpf_map__fd(skel->maps.HEARTH_MAP_FWCFG), &zero, &cfg,
				      BPF_ANY), "icmpv6-echo off");
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		    "echo request in, refused");
	s.icmp6_type = 1; /* destination unreachable about nothing tracked */
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		    "an error about nothing");
	s.icmp6_type = 200; /* an informational type of no use from outside */
	expect_spec(&fx, fx.wan, &s, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED, "other ICMPv6");
	xdp_gateway__destroy(skel);
}

/* An ICMPv6 error from the WAN quoting @quoted (a frame as it left by
 * the WAN), to h1. */
static __u32 icmp6_error(struct fixture *fx, __u8 type, const struct pkt_spec *quoted, __u8 *out)
{
	__u8 inner[FRAME_MAX];
	size_t inner_len = pkt_build(quoted, inner, sizeof(inner)) - ETH_HLEN;
	struct ethhdr *eth = (void *)out;
	struct ipv6hdr *ip6 = (void *)(eth + 1);
	__u8 *icmp = (void *)(ip6 + 1);

	memset(out, 0, ETH_HLEN + sizeof(*ip6) + 8);
	memcpy(eth->h_dest, fx->wan_mac, 6);
	memcpy(eth->h_source, fx->inet_mac, 6);
	eth->h_proto = htons(ETH_P_IPV6);
	ip6->version = 6;
	ip6->payload_len = htons((__u16)(8 + inner_len));
	ip6->nexthdr = IPPROTO_ICMPV6;
	ip6->hop_limit = 64;
	inet_pton(AF_INET6, "2001:db8:ff::2", &ip6->saddr);
	inet_pton(AF_INET6, FX_H1_V6, &ip6->daddr);
	icmp[0] = type;
	if (type == 2) /* packet too big: the MTU */
		icmp[6] = 0x05, icmp[7] = 0x00;
	memcpy(icmp + 8, inner + ETH_HLEN, inner_len);
	return (__u32)(ETH_HLEN + sizeof(*ip6) + 8 + inner_len);
}

/* Packet too big and the other errors about a connection the gateway
 * tracks come in (RFC 4890 4.3.1); about anything else they do not. */
TEST(fw_icmpv6_errors)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct pkt_spec s;
	__u8 frame[FRAME_MAX];
	__u32 len;

	if (!skel)
		return;
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.payload = 1200;
	len = icmp6_error(&fx, 2, &s, frame);
	expect_verdict(&fx, fx.wan, frame, len, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		       "too big about nothing tracked");
	expect_spec(&fx, fx.lan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "UDP out");
	expect_verdict(&fx, fx.wan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		       "too big about it");
	len = icmp6_error(&fx, 1, &s, frame);
	expect_verdict(&fx, fx.wan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		       "unreachable about it");
	/* to another home host than the one the quoted packet came from (a
	 * neighbour of the gateway's: else XDP leaves it to the kernel) */
	ASSERT_OK(fixture_sh("ip -6 neigh add 2001:db8:1::11 lladdr %s dev lan0 nud permanent",
			     FX_H2_MAC), "h2's IPv6 neighbour");
	inet_pton(AF_INET6, "2001:db8:1::11", frame + ETH_HLEN + 24);
	expect_verdict(&fx, fx.wan, frame, len, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		       "unreachable about it, to another home host");
	len = icmp6_error(&fx, 1, &s, frame);
	s.dport = 5202;
	len = icmp6_error(&fx, 1, &s, frame);
	expect_verdict(&fx, fx.wan, frame, len, XDP_DROP, HEARTH_CNT_DROP_FW_REFUSED,
		       "unreachable about another port");
	xdp_gateway__destroy(skel);
}

/* `firewall open lan0`: a plain router towards that interface. */
TEST(fw_open_interface)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	int ifaces = -1;
	struct hearth_iface iface = {};
	struct pkt_spec s;
	__u32 slot;

	if (!skel)
		return;
	ifaces = bpf_map__fd(skel->maps.HEARTH_MAP_IFACES);
	for (slot = 1; slot < HEARTH_MAX_IFACES; slot++)
		if (!bpf_map_lookup_elem(ifaces, &slot, &iface) && iface.ifindex == (__u32)fx.lan)
			break;
	if (!ASSERT_TRUE(slot < HEARTH_MAX_IFACES, "lan0's slot"))
		goto cleanup;
	iface.flags |= HEARTH_IFACE_FW_OPEN;
	ASSERT_OK(bpf_map_update_elem(ifaces, &slot, &iface, BPF_EXIST), "open lan0");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, "SYN in to lan0");
	s = wan_spec(&fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, 22);
	s.src = "2001:db8:1::20";
	expect_spec(&fx, fx.wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		    "open means open: no source check either");
cleanup:
	xdp_gateway__destroy(skel);
}

/* IPv4 with masquerade: a packet from the WAN routed to an inside address
 * (not to the WAN address) is no connection's: XDP leaves it to the
 * firewall on the kernel path (tc WAN ingress, tests/integration/
 * firewall.sh), untouched; outbound and its answers work in XDP. */
TEST(fw_ipv4_routed_to_inside)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 out[FRAME_MAX];
	struct pkt_spec s;
	__u32 len;

	if (!skel || !ASSERT_OK(fixture_enable_firewall(&fx), "enable the firewall"))
		goto cleanup;
	s = wan_spec(&fx, AF_INET, FX_H1_V4, IPPROTO_UDP, 5201, 53);
	expect_spec(&fx, fx.wan, &s, XDP_PASS, HEARTH_CNT_PASS_FW_KERNEL, "UDP to 192.168.1.10");
	s = wan_spec(&fx, AF_INET, FX_H1_V4, IPPROTO_TCP, 5201, 22);
	expect_spec(&fx, fx.wan, &s, XDP_PASS, HEARTH_CNT_PASS_FW_KERNEL, "SYN to 192.168.1.10");
	s = out_spec(&fx, FX_H1_V4, IPPROTO_UDP, 40000);
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "out, masqueraded");
	s = reply_spec(&fx, IPPROTO_UDP, be16_at(out + sizeof(struct ethhdr) + 20));
	ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "its answer in");
cleanup:
	if (skel)
		xdp_gateway__destroy(skel);
}
