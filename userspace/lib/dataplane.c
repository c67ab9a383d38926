// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The pinned data plane as userspace sees it: its maps and programs by
 * name, opened from the pins (CLI side) or from a loaded object (tests).
 * Loading and pinning are in loader.c, attaching in attach.c.
 *
 * Pin layout under the pin dir:  <map name>          maps
 *                                progs/<prog name>   the XDP program
 *                                links/<ifname>      one XDP bpf_link each
 * The links keep the program attached while no process holds it, so the
 * data plane forwards with hearthd stopped; hearthd adopts what it finds.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dataplane.h"

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
	[HEARTH_DP_NATMAP] = HEARTH_STR(HEARTH_MAP_NATMAP),
	[HEARTH_DP_ICMPRL] = HEARTH_STR(HEARTH_MAP_ICMPRL),
	[HEARTH_DP_FWCFG] = HEARTH_STR(HEARTH_MAP_FWCFG),
	[HEARTH_DP_HOME] = HEARTH_STR(HEARTH_MAP_HOME),
	[HEARTH_DP_PINHOLES] = HEARTH_STR(HEARTH_MAP_PINHOLES),
	[HEARTH_DP_FWFRAGS] = HEARTH_STR(HEARTH_MAP_FWFRAGS),
	[HEARTH_DP_CTSTATS] = HEARTH_STR(HEARTH_MAP_CTSTATS),
	[HEARTH_DP_CTENDS] = HEARTH_STR(HEARTH_MAP_CTENDS),
	[HEARTH_DP_CTRTT] = HEARTH_STR(HEARTH_MAP_CTRTT),
	[HEARTH_DP_RTTHIST] = HEARTH_STR(HEARTH_MAP_RTTHIST),
	[HEARTH_DP_HOSTID] = HEARTH_STR(HEARTH_MAP_HOSTID),
	[HEARTH_DP_HOSTS] = HEARTH_STR(HEARTH_MAP_HOSTS),
};

#define PROG_NAME HEARTH_STR(HEARTH_PROG_XDP_GATEWAY)


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
	for (int i = 0; i < HEARTH_TC_POINTS; i++)
		dp->tc_prog_fd[i] = -1;
}

const char *hearth_tc_prog_name(enum hearth_tc_point point)
{
	return point == HEARTH_TC_IN ? HEARTH_STR(HEARTH_PROG_TC_WAN_INGRESS) :
				       HEARTH_STR(HEARTH_PROG_TC_WAN_EGRESS);
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
	for (int i = 0; i < HEARTH_TC_POINTS; i++) {
		if (dp->tc_prog_fd[i] >= 0)
			close(dp->tc_prog_fd[i]);
		dp->tc_prog_fd[i] = -1;
	}
	dp->prog_fd = -1;
}

int hearth_dp_pin_path(char *buf, size_t size, const char *dir, const char *sub,
		    const char *name)
{
	int n = sub ? snprintf(buf, size, "%s/%s/%s", dir, sub, name) :
		      snprintf(buf, size, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int hearth_dp_prog_id_of(int prog_fd, __u32 *id)
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

	hearth_dp_pin_path(path, sizeof(path), pin_dir, "progs", name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return -errno;
	ret = hearth_dp_prog_id_of(*fd, id);
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
		hearth_dp_pin_path(path, sizeof(path), pin_dir, NULL, map_names[i]);
		dp->map_fd[i] = bpf_obj_get(path);
		if (dp->map_fd[i] < 0) {
			ret = -errno;
			goto fail;
		}
	}
	hearth_dp_pin_path(path, sizeof(path), pin_dir, "progs", PROG_NAME);
	ret = open_pinned_prog(pin_dir, PROG_NAME, &dp->prog_fd, &dp->prog_id);
	if (ret)
		goto fail;
	for (int i = 0; i < HEARTH_TC_POINTS; i++) {
		hearth_dp_pin_path(path, sizeof(path), pin_dir, "progs",
				   hearth_tc_prog_name(i));
		ret = open_pinned_prog(pin_dir, hearth_tc_prog_name(i), &dp->tc_prog_fd[i],
				       &dp->tc_prog_id[i]);
		if (ret)
			goto fail;
	}
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

int hearth_dp_from_object(struct hearth_dp *dp, struct bpf_object *obj)
{
	memset(dp, 0, sizeof(*dp));
	dp->prog_fd = -1;
	for (int i = 0; i < HEARTH_TC_POINTS; i++)
		dp->tc_prog_fd[i] = -1;
	for (int i = 0; i < HEARTH_DP_MAP_COUNT; i++) {
		dp->map_fd[i] = bpf_object__find_map_fd_by_name(obj, map_names[i]);
		if (dp->map_fd[i] < 0)
			return -ENOENT;
	}
	return 0;
}
