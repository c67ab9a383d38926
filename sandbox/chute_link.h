/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chute's network from its address slot, and what the gateway is told
 * of it through the hooks (struct chute_hooks in chute.h).
 */
#ifndef HEARTH_SANDBOX_CHUTE_LINK_H
#define HEARTH_SANDBOX_CHUTE_LINK_H

#include "../util/error.h"

struct chute_env;
struct chute_net;
struct chute_settings;
struct chute_state;
struct chute_up;

/* The network of the chute in address slot @index of the pool. */
void chute_link_net(const struct chute_env *env, const char *name, int index,
		    struct chute_net *n);
/* What the gateway is told about a chute whose network is up. */
void chute_link_up_of(const char *name, const struct chute_net *n,
		      const struct chute_settings *s,
		      const struct chute_settings *previous,
		      struct chute_up *up);
/* Everything a running chute needs around it; what exists is kept. The
 * gateway (hooks) checks, then wires it; @previous: the settings it ran
 * with until an update, else NULL. */
int chute_link_up(struct chute_env *env, const char *name,
		  struct chute_state *st, const struct chute_settings *s,
		  const struct chute_settings *previous, struct hearth_err *err);
/* Undoes chute_link_up; missing parts are fine. */
void chute_link_down(struct chute_env *env, const char *name,
		     const struct chute_state *st,
		     const struct chute_settings *s);

#endif
