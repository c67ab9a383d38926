/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_STATUS_SHOW_H
#define HEARTH_STATUS_SHOW_H

#include "dataplane.h"

struct json_object;

/* daemon, pin dir, program, FIB cache, NAT and interfaces; NULL when the
 * data plane's state cannot be read. */
struct json_object *hearth_status_json(struct hearth_dp *dp, const char *run_dir);

#endif
