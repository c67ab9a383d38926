// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The chute lifecycle: start (network, runtime spec, monitor), stop, and
 * update of a running chute. Every operation takes the chute's lock, so
 * the CLI and hearthd's supervision never act on one chute at once. A
 * chute runs under a small monitor process (monitor.c) that waits for
 * `crun run` and writes down how it ended: hearthd reads that to apply
 * the restart policy (supervise.c), and, since neither the monitor nor
 * the container depends on hearthd, chutes keep running across its
 * restarts and are simply supervised again.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../util/clock.h"
#include "chute.h"
#include "lifecycle.h"
#include "chute_files.h"
#include "chute_link.h"
#include "crun.h"
#include "monitor.h"
#include "../util/files.h"
#include "ids.h"
#include "bundle.h"
#include "runtime_spec.h"
#include "settings.h" /* before net.h: both name CHUTE_NAME_MAX */
#include "settings_file.h"
#include "net.h"

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* --- start and stop ---------------------------------------------------- */

/* The chute's id block, given now to a chute installed without one, and
 * its directory opened to it. */
static int ids_ready(struct chute_env *env, const char *name, uid_t *base,
		     struct hearth_err *err)
{
	char dir[PATH_MAX], bundle[PATH_MAX], data[PATH_MAX];
	const char *const trees[] = { bundle, data, NULL };
	int ret;

	if (chute_path(env, name, NULL, dir, sizeof(dir)) ||
	    chute_path(env, name, "bundle", bundle, sizeof(bundle)) ||
	    chute_path(env, name, "data", data, sizeof(data)))
		return hearth_err_set(err, -ENAMETOOLONG, "chute dir path too long");
	ret = chute_ids_read(dir, base);
	if (ret == -ENOENT)
		ret = chute_ids_assign(env->dir, dir, trees, base, err);
	else if (ret)
		return hearth_err_set(err, ret, "%s/" CHUTE_IDS_FILE ": not valid", dir);
	if (!ret)
		ret = chute_ids_dir_open(env->dir, dir, *base, err);
	return ret;
}

static int write_spec(struct chute_env *env, const char *name,
		      const struct chute_settings *s, const struct chute_state *st,
		      struct hearth_err *err)
{
	char bundle[PATH_MAX], rootfs[PATH_MAX], data[PATH_MAX], out[PATH_MAX];
	char cgroup[64];
	struct chute_spec_paths p = { .name = name, .rootfs = rootfs, .data_dir = data,
				      .cgroup = cgroup };
	struct chute_net n;
	int ret;

	chute_link_net(env, name, st->index, &n);
	p.netns = n.netns_path;
	snprintf(cgroup, sizeof(cgroup), "/" CHUTE_CGROUP_PARENT "/%s", name);
	if (chute_path(env, name, "bundle", bundle, sizeof(bundle)) ||
	    chute_path(env, name, "data", data, sizeof(data)) ||
	    chute_path(env, name, "config.json", out, sizeof(out)))
		return hearth_err_set(err, -ENAMETOOLONG, "chute dir path too long");
	ret = ids_ready(env, name, &p.id_base, err);
	if (!ret)
		ret = chute_bundle_rootfs(bundle, rootfs, sizeof(rootfs), err);
	if (!ret)
		ret = chute_spec_write(bundle, &p, s, out, err);
	return ret;
}

/* Waits until crun has the container running (its pid file) or the
 * monitor has recorded an end. */
static int wait_running(struct chute_env *env, const char *name, struct hearth_err *err)
{
	char pidf[PATH_MAX], exitf[PATH_MAX], why[256];

	chute_path(env, name, "pid", pidf, sizeof(pidf));
	chute_path(env, name, "exit", exitf, sizeof(exitf));
	for (int waited = 0; waited < CHUTE_START_TIMEOUT_MS; waited += 2) {
		if (chute_pid_read(pidf) > 0)
			return 0;
		if (chute_path_exists(exitf)) {
			crun_last_error(env, name, why, sizeof(why));
			return hearth_err_set(err, -ECHILD, "chute '%s' did not start: %s", name, why);
		}
		sleep_ms(2);
	}
	return hearth_err_set(err, -ETIMEDOUT, "chute '%s' is not running after %d ms",
			      name, CHUTE_START_TIMEOUT_MS);
}

int chute_launch(struct chute_env *env, const char *name, struct chute_state *st,
		 struct hearth_err *err)
{
	char path[PATH_MAX];
	struct chute_settings s;
	int ret;

	ret = chute_settings_of(env, name, &s, err);
	if (!ret)
		ret = chute_link_up(env, name, st, &s, NULL, err);
	if (!ret)
		ret = write_spec(env, name, &s, st, err);
	if (ret)
		return ret;
	chute_path(env, name, "exit", path, sizeof(path));
	unlink(path);
	chute_path(env, name, "pid", path, sizeof(path));
	unlink(path);
	st->started_at = hearth_wall_ms();
	chute_state_save(env, name, st);
	ret = chute_monitor_spawn(env, name);
	if (ret)
		return hearth_err_set(err, ret, "cannot start the chute's monitor: %s",
				      strerror(-ret));
	return wait_running(env, name, err);
}

int chute_start(struct chute_env *env, const char *name, struct hearth_err *err)
{
	struct chute_settings s;
	struct chute_state st;
	int ret, lock = chute_lock_installed(env, name, err);

	if (lock < 0)
		return lock;
	ret = chute_state_load(env, name, &st);
	if (!ret && chute_alive(env, name))
		ret = hearth_err_set(err, -EALREADY, "chute '%s' is already running", name);
	else if (!ret) {
		st.running = true;
		st.restarts = 0;
		ret = chute_state_save(env, name, &st);
		if (!ret)
			ret = chute_launch(env, name, &st, err);
		if (ret) {
			/* nothing of a failed start stays */
			st.running = false;
			if (!chute_settings_of(env, name, &s, NULL))
				chute_link_down(env, name, &st, &s);
			st.index = -1;
			chute_state_save(env, name, &st);
		}
	}
	close(lock);
	return ret;
}

