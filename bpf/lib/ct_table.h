/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The connection table: an array of sets of HEARTH_CT_WAYS slots (see
 * maps/hearth_ct.h), kept by the data plane alone.
 *
 * - A key lives in the set its hash chooses. A lookup scans the set's
 *   tags without a lock and compares the key of a matching tag; an entry
 *   idle past its timeout (ct_tcp.h) is absent.
 * - A new entry takes, under the set's lock, a free or expired slot; when
 *   there is none it evicts the lowest-ranked entry (closed, unanswered,
 *   half-open, then answered, the least recently active first), and its
 *   other half is freed after. So a full table never refuses a new
 *   connection while something less valuable than an answered one is in
 *   its set, and never waits on hearthd.
 * - One entry written in four also sweeps, in turn, one expired entry
 *   away (ct_sweep).
 * - Each slot has a generation, +1 at each fill, which the per-CPU lines
 *   copy: a line never hands counts to a newer connection in its slot.
 * - An entry leaves (expired and swept or reused, or evicted) with its
 *   other half, and the counts both halves' lines still hold on every CPU
 *   (ct_retire, after the packet's openings: ct_retire_endings): one
 *   record in the ring of ends, HEARTH_MAP_CTENDS. The
 *   other half's clock goes to 0, which marks it retired: nothing brings
 *   it back, and it leaves no second record.
 *
 * Writers store the tag last and clear it first; a lockless reader that
 * races a reuse of the very slot it reads compares a key that changes
 * under it, and at worst misses (the packet then takes the untracked
 * path, as if the connection had just expired).
 */
#ifndef HEARTH_BPF_CT_TABLE_H
#define HEARTH_BPF_CT_TABLE_H

#include "common.h"
#include "ct_slot.h"
#include "ct_tcp.h"
#include "ct_rtt.h"
#include "probe.h"

/* Load-time setting: the number of sets less one (a power of 2 less 1),
 * as the loader sized HEARTH_MAP_CT. */
const volatile __u32 ct_set_mask = HEARTH_CT_SETS_DEFAULT - 1;

/* What the table's global functions return besides a counter: a slot
 * index with CT_SLOT_FOUND set, or one of these. */
#define CT_SLOT_FOUND (1u << 31)
#define CT_SLOT_INDEX(r) ((r) & ~CT_SLOT_FOUND)
#define CT_ABSENT (HEARTH_CNT_MAX + 8)
#define CT_EXISTS (HEARTH_CNT_MAX + 9)
#define CT_RACED (HEARTH_CNT_MAX + 11)
#define CT_HOST_FULL 2 /* in scratch->ct_exists: the host's share is answered */

/* bpf_loop's bound over CPUs: it stops at the first one past the last. */
#define HEARTH_CPUS_MAX 4096

static __always_inline void ct_event(__u32 id)
{
	__u64 *n = bpf_map_lookup_elem(&HEARTH_MAP_CTSTATS, &id);

	if (n)
		*n += 1;
}

/* The slot's entry while it still holds generation @gen. */
static __always_inline struct hearth_ct_entry *ct_entry_gen(__u32 index, __u32 gen)
{
	struct hearth_ct_slot *s = ct_slot_at(index);

	return s && s->e.gen == gen ? &s->e : 0;
}

static __always_inline int ct_key_equal(const struct hearth_ct_key *a,
					const struct hearth_ct_key *b)
{
	/* keys are 8-byte aligned: five word compares, no branch between */
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return !((x[0] ^ y[0]) | (x[1] ^ y[1]) | (x[2] ^ y[2]) | (x[3] ^ y[3]) |
		 (x[4] ^ y[4]));
}

/*
 * Where @key's live entry is: its slot index with CT_SLOT_FOUND, or
 * CT_ABSENT. A global function, verified once for all its callers.
 */
__noinline __u32 ct_slot_find(const struct hearth_ct_key *key)
{
	__u64 hash, now = bpf_jiffies64();
	struct hearth_ct_set *set;
	__u32 set_index, tag;

	if (!key)
		return CT_ABSENT;
	hash = hearth_ct_hash(key);
	set_index = (__u32)hash & ct_set_mask;
	tag = hearth_ct_tag(hash);
	set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &set_index);
	if (!set)
		return CT_ABSENT;
	for (__u32 i = 0; i < HEARTH_CT_WAYS; i++) {
		struct hearth_ct_slot *s = &set->slot[i];

		if (set->tag[i] != tag || !ct_key_equal(&s->key, key))
			continue;
		if (ct_expired(&s->key, &s->e, now))
			continue; /* a newer one may follow */
		return CT_SLOT_FOUND | set_index << CT_WAY_BITS | i;
	}
	return CT_ABSENT;
}

