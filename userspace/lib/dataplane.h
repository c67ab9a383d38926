/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_DATAPLANE_H
#define HEARTH_DATAPLANE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

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
	HEARTH_DP_NATMAP,
	HEARTH_DP_ICMPRL,
	HEARTH_DP_FWCFG,
	HEARTH_DP_HOME,
	HEARTH_DP_PINHOLES,
	HEARTH_DP_FWFRAGS,
	HEARTH_DP_CTSTATS,
	HEARTH_DP_CTENDS,
	HEARTH_DP_CTRTT,
	HEARTH_DP_RTTHIST,
	HEARTH_DP_HOSTID,
	HEARTH_DP_HOSTS,
	HEARTH_DP_MAP_COUNT,
};

struct bpf_object;

/* The pinned data plane as seen from userspace. Who does what to it:
 * bpffs.c (the filesystem), loader.c (load, adopt, upgrade, unpin),
 * attach.c (XDP links, the WAN tc filter), ifaces.c (interface slots),
 * dpstate.c (flags, generation, FIB cache), dpstats.c (counters),
 * kclock.c (HZ, jiffies). */
/* Our tc programs on the WAN's clsact hook. */
enum hearth_tc_point {
	HEARTH_TC_OUT, /* egress: NAT and the firewall for what the kernel forwards */
	HEARTH_TC_IN, /* ingress: the firewall for what XDP left to the kernel */
	HEARTH_TC_POINTS,
};

/* "hearth_tc_wan_out", "hearth_tc_wan_in": the pinned name of each. */
const char *hearth_tc_prog_name(enum hearth_tc_point point);

struct hearth_dp {
	char pin_dir[256];
	int map_fd[HEARTH_DP_MAP_COUNT];
	int prog_fd;
	__u32 prog_id;
	int tc_prog_fd[HEARTH_TC_POINTS]; /* on the WAN, enum hearth_tc_point */
	__u32 tc_prog_id[HEARTH_TC_POINTS];
	bool adopted; /* found pinned and reused, not loaded by us */
	bool replaced; /* a different build was pinned; links now run ours */
};

const char *hearth_dp_map_name(enum hearth_dp_map map);

/* Opens the pinned maps and program (CLI side); -ENOENT when not loaded. */
int hearth_dp_open(struct hearth_dp *dp, const char *pin_dir,
		   struct hearth_err *err);
void hearth_dp_close(struct hearth_dp *dp);
/* Points @dp at the maps of a loaded object that is not pinned (tests and
 * benchmarks); the fds stay the object's: no hearth_dp_close(). */
int hearth_dp_from_object(struct hearth_dp *dp, struct bpf_object *obj);
/* The id of a program pinned under <pin_dir>/progs, or 0. */
__u32 hearth_dp_pinned_prog_id(const char *pin_dir, const char *name);

/* For the library's own files: <dir>/<sub>/<name> (no <sub> when NULL),
 * -ENAMETOOLONG when it does not fit; the id of a program fd. */
int hearth_dp_pin_path(char *buf, size_t size, const char *dir, const char *sub,
		       const char *name);
int hearth_dp_prog_id_of(int prog_fd, __u32 *id);

#endif
