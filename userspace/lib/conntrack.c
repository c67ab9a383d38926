// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Reading the data plane's connection table (bpf/lib/ct_table.h), which
 * the data plane alone expires and evicts: an entry idle past its timeout
 * is absent to it, and shown by none of these. */
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
#include "kclock.h"

static const char *const tcp_state_names[HEARTH_TCP_STATE_MAX] = {
	[HEARTH_TCP_NONE] = "none",
	[HEARTH_TCP_SYN_SENT] = "syn-sent",
	[HEARTH_TCP_SYN_RECV] = "syn-recv",
	[HEARTH_TCP_ESTABLISHED] = "established",
	[HEARTH_TCP_FIN_WAIT] = "fin-wait",
	[HEARTH_TCP_CLOSE_WAIT] = "close-wait",
	[HEARTH_TCP_LAST_ACK] = "last-ack",
	[HEARTH_TCP_TIME_WAIT] = "time-wait",
	[HEARTH_TCP_CLOSE] = "close",
	[HEARTH_TCP_SYN_SENT2] = "syn-sent2",
};

static void classify(struct hearth_conn *c)
{
	if (c->key.proto == IPPROTO_TCP && c->orig.state < HEARTH_TCP_STATE_MAX)
		c->state = tcp_state_names[c->orig.state];
	else
		c->state = c->orig.flags & HEARTH_CT_F_REPLIED ? "replied" : "unreplied";
	c->timeout_s = hearth_ct_timeout_s(&c->key, &c->orig);
}

/* Every CPU's copy of every line, read once per walk (into the buffer of
 * the walks before, when there was one). */
static int lines_read(struct hearth_ct_walker *w)
{
	if (!w->lines) {
		w->ncpus = libbpf_num_possible_cpus();
		if (w->ncpus <= 0)
			return -EINVAL;
		w->lines = calloc((size_t)HEARTH_CT_L1_ENTRIES * w->ncpus, sizeof(*w->lines));
		if (!w->lines)
			return -ENOMEM;
	}
	for (__u32 i = 0; i < HEARTH_CT_L1_ENTRIES; i++)
		if (bpf_map_lookup_elem(w->dp->map_fd[HEARTH_DP_CTL1], &i,
					&w->lines[(size_t)i * w->ncpus]))
			memset(&w->lines[(size_t)i * w->ncpus], 0, sizeof(*w->lines) * w->ncpus);
	return 0;
}

/* Adds what the lines of @key (in @slot) hold and have not handed over
 * yet: the lines of this very entry, by its slot and generation. */
static void add_pending(const struct hearth_ct_walker *w, const struct hearth_ct_key *key,
			__u32 slot, struct hearth_ct_entry *e)
{
	const struct hearth_ct_l1 *row = &w->lines[(size_t)hearth_ct_l1_index(key) * w->ncpus];

	for (int cpu = 0; cpu < w->ncpus; cpu++) {
		const struct hearth_ct_l1 *line = &row[cpu];

		if (!line->nat || line->slot != slot || line->slot_gen != e->gen ||
		    memcmp(&line->key, key, sizeof(*key)))
			continue;
		e->packets += line->packets;
		e->bytes += line->bytes;
		e->tcp_flags |= line->tcp_flags;
		if (line->packets && line->last_seen > e->last_seen)
			e->last_seen = line->last_seen;
	}
}

/* How many sets the table @fd has, or a negative errno. */
static int table_sets(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	return info.value_size == sizeof(struct hearth_ct_set) ? (int)info.max_entries : -EINVAL;
}

/* The whole table into w->sets, each set read under its lock: in batches
 * where the kernel can (one call for the lot), else set by set. */