static bool wait_ended(struct chute_env *env, const char *name, int ms)
{
	for (int waited = 0; waited < ms; waited += 5) {
		if (!chute_alive(env, name))
			return true;
		sleep_ms(5);
	}
	return false;
}

/* SIGTERM, then SIGKILL; the monitor records the end. */
static void kill_container(struct chute_env *env, const char *name)
{
	pid_t pid;
	char path[PATH_MAX];

	if (!chute_alive(env, name))
		return;
	crun_call(env, name, NULL, "kill", NULL, "TERM");
	if (wait_ended(env, name, CHUTE_STOP_TIMEOUT_MS))
		return;
	crun_call(env, name, NULL, "kill", NULL, "KILL");
	if (wait_ended(env, name, 2000))
		return;
	/* crun gone astray: the monitor at least */
	pid = chute_monitor_pid(env, name);
	if (pid > 0)
		kill(pid, SIGKILL);
	chute_path(env, name, "pid", path, sizeof(path));
	pid = chute_pid_read(path);
	if (pid > 0)
		kill(pid, SIGKILL);
}

void chute_halt(struct chute_env *env, const char *name, struct chute_state *st)
{
	struct chute_settings s;

	kill_container(env, name);
	if (chute_settings_of(env, name, &s, NULL))
		chute_settings_defaults(&s);
	chute_link_down(env, name, st, &s);
	st->index = -1;
}

int chute_stop(struct chute_env *env, const char *name, struct hearth_err *err)
{
	struct chute_state st;
	bool was_running;
	int ret, lock = chute_lock_installed(env, name, err);

	if (lock < 0)
		return lock;
	ret = chute_state_load(env, name, &st);
	was_running = st.running || chute_alive(env, name);
	st.running = false;
	if (!ret)
		ret = chute_state_save(env, name, &st);
	chute_halt(env, name, &st);
	chute_state_save(env, name, &st);
	close(lock);
	if (!ret && !was_running)
		ret = hearth_err_set(err, -EALREADY, "chute '%s' is not running", name);
	return ret;
}

/* --- update ------------------------------------------------------------ */

static int apply_resources(struct chute_env *env, const char *name,
			   const struct chute_settings *s, struct hearth_err *err)
{
	struct json_object *res = chute_resources_json(s);
	char path[PATH_MAX], why[256];
	const char *args[] = { "--resources", path, NULL };
	int ret = -ENOMEM;

	if (!res)
		return hearth_err_set(err, ret, "out of memory");
	ret = chute_path(env, name, "resources.json", path, sizeof(path));
	if (!ret)
		ret = chute_text_write(path, json_object_to_json_string(res), false);
	json_object_put(res);
	if (ret)
		return hearth_err_set(err, ret, "cannot write %s: %s", path, strerror(-ret));
	if (crun_call(env, name, NULL, "update", args, NULL)) {
		crun_last_error(env, name, why, sizeof(why));
		return hearth_err_set(err, -EIO, "crun update failed: %s", why);
	}
	return 0;
}

/* All of @s applied to a running chute, or, on a failure, all of @old
 * again: a refused update changes nothing. */
static int update_running(struct chute_env *env, const char *name, struct chute_state *st,
			  const struct chute_settings *old, const struct chute_settings *s,
			  struct hearth_err *err)
{
	struct chute_net n;
	struct chute_up up;
	int ret;

	if (!env->hooks.up)
		return hearth_err_set(err, -EOPNOTSUPP, "chutes are updated by hearthd");
	chute_link_net(env, name, st->index, &n);
	chute_link_up_of(name, &n, s, old, &up);
	ret = env->hooks.check ? env->hooks.check(env->hooks.ctx, &up, err) : 0;
	if (!ret)
		ret = apply_resources(env, name, s, err);
	if (ret)
		return ret;
	ret = chute_link_up(env, name, st, s, old, err);
	if (ret) {
		apply_resources(env, name, old, NULL);
		chute_link_up(env, name, st, old, s, NULL);
	}
	return ret;
}

int chute_update(struct chute_env *env, const char *name, int argc, char **argv,
		 struct hearth_err *err)
{
	struct chute_settings s, old;
	struct chute_state st;
	char path[PATH_MAX];
	int ret, lock = chute_lock_installed(env, name, err);

	if (lock < 0)
		return lock;
	chute_path(env, name, "settings.json", path, sizeof(path));
	ret = argc ? chute_settings_load(&s, path, err) :
		     hearth_err_set(err, -EINVAL, "update needs KEY VALUE settings");
	old = s;
	for (int i = 0; !ret && i < argc; i += 2) {
		if (i + 1 >= argc)
			ret = hearth_err_set(err, -EINVAL, "setting '%s' needs a value", argv[i]);
		else if (!strcmp(argv[i], "forward"))
			s.n_forwards = 0; /* forwards given replace the old ones */
	}
	for (int i = 0; !ret && i < argc; i += 2)
		ret = chute_setting_set(&s, argv[i], argv[i + 1], err);
	if (!ret)
		ret = chute_settings_check(&s, err);
	if (!ret)
		ret = chute_state_load(env, name, &st);
	if (!ret && chute_alive(env, name))
		ret = update_running(env, name, &st, &old, &s, err);
	if (!ret)
		ret = chute_settings_save(&s, path, err);
	close(lock);
	return ret;
}
