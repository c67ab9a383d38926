// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tenants as `hearth tenant show -j` and the API's tenant.list show them:
 * settings, rules, effective rates and counters, from the maps. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "ifaces.h"
#include "shaper.h"
#include "../../util/parse.h"
#include "tenant.h"
#include "rtt_hist.h"
#include "tenant_show.h"

static const char *const dir_names[HEARTH_DIR_MAX] = { "up", "down" };
static const char *const drop_names[HEARTH_TDROP_MAX] = { "ceiling", "squeezed", "link-full" };

const char *hearth_tenant_origin_name(__u8 origin)
{
	switch (origin) {
	case HEARTH_TENANT_RUNTIME:
		return "runtime";
	case HEARTH_TENANT_CHUTE:
		return "chute";
	default:
		return "config";
	}
}

static struct json_object *matches_json(struct hearth_dp *dp, __u32 id)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ifs = json_object_new_array(), *pfx = json_object_new_array(),
			   *macs = json_object_new_array();
	struct hearth_tenant_matches m;
	char buf[INET6_ADDRSTRLEN + 8];

	hearth_tenant_matches(dp, id, &m);
	for (int i = 0; i < m.n_ifaces; i++) {
		struct hearth_iface iface;

		if (!hearth_dp_iface_get(dp, m.slots[i], &iface))
			json_object_array_add(ifs, json_object_new_string(iface.name));
	}
	for (int i = 0; i < m.n_prefixes; i++)
		json_object_array_add(pfx, json_object_new_string(
			hearth_prefix_format(&m.prefixes[i], buf, sizeof(buf))));
	for (int i = 0; i < m.n_macs; i++)
		json_object_array_add(macs, json_object_new_string(hearth_mac_format(m.macs[i], buf, sizeof(buf))));
	json_object_object_add(o, "iface", ifs);
	json_object_object_add(o, "prefix", pfx);
	json_object_object_add(o, "mac", macs);
	return o;
}

static struct json_object *dir_json(struct hearth_dp *dp, const struct hearth_tenant *t,
				    __u32 id, int d, const struct hearth_link_cfg *link,
				    __u64 others)
{
	struct json_object *o = json_object_new_object(), *drops = json_object_new_object();
	struct hearth_tenant_counters c;
	struct hearth_shaper_stats sh;
	struct hearth_iface wan;
	struct hearth_rate_eff eff;

	hearth_tenant_effective(&t->dir[d], id, link->capacity[d], others, &eff);
	json_object_object_add(o, "rate", json_object_new_uint64(eff.rate));
	json_object_object_add(o, "ceil", json_object_new_uint64(eff.ceil));
	json_object_object_add(o, "burst", json_object_new_uint64(eff.burst));
	hearth_tenant_counters(dp, id, d, &c);
	json_object_object_add(o, "packets", json_object_new_uint64(c.packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c.bytes));
	if (d == HEARTH_DIR_DOWN) {
		for (int r = 0; r < HEARTH_TDROP_MAX; r++)
			json_object_object_add(drops, drop_names[r], json_object_new_uint64(c.drops[r]));
		json_object_object_add(o, "drop_bytes", json_object_new_uint64(c.drop_bytes));
	} else if (link->shape_up && !hearth_dp_iface_get(dp, link->wan_slot, &wan) &&
		   !hearth_shaper_class_stats(wan.ifindex, id, &sh)) {
		/* the HTB class: what it sent, and what its full queue dropped */
		json_object_object_add(drops, "queue-full", json_object_new_uint64(sh.drops));
		json_object_object_add(o, "sent_packets", json_object_new_uint64(sh.packets));
		json_object_object_add(o, "sent_bytes", json_object_new_uint64(sh.bytes));
		json_object_object_add(o, "backlog", json_object_new_uint64(sh.backlog));
	}
	json_object_object_add(o, "drops", drops);
	return o;
}

static struct json_object *tenant_json(struct hearth_dp *dp, const struct hearth_tenant *t,
				       __u32 id, const struct hearth_link_cfg *link,
				       const __u64 *others)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int((int)id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "prio", json_object_new_int(t->prio));
	/* null: the gateway's conntrack host-share */
	json_object_object_add(o, "host_share",
			       t->ct_host_ways ?
				       json_object_new_int((int)hearth_ct_share_percent(t->ct_host_ways)) :
				       NULL);
	json_object_object_add(o, "origin", json_object_new_string(hearth_tenant_origin_name(t->origin)));
	json_object_object_add(o, "match", matches_json(dp, id));
	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		json_object_object_add(o, dir_names[d], dir_json(dp, t, id, d, link, others[d]));
	/* its connections' round-trip times, toward the WAN and the home */
	json_object_object_add(o, "rtt", hearth_rtt_json(dp, id));
	return o;
}

struct json_object *hearth_tenants_json(struct hearth_dp *dp, const char *name)
{
	struct json_object *root, *list, *cap, *one = NULL;
	__u64 others[HEARTH_DIR_MAX];
	struct hearth_link_cfg link = {};
	struct hearth_tenant t;

	hearth_link_get(dp, &link);
	hearth_tenants_guaranteed(dp, HEARTH_TENANT_HOME, others);
	root = json_object_new_object();
	cap = json_object_new_object();
	list = json_object_new_array();
	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		json_object_object_add(cap, dir_names[d], json_object_new_uint64(link.capacity[d]));
	json_object_object_add(root, "capacity", cap);
	json_object_object_add(root, "tenants", list);
	for (__u32 id = 0; id < HEARTH_MAX_TENANTS; id++) {
		if (hearth_tenant_get(dp, id, &t) || (name && strcmp(t.name, name)))
			continue;
		json_object_array_add(list, tenant_json(dp, &t, id, &link, others));
	}
	if (!name)
		return root;
	one = json_object_get(json_object_array_get_idx(list, 0));
	json_object_put(root);
	return one;
}

void hearth_chute_traffic_json(struct hearth_dp *dp, struct json_object *o)
{
	const char *chute = json_object_get_string(json_object_object_get(o, "name"));
	char tname[HEARTH_TENANT_NAMSIZ];
	struct hearth_tenant_counters c;
	int id;

	hearth_chute_tenant_name(chute ?: "", tname, sizeof(tname));
	id = hearth_tenant_find(dp, tname);
	if (id < 0)
		return;
	json_object_object_add(o, "tenant", json_object_new_string(tname));
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		struct json_object *t;

		if (hearth_tenant_counters(dp, (__u32)id, d, &c))
			continue;
		t = json_object_new_object();
		json_object_object_add(t, "packets", json_object_new_int64((int64_t)c.packets));
		json_object_object_add(t, "bytes", json_object_new_int64((int64_t)c.bytes));
		json_object_object_add(o, dir_names[d], t);
	}
}