/* The live entry of @key, or NULL. */
static __always_inline struct hearth_ct_entry *ct_lookup(const struct hearth_ct_key *key)
{
	__u32 r = ct_slot_find(key);
	struct hearth_ct_slot *s;

	if (!(r & CT_SLOT_FOUND))
		return 0;
	s = ct_slot_at(CT_SLOT_INDEX(r));
	return s ? &s->e : 0;
}

/* Frees slot @index if it still holds @key (an evicted entry's other
 * half, a half whose connection could not be completed). */
__noinline int ct_slot_free(__u32 index, const struct hearth_ct_key *key)
{
	__u32 set_index = index >> CT_WAY_BITS, way = index & (HEARTH_CT_WAYS - 1);
	struct hearth_ct_set *set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &set_index);
	int freed = 0;

	if (!set || !key)
		return 0;
	bpf_spin_lock(&set->lock);
	if (set->tag[way] && ct_key_equal(&set->slot[way].key, key)) {
		set->tag[way] = 0;
		set->version++;
		freed = 1;
	}
	bpf_spin_unlock(&set->lock);
	return freed;
}

/* The other half of @e's connection, while its slot still holds it (no
 * lock: a glance, which a reuse of that slot can only make miss). */
static __always_inline struct hearth_ct_entry *ct_peer(const struct hearth_ct_entry *e)
{
	struct hearth_ct_slot *peer = ct_slot_at(e->peer_slot);

	return peer && peer->e.gen == e->peer_gen && ct_key_equal(&peer->key, &e->peer) ?
		       &peer->e :
		       0;
}

/* A slot's lines, to fold into a copy of it. */
struct ct_fold {
	struct hearth_ct_slot *half;
	__u32 line;
	__u32 slot;
	__u32 gen;
};

/* One CPU's line (a bpf_loop callback; it stops past the last CPU). A
 * read only: the line's own CPU drops it at its next refill, as its slot
 * has a newer generation by then or is free. */
static long ct_fold_cpu(__u32 cpu, void *arg)
{
	struct ct_fold *f = arg;
	struct hearth_ct_l1 *line = bpf_map_lookup_percpu_elem(&HEARTH_MAP_CTL1, &f->line, cpu);
	struct hearth_ct_entry *e = &f->half->e;

	if (!line)
		return 1;
	if (line->nat && line->slot == f->slot && line->slot_gen == f->gen) {
		e->packets += line->packets;
		e->bytes += line->bytes;
		e->tcp_flags |= line->tcp_flags;
		if (line->last_seen > e->last_seen)
			e->last_seen = line->last_seen;
	}
	return 0;
}

/* @half (a copy of slot @index) with what its lines still hold. */
static __always_inline void ct_fold_lines(struct hearth_ct_slot *half, __u32 index)
{
	struct ct_fold f = {
		.half = half, .line = hearth_ct_l1_index(&half->key), .slot = index,
		.gen = half->e.gen,
	};

	bpf_loop(HEARTH_CPUS_MAX, ct_fold_cpu, &f, 0);
}

/* Takes the other half of @victim's connection with it, when @victim is
 * freed: its clock goes to 0 (expired, and retired: ct_touch and
 * ct_progress leave it so, and it counts for no host's share from now),
 * unless a packet touched it meanwhile or its slot moved on; then it ends
 * on its own later. No lock: that half's set is not this one's, and BPF
 * holds one lock at a time. Returns 1 when @out holds that half. */
static __always_inline int ct_take_peer(const struct hearth_ct_slot *victim,
					struct hearth_ct_slot *out)
{
	struct hearth_ct_entry *peer = ct_peer(&victim->e);
	__u64 active;

	if (!peer)
		return 0;
	active = peer->active;
	if (!active)
		return 0;
	out->key = victim->e.peer;
	out->e = *peer;
	return __sync_val_compare_and_swap(&peer->active, active, 0) == active;
}

