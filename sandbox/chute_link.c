// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A chute's network (sandbox/net.h makes it) from its address slot in the
 * pool, and what the gateway is told of it through the hooks: up, down,
 * and whether any chute's network is there.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "chute.h"
#include "chute_link.h"
#include "chute_files.h"
#include "../util/pool.h"
#include "settings.h" /* before net.h: both name CHUTE_NAME_MAX */
#include "net.h"

#define CHUTE_PREFIX_LEN 30

void chute_link_net(const struct chute_env *env, const char *name, int index,
		    struct chute_net *n)
{
	struct in_addr gw = { hearth_chute_pool_addr(&env->pool, index, 1) };
	struct in_addr addr = { hearth_chute_pool_addr(&env->pool, index, 2) };

	chute_net_init(n, name, gw, addr, CHUTE_PREFIX_LEN);
}

/* The lowest pool slot no other installed chute holds. */
static int pick_index(struct chute_env *env, const char *name, struct hearth_err *err)
{
	__u32 size = hearth_chute_pool_size(&env->pool);
	char **names = NULL;
	bool *used = calloc(size ? size : 1, sizeof(*used));
	int n = 0, ret = -ENOSPC;

	if (!used || chute_names(env, &names, &n)) {
		free(used);
		return hearth_err_set(err, -ENOMEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct chute_state st;

		if (strcmp(names[i], name) && !chute_state_load(env, names[i], &st) &&
		    st.index >= 0 && (__u32)st.index < size)
			used[st.index] = true;
		free(names[i]);
	}
	free(names);
	for (__u32 i = 0; i < size && ret < 0; i++)
		if (!used[i])
			ret = (int)i;
	free(used);
	if (ret < 0)
		hearth_err_set(err, ret, "the chute pool is full (%u chutes)", size);
	return ret;
}


void chute_link_up_of(const char *name, const struct chute_net *n, const struct chute_settings *s,
		      const struct chute_settings *previous, struct chute_up *up)
{
	up->name = name;
	up->host_if = n->host_if;
	up->addr = n->chute_addr;
	up->settings = s;
	up->previous = previous;
}

/* Whether any chute's network exists, for the gateway's flag. */
static void tell_running(struct chute_env *env)
{
	char **names = NULL;
	bool any = false;
	int n = 0;

	if (!env->hooks.running)
		return;
	if (chute_names(env, &names, &n))
		any = true; /* when unsure, say yes */
	for (int i = 0; i < n; i++) {
		struct chute_net net;
		struct chute_state st;

		if (!chute_state_load(env, names[i], &st) && st.index >= 0) {
			chute_link_net(env, names[i], st.index, &net);
			any |= chute_net_exists(&net);
		}
		free(names[i]);
	}
	free(names);
	env->hooks.running(env->hooks.ctx, any);
}

int chute_link_up(struct chute_env *env, const char *name, struct chute_state *st,
		  const struct chute_settings *s, const struct chute_settings *previous,
		  struct hearth_err *err)
{
	struct chute_up up;
	struct chute_net n;
	int ret;

	if (!env->hooks.up)
		return hearth_err_set(err, -EOPNOTSUPP,
				      "chutes run under hearthd, which puts them behind the data plane");
	if (st->index < 0) {
		ret = pick_index(env, name, err);
		if (ret < 0)
			return ret;
		st->index = ret;
		ret = chute_state_save(env, name, st);
		if (ret)
			return hearth_err_set(err, ret, "cannot save the chute's state: %s",
					      strerror(-ret));
	}
	chute_link_net(env, name, st->index, &n);
	if (!chute_net_exists(&n)) {
		chute_net_destroy(&n); /* a half left by a crash */
		ret = chute_net_create(&n, err);
		if (ret)
			return ret;
	}
	chute_link_up_of(name, &n, s, previous, &up);
	ret = env->hooks.check ? env->hooks.check(env->hooks.ctx, &up, err) : 0;
	if (!ret)
		ret = env->hooks.up(env->hooks.ctx, &up, err);
	tell_running(env);
	return ret;
}


void chute_link_down(struct chute_env *env, const char *name,
		     const struct chute_state *st, const struct chute_settings *s)
{
	struct chute_up up;
	struct chute_net n;

	if (st->index < 0)
		return;
	chute_link_net(env, name, st->index, &n);
	chute_link_up_of(name, &n, s, NULL, &up);
	if (env->hooks.down)
		env->hooks.down(env->hooks.ctx, &up);
	chute_net_destroy(&n);
	tell_running(env);
}
