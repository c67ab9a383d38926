// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Port forwards as JSON, from the maps. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "nat.h"
#include "nat_show.h"
#include "../../util/parse.h"

struct json_object *hearth_nat_forwards_json(struct hearth_dp *dp)
{
	struct json_object *list = json_object_new_array();
	struct hearth_nat_fwd_key key, next;
	struct hearth_nat_fwd fwd;
	char to[INET_ADDRSTRLEN + 8];
	void *prev = NULL;

	while (!bpf_map_get_next_key(dp->map_fd[HEARTH_DP_NATFWD], prev, &next)) {
		struct json_object *o;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATFWD], &key, &fwd))
			continue;
		o = json_object_new_object();
		inet_ntop(AF_INET, &fwd.addr, to, sizeof(to));
		snprintf(to + strlen(to), sizeof(to) - strlen(to), ":%u", ntohs(fwd.port));
		json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(key.proto)));
		json_object_object_add(o, "port", json_object_new_int(ntohs(key.port)));
		json_object_object_add(o, "to", json_object_new_string(to));
		json_object_object_add(o, "origin",
				       json_object_new_string(hearth_nat_forward_origin(fwd.origin)));
		json_object_array_add(list, o);
	}
	return list;
}
