/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_TENANT_JSON_H
#define HEARTH_TENANT_JSON_H

/*
 * A tenant spec (what `hearth tenant add|set` and the configuration say) as
 * JSON, for the API and the state file:
 *	{"name": "guest", "id": 3, "prio": 2,
 *	 "up": {"rate": 2000000, "ceil": 8000000, "burst": 32768},
 *	 "down": {...},
 *	 "match": {"iface": ["lan0"], "prefix": ["192.168.1.11/32"], "mac": []}}
 * Only what was given appears; "match" replaces all of a tenant's rules.
 * Rates are bits/s and bursts bytes as numbers, or strings as the CLI
 * takes them ("20mbit", "32k"). Read back through the words parser
 * (hearth_tenant_spec_parse), so that both say the same about bad values.
 */

#include "config.h"
#include "../../util/error.h"

struct json_object;

struct json_object *hearth_tenant_spec_json(const struct hearth_tenant_spec *spec);
/* -EINVAL with the problem in @err (naming the field). */
int hearth_tenant_spec_from_json(struct json_object *o, struct hearth_tenant_spec *spec,
				 struct hearth_err *err);

#endif
