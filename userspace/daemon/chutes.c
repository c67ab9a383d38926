// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chutes behind the data plane: the chute runtime (sandbox/) reports a
 * chute whose network is up (struct chute_up) and these hooks put it on
 * the gateway: XDP on its veth, the one source address it may send from,
 * its tenant (rates, priority), its port forwards, and the flag that makes
 * home packets open the way for chute replies.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "../lib/dpstate.h"
#include "../lib/ifaces.h"
#include "../lib/nat.h"
#include "../../util/parse.h"
#include "../lib/shaper.h"
#include "../lib/tenant.h"
#include "../../sandbox/settings.h"
#include "chutes.h"
#include "daemon.h"

static void tenant_dir(struct hearth_tenant_dir_spec *d, __u64 rate, __u64 ceil)
{
	d->given = (rate ? HEARTH_FIELD_RATE : 0) | (ceil ? HEARTH_FIELD_CEIL : 0);
	d->rate = rate;
	d->ceil = ceil;
}

/* The chute's tenant: its veth and its address, its rates and priority. */
static int tenant_put(struct hearth_dp *dp, const struct chute_up *up, struct hearth_err *err)
{
	const struct chute_settings *s = up->settings;
	char tname[HEARTH_TENANT_NAMSIZ];
	struct hearth_tenant_spec spec;
	bool create;
	int ret;

	hearth_chute_tenant_name(up->name, tname, sizeof(tname));
	create = hearth_tenant_find(dp, tname) < 0;
	hearth_tenant_spec_init(&spec, tname);
	spec.prio = (int)s->prio;
	tenant_dir(&spec.dir[HEARTH_DIR_UP], s->up_rate, s->up_ceil);
	tenant_dir(&spec.dir[HEARTH_DIR_DOWN], s->down_rate, s->down_ceil);
	spec.matches_given = true;
	spec.n_ifaces = 1;
	snprintf(spec.ifaces[0], sizeof(spec.ifaces[0]), "%s", up->host_if);
	spec.n_prefixes = 1;
	spec.prefixes[0].family = AF_INET;
	spec.prefixes[0].len = 32;
	spec.prefixes[0].addr.v4 = up->addr;
	/* the tenant's id on success */
	ret = hearth_tenant_put(dp, &spec, HEARTH_TENANT_CHUTE, create, err);
	if (ret < 0)
		return ret;
	return hearth_shaper_follow(dp, err);
}

/* Is the forward of @f's WAN port this chute's (or free)? */
static bool forward_ours(struct hearth_dp *dp, const struct chute_forward *f,
			 struct in_addr addr, struct hearth_nat_fwd *fwd)
{
	if (hearth_nat_forward_get(dp, f->proto, f->wan_port, fwd))
		return true;
	return fwd->origin == HEARTH_FWD_CHUTE && fwd->addr == addr.s_addr;
}

/* Only the chute's own: a port the operator took over since stays. */
static void forwards_del(struct hearth_dp *dp, const struct chute_settings *s,
			 struct in_addr addr)
{
	struct hearth_nat_fwd fwd;

	for (int i = 0; i < s->n_forwards; i++)
		if (forward_ours(dp, &s->forwards[i], addr, &fwd))
			hearth_nat_forward_del(dp, s->forwards[i].proto, s->forwards[i].wan_port);
}

/* A WAN port forwarded elsewhere (the configuration, the operator at run
 * time, another chute) is not taken over: the chute does not start, or
 * the update is refused, before anything changed. */
static int chute_check(void *ctx, const struct chute_up *up, struct hearth_err *err)
{
	struct daemon *d = ctx;
	char to[INET_ADDRSTRLEN];
	struct hearth_nat_fwd fwd;

	for (int i = 0; i < up->settings->n_forwards; i++) {
		const struct chute_forward *f = &up->settings->forwards[i];

		if (forward_ours(&d->dp, f, up->addr, &fwd))
			continue;
		inet_ntop(AF_INET, &fwd.addr, to, sizeof(to));
		return hearth_err_set(err, -EADDRINUSE, "port forward %s %u is taken (to %s:%u, %s)",
				      hearth_proto_name(f->proto), f->wan_port, to, ntohs(fwd.port),
				      hearth_nat_forward_origin(fwd.origin));
	}
	return 0;
}

/* After chute_check(): the ports are free or the chute's already. */
static int forwards_put(struct hearth_dp *dp, const struct chute_up *up, struct hearth_err *err)
{
	const struct chute_settings *s = up->settings;
	int ret = 0;

	for (int i = 0; !ret && i < s->n_forwards; i++) {
		const struct chute_forward *f = &s->forwards[i];

		ret = hearth_nat_forward_add(dp, f->proto, f->wan_port, up->addr, f->chute_port,
					     HEARTH_FWD_CHUTE);
		if (ret)
			hearth_err_set(err, ret, "port forward %s %u: %s", hearth_proto_name(f->proto),
				       f->wan_port, strerror(-ret));
	}
	return ret;
}

/* Until this is written nothing the chute sends passes. */
static int chute_source(struct hearth_dp *dp, const struct chute_up *up, struct hearth_err *err)
{
	int ret = hearth_dp_chute_source(dp, hearth_dp_slot_of(dp, up->host_if), up->addr.s_addr);

	if (ret)
		return hearth_err_set(err, ret, "%s: cannot set the chute's source address: %s",
				      up->host_if, strerror(-ret));
	return 0;
}

static int chute_up(void *ctx, const struct chute_up *up, struct hearth_err *err)
{
	struct daemon *d = ctx;
	int ret;

	if (up->previous)
		forwards_del(&d->dp, up->previous, up->addr);
	ret = hearth_dp_iface_up(&d->dp, up->host_if, HEARTH_ROLE_CHUTE, HEARTH_XDP_AUTO, err);
	if (!ret)
		ret = chute_source(&d->dp, up, err);
	if (!ret)
		ret = tenant_put(&d->dp, up, err);
	if (!ret)
		ret = forwards_put(&d->dp, up, err);
	return ret;
}

static void chute_down(void *ctx, const struct chute_up *up)
{
	struct daemon *d = ctx;
	char tname[HEARTH_TENANT_NAMSIZ];
	__u32 slot;

	forwards_del(&d->dp, up->settings, up->addr);
	hearth_chute_tenant_name(up->name, tname, sizeof(tname));
	if (hearth_tenant_find(&d->dp, tname) >= 0 && !hearth_tenant_del(&d->dp, tname, NULL))
		hearth_shaper_follow(&d->dp, NULL);
	slot = hearth_dp_slot_of(&d->dp, up->host_if);
	if (slot)
		hearth_dp_iface_down(&d->dp, slot);
}

/* Home packets to chutes open the way for replies only while chutes run. */
static void chutes_running(void *ctx, bool any)
{
	struct daemon *d = ctx;

	hearth_dp_update_flags(&d->dp, HEARTH_STATE_CHUTES, any ? HEARTH_STATE_CHUTES : 0);
}

void chutes_env_init(struct daemon *d)
{
	struct chute_env *env = &d->chutes;

	memset(env, 0, sizeof(*env));
	snprintf(env->dir, sizeof(env->dir), "%s", d->cfg.chute_dir);
	snprintf(env->run_dir, sizeof(env->run_dir), "%s", d->cfg.run_dir);
	env->pool = d->cfg.chute_pool;
	env->hooks = (struct chute_hooks){
		.ctx = d,
		.check = chute_check,
		.up = chute_up,
		.down = chute_down,
		.running = chutes_running,
	};
}

