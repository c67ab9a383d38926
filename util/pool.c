// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The chute pool: one /30 per chute. */
#include <arpa/inet.h>

#include "pool.h"

__be32 hearth_chute_pool_addr(const struct hearth_prefix *pool, __u32 index,
			      __u32 host)
{
	return htonl(ntohl(pool->addr.v4.s_addr) + index * 4 + host);
}

__u32 hearth_chute_pool_size(const struct hearth_prefix *pool)
{
	return pool->len ? 1u << (32 - pool->len) >> 2 : 0;
}
