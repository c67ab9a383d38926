// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Supervision, run by hearthd: chutes that ended restarted by their
 * policy (with a backoff), chutes `hearth down` stopped started again,
 * and their logs trimmed; and the suspension `hearth down` does.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/clock.h"
#include "chute.h"
#include "chute_files.h"
#include "chute_link.h"
#include "chute_log.h"
#include "lifecycle.h"
#include "monitor.h"
#include "../util/files.h"
#include "settings.h"

#define CHUTE_HEALTHY_MS 60000

/* Restart delay after the Nth restart in a row (runs shorter than
 * CHUTE_HEALTHY_MS): 0.5 s doubling to 30 s. */
static long long backoff_ms(int restarts)
{
	long long ms = 500;

	for (int i = 1; i < restarts && ms < 30000; i++)
		ms *= 2;
	return ms < 30000 ? ms : 30000;
}

static bool wants_restart(const struct chute_settings *s, const char *how)
{
	if (s->restart == CHUTE_RESTART_ALWAYS)
		return true;
	return s->restart == CHUTE_RESTART_ON_FAILURE && strcmp(how, "exit 0");
}

/* A chute `hearth down` stopped starts with the next hearthd, whatever its
 * restart policy, without counting as a restart. */
static void resume(struct chute_env *env, const char *name, struct chute_state *st,
		   void (*log)(const char *fmt, ...))
{
	struct hearth_err err = {};

	st->suspended = false;
	chute_state_save(env, name, st);
	if (chute_launch(env, name, st, &err))
		log("chute %s: start after hearth down failed: %s", name, err.msg);
	else
		log("chute %s started again (stopped by hearth down)", name);
}

static void supervise_one(struct chute_env *env, const char *name,
			  void (*log)(const char *fmt, ...))
{
	char path[PATH_MAX], how[48] = "";
	struct chute_settings s;
	struct chute_state st;
	struct hearth_err err = {};
	int lock = chute_lock(env, name, false);

	if (lock < 0)
		return; /* the CLI is at it */
	if (chute_state_load(env, name, &st) || !st.running || chute_alive(env, name))
		goto cleanup;
	if (chute_settings_of(env, name, &s, NULL))
		goto cleanup;
	if (st.suspended) {
		resume(env, name, &st, log);
		goto cleanup;
	}
	chute_path(env, name, "exit", path, sizeof(path));
	if (!chute_text_read(path, how, sizeof(how))) {
		/* a new end: record it once */
		snprintf(st.last_exit, sizeof(st.last_exit), "%s", how);
		st.exited_at = hearth_wall_ms();
		/* a run of a minute or more ends a series of crashes */
		if (st.exited_at - st.started_at >= CHUTE_HEALTHY_MS)
			st.restarts = 0;
		unlink(path);
		log("chute %s ended (%s)", name, how);
		if (!wants_restart(&s, how)) {
			st.running = false;
			chute_link_down(env, name, &st, &s);
			st.index = -1;
			chute_state_save(env, name, &st);
			log("chute %s stays stopped (restart policy)", name);
			goto cleanup;
		}
		chute_state_save(env, name, &st);
	}
	if (hearth_wall_ms() - st.exited_at < backoff_ms(st.restarts + 1))
		goto cleanup;
	st.restarts++;
	chute_state_save(env, name, &st);
	if (chute_launch(env, name, &st, &err))
		log("chute %s: restart %d failed: %s", name, st.restarts, err.msg);
	else
		log("chute %s restarted (%d)", name, st.restarts);
cleanup:
	close(lock);
}

/* A running chute without the data plane would have no isolation and no
 * NAT: the kernel would forward it anywhere. */
static int suspend_one(struct chute_env *env, const char *name)
{
	char path[PATH_MAX];
	struct chute_state st;
	int ret, lock = chute_lock(env, name, true);

	if (lock < 0)
		return lock;
	ret = chute_state_load(env, name, &st);
	if (ret || !chute_alive(env, name))
		goto cleanup;
	chute_halt(env, name, &st);
	/* the end hearth down caused is not one for the restart policy */
	chute_path(env, name, "exit", path, sizeof(path));
	unlink(path);
	st.suspended = st.running;
	snprintf(st.last_exit, sizeof(st.last_exit), "stopped by hearth down");
	st.exited_at = hearth_wall_ms();
	ret = chute_state_save(env, name, &st);
	if (!ret)
		ret = 1;
cleanup:
	close(lock);
	return ret;
}

int chute_suspend_all(struct chute_env *env, int *stopped)
{
	char **names = NULL;
	int n = 0, ret = chute_names(env, &names, &n), one;

	*stopped = 0;
	for (int i = 0; i < n; i++) {
		one = suspend_one(env, names[i]);
		if (one > 0)
			(*stopped)++;
		else if (one < 0 && !ret)
			ret = one;
		free(names[i]);
	}
	free(names);
	return ret;
}

void chute_supervise(struct chute_env *env, void (*log)(const char *fmt, ...))
{
	char **names = NULL;
	int n = 0;

	if (chute_names(env, &names, &n))
		return;
	for (int i = 0; i < n; i++) {
		chute_log_trim(env, names[i]);
		supervise_one(env, names[i], log);
		free(names[i]);
	}
	free(names);
}
