// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The gateway's interfaces in the data plane: their slots, what the fast
 * path knows of them, and what `hearth status` shows. */
#include <errno.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "dpstats.h"
#include "ifaces.h"

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
	/* the primary IPv4 address, the source of the ICMP errors XDP sends
	 * out of it; none is not an error */
	ifr.ifr_addr.sa_family = AF_INET;
	if (!ioctl(fd, SIOCGIFADDR, &ifr))
		iface->addr4 = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr.s_addr;
cleanup:
	close(fd);
	return ret;
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
	int ret = hearth_dp_iface_get(dp, slot, &iface);

	if (ret)
		return ret;
	unmap_ifindex(dp, slot, iface.ifindex);
	hearth_xdp_detach(dp, iface.name); /* the link died with the device */
	return 0;
}

static int register_iface(struct hearth_dp *dp, __u32 slot,
			  const struct hearth_iface *iface)
{
	struct hearth_iface old;
	__u32 ifindex = iface->ifindex;

	if (hearth_dp_iface_get(dp, slot, &old))
		hearth_dp_stats_clear(dp, slot); /* a fresh slot starts from zero */
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
	return hearth_xdp_attach(dp, name, iface.ifindex, mode, err);
}

int hearth_dp_iface_down(struct hearth_dp *dp, __u32 slot)
{
	struct hearth_iface iface, empty = {};
	int ret = hearth_dp_iface_get(dp, slot, &iface);

	if (ret)
		return ret;
	hearth_xdp_detach(dp, iface.name);
	unmap_ifindex(dp, slot, iface.ifindex);
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFACES], &slot, &empty,
				BPF_ANY))
		return -errno;
	ret = hearth_dp_chute_source(dp, slot, 0);
	if (ret)
		return ret;
	hearth_dp_stats_clear(dp, slot);
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
	if (hearth_dp_pin_path(path, sizeof(path), dp->pin_dir, "links", st->iface.name))
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
