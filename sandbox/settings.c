// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's settings: their defaults, one KEY VALUE setting parsed and
 * range-checked, the checks across settings, and the names and JSON of
 * what the lifecycle shows (restart policies, protocols, forwards).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json_util.h"
#include "settings.h"
#include "../util/parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define MIB (1ull << 20)

static const char *const restart_names[] = {
	[CHUTE_RESTART_NO] = "no",
	[CHUTE_RESTART_ON_FAILURE] = "on-failure",
	[CHUTE_RESTART_ALWAYS] = "always",
};

#define NUM(id, field, lo, hi, zero)                                           \
	[id] = { #field, offsetof(struct chute_settings, field),               \
		 sizeof(((struct chute_settings *)0)->field) == 8, lo, hi, zero }

const struct num_field num_fields[NF_MAX] = {
	NUM(NF_CPU_MILLI, cpu_milli, 10, 64000, true),
	NUM(NF_CPU_WEIGHT, cpu_weight, 1, 10000, true),
	NUM(NF_MEMORY, memory, 4 * MIB, 1024 * 1024 * MIB, false),
	NUM(NF_PIDS, pids, 8, 65536, false),
	NUM(NF_UP_RATE, up_rate, HEARTH_RATE_MIN, HEARTH_RATE_MAX, true),
	NUM(NF_UP_CEIL, up_ceil, HEARTH_RATE_MIN, HEARTH_RATE_MAX, true),
	NUM(NF_DOWN_RATE, down_rate, HEARTH_RATE_MIN, HEARTH_RATE_MAX, true),
	NUM(NF_DOWN_CEIL, down_ceil, HEARTH_RATE_MIN, HEARTH_RATE_MAX, true),
	NUM(NF_PRIO, prio, 1, 7, false),
};

__u64 num_get(const struct chute_settings *s, enum num_id id)
{
	const struct num_field *f = &num_fields[id];
	const char *p = (const char *)s + f->off;

	return f->wide ? *(const __u64 *)p : *(const __u32 *)p;
}

void num_set(struct chute_settings *s, enum num_id id, __u64 v)
{
	const struct num_field *f = &num_fields[id];
	char *p = (char *)s + f->off;

	if (f->wide)
		*(__u64 *)p = v;
	else
		*(__u32 *)p = (__u32)v;
}

bool num_ok(enum num_id id, __u64 v)
{
	const struct num_field *f = &num_fields[id];

	return (v == 0 && f->zero_ok) || (v >= f->min && v <= f->max);
}

bool chute_name_ok(const char *name)
{
	size_t len = name ? strlen(name) : 0;

	if (len == 0 || len > CHUTE_NAME_MAX || name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = name[i];

		if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') && c != '-')
			return false;
	}
	return true;
}

void chute_settings_defaults(struct chute_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->cpu_milli = 1000;
	s->memory = 128 * MIB;
	s->pids = 128;
	s->prio = 4;
	s->restart = CHUTE_RESTART_ON_FAILURE;
}

/* ---- single settings ---- */

/* "2", "0.5", "0.125" in thousandths, exactly: strtod would round and
 * follow the locale's decimal point. */
static bool parse_milli(const char *text, __u64 *out)
{
	int decimals = -1; /* -1: no point seen */
	__u64 v = 0;

	if (!isdigit((unsigned char)text[0]))
		return false;
	for (const char *c = text; *c; c++) {
		if (*c == '.' && decimals < 0) {
			decimals = 0;
			continue;
		}
		/* scaling only grows v: beyond the maximum it stays beyond */
		if (!isdigit((unsigned char)*c) || decimals == 3 ||
		    v > num_fields[NF_CPU_MILLI].max)
			return false;
		v = v * 10 + (__u64)(*c - '0');
		if (decimals >= 0)
			decimals++;
	}
	if (decimals == 0)
		return false;
	for (int i = decimals < 0 ? 0 : decimals; i < 3; i++)
		v *= 10;
	*out = v;
	return true;
}

