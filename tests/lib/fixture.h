/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A gateway in a private network namespace for BPF_PROG_TEST_RUN: lan0 and
 * wan0 (veths), static neighbours on both sides, a few special routes, and
 * the data plane's maps filled as hearthd would fill them.
 *
 *   lan0 192.168.1.1/24 2001:db8:1::1/64  neighbour h1 .10 / ::10
 *   wan0 198.51.100.1/24 2001:db8:ff::1/64 default via .2 / ::2 (neighbour)
 *   203.0.113.99     unreachable          192.168.1.99   no neighbour
 *   (the route MTU is locked: bpf_fib_lookup ignores an unlocked route MTU,
 *   which Linux forwarding would honour; see docs/architecture.md)
 *   203.0.113.200    mtu 1300             10.9.9.0/24    on ext0 (foreign)
 *
 * fixture_add_chutes() adds two chutes as the chute runtime wires them, in
 * the default pool 10.213.0.0/24 (a /30 each: gateway .1, chute .2):
 *
 *   hc-a 10.213.0.1/30  chute a .2 (neighbour)
 *   hc-b 10.213.0.5/30  chute b .6 (neighbour)
 */
#ifndef HEARTH_TEST_FIXTURE_H
#define HEARTH_TEST_FIXTURE_H

#include <bpf/libbpf.h>
#include <linux/types.h>

#include "../../maps/hearth_maps.h"

#define FX_LAN_MAC "02:00:00:00:01:01"
#define FX_WAN_MAC "02:00:00:00:02:01"
#define FX_H1_MAC "02:00:00:00:01:10"
#define FX_INET_MAC "02:00:00:00:02:02"
#define FX_H2_MAC "02:00:00:00:01:11"
#define FX_H1_V4 "192.168.1.10"
#define FX_H2_V4 "192.168.1.11"
#define FX_WAN_V4 "198.51.100.1"
#define FX_LAN_V4 "192.168.1.1"
#define FX_H1_V6 "2001:db8:1::10"
#define FX_SERVER_V4 "203.0.113.10"
#define FX_SERVER_V6 "2001:db8:cafe::10"
#define FX_CHUTES 2
#define FX_CHUTE_POOL "10.213.0.0/24"
#define FX_CHUTE_A_GW_V4 "10.213.0.1"
#define FX_CHUTE_A_V4 "10.213.0.2"
#define FX_CHUTE_B_GW_V4 "10.213.0.5"
#define FX_CHUTE_B_V4 "10.213.0.6"

struct fixture {
	struct bpf_object *obj;
	int prog_fd;
	int stats_fd, fib_fd, fibl1_fd, state_fd, ct_fd;
	int lan, wan, stray; /* ifindexes; stray is not registered */
	__u8 lan_mac[6], wan_mac[6], h1_mac[6], h2_mac[6], inet_mac[6];
	/* after fixture_add_chutes(): the gateway's end and the chute's MAC */
	int chute[FX_CHUTES];
	__u8 chute_gw_mac[FX_CHUTES][6], chute_mac[FX_CHUTES][6];
};

/* Moves the calling process into a new network namespace and builds the
 * topology there. Needs root. */
int fixture_netns(struct fixture *fx);
/* Registers lan0 and wan0 in @obj's maps and picks program @prog. */
int fixture_attach_maps(struct fixture *fx, struct bpf_object *obj,
			const char *prog);
/* Creates hc-a and hc-b and registers them with the chute role (slots 3
 * and 4); after fixture_attach_maps(). */
int fixture_add_chutes(struct fixture *fx);
int fixture_run(struct fixture *fx, int ifindex, const void *in, __u32 len,
		void *out, __u32 *out_len, __u32 *retval);
/* Sum over CPUs of one counter of the interface's slot. */
__u64 fixture_counter(struct fixture *fx, int ifindex, int id);
int fixture_bump_generation(struct fixture *fx);
/* The state map's flags @mask (enum hearth_state_flags) set or cleared. */
int fixture_state_flags(struct fixture *fx, __u32 mask, bool on);
/* Masquerade 192.168.1.0/24 behind wan0's 198.51.100.1, ports min..max. */
int fixture_enable_nat(struct fixture *fx, __u16 port_min, __u16 port_max);
/* The firewall on, as hearthd sets it for lan0's 192.168.1.0/24 and
 * 2001:db8:1::/64 and the chute pool: ICMPv6 echo requests let in. */
int fixture_enable_firewall(struct fixture *fx);
/* Adds pinhole @ph (after those already there). */
int fixture_add_pinhole(struct fixture *fx, const struct hearth_pinhole *ph);
/* Empties the per-CPU level of the FIB cache on every CPU. */
int fixture_clear_l1(struct fixture *fx);
int fixture_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
