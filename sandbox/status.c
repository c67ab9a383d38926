// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What is installed and how it is: the chutes' names, and a chute's status
 * as JSON (state, address, restarts, last exit, settings).
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "chute.h"
#include "usage.h"
#include "chute_files.h"
#include "chute_link.h"
#include "monitor.h"
#include "ids.h"
#include "settings.h" /* before net.h: both name CHUTE_NAME_MAX */
#include "net.h"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int chute_names(struct chute_env *env, char ***names, int *n)
{
	DIR *d = opendir(env->dir);
	struct dirent *de;
	char **list = NULL, **grown, path[PATH_MAX];
	int count = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (!chute_name_ok(de->d_name) ||
		    chute_path(env, de->d_name, "settings.json", path, sizeof(path)) ||
		    !chute_path_exists(path))
			continue;
		grown = realloc(list, (count + 1) * sizeof(*list));
		if (!grown)
			break;
		list = grown;
		list[count] = strdup(de->d_name);
		if (list[count])
			count++;
	}
	closedir(d);
	qsort(list, count, sizeof(*list), name_cmp);
	*names = list;
	*n = count;
	return 0;
}

/* @pid: the container's while the monitor runs (0 until crun wrote it),
 * -1 when no monitor runs. */
static const char *state_word(pid_t pid, const struct chute_state *st)
{
	if (pid >= 0)
		return pid > 0 ? "running" : "starting";
	return st->running ? "restarting" : "stopped";
}

static struct json_object *settings_json(const struct chute_settings *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "cpus", json_object_new_double(s->cpu_milli / 1000.0));
	json_object_object_add(o, "cpu_weight", json_object_new_int(s->cpu_weight));
	json_object_object_add(o, "memory", json_object_new_int64(s->memory));
	json_object_object_add(o, "pids", json_object_new_int(s->pids));
	json_object_object_add(o, "priority", json_object_new_int(s->prio));
	json_object_object_add(o, "up_rate", json_object_new_int64(s->up_rate));
	json_object_object_add(o, "up_ceil", json_object_new_int64(s->up_ceil));
	json_object_object_add(o, "down_rate", json_object_new_int64(s->down_rate));
	json_object_object_add(o, "down_ceil", json_object_new_int64(s->down_ceil));
	json_object_object_add(o, "restart", json_object_new_string(chute_restart_name(s->restart)));
	json_object_object_add(o, "rootfs", json_object_new_string(s->writable_rootfs ?
								    "writable" : "read-only"));
	json_object_object_add(o, "forwards", chute_forwards_json(s));
	return o;
}

int chute_status(struct chute_env *env, const char *name, struct json_object **out,
		 struct hearth_err *err)
{
	char path[PATH_MAX], addr[INET_ADDRSTRLEN];
	struct chute_settings s;
	struct chute_state st;
	struct json_object *o;
	struct chute_net n;
	__u64 cpu_ns, memory;
	pid_t pid = -1;
	uid_t base;
	int ret = chute_check_installed(env, name, err);

	if (ret)
		return ret;
	ret = chute_settings_of(env, name, &s, err);
	if (!ret && chute_state_load(env, name, &st))
		ret = hearth_err_set(err, -EINVAL, "%s/%s/state.json: not valid", env->dir, name);
	if (ret)
		return ret;
	chute_path(env, name, "pid", path, sizeof(path));
	if (chute_alive(env, name))
		pid = chute_pid_read(path);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "state", json_object_new_string(state_word(pid, &st)));
	if (pid > 0)
		json_object_object_add(o, "pid", json_object_new_int(pid));
	if (st.index >= 0) {
		chute_link_net(env, name, st.index, &n);
		json_object_object_add(o, "address", json_object_new_string(
				       inet_ntop(AF_INET, &n.chute_addr, addr, sizeof(addr))));
		json_object_object_add(o, "interface", json_object_new_string(n.host_if));
	}
	json_object_object_add(o, "restarts", json_object_new_int(st.restarts));
	if (pid > 0 && !chute_usage(name, &cpu_ns, &memory)) {
		/* from its cgroup: what it used since it (re)started */
		json_object_object_add(o, "cpu_seconds", json_object_new_double((double)cpu_ns / 1e9));
		json_object_object_add(o, "memory_bytes", json_object_new_uint64(memory));
	}
	if (st.last_exit[0])
		json_object_object_add(o, "last_exit", json_object_new_string(st.last_exit));
	chute_path(env, name, "data", path, sizeof(path));
	json_object_object_add(o, "data_dir", json_object_new_string(path));
	chute_path(env, name, NULL, path, sizeof(path));
	if (!chute_ids_read(path, &base))
		json_object_object_add(o, "id_base", json_object_new_int64(base));
	json_object_object_add(o, "settings", settings_json(&s));
	*out = o;
	return 0;
}

int chute_status_all(struct chute_env *env, struct json_object **out, struct hearth_err *err)
{
	struct json_object *all, *o;
	char **names = NULL;
	int n = 0, ret = chute_names(env, &names, &n);

	if (ret)
		return hearth_err_set(err, ret, "cannot read %s: %s", env->dir, strerror(-ret));
	all = json_object_new_array();
	for (int i = 0; i < n; i++) {
		if (!chute_status(env, names[i], &o, NULL))
			json_object_array_add(all, o);
		free(names[i]);
	}
	free(names);
	*out = all;
	return 0;
}
