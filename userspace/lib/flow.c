// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Flow records from the connection table's entries and end records. */
#include <errno.h>
#include <string.h>
#include <time.h>

#include "conntrack.h"
#include "flow.h"
#include "kclock.h"

const char *hearth_flow_end_name(__u8 reason)
{
	switch (reason) {
	case HEARTH_FLOW_END_IDLE:
		return "idle";
	case HEARTH_FLOW_END_ACTIVE:
		return "active";
	case HEARTH_FLOW_END_CLOSED:
		return "closed";
	case HEARTH_FLOW_END_FORCED:
		return "forced";
	case HEARTH_FLOW_END_EVICTED:
		return "evicted";
	default:
		return "unknown";
	}
}

int hearth_flow_clock_read(struct hearth_flow_clock *clock, unsigned int hz)
{
	struct timespec now;
	int ret = hearth_jiffies_now(&clock->jiffies);

	if (ret)
		return ret;
	if (clock_gettime(CLOCK_REALTIME, &now))
		return -errno;
	clock->hz = hz ? hz : 100;
	clock->offset_ms = (__s64)now.tv_sec * 1000 + now.tv_nsec / 1000000 -
			   (__s64)(clock->jiffies * 1000 / clock->hz);
	return 0;
}

__u64 hearth_flow_clock_ms(const struct hearth_flow_clock *clock, __u64 jiffies)
{
	return (__u64)((__s64)(jiffies * 1000 / clock->hz) + clock->offset_ms);
}

/* The tuple the initiator's packets had after translation: the reply
 * direction's key, reversed (ICMP echo keys reverse the same way). */
static void set_translated(struct hearth_flow *f, const struct hearth_ct_key *reply)
{
	f->xsaddr = reply->daddr;
	f->xdaddr = reply->saddr;
	f->xsport = reply->dport;
	f->xdport = reply->sport;
	f->translated = memcmp(&f->xsaddr, &f->saddr, sizeof(f->saddr)) ||
			memcmp(&f->xdaddr, &f->daddr, sizeof(f->daddr)) ||
			f->xsport != f->sport || f->xdport != f->dport;
}

static void set_tuple(struct hearth_flow *f, const struct hearth_ct_key *orig,
		      const struct hearth_ct_key *reply)
{
	f->family = orig->family;
	f->proto = orig->proto;
	f->saddr = orig->saddr;
	f->daddr = orig->daddr;
	f->sport = orig->sport;
	f->dport = orig->dport;
	set_translated(f, reply);
}

static void set_rtt(struct hearth_flow *f, int dir, const struct hearth_ct_rtt_dir *r)
{
	struct hearth_flow_rtt *out = &f->rtt[dir];

	out->min_us = r->min_us;
	out->srtt_us = r->srtt_us;
	out->handshake_us = r->handshake_us;
	out->samples = r->samples;
}

static void add_half(struct hearth_flow *f, int dir, const struct hearth_ct_entry *e,
		     const struct hearth_flow_clock *clock)
{
	__u64 first = hearth_flow_clock_ms(clock, e->first_seen);
	__u64 last = hearth_flow_clock_ms(clock, e->last_seen);

	f->packets[dir] = e->packets;
	f->bytes[dir] = e->bytes;
	f->tcp_flags[dir] = e->tcp_flags;
	if (!f->start_ms || first < f->start_ms)
		f->start_ms = first;
	if (e->packets && last > f->end_ms)
		f->end_ms = last;
}

void hearth_flow_from_conn(struct hearth_flow *f, const struct hearth_conn *c,
			   const struct hearth_flow_clock *clock)
{
	memset(f, 0, sizeof(*f));
	set_tuple(f, &c->key, &c->orig.peer);
	f->side = c->orig.side;
	f->tenant = c->orig.tenant;
	f->end_reason = HEARTH_FLOW_END_ACTIVE;
	f->reply_side = c->reply.gen ? c->reply.side : !c->orig.side;
	add_half(f, HEARTH_CT_ORIG, &c->orig, clock);
	set_rtt(f, HEARTH_CT_ORIG, &c->rtt.dir[HEARTH_CT_ORIG]);
	set_rtt(f, HEARTH_CT_REPLY, &c->rtt.dir[HEARTH_CT_REPLY]);
	if (c->reply.gen)
		add_half(f, HEARTH_CT_REPLY, &c->reply, clock);
	if (f->end_ms < f->start_ms)
		f->end_ms = f->start_ms;
}

void hearth_flow_from_end(struct hearth_flow *f, const struct hearth_ct_end *end,
			  const struct hearth_flow_clock *clock)
{
	const struct hearth_ct_slot *orig = &end->half[HEARTH_CT_ORIG];
	const struct hearth_ct_slot *reply = &end->half[HEARTH_CT_REPLY];
	bool has_orig = end->halves & (1 << HEARTH_CT_ORIG);
	bool has_reply = end->halves & (1 << HEARTH_CT_REPLY);

	memset(f, 0, sizeof(*f));
	/* each half knows the other's key: either gives the whole tuple */
	if (has_orig)
		set_tuple(f, &orig->key, &orig->e.peer);
	else
		set_tuple(f, &reply->e.peer, &reply->key);
	f->side = has_orig ? orig->e.side : !reply->e.side;
	f->reply_side = has_reply ? reply->e.side : !orig->e.side;
	f->tenant = has_orig ? orig->e.tenant : reply->e.tenant;
	f->end_reason = end->reason;
	if (has_orig)
		add_half(f, HEARTH_CT_ORIG, &orig->e, clock);
	if (has_reply)
		add_half(f, HEARTH_CT_REPLY, &reply->e, clock);
	/* the times are the connection's: a record of either half has them */
	if (end->rtt.gen == (has_orig ? orig->e.gen : reply->e.peer_gen)) {
		set_rtt(f, HEARTH_CT_ORIG, &end->rtt.dir[HEARTH_CT_ORIG]);
		set_rtt(f, HEARTH_CT_REPLY, &end->rtt.dir[HEARTH_CT_REPLY]);
	}
	if (f->end_ms < f->start_ms)
		f->end_ms = f->start_ms;
}
