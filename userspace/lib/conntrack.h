/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CONNTRACK_H
#define HEARTH_CONNTRACK_H

#include "dataplane.h"

/* Connections time out as hearth_ct_timeout_s (hearth_maps.h) says. */

/* One connection: both directions, read together. */
struct hearth_conn {
	struct hearth_ct_key key; /* original direction */
	struct hearth_ct_entry orig;
	struct hearth_ct_entry reply;
	/* the round-trip times, each direction's toward where its packets
	 * go (rtt.dir[enum hearth_ct_dir]); zero when none, and zero until
	 * hearth_ct_walker_rtt() reads them: walks do not */
	struct hearth_ct_rtt rtt;
	__u32 slot; /* of the original half: the times' index */
	const char *state; /* TCP: "syn-sent", "established", "time-wait"...; else "unreplied", "replied" */
	unsigned int timeout_s;
};

/* Calls @fn for every live connection; stops at its first non-zero
 * return. hearth_ct_walk_at judges liveness at jiffies @now (0: shows
 * expired ones too) with the kernel's @hz. */
int hearth_ct_walk(struct hearth_dp *dp,
		   int (*fn)(const struct hearth_conn *c, void *arg), void *arg);
int hearth_ct_walk_at(struct hearth_dp *dp, __u64 now, unsigned int hz,
		      int (*fn)(const struct hearth_conn *c, void *arg), void *arg);

/*
 * Walks that come back (hearthd's, every few seconds): the copies of the
 * table and its per-CPU lines are kept from one walk to the next, since a
 * full table is tens of MB and allocating it afresh costs page faults
 * and zeroing on top of the read. Zero a walker before its first walk.
 */
struct hearth_ct_walker {
	struct hearth_dp *dp;
	struct hearth_ct_set *sets;
	__u32 n_sets;
	__u32 *keys; /* the batch read's keys */
	struct hearth_ct_l1 *lines; /* [line * ncpus + cpu] */
	int ncpus;
};

int hearth_ct_walker_run(struct hearth_ct_walker *w, struct hearth_dp *dp, __u64 now,
			 unsigned int hz, int (*fn)(const struct hearth_conn *c, void *arg),
			 void *arg);
/* Fills @c->rtt (a connection of the walk under way): one read of its
 * record, for the connections a walk reports (most it does not). */
void hearth_ct_walker_rtt(struct hearth_ct_walker *w, struct hearth_conn *c);
void hearth_ct_walker_free(struct hearth_ct_walker *w);
/* The entry of @key in the table @fd, whatever its age: 0 or -ENOENT. */
int hearth_ct_lookup(int fd, const struct hearth_ct_key *key, struct hearth_ct_entry *e);
/* Rewrites @key's entry (its set read and written back under its lock,
 * not in one go: for tests and tools, not while the table is busy). */
int hearth_ct_update(int fd, const struct hearth_ct_key *key, const struct hearth_ct_entry *e);
int hearth_ct_delete(int fd, const struct hearth_ct_key *key);
/* Writes @key -> @e (in place of @key's entry, else in a free slot of its
 * set; e->gen set); returns the slot's index or -ENOSPC. */
int hearth_ct_insert(int fd, const struct hearth_ct_key *key, struct hearth_ct_entry *e);
/* Removes every connection (after the WAN address changed, say); returns
 * how many there were. */
int hearth_ct_flush(struct hearth_dp *dp);
/* Entries of tenant @from count for tenant @to from now on. */
int hearth_ct_retenant(struct hearth_dp *dp, __u32 from, __u32 to);
/* Live entries (two per connection), and how many the table holds. */
int hearth_ct_entries(struct hearth_dp *dp);
int hearth_ct_capacity(struct hearth_dp *dp);
/* What the data plane did to the table (HEARTH_CT_EVENTS), summed over
 * CPUs, and each event's name. */
int hearth_ct_events(struct hearth_dp *dp, __u64 counts[HEARTH_CT_EV_MAX]);
const char *hearth_ct_event_name(__u32 id);

#endif
