/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_DATAPLANE_H
#define HEARTH_DATAPLANE_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>

#include "config.h"
#include "../../util/error.h"
#include "../../maps/hearth_maps.h"

enum hearth_dp_map {
	HEARTH_DP_IFSLOTS,
	HEARTH_DP_IFACES,
	HEARTH_DP_TXPORTS,
	HEARTH_DP_FIBCACHE,
	HEARTH_DP_FIBL1,
	HEARTH_DP_STATS,
	HEARTH_DP_STATE,
	HEARTH_DP_CT,
	HEARTH_DP_NATCFG,
	HEARTH_DP_INSIDE,
	HEARTH_DP_NATFWD,
	HEARTH_DP_CTL1,
	HEARTH_DP_FRAGS,
	HEARTH_DP_TENANTS,
	HEARTH_DP_TNSTATS,
	HEARTH_DP_TNPOLICE,
	HEARTH_DP_TNIFACE,
	HEARTH_DP_TNPREFIX,
	HEARTH_DP_TNMAC,
	HEARTH_DP_LINKCFG,
	HEARTH_DP_ISOLATE,
	HEARTH_DP_CHALLOW,
	HEARTH_DP_CHSRC,
	HEARTH_DP_MAP_COUNT,
};

struct bpf_object;

/* The pinned data plane as seen from userspace. */
struct hearth_dp {
	char pin_dir[256];
	int map_fd[HEARTH_DP_MAP_COUNT];
	int prog_fd;
	__u32 prog_id;
	int tc_prog_fd; /* WAN egress */
	__u32 tc_prog_id;
	bool adopted; /* found pinned and reused, not loaded by us */
	bool replaced; /* a different build was pinned; links now run ours */
};

/* What one gateway interface looks like to `hearth status`. */
struct hearth_dp_iface_status {
	__u32 slot;
	struct hearth_iface iface;
	bool linked; /* a pinned bpf_link attaches our program */
	__u32 link_id;
	__u32 prog_id;
	const char *mode; /* "native", "generic" or "none" */
};

const char *hearth_dp_map_name(enum hearth_dp_map map);

/* Opens the pinned maps and program (CLI side); -ENOENT when not loaded. */
int hearth_dp_open(struct hearth_dp *dp, const char *pin_dir,
		   struct hearth_err *err);
/* Adopts the pinned data plane when it is this build's, else loads ours
 * (reusing pinned maps) and moves existing links to it. Mounts bpffs. */
int hearth_dp_load(struct hearth_dp *dp, const struct hearth_config *cfg,
		   struct hearth_err *err);
void hearth_dp_close(struct hearth_dp *dp);
/* Points @dp at the maps of a loaded object that is not pinned (tests and
 * benchmarks); the fds stay the object's: no hearth_dp_close(). */
int hearth_dp_from_object(struct hearth_dp *dp, struct bpf_object *obj);

/* Registers an interface in the maps and attaches XDP through a pinned
 * link; idempotent, so it also repairs a recreated interface. */
int hearth_dp_iface_up(struct hearth_dp *dp, const char *name,
		       enum hearth_iface_role role, enum hearth_xdp_mode mode,
		       struct hearth_err *err);
int hearth_dp_iface_down(struct hearth_dp *dp, __u32 slot);
/* The one source address the chute behind @slot may send from (0: none,
 * so nothing it sends passes): what stops a chute posing as another chute
 * or as an internet host answering the home's NATed connections. */
int hearth_dp_chute_source(struct hearth_dp *dp, __u32 slot, __be32 addr);
/* The interface of @slot is gone: stop mapping its old ifindex (which the
 * kernel may hand to another device) but keep the slot and its counters. */
int hearth_dp_iface_forget(struct hearth_dp *dp, __u32 slot);
/* The slot holding interface @name, or 0. */
__u32 hearth_dp_slot_of(struct hearth_dp *dp, const char *name);
int hearth_dp_iface_get(struct hearth_dp *dp, __u32 slot,
			struct hearth_iface *iface);
int hearth_dp_iface_status(struct hearth_dp *dp, __u32 slot,
			   struct hearth_dp_iface_status *st);

int hearth_dp_state_get(struct hearth_dp *dp, struct hearth_state *st);
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
/* The id of a program pinned under <pin_dir>/progs, or 0. */
__u32 hearth_dp_pinned_prog_id(const char *pin_dir, const char *name);

/* Sums the per-CPU counters of one slot into out[HEARTH_CNT_MAX]. */
int hearth_dp_stats_read(struct hearth_dp *dp, __u32 slot,
			 struct hearth_counter *out);

/* Removes every link, program and map pinned under pin_dir. */
int hearth_dp_teardown(const char *pin_dir, struct hearth_err *err);

int hearth_bpffs_ensure(const char *pin_dir, struct hearth_err *err);
/* The kernel's HZ: from its config, else measured from jiffies over
 * 200 ms, else 100. */
unsigned int hearth_kernel_hz(void);
/* The data plane's clock, bpf_jiffies64(), read from /proc/timer_list. */
int hearth_jiffies_now(__u64 *jiffies);

#endif
