/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SPEC_H
#define HEARTH_SPEC_H

/*
 * A chute's settings and its OCI runtime spec.
 *
 * A chute arrives as an OCI bundle. hearth never hands the bundle's
 * config.json to crun: it reads only what an application legitimately
 * chooses (its command, environment, working directory and user) and
 * generates everything else. The bundle is still checked against what
 * hearth refuses, so that a bundle asking for more than it would get fails
 * loudly at install instead of running with less than its author expected.
 *
 * Errors: every function returns 0 or a negative errno and fills @err.
 * Anything hearth refuses, and every malformed value, is -EINVAL (never
 * -EPERM); a missing config.json is -ENOENT; I/O failures carry their
 * errno.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../util/error.h"

struct json_object;

#ifndef CHUTE_NAME_MAX /* net.h derives the same 12 from interface names */
#define CHUTE_NAME_MAX 12 /* chars, without NUL */
#endif
#define CHUTE_MAX_FORWARDS 8
#define CHUTE_MAX_ENV 32
#define CHUTE_ENV_LEN 256
#define CHUTE_ANNOTATION_PREFIX "io.hearth."

enum chute_restart {
	CHUTE_RESTART_NO,
	CHUTE_RESTART_ON_FAILURE,
	CHUTE_RESTART_ALWAYS,
};

struct chute_forward {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 wan_port, chute_port; /* host order */
};

struct chute_settings {
	__u32 cpu_milli; /* CPU quota in thousandths of a CPU (period 100 ms); 0 = none */
	__u32 cpu_weight; /* 1-10000 (cgroup v2 weight; v1 shares = weight*1024/100); 0 = default */
	__u64 memory; /* bytes, hard limit, swap limited to the same */
	__u32 pids;
	__u64 up_rate, up_ceil, down_rate, down_ceil; /* bits/s; 0 = not set */
	__u32 prio; /* bandwidth priority class 1-7 (home is 0) */
	struct chute_forward forwards[CHUTE_MAX_FORWARDS];
	int n_forwards;
	enum chute_restart restart;
	bool writable_rootfs;
	char env[CHUTE_MAX_ENV][CHUTE_ENV_LEN]; /* "KEY=VALUE" overrides, added after the bundle's */
	int n_env;
};

struct chute_spec_paths {
	const char *name; /* chute name: hostname */
	const char *rootfs; /* absolute path of the rootfs */
	const char *data_dir; /* absolute; bind-mounted read-write at /data */
	const char *netns; /* absolute path of the network namespace to join */
	const char *cgroup; /* cgroupsPath, e.g. "/hearth/NAME" */
	__u32 id_base; /* host id of the chute's id 0 (sandbox/ids.h) */
};

/* ^[a-z0-9][a-z0-9-]{0,11}$: usable as a hostname, a path component and
 * inside interface names. */
bool chute_name_ok(const char *name);

/* cpus 1, memory 128M, pids 128, priority 4, restart on-failure, read-only
 * rootfs; no CPU weight, rates, forwards or environment. */
void chute_settings_defaults(struct chute_settings *s);

/*
 * One setting by key, the annotation name without "io.hearth.":
 *   cpus        0.01 to 64, at most three decimals ("0.5", "2")
 *   cpu-weight  1 to 10000
 *   memory      4M and up (suffixes k, m, g, optionally followed by b or
 *               ib, any case; powers of 1024), at most 1024G
 *   pids        8 to 65536
 *   up-rate, up-ceil, down-rate, down-ceil
 *               as hearth_rate_parse: 8kbit to 100gbit
 *   priority    1 to 7
 *   restart     no | on-failure | always
 *   rootfs      read-only | writable
 *   forward     PROTO:WAN_PORT:CHUTE_PORT ("tcp:8080:80"): adds one;
 *               a second one for the same protocol and WAN port is refused
 *   env         KEY=VALUE: adds KEY, or replaces its earlier value
 * Messages start with the key: "memory: '12Q' is not a size (e.g. 64M)";
 * an unknown key gives "unknown setting 'foo'". On error @s is unchanged.
 */
