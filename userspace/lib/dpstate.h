/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_DPSTATE_H
#define HEARTH_DPSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include "dataplane.h"

/* The tenant rule bits follow the tenant maps, not the configuration. */
#define HEARTH_DP_TENANT_FLAGS \
	(HEARTH_STATE_TENANT_MACS | HEARTH_STATE_TENANT_PREFIXES)

int hearth_dp_state_get(struct hearth_dp *dp, struct hearth_state *st);
/* Writes the whole record (the loader's, with a new build id). */
int hearth_dp_state_put(struct hearth_dp *dp, const struct hearth_state *st);
int hearth_dp_set_flags(struct hearth_dp *dp, __u32 flags);
/* Sets the state flags in @mask to those of @flags, leaving the others. */
int hearth_dp_update_flags(struct hearth_dp *dp, __u32 mask, __u32 flags);
/* Sets the HEARTH_STATE_TENANT_* bits (the others are the config's). */
int hearth_dp_set_tenant_flags(struct hearth_dp *dp, __u32 flags);
int hearth_dp_bump_generation(struct hearth_dp *dp);
/* Invalidates every cached decision and empties the shared cache. */
int hearth_dp_fib_flush(struct hearth_dp *dp);
int hearth_dp_fib_cache_count(struct hearth_dp *dp);
/* Keys in any map (by walking it); -EINVAL for keys over 64 bytes. */
int hearth_map_count(int fd, size_t key_size);
/* Deletes every key of @fd that @wanted(key, @arg) refuses: the second half
 * of a sync that adds the wanted keys first. -EINVAL for keys over 64
 * bytes. */
int hearth_map_prune(int fd, size_t key_size,
		     bool (*wanted)(const void *key, const void *arg), const void *arg);

#endif
