// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The checks on a chute's OCI bundle: its config.json read, what hearth
 * does not allow refused, root.path kept inside the bundle, and the
 * io.hearth.* annotations applied. The bundle's author is not trusted:
 * nothing of its config.json reaches crun except the process's command,
 * environment, working directory and ids, and those only after the checks
 * below.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "bundle.h"
#include "json_util.h"
#include "settings.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *const allowed_caps[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_KILL",
	"CAP_NET_BIND_SERVICE", "CAP_SETGID", "CAP_SETUID",
};

const char *const cap_sets[] = {
	"bounding", "effective", "permitted", "inheritable", "ambient",
};

/* without any of these the chute would share the host's */
static const char *const required_ns[] = {
	"pid", "network", "mount", "ipc", "uts",
};

__attribute__((format(printf, 2, 3))) static int
refuse(struct hearth_err *err, const char *fmt, ...)
{
	char why[sizeof(err->msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return hearth_err_set(err, EINVAL, "config.json: %s", why);
}

static int check_strings(struct json_object *arr, const char *field,
			 bool need_one, struct hearth_err *err)
{
	size_t n;

	if (!arr)
		return need_one ? refuse(err, "%s: missing", field) : 0;
	if (!is_type(arr, json_type_array))
		return refuse(err, "%s: not an array of strings", field);
	n = json_object_array_length(arr);
	if (need_one && n == 0)
		return refuse(err, "%s: empty", field);
	for (size_t i = 0; i < n; i++) {
		if (!is_type(json_object_array_get_idx(arr, i), json_type_string))
			return refuse(err, "%s[%zu]: not a string", field, i);
	}
	return 0;
}

static bool cap_allowed(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(allowed_caps); i++) {
		if (!strcmp(name, allowed_caps[i]))
			return true;
	}
	return false;
}

static int refuse_cap(const char *set, const char *name, struct hearth_err *err)
{
	char list[256] = "";
	size_t len = 0;

	for (size_t i = 0; i < ARRAY_SIZE(allowed_caps); i++)
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					i ? ", " : "", allowed_caps[i]);
	return refuse(err, "process.capabilities.%s: %s is not allowed (allowed: %s)",
		      set, name, list);
}

static int check_caps(struct json_object *caps, struct hearth_err *err)
{
	if (!caps)
		return 0;
	if (!is_type(caps, json_type_object))
		return refuse(err, "process.capabilities: not an object");
	for (size_t i = 0; i < ARRAY_SIZE(cap_sets); i++) {
		struct json_object *list = member(caps, cap_sets[i]);
		char field[64];
		int ret;

		snprintf(field, sizeof(field), "process.capabilities.%s", cap_sets[i]);
		ret = check_strings(list, field, false, err);
		if (ret)
			return ret;
		for (size_t j = 0; list && j < json_object_array_length(list); j++) {
			const char *name = json_object_get_string(
				json_object_array_get_idx(list, j));

			if (!cap_allowed(name))
				return refuse_cap(cap_sets[i], name, err);
		}
	}
	return 0;
}

/* uid_t and gid_t, less (uid_t)-1 which means "unchanged" to the kernel */
static bool id_ok(struct json_object *v)
{
	int64_t id;

	if (!is_type(v, json_type_int))
		return false;
	id = json_object_get_int64(v);
	return id >= 0 && id < (int64_t)UINT32_MAX;
}

static int check_user(struct json_object *user, struct hearth_err *err)
{
	struct json_object *gids = member(user, "additionalGids");

	if (!user)
		return 0;
	if (!is_type(user, json_type_object))
		return refuse(err, "process.user: not an object");
	if (member(user, "uid") && !id_ok(member(user, "uid")))
		return refuse(err, "process.user.uid: not a user id");
	if (member(user, "gid") && !id_ok(member(user, "gid")))
		return refuse(err, "process.user.gid: not a group id");
	if (gids && !is_type(gids, json_type_array))
		return refuse(err, "process.user.additionalGids: not an array");
	for (size_t i = 0; gids && i < json_object_array_length(gids); i++) {
		if (!id_ok(json_object_array_get_idx(gids, i)))
			return refuse(err, "process.user.additionalGids[%zu]: not a group id",
				      i);
	}
	return 0;
}

