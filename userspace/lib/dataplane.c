// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loading, adopting and attaching the pinned data plane.
 *
 * Pin layout under the pin dir:  <map name>          maps
 *                                progs/<prog name>   the XDP program
 *                                links/<ifname>      one XDP bpf_link each
 * The links keep the program attached while no process holds it, so the
 * data plane forwards with hearthd stopped; hearthd adopts what it finds.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <stdbool.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <math.h>
#include <time.h>
#include <zlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"
#include "nat.h"
#include "../../util/files.h"
#include "tc_wan.skel.h"
#include "xdp_gateway.skel.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const char *const map_names[HEARTH_DP_MAP_COUNT] = {
	[HEARTH_DP_IFSLOTS] = HEARTH_STR(HEARTH_MAP_IFSLOTS),
	[HEARTH_DP_IFACES] = HEARTH_STR(HEARTH_MAP_IFACES),
	[HEARTH_DP_TXPORTS] = HEARTH_STR(HEARTH_MAP_TXPORTS),
	[HEARTH_DP_FIBCACHE] = HEARTH_STR(HEARTH_MAP_FIBCACHE),
	[HEARTH_DP_FIBL1] = HEARTH_STR(HEARTH_MAP_FIBL1),
	[HEARTH_DP_STATS] = HEARTH_STR(HEARTH_MAP_STATS),
	[HEARTH_DP_STATE] = HEARTH_STR(HEARTH_MAP_STATE),
	[HEARTH_DP_CT] = HEARTH_STR(HEARTH_MAP_CT),
	[HEARTH_DP_NATCFG] = HEARTH_STR(HEARTH_MAP_NATCFG),
	[HEARTH_DP_INSIDE] = HEARTH_STR(HEARTH_MAP_INSIDE),
	[HEARTH_DP_NATFWD] = HEARTH_STR(HEARTH_MAP_NATFWD),
	[HEARTH_DP_CTL1] = HEARTH_STR(HEARTH_MAP_CTL1),
	[HEARTH_DP_FRAGS] = HEARTH_STR(HEARTH_MAP_FRAGS),
	[HEARTH_DP_TENANTS] = HEARTH_STR(HEARTH_MAP_TENANTS),
	[HEARTH_DP_TNSTATS] = HEARTH_STR(HEARTH_MAP_TNSTATS),
	[HEARTH_DP_TNPOLICE] = HEARTH_STR(HEARTH_MAP_TNPOLICE),
	[HEARTH_DP_TNIFACE] = HEARTH_STR(HEARTH_MAP_TNIFACE),
	[HEARTH_DP_TNPREFIX] = HEARTH_STR(HEARTH_MAP_TNPREFIX),
	[HEARTH_DP_TNMAC] = HEARTH_STR(HEARTH_MAP_TNMAC),
	[HEARTH_DP_LINKCFG] = HEARTH_STR(HEARTH_MAP_LINKCFG),
	[HEARTH_DP_ISOLATE] = HEARTH_STR(HEARTH_MAP_ISOLATE),
	[HEARTH_DP_CHALLOW] = HEARTH_STR(HEARTH_MAP_CHALLOW),
	[HEARTH_DP_CHSRC] = HEARTH_STR(HEARTH_MAP_CHSRC),
};

#define PROG_NAME HEARTH_STR(HEARTH_PROG_XDP_GATEWAY)
#define TC_PROG_NAME HEARTH_STR(HEARTH_PROG_TC_WAN_EGRESS)

const char *hearth_dp_map_name(enum hearth_dp_map map)
{
	return map < HEARTH_DP_MAP_COUNT ? map_names[map] : "?";
}

static void dp_init(struct hearth_dp *dp, const char *pin_dir)
{
	memset(dp, 0, sizeof(*dp));
	snprintf(dp->pin_dir, sizeof(dp->pin_dir), "%s", pin_dir);
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++)
		dp->map_fd[i] = -1;
	dp->prog_fd = -1;
	dp->tc_prog_fd = -1;
}

void hearth_dp_close(struct hearth_dp *dp)
{
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		if (dp->map_fd[i] >= 0)
			close(dp->map_fd[i]);
		dp->map_fd[i] = -1;
	}
	if (dp->prog_fd >= 0)
		close(dp->prog_fd);
	if (dp->tc_prog_fd >= 0)
		close(dp->tc_prog_fd);
	dp->prog_fd = dp->tc_prog_fd = -1;
}

static int pin_path(char *buf, size_t size, const char *dir, const char *sub,
		    const char *name)
{
	int n = sub ? snprintf(buf, size, "%s/%s/%s", dir, sub, name) :
		      snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

static int prog_id_of(int prog_fd, __u32 *id)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return -errno;
	*id = info.id;
	return 0;
}

