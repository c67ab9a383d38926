// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's settings file: all of its settings saved as JSON, and loaded
 * back with every value checked as when it was set.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "json_util.h"
#include "settings.h"
#include "settings_file.h"

static struct json_object *settings_json(const struct chute_settings *s)
{
	struct json_object *obj = json_object_new_object(), *env;
	struct jb b = { false };

	for (int id = 0; id < NF_MAX; id++)
		jb_put(&b, obj, num_fields[id].name,
		       json_object_new_int64((int64_t)num_get(s, id)));
	jb_put(&b, obj, "restart", json_object_new_string(chute_restart_name(s->restart)));
	jb_put(&b, obj, "writable_rootfs", json_object_new_boolean(s->writable_rootfs));
	jb_put(&b, obj, "forwards", chute_forwards_json(s));
	env = jb_put(&b, obj, "env", json_object_new_array());
	for (int i = 0; i < s->n_env; i++)
		jb_push(&b, env, json_object_new_string(s->env[i]));
	if (b.failed || !obj) {
		json_object_put(obj);
		return NULL;
	}
	return obj;
}

int chute_settings_save(const struct chute_settings *s, const char *path,
			struct hearth_err *err)
{
	struct json_object *obj;
	int ret = chute_settings_check(s, err);

	if (ret)
		return ret;
	obj = settings_json(s);
	if (!obj)
		return hearth_err_set(err, ENOMEM, "%s: out of memory", path);
	ret = json_write(obj, path, err);
	json_object_put(obj);
	return ret;
}

static int load_numbers(struct chute_settings *s, struct json_object *obj,
			const char *path, struct hearth_err *err)
{
	for (int id = 0; id < NF_MAX; id++) {
		const struct num_field *f = &num_fields[id];
		struct json_object *v = member(obj, f->name);
		int64_t n;

		if (!v)
			continue;
		n = is_type(v, json_type_int) ? json_object_get_int64(v) : -1;
		if (n < 0 || !num_ok(id, (__u64)n))
			return hearth_err_set(err, EINVAL,
					      "%s: %s: %s is not a number from %llu to %llu%s",
					      path, f->name, json_object_get_string(v),
					      (unsigned long long)f->min,
					      (unsigned long long)f->max,
					      f->zero_ok ? ", or 0" : "");
		num_set(s, id, (__u64)n);
	}
	return 0;
}

static int load_forwards(struct chute_settings *s, struct json_object *fwds,
			 const char *path, struct hearth_err *err)
{
	struct hearth_err why;

	if (fwds && !is_type(fwds, json_type_array))
		return hearth_err_set(err, EINVAL, "%s: forwards: not an array", path);
	s->n_forwards = 0;
	for (size_t i = 0; fwds && i < json_object_array_length(fwds); i++) {
		struct json_object *f = json_object_array_get_idx(fwds, i);
		struct json_object *proto = member(f, "proto");
		struct json_object *wan = member(f, "wan_port");
		struct json_object *port = member(f, "chute_port");
		char text[64];

		if (!is_type(proto, json_type_string) || !is_type(wan, json_type_int) ||
		    !is_type(port, json_type_int))
			return hearth_err_set(err, EINVAL,
					      "%s: forwards[%zu]: want proto, wan_port and chute_port",
					      path, i);
		snprintf(text, sizeof(text), "%.8s:%lld:%lld",
			 json_object_get_string(proto),
			 (long long)json_object_get_int64(wan),
			 (long long)json_object_get_int64(port));
		if (forward_add(s, text, &why))
			return hearth_err_set(err, EINVAL, "%s: forwards[%zu]: %s",
					      path, i, why.msg);
	}
	return 0;
}

static int load_env(struct chute_settings *s, struct json_object *env,
		    const char *path, struct hearth_err *err)
{
	struct hearth_err why;

	if (env && !is_type(env, json_type_array))
		return hearth_err_set(err, EINVAL, "%s: env: not an array", path);
	s->n_env = 0;
	for (size_t i = 0; env && i < json_object_array_length(env); i++) {
		struct json_object *e = json_object_array_get_idx(env, i);

		if (!is_type(e, json_type_string))
			return hearth_err_set(err, EINVAL, "%s: env[%zu]: not a string",
					      path, i);
		if (env_put(s, json_object_get_string(e), &why))
			return hearth_err_set(err, EINVAL, "%s: env[%zu]: %s", path,
					      i, why.msg);
	}
	return 0;
}

static int settings_from_json(struct chute_settings *s, struct json_object *obj,
			      const char *path, struct hearth_err *err)
{
	struct json_object *restart = member(obj, "restart");
	struct json_object *writable = member(obj, "writable_rootfs");
	struct hearth_err why;
	int ret;

	ret = load_numbers(s, obj, path, err);
	if (ret)
		return ret;
	if (restart && (!is_type(restart, json_type_string) ||
			set_restart(s, NULL, json_object_get_string(restart), &why)))
		return hearth_err_set(err, EINVAL, "%s: restart: not no, on-failure or always",
				      path);
	if (writable && !is_type(writable, json_type_boolean))
		return hearth_err_set(err, EINVAL, "%s: writable_rootfs: not a boolean",
				      path);
	if (writable)
		s->writable_rootfs = json_object_get_boolean(writable);
	ret = load_forwards(s, member(obj, "forwards"), path, err);
	if (ret)
		return ret;
	return load_env(s, member(obj, "env"), path, err);
}

int chute_settings_load(struct chute_settings *s, const char *path,
			struct hearth_err *err)
{
	struct chute_settings next;
	struct json_object *obj = NULL;
	struct hearth_err why;
	int ret;

	chute_settings_defaults(&next);
	ret = json_read(path, path, &obj, err);
	if (ret)
		return ret;
	ret = settings_from_json(&next, obj, path, err);
	if (ret)
		goto cleanup;
	ret = chute_settings_check(&next, &why);
	if (ret) {
		ret = hearth_err_set(err, EINVAL, "%s: %s", path, why.msg);
		goto cleanup;
	}
	*s = next;
cleanup:
	json_object_put(obj);
	return ret;
}