static int check_env(struct json_object *env, struct hearth_err *err)
{
	int ret = check_strings(env, "process.env", false, err);

	for (size_t i = 0; !ret && env && i < json_object_array_length(env); i++) {
		struct json_object *v = json_object_array_get_idx(env, i);
		const char *e = json_object_get_string(v);

		if (!env_ok(e))
			ret = refuse(err, "process.env[%zu]: '%s' is not KEY=VALUE",
				     i, e);
	}
	return ret;
}

static int check_process(struct json_object *proc, struct hearth_err *err)
{
	struct json_object *v;
	int ret;

	if (!is_type(proc, json_type_object))
		return refuse(err, "process: %s", proc ? "not an object" : "missing");
	ret = check_strings(member(proc, "args"), "process.args", true, err);
	if (ret)
		return ret;
	v = member(proc, "terminal");
	if (v && (!is_type(v, json_type_boolean) || json_object_get_boolean(v)))
		return refuse(err, "process.terminal: a terminal is not allowed (chutes run detached)");
	v = member(proc, "noNewPrivileges");
	if (v && (!is_type(v, json_type_boolean) || !json_object_get_boolean(v)))
		return refuse(err, "process.noNewPrivileges: false is not allowed (no privileges from setuid files)");
	v = member(proc, "cwd");
	if (v && (!is_type(v, json_type_string) || json_object_get_string(v)[0] != '/'))
		return refuse(err, "process.cwd: not an absolute path");
	ret = check_caps(member(proc, "capabilities"), err);
	if (ret)
		return ret;
	ret = check_env(member(proc, "env"), err);
	if (ret)
		return ret;
	return check_user(member(proc, "user"), err);
}

static int check_hooks(struct json_object *hooks, struct hearth_err *err)
{
	if (!hooks)
		return 0;
	if (!is_type(hooks, json_type_object))
		return refuse(err, "hooks: hooks are not allowed");
	/* they run on the host, as root: only empty lists can stay */
	json_object_object_foreach(hooks, name, list) {
		if (list && (!is_type(list, json_type_array) ||
			     json_object_array_length(list)))
			return refuse(err, "hooks.%s: hooks are not allowed", name);
	}
	return 0;
}

static bool mount_binds(struct json_object *m)
{
	struct json_object *type = member(m, "type"), *opts = member(m, "options");

	if (is_type(type, json_type_string) &&
	    !strcmp(json_object_get_string(type), "bind"))
		return true;
	for (size_t i = 0; is_type(opts, json_type_array) &&
			   i < json_object_array_length(opts); i++) {
		struct json_object *v = json_object_array_get_idx(opts, i);
		const char *o = json_object_get_string(v);

		if (o && (!strcmp(o, "bind") || !strcmp(o, "rbind")))
			return true;
	}
	return false;
}

/* The generated spec has its own mounts; the bundle's are checked so that
 * one relying on a host path is refused rather than started without it. */
static int check_mounts(struct json_object *mounts, struct hearth_err *err)
{
	if (!mounts)
		return 0;
	if (!is_type(mounts, json_type_array))
		return refuse(err, "mounts: not an array");
	for (size_t i = 0; i < json_object_array_length(mounts); i++) {
		struct json_object *m = json_object_array_get_idx(mounts, i);
		struct json_object *dst = member(m, "destination");

		if (!is_type(m, json_type_object))
			return refuse(err, "mounts[%zu]: not an object", i);
		if (mount_binds(m))
			return refuse(err, "mounts[%zu]: bind mounts of host paths are not allowed (%s)",
				      i, is_type(dst, json_type_string) ?
						 json_object_get_string(dst) :
						 "no destination");
	}
	return 0;
}

