// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading and expiring the data plane's connection table. The data plane
 * stamps entries with bpf_jiffies64(); expiry is hearthd's job. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../util/array.h"
#include "conntrack.h"
#include "dpstate.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04

static void classify(struct hearth_conn *c)
{
	__u8 flags = c->orig.tcp_flags | c->reply.tcp_flags;
	int replied = c->reply.packets > 0;

	switch (c->key.proto) {
	case IPPROTO_TCP:
		if (flags & TCP_RST) {
			c->state = "reset";
			c->timeout_s = HEARTH_CT_TCP_RESET;
		} else if (flags & TCP_FIN) {
			c->state = "closing";
			c->timeout_s = HEARTH_CT_TCP_CLOSING;
		} else if (replied && ((c->orig.tcp_flags & TCP_SYN) ?
					      (c->reply.tcp_flags & TCP_SYN) != 0 :
					      !(c->reply.tcp_flags & TCP_SYN))) {
			/* the handshake both ways, or picked up mid-stream */
			c->state = "established";
			c->timeout_s = HEARTH_CT_TCP_ESTABLISHED;
		} else {
			c->state = "opening";
			c->timeout_s = HEARTH_CT_TCP_OPENING;
		}
		break;
	case IPPROTO_UDP:
		c->state = replied ? "replied" : "unreplied";
		c->timeout_s = c->key.dport == htons(53) ? HEARTH_CT_UDP_DNS : HEARTH_CT_UDP;
		break;
	default:
		c->state = replied ? "replied" : "unreplied";
		c->timeout_s = HEARTH_CT_ICMP;
		break;
	}
}

/* Every CPU's copy of every line, read once per walk. */
struct lines {
	struct hearth_ct_l1 *v; /* [index * ncpus + cpu] */
	int ncpus;
};

static int lines_read(struct hearth_dp *dp, struct lines *l)
{
	l->ncpus = libbpf_num_possible_cpus();
	if (l->ncpus <= 0)
		return -EINVAL;
	l->v = calloc((size_t)HEARTH_CT_L1_ENTRIES * l->ncpus, sizeof(*l->v));
	if (!l->v)
		return -ENOMEM;
	for (__u32 i = 0; i < HEARTH_CT_L1_ENTRIES; i++)
		bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_CTL1], &i,
				    &l->v[(size_t)i * l->ncpus]);
	return 0;
}

/* Adds what the lines of @key hold and have not handed over yet. */
static void add_pending(const struct lines *l, const struct hearth_ct_key *key,
			struct hearth_ct_entry *e)
{
	const struct hearth_ct_l1 *row = &l->v[(size_t)hearth_ct_l1_index(key) * l->ncpus];

	for (int cpu = 0; cpu < l->ncpus; cpu++) {
		const struct hearth_ct_l1 *line = &row[cpu];

		if (!line->nat || memcmp(&line->key, key, sizeof(*key)))
			continue;
		e->packets += line->packets;
		e->bytes += line->bytes;
		e->tcp_flags |= line->tcp_flags;
		if (line->packets && line->last_seen > e->last_seen)
			e->last_seen = line->last_seen;
	}
}

int hearth_ct_walk(struct hearth_dp *dp,
		   int (*fn)(const struct hearth_conn *c, void *arg), void *arg)
{
	int fd = dp->map_fd[HEARTH_DP_CT];
	struct hearth_ct_key key, next;
	struct lines lines = {};
	struct hearth_conn c;
	void *prev = NULL;
	int ret = lines_read(dp, &lines);

	while (!ret && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		memset(&c, 0, sizeof(c));
		if (bpf_map_lookup_elem(fd, &key, &c.orig) || c.orig.dir != HEARTH_CT_ORIG)
			continue; /* gone meanwhile, or the reply half */
		c.key = key;
		/* a half without its peer is still shown, and expires alike */
		bpf_map_lookup_elem(fd, &c.orig.peer, &c.reply);
		add_pending(&lines, &c.key, &c.orig);
		add_pending(&lines, &c.orig.peer, &c.reply);
		classify(&c);
		ret = fn(&c, arg);
	}
	free(lines.v);
	return ret;
}

struct expiry {
	__u64 now;
	unsigned int hz;
	size_t n;
	struct hearth_ct_key *victims;
	size_t cap;
};

static int collect_expired(const struct hearth_conn *c, void *arg)
{
	struct expiry *x = arg;
	__u64 last = c->orig.last_seen > c->reply.last_seen ? c->orig.last_seen :
							      c->reply.last_seen;

	/* stamped after we read the clock: busy, not old */
	if (last >= x->now || x->now - last <= (__u64)c->timeout_s * x->hz)
		return 0;
	if (hearth_array_reserve((void **)&x->victims, &x->cap, x->n + 2,
				 sizeof(*x->victims)))
		return -ENOMEM;
	x->victims[x->n++] = c->key;
	x->victims[x->n++] = c->orig.peer;
	return 0;
}

int hearth_ct_expire(struct hearth_dp *dp, __u64 now, unsigned int hz)
{
	struct expiry x = { .now = now, .hz = hz };
	int ret;

	/* collect first: deleting while walking a hash restarts the walk */
	ret = hearth_ct_walk(dp, collect_expired, &x);
	for (size_t i = 0; !ret && i < x.n; i++)
		bpf_map_delete_elem(dp->map_fd[HEARTH_DP_CT], &x.victims[i]);
	free(x.victims);
	return ret ? ret : (int)(x.n / 2);
}

int hearth_ct_entries(struct hearth_dp *dp)
{
	return hearth_map_count(dp->map_fd[HEARTH_DP_CT], sizeof(struct hearth_ct_key));
}

int hearth_ct_flush(struct hearth_dp *dp)
{
	int fd = dp->map_fd[HEARTH_DP_CT], n = 0;
	struct hearth_ct_key key;

	while (!bpf_map_get_next_key(fd, NULL, &key))
		if (!bpf_map_delete_elem(fd, &key))
			n++;
	return n / 2;
}
