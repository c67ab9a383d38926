/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SHAPER_H
#define HEARTH_SHAPER_H

#include "dataplane.h"
#include "../../util/error.h"

/* What one tenant's HTB class has sent and dropped (queue full). */
struct hearth_shaper_stats {
	__u64 packets;
	__u64 bytes;
	__u64 drops;
	__u64 backlog;
};

/* Makes the HTB shaper on the WAN match the tenant maps and the upload
 * capacity; without an upload capacity, removes it (only ours). */
int hearth_shaper_sync(struct hearth_dp *dp, __u32 wan_ifindex, struct hearth_err *err);
void hearth_shaper_remove(__u32 ifindex);
/* hearth_shaper_remove on every WAN recorded under @pin_dir while our
 * egress program is pinned there (hearth_dp_teardown's first half). */
void hearth_shaper_remove_pinned(const char *pin_dir);
/* -ENOENT when the tenant has no class (no shaper). */
int hearth_shaper_class_stats(__u32 ifindex, __u32 tenant, struct hearth_shaper_stats *st);

/* hearth_shaper_sync on the WAN the data plane knows, if any. */
int hearth_shaper_follow(struct hearth_dp *dp, struct hearth_err *err);

#endif
