/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The home hosts probe records name (maps/hearth_probe.h): each home
 * address hearthd meets gets an index, its address as exports show it
 * (anonymized unless privacy raw) in the probes' view HEARTH_MAP_HOSTS,
 * then the index in HEARTH_MAP_HOSTID, where the data plane looks a
 * packet's addresses up while a probe is attached. The view is written
 * first, so that no record names an index whose address is not there.
 * Indexes stay as the pinned maps have them across hearthd restarts;
 * the addresses are written again under the privacy in force.
 */
#ifndef HEARTH_PROBE_HOSTS_H
#define HEARTH_PROBE_HOSTS_H

#include <stdbool.h>

#include "../../maps/hearth_maps.h"
#include "../../maps/hearth_probe.h"

struct hearth_dp;
struct hearth_flow_privacy;

/* An open-addressed index of the keys given out, twice the hosts' room:
 * a walk of the connection table asks about every connection's ends,
 * and the kernel need only hear of new ones. */
#define HEARTH_PROBE_HOSTS_SLOTS (2 * HEARTH_PROBE_MAX_HOSTS)

struct hearth_probe_hosts {
	__u32 n; /* indexes given: 1..n */
	bool full; /* all given: later hosts go unnamed (index 0) */
	struct hearth_host_key key[HEARTH_PROBE_MAX_HOSTS]; /* by index */
	__u16 slot[HEARTH_PROBE_HOSTS_SLOTS]; /* index, 0: empty */
};

/* The indexes the pinned maps hold (a previous hearthd's), their
 * addresses written again under @p. 0 or a negative errno. */
int hearth_probe_hosts_load(struct hearth_probe_hosts *h, struct hearth_dp *dp,
			    const struct hearth_flow_privacy *p);
/* @a's index, given now if it had none: a positive index, or -ENOSPC
 * when every index is given, or another negative errno. */
int hearth_probe_hosts_add(struct hearth_probe_hosts *h, struct hearth_dp *dp,
			   const struct hearth_flow_privacy *p, int family,
			   const union hearth_addr *a);

#endif
