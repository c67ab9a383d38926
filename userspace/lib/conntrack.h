/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CONNTRACK_H
#define HEARTH_CONNTRACK_H

#include "dataplane.h"

/* Idle timeouts in seconds, close to Linux conntrack's defaults. */
#define HEARTH_CT_TCP_ESTABLISHED 432000
#define HEARTH_CT_TCP_OPENING 120 /* no answer yet */
#define HEARTH_CT_TCP_CLOSING 120 /* FIN seen */
#define HEARTH_CT_TCP_RESET 10
#define HEARTH_CT_UDP_UNREPLIED 30
#define HEARTH_CT_UDP_REPLIED 120
#define HEARTH_CT_ICMP 30

/* One connection: both directions, read together. */
struct hearth_conn {
	struct hearth_ct_key key; /* original direction */
	struct hearth_ct_entry orig;
	struct hearth_ct_entry reply;
	const char *state; /* "opening", "established", "closing", ... */
	unsigned int timeout_s;
};

/* Calls @fn for every connection; stops at its first non-zero return. */
int hearth_ct_walk(struct hearth_dp *dp,
		   int (*fn)(const struct hearth_conn *c, void *arg), void *arg);
/* Deletes connections idle longer than their timeout; returns how many. */
int hearth_ct_expire(struct hearth_dp *dp, __u64 now, unsigned int hz);
/* Removes every connection (after the WAN address changed, say). */
int hearth_ct_flush(struct hearth_dp *dp);
/* Tracked entries (two per connection). */
int hearth_ct_entries(struct hearth_dp *dp);

#endif