static int table_read(struct hearth_ct_walker *w)
{
	int fd = w->dp->map_fd[HEARTH_DP_CT], ret = table_sets(fd);
	DECLARE_LIBBPF_OPTS(bpf_map_batch_opts, opts, .elem_flags = BPF_F_LOCK);
	__u32 count, out;

	if (ret < 0)
		return ret;
	if ((__u32)ret != w->n_sets) {
		free(w->sets);
		free(w->keys);
		w->n_sets = (__u32)ret;
		w->sets = calloc(w->n_sets, sizeof(*w->sets));
		w->keys = calloc(w->n_sets, sizeof(*w->keys));
		if (!w->sets || !w->keys) {
			w->n_sets = 0;
			return -ENOMEM;
		}
	}
	count = w->n_sets;
	if (!bpf_map_lookup_batch(fd, NULL, &out, w->keys, w->sets, &count, &opts) &&
	    count == w->n_sets)
		return 0;
	for (__u32 i = 0; i < w->n_sets; i++) {
		ret = bpf_map_lookup_elem_flags(fd, &i, &w->sets[i], BPF_F_LOCK);
		if (ret)
			return ret;
	}
	return 0;
}

/* One record read for each connection asked about, not the whole array
 * (a full table's is 15 MB): a walk that reports nothing reads none, and
 * no copy of it is kept. */
void hearth_ct_walker_rtt(struct hearth_ct_walker *w, struct hearth_conn *c)
{
	int fd = w->dp ? w->dp->map_fd[HEARTH_DP_CTRTT] : -1;
	struct hearth_ct_rtt r;

	memset(&c->rtt, 0, sizeof(c->rtt));
	if (fd >= 0 && !bpf_map_lookup_elem(fd, &c->slot, &r) && r.gen == c->orig.gen)
		c->rtt = r;
}

static const struct hearth_ct_slot *table_slot(const struct hearth_ct_walker *w, __u32 index)
{
	__u32 set = index / HEARTH_CT_WAYS, way = index % HEARTH_CT_WAYS;

	if (set >= w->n_sets || !w->sets[set].tag[way])
		return NULL;
	return &w->sets[set].slot[way];
}

/* Is the slot in use and its connection alive at @now (0: any age)? */
static bool slot_alive(const struct hearth_ct_slot *s, __u64 now, unsigned int hz)
{
	if (!now || s->e.active >= now)
		return true;
	return s->e.active && now - s->e.active <= hearth_ct_idle_max(&s->key, &s->e, hz);
}

/* The connection whose original half is slot @i of the table just read. */
static void conn_at(const struct hearth_ct_walker *w, __u32 i, const struct hearth_ct_slot *s,
		    struct hearth_conn *c)
{
	const struct hearth_ct_slot *peer = table_slot(w, s->e.peer_slot);

	memset(c, 0, sizeof(*c));
	c->key = s->key;
	c->orig = s->e;
	c->slot = i;
	/* a half whose other half is gone is still shown */
	if (peer && peer->e.gen == s->e.peer_gen &&
	    !memcmp(&peer->key, &s->e.peer, sizeof(peer->key)))
		c->reply = peer->e;
	add_pending(w, &c->key, i, &c->orig);
	add_pending(w, &c->orig.peer, s->e.peer_slot, &c->reply);
	classify(c);
}

int hearth_ct_walker_run(struct hearth_ct_walker *w, struct hearth_dp *dp, __u64 now,
			 unsigned int hz, int (*fn)(const struct hearth_conn *c, void *arg),
			 void *arg)
{
	struct hearth_conn c;
	int ret;

	w->dp = dp;
	ret = table_read(w);
	if (!ret)
		ret = lines_read(w);
	for (__u32 i = 0; !ret && i < w->n_sets * HEARTH_CT_WAYS; i++) {
		const struct hearth_ct_slot *s = table_slot(w, i);

		if (!s || s->e.dir != HEARTH_CT_ORIG || !slot_alive(s, now, hz))
			continue;
		conn_at(w, i, s, &c);
		ret = fn(&c, arg);
	}
	return ret;
}

void hearth_ct_walker_free(struct hearth_ct_walker *w)
{
	free(w->sets);
	free(w->keys);
	free(w->lines);
	memset(w, 0, sizeof(*w));
}