int chute_setting_set(struct chute_settings *s, const char *key,
		      const char *value, struct hearth_err *err);

/* What no single setting can see: a guaranteed rate above its ceiling. */
int chute_settings_check(const struct chute_settings *s, struct hearth_err *err);

/*
 * Reads BUNDLE/config.json, refuses what hearth does not allow, and
 * applies the io.hearth.* annotations on top of @s (which the caller has
 * initialised, normally with chute_settings_defaults()). In an annotation
 * "forward" is a comma-separated list that replaces the forwards ("" for
 * none); every other key takes one value as in chute_setting_set().
 * Annotations outside io.hearth. are ignored. @s is only changed on
 * success. Messages name the field:
 *   "config.json: process.capabilities.bounding: CAP_SYS_ADMIN is not allowed (allowed: ...)"
 *   "config.json: annotations.io.hearth.memory: '12Q' is not a size (e.g. 64M)"
 *   "config.json: missing" (-ENOENT), "config.json: not valid JSON: <reason>"
 *
 * Refused: capabilities outside CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,
 * CAP_KILL, CAP_NET_BIND_SERVICE, CAP_SETGID, CAP_SETUID in any set; hooks;
 * linux.devices; linux.namespaces entries with a path, of type user, or a
 * list missing pid, network, mount, ipc or uts (an absent list is fine:
 * hearth writes its own); linux.uidMappings, linux.gidMappings;
 * linux.sysctl; bind mounts (type bind, or option bind or rbind);
 * process.terminal true; process.noNewPrivileges false; process.args that
 * is not a non-empty array of strings; malformed process.env, cwd, user;
 * a root.path that is absolute, contains "..", or does not resolve to a
 * directory strictly inside the bundle. linux.seccomp (hearth applies its
 * own profile) and linux.resources are ignored.
 */
int chute_bundle_read(const char *bundle_dir, struct chute_settings *s,
		      struct hearth_err *err);

/* The absolute, symlink-free path of the bundle's root.path, after the same
 * checks as chute_bundle_read(). */
int chute_bundle_rootfs(const char *bundle_dir, char *buf, size_t size,
			struct hearth_err *err);

/* The OCI linux.resources object for @s: memory limit and swap, CPU
 * quota/period and shares, pids limit; NULL when out of memory. The
 * caller owns it (json_object_put). Used in the spec and for
 * `crun update --resources FILE`. */
struct json_object *chute_resources_json(const struct chute_settings *s);
/* The OCI CPU shares for a weight (1-10000, 100 the default): v1's
 * weight * 1024 / 100, or on cgroup v2 (@v2) what crun turns into that
 * exact cpu.weight. */
int64_t chute_cpu_shares(__u32 weight, bool v2);
/* "tcp" or "udp", as forwards are written. */
const char *chute_proto_name(__u8 proto);
/* "no", "on-failure" or "always", as the restart setting is written. */
const char *chute_restart_name(enum chute_restart restart);
/* The forwards as JSON objects (proto, wan_port, chute_port); NULL when
 * out of memory. */
struct json_object *chute_forwards_json(const struct chute_settings *s);

/* Writes the hardened runtime spec for the bundle to @out_path (a temporary
 * file renamed into place, mode 0600: the environment may hold secrets),
 * with hearth's seccomp profile: everything allowed but a fixed list of
 * calls, which return EPERM (clone3: ENOSYS), for every ABI of the
 * gateway's architecture. The bundle is checked again, as in
 * chute_bundle_read(), but its annotations are not applied: @s is what
 * counts. */
int chute_spec_write(const char *bundle_dir, const struct chute_spec_paths *p,
		     const struct chute_settings *s, const char *out_path,
		     struct hearth_err *err);

/* All of @s as JSON (mode 0600, replaced atomically), and back: fields
 * missing from the file keep their defaults, unknown ones are ignored, a
 * bad value is -EINVAL naming the field. @s is only changed on success. */
int chute_settings_save(const struct chute_settings *s, const char *path,
			struct hearth_err *err);
int chute_settings_load(struct chute_settings *s, const char *path,
			struct hearth_err *err);

#endif
