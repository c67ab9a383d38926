/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CONNTRACK_H
#define HEARTH_CONNTRACK_H

#include "dataplane.h"

/* Idle timeouts in seconds: the NAT RFCs' minimums. An entry leaves the
 * table this long after the last packet either way; the mapping it used
 * outlives it (HEARTH_NAT_MAPPING_MS), so no mapping goes sooner than
 * these after its last outbound packet. */
#define HEARTH_CT_TCP_ESTABLISHED 7440 /* RFC 5382 REQ-5: 2 h 4 min */
#define HEARTH_CT_TCP_TRANSITORY 240 /* REQ-5: 4 min, opening or closing */
#define HEARTH_CT_TCP_OPENING HEARTH_CT_TCP_TRANSITORY
#define HEARTH_CT_TCP_CLOSING HEARTH_CT_TCP_TRANSITORY
/* RFC 7857 2.2: after a reset too, so that a forged RST cannot end a
 * connection at once */
#define HEARTH_CT_TCP_RESET HEARTH_CT_TCP_TRANSITORY
#define HEARTH_CT_UDP 120 /* RFC 4787 REQ-5: 2 min, answered or not */
#define HEARTH_CT_UDP_DNS 30 /* REQ-5a: shorter for DNS (port 53) only */
#define HEARTH_CT_ICMP 60 /* RFC 5508 REQ-2: an ICMP query, 60 s */

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
