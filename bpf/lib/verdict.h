/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The one exit of the data plane: every packet bumps exactly one counter of
 * its ingress slot, and the counter's class decides the XDP action.
 */
#ifndef HEARTH_BPF_VERDICT_H
#define HEARTH_BPF_VERDICT_H

#include "common.h"

static __always_inline void counter_add(__u32 slot, __u32 id, __u32 bytes)
{
	__u32 key = HEARTH_STATS_INDEX(slot, id);
	struct hearth_counter *c;

	c = bpf_map_lookup_elem(&HEARTH_MAP_STATS, &key);
	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

/* Drop reasons sit at the end of HEARTH_COUNTERS; everything before
 * them that is not FORWARD/TX is a slow-path reason. */
static __always_inline int verdict(__u32 slot, __u32 id, __u32 bytes)
{
	counter_add(slot, id, bytes);
	return id >= HEARTH_CNT_DROP_TRUNC_ETH ? XDP_DROP : XDP_PASS;
}

#endif /* HEARTH_BPF_VERDICT_H */