/*
 * @a's half (a copy of its slot, now freed or refilled) has ended: it goes,
 * with its other half (a copy taken with it, when has_peer) and both
 * halves' round-trip times, to the ring of ends with the counts their
 * lines still held, for hearthd and the flow exporters. A half retired
 * already with its other half (clock 0) has been told. The record is built
 * in scratch (BPF's stack is too small for it) and copied to the ring. A
 * global function: verified once.
 */
__noinline int ct_retire(const struct hearth_ct_ending *a)
{
	struct hearth_scratch *scratch;
	struct hearth_ct_end *end;
	__u32 zero = 0, dir, other;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!a || !a->slot.e.active || !scratch)
		return 0;
	end = &scratch->end;
	dir = a->slot.e.dir & 1;
	other = dir ^ 1;
	end->half[dir] = a->slot;
	end->rtt = a->rtt;
	ct_fold_lines(&end->half[dir], a->index);
	end->halves = 1 << dir;
	if (a->has_peer) {
		end->half[other] = a->peer;
		ct_fold_lines(&end->half[other], a->slot.e.peer_slot);
		end->halves |= 1 << other;
	}
	end->reason = a->reason;
	if (probes_attached())
		probe_flow_end(end, dir == HEARTH_CT_ORIG ? a->index : a->slot.e.peer_slot, ct_hz);
	if (bpf_ringbuf_output(&HEARTH_MAP_CTENDS, end, sizeof(*end), 0)) {
		ct_event(HEARTH_CT_EV_ENDS_LOST);
		return 0;
	}
	return 1;
}

/* Why a connection that expired ended. */
static __always_inline __u32 ct_expired_reason(const struct hearth_ct_slot *s)
{
	return s->key.proto == IPPROTO_TCP && s->e.state >= HEARTH_TCP_FIN_WAIT &&
			       s->e.state <= HEARTH_TCP_CLOSE ?
		       HEARTH_CT_END_CLOSED :
		       HEARTH_CT_END_IDLE;
}

/* Keeps a copy of slot @index, just freed, for ct_retire_endings. */
static __always_inline void ct_ending(struct hearth_scratch *c, const struct hearth_ct_slot *s,
				      __u32 index, __u32 reason)
{
	__u32 n = c->endings;

	if (n >= HEARTH_CT_ENDINGS) {
		ct_event(HEARTH_CT_EV_ENDS_LOST);
		return;
	}
	c->ending[n].slot = *s;
	c->ending[n].index = index;
	c->ending[n].reason = reason;
	c->ending[n].has_peer = s->e.active && ct_take_peer(s, &c->ending[n].peer);
	/* their round-trip times, before a new entry in this slot resets them */
	ct_rtt_copy(&c->ending[n].rtt, s, index);
	c->endings = n + 1;
}

/*
 * Retires the connections of the entries this packet freed (ct_retire).
 * The program calls it after it opened a connection, not the table's
 * functions: nested under them, the retirement's frames would pass the
 * 512 bytes of stack a chain of calls has.
 */
__noinline int ct_retire_endings(void)
{
	struct hearth_ct_ending *a;
	struct hearth_scratch *c;
	__u32 zero = 0, n;

	c = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!c)
		return 0;
	n = c->endings;
	for (__u32 i = 0; i < HEARTH_CT_ENDINGS && i < n; i++) {
		a = &c->ending[i];
		ct_retire(a);
	}
	c->endings = 0;
	return 0;
}

/*
 * Frees one expired entry of this CPU's set in turn (its connection
 * retired by ct_retire_endings); the turn moves to the next set when this
 * one has nothing expired left. The ways are read without the lock, and
 * the one chosen again under it.
 */
