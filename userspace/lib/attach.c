// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Attaching and detaching our programs, and nothing else does: XDP through
 * one pinned bpf_link per interface (links/<ifname>), and the WAN egress
 * program as one tc filter on the WAN's clsact hook.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/if_link.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libbpf_silent.h"
#include "attach.h"

/* Points every pinned link at dp->prog_fd (after an upgrade). */
int hearth_xdp_relink_all(struct hearth_dp *dp, struct hearth_err *err)
{
	char dir[512], path[1024];
	struct dirent *de;
	DIR *d;
	int ret = 0;

	hearth_dp_pin_path(dir, sizeof(dir), dp->pin_dir, NULL, "links");
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

int hearth_xdp_attach(struct hearth_dp *dp, const char *name, __u32 ifindex,
		      enum hearth_xdp_mode mode, struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = xdp_flags_for(mode));
	char path[512];
	int fd, ret = 0;

	if (hearth_dp_pin_path(path, sizeof(path), dp->pin_dir, "links", name))
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

void hearth_xdp_detach(const struct hearth_dp *dp, const char *name)
{
	char path[512];

	if (!hearth_dp_pin_path(path, sizeof(path), dp->pin_dir, "links", name))
		unlink(path);
}

static void hook_init(struct bpf_tc_hook *hook, __u32 ifindex, enum hearth_tc_point point)
{
	memset(hook, 0, sizeof(*hook));
	hook->sz = sizeof(*hook);
	hook->ifindex = (int)ifindex;
	hook->attach_point = point == HEARTH_TC_IN ? BPF_TC_INGRESS : BPF_TC_EGRESS;
}

/* "no such filter" and "no clsact" are answers here, not errors: libbpf
 * would print the kernel's message for them (hence hearth_libbpf_silent). */

__u32 hearth_tc_attached(__u32 ifindex, enum hearth_tc_point point)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HEARTH_TC_HANDLE,
		    .priority = HEARTH_TC_PRIORITY);
	libbpf_print_fn_t saved = libbpf_set_print(hearth_libbpf_silent);
	struct bpf_tc_hook hook;
	int ret;

	hook_init(&hook, ifindex, point);
	ret = bpf_tc_query(&hook, &opts);
	libbpf_set_print(saved);
	return ret ? 0 : opts.prog_id;
}

static int tc_attach_at(struct hearth_dp *dp, __u32 ifindex, enum hearth_tc_point point,
			struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HEARTH_TC_HANDLE,
		    .priority = HEARTH_TC_PRIORITY, .prog_fd = dp->tc_prog_fd[point],
		    .flags = BPF_TC_F_REPLACE);
	struct bpf_tc_hook hook;
	int ret;

	if (hearth_tc_attached(ifindex, point) == dp->tc_prog_id[point])
		return 0;
	hook_init(&hook, ifindex, point);
	ret = bpf_tc_attach(&hook, &opts);
	if (ret)
		return hearth_err_set(err, ret, "cannot attach %s to ifindex %u: %s",
				      hearth_tc_prog_name(point), ifindex, strerror(-ret));
	return 0;
}

int hearth_tc_attach(struct hearth_dp *dp, __u32 ifindex, struct hearth_err *err)
{
	libbpf_print_fn_t saved;
	struct bpf_tc_hook hook;
	int ret;

	if (hearth_tc_attached(ifindex, HEARTH_TC_IN) == dp->tc_prog_id[HEARTH_TC_IN] &&
	    hearth_tc_attached(ifindex, HEARTH_TC_OUT) == dp->tc_prog_id[HEARTH_TC_OUT])
		return 0;
	/* one clsact for both points; "exists" is an answer, not an error */
	hook_init(&hook, ifindex, HEARTH_TC_OUT);
	saved = libbpf_set_print(hearth_libbpf_silent);
	ret = bpf_tc_hook_create(&hook);
	libbpf_set_print(saved);
	if (ret && ret != -EEXIST)
		return hearth_err_set(err, ret, "cannot add clsact to ifindex %u: %s",
				      ifindex, strerror(-ret));
	/* ingress first: the firewall is in place before egress lets
	 * connections out */
	return tc_attach_at(dp, ifindex, HEARTH_TC_IN, err) ?:
	       tc_attach_at(dp, ifindex, HEARTH_TC_OUT, err);
}

int hearth_tc_pinned_wans(const char *pin_dir, __u32 *ifindexes, int max)
{
	struct hearth_iface iface;
	char path[512];
	__u32 ours;
	int fd, n = 0;

	snprintf(path, sizeof(path), "%s/%s", pin_dir,
		 HEARTH_STR(HEARTH_MAP_IFACES));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	ours = hearth_dp_pinned_prog_id(pin_dir,
					HEARTH_STR(HEARTH_PROG_TC_WAN_EGRESS));
	for (__u32 slot = 1; ours && slot < HEARTH_MAX_IFACES && n < max;
	     slot++) {
		if (bpf_map_lookup_elem(fd, &slot, &iface) ||
		    iface.role != HEARTH_ROLE_WAN || !iface.ifindex)
			continue;
		ifindexes[n++] = iface.ifindex;
	}
	close(fd);
	return n;
}

void hearth_tc_detach_pinned(const char *pin_dir)
{
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = HEARTH_TC_HANDLE,
		    .priority = HEARTH_TC_PRIORITY);
	__u32 wans[HEARTH_MAX_IFACES];
	int n = hearth_tc_pinned_wans(pin_dir, wans, HEARTH_MAX_IFACES);
	struct bpf_tc_hook hook;

	for (int point = 0; point < HEARTH_TC_POINTS; point++) {
		__u32 ours = hearth_dp_pinned_prog_id(pin_dir, hearth_tc_prog_name(point));

		for (int i = 0; ours && i < n; i++) {
			hook_init(&hook, wans[i], point);
			/* only a filter still running our program is ours to remove */
			if (hearth_tc_attached(wans[i], point) == ours)
				bpf_tc_detach(&hook, &opts);
		}
	}
}
