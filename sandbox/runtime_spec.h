/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SANDBOX_RUNTIME_SPEC_H
#define HEARTH_SANDBOX_RUNTIME_SPEC_H

/*
 * The runtime spec hearth writes for a chute, the config.json crun runs:
 * its process (from the bundle, checked by bundle.c), mounts, namespaces,
 * id mappings, resources and seccomp profile (seccomp.c). Errors as in
 * settings.h.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "../util/error.h"
#include "settings.h"

struct json_object;

struct chute_spec_paths {
	const char *name; /* chute name: hostname */
	const char *rootfs; /* absolute path of the rootfs */
	const char *data_dir; /* absolute; bind-mounted read-write at /data */
	const char *netns; /* absolute path of the network namespace to join */
	const char *cgroup; /* cgroupsPath, e.g. "/hearth/NAME" */
	__u32 id_base; /* host id of the chute's id 0 (sandbox/ids.h) */
};

/* The OCI linux.resources object for @s: memory limit and swap, CPU
 * quota/period and shares, pids limit; NULL when out of memory. The
 * caller owns it (json_object_put). Used in the spec and for
 * `crun update --resources FILE`. */
struct json_object *chute_resources_json(const struct chute_settings *s);
/* The OCI CPU shares for a weight (1-10000, 100 the default): v1's
 * weight * 1024 / 100, or on cgroup v2 (@v2) what crun turns into that
 * exact cpu.weight. */
int64_t chute_cpu_shares(__u32 weight, bool v2);

/* Writes the hardened runtime spec for the bundle to @out_path (a temporary
 * file renamed into place, mode 0600: the environment may hold secrets),
 * with hearth's seccomp profile: everything allowed but a fixed list of
 * calls, which return EPERM (clone3: ENOSYS), for every ABI of the
 * gateway's architecture. The bundle is checked again, as in
 * chute_bundle_read(), but its annotations are not applied: @s is what
 * counts. */
int chute_spec_write(const char *bundle_dir, const struct chute_spec_paths *p,
		     const struct chute_settings *s, const char *out_path,
		     struct hearth_err *err);

#endif