/* A pinned program of ours and its id; -errno when it cannot be had. */
static int open_pinned_prog(const char *pin_dir, const char *name, int *fd,
			    __u32 *id)
{
	char path[512];
	int ret;

	pin_path(path, sizeof(path), pin_dir, "progs", name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return -errno;
	ret = prog_id_of(*fd, id);
	if (ret) {
		close(*fd);
		*fd = -1;
	}
	return ret;
}

__u32 hearth_dp_pinned_prog_id(const char *pin_dir, const char *name)
{
	__u32 id = 0;
	int fd;

	if (open_pinned_prog(pin_dir, name, &fd, &id))
		return 0;
	close(fd);
	return id;
}

int hearth_dp_open(struct hearth_dp *dp, const char *pin_dir,
		   struct hearth_err *err)
{
	char path[512];
	int ret;

	dp_init(dp, pin_dir);
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), pin_dir, NULL, map_names[i]);
		dp->map_fd[i] = bpf_obj_get(path);
		if (dp->map_fd[i] < 0) {
			ret = -errno;
			goto fail;
		}
	}
	pin_path(path, sizeof(path), pin_dir, "progs", PROG_NAME);
	ret = open_pinned_prog(pin_dir, PROG_NAME, &dp->prog_fd, &dp->prog_id);
	if (ret)
		goto fail;
	pin_path(path, sizeof(path), pin_dir, "progs", TC_PROG_NAME);
	ret = open_pinned_prog(pin_dir, TC_PROG_NAME, &dp->tc_prog_fd,
			       &dp->tc_prog_id);
	if (ret)
		goto fail;
	return 0;
fail:
	hearth_dp_close(dp);
	if (ret == -ENOENT)
		return hearth_err_set(err, ENOENT,
				      "no data plane pinned at %s (is hearthd started?)",
				      pin_dir);
	return hearth_err_set(err, ret, "cannot open %s: %s", path,
			      strerror(-ret));
}

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
		pin_path(sub, sizeof(sub), pin_dir, NULL, i ? "links" : "progs");
		if (mkdir(sub, 0700) && errno != EEXIST)
			return hearth_err_set(err, errno, "cannot create %s: %s",
					      sub, strerror(errno));
	}
	return 0;
}

int hearth_jiffies_now(__u64 *jiffies)
{
	char line[256];
	FILE *f = fopen("/proc/timer_list", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %llu", (unsigned long long *)jiffies) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

static unsigned int config_hz(void)
{
	char boot[300], line[256];
	const char *paths[] = { boot, "/proc/config.gz" };
	struct utsname uts;
	unsigned int hz = 0;

	if (uname(&uts))
		return 0;
	snprintf(boot, sizeof(boot), "/boot/config-%s", uts.release);
	for (size_t i = 0; i < 2 && !hz; i++) {
		gzFile f = gzopen(paths[i], "rb");

		if (!f)
			continue;
		while (gzgets(f, line, sizeof(line)))
			if (!strncmp(line, "CONFIG_HZ=", 10)) {
				hz = (unsigned int)strtoul(line + 10, NULL, 10);
				break;
			}
		gzclose(f);
	}
	return hz >= 100 && hz <= 10000 ? hz : 0;
}

/* jiffies over 200 ms, rounded to the HZ values Linux offers. */
static unsigned int measured_hz(void)
{
	static const unsigned int choices[] = { 100, 250, 300, 1000 };
	struct timespec pause = { .tv_nsec = 200 * 1000 * 1000 };
	__u64 j0, j1;
	unsigned int best = 0;
	double rate;

	if (hearth_jiffies_now(&j0) || nanosleep(&pause, NULL) ||
	    hearth_jiffies_now(&j1) || j1 <= j0)
		return 0;
	rate = (double)(j1 - j0) / 0.2;
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (!best || fabs(rate - choices[i]) < fabs(rate - best))
			best = choices[i];
	return best;
}

/* CONFIG_HZ from the kernel's config (gzopen reads plain files too), else
 * measured, else 100, the smallest HZ Linux offers. */
unsigned int hearth_kernel_hz(void)
{
	static unsigned int hz;

	if (!hz)
		hz = config_hz();
	if (!hz)
		hz = measured_hz();
	if (!hz)
		hz = 100;
	return hz;
}

/* Load-time settings, part of the build id: changing one reloads. */
static void apply_load_settings(struct xdp_gateway *skel,
				const struct hearth_config *cfg)
{
	skel->rodata->fib_cache_ttl_jiffies =
		(__u64)cfg->fib_cache_ttl_ms * hearth_kernel_hz() / 1000;
	skel->rodata->ct_line_jiffies =
		(__u64)HEARTH_CT_LINE_MS * hearth_kernel_hz() / 1000;
	skel->rodata->challow_jiffies =
		(__u64)HEARTH_CHALLOW_MS * hearth_kernel_hz() / 1000;
	skel->rodata->challow_refresh_jiffies = hearth_kernel_hz();
}

static __u64 fnv1a(__u64 hash, const unsigned char *bytes, size_t size)
{
	for (size_t i = 0; i < size; i++)
		hash = (hash ^ bytes[i]) * 0x100000001b3ULL;
	return hash;
}

/* FNV-1a over both objects and the load-time settings: equal ids mean the
 * pinned programs are exactly what this binary would load. */
static __u64 build_id(const struct xdp_gateway *skel)
{
	__u64 hash = 0xcbf29ce484222325ULL;
	const void *bytes;
	size_t size;

	bytes = xdp_gateway__elf_bytes(&size);
	hash = fnv1a(hash, bytes, size);
	bytes = tc_wan__elf_bytes(&size);
	hash = fnv1a(hash, bytes, size);
	return hash ^ skel->rodata->fib_cache_ttl_jiffies ^
	       skel->rodata->ct_line_jiffies << 32;
}

int hearth_dp_state_get(struct hearth_dp *dp, struct hearth_state *st)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_STATE], &zero, st))
		return -errno;
	return 0;
}

