// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Runtime changes into the data plane, on top of the configuration. */
#include <errno.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "../lib/ifaces.h"
#include "../lib/nat.h"
#include "../lib/shaper.h"
#include "../lib/tenant.h"
#include "daemon.h"
#include "runtime.h"

bool is_chute_tenant(const char *name)
{
	return !strncmp(name, HEARTH_CHUTE_TENANT_PREFIX, strlen(HEARTH_CHUTE_TENANT_PREFIX));
}

const struct hearth_tenant_spec *config_tenant(const struct daemon *d, const char *name)
{
	for (int i = 0; i < d->cfg.n_tenants; i++)
		if (!strcmp(d->cfg.tenants[i].name, name))
			return &d->cfg.tenants[i];
	return NULL;
}

enum forward_owner forward_owner(struct daemon *d, __u8 proto, __u16 wan_port, int *line,
				 struct in_addr *chute)
{
	struct hearth_nat_fwd fwd;

	for (int i = 0; i < d->cfg.n_forwards; i++) {
		if (d->cfg.forwards[i].proto == proto && d->cfg.forwards[i].wan_port == wan_port) {
			*line = d->cfg.forwards[i].line;
			return FORWARD_FILE;
		}
	}
	if (!hearth_nat_forward_get(&d->dp, proto, wan_port, &fwd) &&
	    fwd.origin == HEARTH_FWD_CHUTE) {
		chute->s_addr = fwd.addr;
		return FORWARD_CHUTE;
	}
	return FORWARD_FREE;
}

/* A tenant in the maps as a spec (for the first state file). */
static void spec_of_map(struct daemon *d, __u32 id, const struct hearth_tenant *t,
			struct hearth_tenant_spec *spec)
{
	struct hearth_tenant_matches *m = calloc(1, sizeof(*m));

	hearth_tenant_spec_init(spec, t->name);
	spec->id = (int)id;
	spec->prio = t->prio;
	for (int dir = 0; dir < HEARTH_DIR_MAX; dir++) {
		spec->dir[dir].given = HEARTH_FIELD_ALL;
		spec->dir[dir].rate = t->dir[dir].rate;
		spec->dir[dir].ceil = t->dir[dir].ceil;
		spec->dir[dir].burst = t->dir[dir].burst;
	}
	spec->matches_given = true;
	if (!m || hearth_tenant_matches(&d->dp, id, m))
		goto cleanup;
	for (int i = 0; i < m->n_ifaces && spec->n_ifaces < HEARTH_TENANT_SPEC_MATCHES; i++) {
		struct hearth_iface iface;

		if (!hearth_dp_iface_get(&d->dp, m->slots[i], &iface))
			snprintf(spec->ifaces[spec->n_ifaces++], IF_NAMESIZE, "%s", iface.name);
	}
	for (int i = 0; i < m->n_prefixes && spec->n_prefixes < HEARTH_TENANT_SPEC_MATCHES; i++)
		spec->prefixes[spec->n_prefixes++] = m->prefixes[i];
	for (int i = 0; i < m->n_macs && spec->n_macs < HEARTH_TENANT_SPEC_MATCHES; i++)
		memcpy(spec->macs[spec->n_macs++], m->macs[i], 6);
cleanup:
	free(m);
}

/* The first start with a state file: what an older hearthd left in the
 * maps at run time is kept as the state. */
static void tenants_adopt(struct daemon *d)
{
	struct hearth_tenant t;

	for (__u32 id = 1; id < HEARTH_MAX_TENANTS; id++) {
		struct state_tenant *s = &d->state.tenants[d->state.n_tenants];

		if (hearth_tenant_get(&d->dp, id, &t) || t.origin != HEARTH_TENANT_RUNTIME ||
		    is_chute_tenant(t.name) || d->state.n_tenants == STATE_MAX_TENANTS)
			continue;
		s->op = STATE_TENANT_ADD;
		spec_of_map(d, id, &t, &s->spec);
		d->state.n_tenants++;
		logmsg("state: keeping runtime tenant '%s' found in the data plane", t.name);
	}
}

