/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by bench_gateway.bpf.c and xdp_bench.c. */
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

#endif