static int state_put(struct hearth_dp *dp, const struct hearth_state *st)
{
	__u32 zero = 0;

	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_STATE], &zero, st, BPF_ANY))
		return -errno;
	return 0;
}

/* The tenant rule bits follow the tenant maps, not the configuration. */
#define TENANT_FLAGS (HEARTH_STATE_TENANT_MACS | HEARTH_STATE_TENANT_PREFIXES)

int hearth_dp_update_flags(struct hearth_dp *dp, __u32 mask, __u32 flags)
{
	struct hearth_state st;
	int ret = hearth_dp_state_get(dp, &st);

	if (ret)
		return ret;
	flags = (st.flags & ~mask) | (flags & mask);
	if (st.flags == flags)
		return 0;
	st.flags = flags;
	st.generation++;
	return state_put(dp, &st);
}

/* The configuration's flags; the tenant and chute ones belong to them. */
int hearth_dp_set_flags(struct hearth_dp *dp, __u32 flags)
{
	return hearth_dp_update_flags(dp, HEARTH_STATE_NO_FIB_CACHE, flags);
}

int hearth_dp_set_tenant_flags(struct hearth_dp *dp, __u32 flags)
{
	return hearth_dp_update_flags(dp, TENANT_FLAGS, flags);
}

int hearth_dp_bump_generation(struct hearth_dp *dp)
{
	struct hearth_state st;
	int ret = hearth_dp_state_get(dp, &st);

	if (ret)
		return ret;
	st.generation++;
	return state_put(dp, &st);
}

/* Points every pinned link at dp->prog_fd (after an upgrade). */
static int relink_all(struct hearth_dp *dp, struct hearth_err *err)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	pin_path(dir, sizeof(dir), dp->pin_dir, NULL, "links");
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : hearth_err_set(err, errno, "%s: %s",
							    dir, strerror(errno));
	while ((de = readdir(d))) {
		int fd;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (bpf_link_update(fd, dp->prog_fd, NULL))
			ret = hearth_err_set(err, errno,
					     "cannot move link %s to the new program: %s",
					     path, strerror(errno));
		close(fd);
		if (ret)
			break;
	}
	closedir(d);
	return ret;
}

int hearth_dp_from_object(struct hearth_dp *dp, struct bpf_object *obj)
{
	memset(dp, 0, sizeof(*dp));
	dp->prog_fd = dp->tc_prog_fd = -1;
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		dp->map_fd[i] = bpf_object__find_map_fd_by_name(obj, map_names[i]);
		if (dp->map_fd[i] < 0)
			return -ENOENT;
	}
	return 0;
}

