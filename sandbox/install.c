// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Install and remove: a bundle copied or an OCI image unpacked (umoci)
 * into a staging directory, checked, given its id block, then moved into
 * place, or put in place of a stopped chute's bundle keeping its data.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "chute.h"
#include "chute_files.h"
#include "crun.h"
#include "monitor.h"
#include "../util/files.h"
#include "ids.h"
#include "bundle.h"
#include "settings.h"
#include "settings_file.h"

static int remove_tree(const char *path)
{
	char *argv[] = { "rm", "-rf", "--one-file-system", (char *)path, NULL };
	int status = chute_run_wait(argv, NULL, false);

	return status == 0 ? 0 : -EIO;
}

/*
 * umoci writes a spec of its own for an image (a terminal, runc's default
 * capabilities) that says nothing of what the image's author asked for:
 * hearth writes the runtime spec anyway, so drop those two before the
 * bundle is checked like any other.
 */
static int umoci_spec_tidy(const char *bundle, struct hearth_err *err)
{
	char path[PATH_MAX + 32];
	struct json_object *spec, *process;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/config.json", bundle);
	spec = json_object_from_file(path);
	if (!spec)
		return hearth_err_set(err, -EINVAL, "%s: umoci wrote no readable spec", path);
	if (json_object_object_get_ex(spec, "process", &process)) {
		json_object_object_add(process, "terminal", json_object_new_boolean(0));
		json_object_object_del(process, "capabilities");
	}
	if (json_object_to_file_ext(path, spec, JSON_C_TO_STRING_PRETTY))
		ret = hearth_err_set(err, -EIO, "cannot write %s", path);
	json_object_put(spec);
	return ret;
}

static int unpack_image(const char *image, const char *dst, const char *out,
			struct hearth_err *err)
{
	char *argv[] = { "umoci", "--log=error", "unpack", "--image", (char *)image,
			 (char *)dst, NULL };
	char why[256] = "";

	if (chute_run_wait(argv, out, false)) {
		chute_text_read(out, why, sizeof(why));
		return hearth_err_set(err, -EINVAL, "%s: umoci could not unpack it: %s", image,
				      why);
	}
	return umoci_spec_tidy(dst, err);
}

/* An OCI image layout (PATH[:TAG]) is unpacked with umoci; a bundle is
 * copied as it is. Tool messages go to @out. */
static int fetch_bundle(const char *path, const char *dst, const char *out,
			struct hearth_err *err)
{
	char layout[PATH_MAX], image[PATH_MAX + 64], marker[PATH_MAX + 16];
	char *cp[] = { "cp", "-a", "--", (char *)path, (char *)dst, NULL };
	const char *colon = strrchr(path, ':');

	snprintf(layout, sizeof(layout), "%.*s",
		 (int)(colon ? (size_t)(colon - path) : strlen(path)), path);
	snprintf(marker, sizeof(marker), "%s/oci-layout", layout);
	if (chute_path_exists(marker)) {
		snprintf(image, sizeof(image), "%s:%s", layout, colon ? colon + 1 : "latest");
		return unpack_image(image, dst, out, err);
	}
	snprintf(marker, sizeof(marker), "%s/config.json", path);
	if (!chute_path_exists(path))
		return hearth_err_set(err, -ENOENT, "%s: no such bundle or image layout", path);
	if (!chute_path_exists(marker))
		return hearth_err_set(err, -EINVAL, "%s/config.json: missing (not an OCI bundle or image layout)",
				      path);
	if (chute_run_wait(cp, out, false))
		return hearth_err_set(err, -EIO, "cannot copy %s", path);
	return 0;
}

/* The bundle's own settings, then the command line's KEY VALUE pairs. */
static int settings_read(const char *bundle, int argc, char **argv,
			 struct chute_settings *s, struct hearth_err *err)
{
	int ret;

	chute_settings_defaults(s);
	ret = chute_bundle_read(bundle, s, err);
	for (int i = 0; !ret && i < argc; i += 2) {
		if (i + 1 >= argc)
			return hearth_err_set(err, -EINVAL, "setting '%s' needs a value", argv[i]);
		ret = chute_setting_set(s, argv[i], argv[i + 1], err);
	}
	if (!ret)
		ret = chute_settings_check(s, err);
	return ret;
}

static int install_staged(const char *path, int argc, char **argv, const char *stage,
			  struct hearth_err *err)
{
	char bundle[PATH_MAX + 16], file[PATH_MAX + 32], errlog[PATH_MAX + 32];
	struct chute_settings s;
	int ret;

	snprintf(bundle, sizeof(bundle), "%s/bundle", stage);
	snprintf(errlog, sizeof(errlog), "%s/install.log", stage);
	ret = fetch_bundle(path, bundle, errlog, err);
	if (!ret)
		ret = settings_read(bundle, argc, argv, &s, err);
	if (ret)
		return ret;
	snprintf(file, sizeof(file), "%s/settings.json", stage);
	ret = chute_settings_save(&s, file, err);
	if (ret)
		return ret;
	snprintf(file, sizeof(file), "%s/data", stage);
	if (mkdir(file, 0755) && errno != EEXIST)
		return hearth_err_set(err, -errno, "cannot create %s: %s", file, strerror(errno));
	unlink(errlog);
	return 0;
}

