/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The gateway's statistics in the Prometheus text exposition format
 * (version 0.0.4): what `hearth stats`, `hearth tenant show` and `hearth
 * nat show` show, as counters and gauges with bounded label sets (no
 * per-flow labels). */
#ifndef HEARTH_METRICS_H
#define HEARTH_METRICS_H

#include <stddef.h>

#include "ct_ends.h"
#include "dataplane.h"

struct json_object;

/* Renders every metric into a new buffer (*@out, *@len; the caller
 * frees it). @ends may be NULL (no ended connections known), @export
 * too (hearthd's export.show answer: no flow export known), and @chutes
 * (the chute runtime's status of every chute, as chute.list answers). */
int hearth_metrics_render(struct hearth_dp *dp, const struct hearth_ct_ends *ends,
			  struct json_object *export, struct json_object *chutes, char **out,
			  size_t *len);

#endif