static int take_skeleton_fds(struct hearth_dp *dp, struct xdp_gateway *skel)
{
	struct bpf_map *maps[HEARTH_DP_MAP_COUNT] = {
		[HEARTH_DP_IFSLOTS] = skel->maps.HEARTH_MAP_IFSLOTS,
		[HEARTH_DP_IFACES] = skel->maps.HEARTH_MAP_IFACES,
		[HEARTH_DP_TXPORTS] = skel->maps.HEARTH_MAP_TXPORTS,
		[HEARTH_DP_FIBCACHE] = skel->maps.HEARTH_MAP_FIBCACHE,
		[HEARTH_DP_FIBL1] = skel->maps.HEARTH_MAP_FIBL1,
		[HEARTH_DP_STATS] = skel->maps.HEARTH_MAP_STATS,
		[HEARTH_DP_STATE] = skel->maps.HEARTH_MAP_STATE,
		[HEARTH_DP_CT] = skel->maps.HEARTH_MAP_CT,
		[HEARTH_DP_NATCFG] = skel->maps.HEARTH_MAP_NATCFG,
		[HEARTH_DP_INSIDE] = skel->maps.HEARTH_MAP_INSIDE,
		[HEARTH_DP_NATFWD] = skel->maps.HEARTH_MAP_NATFWD,
		[HEARTH_DP_CTL1] = skel->maps.HEARTH_MAP_CTL1,
		[HEARTH_DP_FRAGS] = skel->maps.HEARTH_MAP_FRAGS,
		[HEARTH_DP_TENANTS] = skel->maps.HEARTH_MAP_TENANTS,
		[HEARTH_DP_TNSTATS] = skel->maps.HEARTH_MAP_TNSTATS,
		[HEARTH_DP_TNPOLICE] = skel->maps.HEARTH_MAP_TNPOLICE,
		[HEARTH_DP_TNIFACE] = skel->maps.HEARTH_MAP_TNIFACE,
		[HEARTH_DP_TNPREFIX] = skel->maps.HEARTH_MAP_TNPREFIX,
		[HEARTH_DP_TNMAC] = skel->maps.HEARTH_MAP_TNMAC,
		[HEARTH_DP_LINKCFG] = skel->maps.HEARTH_MAP_LINKCFG,
		[HEARTH_DP_ISOLATE] = skel->maps.HEARTH_MAP_ISOLATE,
		[HEARTH_DP_CHALLOW] = skel->maps.HEARTH_MAP_CHALLOW,
		[HEARTH_DP_CHSRC] = skel->maps.HEARTH_MAP_CHSRC,
	};

	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		dp->map_fd[i] = fcntl(bpf_map__fd(maps[i]), F_DUPFD_CLOEXEC, 0);
		if (dp->map_fd[i] < 0)
			return -errno;
	}
	dp->prog_fd = fcntl(bpf_program__fd(skel->progs.HEARTH_PROG_XDP_GATEWAY),
			    F_DUPFD_CLOEXEC, 0);
	if (dp->prog_fd < 0)
		return -errno;
	return prog_id_of(dp->prog_fd, &dp->prog_id);
}

/* Same shape as the object's definition? The kernel adds
 * BPF_F_RDONLY_PROG to every devmap, which libbpf 1.1's own reuse check
 * counts as a mismatch, so pinned maps are reused here instead. */
static int check_reusable(struct bpf_map *map, int fd, const char *path,
			  struct hearth_err *err)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return hearth_err_set(err, errno, "%s: %s", path, strerror(errno));
	info.map_flags &= ~BPF_F_RDONLY_PROG;
	if (info.type != bpf_map__type(map) ||
	    info.key_size != bpf_map__key_size(map) ||
	    info.value_size != bpf_map__value_size(map) ||
	    info.max_entries != bpf_map__max_entries(map) ||
	    info.map_flags != (bpf_map__map_flags(map) & ~BPF_F_RDONLY_PROG))
		return hearth_err_set(err, EINVAL,
				      "pinned map %s does not match this build (run 'hearth down' first)",
				      path);
	return 0;
}

/* Pinned maps are reused (their state survives upgrades); missing ones are
 * created and pinned by libbpf at load. */
static int adopt_or_pin_maps(struct xdp_gateway *skel, const char *pin_dir,
			     struct hearth_err *err)
{
	struct bpf_map *map;
	char path[512];

	bpf_object__for_each_map(map, skel->obj) {
		const char *name = bpf_map__name(map);
		int fd, ret;

		if (strncmp(name, "hearth_", 7))
			continue; /* .rodata and friends belong to one load */
		if (pin_path(path, sizeof(path), pin_dir, NULL, name))
			return hearth_err_set(err, ENAMETOOLONG, "pin path too long");
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (bpf_map__set_pin_path(map, path))
				return hearth_err_set(err, errno, "%s: %s", path,
						      strerror(errno));
			continue;
		}
		ret = check_reusable(map, fd, path, err);
		if (!ret && bpf_map__reuse_fd(map, fd))
			ret = hearth_err_set(err, errno, "cannot reuse %s: %s", path,
					     strerror(errno));
		close(fd);
		if (ret)
			return ret;
	}
	return 0;
}

static int map_index(const char *name)
{
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++)
		if (!strcmp(map_names[i], name))
			return i;
	return -1;
}

