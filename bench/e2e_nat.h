/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Shared by e2e_nat.bpf.c and nat_e2e.c. */
#ifndef HEARTH_BENCH_E2E_NAT_H
#define HEARTH_BENCH_E2E_NAT_H

#include <linux/types.h>

/* The frame: Ethernet, option-less IPv4, UDP with E2E_PAYLOAD bytes. */
#define E2E_PAYLOAD 64
#define E2E_UDP_LEN (8 + E2E_PAYLOAD)
#define E2E_FRAME_LEN (14 + 20 + E2E_UDP_LEN)

/* What the generator writes back into every frame: Ethernet + IPv4 + UDP
 * headers (42 bytes), as six words. */
#define E2E_HEAD_LEN 48
#define E2E_SPORT_OFF (14 + 20)
#define E2E_CSUM_OFF (14 + 20 + 6)

/* Frames per burst when paced, and per test-run batch. */
#define E2E_BURST 64

struct e2e_head {
	__u64 w[E2E_HEAD_LEN / 8];
};

enum e2e_counter {
	E2E_CNT_TRANSLATED, /* benchmark frame from the WAN address */
	E2E_CNT_OTHER, /* benchmark frame from another source (untranslated) */
	E2E_CNT_BAD, /* benchmark frame with a wrong IPv4 or UDP checksum */
	E2E_CNT_MAX
};

#endif
