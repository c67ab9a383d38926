// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* NAT set-up: the NAT settings the data plane reads (the WAN egress
 * filter is attach.c's). Conntrack itself lives in the data plane
 * (bpf/lib/ct.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dpstate.h"
#include "nat.h"

in_addr_t hearth_iface_ipv4(const char *ifname)
{
	struct ifaddrs *list, *ifa;
	in_addr_t addr = 0;

	if (getifaddrs(&list))
		return 0;
	for (ifa = list; ifa && !addr; ifa = ifa->ifa_next)
		if (ifa->ifa_addr && ifa->ifa_addr->sa_family == AF_INET &&
		    !strcmp(ifa->ifa_name, ifname))
			addr = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr.s_addr;
	freeifaddrs(list);
	return addr;
}

static bool configured_inside(const void *key_arg, const void *cfg_arg)
{
	const struct hearth_inside_key *key = key_arg;
	const struct hearth_config *cfg = cfg_arg;

	/* chutes are masqueraded like the home */
	if (cfg->chute_pool.len == key->prefixlen &&
	    cfg->chute_pool.addr.v4.s_addr == key->addr)
		return true;
	return hearth_config_lan_v4(cfg, key->prefixlen, key->addr);
}

int hearth_nat_inside_sync(struct hearth_dp *dp, const struct hearth_config *cfg)
{
	int fd = dp->map_fd[HEARTH_DP_INSIDE];
	struct hearth_inside_key key;
	__u32 one = 1;

	/* add before removing: an inside host must never look outside */
	for (int i = 0; i < cfg->n_ifaces; i++) {
		const struct hearth_config_iface *ci = &cfg->ifaces[i];

		for (int j = 0; ci->role == HEARTH_ROLE_LAN && j < ci->n_prefixes; j++) {
			if (ci->prefixes[j].family != AF_INET)
				continue;
			key.prefixlen = ci->prefixes[j].len;
			key.addr = ci->prefixes[j].addr.v4.s_addr;
			if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
				return -errno;
		}
	}
	key.prefixlen = cfg->chute_pool.len;
	key.addr = cfg->chute_pool.addr.v4.s_addr;
	if (key.prefixlen && bpf_map_update_elem(fd, &key, &one, BPF_ANY))
		return -errno;
	return hearth_map_prune(fd, sizeof(key), configured_inside, cfg);
}

int hearth_nat_apply(struct hearth_dp *dp, const struct hearth_config *cfg,
		     __u32 wan_ifindex, in_addr_t wan_addr, struct hearth_err *err)
{
	struct hearth_nat_cfg nat = {
		.enabled = cfg->nat_masquerade,
		.wan_ifindex = wan_ifindex,
		.wan_addr = wan_addr,
		.port_min = cfg->nat_port_min,
		.port_max = cfg->nat_port_max,
		.filtering = cfg->nat_filtering,
	};
	struct hearth_nat_cfg old = {};
	__u32 zero = 0;
	int ret;

	bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATCFG], &zero, &old);
	if (!memcmp(&old, &nat, sizeof(nat)))
		return 0; /* the common case on every netlink event */
	ret = bpf_map_update_elem(dp->map_fd[HEARTH_DP_NATCFG], &zero, &nat, BPF_ANY);
	if (ret)
		return hearth_err_set(err, errno, "cannot write the NAT settings: %s",
				      strerror(errno));
	return 0;
}

int hearth_nat_forward_add(struct hearth_dp *dp, __u8 proto, __u16 wan_port,
			   struct in_addr addr, __u16 port, __u8 origin)
{
	struct hearth_nat_fwd_key key = { .proto = proto, .port = htons(wan_port) };
	struct hearth_nat_fwd fwd = { .addr = addr.s_addr, .port = htons(port),
				      .origin = origin };

	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_NATFWD], &key, &fwd, BPF_ANY))
		return -errno;
	return 0;
}

int hearth_nat_forward_get(struct hearth_dp *dp, __u8 proto, __u16 wan_port,
			   struct hearth_nat_fwd *fwd)
{
	struct hearth_nat_fwd_key key = { .proto = proto, .port = htons(wan_port) };

	if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATFWD], &key, fwd))
		return -errno;
	return 0;
}

const char *hearth_nat_filtering_name(__u8 filtering)
{
	return filtering == HEARTH_FILTER_ENDPOINT ? "endpoint-independent" :
						     "address-dependent";
}

const char *hearth_nat_forward_origin(__u8 origin)
{
	switch (origin) {
	case HEARTH_FWD_CONFIG:
		return "config";
	case HEARTH_FWD_CHUTE:
		return "chute";
	default:
		return "runtime";
	}
}

int hearth_nat_forward_del(struct hearth_dp *dp, __u8 proto, __u16 wan_port)
{
	struct hearth_nat_fwd_key key = { .proto = proto, .port = htons(wan_port) };

	if (bpf_map_delete_elem(dp->map_fd[HEARTH_DP_NATFWD], &key))
		return -errno;
	return 0;
}

static bool configured_forward(const struct hearth_config *cfg,
			       const struct hearth_nat_fwd_key *key)
{
	for (int i = 0; i < cfg->n_forwards; i++)
		if (cfg->forwards[i].proto == key->proto &&
		    htons(cfg->forwards[i].wan_port) == key->port)
			return true;
	return false;
}

int hearth_nat_forwards_sync(struct hearth_dp *dp, const struct hearth_config *cfg)
{
	int fd = dp->map_fd[HEARTH_DP_NATFWD];
	struct hearth_nat_fwd_key key, next;
	struct hearth_nat_fwd fwd;
	void *prev = NULL;
	int ret;

	for (int i = 0; i < cfg->n_forwards; i++) {
		const struct hearth_config_forward *f = &cfg->forwards[i];

		ret = hearth_nat_forward_add(dp, f->proto, f->wan_port, f->addr, f->port,
					     HEARTH_FWD_CONFIG);
		if (ret)
			return ret;
	}
	/* configured forwards the file no longer has go; runtime ones stay */
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		if (!bpf_map_lookup_elem(fd, &key, &fwd) && fwd.origin == HEARTH_FWD_CONFIG &&
		    !configured_forward(cfg, &key)) {
			bpf_map_delete_elem(fd, &key);
			prev = NULL;
		} else {
			prev = &key;
		}
	}
	return 0;
}

in_addr_t hearth_nat_current_addr(struct hearth_dp *dp)
{
	struct hearth_nat_cfg cfg = {};
	__u32 zero = 0;

	bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATCFG], &zero, &cfg);
	return cfg.enabled ? cfg.wan_addr : 0;
}

