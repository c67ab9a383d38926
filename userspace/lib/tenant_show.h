/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_TENANT_SHOW_H
#define HEARTH_TENANT_SHOW_H

#include "dataplane.h"

struct json_object;

/* "config", "runtime" or "chute". */
const char *hearth_tenant_origin_name(__u8 origin);
/* All tenants ({"capacity": {...}, "tenants": [...]}) when @name is NULL,
 * else tenant @name's object, or NULL when there is none. */
struct json_object *hearth_tenants_json(struct hearth_dp *dp, const char *name);

/* "tenant": its tenant's name, "up"/"down": {"packets", "bytes"} into
 * @o, a chute's status (the chute's name read from it); nothing when the
 * chute has no tenant (it does not run). */
void hearth_chute_traffic_json(struct hearth_dp *dp, struct json_object *o);

#endif