static void tenant_apply(struct daemon *d, struct state_tenant *s)
{
	const struct hearth_tenant_spec *file = config_tenant(d, s->spec.name);
	struct hearth_err err = {};
	bool create = hearth_tenant_find(&d->dp, s->spec.name) < 0;
	int ret;

	if (s->op == STATE_TENANT_ADD && file) {
		logmsg("state: tenant '%s' added at run time is also at %s:%d; the file's applies, the runtime one is shadowed",
		       s->spec.name, d->cfg.path, file->line);
		return;
	}
	if (s->op == STATE_TENANT_SET && !file) {
		logmsg("state: tenant '%s' changed at run time is not in %s; the changes wait for it",
		       s->spec.name, d->cfg.path);
		return;
	}
	ret = hearth_tenant_put(&d->dp, &s->spec,
				s->op == STATE_TENANT_ADD ? HEARTH_TENANT_RUNTIME : HEARTH_TENANT_CONFIG,
				s->op == STATE_TENANT_ADD && create, &err);
	if (ret < 0)
		logmsg("state: tenant '%s': %s", s->spec.name, err.msg);
}

void runtime_tenants_apply(struct daemon *d)
{
	struct hearth_err err = {};
	struct hearth_tenant t;

	/* runtime tenants the state no longer has go first, freeing ids */
	for (__u32 id = 1; id < HEARTH_MAX_TENANTS; id++) {
		struct state_tenant *s;

		/* chutes' tenants from before they had an origin of their own
		 * are their running chute's, not the operator's */
		if (hearth_tenant_get(&d->dp, id, &t) || t.origin != HEARTH_TENANT_RUNTIME ||
		    is_chute_tenant(t.name))
			continue;
		s = state_tenant_find(&d->state, t.name);
		if (!s || s->op != STATE_TENANT_ADD || config_tenant(d, t.name))
			hearth_tenant_del(&d->dp, t.name, NULL);
	}
	for (int i = 0; i < d->state.n_tenants; i++)
		tenant_apply(d, &d->state.tenants[i]);
	if (hearth_shaper_follow(&d->dp, &err))
		logmsg("tenants: %s", err.msg);
}

static void forwards_adopt(struct daemon *d)
{
	int fd = d->dp.map_fd[HEARTH_DP_NATFWD];
	struct hearth_nat_fwd_key key;
	struct hearth_nat_fwd fwd;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &key) && d->state.n_forwards < STATE_MAX_FORWARDS) {
		struct state_forward *f = &d->state.forwards[d->state.n_forwards];

		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &fwd) || fwd.origin != HEARTH_FWD_RUNTIME)
			continue;
		f->proto = key.proto;
		f->wan_port = ntohs(key.port);
		f->addr.s_addr = fwd.addr;
		f->port = ntohs(fwd.port);
		d->state.n_forwards++;
	}
}

static void forward_apply(struct daemon *d, const struct state_forward *f)
{
	struct in_addr chute;
	int line, ret;

	switch (forward_owner(d, f->proto, f->wan_port, &line, &chute)) {
	case FORWARD_FILE:
		logmsg("state: %s port %u forwarded at run time is also at %s:%d; the file's applies, the runtime one is shadowed",
		       hearth_proto_name(f->proto), f->wan_port, d->cfg.path, line);
		return;
	case FORWARD_CHUTE:
		logmsg("state: %s port %u forwarded at run time is a running chute's; the runtime one is shadowed",
		       hearth_proto_name(f->proto), f->wan_port);
		return;
	case FORWARD_FREE:
		break;
	}
	ret = hearth_nat_forward_add(&d->dp, f->proto, f->wan_port, f->addr, f->port,
				     HEARTH_FWD_RUNTIME);
	if (ret)
		logmsg("state: forward %u: %s", f->wan_port, strerror(-ret));
}

void runtime_forwards_apply(struct daemon *d)
{
	int fd = d->dp.map_fd[HEARTH_DP_NATFWD];
	struct hearth_nat_fwd_key key, next;
	struct hearth_nat_fwd fwd;
	void *prev = NULL;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &fwd) && fwd.origin == HEARTH_FWD_RUNTIME &&
		    !state_forward_find(&d->state, key.proto, ntohs(key.port))) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
		} else {
			prev = &key;
		}
	}
	for (int i = 0; i < d->state.n_forwards; i++)
		forward_apply(d, &d->state.forwards[i]);
}

void runtime_adopt(struct daemon *d)
{
	struct hearth_err err = {};

	if (d->state.loaded)
		return;
	tenants_adopt(d);
	forwards_adopt(d);
	if ((d->state.n_tenants || d->state.n_forwards) && state_save(&d->state, &err))
		logmsg("state: %s", err.msg);
	d->state.loaded = true;
}
