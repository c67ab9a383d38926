// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The bpf filesystem the data plane is pinned on, mounted when missing
 * (never inside a private mount namespace, where pins would die). */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "../../util/files.h"
#include "bpffs.h"
#include "dataplane.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

/* `ip netns exec` mounts a sysfs named after the namespace over /sys. */
static bool sysfs_from_ip_netns(void)
{
	char src[256], dir[256], type[64];
	bool private = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return false;
	while (fscanf(f, "%255s %255s %63s %*[^\n]", src, dir, type) == 3)
		if (!strcmp(dir, "/sys") && !strcmp(type, "sysfs"))
			private = strcmp(src, "sysfs") != 0; /* the last one wins */
	fclose(f);
	return private;
}

/* A bpffs mounted inside a private mount namespace (as `ip netns exec`
 * makes) dies with it, and the pinned data plane with it. */
static bool in_private_mount_ns(void)
{
	char mine[64] = "", init[64] = "";

	if (readlink("/proc/self/ns/mnt", mine, sizeof(mine) - 1) > 0 &&
	    readlink("/proc/1/ns/mnt", init, sizeof(init) - 1) > 0)
		return strcmp(mine, init) != 0;
	return sysfs_from_ip_netns(); /* pid 1 hidden from us */
}

/* statfs of @path or, when it does not exist yet, of its nearest ancestor. */
static int statfs_nearest(const char *path, struct statfs *fs)
{
	char buf[512];

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	while (statfs(buf, fs)) {
		char *slash = strrchr(buf, '/');

		if (errno != ENOENT)
			return -errno;
		if (!slash || slash == buf)
			return statfs("/", fs) ? -errno : 0;
		*slash = '\0';
	}
	return 0;
}

static int mount_sys_bpffs(struct hearth_err *err)
{
	struct statfs fs;

	if (statfs("/sys/fs/bpf", &fs) || fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (in_private_mount_ns())
		return hearth_err_set(err, EPERM,
				      "/sys/fs/bpf is not mounted in this private mount namespace; pins would vanish with it (use 'nsenter --net', not 'ip netns exec')");
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700"))
		return hearth_err_set(err, errno, "cannot mount bpffs on /sys/fs/bpf: %s",
				      strerror(errno));
	return 0;
}

int hearth_bpffs_ensure(const char *pin_dir, struct hearth_err *err)
{
	char sub[512];
	struct statfs fs;
	int ret = 0;

	if (!strncmp(pin_dir, "/sys/fs/bpf/", 12))
		ret = mount_sys_bpffs(err);
	if (ret)
		return ret;
	/* check before creating anything, so a wrong path leaves nothing */
	ret = statfs_nearest(pin_dir, &fs);
	if (ret || fs.f_type != BPF_FS_MAGIC)
		return hearth_err_set(err, EINVAL, "%s is not on a bpf filesystem",
				      pin_dir);
	ret = hearth_mkdir_p(pin_dir, 0700);
	if (ret)
		return hearth_err_set(err, ret, "cannot create %s: %s", pin_dir,
				      strerror(-ret));
	for (int i = 0; i < 2; i++) {
		hearth_dp_pin_path(sub, sizeof(sub), pin_dir, NULL, i ? "links" : "progs");
		if (mkdir(sub, 0700) && errno != EEXIST)
			return hearth_err_set(err, errno, "cannot create %s: %s",
					      sub, strerror(errno));
	}
	return 0;
}
