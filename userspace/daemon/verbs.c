// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The API's dispatch: a verb's name to its handler, and the shared helpers. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "verbs.h"

static const struct verb *const tables[] = {
	gateway_verbs, show_verbs, flow_verbs, tenant_verbs, forward_verbs, firewall_verbs, chute_verbs,
	probe_verbs,
};

const char *arg_string(struct json_object *args, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(args, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

struct json_object *verb_fail(int neg_errno, const struct hearth_err *err)
{
	return hearth_api_error(hearth_api_code_of(neg_errno), "%s",
				err && err->msg[0] ? err->msg : strerror(-neg_errno));
}

struct json_object *verb_keep(struct daemon *d, struct json_object *ok)
{
	struct hearth_err err = {};

	if (!state_save(&d->state, &err))
		return ok;
	json_object_put(ok);
	logmsg("state: %s", err.msg);
	return hearth_api_error(HEARTH_API_FAILED, "the change applies now but is not kept: %s",
				err.msg);
}

/* api.hello: who answers, and what it understands. */
static struct json_object *hello(struct daemon *d, struct json_object *args)
{
	struct json_object *o = json_object_new_object(), *verbs = json_object_new_array();

	(void)d, (void)args;
	json_object_object_add(o, "api", json_object_new_int(HEARTH_API_VERSION));
	json_object_object_add(o, "pid", json_object_new_int((int)getpid()));
	for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct verb *v = tables[t]; v->name; v++)
			json_object_array_add(verbs, json_object_new_string(v->name));
	json_object_array_add(verbs, json_object_new_string("api.hello"));
	json_object_object_add(o, "verbs", verbs);
	return hearth_api_ok(o);
}

struct json_object *daemon_answer(void *ctx, const char *verb, struct json_object *args,
				  const struct api_peer *peer)
{
	struct json_object *none = NULL, *answer;
	struct daemon *d = ctx;

	d->serial = peer->serial;
	if (!args)
		args = none = json_object_new_object();
	answer = NULL;
	if (!strcmp(verb, "api.hello"))
		answer = hello(d, args);
	for (size_t t = 0; !answer && t < sizeof(tables) / sizeof(tables[0]); t++)
		for (const struct verb *v = tables[t]; !answer && v->name; v++)
			if (!strcmp(v->name, verb))
				answer = v->run(d, args);
	if (!answer)
		answer = hearth_api_error(HEARTH_API_UNKNOWN_VERB,
					  "unknown verb '%.64s'; api.hello lists them", verb);
	json_object_put(none);
	return answer;
}