static int check_namespaces(struct json_object *ns, struct hearth_err *err)
{
	bool seen[ARRAY_SIZE(required_ns)] = { false };

	/* absent: hearth writes its own list */
	if (!ns)
		return 0;
	if (!is_type(ns, json_type_array))
		return refuse(err, "linux.namespaces: not an array");
	for (size_t i = 0; i < json_object_array_length(ns); i++) {
		struct json_object *e = json_object_array_get_idx(ns, i);
		struct json_object *type = member(e, "type");
		const char *t;

		if (!is_type(type, json_type_string))
			return refuse(err, "linux.namespaces[%zu]: no type", i);
		if (member(e, "path"))
			return refuse(err, "linux.namespaces[%zu]: joining an existing namespace (path) is not allowed",
				      i);
		t = json_object_get_string(type);
		for (size_t j = 0; j < ARRAY_SIZE(required_ns); j++)
			seen[j] |= !strcmp(t, required_ns[j]);
	}
	for (size_t j = 0; j < ARRAY_SIZE(required_ns); j++) {
		if (!seen[j])
			return refuse(err, "linux.namespaces: no %s namespace: the chute would share the host's",
				      required_ns[j]);
	}
	return 0;
}

static bool non_empty(struct json_object *v, enum json_type type)
{
	if (!v)
		return false;
	if (!is_type(v, type))
		return true;
	return type == json_type_array ? json_object_array_length(v) > 0 :
					 json_object_object_length(v) > 0;
}

static int check_linux(struct json_object *lnx, struct hearth_err *err)
{
	if (!lnx)
		return 0;
	if (!is_type(lnx, json_type_object))
		return refuse(err, "linux: not an object");
	if (non_empty(member(lnx, "devices"), json_type_array))
		return refuse(err, "linux.devices: devices are not allowed");
	if (non_empty(member(lnx, "uidMappings"), json_type_array))
		return refuse(err, "linux.uidMappings: a chute's ids are mapped by hearth (ids 0-65535, a block of its own)");
	if (non_empty(member(lnx, "gidMappings"), json_type_array))
		return refuse(err, "linux.gidMappings: a chute's ids are mapped by hearth (ids 0-65535, a block of its own)");
	if (non_empty(member(lnx, "sysctl"), json_type_object))
		return refuse(err, "linux.sysctl: sysctls are not allowed");
	/*
	 * linux.seccomp is not looked at: the generated spec carries no part
	 * of the bundle's linux section, and its profile is hearth's own
	 * (denied_calls), so one here can neither loosen nor tighten what the
	 * chute runs with. linux.resources is ignored for the same reason:
	 * the limits are hearth's, from io.hearth.*.
	 */
	return check_namespaces(member(lnx, "namespaces"), err);
}

static bool has_dotdot(const char *path)
{
	for (const char *c = path; *c; c += strcspn(c, "/"), c += *c == '/') {
		if (!strncmp(c, "..", 2) && (c[2] == '/' || !c[2]))
			return true;
	}
	return false;
}

static bool path_inside(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (n == 1)
		return path[0] == '/' && path[1];
	return !strncmp(dir, path, n) && path[n] == '/' && path[n + 1];
}

/* root.path must stay inside the bundle even through symlinks: crun would
 * follow one to a host directory. */
static int check_root(const char *bundle_dir, struct json_object *root,
		      char *buf, size_t size, struct hearth_err *err)
{
	struct json_object *path = member(root, "path");
	char *real_bundle = NULL, *real_root = NULL, joined[PATH_MAX];
	const char *rel;
	struct stat st;
	int ret = 0;

	if (!is_type(path, json_type_string))
		return refuse(err, "root.path: %s", path ? "not a string" : "missing");
	rel = json_object_get_string(path);
	if (!rel[0] || rel[0] == '/')
		return refuse(err, "root.path: '%s' is not a path relative to the bundle",
			      rel);
	if (has_dotdot(rel))
		return refuse(err, "root.path: '%s' contains '..'", rel);
	if (snprintf(joined, sizeof(joined), "%s/%s", bundle_dir, rel) >=
	    (int)sizeof(joined))
		return refuse(err, "root.path: '%s' is too long", rel);
	real_bundle = realpath(bundle_dir, NULL);
	if (!real_bundle) {
		ret = hearth_err_set(err, errno, "%s: %s", bundle_dir, strerror(errno));
		goto cleanup;
	}
	real_root = realpath(joined, NULL);
	if (!real_root || stat(real_root, &st) || !S_ISDIR(st.st_mode)) {
		ret = refuse(err, "root.path: '%s' is not a directory in the bundle", rel);
		goto cleanup;
	}
	if (!path_inside(real_bundle, real_root)) {
		ret = refuse(err, "root.path: '%s' leads out of the bundle", rel);
		goto cleanup;
	}
	if (buf && snprintf(buf, size, "%s", real_root) >= (int)size)
		ret = hearth_err_set(err, ENAMETOOLONG, "%s: name too long", real_root);
cleanup:
	free(real_bundle);
	free(real_root);
	return ret;
}

