/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SANDBOX_SETTINGS_H
#define HEARTH_SANDBOX_SETTINGS_H

/*
 * A chute's settings: what it may use (CPU, memory, processes, bandwidth),
 * its forwards, restart policy, rootfs mode and environment; their
 * defaults, one KEY VALUE setting at a time, and the checks across them.
 * The bundle's annotations (bundle.h) and the settings file
 * (settings_file.h) are read through them.
 *
 * Errors: every function returns 0 or a negative errno and fills @err.
 * Anything hearth refuses, and every malformed value, is -EINVAL (never
 * -EPERM); a missing config.json is -ENOENT; I/O failures carry their
 * errno. (The same holds in bundle.h, runtime_spec.h and settings_file.h.)
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

/* "no", "on-failure" or "always", as the restart setting is written. */
const char *chute_restart_name(enum chute_restart restart);
/* The forwards as JSON objects (proto, wan_port, chute_port); NULL when
 * out of memory. */
struct json_object *chute_forwards_json(const struct chute_settings *s);

/*
 * ---- For the other files of the chute's spec (bundle.c, runtime_spec.c,
 * settings_file.c), not for the lifecycle ----
 */

/* The numeric settings: their name in the settings file and their range. */
enum num_id {
	NF_CPU_MILLI,
	NF_CPU_WEIGHT,
	NF_MEMORY,
	NF_PIDS,
	NF_UP_RATE,
	NF_UP_CEIL,
	NF_DOWN_RATE,
	NF_DOWN_CEIL,
	NF_PRIO,
	NF_MAX,
};

struct num_field {
	const char *name;
	size_t off;
	bool wide; /* __u64, else __u32 */
	__u64 min, max;
	bool zero_ok; /* 0 means "not set" */
};

extern const struct num_field num_fields[NF_MAX];
__u64 num_get(const struct chute_settings *s, enum num_id id);
void num_set(struct chute_settings *s, enum num_id id, __u64 v);
/* In the field's range, or 0 where 0 means "not set". */
bool num_ok(enum num_id id, __u64 v);

/* One PROTO:WAN_PORT:CHUTE_PORT added, as the "forward" setting does. */
int forward_add(struct chute_settings *s, const char *text,
		struct hearth_err *err);
/* An annotation's comma-separated list, replacing the forwards. */
int forwards_replace(struct chute_settings *s, const char *list,
		     struct hearth_err *err);
/* Is @text KEY=VALUE, KEY non-empty and visible characters only? */
bool env_ok(const char *text);
/* Do two KEY=VALUE have the same KEY? */
bool env_same_key(const char *a, const char *b);
/* KEY=VALUE added, or replacing KEY's earlier value: the "env" setting. */
int env_put(struct chute_settings *s, const char *text,
	    struct hearth_err *err);

struct setting;
/* The setting named @key (as chute_setting_set() knows it), or NULL. */
const struct setting *setting_find(const char *key);
/* The "restart" setting; @st is not used. */
int set_restart(struct chute_settings *s, const struct setting *st,
		const char *value, struct hearth_err *err);

#endif
