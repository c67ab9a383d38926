// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The gateway's status (`hearth status -j`, the API's status), from the
 * maps and the pid file. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "conntrack.h"
#include "dpstate.h"
#include "ifaces.h"
#include "nat.h"
#include "rundir.h"
#include "status_show.h"

static struct json_object *iface_json(const struct hearth_dp_iface_status *st)
{
	struct json_object *o = json_object_new_object();
	char mac[18];

	json_object_object_add(o, "name", json_object_new_string(st->iface.name));
	json_object_object_add(o, "role",
			       json_object_new_string(hearth_role_name(st->iface.role)));
	json_object_object_add(o, "slot", json_object_new_int(st->slot));
	json_object_object_add(o, "ifindex", json_object_new_int(st->iface.ifindex));
	json_object_object_add(o, "mac",
			       json_object_new_string(hearth_mac_format(st->iface.mac, mac, sizeof(mac))));
	json_object_object_add(o, "mtu", json_object_new_int(st->iface.mtu));
	json_object_object_add(o, "attached", json_object_new_boolean(st->linked));
	json_object_object_add(o, "mode", json_object_new_string(st->mode));
	json_object_object_add(o, "link_id", json_object_new_int64(st->link_id));
	json_object_object_add(o, "prog_id", json_object_new_int64(st->prog_id));
	return o;
}

static struct json_object *nat_json(struct hearth_dp *dp)
{
	struct json_object *o = json_object_new_object();
	struct hearth_nat_cfg cfg = {};
	char addr[INET_ADDRSTRLEN] = "";
	__u32 zero = 0;

	bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATCFG], &zero, &cfg);
	if (cfg.wan_addr)
		inet_ntop(AF_INET, &cfg.wan_addr, addr, sizeof(addr));
	json_object_object_add(o, "masquerade", json_object_new_boolean(cfg.enabled));
	json_object_object_add(o, "address", json_object_new_string(addr));
	json_object_object_add(o, "filtering",
			       json_object_new_string(hearth_nat_filtering_name(cfg.filtering)));
	json_object_object_add(o, "port_min", json_object_new_int(cfg.port_min));
	json_object_object_add(o, "port_max", json_object_new_int(cfg.port_max));
	json_object_object_add(o, "entries",
			       json_object_new_int(hearth_ct_entries(dp)));
	json_object_object_add(o, "capacity", json_object_new_int(hearth_ct_capacity(dp)));
	json_object_object_add(o, "forwards",
			       json_object_new_int(hearth_map_count(dp->map_fd[HEARTH_DP_NATFWD],
							      sizeof(struct hearth_nat_fwd_key))));
	json_object_object_add(o, "wan_egress_prog_id",
			       json_object_new_int64(dp->tc_prog_id[HEARTH_TC_OUT]));
	json_object_object_add(o, "wan_ingress_prog_id",
			       json_object_new_int64(dp->tc_prog_id[HEARTH_TC_IN]));
	return o;
}

static struct json_object *status_json(struct hearth_dp *dp, pid_t pid,
				       const struct hearth_state *state,
				       int cached)
{
	struct json_object *root = json_object_new_object();
	struct json_object *daemon = json_object_new_object();
	struct json_object *prog = json_object_new_object();
	struct json_object *fib = json_object_new_object();
	struct json_object *ifaces = json_object_new_array();
	struct hearth_dp_iface_status st;

	json_object_object_add(daemon, "running", json_object_new_boolean(pid > 0));
	if (pid > 0)
		json_object_object_add(daemon, "pid", json_object_new_int(pid));
	json_object_object_add(root, "daemon", daemon);
	json_object_object_add(root, "pin_dir", json_object_new_string(dp->pin_dir));
	json_object_object_add(prog, "name",
			       json_object_new_string(HEARTH_STR(HEARTH_PROG_XDP_GATEWAY)));
	json_object_object_add(prog, "id", json_object_new_int64(dp->prog_id));
	json_object_object_add(root, "program", prog);
	json_object_object_add(fib, "enabled",
			       json_object_new_boolean(!(state->flags & HEARTH_STATE_NO_FIB_CACHE)));
	json_object_object_add(fib, "entries", json_object_new_int(cached));
	json_object_object_add(fib, "capacity",
			       json_object_new_int(HEARTH_FIB_CACHE_ENTRIES));
	json_object_object_add(fib, "generation",
			       json_object_new_int64(state->generation));
	json_object_object_add(root, "fib_cache", fib);
	/* what exports carry: home addresses anonymized, or as they are */
	json_object_object_add(root, "privacy", json_object_new_string(
		state->flags & HEARTH_STATE_PRIVACY_RAW ? "raw" : "anonymized"));
	json_object_object_add(root, "nat", nat_json(dp));
	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++)
		if (!hearth_dp_iface_status(dp, slot, &st))
			json_object_array_add(ifaces, iface_json(&st));
	json_object_object_add(root, "interfaces", ifaces);
	return root;
}

struct json_object *hearth_status_json(struct hearth_dp *dp, const char *run_dir)
{
	struct hearth_state state;

	if (hearth_dp_state_get(dp, &state))
		return NULL;
	return status_json(dp, hearth_daemon_pid(run_dir), &state, hearth_dp_fib_cache_count(dp));
}
