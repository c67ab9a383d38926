// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Home addresses out of flow records: which they are, and anonymizing them. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "flow_privacy.h"

int hearth_flow_privacy_init(struct hearth_flow_privacy *p, bool raw, const __u8 key[32])
{
	memset(p, 0, sizeof(*p));
	p->raw = raw;
	return raw ? 0 : hearth_cryptopan_init(&p->pan, key);
}

void hearth_flow_privacy_free(struct hearth_flow_privacy *p)
{
	hearth_cryptopan_free(&p->pan);
}

static void add_prefix(struct hearth_flow_privacy *p, const struct hearth_prefix *pfx)
{
	if (p->n_home < HEARTH_FLOW_HOME_PREFIXES)
		p->home[p->n_home++] = *pfx;
}

/* The WAN interface's addresses: IPv4 as they are, IPv6 by prefix. */
static int add_wan(struct hearth_flow_privacy *p, const char *wan)
{
	struct ifaddrs *all, *ifa;

	if (getifaddrs(&all))
		return -errno;
	for (ifa = all; ifa; ifa = ifa->ifa_next) {
		struct hearth_prefix pfx = {};

		if (!ifa->ifa_addr || strcmp(ifa->ifa_name, wan))
			continue;
		if (ifa->ifa_addr->sa_family == AF_INET) {
			pfx.family = AF_INET;
			pfx.len = 32;
			pfx.addr.v4 = ((struct sockaddr_in *)ifa->ifa_addr)->sin_addr;
		} else if (ifa->ifa_addr->sa_family == AF_INET6) {
			const struct in6_addr *a = &((struct sockaddr_in6 *)ifa->ifa_addr)->sin6_addr;

			if (IN6_IS_ADDR_LINKLOCAL(a))
				continue; /* never routed: no flow carries it out */
			pfx.family = AF_INET6;
			pfx.len = 64;
			pfx.addr.v6 = *a;
			memset(&pfx.addr.v6.s6_addr[8], 0, 8);
		} else {
			continue;
		}
		add_prefix(p, &pfx);
	}
	freeifaddrs(all);
	return 0;
}

int hearth_flow_privacy_prefixes(struct hearth_flow_privacy *p, const struct hearth_config *cfg)
{
	const char *wan = NULL;

	p->n_home = 0;
	for (int i = 0; i < cfg->n_ifaces; i++) {
		const struct hearth_config_iface *iface = &cfg->ifaces[i];

		if (iface->role == HEARTH_ROLE_WAN)
			wan = iface->name;
		for (int j = 0; j < iface->n_prefixes; j++)
			add_prefix(p, &iface->prefixes[j]);
	}
	if (cfg->chute_pool.family)
		add_prefix(p, &cfg->chute_pool);
	return wan ? add_wan(p, wan) : 0;
}

static bool prefix_has(const struct hearth_prefix *pfx, int family, const union hearth_addr *a)
{
	const __u8 *want = family == AF_INET ? (const __u8 *)&pfx->addr.v4 : pfx->addr.v6.s6_addr;
	const __u8 *have = family == AF_INET ? (const __u8 *)&a->ip4 : a->b;
	unsigned int whole = pfx->len / 8, rest = pfx->len % 8;

	if (pfx->family != family || memcmp(want, have, whole))
		return false;
	return !rest || !((want[whole] ^ have[whole]) & (0xff00 >> rest));
}

bool hearth_flow_privacy_is_home(const struct hearth_flow_privacy *p, int family,
				 const union hearth_addr *a)
{
	for (int i = 0; i < p->n_home; i++)
		if (prefix_has(&p->home[i], family, a))
			return true;
	return false;
}

static int anonymize(const struct hearth_flow_privacy *p, int family, union hearth_addr *a)
{
	if (family == AF_INET)
		return hearth_cryptopan_ip4(&p->pan, a->ip4, &a->ip4);
	return hearth_cryptopan_ip6(&p->pan, a->b, a->b);
}

int hearth_flow_privacy_address(const struct hearth_flow_privacy *p, int family,
				union hearth_addr *a)
{
	if (p->raw)
		return 0;
	return anonymize(p, family, a) ? -EIO : 1;
}

int hearth_flow_anonymize(const struct hearth_flow_privacy *p, struct hearth_flow *f)
{
	union hearth_addr *addrs[] = { &f->saddr, &f->daddr, &f->xsaddr, &f->xdaddr };
	/* the home end, before and after translation, wherever it lies */
	bool from_home = f->side == HEARTH_CT_SIDE_HOME;
	bool home[] = { from_home, !from_home, from_home, !from_home };
	int ret = 0;

	if (p->raw)
		return 0;
	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]) && !ret; i++)
		if (home[i] || hearth_flow_privacy_is_home(p, f->family, addrs[i]))
			ret = anonymize(p, f->family, addrs[i]);
	f->anonymized = !ret;
	return ret;
}

int hearth_flow_privacy_endpoint(const struct hearth_flow_privacy *p,
				 const struct sockaddr_storage *sa, char *out, size_t len)
{
	const struct sockaddr_in6 *s6 = (const void *)sa;
	const struct sockaddr_in *s4 = (const void *)sa;
	int family = sa->ss_family;
	char text[INET6_ADDRSTRLEN];
	union hearth_addr a = {};
	int ret;

	if (family == AF_INET)
		a.ip4 = s4->sin_addr.s_addr;
	else if (family == AF_INET6)
		memcpy(a.b, &s6->sin6_addr, sizeof(a.b));
	else
		return -EAFNOSUPPORT;
	if (!p->raw && hearth_flow_privacy_is_home(p, family, &a)) {
		ret = anonymize(p, family, &a);
		if (ret)
			return ret;
	}
	if (!inet_ntop(family, family == AF_INET ? (const void *)&a.ip4 : a.b, text, sizeof(text)))
		return -errno;
	ret = snprintf(out, len, family == AF_INET6 ? "[%s]:%u" : "%s:%u", text,
		       ntohs(family == AF_INET6 ? s6->sin6_port : s4->sin_port));
	return ret < 0 || (size_t)ret >= len ? -ENOSPC : 0;
}