/* Reads and checks BUNDLE/config.json; @rootfs (optional) gets root.path
 * resolved. */
int bundle_load(const char *bundle_dir, struct json_object **out,
		char *rootfs, size_t size, struct hearth_err *err)
{
	struct json_object *cfg = NULL, *ann;
	char path[PATH_MAX];
	int ret;

	if (snprintf(path, sizeof(path), "%s/config.json", bundle_dir) >=
	    (int)sizeof(path))
		return hearth_err_set(err, ENAMETOOLONG, "%s: name too long",
				      bundle_dir);
	ret = json_read(path, "config.json", &cfg, err);
	if (ret)
		return ret;
	ret = check_process(member(cfg, "process"), err);
	if (!ret)
		ret = check_root(bundle_dir, member(cfg, "root"), rootfs, size, err);
	if (!ret)
		ret = check_hooks(member(cfg, "hooks"), err);
	if (!ret)
		ret = check_mounts(member(cfg, "mounts"), err);
	if (!ret)
		ret = check_linux(member(cfg, "linux"), err);
	ann = member(cfg, "annotations");
	if (!ret && ann && !is_type(ann, json_type_object))
		ret = refuse(err, "annotations: not an object");
	if (!ret && out) {
		*out = cfg;
		cfg = NULL;
	}
	json_object_put(cfg);
	return ret;
}

static int apply_annotation(struct chute_settings *s, const char *key,
			    struct json_object *val, struct hearth_err *err)
{
	struct hearth_err why;
	const char *value;
	int ret;

	if (!setting_find(key))
		return refuse(err, "annotations.%s%s: unknown setting",
			      CHUTE_ANNOTATION_PREFIX, key);
	if (!is_type(val, json_type_string))
		return refuse(err, "annotations.%s%s: not a string",
			      CHUTE_ANNOTATION_PREFIX, key);
	value = json_object_get_string(val);
	if (!strcmp(key, "forward"))
		ret = forwards_replace(s, value, &why);
	else
		ret = chute_setting_set(s, key, value, &why);
	/* the setting's message starts with its key */
	if (ret)
		return refuse(err, "annotations.%s%s", CHUTE_ANNOTATION_PREFIX,
			      why.msg);
	return 0;
}

static int apply_annotations(struct chute_settings *s, struct json_object *ann,
			     struct hearth_err *err)
{
	size_t plen = strlen(CHUTE_ANNOTATION_PREFIX);

	if (!ann)
		return 0;
	json_object_object_foreach(ann, name, val) {
		int ret;

		if (strncmp(name, CHUTE_ANNOTATION_PREFIX, plen))
			continue;
		ret = apply_annotation(s, name + plen, val, err);
		if (ret)
			return ret;
	}
	return 0;
}

int chute_bundle_read(const char *bundle_dir, struct chute_settings *s,
		      struct hearth_err *err)
{
	struct chute_settings next = *s;
	struct json_object *cfg = NULL;
	struct hearth_err why;
	int ret;

	ret = bundle_load(bundle_dir, &cfg, NULL, 0, err);
	if (ret)
		return ret;
	ret = apply_annotations(&next, member(cfg, "annotations"), err);
	if (ret)
		goto cleanup;
	ret = chute_settings_check(&next, &why);
	if (ret) {
		ret = refuse(err, "annotations: %s", why.msg);
		goto cleanup;
	}
	*s = next;
cleanup:
	json_object_put(cfg);
	return ret;
}

int chute_bundle_rootfs(const char *bundle_dir, char *buf, size_t size,
			struct hearth_err *err)
{
	return bundle_load(bundle_dir, NULL, buf, size, err);
}