static __always_inline void ct_sweep(struct hearth_scratch *scratch, __u64 now)
{
	__u32 set_index = scratch->ct_sweep & ct_set_mask, way = HEARTH_CT_WAYS;
	struct hearth_ct_set *set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &set_index);
	struct hearth_ct_slot *s;

	if (!set)
		return;
	for (__u32 i = 0; i < HEARTH_CT_WAYS; i++) {
		if (set->tag[i] && ct_expired(&set->slot[i].key, &set->slot[i].e, now)) {
			way = i;
			break;
		}
	}
	if (way >= HEARTH_CT_WAYS) {
		scratch->ct_sweep++;
		return;
	}
	s = &set->slot[way];
	bpf_spin_lock(&set->lock);
	if (set->tag[way] && ct_expired(&s->key, &s->e, now)) {
		scratch->victim = *s;
		set->tag[way] = 0;
		set->version++;
	} else {
		way = HEARTH_CT_WAYS;
	}
	bpf_spin_unlock(&set->lock);
	if (way >= HEARTH_CT_WAYS)
		return;
	ct_event(HEARTH_CT_EV_SWEPT);
	ct_ending(scratch, &scratch->victim, set_index << CT_WAY_BITS | way,
		  ct_expired_reason(&scratch->victim));
}

/* Load-time setting: how many of a set's ways one home host may hold
 * (the host's share of the whole table: 8 of 16, a half), unless its
 * tenant says otherwise. */
const volatile __u32 ct_host_ways = HEARTH_CT_HOST_WAYS_DEFAULT;

/* The scratch slot's key, where a stack slot would cost a frame. */
const volatile __u32 ct_scratch_key = 0;

/* The share (ways of each set) of a host of the new entry's tenant, in
 * c->ct_share, for ct_insert. */
static __always_inline void ct_host_share(struct hearth_scratch *c, __u16 tenant)
{
	struct hearth_tenant *t;

	c->ct_share = tenant;
	t = bpf_map_lookup_elem(&HEARTH_MAP_TENANTS, &c->ct_share);
	c->ct_share = t && t->ct_host_ways ? t->ct_host_ways : ct_host_ways;
}

/* What ct_scan_way looks at, and where it notes its choice. */
struct ct_scan {
	struct hearth_ct_set *set;
	const struct hearth_ct_key *key;
	const struct hearth_ct_entry *e;
	struct hearth_scratch *c;
};

/*
 * One way of a set, for the way a new entry takes (in c->ct_way): its own
 * key's expired entry (a set never holds a key twice), else the first
 * free one, else the lowest rank (c->ct_rank), the least recently active
 * among equals; c->ct_exists when the key is there already, alive. The
 * new entry's host's live entries are counted, and the lowest ranked of
 * them noted (c->ct_own_way), for its share. A bpf_loop callback, without
 * the lock: the verifier walks one way, not sixteen, and ct_insert checks
 * the set did not change before it writes. The choice is kept in memory,
 * whose values the verifier does not follow.
 */
static long ct_scan_way(__u32 i, void *arg)
{
	struct ct_scan *x = arg;
	volatile struct hearth_scratch *c = x->c;
	struct hearth_ct_set *set = x->set;
	struct hearth_ct_slot *s;
	__u64 active = 0; /* a free slot: before any other */
	__u32 r = CT_RANK_FREE, way = i & (HEARTH_CT_WAYS - 1);

	s = &set->slot[way];
	if (set->tag[way]) {
		r = ct_rank(&s->key, &s->e, c->ct_now);
		active = s->e.active;
		if (set->tag[way] == c->ct_tag && ct_key_equal(&s->key, x->key)) {
			if (c->ct_displace && r < CT_RANK_ASSURED &&
			    !ct_key_equal(&s->e.peer, &x->e->peer)) {
				c->ct_same = 1; /* displaced: an eviction */
				c->ct_way = way;
				c->ct_rank = r;
				return 0;
			}
			if (r != CT_RANK_FREE)
				c->ct_exists = 1;
			c->ct_same = 1;
			c->ct_way = way;
			c->ct_rank = CT_RANK_FREE;
		}
		/* the way's host in scratch: on the stack, it would make this
		 * callback's frame too big for the chain of calls */
		hearth_ct_host(&s->key, &s->e, &x->c->ct_way_host);
		if (r != CT_RANK_FREE && addr_equal(&x->c->ct_way_host, &x->c->ct_host)) {
			c->ct_host_ways++;
			if (r < c->ct_own_rank || (r == c->ct_own_rank && active < c->ct_own_oldest)) {
				c->ct_own_rank = r;
				c->ct_own_oldest = active;
				c->ct_own_way = way;
			}
		}
	}
	if (!c->ct_same && (r < c->ct_rank || (r == c->ct_rank && active < c->ct_oldest))) {
		c->ct_rank = r;
		c->ct_oldest = active;
		c->ct_way = way;
	}
	return 0;
}

