/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared set-up of the firewall and connection table program tests: the
 * gateway with the firewall on, frames from the WAN, IPv6 keys. */
#ifndef HEARTH_FW_COMMON_H
#define HEARTH_FW_COMMON_H

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <stdlib.h>

#include "gw_common.h"

#define H1_TCP_SYN 0x02
#define TCP_SYNACK 0x12

/* Loads what gw_open() opened (its load-time settings set) and turns the
 * firewall on; destroys it and returns NULL on failure. */
static inline struct xdp_gateway *fw_load(struct fixture *fx, struct xdp_gateway *skel)
{
	skel = gw_load(fx, skel);
	if (skel && !ASSERT_OK(fixture_enable_firewall(fx), "enable the firewall")) {
		xdp_gateway__destroy(skel);
		return NULL;
	}
	return skel;
}

static inline struct xdp_gateway *fw_setup(struct fixture *fx)
{
	return fw_load(fx, gw_open(fx));
}

/* The gateway with the firewall on and a connection table of @sets sets
 * (a load-time setting), where a home host may hold @host_ways of each
 * (HEARTH_CT_WAYS + 1: no share at all). */
static inline struct xdp_gateway *fw_setup_table(struct fixture *fx, __u32 sets,
						 __u32 host_ways)
{
	struct xdp_gateway *skel = gw_open(fx);

	if (skel) {
		skel->rodata->ct_set_mask = sets - 1;
		skel->rodata->ct_host_ways = host_ways;
		bpf_map__set_max_entries(skel->maps.HEARTH_MAP_CT, sets);
	}
	return fw_load(fx, skel);
}

/* A frame from the server, arriving on the WAN, to @dst. */
static inline struct pkt_spec wan_spec(struct fixture *fx, int family, const char *dst, __u8 proto,
				__u16 sport, __u16 dport)
{
	struct pkt_spec s = {
		.family = family,
		.src = family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6,
		.dst = dst,
		.proto = proto,
		.sport = sport,
		.dport = dport,
		.payload = 32,
	};

	memcpy(s.dmac, fx->wan_mac, 6);
	memcpy(s.smac, fx->inet_mac, 6);
	return s;
}

static inline bool expect_spec(struct fixture *fx, int ifindex, const struct pkt_spec *s,
			__u32 verdict, int id, const char *what)
{
	__u8 in[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, in, sizeof(in));

	return ASSERT_TRUE(len > 0, "pkt_build") &&
	       expect_verdict(fx, ifindex, in, len, verdict, id, what);
}

static inline void key6(struct hearth_ct_key *key, const char *src, const char *dst, __u8 proto,
		 __u16 sport, __u16 dport)
{
	memset(key, 0, sizeof(*key));
	inet_pton(AF_INET6, src, key->saddr.b);
	inet_pton(AF_INET6, dst, key->daddr.b);
	key->proto = proto;
	key->family = AF_INET6;
	key->sport = htons(sport);
	key->dport = htons(dport);
}

/* A TCP segment of home1's IPv6 connection from @sport to the server's
 * port 5201: out from home, or its answer in from the WAN; with the
 * timestamps option when @tsval is not 0. */
static inline void tcp_seg_ts(struct fixture *fx, bool out, __u16 sport, __u8 flags,
			      __u32 tsval, __u32 tsecr, const char *what)
{
	struct pkt_spec s;

	if (out) {
		s = lan_spec(fx, AF_INET6, FX_SERVER_V6);
		s.proto = IPPROTO_TCP;
		s.sport = sport;
	} else {
		s = wan_spec(fx, AF_INET6, FX_H1_V6, IPPROTO_TCP, 5201, sport);
	}
	s.tcp_flags = flags;
	s.tcp_ts = tsval != 0;
	s.tsval = tsval;
	s.tsecr = tsecr;
	expect_spec(fx, out ? fx->lan : fx->wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, what);
}

static inline void tcp_seg(struct fixture *fx, bool out, __u16 sport, __u8 flags, const char *what)
{
	tcp_seg_ts(fx, out, sport, flags, 0, 0, what);
}

/* How often the data plane counted table event @id, on all CPUs. */
static inline __u64 ct_event_count(struct xdp_gateway *skel, __u32 id)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *v = calloc((size_t)ncpus, sizeof(*v)), sum = 0;

	if (v && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.HEARTH_MAP_CTSTATS), &id, v))
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

#define SETS 1024

/* Source ports whose connections' original halves share one set, and
 * whose reply halves are elsewhere. */
static inline int same_set_ports(__u16 *ports, int n, __u32 sets)
{
	struct hearth_ct_key key, reply;
	__u32 set = 0;
	int found = 0;

	for (__u32 port = 20000; port < 65536 && found < n; port++) {
		key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, (__u16)port, 5201);
		key6(&reply, FX_SERVER_V6, FX_H1_V6, IPPROTO_TCP, 5201, (__u16)port);
		if (!found)
			set = (__u32)hearth_ct_hash(&key) & (sets - 1);
		if (((__u32)hearth_ct_hash(&key) & (sets - 1)) == set &&
		    ((__u32)hearth_ct_hash(&reply) & (sets - 1)) != set)
			ports[found++] = (__u16)port;
	}
	return found;
}

#endif