/* WAN egress, on the maps the XDP object has just adopted or created. */
static int load_tc(struct hearth_dp *dp, struct hearth_err *err)
{
	struct tc_wan *skel = tc_wan__open();
	struct bpf_map *map;
	char path[512];
	int ret = 0;

	if (!skel)
		return hearth_err_set(err, errno, "cannot open the tc object: %s",
				      strerror(errno));
	bpf_object__for_each_map(map, skel->obj) {
		int i = map_index(bpf_map__name(map));

		if (i >= 0 && bpf_map__reuse_fd(map, dp->map_fd[i])) {
			ret = hearth_err_set(err, errno, "cannot share %s: %s",
					     map_names[i], strerror(errno));
			goto cleanup;
		}
	}
	ret = tc_wan__load(skel);
	if (ret) {
		hearth_err_set(err, ret, "cannot load the WAN egress program: %s",
			       strerror(-ret));
		goto cleanup;
	}
	dp->tc_prog_fd = fcntl(bpf_program__fd(skel->progs.HEARTH_PROG_TC_WAN_EGRESS),
			       F_DUPFD_CLOEXEC, 0);
	if (dp->tc_prog_fd < 0 || prog_id_of(dp->tc_prog_fd, &dp->tc_prog_id)) {
		ret = hearth_err_set(err, errno, "cannot keep the WAN egress program");
		goto cleanup;
	}
	pin_path(path, sizeof(path), dp->pin_dir, "progs", TC_PROG_NAME);
	unlink(path);
	if (bpf_obj_pin(dp->tc_prog_fd, path))
		ret = hearth_err_set(err, errno, "cannot pin %s: %s", path,
				     strerror(errno));
cleanup:
	tc_wan__destroy(skel);
	return ret;
}

static int load_new(struct hearth_dp *dp, const struct hearth_config *cfg,
		    __u64 *id, struct hearth_err *err)
{
	struct xdp_gateway *skel;
	char path[512];
	int ret;

	skel = xdp_gateway__open();
	if (!skel)
		return hearth_err_set(err, errno, "cannot open the BPF object: %s",
				      strerror(errno));
	apply_load_settings(skel, cfg);
	*id = build_id(skel);
	ret = adopt_or_pin_maps(skel, dp->pin_dir, err);
	if (ret)
		goto cleanup;
	ret = xdp_gateway__load(skel);
	if (ret) {
		hearth_err_set(err, ret, "cannot load the data plane: %s",
			       strerror(-ret));
		goto cleanup;
	}
	ret = take_skeleton_fds(dp, skel);
	if (ret) {
		hearth_err_set(err, ret, "cannot keep the data plane: %s",
			       strerror(-ret));
		goto cleanup;
	}
	pin_path(path, sizeof(path), dp->pin_dir, "progs", PROG_NAME);
	unlink(path);
	if (bpf_obj_pin(dp->prog_fd, path)) {
		ret = hearth_err_set(err, errno, "cannot pin %s: %s", path,
				     strerror(errno));
		goto cleanup;
	}
	ret = load_tc(dp, err);
cleanup:
	xdp_gateway__destroy(skel);
	return ret;
}

static bool dir_has_entries(const char *dir)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	bool any = false;

	if (!d)
		return false;
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

/* Is any part of a data plane pinned (a program, a link or one map)? */
static bool anything_pinned(const char *pin_dir)
{
	char path[512];
	struct stat st;

	pin_path(path, sizeof(path), pin_dir, "progs", PROG_NAME);
	if (!stat(path, &st))
		return true;
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), pin_dir, NULL, map_names[i]);
		if (!stat(path, &st))
			return true;
	}
	pin_path(path, sizeof(path), pin_dir, NULL, "links");
	return dir_has_entries(path);
}

int hearth_dp_load(struct hearth_dp *dp, const struct hearth_config *cfg,
		   struct hearth_err *err)
{
	__u32 flags = cfg->fib_cache ? 0 : HEARTH_STATE_NO_FIB_CACHE;
	struct hearth_state st;
	__u64 id = 0;
	int ret;