/*
 * The common case, from the tags alone: no way holds the new key's tag,
 * a way is free, and fewer ways are used than a host's share (so no host
 * can be at its share here): the first free way, without ranking any.
 * The counts are kept in memory, as ct_scan_way's are.
 */
static __always_inline int ct_free_way(const struct hearth_ct_set *set,
				       volatile struct hearth_scratch *c)
{
	c->ct_host_ways = 0; /* the ways in use, here */
	c->ct_exists = 0; /* a tag like the key's */
	c->ct_way = HEARTH_CT_WAYS; /* none free */
	for (__u32 i = 0; i < HEARTH_CT_WAYS; i++) {
		__u32 tag = set->tag[i];

		c->ct_host_ways += tag != 0;
		c->ct_exists |= tag == c->ct_tag;
		if (!tag && c->ct_way == HEARTH_CT_WAYS)
			c->ct_way = i;
	}
	if (c->ct_exists || c->ct_way >= HEARTH_CT_WAYS || c->ct_host_ways >= c->ct_share) {
		c->ct_host_ways = 0;
		c->ct_exists = 0;
		c->ct_way = 0;
		return 0;
	}
	c->ct_host_ways = 0;
	c->ct_rank = CT_RANK_FREE;
	return 1;
}

/* The way a new entry (@key, its host's) takes in @set (ct_scan_way):
 * when its host holds its share of the set already, the lowest ranked of
 * its own entries, unless that one is answered (CT_HOST_FULL). Returns
 * the set's version the choice was made at. */
static __always_inline __u32 ct_choose_way(struct hearth_ct_set *set,
					   const struct hearth_ct_key *key,
					   const struct hearth_ct_entry *e,
					   struct hearth_scratch *c)
{
	struct ct_scan x = { .set = set, .key = key, .e = e, .c = c };
	__u32 version = set->version;

	c->ct_rank = CT_RANK_ASSURED + 1;
	c->ct_oldest = ~0ULL;
	c->ct_way = 0;
	c->ct_exists = 0;
	c->ct_same = 0;
	c->ct_host_ways = 0;
	c->ct_own_rank = CT_RANK_ASSURED + 1;
	c->ct_own_oldest = ~0ULL;
	c->ct_own_way = 0;
	if (ct_free_way(set, c))
		return version;
	bpf_loop(HEARTH_CT_WAYS, ct_scan_way, &x, 0);
	if (c->ct_same || c->ct_host_ways < c->ct_share)
		return version;
	if (c->ct_own_rank >= CT_RANK_ASSURED)
		c->ct_exists = CT_HOST_FULL;
	c->ct_way = c->ct_own_way;
	c->ct_rank = c->ct_own_rank;
	return version;
}

/*
 * Writes @key -> @e (its generation is the slot's next; read it back in
 * e->gen) into a free slot of its set, or in place of the entry ranked
 * lowest there (copied to scratch->victim). Returns the slot's index with
 * CT_SLOT_FOUND, CT_EXISTS when the key is alive already, or a counter.
 * With @displace (a NAT reply on a mapping's port, which is not chosen
 * again), a live entry of the same key whose connection is not answered
 * gives way; an answered one refuses it. The caller then calls
 * ct_inserted: apart, each frame stays small (the 6.1 kernel's 512 bytes
 * cover the whole chain of calls).
 */
