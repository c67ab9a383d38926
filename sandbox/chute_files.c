// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's small files: the paths in its directory, state.json, the pid
 * file, the lock every operation takes; and chutes.env, where hearthd
 * tells the CLI where chutes live.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "chute.h"
#include "chute_files.h"
#include "../util/files.h"
#include "settings.h"
#include "settings_file.h"

int chute_path(const struct chute_env *env, const char *name,
	       const char *leaf, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s%s%s", env->dir, name, leaf ? "/" : "",
			 leaf ?: "");

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool chute_path_exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int chute_check_name(const char *name, struct hearth_err *err)
{
	if (!chute_name_ok(name))
		return hearth_err_set(err, -EINVAL,
				      "bad chute name '%s': 1 to %d of a-z, 0-9 and '-', not starting with '-'",
				      name, CHUTE_NAME_MAX);
	return 0;
}

int chute_check_installed(const struct chute_env *env, const char *name,
			  struct hearth_err *err)
{
	char path[PATH_MAX];
	int ret = chute_check_name(name, err);

	if (ret)
		return ret;
	if (chute_path(env, name, "settings.json", path, sizeof(path)) ||
	    !chute_path_exists(path))
		return hearth_err_set(err, -ENOENT, "no chute '%s' is installed", name);
	return 0;
}


int chute_settings_of(const struct chute_env *env, const char *name,
		      struct chute_settings *s, struct hearth_err *err)
{
	char path[PATH_MAX];

	if (chute_path(env, name, "settings.json", path, sizeof(path)))
		return hearth_err_set(err, -ENAMETOOLONG, "chute dir path too long");
	return chute_settings_load(s, path, err);
}

pid_t chute_pid_read(const char *path)
{
	char buf[32];

	if (chute_text_read(path, buf, sizeof(buf)))
		return 0;
	return (pid_t)atoi(buf);
}

int chute_state_load(const struct chute_env *env, const char *name,
		     struct chute_state *st)
{
	char path[PATH_MAX];
	struct json_object *o, *v;

	memset(st, 0, sizeof(*st));
	st->index = -1;
	if (chute_path(env, name, "state.json", path, sizeof(path)))
		return -ENAMETOOLONG;
	o = json_object_from_file(path);
	if (!o)
		return chute_path_exists(path) ? -EINVAL : 0;
	if (json_object_object_get_ex(o, "desired", &v))
		st->running = !strcmp(json_object_get_string(v), "running");
	if (json_object_object_get_ex(o, "index", &v))
		st->index = json_object_get_int(v);
	if (json_object_object_get_ex(o, "restarts", &v))
		st->restarts = json_object_get_int(v);
	if (json_object_object_get_ex(o, "last_exit", &v))
		snprintf(st->last_exit, sizeof(st->last_exit), "%s",
			 json_object_get_string(v));
	if (json_object_object_get_ex(o, "exited_at", &v))
		st->exited_at = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "started_at", &v))
		st->started_at = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "suspended", &v))
		st->suspended = json_object_get_boolean(v);
	json_object_put(o);
	return 0;
}

int chute_state_save(const struct chute_env *env, const char *name,
		     const struct chute_state *st)
{
	struct json_object *o = json_object_new_object();
	char path[PATH_MAX];
	int ret;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "desired",
			       json_object_new_string(st->running ? "running" : "stopped"));
	json_object_object_add(o, "index", json_object_new_int(st->index));
	json_object_object_add(o, "restarts", json_object_new_int(st->restarts));
	json_object_object_add(o, "last_exit", json_object_new_string(st->last_exit));
	json_object_object_add(o, "exited_at", json_object_new_int64(st->exited_at));
	json_object_object_add(o, "started_at", json_object_new_int64(st->started_at));
	json_object_object_add(o, "suspended", json_object_new_boolean(st->suspended));
	ret = chute_path(env, name, "state.json", path, sizeof(path));
	if (!ret)
		ret = chute_text_write(path,
				       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY),
				       false);
	json_object_put(o);
	return ret;
}

int chute_lock(const struct chute_env *env, const char *name, bool wait)
{
	char path[PATH_MAX];

	if (chute_path(env, name, "lock", path, sizeof(path)))
		return -ENAMETOOLONG;
	return chute_file_lock(path, wait);
}

int chute_lock_installed(const struct chute_env *env, const char *name,
			 struct hearth_err *err)
{
	int lock = chute_check_installed(env, name, err);

	if (lock)
		return lock;
	lock = chute_lock(env, name, true);
	if (lock < 0)
		return hearth_err_set(err, lock, "cannot lock chute '%s': %s", name,
				      strerror(-lock));
	return lock;
}

/* --- the environment hearthd leaves for the CLI ------------------------ */

int chute_env_save(const struct chute_env *env, struct hearth_err *err)
{
	char path[PATH_MAX], text[512], pool[INET_ADDRSTRLEN];
	int ret;

	inet_ntop(AF_INET, &env->pool.addr.v4, pool, sizeof(pool));
	snprintf(text, sizeof(text), "dir %s\npool %s/%u\n", env->dir, pool, env->pool.len);
	snprintf(path, sizeof(path), "%s/%s", env->run_dir, CHUTE_ENV_FILE);
	ret = hearth_mkdir_p(env->dir, 0711);
	if (!ret)
		ret = chute_text_write(path, text, false);
	if (ret)
		return hearth_err_set(err, ret, "cannot write %s: %s", path, strerror(-ret));
	return 0;
}

int chute_env_load(struct chute_env *env, const char *run_dir, struct hearth_err *err)
{
	char path[PATH_MAX], line[512], pool[64] = "";
	FILE *f;

	memset(env, 0, sizeof(*env));
	snprintf(env->run_dir, sizeof(env->run_dir), "%s", run_dir);
	snprintf(path, sizeof(path), "%s/%s", run_dir, CHUTE_ENV_FILE);
	f = fopen(path, "re");
	if (!f)
		return hearth_err_set(err, -errno,
				      "cannot read %s (%s): is hearthd running?", path,
				      strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		if (!strncmp(line, "dir ", 4))
			snprintf(env->dir, sizeof(env->dir), "%.255s", line + 4);
		else if (!strncmp(line, "pool ", 5))
			snprintf(pool, sizeof(pool), "%.63s", line + 5);
	}
	fclose(f);
	if (!env->dir[0] || hearth_prefix_parse(pool, &env->pool) ||
	    env->pool.family != AF_INET)
		return hearth_err_set(err, -EINVAL, "%s: no chute dir or pool", path);
	return 0;
}
