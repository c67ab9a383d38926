// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The runtime spec hearth writes in place of the bundle's config.json:
 * the bundle's process with hearth's capabilities, rlimits and
 * environment overrides, its own mounts, namespaces (a user namespace on
 * the chute's id block, the network namespace hearth made), resources,
 * masked paths and seccomp profile.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/statfs.h>

#include <linux/magic.h>

#include <json-c/json.h>

#include "bundle.h"
#include "ids.h"
#include "json_util.h"
#include "runtime_spec.h"
#include "seccomp.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define CPU_PERIOD_US 100000

static bool cgroup_v2_host(void)
{
	struct statfs sb;

	return !statfs("/sys/fs/cgroup", &sb) && sb.f_type == CGROUP2_SUPER_MAGIC;
}

/*
 * OCI has CPU shares only (v1's unit, 1024 the default, as v2's weight
 * 100 is). On cgroup v2 crun 1.8 writes cpu.weight = 1 + (shares - 2) *
 * 9999 / 262142, which would make weight 100 into 39: there the smallest
 * shares that crun turns back into the weight asked for are given.
 */
int64_t chute_cpu_shares(__u32 weight, bool v2)
{
	if (!v2)
		return (int64_t)weight * 1024 / 100;
	return 2 + ((int64_t)(weight - 1) * 262142 + 9998) / 9999;
}

static void put_resources(struct jb *b, struct json_object *res,
			  const struct chute_settings *s)
{
	struct json_object *mem, *cpu, *pids;

	if (s->memory) {
		mem = jb_put(b, res, "memory", json_object_new_object());
		jb_put(b, mem, "limit", json_object_new_int64((int64_t)s->memory));
		/* OCI's swap is memory plus swap: the limit itself means none */
		jb_put(b, mem, "swap", json_object_new_int64((int64_t)s->memory));
	}
	if (s->cpu_milli || s->cpu_weight) {
		cpu = jb_put(b, res, "cpu", json_object_new_object());
		if (s->cpu_milli) {
			jb_put(b, cpu, "quota",
			       json_object_new_int64((int64_t)s->cpu_milli *
						     CPU_PERIOD_US / 1000));
			jb_put(b, cpu, "period", json_object_new_int64(CPU_PERIOD_US));
		}
		if (s->cpu_weight)
			jb_put(b, cpu, "shares",
			       json_object_new_int64(chute_cpu_shares(s->cpu_weight,
								      cgroup_v2_host())));
	}
	if (s->pids) {
		pids = jb_put(b, res, "pids", json_object_new_object());
		jb_put(b, pids, "limit", json_object_new_int64(s->pids));
	}
}

struct json_object *chute_resources_json(const struct chute_settings *s)
{
	struct json_object *res = json_object_new_object();
	struct jb b = { false };

	put_resources(&b, res, s);
	if (b.failed || !res) {
		json_object_put(res);
		return NULL;
	}
	return res;
}

static void put_id(struct jb *b, struct json_object *user, const char *key,
		   struct json_object *from)
{
	int64_t id = from ? json_object_get_int64(from) : 0;

	jb_put(b, user, key, json_object_new_int64(id));
}

static void put_user(struct jb *b, struct json_object *proc,
		     struct json_object *from)
{
	struct json_object *user = jb_put(b, proc, "user", json_object_new_object());
	struct json_object *gids = member(from, "additionalGids"), *arr;

	put_id(b, user, "uid", member(from, "uid"));
	put_id(b, user, "gid", member(from, "gid"));
	if (!gids)
		return;
	arr = jb_put(b, user, "additionalGids", json_object_new_array());
	for (size_t i = 0; i < json_object_array_length(gids); i++)
		jb_push(b, arr, json_object_new_int64(json_object_get_int64(
					json_object_array_get_idx(gids, i))));
}

static void put_copied_strings(struct jb *b, struct json_object *obj,
			       const char *key, struct json_object *from)
{
	struct json_object *arr = jb_put(b, obj, key, json_object_new_array());

	for (size_t i = 0; from && i < json_object_array_length(from); i++)
		jb_push(b, arr, json_object_new_string(json_object_get_string(
					json_object_array_get_idx(from, i))));
}

/* The bundle's environment, each variable @s overrides replaced in place,
 * then the overrides the bundle did not have. */
static void put_env(struct jb *b, struct json_object *proc,
		    struct json_object *from, const struct chute_settings *s)
{
	struct json_object *arr = jb_put(b, proc, "env", json_object_new_array());
	bool used[CHUTE_MAX_ENV] = { false };

	for (size_t i = 0; from && i < json_object_array_length(from); i++) {
		struct json_object *v = json_object_array_get_idx(from, i);
		const char *e = json_object_get_string(v);
		int j;

		for (j = 0; j < s->n_env && !env_same_key(s->env[j], e); j++)
			;
		if (j < s->n_env)
			used[j] = true;
		jb_push(b, arr, json_object_new_string(j < s->n_env ? s->env[j] : e));
	}
	for (int j = 0; j < s->n_env; j++) {
		if (!used[j])
			jb_push(b, arr, json_object_new_string(s->env[j]));
	}
}

static void put_process(struct jb *b, struct json_object *spec,
			struct json_object *from, const struct chute_settings *s)
{
	struct json_object *proc = jb_put(b, spec, "process", json_object_new_object());
	struct json_object *cwd = member(from, "cwd"), *caps, *rl, *nofile;

	jb_put(b, proc, "terminal", json_object_new_boolean(false));
	put_user(b, proc, member(from, "user"));
	put_copied_strings(b, proc, "args", member(from, "args"));
	put_env(b, proc, member(from, "env"), s);
	jb_put(b, proc, "cwd",
	       json_object_new_string(cwd ? json_object_get_string(cwd) : "/"));
	caps = jb_put(b, proc, "capabilities", json_object_new_object());
	for (size_t i = 0; i < ARRAY_SIZE(cap_sets); i++) {
		bool granted = strcmp(cap_sets[i], "inheritable") &&
			       strcmp(cap_sets[i], "ambient");

		jb_strings(b, caps, cap_sets[i], allowed_caps,
			   granted ? ARRAY_SIZE(allowed_caps) : 0);
	}
	rl = jb_put(b, proc, "rlimits", json_object_new_array());
	nofile = jb_push(b, rl, json_object_new_object());
	jb_put(b, nofile, "type", json_object_new_string("RLIMIT_NOFILE"));
	jb_put(b, nofile, "hard", json_object_new_int64(1024));
	jb_put(b, nofile, "soft", json_object_new_int64(1024));
	jb_put(b, proc, "noNewPrivileges", json_object_new_boolean(true));
}

static const struct {
	const char *dest, *type, *source, *options;
} base_mounts[] = {
	{ "/proc", "proc", "proc", "nosuid,noexec,nodev" },
	{ "/dev", "tmpfs", "tmpfs", "nosuid,strictatime,mode=755,size=65536k" },
	{ "/dev/pts", "devpts", "devpts",
	  "nosuid,noexec,newinstance,ptmxmode=0666,mode=0620" },
	{ "/dev/shm", "tmpfs", "shm", "nosuid,noexec,nodev,mode=1777,size=16m" },
	{ "/dev/mqueue", "mqueue", "mqueue", "nosuid,noexec,nodev" },
	{ "/sys", "sysfs", "sysfs", "nosuid,noexec,nodev,ro" },
	{ "/tmp", "tmpfs", "tmpfs", "nosuid,nodev,mode=1777,size=16m" },
};

static void put_mount(struct jb *b, struct json_object *mounts, const char *dest,
		      const char *type, const char *source, const char *options)
{
	struct json_object *m = jb_push(b, mounts, json_object_new_object());
	struct json_object *opts;

	jb_put(b, m, "destination", json_object_new_string(dest));
	jb_put(b, m, "type", json_object_new_string(type));
	jb_put(b, m, "source", json_object_new_string(source));
	opts = jb_put(b, m, "options", json_object_new_array());
	for (const char *o = options; *o; o += strcspn(o, ","), o += *o == ',')
		jb_push(b, opts, json_object_new_string_len(o, (int)strcspn(o, ",")));
}

static void put_mounts(struct jb *b, struct json_object *spec,
		       const struct chute_spec_paths *p)
{
	struct json_object *mounts = jb_put(b, spec, "mounts", json_object_new_array());

	for (size_t i = 0; i < ARRAY_SIZE(base_mounts); i++)
		put_mount(b, mounts, base_mounts[i].dest, base_mounts[i].type,
			  base_mounts[i].source, base_mounts[i].options);
	/* the one host path a chute sees: its own data directory */
	put_mount(b, mounts, "/data", "bind", p->data_dir, "rbind,rw,nosuid,nodev");
}

static const char *const own_ns[] = { "pid", "ipc", "uts", "mount", "cgroup" };

static const char *const masked_paths[] = {
	"/proc/acpi",	     "/proc/asound",	  "/proc/kcore",
	"/proc/keys",	     "/proc/latency_stats", "/proc/timer_list",
	"/proc/timer_stats", "/proc/sched_debug",  "/sys/firmware",
	"/proc/scsi",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static void put_id_map(struct jb *b, struct json_object *lnx, const char *key, __u32 base)
{
	struct json_object *map = jb_push(b, jb_put(b, lnx, key, json_object_new_array()),
					  json_object_new_object());

	jb_put(b, map, "containerID", json_object_new_int64(0));
	jb_put(b, map, "hostID", json_object_new_int64(base));
	jb_put(b, map, "size", json_object_new_int64(CHUTE_IDS_SIZE));
}

static void put_linux(struct jb *b, struct json_object *spec,
		      const struct chute_spec_paths *p,
		      const struct chute_settings *s)
{
	struct json_object *lnx = jb_put(b, spec, "linux", json_object_new_object());
	struct json_object *ns, *e, *res, *devices, *deny;

	ns = jb_put(b, lnx, "namespaces", json_object_new_array());
	for (size_t i = 0; i < ARRAY_SIZE(own_ns); i++) {
		e = jb_push(b, ns, json_object_new_object());
		jb_put(b, e, "type", json_object_new_string(own_ns[i]));
	}
	/* a user namespace of its own: root in the chute is nobody outside */
	e = jb_push(b, ns, json_object_new_object());
	jb_put(b, e, "type", json_object_new_string("user"));
	put_id_map(b, lnx, "uidMappings", p->id_base);
	put_id_map(b, lnx, "gidMappings", p->id_base);
	/* the network namespace hearth made, with the chute's veth in it */
	e = jb_push(b, ns, json_object_new_object());
	jb_put(b, e, "type", json_object_new_string("network"));
	jb_put(b, e, "path", json_object_new_string(p->netns));
	jb_put(b, lnx, "cgroupsPath", json_object_new_string(p->cgroup));
	res = jb_put(b, lnx, "resources", json_object_new_object());
	put_resources(b, res, s);
	devices = jb_put(b, res, "devices", json_object_new_array());
	deny = jb_push(b, devices, json_object_new_object());
	jb_put(b, deny, "allow", json_object_new_boolean(false));
	jb_put(b, deny, "access", json_object_new_string("rwm"));
	jb_strings(b, lnx, "maskedPaths", masked_paths, ARRAY_SIZE(masked_paths));
	jb_strings(b, lnx, "readonlyPaths", readonly_paths, ARRAY_SIZE(readonly_paths));
	put_seccomp(b, lnx);
}

static struct json_object *spec_build(struct json_object *cfg,
				      const struct chute_spec_paths *p,
				      const struct chute_settings *s)
{
	struct json_object *spec = json_object_new_object(), *root;
	struct jb b = { false };

	jb_put(&b, spec, "ociVersion", json_object_new_string("1.0.2"));
	put_process(&b, spec, member(cfg, "process"), s);
	root = jb_put(&b, spec, "root", json_object_new_object());
	jb_put(&b, root, "path", json_object_new_string(p->rootfs));
	jb_put(&b, root, "readonly", json_object_new_boolean(!s->writable_rootfs));
	jb_put(&b, spec, "hostname", json_object_new_string(p->name));
	put_mounts(&b, spec, p);
	put_linux(&b, spec, p, s);
	if (b.failed || !spec) {
		json_object_put(spec);
		return NULL;
	}
	return spec;
}

static int paths_check(const struct chute_spec_paths *p, struct hearth_err *err)
{
	const struct {
		const char *field, *path;
	} abs[] = {
		{ "rootfs", p->rootfs },
		{ "data_dir", p->data_dir },
		{ "netns", p->netns },
		{ "cgroup", p->cgroup },
	};

	if (!chute_ids_base_valid(p->id_base))
		return hearth_err_set(err, EINVAL, "id_base: %u is not a chute's id block",
				      p->id_base);
	if (!chute_name_ok(p->name))
		return hearth_err_set(err, EINVAL, "chute name '%s' is not valid",
				      p->name ? p->name : "");
	for (size_t i = 0; i < ARRAY_SIZE(abs); i++) {
		if (!abs[i].path || abs[i].path[0] != '/')
			return hearth_err_set(err, EINVAL,
					      "%s: '%s' is not an absolute path",
					      abs[i].field,
					      abs[i].path ? abs[i].path : "");
	}
	return 0;
}

int chute_spec_write(const char *bundle_dir, const struct chute_spec_paths *p,
		     const struct chute_settings *s, const char *out_path,
		     struct hearth_err *err)
{
	struct json_object *cfg = NULL, *spec = NULL;
	int ret;

	ret = paths_check(p, err);
	if (!ret)
		ret = chute_settings_check(s, err);
	if (!ret)
		ret = bundle_load(bundle_dir, &cfg, NULL, 0, err);
	if (ret)
		return ret;
	spec = spec_build(cfg, p, s);
	if (!spec) {
		ret = hearth_err_set(err, ENOMEM, "%s: out of memory", out_path);
		goto cleanup;
	}
	ret = json_write(spec, out_path, err);
cleanup:
	json_object_put(spec);
	json_object_put(cfg);
	return ret;
}
