/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_FIB_SHOW_H
#define HEARTH_FIB_SHOW_H

#include "dataplane.h"

struct json_object;

/* [{"destination", "from", "action", "dev", ..., "valid"}] */
struct json_object *hearth_fib_json(struct hearth_dp *dp);

#endif
