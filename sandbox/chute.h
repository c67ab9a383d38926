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

#include "../userspace/lib/config.h"
#include "../userspace/lib/dataplane.h"
#include "../util/error.h"

struct json_object;

#define CHUTE_ENV_FILE "chutes.env" /* under the run dir, written by hearthd */
#define CHUTE_TENANT_PREFIX "chute-"
#define CHUTE_START_TIMEOUT_MS 5000
#define CHUTE_STOP_TIMEOUT_MS 5000
/* A chute's log is cut to log.1 beyond this (so at most about twice it). */
#define CHUTE_LOG_MAX (1 << 20)

struct chute_env {
	char dir[256]; /* chute-dir */
	char run_dir[256];
	struct hearth_prefix pool;
	struct hearth_dp *dp; /* the data plane, for start/stop/update/status */
};

/* hearthd writes what the CLI needs to find chutes, from its config. */
int chute_env_save(const struct hearth_config *cfg, struct hearth_err *err);
int chute_env_load(struct chute_env *env, const char *run_dir,
		   struct hearth_err *err);
void chute_env_from_config(struct chute_env *env, const struct hearth_config *cfg);

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
int chute_log_path(struct chute_env *env, const char *name, char *buf,
		   size_t size, struct hearth_err *err);
/* For `hearth down`: stops every running chute (network included) and
 * marks it to start again with the next hearthd; @stopped: how many. */
int chute_suspend_all(struct chute_env *env, int *stopped);
/* hearthd, twice a second: restarts chutes that ended, by policy. */
void chute_supervise(struct chute_env *env,
		     void (*log)(const char *fmt, ...));

#endif