int hearth_ct_walk_at(struct hearth_dp *dp, __u64 now, unsigned int hz,
		      int (*fn)(const struct hearth_conn *c, void *arg), void *arg)
{
	struct hearth_ct_walker w = {};
	int ret = hearth_ct_walker_run(&w, dp, now, hz, fn, arg);

	hearth_ct_walker_free(&w);
	return ret;
}

int hearth_ct_walk(struct hearth_dp *dp,
		   int (*fn)(const struct hearth_conn *c, void *arg), void *arg)
{
	__u64 now = 0;

	/* without the clock, expired entries are shown too */
	if (hearth_jiffies_now(&now))
		now = 0;
	return hearth_ct_walk_at(dp, now, hearth_kernel_hz(), fn, arg);
}

/* Reads @key's set into @set (under its lock); its way in *way, -ENOENT
 * when the set does not hold it. */
static int set_of(int fd, const struct hearth_ct_key *key, struct hearth_ct_set *set,
		  __u32 *index, int *way)
{
	__u64 hash = hearth_ct_hash(key);
	int ret = table_sets(fd);

	if (ret < 0)
		return ret;
	*index = (__u32)hash & ((__u32)ret - 1);
	ret = bpf_map_lookup_elem_flags(fd, index, set, BPF_F_LOCK);
	if (ret)
		return ret;
	for (*way = 0; *way < HEARTH_CT_WAYS; (*way)++)
		if (set->tag[*way] == hearth_ct_tag(hash) &&
		    !memcmp(&set->slot[*way].key, key, sizeof(*key)))
			return 0;
	return -ENOENT;
}

enum key_op { KEY_READ, KEY_WRITE, KEY_DELETE };

/* Reads, rewrites or frees @key's slot (in its set, read and written back
 * under its lock, not in one go: for tests and tools). */
static int key_op(int fd, const struct hearth_ct_key *key, enum key_op op,
		  struct hearth_ct_entry *e)
{
	struct hearth_ct_set *set = malloc(sizeof(*set));
	__u32 index;
	int way, ret;

	if (!set)
		return -ENOMEM;
	ret = set_of(fd, key, set, &index, &way);
	if (!ret && op == KEY_READ)
		*e = set->slot[way].e;
	if (!ret && op != KEY_READ) {
		if (op == KEY_WRITE)
			set->slot[way].e = *e;
		else
			set->tag[way] = 0;
		ret = bpf_map_update_elem(fd, &index, set, BPF_F_LOCK) ? -errno : 0;
	}
	free(set);
	return ret;
}

int hearth_ct_lookup(int fd, const struct hearth_ct_key *key, struct hearth_ct_entry *e)
{
	return key_op(fd, key, KEY_READ, e);
}

int hearth_ct_update(int fd, const struct hearth_ct_key *key, const struct hearth_ct_entry *e)
{
	struct hearth_ct_entry copy = *e;

	return key_op(fd, key, KEY_WRITE, &copy);
}

int hearth_ct_delete(int fd, const struct hearth_ct_key *key)
{
	return key_op(fd, key, KEY_DELETE, NULL);
}

int hearth_ct_insert(int fd, const struct hearth_ct_key *key, struct hearth_ct_entry *e)
{
	struct hearth_ct_set *set = malloc(sizeof(*set));
	__u64 hash = hearth_ct_hash(key);
	__u32 index;
	int way, ret;

	if (!set)
		return -ENOMEM;
	ret = set_of(fd, key, set, &index, &way);
	if (ret == -ENOENT) {
		for (way = 0; way < HEARTH_CT_WAYS && set->tag[way]; way++)
			;
		ret = way < HEARTH_CT_WAYS ? 0 : -ENOSPC;
	}
	if (!ret) {
		e->gen = set->slot[way].e.gen + 1;
		set->tag[way] = hearth_ct_tag(hash);
		set->slot[way].key = *key;
		set->slot[way].e = *e;
		ret = bpf_map_update_elem(fd, &index, set, BPF_F_LOCK) ?
			      -errno :
			      (int)(index * HEARTH_CT_WAYS + (__u32)way);
	}
	free(set);
	return ret;
}