__noinline __u32 ct_insert(const struct hearth_ct_key *key, struct hearth_ct_entry *e,
			   __u32 displace)
{
	struct hearth_scratch *scratch;
	struct hearth_ct_set *set;
	struct hearth_ct_slot *s;
	__u32 zero = 0, way, version;
	__u64 hash;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!key || !e || !scratch)
		return HEARTH_CNT_DROP_CT_FULL;
	scratch->ct_displace = displace;
	hash = hearth_ct_hash(key);
	scratch->ct_set = (__u32)hash & ct_set_mask;
	scratch->ct_tag = hearth_ct_tag(hash);
	scratch->ct_now = bpf_jiffies64();
	hearth_ct_host(key, e, &scratch->ct_host);
	set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &scratch->ct_set);
	if (!set)
		return HEARTH_CNT_DROP_CT_FULL;
	version = ct_choose_way(set, key, e, scratch);
	if (scratch->ct_exists == CT_HOST_FULL) {
		ct_event(HEARTH_CT_EV_REFUSED_HOST);
		return HEARTH_CNT_DROP_CT_HOST;
	}
	if (scratch->ct_exists)
		return CT_EXISTS;
	bpf_spin_lock(&set->lock);
	if (set->version != version) {
		/* another CPU wrote the set since the choice: refused this
		 * once, the connection's next packet tries again */
		bpf_spin_unlock(&set->lock);
		return CT_RACED;
	}
	set->version = version + 1;
	way = scratch->ct_way & (HEARTH_CT_WAYS - 1);
	s = &set->slot[way];
	scratch->ct_live = set->tag[way] != 0;
	if (scratch->ct_live)
		scratch->victim = *s;
	set->tag[way] = 0;
	e->gen = s->e.gen + 1;
	s->key = *key;
	s->e = *e;
	set->tag[way] = scratch->ct_tag;
	bpf_spin_unlock(&set->lock);
	return CT_SLOT_FOUND | scratch->ct_set << CT_WAY_BITS | way;
}

/* After ct_insert: the entry whose slot it took is kept to end
 * (ct_ending), the event is counted, and this CPU's sweep goes on. */
__noinline int ct_inserted(void)
{
	struct hearth_scratch *scratch;
	__u32 zero = 0, rank, index;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!scratch)
		return 0;
	rank = scratch->ct_rank;
	index = scratch->ct_set << CT_WAY_BITS | (scratch->ct_way & (HEARTH_CT_WAYS - 1));
	if (scratch->ct_live) {
		ct_ending(scratch, &scratch->victim, index,
			  rank == CT_RANK_FREE ? ct_expired_reason(&scratch->victim) :
						 HEARTH_CT_END_EVICTED);
		ct_event(scratch->ct_host_ways >= scratch->ct_share && !scratch->ct_same ?
				 HEARTH_CT_EV_EVICT_OWN :
			 rank == CT_RANK_FREE ? HEARTH_CT_EV_REUSED :
			 rank == CT_RANK_CLOSED ? HEARTH_CT_EV_EVICT_CLOSED :
			 rank == CT_RANK_UNASSURED ? HEARTH_CT_EV_EVICT_UNASSURED :
						     HEARTH_CT_EV_EVICT_ASSURED);
	}
	/* the new entry's times start over, after the old one's were kept */
	ct_rtt_reset(index);
	/* one opening in four sweeps: expired entries are room already, the
	 * sweep only keeps the table's fill true */
	if (!(scratch->ct_ticks++ & 3))
		ct_sweep(scratch, scratch->ct_now);
	return 0;
}

/* Load-time setting: unsolicited openings from the WAN per second and CPU. */
const volatile __u32 open_rate = HEARTH_OPEN_RATE_DEFAULT;

/* May one more connection open from the WAN on this CPU this second? A
 * flood towards a forward or a pinhole fills neither the table nor the
 * home host's share; it is refused (open-rate). */
static __always_inline int ct_open_rate_ok(void)
{
	__u32 zero = 0;
	struct hearth_open_rl *rl = bpf_map_lookup_elem(&HEARTH_MAP_OPENRL, &zero);
	__u64 now = bpf_jiffies64();

	if (!rl)
		return 0;
	if (now - rl->window >= ct_hz) {
		rl->window = now;
		rl->opened = 0;
	}
	if (rl->opened >= open_rate)
		return 0;
	rl->opened++;
	return 1;
}

/* A refusal of ct_insert as its counter: the host's share, or a full
 * table (its set raced, or a failed lookup). */
static __always_inline __u32 ct_refusal(__u32 rc)
{
	return rc == HEARTH_CNT_DROP_CT_HOST ? HEARTH_CNT_DROP_CT_HOST : HEARTH_CNT_DROP_CT_FULL;
}

/* A new entry (ct_insert), and what follows it. */
static __always_inline __u32 ct_insert_entry(const struct hearth_ct_key *key,
					     struct hearth_ct_entry *e, __u32 displace)
{
	struct hearth_scratch *scratch;
	__u32 r;