const char *chute_restart_name(enum chute_restart restart)
{
	return (unsigned int)restart < ARRAY_SIZE(restart_names) ? restart_names[restart] : "?";
}

static int forward_parse(const char *text, struct chute_forward *f)
{
	char buf[32], *field[3];

	if (hearth_split(text, ':', buf, sizeof(buf), field, 3))
		return -EINVAL;
	f->proto = hearth_proto_parse(field[0]);
	f->wan_port = hearth_port_parse(field[1]);
	f->chute_port = hearth_port_parse(field[2]);
	return f->proto && f->wan_port && f->chute_port ? 0 : -EINVAL;
}

int forward_add(struct chute_settings *s, const char *text,
		struct hearth_err *err)
{
	struct chute_forward f;

	if (forward_parse(text, &f))
		return hearth_err_set(err, EINVAL,
				      "forward: '%s' is not PROTO:WAN_PORT:CHUTE_PORT (e.g. tcp:8080:80)",
				      text);
	for (int i = 0; i < s->n_forwards; i++) {
		const struct chute_forward *o = &s->forwards[i];

		if (o->proto == f.proto && o->wan_port == f.wan_port)
			return hearth_err_set(err, EINVAL,
					      "forward: %s port %u is already forwarded (to %u)",
					      hearth_proto_name(f.proto), f.wan_port,
					      o->chute_port);
	}
	if (s->n_forwards == CHUTE_MAX_FORWARDS)
		return hearth_err_set(err, EINVAL, "forward: at most %d forwards",
				      CHUTE_MAX_FORWARDS);
	s->forwards[s->n_forwards++] = f;
	return 0;
}

/* An annotation's "tcp:80:80, udp:53:53" replaces the list; "" empties it. */
int forwards_replace(struct chute_settings *s, const char *list,
		     struct hearth_err *err)
{
	char *copy, *rest, *item;
	int ret = 0;

	s->n_forwards = 0;
	list += strspn(list, " ");
	if (!*list)
		return 0;
	copy = strdup(list);
	if (!copy)
		return hearth_err_set(err, ENOMEM, "forward: out of memory");
	rest = copy;
	while ((item = strsep(&rest, ","))) {
		char *end;

		item += strspn(item, " ");
		end = item + strlen(item);
		while (end > item && end[-1] == ' ')
			*--end = '\0';
		ret = forward_add(s, item, err);
		if (ret)
			goto cleanup;
	}
cleanup:
	free(copy);
	return ret;
}

/* KEY=VALUE, KEY non-empty and visible characters only */
bool env_ok(const char *text)
{
	const char *eq = strchr(text, '=');

	if (!eq || eq == text)
		return false;
	for (const char *c = text; c < eq; c++) {
		if (!isgraph((unsigned char)*c))
			return false;
	}
	return true;
}

bool env_same_key(const char *a, const char *b)
{
	size_t n = strcspn(a, "=");

	return n == strcspn(b, "=") && !strncmp(a, b, n);
}

int env_put(struct chute_settings *s, const char *text,
	    struct hearth_err *err)
{
	size_t len = strlen(text);
	int i;

	if (!env_ok(text))
		return hearth_err_set(err, EINVAL, "env: '%s' is not KEY=VALUE",
				      text);
	if (len >= CHUTE_ENV_LEN)
		return hearth_err_set(err, EINVAL,
				      "env: %.*s: longer than %d characters",
				      (int)strcspn(text, "="), text,
				      CHUTE_ENV_LEN - 1);
	for (i = 0; i < s->n_env && !env_same_key(s->env[i], text); i++)
		;
	if (i == CHUTE_MAX_ENV)
		return hearth_err_set(err, EINVAL, "env: at most %d variables",
				      CHUTE_MAX_ENV);
	memcpy(s->env[i], text, len + 1);
	if (i == s->n_env)
		s->n_env++;
	return 0;
}

struct setting {
	const char *key;
	int (*set)(struct chute_settings *s, const struct setting *st,
		   const char *value, struct hearth_err *err);
	enum num_id field;
	const char *what; /* for plain numbers */
};

