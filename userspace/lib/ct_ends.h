/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The ring of ended connections the data plane fills (HEARTH_MAP_CTENDS):
 * hearthd reads it and keeps totals by end reason; the flow exporters
 * take their records from here. */
#ifndef HEARTH_CT_ENDS_H
#define HEARTH_CT_ENDS_H

#include <linux/types.h>

#include "../../maps/hearth_maps.h"

struct ring_buffer;
struct json_object;
struct hearth_dp;

/* enum hearth_ct_end_reason, as the totals count them */
enum hearth_ct_end_kind {
	HEARTH_CT_ENDED_IDLE,
	HEARTH_CT_ENDED_CLOSED,
	HEARTH_CT_ENDED_FORCED,
	HEARTH_CT_ENDED_EVICTED,
	HEARTH_CT_ENDED_KINDS,
};

/* Called for each end read, after it is counted. */
typedef void (*hearth_ct_end_fn)(void *ctx, const struct hearth_ct_end *end);

struct hearth_ct_ends {
	struct ring_buffer *rb;
	hearth_ct_end_fn on_end; /* may be NULL */
	void *ctx;
	__u64 conns[HEARTH_CT_ENDED_KINDS];
	__u64 halves; /* ends with one half: its other half ended apart */
	__u64 packets; /* both directions */
	__u64 bytes;
};

/* "idle", "closed", "forced", "evicted" */
const char *hearth_ct_ended_name(enum hearth_ct_end_kind kind);

int hearth_ct_ends_open(struct hearth_ct_ends *ends, struct hearth_dp *dp, hearth_ct_end_fn on_end,
			void *ctx);
/* For poll(): readable when ends wait. */
int hearth_ct_ends_fd(const struct hearth_ct_ends *ends);
/* Reads every end waiting; returns how many, or a negative errno. */
int hearth_ct_ends_drain(struct hearth_ct_ends *ends);
void hearth_ct_ends_close(struct hearth_ct_ends *ends);
/* {"idle": N, ..., "packets": N, "bytes": N} since hearthd started. */
struct json_object *hearth_ct_ends_json(const struct hearth_ct_ends *ends);

#endif
