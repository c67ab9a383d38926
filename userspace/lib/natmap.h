/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_NATMAP_H
#define HEARTH_NATMAP_H

#include "conntrack.h"
#include "dataplane.h"

/* Removes mappings and filtering permissions no connection uses and none
 * opened for HEARTH_NAT_MAPPING_MS (run after hearth_ct_expire); returns
 * how many mappings went. The table is walked with @w's buffers (NULL:
 * buffers of its own). */
int hearth_natmap_expire(struct hearth_dp *dp, struct hearth_ct_walker *w, __u64 now,
			 unsigned int hz);
/* Removes every mapping (after the WAN address changed); returns how many. */
int hearth_natmap_flush(struct hearth_dp *dp);
/* Calls @fn for every entry; stops at its first non-zero return. */
int hearth_natmap_walk(struct hearth_dp *dp,
		       int (*fn)(const struct hearth_nat_map_key *key,
				 const struct hearth_nat_mapping *m, void *arg),
		       void *arg);

#endif
