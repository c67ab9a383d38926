// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * What chutes may not reach on their own (bpf/lib/isolate.h): the home's
 * IPv4 subnets and the chute pool, except the gateway's address on each
 * chute's link.
 */
#include <errno.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>

#include "dpstate.h"
#include "isolate.h"

static int isolate_put(int fd, __u32 len, __be32 addr, __u32 kind)
{
	struct hearth_isolate_key key = { .prefixlen = len, .addr = addr };

	return bpf_map_update_elem(fd, &key, &kind, BPF_ANY) ? -errno : 0;
}

/* The entry @cfg wants for @key, or -1. */
static int isolate_wanted(const struct hearth_config *cfg,
			  const struct hearth_isolate_key *key)
{
	const struct hearth_prefix *pool = &cfg->chute_pool;
	__u32 first = ntohl(pool->addr.v4.s_addr), a = ntohl(key->addr);

	if (key->prefixlen == pool->len && key->addr == pool->addr.v4.s_addr)
		return HEARTH_ISOLATE_CHUTE;
	if (key->prefixlen == 32 && pool->len && a >= first &&
	    a - first < hearth_chute_pool_size(pool) * 4 && (a - first) % 4 == 1)
		return HEARTH_ISOLATE_OPEN;
	return hearth_config_lan_v4(cfg, key->prefixlen, key->addr) ? HEARTH_ISOLATE_HOME : -1;
}

static bool isolate_kept(const void *key, const void *cfg)
{
	return isolate_wanted(cfg, key) >= 0;
}

int hearth_isolate_sync(struct hearth_dp *dp, const struct hearth_config *cfg)
{
	const struct hearth_prefix *pool = &cfg->chute_pool;
	int fd = dp->map_fd[HEARTH_DP_ISOLATE];
	int ret = 0;

	/* add before removing: a chute must never find the home open */
	for (int i = 0; !ret && i < cfg->n_ifaces; i++) {
		const struct hearth_config_iface *ci = &cfg->ifaces[i];

		for (int j = 0; !ret && ci->role == HEARTH_ROLE_LAN && j < ci->n_prefixes; j++)
			if (ci->prefixes[j].family == AF_INET)
				ret = isolate_put(fd, ci->prefixes[j].len,
						  ci->prefixes[j].addr.v4.s_addr,
						  HEARTH_ISOLATE_HOME);
	}
	if (!ret && pool->len)
		ret = isolate_put(fd, pool->len, pool->addr.v4.s_addr, HEARTH_ISOLATE_CHUTE);
	for (__u32 i = 0; !ret && i < hearth_chute_pool_size(pool); i++)
		ret = isolate_put(fd, 32, hearth_chute_pool_addr(pool, i, 1),
				  HEARTH_ISOLATE_OPEN);
	if (ret)
		return ret;
	return hearth_map_prune(fd, sizeof(struct hearth_isolate_key), isolate_kept, cfg);
}
