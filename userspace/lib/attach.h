/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_ATTACH_H
#define HEARTH_ATTACH_H

#include "config.h"
#include "dataplane.h"
#include "../../util/error.h"

/* XDP: one bpf_link per interface, pinned as <pin_dir>/links/<ifname>. */

/* Attaches dp's program to @name through a pinned link, keeping (and
 * moving to dp's program) a link that still serves @ifindex. */
int hearth_xdp_attach(struct hearth_dp *dp, const char *name, __u32 ifindex,
		      enum hearth_xdp_mode mode, struct hearth_err *err);
/* Removes the pinned link of @name: XDP is detached from it. */
void hearth_xdp_detach(const struct hearth_dp *dp, const char *name);
/* Points every pinned link at dp->prog_fd (after an upgrade). */
int hearth_xdp_relink_all(struct hearth_dp *dp, struct hearth_err *err);

/* tc: our filters on the WAN's clsact hook, egress and ingress (tc handle
 * "HT", priority 1): only ever these are replaced or removed, never the
 * hook itself. */
#define HEARTH_TC_HANDLE 0x4854
#define HEARTH_TC_PRIORITY 1

/* Attaches (or moves to dp's programs) the WAN's filters. */
int hearth_tc_attach(struct hearth_dp *dp, __u32 ifindex, struct hearth_err *err);
/* The program id of our filter on @ifindex at @point, or 0. */
__u32 hearth_tc_attached(__u32 ifindex, enum hearth_tc_point point);
/* Removes our filter from every WAN interface recorded under @pin_dir
 * (the HTB shaper is the shaper's: see hearth_dp_teardown()). */
void hearth_tc_detach_pinned(const char *pin_dir);
/* The WAN interfaces recorded under @pin_dir, while our egress program is
 * pinned there (none otherwise): up to @max ifindexes, how many. */
int hearth_tc_pinned_wans(const char *pin_dir, __u32 *ifindexes, int max);

#endif
