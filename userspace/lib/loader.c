// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Loading the data plane: adopting the pinned one when it is this build's,
 * else loading ours on the pinned maps (an upgrade) and moving the links to
 * it; and removing every pin again. Attaching is attach.c's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../util/hash.h"
#include "attach.h"
#include "bpffs.h"
#include "dpstate.h"
#include "kclock.h"
#include "loader.h"
#include "tc_wan.skel.h"
#include "xdp_gateway.skel.h"

#define PROG_NAME HEARTH_STR(HEARTH_PROG_XDP_GATEWAY)

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
	skel->rodata->icmp_window_jiffies = hearth_kernel_hz();
	skel->rodata->ct_hz = hearth_kernel_hz();
	skel->rodata->ct_set_mask = cfg->ct_sets - 1;
	skel->rodata->ct_host_ways = cfg->ct_host_ways;
	skel->rodata->open_rate = cfg->ct_open_rate;
	skel->rodata->ct_tcp_pickup = cfg->ct_tcp_pickup;
	skel->rodata->ct_rtt_on = cfg->ct_rtt;
	bpf_map__set_max_entries(skel->maps.HEARTH_MAP_CT, cfg->ct_sets);
	/* one round-trip record per slot of the table */
	bpf_map__set_max_entries(skel->maps.HEARTH_MAP_CTRTT, cfg->ct_sets * HEARTH_CT_WAYS);
}

/* FNV-1a over both objects and the load-time settings: equal ids mean the
 * pinned programs are exactly what this binary would load. */
static __u64 build_id(const struct xdp_gateway *skel)
{
	__u64 hash = HEARTH_FNV_BASIS;
	const void *bytes;
	size_t size;

	bytes = xdp_gateway__elf_bytes(&size);
	hash = hearth_fnv1a(hash, bytes, size);
	bytes = tc_wan__elf_bytes(&size);
	hash = hearth_fnv1a(hash, bytes, size);
	hash = hearth_fnv1a(hash, (const void *)&skel->rodata->ct_set_mask,
		     sizeof(skel->rodata->ct_set_mask));
	hash = hearth_fnv1a(hash, (const void *)&skel->rodata->ct_host_ways,
		     sizeof(skel->rodata->ct_host_ways));
	hash = hearth_fnv1a(hash, (const void *)&skel->rodata->open_rate,
		     sizeof(skel->rodata->open_rate));
	hash = hearth_fnv1a(hash, (const void *)&skel->rodata->ct_tcp_pickup,
		     sizeof(skel->rodata->ct_tcp_pickup));
	hash = hearth_fnv1a(hash, (const void *)&skel->rodata->ct_rtt_on,
		     sizeof(skel->rodata->ct_rtt_on));
	return hash ^ skel->rodata->fib_cache_ttl_jiffies ^
	       skel->rodata->ct_line_jiffies << 32;
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
		[HEARTH_DP_NATMAP] = skel->maps.HEARTH_MAP_NATMAP,
		[HEARTH_DP_ICMPRL] = skel->maps.HEARTH_MAP_ICMPRL,
		[HEARTH_DP_FWCFG] = skel->maps.HEARTH_MAP_FWCFG,
		[HEARTH_DP_HOME] = skel->maps.HEARTH_MAP_HOME,
		[HEARTH_DP_PINHOLES] = skel->maps.HEARTH_MAP_PINHOLES,
		[HEARTH_DP_FWFRAGS] = skel->maps.HEARTH_MAP_FWFRAGS,
		[HEARTH_DP_CTSTATS] = skel->maps.HEARTH_MAP_CTSTATS,
		[HEARTH_DP_CTENDS] = skel->maps.HEARTH_MAP_CTENDS,
		[HEARTH_DP_CTRTT] = skel->maps.HEARTH_MAP_CTRTT,
		[HEARTH_DP_RTTHIST] = skel->maps.HEARTH_MAP_RTTHIST,
		[HEARTH_DP_HOSTID] = skel->maps.HEARTH_MAP_HOSTID,
		[HEARTH_DP_HOSTS] = skel->maps.HEARTH_MAP_HOSTS,
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
	return hearth_dp_prog_id_of(dp->prog_fd, &dp->prog_id);
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
		if (hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, name))
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
		if (!strcmp(hearth_dp_map_name(i), name))
			return i;
	return -1;
}

