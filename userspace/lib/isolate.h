/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_ISOLATE_H
#define HEARTH_ISOLATE_H

#include "config.h"
#include "dataplane.h"
#include "../../util/pool.h"

/* Makes HEARTH_MAP_ISOLATE what @cfg says (the home's IPv4 subnets, the
 * chute pool, the gateway's addresses in it). */
int hearth_isolate_sync(struct hearth_dp *dp, const struct hearth_config *cfg);

#endif
