/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_UTIL_POOL_H
#define HEARTH_UTIL_POOL_H

/* The chute pool's arithmetic, one rule for the chute runtime (which
 * hands out the links) and the data plane's isolation map (which knows
 * the gateway's end of each). */

#include <linux/types.h>

#include "parse.h"

/* Chute @index's /30 in the pool: host 1 is the gateway, 2 the chute. */
__be32 hearth_chute_pool_addr(const struct hearth_prefix *pool, __u32 index,
			      __u32 host);
/* How many chutes the pool holds. */
__u32 hearth_chute_pool_size(const struct hearth_prefix *pool);

#endif
