// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The cached forwarding decisions (`hearth fib show -j`, the API's
 * fib.list), from the maps. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "counters.h"
#include "dpstate.h"
#include "fib_show.h"
#include "ifaces.h"

static void slot_name(struct hearth_dp *dp, __u32 slot, char *buf, size_t size)
{
	struct hearth_iface iface;

	if (slot && !hearth_dp_iface_get(dp, slot, &iface))
		snprintf(buf, size, "%s", iface.name);
	else
		snprintf(buf, size, "-");
}

static __u32 ifindex_slot(struct hearth_dp *dp, __u32 ifindex)
{
	__u32 slot = 0;

	bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_IFSLOTS], &ifindex, &slot);
	return slot;
}

static struct json_object *entry_json(struct hearth_dp *dp,
				      const struct hearth_fib_key *k,
				      const struct hearth_fib_entry *e,
				      const struct hearth_state *st)
{
	struct json_object *o = json_object_new_object();
	char addr[INET6_ADDRSTRLEN], name[IF_NAMESIZE + 1], mac[18];
	bool fwd = e->action == HEARTH_FIB_FORWARD;

	inet_ntop(k->family == AF_INET ? AF_INET : AF_INET6, k->addr, addr, sizeof(addr));
	json_object_object_add(o, "destination", json_object_new_string(addr));
	slot_name(dp, ifindex_slot(dp, k->ifindex), name, sizeof(name));
	json_object_object_add(o, "from", json_object_new_string(name));
	json_object_object_add(o, "action", json_object_new_string(fwd ? "forward" : "pass"));
	if (fwd) {
		slot_name(dp, e->out_slot, name, sizeof(name));
		json_object_object_add(o, "dev", json_object_new_string(name));
		json_object_object_add(o, "ifindex", json_object_new_int(e->ifindex));
		json_object_object_add(o, "dmac", json_object_new_string(hearth_mac_format(e->dmac, mac, sizeof(mac))));
		json_object_object_add(o, "smac", json_object_new_string(hearth_mac_format(e->smac, mac, sizeof(mac))));
		json_object_object_add(o, "mtu", json_object_new_int(e->mtu));
	} else if (e->reason < HEARTH_CNT_MAX) {
		json_object_object_add(o, "reason",
				       json_object_new_string(hearth_counter_descs[e->reason].name));
	}
	/* entries also expire (in jiffies, which userspace cannot read);
	 * the generation is what a change of routes or neighbours moves */
	json_object_object_add(o, "valid",
			       json_object_new_boolean(e->generation == st->generation));
	return o;
}

struct json_object *hearth_fib_json(struct hearth_dp *dp)
{
	struct json_object *list = json_object_new_array();
	struct hearth_fib_key key, next;
	struct hearth_fib_entry e;
	struct hearth_state st = {};
	void *prev = NULL;

	hearth_dp_state_get(dp, &st);
	while (!bpf_map_get_next_key(dp->map_fd[HEARTH_DP_FIBCACHE], prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_FIBCACHE], &key, &e))
			continue; /* evicted meanwhile */
		json_object_array_add(list, entry_json(dp, &key, &e, &st));
	}
	return list;
}
