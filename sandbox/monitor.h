/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The monitor: the process that runs `crun run` for a chute and writes
 * down how the container ended.
 */
#ifndef HEARTH_SANDBOX_MONITOR_H
#define HEARTH_SANDBOX_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>

struct chute_env;

/* Starts the monitor, detached from the caller (double fork, then
 * chute_detach: nothing of the caller is kept). */
int chute_monitor_spawn(const struct chute_env *env, const char *name);
/* The chute's monitor while it runs (a zombie has ended, whoever its
 * parent is), else 0. */
pid_t chute_monitor_pid(const struct chute_env *env, const char *name);
/* Whether the chute's monitor runs. */
bool chute_alive(const struct chute_env *env, const char *name);

#endif