/* The staged bundle and data, owned by the chute's id block: a new one,
 * or on reinstall the block the chute has (a chute installed before hearth
 * gave chutes user namespaces gets one at its next start). */
static int stage_ids(struct chute_env *env, const char *dir, const char *stage,
		     bool replace, struct hearth_err *err)
{
	char bundle[PATH_MAX + 16], data[PATH_MAX + 16];
	const char *const trees[] = { bundle, data, NULL };
	uid_t base;
	int ret;

	snprintf(bundle, sizeof(bundle), "%s/bundle", stage);
	snprintf(data, sizeof(data), "%s/data", stage);
	if (!replace)
		return chute_ids_assign(env->dir, stage, trees, &base, err);
	ret = chute_ids_read(dir, &base);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return hearth_err_set(err, ret, "%s/" CHUTE_IDS_FILE ": not valid", dir);
	return chute_ids_shift(bundle, base, err);
}

/* A reinstall keeps the chute's data and state: the new bundle and
 * settings replace the old ones. */
static int install_replace(struct chute_env *env, const char *name,
			   const char *stage, struct hearth_err *err)
{
	char dir[PATH_MAX], old[PATH_MAX + 16], from[PATH_MAX + 32], to[PATH_MAX + 32];
	int ret = chute_path(env, name, NULL, dir, sizeof(dir));

	if (ret)
		return hearth_err_set(err, ret, "path too long");
	/* the lock keeps supervision from starting the chute halfway */
	if (chute_alive(env, name))
		return hearth_err_set(err, -EBUSY, "chute '%s' is running: stop it before reinstalling",
				      name);
	snprintf(old, sizeof(old), "%s/bundle.old", dir);
	snprintf(from, sizeof(from), "%s/bundle", dir);
	remove_tree(old);
	if (rename(from, old))
		return hearth_err_set(err, -errno, "cannot move %s: %s", from, strerror(errno));
	snprintf(from, sizeof(from), "%s/bundle", stage);
	snprintf(to, sizeof(to), "%s/bundle", dir);
	if (rename(from, to)) {
		ret = -errno;
		snprintf(from, sizeof(from), "%s/bundle", dir);
		rename(old, from);
		return hearth_err_set(err, ret, "cannot install the new bundle: %s", strerror(-ret));
	}
	snprintf(from, sizeof(from), "%s/settings.json", stage);
	snprintf(to, sizeof(to), "%s/settings.json", dir);
	rename(from, to);
	remove_tree(old);
	return 0;
}

int chute_install(struct chute_env *env, const char *name, const char *path,
		  int argc, char **argv, bool replace, struct hearth_err *err)
{
	char dir[PATH_MAX], stage[PATH_MAX];
	bool exists;
	int lock, ret = chute_check_name(name, err);

	if (ret)
		return ret;
	if (chute_path(env, name, NULL, dir, sizeof(dir)))
		return hearth_err_set(err, -ENAMETOOLONG, "chute dir path too long");
	exists = chute_path_exists(dir);
	if (exists && !replace)
		return hearth_err_set(err, -EEXIST,
				      "chute '%s' is already installed (remove it, or install ... replace to keep its data)",
				      name);
	if (!exists && replace)
		return hearth_err_set(err, -ENOENT, "no chute '%s' to replace", name);
	ret = hearth_mkdir_p(env->dir, 0711);
	if (ret)
		return hearth_err_set(err, ret, "cannot create %s: %s", env->dir, strerror(-ret));
	snprintf(stage, sizeof(stage), "%s/.install-%s-%d", env->dir, name, getpid());
	if (mkdir(stage, 0700))
		return hearth_err_set(err, -errno, "cannot create %s: %s", stage, strerror(errno));
	ret = install_staged(path, argc, argv, stage, err);
	if (!ret)
		ret = stage_ids(env, dir, stage, replace, err);
	if (!ret && replace) {
		lock = chute_lock_installed(env, name, err);
		ret = lock < 0 ? lock : install_replace(env, name, stage, err);
		if (lock >= 0)
			close(lock);
	}
	else if (!ret && rename(stage, dir))
		ret = hearth_err_set(err, -errno, "cannot install %s: %s", dir, strerror(errno));
	if (ret || replace)
		remove_tree(stage);
	return ret;
}

int chute_remove(struct chute_env *env, const char *name, struct hearth_err *err)
{
	char dir[PATH_MAX];
	int ret = chute_check_installed(env, name, err);

	if (ret)
		return ret;
	ret = chute_stop(env, name, err);
	if (ret && ret != -EALREADY)
		return ret;
	chute_path(env, name, NULL, dir, sizeof(dir));
	ret = remove_tree(dir);
	if (ret)
		return hearth_err_set(err, ret, "cannot remove %s", dir);
	return 0;
}
