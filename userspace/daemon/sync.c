// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The configuration into the data plane: interfaces, NAT, tenants and the
 * chute runtime's settings, at start, on SIGHUP and on kernel events;
 * runtime changes (runtime.c) go on top.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/attach.h"
#include "../lib/conntrack.h"
#include "../lib/natmap.h"
#include "../lib/dpstate.h"
#include "../lib/firewall.h"
#include "../lib/ifaces.h"
#include "../lib/isolate.h"
#include "../lib/nat.h"
#include "../lib/shaper.h"
#include "../lib/tenant.h"
#include "chutes.h"
#include "daemon.h"
#include "runtime.h"

/* Slots whose interface the configuration no longer names are released. */
void drop_unconfigured(struct daemon *d)
{
	struct hearth_iface iface;

	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++) {
		bool wanted = false;

		if (hearth_dp_iface_get(&d->dp, slot, &iface))
			continue;
		if (iface.role == HEARTH_ROLE_CHUTE)
			continue; /* the chute runtime's, not the config's */
		for (int i = 0; i < d->cfg.n_ifaces; i++)
			wanted |= !strncmp(iface.name, d->cfg.ifaces[i].name,
					   sizeof(iface.name));
		if (!wanted) {
			logmsg("%s is no longer configured, detaching", iface.name);
			hearth_dp_iface_down(&d->dp, slot);
		}
	}
}


/* Brings every configured interface up (an interface can vanish and come
 * back at run time; it is attached again when it does). */
int sync_ifaces(struct daemon *d, enum sync_mode mode)
{
	struct hearth_err err = {};
	int ret;

	for (int i = 0; i < d->cfg.n_ifaces; i++) {
		const struct hearth_config_iface *ci = &d->cfg.ifaces[i];

		ret = hearth_dp_iface_up(&d->dp, ci->name, ci->role,
					 d->cfg.xdp_mode, &err);
		if (ret && mode == SYNC_START) {
			logmsg("%s:%d: %s", d->cfg.path, ci->line, err.msg);
			return ret;
		}
		if (ret == -ENODEV) {
			/* gone: its old ifindex may be handed to another device */
			__u32 slot = hearth_dp_slot_of(&d->dp, ci->name);

			if (slot)
				hearth_dp_iface_forget(&d->dp, slot);
			else if (mode == SYNC_RELOAD)
				logmsg("%s:%d: interface '%s' does not exist yet; attaching when it appears",
				       d->cfg.path, ci->line, ci->name);
		} else if (ret) {
			logmsg("%s", err.msg);
		}
	}
	return 0;
}

/* The firewall's settings; again after interfaces come up, which start
 * closed (an interface's entry is written whole, without its open flag). */