/* The WAN's tc programs, on the maps the XDP object has just adopted or
 * created. */
static int load_tc(struct hearth_dp *dp, struct hearth_err *err)
{
	struct tc_wan *skel = tc_wan__open();
	struct bpf_program *progs[HEARTH_TC_POINTS];
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
					     hearth_dp_map_name(i), strerror(errno));
			goto cleanup;
		}
	}
	ret = tc_wan__load(skel);
	if (ret) {
		hearth_err_set(err, ret, "cannot load the WAN tc programs: %s",
			       strerror(-ret));
		goto cleanup;
	}
	progs[HEARTH_TC_OUT] = skel->progs.HEARTH_PROG_TC_WAN_EGRESS;
	progs[HEARTH_TC_IN] = skel->progs.HEARTH_PROG_TC_WAN_INGRESS;
	for (int i = 0; i < HEARTH_TC_POINTS && !ret; i++) {
		dp->tc_prog_fd[i] = fcntl(bpf_program__fd(progs[i]), F_DUPFD_CLOEXEC, 0);
		if (dp->tc_prog_fd[i] < 0 ||
		    hearth_dp_prog_id_of(dp->tc_prog_fd[i], &dp->tc_prog_id[i])) {
			ret = hearth_err_set(err, errno, "cannot keep %s",
					     hearth_tc_prog_name(i));
			break;
		}
		hearth_dp_pin_path(path, sizeof(path), dp->pin_dir, "progs",
				   hearth_tc_prog_name(i));
		unlink(path);
		if (bpf_obj_pin(dp->tc_prog_fd[i], path))
			ret = hearth_err_set(err, errno, "cannot pin %s: %s", path,
					     strerror(errno));
	}
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
	hearth_dp_pin_path(path, sizeof(path), dp->pin_dir, "progs", PROG_NAME);
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

	hearth_dp_pin_path(path, sizeof(path), pin_dir, "progs", PROG_NAME);
	if (!stat(path, &st))
		return true;
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, hearth_dp_map_name(i));
		if (!stat(path, &st))
			return true;
	}
	hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, "links");
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
		st.flags = (flags & ~HEARTH_DP_TENANT_FLAGS) | (st.flags & HEARTH_DP_TENANT_FLAGS);
		st.generation++;
		ret = hearth_dp_state_put(dp, &st);
	}
	if (ret) {
		hearth_dp_close(dp);
		return hearth_err_set(err, ret, "cannot write the data plane state: %s",
				      strerror(-ret));
	}
	ret = hearth_xdp_relink_all(dp, err);
	if (ret)
		hearth_dp_close(dp);
	return ret;
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

/* Researchers' probes (PIN_DIR/probes/NAME: links and maps): removing
 * their links detaches them. */
static void unpin_probes(const char *pin_dir)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;

	hearth_dp_pin_path(dir, sizeof(dir), pin_dir, NULL, "probes");
	d = opendir(dir);
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink_dir_entries(path);
		rmdir(path);
	}
	closedir(d);
	rmdir(dir);
}

int hearth_dp_unpin(const char *pin_dir, struct hearth_err *err)
{
	char path[512];
	int ret;

	unpin_probes(pin_dir);
	hearth_tc_detach_pinned(pin_dir);
	/* links first: removing them detaches XDP from the interfaces */
	for (int i = 0; i < 2; i++) {
		hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, i ? "progs" : "links");
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
		hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, hearth_dp_map_name(i));
		if (unlink(path) && errno != ENOENT)
			return hearth_err_set(err, errno, "cannot remove %s: %s",
					      path, strerror(errno));
	}
	if (rmdir(pin_dir) && errno != ENOENT && errno != ENOTEMPTY)
		return hearth_err_set(err, errno, "cannot remove %s: %s", pin_dir,
				      strerror(errno));
	return 0;
}
