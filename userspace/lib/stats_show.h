/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_STATS_SHOW_H
#define HEARTH_STATS_SHOW_H

#include "dataplane.h"

struct json_object;

/* {"interfaces": [{"name", "role", "slot", "ifindex", "counters": {NAME:
 * {"packets", "bytes", "class"}}, "totals": {...}}]} for every registered
 * interface (and "unregistered" when something hit it), or only @dev:
 * -ENODEV when it is not a hearth interface. */
int hearth_stats_json(struct hearth_dp *dp, const char *dev, struct json_object **out);

#endif
