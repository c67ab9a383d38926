// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The firewall's settings into the data plane. */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "dpstate.h"
#include "firewall.h"
#include "ifaces.h"

static struct hearth_home_key home_key(const struct hearth_prefix *p)
{
	struct hearth_home_key key = {};

	if (p->family == AF_INET) {
		key.prefixlen = 96 + p->len;
		key.addr.ip4 = p->addr.v4.s_addr;
	} else {
		key.prefixlen = p->len;
		memcpy(key.addr.b, &p->addr.v6, 16);
	}
	return key;
}

static bool home_wanted(const void *key_arg, const void *cfg_arg)
{
	const struct hearth_home_key *key = key_arg;
	const struct hearth_config *cfg = cfg_arg;
	struct hearth_home_key k;

	k = home_key(&cfg->chute_pool);
	if (cfg->chute_pool.len && !memcmp(&k, key, sizeof(k)))
		return true;
	for (int i = 0; i < cfg->n_ifaces; i++)
		for (int j = 0; cfg->ifaces[i].role == HEARTH_ROLE_LAN &&
				j < cfg->ifaces[i].n_prefixes; j++) {
			k = home_key(&cfg->ifaces[i].prefixes[j]);
			if (!memcmp(&k, key, sizeof(k)))
				return true;
		}
	return false;
}

/* The home's prefixes (sources BCP 38 lets out, and no WAN packet may
 * claim): the LAN subnets of both families and the chute pool. Added
 * before stale ones go, so a home host never looks foreign. */
static int home_sync(struct hearth_dp *dp, const struct hearth_config *cfg)
{
	int fd = dp->map_fd[HEARTH_DP_HOME];
	struct hearth_home_key key;
	__u32 one = 1;

	for (int i = 0; i < cfg->n_ifaces; i++)
		for (int j = 0; cfg->ifaces[i].role == HEARTH_ROLE_LAN &&
				j < cfg->ifaces[i].n_prefixes; j++) {
			key = home_key(&cfg->ifaces[i].prefixes[j]);
			if (bpf_map_update_elem(fd, &key, &one, BPF_ANY))
				return -errno;
		}
	key = home_key(&cfg->chute_pool);
	if (cfg->chute_pool.len && bpf_map_update_elem(fd, &key, &one, BPF_ANY))
		return -errno;
	return hearth_map_prune(fd, sizeof(key), home_wanted, cfg);
}

static bool iface_open(const struct hearth_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->fw.n_open; i++)
		if (!strcmp(cfg->fw.open[i], name))
			return true;
	return false;
}

/* HEARTH_IFACE_FW_OPEN on the attached LAN interfaces the file opens,
 * off on every other one. */
static int open_sync(struct hearth_dp *dp, const struct hearth_config *cfg)
{
	struct hearth_iface iface;

	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++) {
		__u32 flags;

		if (hearth_dp_iface_get(dp, slot, &iface) || !iface.ifindex)
			continue;
		flags = iface.flags & ~(__u32)HEARTH_IFACE_FW_OPEN;
		if (iface.role == HEARTH_ROLE_LAN && iface_open(cfg, iface.name))
			flags |= HEARTH_IFACE_FW_OPEN;
		if (flags == iface.flags)
			continue;
		iface.flags = flags;
		if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_IFACES], &slot, &iface, BPF_EXIST))
			return -errno;
	}
	return 0;
}

/* The pinholes go in before the count that makes the data plane read
 * them. */
static int pinholes_put(struct hearth_dp *dp, const struct hearth_config *cfg,
			const struct hearth_pinhole *extra, int n_extra, __u32 *n)
{
	int fd = dp->map_fd[HEARTH_DP_PINHOLES];
	const struct hearth_pinhole *ph;

	*n = 0;
	for (int i = 0; i < cfg->fw.n_pinholes + n_extra; i++) {
		ph = i < cfg->fw.n_pinholes ? &cfg->fw.pinholes[i] :
					      &extra[i - cfg->fw.n_pinholes];
		if (*n == HEARTH_PINHOLES)
			return -ENOSPC;
		if (bpf_map_update_elem(fd, n, ph, BPF_ANY))
			return -errno;
		(*n)++;
	}
	return 0;
}

int hearth_fw_apply(struct hearth_dp *dp, const struct hearth_config *cfg,
		    const struct hearth_pinhole *extra, int n_extra, struct hearth_err *err)
{
	struct hearth_fw_cfg fw = {
		.enabled = !cfg->fw.off,
		.echo6_in = !cfg->fw.echo6_refused,
	};
	__u32 zero = 0;
	int ret;

	ret = home_sync(dp, cfg);
	if (ret)
		return hearth_err_set(err, -ret, "cannot write the home prefixes: %s",
				      strerror(-ret));
	ret = open_sync(dp, cfg);
	if (ret)
		return hearth_err_set(err, -ret, "cannot mark the open interfaces: %s",
				      strerror(-ret));
	ret = pinholes_put(dp, cfg, extra, n_extra, &fw.n_pinholes);
	if (ret)
		return hearth_err_set(err, -ret, "cannot write the pinholes: %s",
				      strerror(-ret));
	if (bpf_map_update_elem(dp->map_fd[HEARTH_DP_FWCFG], &zero, &fw, BPF_ANY))
		return hearth_err_set(err, errno, "cannot write the firewall settings: %s",
				      strerror(errno));
	return 0;
}
