/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The data plane's per-tenant round-trip time histograms (HEARTH_MAP_RTTHIST,
 * bpf/lib/ct_rtt.h), summed over CPUs: for /metrics and `tenant show`. */
#ifndef HEARTH_RTT_HIST_H
#define HEARTH_RTT_HIST_H

#include "dataplane.h"

struct json_object;

/* Tenant @id's histogram toward @where (enum hearth_rtt_where). */
int hearth_rtt_hist_read(struct hearth_dp *dp, __u32 id, int where, struct hearth_rtt_hist *out);
/* The upper bound of bucket @b in microseconds (0 for the last: none). */
__u32 hearth_rtt_bound_us(int b);
/* "wan" or "home" */
const char *hearth_rtt_where_name(int where);
/* {"wan": {"samples", "mean_ms", "median_ms"}, "home": {...}}: the median
 * is the upper bound of the bucket it falls in. Empty directions left out. */
struct json_object *hearth_rtt_json(struct hearth_dp *dp, __u32 id);

#endif
