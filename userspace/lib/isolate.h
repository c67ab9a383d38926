/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_ISOLATE_H
#define HEARTH_ISOLATE_H

#include "config.h"
#include "dataplane.h"

/* Chute @index's /30 in the pool: host 1 is the gateway, 2 the chute. */
__be32 hearth_chute_pool_addr(const struct hearth_prefix *pool, __u32 index,
			      __u32 host);
/* How many chutes the pool holds. */
__u32 hearth_chute_pool_size(const struct hearth_prefix *pool);
/* Makes HEARTH_MAP_ISOLATE what @cfg says (the home's IPv4 subnets, the
 * chute pool, the gateway's addresses in it). */
int hearth_isolate_sync(struct hearth_dp *dp, const struct hearth_config *cfg);

#endif