	ret = hearth_bpffs_ensure(cfg->pin_dir, err);
	if (ret)
		return ret;
	ret = hearth_dp_open(dp, cfg->pin_dir, NULL);
	/* a partial data plane (say a build that added a map) is upgraded,
	 * never treated as fresh: it may be forwarding right now */
	if (ret == -ENOENT && anything_pinned(cfg->pin_dir))
		dp->replaced = true;
	if (ret && ret != -ENOENT)
		return hearth_err_set(err, ret, "cannot open the pinned data plane at %s: %s",
				      cfg->pin_dir, strerror(-ret));
	if (!ret) {
		struct xdp_gateway *probe = xdp_gateway__open();

		if (!probe)
			return hearth_err_set(err, errno, "cannot open the BPF object");
		apply_load_settings(probe, cfg);
		id = build_id(probe);
		xdp_gateway__destroy(probe);
		ret = hearth_dp_state_get(dp, &st);
		if (!ret && st.build_id == id) {
			dp->adopted = true;
			return hearth_dp_set_flags(dp, flags);
		}
		hearth_dp_close(dp);
		dp->replaced = true;
	}
	ret = load_new(dp, cfg, &id, err);
	if (ret)
		return ret;
	ret = hearth_dp_state_get(dp, &st);
	if (!ret) {
		st.build_id = id;
		st.flags = (flags & ~TENANT_FLAGS) | (st.flags & TENANT_FLAGS);
		st.generation++;
		ret = state_put(dp, &st);
	}
	if (ret) {
		hearth_dp_close(dp);
		return hearth_err_set(err, ret, "cannot write the data plane state: %s",
				      strerror(-ret));
	}
	ret = relink_all(dp, err);
	if (ret)
		hearth_dp_close(dp);
	return ret;
}

int hearth_dp_iface_get(struct hearth_dp *dp, __u32 slot,
			struct hearth_iface *iface)
{
	if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_IFACES], &slot, iface))
		return -errno;
	return iface->ifindex ? 0 : -ENOENT;
}

__u32 hearth_dp_slot_of(struct hearth_dp *dp, const char *name)
{
	struct hearth_iface iface;

	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++)
		if (!hearth_dp_iface_get(dp, slot, &iface) &&
		    !strncmp(iface.name, name, sizeof(iface.name)))
			return slot;
	return 0;
}

/* The slot already holding @name, else the first free one; 0 when full. */
static __u32 slot_for(struct hearth_dp *dp, const char *name)
{
	struct hearth_iface iface;
	__u32 free_slot = 0;

	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++) {
		if (hearth_dp_iface_get(dp, slot, &iface)) {
			if (!free_slot)
				free_slot = slot;
			continue;
		}
		if (!strncmp(iface.name, name, sizeof(iface.name)))
			return slot;
	}
	return free_slot;
}

static int read_link_props(const char *name, struct hearth_iface *iface)
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int ret = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr)) {
		ret = -errno;
		goto cleanup;
	}
	memcpy(iface->mac, ifr.ifr_hwaddr.sa_data, sizeof(iface->mac));
	if (ioctl(fd, SIOCGIFMTU, &ifr)) {
		ret = -errno;
		goto cleanup;
	}
	iface->mtu = (__u16)ifr.ifr_mtu;
cleanup:
	close(fd);
	return ret;
}

static void clear_counters(struct hearth_dp *dp, __u32 slot)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_counter *zero;

	if (ncpus <= 0)
		return;
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return;
	for (__u32 id = 0; id < HEARTH_CNT_MAX; id++) {
		__u32 key = HEARTH_STATS_INDEX(slot, id);

		bpf_map_update_elem(dp->map_fd[HEARTH_DP_STATS], &key, zero,
				    BPF_ANY);
	}
	free(zero);
}

/* Forgets the ifindex a slot used to have, so the fast path stops using it. */
static void unmap_ifindex(struct hearth_dp *dp, __u32 slot, __u32 ifindex)
{
	__u32 zero = 0;

	bpf_map_delete_elem(dp->map_fd[HEARTH_DP_TXPORTS], &slot);
	if (!ifindex || ifindex >= HEARTH_MAX_IFINDEX)
		return;
	bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFSLOTS], &ifindex, &zero,
			    BPF_ANY);
}

int hearth_dp_iface_forget(struct hearth_dp *dp, __u32 slot)
{
	struct hearth_iface iface;
	char path[512];
	int ret = hearth_dp_iface_get(dp, slot, &iface);

	if (ret)
		return ret;
	unmap_ifindex(dp, slot, iface.ifindex);
	if (!pin_path(path, sizeof(path), dp->pin_dir, "links", iface.name))
		unlink(path); /* the link died with the device */
	return 0;
}

static int register_iface(struct hearth_dp *dp, __u32 slot,
			  const struct hearth_iface *iface)
{
	struct hearth_iface old;
	__u32 ifindex = iface->ifindex;

	if (hearth_dp_iface_get(dp, slot, &old))
		clear_counters(dp, slot); /* a fresh slot starts from zero */
	else if (old.ifindex != ifindex)
		unmap_ifindex(dp, slot, old.ifindex); /* interface was recreated */
	/* egress first, then ingress: a slot is usable once both are there */
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFACES], &slot, iface,
				BPF_ANY) ||
	    bpf_map_update_elem(dp->map_fd[HEARTH_DP_TXPORTS], &slot, &ifindex,
				BPF_ANY) ||
	    bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFSLOTS], &ifindex, &slot,
				BPF_ANY))
		return -errno;
	return 0;
}