int hearth_ct_entries(struct hearth_dp *dp)
{
	struct hearth_ct_walker w = { .dp = dp };
	__u64 now = 0;
	int n = 0, ret;

	if (hearth_jiffies_now(&now))
		now = 0;
	ret = table_read(&w);
	for (__u32 i = 0; !ret && i < w.n_sets * HEARTH_CT_WAYS; i++) {
		const struct hearth_ct_slot *s = table_slot(&w, i);

		if (s && slot_alive(s, now, hearth_kernel_hz()))
			n++;
	}
	hearth_ct_walker_free(&w);
	return ret ? ret : n;
}

int hearth_ct_capacity(struct hearth_dp *dp)
{
	int sets = table_sets(dp->map_fd[HEARTH_DP_CT]);

	return sets < 0 ? sets : sets * HEARTH_CT_WAYS;
}

/*
 * Calls @fn on each set of the table, read under its lock, and writes the
 * set back (under its lock) when @fn returns more than 0. Not in one go:
 * an entry the data plane writes in between is lost, and its connection
 * opened again by its next packet; for flushes and rare changes only.
 * Returns the sum of what @fn returned.
 */
static int rewrite_sets(struct hearth_dp *dp, int (*fn)(struct hearth_ct_set *set, void *arg),
			void *arg)
{
	int fd = dp->map_fd[HEARTH_DP_CT], n = 0, sets = table_sets(fd);
	struct hearth_ct_set *set;

	if (sets < 0)
		return sets;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	for (__u32 i = 0; i < (__u32)sets; i++) {
		int changed;

		if (bpf_map_lookup_elem_flags(fd, &i, set, BPF_F_LOCK))
			continue;
		changed = fn(set, arg);
		if (changed > 0 && !bpf_map_update_elem(fd, &i, set, BPF_F_LOCK))
			n += changed;
	}
	free(set);
	return n;
}

/* Empties @set, adding the connections it held (their original halves)
 * to *@arg; returns the entries it held. */
static int empty_set(struct hearth_ct_set *set, void *arg)
{
	int used = 0;

	for (int w = 0; w < HEARTH_CT_WAYS; w++) {
		used += !!set->tag[w];
		*(int *)arg += set->tag[w] && set->slot[w].e.dir == HEARTH_CT_ORIG;
	}
	memset(set, 0, sizeof(*set));
	return used;
}

int hearth_ct_flush(struct hearth_dp *dp)
{
	int conns = 0, ret = rewrite_sets(dp, empty_set, &conns);

	return ret < 0 ? ret : conns;
}

struct retenant {
	__u32 from, to;
};

static int retenant_set(struct hearth_ct_set *set, void *arg)
{
	const struct retenant *r = arg;
	int changed = 0;

	for (int w = 0; w < HEARTH_CT_WAYS; w++) {
		if (!set->tag[w] || set->slot[w].e.tenant != r->from)
			continue;
		set->slot[w].e.tenant = r->to;
		changed++;
	}
	return changed;
}

int hearth_ct_retenant(struct hearth_dp *dp, __u32 from, __u32 to)
{
	struct retenant r = { .from = from, .to = to };

	return rewrite_sets(dp, retenant_set, &r);
}

#define CT_EVENT_NAME_(id, name, desc) [HEARTH_CT_EV_##id] = name,
static const char *const ct_event_names[HEARTH_CT_EV_MAX] = {
	HEARTH_CT_EVENTS(CT_EVENT_NAME_)
};
#undef CT_EVENT_NAME_

const char *hearth_ct_event_name(__u32 id)
{
	return id < HEARTH_CT_EV_MAX ? ct_event_names[id] : "?";
}

int hearth_ct_events(struct hearth_dp *dp, __u64 counts[HEARTH_CT_EV_MAX])
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *v;
	int ret = 0;

	if (ncpus <= 0)
		return -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (__u32 id = 0; !ret && id < HEARTH_CT_EV_MAX; id++) {
		counts[id] = 0;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_CTSTATS], &id, v)) {
			ret = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpus; cpu++)
			counts[id] += v[cpu];
	}
	free(v);
	return ret;
}
