/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_SANDBOX_BUNDLE_H
#define HEARTH_SANDBOX_BUNDLE_H

/*
 * The checks on a chute's OCI bundle, where a bundle is refused.
 *
 * A chute arrives as an OCI bundle. hearth never hands the bundle's
 * config.json to crun: it reads only what an application legitimately
 * chooses (its command, environment, working directory and user) and
 * generates everything else (runtime_spec.h). The bundle is still checked
 * against what hearth refuses, so that a bundle asking for more than it
 * would get fails loudly at install instead of running with less than its
 * author expected. Errors as in settings.h.
 */

#include <stddef.h>

#include "../util/error.h"
#include "settings.h"

struct json_object;

#define CHUTE_ANNOTATION_PREFIX "io.hearth."

/*
 * Reads BUNDLE/config.json, refuses what hearth does not allow, and
 * applies the io.hearth.* annotations on top of @s (which the caller has
 * initialised, normally with chute_settings_defaults()). In an annotation
 * "forward" is a comma-separated list that replaces the forwards ("" for
 * none); every other key takes one value as in chute_setting_set().
 * Annotations outside io.hearth. are ignored. @s is only changed on
 * success. Messages name the field:
 *   "config.json: process.capabilities.bounding: CAP_SYS_ADMIN is not allowed (allowed: ...)"
 *   "config.json: annotations.io.hearth.memory: '12Q' is not a size (e.g. 64M)"
 *   "config.json: missing" (-ENOENT), "config.json: not valid JSON: <reason>"
 *
 * Refused: capabilities outside CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_FOWNER,
 * CAP_KILL, CAP_NET_BIND_SERVICE, CAP_SETGID, CAP_SETUID in any set; hooks;
 * linux.devices; linux.namespaces entries with a path, of type user, or a
 * list missing pid, network, mount, ipc or uts (an absent list is fine:
 * hearth writes its own); linux.uidMappings, linux.gidMappings;
 * linux.sysctl; bind mounts (type bind, or option bind or rbind);
 * process.terminal true; process.noNewPrivileges false; process.args that
 * is not a non-empty array of strings; malformed process.env, cwd, user;
 * a root.path that is absolute, contains "..", or does not resolve to a
 * directory strictly inside the bundle. linux.seccomp (hearth applies its
 * own profile) and linux.resources are ignored.
 */
int chute_bundle_read(const char *bundle_dir, struct chute_settings *s,
		      struct hearth_err *err);

/* The absolute, symlink-free path of the bundle's root.path, after the same
 * checks as chute_bundle_read(). */
int chute_bundle_rootfs(const char *bundle_dir, char *buf, size_t size,
			struct hearth_err *err);

/* ---- For runtime_spec.c, not for the lifecycle ---- */

/* The capabilities a chute may ask for, and gets; the sets of
 * process.capabilities. */
extern const char *const allowed_caps[7];
extern const char *const cap_sets[5];

/* Reads and checks BUNDLE/config.json into @out (optional); @rootfs
 * (optional) gets root.path resolved. */
int bundle_load(const char *bundle_dir, struct json_object **out,
		char *rootfs, size_t size, struct hearth_err *err);

#endif