static __u32 xdp_flags_for(enum hearth_xdp_mode mode)
{
	switch (mode) {
	case HEARTH_XDP_NATIVE:
		return XDP_FLAGS_DRV_MODE;
	case HEARTH_XDP_GENERIC:
		return XDP_FLAGS_SKB_MODE;
	default:
		return 0; /* the kernel picks native when the driver has it */
	}
}

/* Keeps a pinned link that still serves @ifindex (updating its program);
 * returns 1 when kept, 0 when a new link is needed. */
static int reuse_link(struct hearth_dp *dp, const char *path, __u32 ifindex)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd = bpf_obj_get(path), kept = 0;

	if (fd < 0)
		return 0;
	if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
	    info.type == BPF_LINK_TYPE_XDP && info.xdp.ifindex == ifindex) {
		kept = info.prog_id == dp->prog_id ||
		       !bpf_link_update(fd, dp->prog_fd, NULL);
	}
	close(fd);
	if (!kept)
		unlink(path); /* the interface it served is gone */
	return kept;
}

static int attach_link(struct hearth_dp *dp, const char *name, __u32 ifindex,
		       enum hearth_xdp_mode mode, struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = xdp_flags_for(mode));
	char path[512];
	int fd, ret = 0;

	if (pin_path(path, sizeof(path), dp->pin_dir, "links", name))
		return hearth_err_set(err, ENAMETOOLONG, "pin path too long");
	if (reuse_link(dp, path, ifindex))
		return 0;
	fd = bpf_link_create(dp->prog_fd, ifindex, BPF_XDP, &opts);
	if (fd < 0) {
		__u32 other = 0;

		ret = -errno;
		bpf_xdp_query_id(ifindex, 0, &other);
		if (other)
			return hearth_err_set(err, ret,
					      "%s: another XDP program (id %u) is attached; hearth will not replace it",
					      name, other);
		return hearth_err_set(err, ret, "%s: cannot attach XDP (%s mode): %s",
				      name, hearth_xdp_mode_name(mode),
				      strerror(-ret));
	}
	if (bpf_obj_pin(fd, path))
		ret = hearth_err_set(err, errno, "cannot pin %s: %s", path,
				     strerror(errno));
	close(fd);
	return ret;
}

int hearth_dp_iface_up(struct hearth_dp *dp, const char *name,
		       enum hearth_iface_role role, enum hearth_xdp_mode mode,
		       struct hearth_err *err)
{
	struct hearth_iface iface = { .role = role };
	__u32 slot;
	int ret;

	iface.ifindex = if_nametoindex(name);
	if (!iface.ifindex)
		return hearth_err_set(err, ENODEV, "interface '%s' does not exist",
				      name);
	if (iface.ifindex >= HEARTH_MAX_IFINDEX)
		return hearth_err_set(err, ERANGE,
				      "interface '%s' has ifindex %u, hearth handles below %u",
				      name, iface.ifindex, HEARTH_MAX_IFINDEX);
	snprintf(iface.name, sizeof(iface.name), "%s", name);
	ret = read_link_props(name, &iface);
	if (ret)
		return hearth_err_set(err, ret, "%s: cannot read its address: %s",
				      name, strerror(-ret));
	slot = slot_for(dp, name);
	if (!slot)
		return hearth_err_set(err, ENOSPC, "no free interface slot for %s",
				      name);
	ret = register_iface(dp, slot, &iface);
	if (ret)
		return hearth_err_set(err, ret, "%s: cannot register: %s", name,
				      strerror(-ret));
	return attach_link(dp, name, iface.ifindex, mode, err);
}

int hearth_dp_iface_down(struct hearth_dp *dp, __u32 slot)
{
	struct hearth_iface iface, empty = {};
	char path[512];
	int ret = hearth_dp_iface_get(dp, slot, &iface);

	if (ret)
		return ret;
	if (!pin_path(path, sizeof(path), dp->pin_dir, "links", iface.name))
		unlink(path);
	unmap_ifindex(dp, slot, iface.ifindex);
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFACES], &slot, &empty,
				BPF_ANY))
		return -errno;
	ret = hearth_dp_chute_source(dp, slot, 0);
	if (ret)
		return ret;
	clear_counters(dp, slot);
	return 0;
}

int hearth_dp_chute_source(struct hearth_dp *dp, __u32 slot, __be32 addr)
{
	if (!slot || slot >= HEARTH_MAX_IFACES)
		return -EINVAL;
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_CHSRC], &slot, &addr, BPF_ANY))
		return -errno;
	return 0;
}