static int set_cpus(struct chute_settings *s, const struct setting *st,
		    const char *value, struct hearth_err *err)
{
	__u64 v;

	if (!parse_milli(value, &v) || v == 0 || !num_ok(st->field, v))
		return hearth_err_set(err, EINVAL,
				      "cpus: '%s' is not a number of CPUs (0.01 to 64, e.g. 0.5)",
				      value);
	num_set(s, st->field, v);
	return 0;
}

static int set_number(struct chute_settings *s, const struct setting *st,
		      const char *value, struct hearth_err *err)
{
	const struct num_field *f = &num_fields[st->field];
	__u64 v;

	if (hearth_number_parse(value, f->min, f->max, &v))
		return hearth_err_set(err, EINVAL, "%s: '%s' is not %s (%llu to %llu)",
				      st->key, value, st->what,
				      (unsigned long long)f->min,
				      (unsigned long long)f->max);
	num_set(s, st->field, v);
	return 0;
}

static int set_memory(struct chute_settings *s, const struct setting *st,
		      const char *value, struct hearth_err *err)
{
	const struct num_field *f = &num_fields[st->field];
	__u64 v;
	int ret = hearth_size64_parse(value, f->max, &v);

	if (ret == -ERANGE)
		return hearth_err_set(err, EINVAL,
				      "memory: '%s' is above the maximum of %lluG",
				      value, (unsigned long long)(f->max >> 30));
	if (ret)
		return hearth_err_set(err, EINVAL,
				      "memory: '%s' is not a size (e.g. 64M)", value);
	if (v < f->min)
		return hearth_err_set(err, EINVAL,
				      "memory: '%s' is below the minimum of %lluM",
				      value, (unsigned long long)(f->min >> 20));
	num_set(s, st->field, v);
	return 0;
}

static int set_rate(struct chute_settings *s, const struct setting *st,
		    const char *value, struct hearth_err *err)
{
	__u64 bps;
	int ret = hearth_rate_parse(value, &bps);

	if (ret == -ERANGE)
		return hearth_err_set(err, EINVAL,
				      "%s: '%s' is out of range (8kbit to 100gbit)",
				      st->key, value);
	if (ret)
		return hearth_err_set(err, EINVAL,
				      "%s: '%s' is not a rate (e.g. 20mbit)",
				      st->key, value);
	num_set(s, st->field, bps);
	return 0;
}

int set_restart(struct chute_settings *s, const struct setting *st,
		const char *value, struct hearth_err *err)
{
	(void)st;
	for (size_t i = 0; i < ARRAY_SIZE(restart_names); i++) {
		if (!strcmp(value, restart_names[i])) {
			s->restart = (enum chute_restart)i;
			return 0;
		}
	}
	return hearth_err_set(err, EINVAL,
			      "restart: '%s' is not a restart policy (no, on-failure or always)",
			      value);
}

static int set_rootfs(struct chute_settings *s, const struct setting *st,
		      const char *value, struct hearth_err *err)
{
	(void)st;
	if (strcmp(value, "read-only") && strcmp(value, "writable"))
		return hearth_err_set(err, EINVAL,
				      "rootfs: '%s' is not read-only or writable",
				      value);
	s->writable_rootfs = !strcmp(value, "writable");
	return 0;
}

static int set_forward(struct chute_settings *s, const struct setting *st,
		       const char *value, struct hearth_err *err)
{
	(void)st;
	return forward_add(s, value, err);
}

static int set_env(struct chute_settings *s, const struct setting *st,
		   const char *value, struct hearth_err *err)
{
	(void)st;
	return env_put(s, value, err);
}

