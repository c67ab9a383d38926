// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* chute.install, .start, .stop, .restart, .update, .remove, .list, .status */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../lib/tenant_show.h"
#include "verbs.h"

#define MAX_SETTINGS 64

/* args.settings, [["memory", "64M"], ["forward", "tcp:8080:80"]], as the
 * KEY VALUE words the chute runtime takes. */
struct settings_words {
	int n;
	char *v[2 * MAX_SETTINGS];
};

static struct json_object *settings_words(struct json_object *args, struct settings_words *w)
{
	struct json_object *list;

	w->n = 0;
	if (!json_object_object_get_ex(args, "settings", &list))
		return NULL;
	if (!json_object_is_type(list, json_type_array) ||
	    json_object_array_length(list) > MAX_SETTINGS)
		return hearth_api_error(HEARTH_API_BAD_REQUEST,
					"\"settings\" is a list of at most %d [KEY, VALUE] pairs",
					MAX_SETTINGS);
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *pair = json_object_array_get_idx(list, i);

		if (!json_object_is_type(pair, json_type_array) ||
		    json_object_array_length(pair) != 2 ||
		    !json_object_is_type(json_object_array_get_idx(pair, 0), json_type_string) ||
		    !json_object_is_type(json_object_array_get_idx(pair, 1), json_type_string))
			return hearth_api_error(HEARTH_API_BAD_REQUEST,
						"settings[%zu] is not a [KEY, VALUE] pair of strings", i);
		/* the strings live as long as args */
		w->v[w->n++] = (char *)json_object_get_string(json_object_array_get_idx(pair, 0));
		w->v[w->n++] = (char *)json_object_get_string(json_object_array_get_idx(pair, 1));
	}
	return NULL;
}

static struct json_object *need_name(struct json_object *args, const char *verb,
				     const char **name)
{
	*name = arg_string(args, "name");
	if (*name)
		return NULL;
	return hearth_api_error(HEARTH_API_BAD_REQUEST, "%s needs a \"name\"", verb);
}

static struct json_object *done(int ret, const struct hearth_err *err)
{
	return ret ? verb_fail(ret, err) : hearth_api_ok(NULL);
}

/* What the install's child needs; it lives in the child's copy of the
 * daemon's memory, as it was when the child was made. */
struct install_job {
	struct chute_env *env;
	const char *name, *path;
	struct settings_words *w;
	bool replace;
};

static int install_work(void *arg, struct hearth_err *err)
{
	struct install_job *j = arg;

	return chute_install(j->env, j->name, j->path, j->w->n, j->w->v, j->replace, err);
}

static struct json_object *chute_install_verb(struct daemon *d, struct json_object *args)
{
	struct install_job job;
	const char *name, *path = arg_string(args, "path");
	struct json_object *v, *refused = need_name(args, "chute.install", &name);
	struct settings_words w;
	bool replace = false;

	if (!refused && (!path || path[0] != '/'))
		refused = hearth_api_error(HEARTH_API_BAD_REQUEST,
					   "chute.install needs an absolute \"path\"");
	if (!refused)
		refused = settings_words(args, &w);
	if (refused)
		return refused;
	if (json_object_object_get_ex(args, "replace", &v))
		replace = json_object_get_boolean(v);
	/* unpacking and copying an image can take long: off the loop */
	job = (struct install_job){ &d->chutes, name, path, &w, replace };
	return job_start(d, d->serial, install_work, &job);
}

static struct json_object *chute_update_verb(struct daemon *d, struct json_object *args)
{
	const char *name;
	struct json_object *refused = need_name(args, "chute.update", &name);
	struct hearth_err err = {};
	struct settings_words w;

	if (!refused)
		refused = settings_words(args, &w);
	if (!refused && !w.n)
		refused = hearth_api_error(HEARTH_API_BAD_REQUEST, "chute.update needs \"settings\"");
	if (refused)
		return refused;
	return done(chute_update(&d->chutes, name, w.n, w.v, &err), &err);
}

static int chute_restart(struct chute_env *env, const char *name, struct hearth_err *err)
{
	int ret = chute_stop(env, name, err);

	if (ret && ret != -EALREADY)
		return ret;
	return chute_start(env, name, err);
}

/* The verbs that take a name and nothing else. */
static struct json_object *lifecycle(struct daemon *d, struct json_object *args, const char *verb,
				     int (*op)(struct chute_env *, const char *, struct hearth_err *))
{
	const char *name;
	struct json_object *refused = need_name(args, verb, &name);
	struct hearth_err err = {};

	if (refused)
		return refused;
	return done(op(&d->chutes, name, &err), &err);
}

static struct json_object *chute_start_verb(struct daemon *d, struct json_object *args)
{
	return lifecycle(d, args, "chute.start", chute_start);
}

static struct json_object *chute_stop_verb(struct daemon *d, struct json_object *args)
{
	return lifecycle(d, args, "chute.stop", chute_stop);
}

static struct json_object *chute_restart_verb(struct daemon *d, struct json_object *args)
{
	return lifecycle(d, args, "chute.restart", chute_restart);
}

static struct json_object *chute_remove_verb(struct daemon *d, struct json_object *args)
{
	return lifecycle(d, args, "chute.remove", chute_remove);
}

static struct json_object *chute_status_verb(struct daemon *d, struct json_object *args)
{
	const char *name;
	struct json_object *o, *refused = need_name(args, "chute.status", &name);
	struct hearth_err err = {};
	int ret;

	if (refused)
		return refused;
	ret = chute_status(&d->chutes, name, &o, &err);
	if (ret)
		return verb_fail(ret, &err);
	hearth_chute_traffic_json(&d->dp, o);
	return hearth_api_ok(o);
}

static struct json_object *chute_list_verb(struct daemon *d, struct json_object *args)
{
	struct json_object *all;
	struct hearth_err err = {};
	int ret;

	(void)args;
	ret = chute_status_all(&d->chutes, &all, &err);
	if (ret)
		return hearth_api_error(HEARTH_API_FAILED, "%s", err.msg);
	for (size_t i = 0; i < json_object_array_length(all); i++)
		hearth_chute_traffic_json(&d->dp, json_object_array_get_idx(all, i));
	return hearth_api_ok(all);
}

const struct verb chute_verbs[] = {
	{ "chute.list", chute_list_verb },
	{ "chute.status", chute_status_verb },
	{ "chute.install", chute_install_verb },
	{ "chute.start", chute_start_verb },
	{ "chute.stop", chute_stop_verb },
	{ "chute.restart", chute_restart_verb },
	{ "chute.update", chute_update_verb },
	{ "chute.remove", chute_remove_verb },
	{},
};