static const char *xdp_mode_name(__u8 attach_mode)
{
	switch (attach_mode) {
	case XDP_ATTACHED_DRV:
		return "native";
	case XDP_ATTACHED_SKB:
		return "generic";
	case XDP_ATTACHED_HW:
		return "offload";
	default:
		return "none";
	}
}

int hearth_dp_iface_status(struct hearth_dp *dp, __u32 slot,
			   struct hearth_dp_iface_status *st)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[512];
	int fd, ret;

	memset(st, 0, sizeof(*st));
	st->slot = slot;
	st->mode = "none";
	ret = hearth_dp_iface_get(dp, slot, &st->iface);
	if (ret)
		return ret;
	if (pin_path(path, sizeof(path), dp->pin_dir, "links", st->iface.name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) &&
		    info.xdp.ifindex == st->iface.ifindex) {
			st->linked = true;
			st->link_id = info.id;
			st->prog_id = info.prog_id;
		}
		close(fd);
	}
	/* ifindexes are per network namespace: trust the query only when it
	 * shows the very program our link attaches */
	if (!bpf_xdp_query(st->iface.ifindex, 0, &query) && st->linked) {
		if (query.prog_id == st->prog_id ||
		    query.drv_prog_id == st->prog_id ||
		    query.skb_prog_id == st->prog_id)
			st->mode = xdp_mode_name(query.attach_mode);
		else
			st->mode = "unknown";
	}
	return 0;
}

int hearth_dp_stats_read(struct hearth_dp *dp, __u32 slot,
			 struct hearth_counter *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_counter *percpu;
	int ret = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 id = 0; id < HEARTH_CNT_MAX; id++) {
		__u32 key = HEARTH_STATS_INDEX(slot, id);

		out[id].packets = out[id].bytes = 0;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_STATS], &key,
					percpu)) {
			ret = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpus; cpu++) {
			out[id].packets += percpu[cpu].packets;
			out[id].bytes += percpu[cpu].bytes;
		}
	}
	free(percpu);
	return ret;
}

int hearth_dp_fib_flush(struct hearth_dp *dp)
{
	struct hearth_fib_key key;
	int fd = dp->map_fd[HEARTH_DP_FIBCACHE];
	int ret = hearth_dp_bump_generation(dp);

	/* the generation already invalidates both levels; emptying the shared
	 * one keeps `hearth fib show` honest */
	while (!ret && !bpf_map_get_next_key(fd, NULL, &key))
		if (bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			ret = -errno;
	return ret;
}

int hearth_map_count(int fd, size_t key_size)
{
	char key[64], next[64];
	void *prev = NULL;
	int n = 0;

	if (key_size > sizeof(key))
		return -EINVAL;
	while (!bpf_map_get_next_key(fd, prev, next)) {
		memcpy(key, next, key_size);
		prev = key;
		n++;
	}
	return n;
}

int hearth_dp_fib_cache_count(struct hearth_dp *dp)
{
	return hearth_map_count(dp->map_fd[HEARTH_DP_FIBCACHE],
				sizeof(struct hearth_fib_key));
}

static int unlink_dir_entries(const char *dir)
{
	char path[1024];
	struct dirent *de;
	DIR *d = opendir(dir);
	int ret = 0;

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) && errno != ENOENT && !ret)
			ret = -errno;
	}
	closedir(d);
	return ret;
}

int hearth_dp_teardown(const char *pin_dir, struct hearth_err *err)
{
	char path[512];
	int ret;

	hearth_tc_detach_pinned(pin_dir);
	/* links first: removing them detaches XDP from the interfaces */
	for (int i = 0; i < 2; i++) {
		pin_path(path, sizeof(path), pin_dir, NULL, i ? "progs" : "links");
		ret = unlink_dir_entries(path);
		if (ret)
			return hearth_err_set(err, ret, "cannot clean %s: %s",
					      path, strerror(-ret));
		if (rmdir(path) && errno != ENOENT)
			return hearth_err_set(err, errno, "cannot remove %s: %s",
					      path, strerror(errno));
	}
	/* only our own maps: the directory may hold other pins */
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		pin_path(path, sizeof(path), pin_dir, NULL, map_names[i]);
		if (unlink(path) && errno != ENOENT)
			return hearth_err_set(err, errno, "cannot remove %s: %s",
					      path, strerror(errno));
	}
	if (rmdir(pin_dir) && errno != ENOENT && errno != ENOTEMPTY)
		return hearth_err_set(err, errno, "cannot remove %s: %s", pin_dir,
				      strerror(errno));
	return 0;
}