static const struct setting settings[] = {
	{ "cpus", set_cpus, NF_CPU_MILLI, NULL },
	{ "cpu-weight", set_number, NF_CPU_WEIGHT, "a CPU weight" },
	{ "memory", set_memory, NF_MEMORY, NULL },
	{ "pids", set_number, NF_PIDS, "a number of processes" },
	{ "up-rate", set_rate, NF_UP_RATE, NULL },
	{ "up-ceil", set_rate, NF_UP_CEIL, NULL },
	{ "down-rate", set_rate, NF_DOWN_RATE, NULL },
	{ "down-ceil", set_rate, NF_DOWN_CEIL, NULL },
	{ "priority", set_number, NF_PRIO, "a priority" },
	{ "restart", set_restart, NF_MAX, NULL },
	{ "rootfs", set_rootfs, NF_MAX, NULL },
	{ "forward", set_forward, NF_MAX, NULL },
	{ "env", set_env, NF_MAX, NULL },
};

const struct setting *setting_find(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
		if (!strcmp(key, settings[i].key))
			return &settings[i];
	}
	return NULL;
}

int chute_setting_set(struct chute_settings *s, const char *key,
		      const char *value, struct hearth_err *err)
{
	const struct setting *st = setting_find(key);

	if (!st)
		return hearth_err_set(err, EINVAL, "unknown setting '%s'", key);
	return st->set(s, st, value, err);
}

static int rate_vs_ceil(const char *dir, __u64 rate, __u64 ceil,
			struct hearth_err *err)
{
	char r[32], c[32];

	if (!rate || !ceil || rate <= ceil)
		return 0;
	return hearth_err_set(err, EINVAL, "%s-rate (%s) is above %s-ceil (%s)",
			      dir, hearth_rate_format(rate, r, sizeof(r)), dir,
			      hearth_rate_format(ceil, c, sizeof(c)));
}

int chute_settings_check(const struct chute_settings *s, struct hearth_err *err)
{
	int ret;

	for (int id = 0; id < NF_MAX; id++) {
		const struct num_field *f = &num_fields[id];

		if (!num_ok(id, num_get(s, id)))
			return hearth_err_set(err, EINVAL,
					      "%s: %llu is out of range (%llu to %llu)",
					      f->name,
					      (unsigned long long)num_get(s, id),
					      (unsigned long long)f->min,
					      (unsigned long long)f->max);
	}
	if ((unsigned int)s->restart >= ARRAY_SIZE(restart_names))
		return hearth_err_set(err, EINVAL, "restart: bad policy %d",
				      (int)s->restart);
	if (s->n_forwards < 0 || s->n_forwards > CHUTE_MAX_FORWARDS ||
	    s->n_env < 0 || s->n_env > CHUTE_MAX_ENV)
		return hearth_err_set(err, EINVAL, "bad number of forwards or env");
	for (int i = 0; i < s->n_forwards; i++) {
		const struct chute_forward *f = &s->forwards[i];

		if ((f->proto != IPPROTO_TCP && f->proto != IPPROTO_UDP) ||
		    !f->wan_port || !f->chute_port)
			return hearth_err_set(err, EINVAL, "forwards[%d]: bad forward",
					      i);
	}
	for (int i = 0; i < s->n_env; i++) {
		if (!memchr(s->env[i], '\0', CHUTE_ENV_LEN) || !env_ok(s->env[i]))
			return hearth_err_set(err, EINVAL, "env[%d]: not KEY=VALUE", i);
	}
	ret = rate_vs_ceil("up", s->up_rate, s->up_ceil, err);
	if (ret)
		return ret;
	return rate_vs_ceil("down", s->down_rate, s->down_ceil, err);
}

struct json_object *chute_forwards_json(const struct chute_settings *s)
{
	struct json_object *fwds = json_object_new_array(), *f;
	struct jb b = { false };

	for (int i = 0; i < s->n_forwards; i++) {
		const struct chute_forward *fw = &s->forwards[i];

		f = jb_push(&b, fwds, json_object_new_object());
		jb_put(&b, f, "proto", json_object_new_string(hearth_proto_name(fw->proto)));
		jb_put(&b, f, "wan_port", json_object_new_int(fw->wan_port));
		jb_put(&b, f, "chute_port", json_object_new_int(fw->chute_port));
	}
	if (b.failed || !fwds) {
		json_object_put(fwds);
		return NULL;
	}
	return fwds;
}
