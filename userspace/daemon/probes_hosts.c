// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearthd names the home hosts probe records carry (lib/probe_hosts.h)
 * from the connection table: while a probe is attached, every
 * PROBES_HOSTS_MS and when one is attached, each connection's home ends
 * (the addresses flow exports anonymize) get an index. A host is named
 * from its first connection the walk finds: its packets before that
 * carry index 0.
 */
#include <errno.h>
#include <string.h>

#include "../../util/clock.h"

#include "daemon.h"

static void host_add(struct daemon *d, int family, const union hearth_addr *a)
{
	int ret = hearth_probe_hosts_add(&d->probes.hosts, &d->dp, &d->flows.privacy, family, a);

	if (ret == -ENOSPC && !d->probes.hosts_full_logged) {
		logmsg("probes: %d home hosts named, the most there is room for; later ones are not",
		       HEARTH_PROBE_MAX_HOSTS - 1);
		d->probes.hosts_full_logged = true;
	} else if (ret < 0 && ret != -ENOSPC) {
		logmsg("probes: cannot name a home host: %s", strerror(-ret));
	}
}

/* A connection's home ends: each direction's (the source of one from
 * home, the translated destination of one to it), and any address of
 * its keys in the home prefixes (the WAN's among them). */
static int host_walk_one(const struct hearth_conn *c, void *arg)
{
	struct daemon *d = arg;
	const struct hearth_ct_key *keys[] = { &c->key, &c->orig.peer };
	const struct hearth_ct_entry *halves[] = { &c->orig, &c->reply };
	int family = c->key.family;
	union hearth_addr home;

	for (int i = 0; i < 2; i++) {
		if (i == 0 || halves[i]->active) {
			hearth_ct_host(keys[i], halves[i], &home);
			host_add(d, family, &home);
		}
		if (hearth_flow_privacy_is_home(&d->flows.privacy, family, &keys[i]->saddr))
			host_add(d, family, &keys[i]->saddr);
		if (hearth_flow_privacy_is_home(&d->flows.privacy, family, &keys[i]->daddr))
			host_add(d, family, &keys[i]->daddr);
	}
	return d->probes.hosts.full; /* nothing more to name */
}

void probes_hosts_walk(struct daemon *d)
{
	d->probes.hosts_ms = hearth_monotonic_ms() + PROBES_HOSTS_MS;
	if (!d->probes.hosts.full)
		hearth_ct_walker_run(&d->walker, &d->dp, 0, d->hz, host_walk_one, d);
}

int probes_hosts_open(struct daemon *d)
{
	int ret = hearth_probe_hosts_load(&d->probes.hosts, &d->dp, &d->flows.privacy);

	if (ret)
		logmsg("probes: cannot read the home hosts named before: %s", strerror(-ret));
	return ret;
}
