/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_DPSTATS_H
#define HEARTH_DPSTATS_H

#include "dataplane.h"

/* Sums the per-CPU counters of one slot into out[HEARTH_CNT_MAX]. */
int hearth_dp_stats_read(struct hearth_dp *dp, __u32 slot,
			 struct hearth_counter *out);
/* Zeroes the counters of one slot (a slot given to a new interface). */
void hearth_dp_stats_clear(struct hearth_dp *dp, __u32 slot);

#endif
