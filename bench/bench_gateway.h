/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by bench_gateway.bpf.c and xdp_bench (through bench/xdp_bench.h). */
#ifndef HEARTH_BENCH_GATEWAY_H
#define HEARTH_BENCH_GATEWAY_H

#include <linux/types.h>

/* Everything the gateway rewrites lies in the head of the frame: the
 * Ethernet header, and the IPv4 header up to its checksum (bytes 0..11),
 * which also covers the IPv6 hop limit (byte 7). */
#define BENCH_HEAD_LEN (14 + 12)

/* Word-sized so that putting it back is four stores, not 26 byte moves. */
struct bench_head {
	__u64 w[3];
	__u16 tail;
};

/* NAT also rewrites the addresses, the ports and the UDP checksum: the
 * Ethernet, IPv4 and UDP headers (14 + 20 + 8 = 42 bytes), put back as six
 * words (48 bytes; the last 6 are payload, which nothing writes). */
#define BENCH_NAT_HEAD_LEN 48
#define BENCH_NAT_HEAD_WORDS (BENCH_NAT_HEAD_LEN / 8)

struct bench_nat_head {
	__u64 w[BENCH_NAT_HEAD_WORDS];
};

/* Where the new-connection prologue writes the source port of an option-less
 * IPv4 UDP frame, and the UDP checksum it keeps valid. */
#define BENCH_UDP4_SPORT_OFF (14 + 20)
#define BENCH_UDP4_CSUM_OFF (14 + 20 + 6)

/* Where the ticking-timestamp prologue writes the TSval of tcp6's frame
 * (Ethernet, IPv6, TCP, then NOP NOP kind length): bench_build_tcp6
 * builds it with the timestamps option first. */
#define BENCH_TCP6_TSVAL_OFF (14 + 40 + 20 + 4)

#endif
