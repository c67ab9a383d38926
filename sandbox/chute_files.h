/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chute's small files (the layout is in chute.h): paths in its
 * directory, state.json, the pid file, the lock.
 */
#ifndef HEARTH_SANDBOX_CHUTE_FILES_H
#define HEARTH_SANDBOX_CHUTE_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../util/error.h"

struct chute_env;
struct chute_settings;

/* state.json */
struct chute_state {
	bool running; /* desired */
	int index; /* address slot in the pool, -1: none */
	int restarts;
	char last_exit[48];
	long long exited_at; /* CLOCK_REALTIME ms of the last exit seen */
	long long started_at; /* and of the last launch */
	bool suspended; /* stopped by `hearth down`, to start with hearthd */
};


/* <chute-dir>/NAME/LEAF into @buf (the chute's directory when !@leaf). */
int chute_path(const struct chute_env *env, const char *name,
	       const char *leaf, char *buf, size_t size);
bool chute_path_exists(const char *path);
int chute_check_name(const char *name, struct hearth_err *err);
int chute_check_installed(const struct chute_env *env, const char *name,
			  struct hearth_err *err);
/* The chute's settings.json; @err may be NULL. */
int chute_settings_of(const struct chute_env *env, const char *name,
		      struct chute_settings *s, struct hearth_err *err);

/* The pid in a pid file, 0 when there is none. */
pid_t chute_pid_read(const char *path);

/* A missing state.json is the state of a chute never started. */
int chute_state_load(const struct chute_env *env, const char *name,
		     struct chute_state *st);
int chute_state_save(const struct chute_env *env, const char *name,
		     const struct chute_state *st);

/* Returns the lock's fd, -EWOULDBLOCK when busy and !wait. */
int chute_lock(const struct chute_env *env, const char *name, bool wait);
/* An installed chute, locked for one operation: the lock's fd. */
int chute_lock_installed(const struct chute_env *env, const char *name,
			 struct hearth_err *err);

#endif
