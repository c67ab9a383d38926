/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Per-tenant metering of what crosses the WAN, and the download policer.
 *
 * Download is policed here, in XDP on WAN ingress, before any buffer is
 * spent on it. Buckets are kept as virtual times (GCRA): a bucket's time
 * advances by each packet's transmission time at the bucket's rate, and a
 * packet conforms when that stays within the burst tolerance of now. Each
 * tenant has a committed (guaranteed) and a ceiling bucket; the WAN link
 * has one more, which every passing packet charges. Home first:
 *
 *  - over its ceiling, a packet is dropped (tenant-ceiling);
 *  - within its guaranteed rate it passes, and charges the link even
 *    beyond its tolerance (the home's guarantee is the capacity minus the
 *    tenants' guarantees, so guaranteed traffic alone never exceeds it);
 *  - above it, it may only borrow what the link has spare, and only up to
 *    HEARTH_BORROW_PERCENT of the capacity: when the home uses its share
 *    there is none, and the tenant is held to its guaranteed rate
 *    (tenant-squeezed). The last part of the link is kept as room for the
 *    home to grow into: its TCP can only speed up into capacity nobody
 *    else fills. The home's own excess over the capacity is link-full.
 *    Lower priority classes stop borrowing earlier as spare runs short.
 *
 * Updates are lock-free: a race between CPUs can lose one packet's charge,
 * never block.
 */
#ifndef HEARTH_BPF_METER_H
#define HEARTH_BPF_METER_H

#include "common.h"

static __always_inline struct hearth_link_cfg *link_cfg(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&HEARTH_MAP_LINKCFG, &zero);
}

static __always_inline struct hearth_tenant_counters *tenant_counters(__u32 tenant,
								     __u32 dir)
{
	__u32 key = HEARTH_TNSTATS_INDEX(tenant, dir);

	return bpf_map_lookup_elem(&HEARTH_MAP_TNSTATS, &key);
}

static __always_inline void tenant_count(__u32 tenant, __u32 dir, __u32 bytes)
{
	struct hearth_tenant_counters *c = tenant_counters(tenant, dir);

	if (c) {
		c->packets++;
		c->bytes += bytes;
	}
}

static __always_inline void tenant_count_drop(__u32 tenant, __u32 dir,
					      __u32 reason, __u32 bytes)
{
	struct hearth_tenant_counters *c = tenant_counters(tenant, dir);

	if (c && reason < HEARTH_TDROP_MAX) {
		c->drops[reason]++;
		c->drop_bytes += bytes;
	}
}

static __always_inline __u64 gcra_cost(__u32 bytes, __u64 nspb)
{
	return (bytes * nspb) >> HEARTH_NSPB_SHIFT;
}

static __always_inline int gcra_fits(__u64 tat, __u64 now, __u64 cost, __u64 tau)
{
	return (tat > now ? tat : now) + cost <= now + tau;
}

/* The reset of an idle bucket may race with another CPU's charge: one
 * packet's worth lost, which is the price of not locking. */
static __always_inline void gcra_charge(__u64 *tat, __u64 now, __u64 cost)
{
	if (*tat < now)
		*tat = now + cost;
	else
		__sync_fetch_and_add(tat, cost);
}

/* One packet's transmission time at each of the rates it is held to,
 * computed once: every check and charge below reuses them. */
struct police_costs {
	__u64 commit, ceil; /* the tenant's */
	__u64 link, borrow; /* the link's capacity and borrowing limit */
};

/* Guaranteed traffic may push the link into debt, up to one more
 * tolerance, so that borrowers wait until it is paid back. */
static __always_inline void link_charge(struct hearth_police_state *link,
					const struct hearth_link_cfg *cfg,
					__u64 now, const struct police_costs *c)
{
	if (link->commit_tat <= now + 2 * cfg->down_tau)
		gcra_charge(&link->commit_tat, now, c->link);
	if (link->ceil_tat <= now + 2 * cfg->borrow_tau)
		gcra_charge(&link->ceil_tat, now, c->borrow);
}

/* May a packet above its tenant's guarantee pass? The home may take the
 * whole link; tenants only what is below the borrowing limit, less the
 * further down their priority class is. */
static __always_inline int link_spare(const struct hearth_police_state *link,
				      const struct hearth_link_cfg *cfg,
				      const struct hearth_tenant *tn, __u32 tenant,
				      __u64 now, const struct police_costs *c)
{
	__u64 tau;

	if (!gcra_fits(link->commit_tat, now, c->link, cfg->down_tau))
		return 0;
	if (tenant == HEARTH_TENANT_HOME)
		return 1;
	tau = cfg->borrow_tau - cfg->borrow_tau * tn->prio / (2 * HEARTH_PRIO_MAX);
	return gcra_fits(link->ceil_tat, now, c->borrow, tau);
}

static __always_inline __u32 police_drop(__u32 tenant, __u32 reason,
					 __u32 bytes)
{
	tenant_count_drop(tenant, HEARTH_DIR_DOWN, reason, bytes);
	if (reason == HEARTH_TDROP_CEIL)
		return HEARTH_CNT_DROP_TENANT_CEIL;
	if (reason == HEARTH_TDROP_SQUEEZED)
		return HEARTH_CNT_DROP_TENANT_SQUEEZED;
	return HEARTH_CNT_DROP_LINK_FULL;
}

/* HEARTH_CONTINUE when the packet may pass, else its drop counter. A
 * global function: its costs and clocks stay out of the gateway's frame. */
__noinline __u32 police_down(__u32 tenant, __u32 bytes)
{
	const struct hearth_link_cfg *cfg = link_cfg();
	__u32 link_key = HEARTH_POLICE_LINK;
	struct hearth_police_state *ps, *link;
	const struct hearth_tenant_rate *r;
	struct hearth_tenant *tn;
	struct police_costs c;
	__u64 now;

	tn = bpf_map_lookup_elem(&HEARTH_MAP_TENANTS, &tenant);
	ps = bpf_map_lookup_elem(&HEARTH_MAP_TNPOLICE, &tenant);
	link = bpf_map_lookup_elem(&HEARTH_MAP_TNPOLICE, &link_key);
	if (!cfg || !tn || !ps || !link)
		return HEARTH_CONTINUE;
	r = &tn->dir[HEARTH_DIR_DOWN];
	c.commit = gcra_cost(bytes, r->rate_nspb);
	c.ceil = gcra_cost(bytes, r->ceil_nspb);
	c.link = gcra_cost(bytes, cfg->down_nspb);
	c.borrow = gcra_cost(bytes, cfg->borrow_nspb);
	now = bpf_ktime_get_ns();
	if (r->ceil_nspb && !gcra_fits(ps->ceil_tat, now, c.ceil, r->ceil_tau))
		return police_drop(tenant, HEARTH_TDROP_CEIL, bytes);
	if (r->rate_nspb && gcra_fits(ps->commit_tat, now, c.commit, r->rate_tau)) {
		gcra_charge(&ps->commit_tat, now, c.commit);
	} else if (!link_spare(link, cfg, tn, tenant, now, &c)) {
		return police_drop(tenant,
				   tenant == HEARTH_TENANT_HOME ? HEARTH_TDROP_LINK :
								  HEARTH_TDROP_SQUEEZED,
				   bytes);
	}
	if (r->ceil_nspb)
		gcra_charge(&ps->ceil_tat, now, c.ceil);
	link_charge(link, cfg, now, &c);
	return HEARTH_CONTINUE;
}

#endif /* HEARTH_BPF_METER_H */
