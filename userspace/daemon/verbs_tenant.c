// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tenant.list, tenant.add, tenant.set, tenant.del */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lib/shaper.h"
#include "../lib/tenant.h"
#include "../lib/tenant_json.h"
#include "../lib/tenant_show.h"
#include "runtime.h"
#include "verbs.h"

static struct json_object *refuse_chute_tenant(const char *name)
{
	if (!is_chute_tenant(name))
		return NULL;
	return hearth_api_error(HEARTH_API_CONFLICT,
				"tenants named '" HEARTH_CHUTE_TENANT_PREFIX "*' are the chutes'; change a chute with 'hearth chute update'");
}

/* What the state keeps of a change that applied: an add whole, a set on
 * top of what was kept before. */
static void remember(struct daemon *d, const struct hearth_tenant_spec *spec, int id,
		     bool create, bool file)
{
	struct state_tenant *s = state_tenant_find(&d->state, spec->name);

	if (!s) { /* tenant_room() made sure there is room */
		s = &d->state.tenants[d->state.n_tenants++];
		s->op = create || !file ? STATE_TENANT_ADD : STATE_TENANT_SET;
		hearth_tenant_spec_init(&s->spec, spec->name);
	}
	if (create) {
		s->op = STATE_TENANT_ADD;
		s->spec = *spec;
	} else {
		state_spec_merge(&s->spec, spec);
	}
	if (s->op == STATE_TENANT_ADD)
		s->spec.id = id; /* the same id after a reboot */
}

/* Whether the state can keep the change, before anything is applied. */
static struct json_object *tenant_room(struct daemon *d, const char *name, bool file)
{
	struct state_tenant *s = state_tenant_find(&d->state, name);

	if (!s && d->state.n_tenants == STATE_MAX_TENANTS)
		return hearth_api_error(HEARTH_API_UNAVAILABLE,
					"at most %d runtime tenants and tenant changes are kept; remove one first",
					STATE_MAX_TENANTS);
	/* one entry a name: a shadowed runtime tenant stands in the way of
	 * changes to the file's tenant of that name */
	if (s && file && s->op == STATE_TENANT_ADD)
		return hearth_api_error(HEARTH_API_CONFLICT,
					"a runtime tenant '%s' is kept, shadowed by %s's; delete it first ('hearth tenant del %s')",
					name, d->cfg.path, name);
	return NULL;
}

static struct json_object *tenant_put(struct daemon *d, struct json_object *args, bool create)
{
	const struct hearth_tenant_spec *file;
	struct hearth_tenant_spec spec;
	struct hearth_link_cfg link;
	struct json_object *refused;
	struct hearth_err err = {};
	char msg[256];
	int id;

	if (hearth_tenant_spec_from_json(args, &spec, &err))
		return hearth_api_error(HEARTH_API_INVALID, "%s", err.msg);
	refused = refuse_chute_tenant(spec.name);
	if (refused)
		return refused;
	if (!hearth_link_get(&d->dp, &link) &&
	    hearth_tenant_spec_check(&spec, link.capacity, msg, sizeof(msg)))
		return hearth_api_error(HEARTH_API_INVALID, "%s", msg);
	file = config_tenant(d, spec.name);
	refused = tenant_room(d, spec.name, file);
	if (refused)
		return refused;
	id = hearth_tenant_put(&d->dp, &spec,
			       !create && file ? HEARTH_TENANT_CONFIG : HEARTH_TENANT_RUNTIME,
			       create, &err);
	if (id < 0)
		return verb_fail(id, &err);
	if (hearth_shaper_follow(&d->dp, &err))
		logmsg("tenants: %s", err.msg);
	remember(d, &spec, id, create, file);
	return verb_keep(d, hearth_api_ok(hearth_tenants_json(&d->dp, spec.name)));
}

static struct json_object *tenant_add(struct daemon *d, struct json_object *args)
{
	return tenant_put(d, args, true);
}

static struct json_object *tenant_set(struct daemon *d, struct json_object *args)
{
	return tenant_put(d, args, false);
}

static struct json_object *tenant_del(struct daemon *d, struct json_object *args)
{
	const char *name = arg_string(args, "name");
	const struct hearth_tenant_spec *file;
	struct json_object *refused;
	struct hearth_err err = {};
	struct state_tenant *kept;
	int ret;

	if (!name)
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "tenant.del needs a \"name\"");
	refused = refuse_chute_tenant(name);
	if (refused)
		return refused;
	file = config_tenant(d, name);
	kept = state_tenant_find(&d->state, name);
	if (file && !kept)
		return hearth_api_error(HEARTH_API_CONFLICT, "tenant '%s' is in %s:%d; remove it there",
					name, d->cfg.path, file->line);
	if (file) {
		/* what is kept of it is the runtime's: a shadowed tenant, or
		 * changes on top of the file's; the file's settings apply */
		state_tenant_remove(&d->state, name);
		sync_tenants(d, SYNC_RELOAD);
		return verb_keep(d, hearth_api_ok(NULL));
	}
	ret = hearth_tenant_del(&d->dp, name, &err);
	if (ret)
		return verb_fail(ret, &err);
	if (hearth_shaper_follow(&d->dp, &err))
		logmsg("tenants: %s", err.msg);
	state_tenant_remove(&d->state, name);
	return verb_keep(d, hearth_api_ok(NULL));
}

static struct json_object *tenant_list(struct daemon *d, struct json_object *args)
{
	const char *name = arg_string(args, "name");
	struct json_object *o = hearth_tenants_json(&d->dp, name);

	if (!o)
		return hearth_api_error(HEARTH_API_NOT_FOUND, "no tenant '%s'", name);
	return hearth_api_ok(o);
}

const struct verb tenant_verbs[] = {
	{ "tenant.list", tenant_list },
	{ "tenant.add", tenant_add },
	{ "tenant.set", tenant_set },
	{ "tenant.del", tenant_del },
	{},
};