	/* here, not in ct_insert: its frame is at the limit of the chain
	 * (and the key is a constant's, not a stack slot of the caller's) */
	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, (const void *)&ct_scratch_key);
	if (!scratch)
		return HEARTH_CNT_DROP_CT_FULL;
	ct_host_share(scratch, e->tenant);
	r = ct_insert(key, e, displace);
	if (r & CT_SLOT_FOUND)
		ct_inserted();
	return r;
}

/*
 * Follows a packet of the connection whose half is in slot @index (still
 * of generation @gen) with TCP flags @tcp_flags: the TCP state, the
 * connection's flags and its activity, in both halves, under the half's
 * lock. Returns state | flags << 8, or CT_ABSENT when the slot moved on.
 */
__noinline __u32 ct_progress(__u32 index, __u32 gen, __u32 tcp_flags)
{
	__u32 set_index = index >> CT_WAY_BITS, way = index & (HEARTH_CT_WAYS - 1);
	struct hearth_ct_set *set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &set_index);
	__u64 now = bpf_jiffies64();
	struct hearth_ct_slot *s, *peer;
	__u8 state, flags, next, was;

	if (!set)
		return CT_ABSENT;
	s = &set->slot[way];
	peer = ct_slot_at(s->e.peer_slot);
	bpf_spin_lock(&set->lock);
	if (!set->tag[way] || s->e.gen != gen || !s->e.active) {
		bpf_spin_unlock(&set->lock);
		return CT_ABSENT; /* moved on, or retired with its other half */
	}
	state = s->e.state;
	flags = s->e.flags;
	was = state;
	if (s->key.proto == IPPROTO_TCP) {
		next = tcp_state_next(state, s->e.dir, tcp_flags);
		/* answered once the handshake ends, or a picked-up
		 * connection's first answer comes (Linux's IPS_ASSURED) */
		if (next == HEARTH_TCP_ESTABLISHED && (flags & HEARTH_CT_F_REPLIED) &&
		    (state == HEARTH_TCP_SYN_RECV || state == HEARTH_TCP_ESTABLISHED))
			flags |= HEARTH_CT_F_ASSURED;
		state = next;
	} else if (s->e.dir == HEARTH_CT_REPLY) {
		flags |= HEARTH_CT_F_ASSURED;
	}
	if (s->e.dir == HEARTH_CT_REPLY)
		flags |= HEARTH_CT_F_REPLIED;
	s->e.state = state;
	s->e.flags = flags;
	s->e.active = now;
	if (peer && peer->e.gen == s->e.peer_gen && ct_key_equal(&peer->key, &s->e.peer) &&
	    peer->e.active) {
		peer->e.state = state;
		peer->e.flags = flags;
		peer->e.active = now;
	}
	bpf_spin_unlock(&set->lock);
	if (s->key.proto == IPPROTO_TCP && ct_rtt_on)
		ct_rtt_handshake(index, tcp_flags, was);
	return state | (__u32)flags << 8;
}

/* Which packets of a direction (@proto, @dir) in @state with @flags may
 * change what its connection is (ct_progress): while it opens or closes,
 * and until its first answer, every packet (CT_WATCH_ALL); an answered,
 * established TCP connection only by a SYN, FIN or RST; an answered
 * other one, none. A line keeps this, and tests a packet's flags against
 * it: one branch on the established path. */
#define CT_WATCH_ALL 0x80 /* a packet is tested as its flags | this */

static __always_inline __u8 ct_watch(__u8 proto, __u8 dir, __u8 state, __u8 flags)
{
	if (proto == IPPROTO_TCP)
		return state == HEARTH_TCP_ESTABLISHED && (flags & HEARTH_CT_F_ASSURED) ?
			       TCPF_SYN | TCPF_FIN | TCPF_RST :
			       0xff;
	return dir == HEARTH_CT_REPLY && !(flags & HEARTH_CT_F_REPLIED) ? 0xff : 0;
}

/* The same after ct_progress answered @r (state | flags << 8): an
 * answered connection's other packets need it no more. */
static __always_inline __u8 ct_watch_of(__u8 proto, __u32 r)
{
	return ct_watch(proto, HEARTH_CT_ORIG, (__u8)r, (__u8)(r >> 8));
}

#endif /* HEARTH_BPF_CT_TABLE_H */
