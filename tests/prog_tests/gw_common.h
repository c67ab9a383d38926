/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared set-up of the gateway program tests. */
#ifndef HEARTH_GW_COMMON_H
#define HEARTH_GW_COMMON_H

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <sys/socket.h>

#include "../lib/fixture.h"
#include "../lib/pkt.h"
#include "../lib/test.h"
#include "../../userspace/lib/conntrack.h"
#include "../../userspace/lib/kclock.h"
#include "xdp_gateway.skel.h"

#define FRAME_MAX 2048

/* The gateway program opened, not loaded yet (its load-time settings in
 * skel->rodata may still change), in a fresh fixture namespace. */
static inline struct xdp_gateway *gw_open(struct fixture *fx)
{
	struct xdp_gateway *skel;

	if (!test__require_root())
		return NULL;
	if (!ASSERT_OK(fixture_netns(fx), "fixture_netns"))
		return NULL;
	skel = xdp_gateway__open();
	if (ASSERT_TRUE(skel != NULL, "open"))
		skel->rodata->ct_hz = hearth_kernel_hz(); /* timeouts in seconds */
	return skel;
}

/* Loads what gw_open() opened and fills the fixture's maps; destroys it
 * on failure. */
static inline struct xdp_gateway *gw_load(struct fixture *fx, struct xdp_gateway *skel)
{
	if (!skel)
		return NULL;
	if (!ASSERT_OK(xdp_gateway__load(skel), "load")) {
		xdp_gateway__destroy(skel);
		return NULL;
	}
	if (!ASSERT_OK(fixture_attach_maps(fx, skel->obj,
					   HEARTH_STR(HEARTH_PROG_XDP_GATEWAY)),
		       "fixture_attach_maps")) {
		xdp_gateway__destroy(skel);
		return NULL;
	}
	return skel;
}

/* The gateway program, loaded unpinned, in a fresh fixture namespace. */
static inline struct xdp_gateway *gw_setup(struct fixture *fx)
{
	return gw_load(fx, gw_open(fx));
}

/* A frame from h1 on the LAN (to the gateway's LAN MAC). */
static inline struct pkt_spec lan_spec(struct fixture *fx, int family,
				       const char *dst)
{
	struct pkt_spec s = {
		.family = family,
		.src = family == AF_INET ? FX_H1_V4 : FX_H1_V6,
		.dst = dst,
		.payload = 64,
	};

	memcpy(s.dmac, fx->lan_mac, 6);
	memcpy(s.smac, fx->h1_mac, 6);
	return s;
}

/* Runs one frame in on @ifindex; checks the verdict and that exactly
 * counter @id of that interface moved by one. */
static inline bool expect_verdict(struct fixture *fx, int ifindex,
				  const void *frame, __u32 len, __u32 verdict,
				  int id, const char *what)
{
	__u8 out[FRAME_MAX];
	__u32 out_len = sizeof(out), retval = ~0u;
	__u64 before = fixture_counter(fx, ifindex, id);
	char msg[160];
	bool ok;

	snprintf(msg, sizeof(msg), "%s: test_run", what);
	if (!ASSERT_OK(fixture_run(fx, ifindex, frame, len, out, &out_len, &retval), msg))
		return false;
	snprintf(msg, sizeof(msg), "%s: verdict", what);
	ok = ASSERT_EQ(retval, verdict, msg);
	snprintf(msg, sizeof(msg), "%s: counter moved by one", what);
	ok &= ASSERT_EQ(fixture_counter(fx, ifindex, id) - before, 1, msg);
	if (!ok)
		for (int c = 0; c < HEARTH_CNT_MAX; c++)
			if (fixture_counter(fx, ifindex, c))
				printf("  counter %d = %llu\n", c,
				       (unsigned long long)fixture_counter(fx, ifindex, c));
	if (verdict != XDP_REDIRECT) {
		snprintf(msg, sizeof(msg), "%s: frame left untouched", what);
		ok &= ASSERT_EQ(out_len, len, msg) && ASSERT_MEMEQ(out, frame, len, msg);
	}
	return ok;
}

/* The gateway with masquerade on, ports @pmin-@pmax. */
static inline struct xdp_gateway *nat_setup(struct fixture *fx, __u16 pmin, __u16 pmax)
{
	struct xdp_gateway *skel = gw_setup(fx);

	if (skel && !ASSERT_OK(fixture_enable_nat(fx, pmin, pmax), "enable NAT")) {
		xdp_gateway__destroy(skel);
		return NULL;
	}
	return skel;
}

/* An outbound packet from @src:@sport on the LAN to the server. */
static inline struct pkt_spec out_spec(struct fixture *fx, const char *src, __u8 proto,
				__u16 sport)
{
	struct pkt_spec s = lan_spec(fx, AF_INET, FX_SERVER_V4);

	s.src = src;
	s.proto = proto;
	s.sport = sport;
	if (!strcmp(src, FX_H2_V4))
		memcpy(s.smac, fx->h2_mac, 6);
	return s;
}

/* The server's answer to @out as it arrives on the WAN, to @nat_port. */
static inline struct pkt_spec reply_spec(struct fixture *fx, __u8 proto, __u16 nat_port)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = FX_SERVER_V4, .dst = FX_WAN_V4,
		.proto = proto, .payload = 32,
	};

	memcpy(s.dmac, fx->wan_mac, 6);
	memcpy(s.smac, fx->inet_mac, 6);
	if (proto == IPPROTO_ICMP) {
		s.echo_reply = true;
		s.sport = nat_port; /* the echo id */
	} else {
		s.sport = 5201;
		s.dport = nat_port;
	}
	return s;
}

static inline __u16 be16_at(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

/* Runs @s in on @ifindex; returns the verdict, the frame in @out. */
static inline __u32 run_spec(struct fixture *fx, int ifindex, const struct pkt_spec *s,
		      __u8 *out, __u32 *out_len)
{
	__u8 in[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, in, sizeof(in)), retval = ~0u;

	*out_len = FRAME_MAX;
	if (fixture_run(fx, ifindex, in, len, out, out_len, &retval))
		return ~0u;
	return retval;
}

#endif
