/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The lifecycle's steps supervision takes too.
 */
#ifndef HEARTH_SANDBOX_LIFECYCLE_H
#define HEARTH_SANDBOX_LIFECYCLE_H

#include "../util/error.h"

struct chute_env;
struct chute_state;

/* Network, spec, monitor: used by start and by supervision's restarts. */
int chute_launch(struct chute_env *env, const char *name,
		 struct chute_state *st, struct hearth_err *err);
/* The container ended and its network taken down; @st is left to save. */
void chute_halt(struct chute_env *env, const char *name,
		struct chute_state *st);

#endif
