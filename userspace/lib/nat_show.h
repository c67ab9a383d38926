/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_NAT_SHOW_H
#define HEARTH_NAT_SHOW_H

#include "dataplane.h"

struct json_object;

/* hearth_proto_name() is in util/parse.h. */
/* The port forwards as `hearth nat forward list -j` and the API's
 * forward.list show them: [{"proto", "port", "to", "origin"}]. */
struct json_object *hearth_nat_forwards_json(struct hearth_dp *dp);

/* The translated connections and the mappings (`hearth nat show -j`, the
 * API's nat.list): {"entries", "capacity", "connections": [...],
 * "filtering", "mapping_entries", "mapping_capacity", "mappings": [...]}. */
struct json_object *hearth_conns_json(struct hearth_dp *dp);

#endif