int sync_firewall(struct daemon *d, enum sync_mode mode)
{
	struct hearth_err err = {};
	int ret;

	ret = hearth_fw_apply(&d->dp, &d->cfg, d->state.pinholes, d->state.n_pinholes, &err);
	if (ret) {
		logmsg("firewall: %s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	return 0;
}

static const struct hearth_config_iface *config_wan(const struct hearth_config *cfg)
{
	for (int i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].role == HEARTH_ROLE_WAN)
			return &cfg->ifaces[i];
	return NULL;
}

/* The WAN egress filter, the inside subnets and the NAT settings, with the
 * WAN's address as it is now (it may come and go with DHCP). */
int sync_nat(struct daemon *d, enum sync_mode mode)
{
	const struct hearth_config_iface *wan = config_wan(&d->cfg);
	__u32 ifindex = wan ? if_nametoindex(wan->name) : 0;
	in_addr_t addr = ifindex ? hearth_iface_ipv4(wan->name) : 0;
	struct hearth_err err = {};
	int ret = 0;

	if (mode != SYNC_EVENT) {
		ret = hearth_nat_inside_sync(&d->dp, &d->cfg);
		if (!ret)
			ret = hearth_nat_forwards_sync(&d->dp, &d->cfg);
		if (!ret)
			runtime_forwards_apply(d);
		if (!ret)
			ret = hearth_isolate_sync(&d->dp, &d->cfg);
	}
	if (ret)
		hearth_err_set(&err, ret, "cannot write the NAT subnets and forwards: %s",
			       strerror(-ret));
	if (!ret && ifindex)
		ret = hearth_tc_attach(&d->dp, ifindex, &err);
	if (!ret)
		ret = hearth_nat_apply(&d->dp, &d->cfg, ifindex, addr, &err);
	/* translations to a gone address can only black-hole */
	if (!ret && d->cfg.nat_masquerade && addr != d->nat_addr) {
		if (d->nat_addr) {
			flows_flushing(d);
			/* the address itself is the home's: not in the log */
			logmsg("nat: the WAN address changed, %d connections and %d mappings on the old one dropped",
			       hearth_ct_flush(&d->dp), hearth_natmap_flush(&d->dp));
			/* the per-CPU lines copy them: retire those at once */
			hearth_dp_bump_generation(&d->dp);
		}
		d->nat_addr = addr;
	}
	if (ret) {
		logmsg("%s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	if (d->cfg.nat_masquerade && !addr && mode != SYNC_EVENT)
		logmsg("nat: %s has no IPv4 address yet; new connections are refused (leak-blocked) until it has one",
		       wan ? wan->name : "the WAN");
	return 0;
}

/* The WAN link's capacities, the configured tenants and the upload
 * shaper; runtime tenants (hearth tenant add) stay as they are. */
int sync_tenants(struct daemon *d, enum sync_mode mode)
{
	const struct hearth_config_iface *wan = config_wan(&d->cfg);
	__u32 ifindex = wan ? if_nametoindex(wan->name) : 0;
	__u32 slot = wan ? hearth_dp_slot_of(&d->dp, wan->name) : 0;
	struct hearth_err err = {};
	int ret;

	ret = hearth_link_apply(&d->dp, d->cfg.capacity, ifindex ? slot : 0, &err);
	if (!ret && mode != SYNC_EVENT)
		ret = hearth_tenants_sync(&d->dp, &d->cfg, &err);
	if (!ret && mode != SYNC_EVENT)
		runtime_tenants_apply(d);
	if (!ret && ifindex)
		ret = hearth_shaper_sync(&d->dp, ifindex, &err);
	if (ret) {
		logmsg("tenants: %s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	return 0;
}

/* The CLI finds the chute dir and pool where hearthd says. */
static int sync_chutes(struct daemon *d, enum sync_mode mode)
{
	struct hearth_err err = {};
	int ret;

	chutes_env_init(d);
	ret = chute_env_save(&d->chutes, &err);
	if (ret) {
		logmsg("chutes: %s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	return 0;
}

/* What a reload cannot change without a restart (they shape the loaded
 * program or where its state lives). */
static void warn_restart_needed(const struct hearth_config *old,
				const struct hearth_config *new)
{
	if (strcmp(old->pin_dir, new->pin_dir))
		logmsg("reload: pin-dir changes on restart only");
	if (strcmp(old->run_dir, new->run_dir))
		logmsg("reload: run-dir changes on restart only");
	if (old->fib_cache_ttl_ms != new->fib_cache_ttl_ms)
		logmsg("reload: fib-cache-ttl is a load-time setting, applied on restart");
	if (strcmp(old->state_file, new->state_file))
		logmsg("reload: state-file changes on restart only");
	if (strcmp(old->control_group, new->control_group))
		logmsg("reload: control-group changes on restart only");
	if (old->xdp_mode != new->xdp_mode)
		logmsg("reload: xdp-mode applies to newly attached interfaces only");
}

/* SIGHUP: re-read the file; a bad one changes nothing. */
void reload(struct daemon *d)
{
	struct hearth_config *cfg = malloc(sizeof(*cfg));
	struct hearth_err err = {};
	int ret;

	if (!cfg) {
		logmsg("reload: out of memory");
		return;
	}
	if (hearth_config_load(d->cfg.path, cfg, &err)) {
		logmsg("reload refused, keeping the running configuration: %s", err.msg);
		goto cleanup;
	}
	warn_restart_needed(&d->cfg, cfg);
	/* keep what needs a restart as it runs */
	snprintf(cfg->pin_dir, sizeof(cfg->pin_dir), "%s", d->cfg.pin_dir);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", d->cfg.run_dir);
	cfg->fib_cache_ttl_ms = d->cfg.fib_cache_ttl_ms;
	snprintf(cfg->state_file, sizeof(cfg->state_file), "%s", d->cfg.state_file);
	snprintf(cfg->control_group, sizeof(cfg->control_group), "%s", d->cfg.control_group);
	d->cfg = *cfg;
	ret = sync_all(d, SYNC_RELOAD);
	flows_reconfigure(d);
	logmsg("reloaded %s: %d interfaces%s", d->cfg.path, d->cfg.n_ifaces,
	       ret ? " (could not update the data plane state)" : "");
cleanup:
	free(cfg);
}


/* Everything the configuration says, in an order that works: slots are
 * released before interfaces take them, NAT before tenants. */
int sync_all(struct daemon *d, enum sync_mode mode)
{
	int ret;

	drop_unconfigured(d);
	/* filtering is on before the first interface forwards anything */
	ret = sync_firewall(d, mode);
	if (!ret)
		ret = sync_ifaces(d, mode);
	if (!ret)
		ret = sync_firewall(d, mode);
	if (!ret)
		ret = sync_nat(d, mode);
	if (!ret)
		ret = sync_tenants(d, mode);
	if (!ret)
		ret = sync_chutes(d, mode);
	if (ret)
		return ret;
	ret = hearth_dp_set_flags(&d->dp, (d->cfg.fib_cache ? 0 : HEARTH_STATE_NO_FIB_CACHE) |
						  (d->cfg.privacy_raw ? HEARTH_STATE_PRIVACY_RAW : 0));
	if (!ret)
		ret = hearth_dp_bump_generation(&d->dp);
	return ret;
}
