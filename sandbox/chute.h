/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Chutes: installed bundles under the chute dir, run by crun, each in its
 * own network namespace behind the data plane, as its own tenant.
 *
 * <chute-dir>/NAME/
 *   bundle/        the developer's bundle as installed (rootfs, config.json)
 *   config.json    the runtime spec hearth writes (sandbox/runtime_spec.h)
 *   settings.json  resources, bandwidth, forwards, restart policy, env
 *   state.json     desired state, address slot, restarts, last exit
 *   data/          the chute's own data, mounted at /data; kept until remove
 *   log            the chute's stdout and stderr
 *   crun.log       crun's own messages
 *   monitor.pid    the process that runs `crun run` and records its exit
 *                  (pid and start time, so a reused pid is not taken for it)
 *   resources.json the limits last handed to `crun update`
 *   pid, exit      the container's pid; how it last ended
 *   ids            first host id of the chute's user namespace (ids.h)
 *   lock           taken by every operation on the chute
 */
#ifndef HEARTH_SANDBOX_CHUTE_H
#define HEARTH_SANDBOX_CHUTE_H

#include <stdbool.h>

#include <netinet/in.h>

#include "../util/error.h"
#include "../util/parse.h"

struct json_object;
struct chute_settings;

#define CHUTE_ENV_FILE "chutes.env" /* under the run dir, written by hearthd */
#define CHUTE_START_TIMEOUT_MS 5000
#define CHUTE_STOP_TIMEOUT_MS 5000
/* A chute's log is cut to log.1 beyond this (so at most about twice it). */
#define CHUTE_LOG_MAX (1 << 20)

/*
 * The runtime knows nothing of the data plane. What it reports of a chute
 * whose network is up, for whoever puts it behind the gateway (hearthd:
 * XDP on host_if, its tenant, its source address, its port forwards).
 */
struct chute_up {
	const char *name;
	const char *host_if; /* the gateway's end of the chute's veth */
	struct in_addr addr; /* the chute's one address */
	const struct chute_settings *settings; /* rates, priority, forwards */
	/* the settings it ran with before an update (their forwards go), or NULL */
	const struct chute_settings *previous;
};

struct chute_hooks {
	void *ctx;
	/* May the chute have what @up asks (its forwards free)? Called before
	 * anything changes; NULL: yes. */
	int (*check)(void *ctx, const struct chute_up *up, struct hearth_err *err);
	/* Its network exists: wire it. Idempotent (restarts, updates). Without
	 * it chutes do not start: none runs outside the data plane. */
	int (*up)(void *ctx, const struct chute_up *up, struct hearth_err *err);
	/* Undo up (the settings @up carries); before the network goes. */
	void (*down)(void *ctx, const struct chute_up *up);
	/* After a chute's network came or went: is any there now? */
	void (*running)(void *ctx, bool any);
};

struct chute_env {
	char dir[256]; /* chute-dir */
	char run_dir[256];
	struct hearth_prefix pool;
	struct chute_hooks hooks; /* all NULL: stop and read only */
};

/* hearthd writes where chutes live for the CLI's reading commands. */
int chute_env_save(const struct chute_env *env, struct hearth_err *err);
int chute_env_load(struct chute_env *env, const char *run_dir,
		   struct hearth_err *err);

/* PATH is a bundle directory or an OCI image layout (PATH[:TAG], unpacked
 * with umoci). Settings are KEY VALUE pairs after it (sandbox/settings.h).
 * @replace: reinstall a stopped chute, keeping its data. */
int chute_install(struct chute_env *env, const char *name, const char *path,
		  int argc, char **argv, bool replace, struct hearth_err *err);
int chute_start(struct chute_env *env, const char *name, struct hearth_err *err);
int chute_stop(struct chute_env *env, const char *name, struct hearth_err *err);
int chute_remove(struct chute_env *env, const char *name, struct hearth_err *err);
/* KEY VALUE pairs; limits and bandwidth apply at once to a running chute. */
int chute_update(struct chute_env *env, const char *name, int argc, char **argv,
		 struct hearth_err *err);
int chute_status(struct chute_env *env, const char *name,
		 struct json_object **out, struct hearth_err *err);
/* Names of installed chutes, sorted; the caller frees them. */
int chute_names(struct chute_env *env, char ***names, int *n);
/* Every installed chute's status, in name order (a chute whose files
 * cannot be read is left out); -errno when the chute dir cannot be read. */
int chute_status_all(struct chute_env *env, struct json_object **out,
		     struct hearth_err *err);
int chute_log_path(struct chute_env *env, const char *name, char *buf,
		   size_t size, struct hearth_err *err);
/* For `hearth down`: stops every running chute (network included) and
 * marks it to start again with the next hearthd; @stopped: how many. */
int chute_suspend_all(struct chute_env *env, int *stopped);
/* hearthd, twice a second: restarts chutes that ended, by policy. */
void chute_supervise(struct chute_env *env,
		     void (*log)(const char *fmt, ...));

#endif
