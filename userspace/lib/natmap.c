// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The endpoint-independent mapping table (HEARTH_MAP_NATMAP) as hearthd
 * keeps it: a mapping, and the filtering permissions of its inside
 * endpoint, stay while a connection uses them and for
 * HEARTH_NAT_MAPPING_MS after the last connection opened on them.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "../../util/array.h"
#include "conntrack.h"
#include "natmap.h"

/* A growing list of mapping keys: those the live connections use (OUT
 * and PERMIT, sorted once collected), and those to delete. */
struct key_list {
	struct hearth_nat_map_key *keys;
	size_t n, cap;
};

static int key_list_add(struct key_list *l, const struct hearth_nat_map_key *key)
{
	int ret = hearth_array_reserve((void **)&l->keys, &l->cap, l->n + 1,
				       sizeof(*l->keys));

	if (ret)
		return ret;
	l->keys[l->n++] = *key;
	return 0;
}

/*
 * One direction of a connection whose source is translated uses the
 * mapping of its key's source, and the permission of that mapping's
 * public port for the far end: its destination, or for a hairpin the WAN
 * address (the source it was given). Forwards come through here too;
 * they hold no mapping, so their keys match nothing.
 */
static int in_use_entry(struct key_list *use, const struct hearth_ct_key *key,
			const struct hearth_ct_entry *e)
{
	struct hearth_nat_map_key out = { .addr = key->saddr.ip4, .port = key->sport,
					  .proto = key->proto, .kind = HEARTH_NATMAP_OUT };
	struct hearth_nat_map_key permit = {
		.addr = e->nat & HEARTH_CT_NAT_DST ? e->nat_saddr : key->daddr.ip4,
		.port = e->nat_sport, .proto = key->proto, .kind = HEARTH_NATMAP_PERMIT,
	};
	int ret;

	if (!(e->nat & HEARTH_CT_NAT_SRC) || key->proto == IPPROTO_ICMP)
		return 0;
	ret = key_list_add(use, &out);
	return ret ? ret : key_list_add(use, &permit);
}

static int collect_in_use(const struct hearth_conn *c, void *arg)
{
	int ret = in_use_entry(arg, &c->key, &c->orig);

	return ret ? ret : in_use_entry(arg, &c->orig.peer, &c->reply);
}

static int key_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct hearth_nat_map_key));
}

static bool used(const struct key_list *u, const struct hearth_nat_map_key *key)
{
	return bsearch(key, u->keys, u->n, sizeof(*key), key_cmp) != NULL;
}

struct sweep {
	struct key_list use, victims;
};

/* An IN entry whose OUT entry is gone or names another port: a mapping
 * that a race or a crash left half made. */
static bool orphan(int fd, const struct hearth_nat_map_key *in,
		   const struct hearth_nat_mapping *m)
{
	struct hearth_nat_map_key out = { .addr = m->addr, .port = m->port,
					  .proto = in->proto,
					  .kind = HEARTH_NATMAP_OUT };
	struct hearth_nat_mapping o;

	return bpf_map_lookup_elem(fd, &out, &o) || o.port != in->port;
}

/* Chooses what goes: unused and idle past the mapping timer. A mapping
 * goes with its IN entry. */
static int collect_idle(int fd, struct sweep *s, __u64 now, __u64 idle)
{
	struct hearth_nat_map_key key, next, in;
	struct hearth_nat_mapping m;
	void *prev = NULL;
	int ret = 0;

	while (!ret && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		/* stamped after the clock was read, or recent: kept */
		if (bpf_map_lookup_elem(fd, &key, &m) || m.last_used >= now ||
		    now - m.last_used <= idle)
			continue;
		switch (key.kind) {
		case HEARTH_NATMAP_OUT:
			if (used(&s->use, &key))
				break;
			in = (struct hearth_nat_map_key){ .port = m.port, .proto = key.proto,
							  .kind = HEARTH_NATMAP_IN };
			ret = key_list_add(&s->victims, &key);
			if (!ret)
				ret = key_list_add(&s->victims, &in);
			break;
		case HEARTH_NATMAP_PERMIT:
			if (!used(&s->use, &key))
				ret = key_list_add(&s->victims, &key);
			break;
		case HEARTH_NATMAP_IN:
			if (orphan(fd, &key, &m))
				ret = key_list_add(&s->victims, &key);
			break;
		default:
			ret = key_list_add(&s->victims, &key);
		}
	}
	return ret;
}

int hearth_natmap_expire(struct hearth_dp *dp, struct hearth_ct_walker *w, __u64 now,
			 unsigned int hz)
{
	int fd = dp->map_fd[HEARTH_DP_NATMAP], ret, gone = 0;
	struct sweep s = {};

	ret = w ? hearth_ct_walker_run(w, dp, now, hz, collect_in_use, &s.use) :
		  hearth_ct_walk_at(dp, now, hz, collect_in_use, &s.use);
	if (!ret) {
		qsort(s.use.keys, s.use.n, sizeof(*s.use.keys), key_cmp);
		ret = collect_idle(fd, &s, now, (__u64)HEARTH_NAT_MAPPING_MS * hz / 1000);
	}
	/* deleted after the walk: deleting while walking a hash restarts it */
	for (size_t i = 0; !ret && i < s.victims.n; i++)
		if (!bpf_map_delete_elem(fd, &s.victims.keys[i]) &&
		    s.victims.keys[i].kind == HEARTH_NATMAP_OUT)
			gone++;
	free(s.use.keys);
	free(s.victims.keys);
	return ret ? ret : gone;
}

int hearth_natmap_flush(struct hearth_dp *dp)
{
	int fd = dp->map_fd[HEARTH_DP_NATMAP], n = 0;
	struct hearth_nat_map_key key;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (!bpf_map_delete_elem(fd, &key) && key.kind == HEARTH_NATMAP_OUT)
			n++;
	return n;
}

int hearth_natmap_walk(struct hearth_dp *dp,
		       int (*fn)(const struct hearth_nat_map_key *key,
				 const struct hearth_nat_mapping *m, void *arg),
		       void *arg)
{
	int fd = dp->map_fd[HEARTH_DP_NATMAP], ret = 0;
	struct hearth_nat_map_key key, next;
	struct hearth_nat_mapping m;
	void *prev = NULL;

	while (!ret && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &m))
			ret = fn(&key, &m, arg);
	}
	return ret;
}
