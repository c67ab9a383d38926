/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_IFACES_H
#define HEARTH_IFACES_H

#include <stdbool.h>

#include "config.h"
#include "dataplane.h"
#include "../../util/error.h"

/* What one gateway interface looks like to `hearth status`. */
struct hearth_dp_iface_status {
	__u32 slot;
	struct hearth_iface iface;
	bool linked; /* a pinned bpf_link attaches our program */
	__u32 link_id;
	__u32 prog_id;
	const char *mode; /* "native", "generic" or "none" */
};

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

#endif
