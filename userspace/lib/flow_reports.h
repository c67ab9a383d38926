/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Delta counts for long flows. A connection that lives longer than the
 * active timeout is reported every active timeout while it moves (IPFIX
 * flowEndReason activeTimeout), each record counting what happened since
 * the one before; its end record then counts the rest, so a collector
 * that sums a flow's records gets exactly what the data plane counted.
 *
 * What was reported is remembered per connection (its original key and
 * the generation of its slot), in rows grouped like the table's sets: a
 * set holds at most HEARTH_CT_WAYS connections, so the rows never
 * outgrow the table (memory: capacity x sizeof(struct flow_report_row)).
 */
#ifndef HEARTH_FLOW_REPORTS_H
#define HEARTH_FLOW_REPORTS_H

#include <stdbool.h>

#include "flow.h"

struct flow_report_row;

struct hearth_flow_reports {
	struct flow_report_row *rows; /* sets * HEARTH_CT_WAYS */
	__u32 sets;
	unsigned int active_timeout_s;
	__u32 walk; /* walks so far: rows unseen for two are dropped */
	__u64 reported; /* periodic reports made */
	__u64 no_row; /* reports made without room to remember them */
	__u64 adopted; /* live connections taken as reported up to now */
};

/* @sets: the table's (a power of two). 0 or -ENOMEM. */
int hearth_flow_reports_init(struct hearth_flow_reports *r, __u32 sets,
			     unsigned int active_timeout_s);
void hearth_flow_reports_free(struct hearth_flow_reports *r);

/* A walk of the live table begins and ends: rows of connections the walk
 * did not see twice in a row are forgotten (their end was read, or lost). */
void hearth_flow_reports_walk_begin(struct hearth_flow_reports *r);
void hearth_flow_reports_walk_end(struct hearth_flow_reports *r);

/* Without that: @c, live when hearthd starts, counts as reported up to
 * @now_ms, rather than have its whole past reported again (what it did
 * since the last report before the kill is lost instead). */
void hearth_flow_reports_adopt(struct hearth_flow_reports *r, const struct hearth_conn *c,
				const struct hearth_flow_clock *clock, __u64 now_ms);

/* @c is live: is its periodic report due at @now_ms (its active timeout
 * past since it started or last reported, and something moved)? Cheap:
 * no record is made. */
bool hearth_flow_reports_due(struct hearth_flow_reports *r, const struct hearth_conn *c,
			     const struct hearth_flow_clock *clock, __u64 now_ms);
/* @c is live: true when its periodic report is due at @now_ms, with @f
 * filled (its counts since the last report). */
bool hearth_flow_reports_live(struct hearth_flow_reports *r, const struct hearth_conn *c,
			      const struct hearth_flow_clock *clock, __u64 now_ms,
			      struct hearth_flow *f);

/* What was reported, kept across a restart of hearthd in @path (a clean
 * stop saves it, the start after loads and removes it). Load: 0, or
 * -ENOENT when there is none fit for this table: hearthd was killed, and
 * what it reported of the live connections is not known. */
int hearth_flow_reports_save(const struct hearth_flow_reports *r, const char *path);
int hearth_flow_reports_load(struct hearth_flow_reports *r, const char *path);

/* @end's connection ended: @f, built from it, now counts only what no
 * earlier report did. */
void hearth_flow_reports_end(struct hearth_flow_reports *r, const struct hearth_ct_end *end,
			     struct hearth_flow *f);

#endif
