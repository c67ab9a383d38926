// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* IPsec through IPv4 NAT with the firewall on: a home host's ESP leaves
 * as the WAN address, its peer's answers come back to it, one home host
 * at a time per peer (ESP has no port to tell two apart), and a
 * truncated ESP header is dropped. */
#include "nat_common.h"

#define ESP 50
#define PEER2_V4 "203.0.113.20"

static struct pkt_spec esp_out(struct fixture *fx, const char *src, const char *dst)
{
	struct pkt_spec s = out_spec(fx, src, ESP, 0);

	s.dst = dst;
	s.payload = 32; /* SPI, sequence number, and what they protect */
	return s;
}

static struct pkt_spec esp_in(struct fixture *fx, const char *src)
{
	struct pkt_spec s = reply_spec(fx, ESP, 0);

	s.src = src;
	return s;
}

/* From @src to @dst, its IPv4 header checksum mended. */
static bool esp_addrs_are(const __u8 *f, const char *src, const char *dst, const char *what)
{
	char msg[96];
	bool ok = addrs_are(f, src, dst, what);

	snprintf(msg, sizeof(msg), "%s: IPv4 header checksum", what);
	return ok & ASSERT_TRUE(pkt_ipv4_hdr_csum_ok(f + L3), msg);
}

/* The IP octets counted in home1's ESP connection to the server. */
static __u64 esp_tracked_bytes(struct fixture *fx)
{
	struct hearth_ct_key key = { .proto = ESP, .family = AF_INET };
	struct hearth_ct_entry e;

	inet_pton(AF_INET, FX_H1_V4, &key.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &key.daddr.ip4);
	return hearth_ct_lookup(fx->ct_fd, &key, &e) ? 0 : e.bytes;
}

TEST(nat_esp_round_trip)
{
	struct fixture fx;
	struct xdp_gateway *skel = nat_setup(&fx, 1024, 65535);
	__u8 in[FRAME_MAX], out[FRAME_MAX];
	struct pkt_spec s;
	__u32 len;

	if (!skel || !ASSERT_OK(fixture_enable_firewall(&fx), "enable the firewall"))
		goto out;
	s = esp_in(&fx, FX_SERVER_V4);
	pkt_build(&s, in, sizeof(in));
	ASSERT_TRUE(run_spec(&fx, fx.wan, &s, out, &len) != XDP_REDIRECT,
		    "ESP from the peer before home sent any: not let in");

	s = esp_out(&fx, FX_H1_V4, FX_SERVER_V4);
	pkt_build(&s, in, sizeof(in));
	if (!ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "home1's ESP out"))
		goto out;
	esp_addrs_are(out, FX_WAN_V4, FX_SERVER_V4, "out, masqueraded");
	ASSERT_MEMEQ(out + L3 + 20, in + L3 + 20, 32, "SPI and payload untouched");
	if (!ASSERT_TRUE(esp_tracked_bytes(&fx) == 20 + 32, "its IP octets counted, not the frame's"))
		goto out;

	s = esp_in(&fx, FX_SERVER_V4);
	pkt_build(&s, in, sizeof(in));
	if (!ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "the peer's ESP in"))
		goto out;
	esp_addrs_are(out, FX_SERVER_V4, FX_H1_V4, "in, to home1");
	ASSERT_MEMEQ(out + L3 + 20, in + L3 + 20, 32, "SPI and payload untouched");

	/* home2 to the same peer: its answers could not be told from home1's */
	s = esp_out(&fx, FX_H2_V4, FX_SERVER_V4);
	run_spec(&fx, fx.lan, &s, out, &len);
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_NAT_NO_PORT), 1,
		  "home2's ESP to home1's peer: refused (nat-no-port)");
	s = esp_out(&fx, FX_H2_V4, PEER2_V4);
	if (ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_REDIRECT, "home2's ESP to another peer"))
		esp_addrs_are(out, FX_WAN_V4, PEER2_V4, "home2's, masqueraded");
	s = esp_in(&fx, PEER2_V4);
	if (ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "its peer's answer"))
		esp_addrs_are(out, PEER2_V4, FX_H2_V4, "to home2");
	s = esp_in(&fx, FX_SERVER_V4);
	if (ASSERT_EQ(run_spec(&fx, fx.wan, &s, out, &len), XDP_REDIRECT, "home1's peer again"))
		esp_addrs_are(out, FX_SERVER_V4, FX_H1_V4, "still to home1");

	s = esp_out(&fx, FX_H1_V4, FX_SERVER_V4);
	s.payload = 4; /* half an SPI */
	ASSERT_EQ(run_spec(&fx, fx.lan, &s, out, &len), XDP_DROP, "a truncated ESP header");
	ASSERT_EQ(fixture_counter(&fx, fx.lan, HEARTH_CNT_DROP_TRUNC_L4), 1, "trunc-l4");
out:
	if (skel)
		xdp_gateway__destroy(skel);
}
