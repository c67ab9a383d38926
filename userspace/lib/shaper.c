// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The upload shaper: an HTB qdisc on the WAN with one class per tenant,
 * kept equal to the tenant maps through libnl-route. The home's class has
 * priority 0 and the rate the tenants' guarantees leave; each tenant's has
 * its guaranteed rate, its ceiling and its priority class, so HTB lends
 * what the home leaves unused in priority order and takes it back when the
 * home needs it. tc on WAN egress picks the class with skb->priority.
 *
 * Each class queues at most ~5 ms at its ceiling (a bfifo): no fq_codel
 * in this kernel, and a deep queue would add its delay to the home's ping.
 */
#include <errno.h>
#include <string.h>

#include <linux/pkt_sched.h>
#include <netlink/netlink.h>
#include <netlink/route/class.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/qdisc/fifo.h>
#include <netlink/route/qdisc/htb.h>
#include <netlink/route/tc.h>

#include "attach.h"
#include "ifaces.h"
#include "shaper.h"
#include "tenant.h"

#define QUEUE_NS 5000000ull
#define MIN_QUEUE (4 * 1514u)
#define MIN_RATE_BPS 8000ull

static __u32 classid(__u32 minor)
{
	return TC_HANDLE(HEARTH_HTB_MAJOR, minor);
}

static int nl_open(struct nl_sock **sk)
{
	*sk = nl_socket_alloc();
	if (!*sk)
		return -ENOMEM;
	if (nl_connect(*sk, NETLINK_ROUTE)) {
		nl_socket_free(*sk);
		*sk = NULL;
		return -ECONNREFUSED;
	}
	return 0;
}

/* Is our HTB the root qdisc of @ifindex? */
static bool shaper_present(struct nl_sock *sk, __u32 ifindex)
{
	struct nl_cache *cache = NULL;
	struct rtnl_qdisc *q;
	bool ours = false;

	if (rtnl_qdisc_alloc_cache(sk, &cache))
		return false;
	q = rtnl_qdisc_get_by_parent(cache, (int)ifindex, TC_H_ROOT);
	if (q) {
		ours = rtnl_tc_get_handle(TC_CAST(q)) == classid(0) &&
		       !strcmp(rtnl_tc_get_kind(TC_CAST(q)) ?: "", "htb");
		rtnl_qdisc_put(q);
	}
	nl_cache_free(cache);
	return ours;
}

static int root_add(struct nl_sock *sk, __u32 ifindex)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	int ret;

	if (!q)
		return -ENOMEM;
	rtnl_tc_set_ifindex(TC_CAST(q), (int)ifindex);
	rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
	rtnl_tc_set_handle(TC_CAST(q), classid(0));
	ret = rtnl_tc_set_kind(TC_CAST(q), "htb");
	if (!ret)
		ret = rtnl_htb_set_defcls(q, classid(HEARTH_HTB_TENANT_MINOR(0)));
	if (!ret)
		ret = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_qdisc_put(q);
	return ret ? -nl_syserr2nlerr(ret) : 0;
}

static int class_put(struct nl_sock *sk, __u32 ifindex, __u32 parent, __u32 minor,
		     __u64 rate, __u64 ceil, __u32 prio, __u32 burst)
{
	struct rtnl_class *cl = rtnl_class_alloc();
	__u64 quantum = rate / 8 / 10;
	int ret;

	if (!cl)
		return -ENOMEM;
	rate = rate < MIN_RATE_BPS ? MIN_RATE_BPS : rate;
	ceil = ceil < rate ? rate : ceil;
	rtnl_tc_set_ifindex(TC_CAST(cl), (int)ifindex);
	rtnl_tc_set_parent(TC_CAST(cl), parent);
	rtnl_tc_set_handle(TC_CAST(cl), classid(minor));
	ret = rtnl_tc_set_kind(TC_CAST(cl), "htb");
	/* libnl takes bytes per second */
	if (!ret)
		ret = rtnl_htb_set_rate64(cl, rate / 8) ?: rtnl_htb_set_ceil64(cl, ceil / 8);
	if (!ret)
		ret = rtnl_htb_set_prio(cl, prio) ?: rtnl_htb_set_rbuffer(cl, burst) ?:
		      rtnl_htb_set_cbuffer(cl, burst);
	if (!ret)
		ret = rtnl_htb_set_quantum(cl, quantum < 1514 ? 1514 :
					       quantum > 200000 ? 200000 : (__u32)quantum);
	if (!ret)
		ret = rtnl_class_add(sk, cl, NLM_F_CREATE);
	rtnl_class_put(cl);
	return ret ? -EINVAL : 0;
}

static int leaf_put(struct nl_sock *sk, __u32 ifindex, __u32 minor, __u64 ceil)
{
	struct rtnl_qdisc *q = rtnl_qdisc_alloc();
	__u64 limit = ceil / 8 * QUEUE_NS / 1000000000ull;
	int ret;

	if (!q)
		return -ENOMEM;
	rtnl_tc_set_ifindex(TC_CAST(q), (int)ifindex);
	rtnl_tc_set_parent(TC_CAST(q), classid(minor));
	ret = rtnl_tc_set_kind(TC_CAST(q), "bfifo");
	if (!ret)
		ret = rtnl_qdisc_fifo_set_limit(q, limit < MIN_QUEUE ? (int)MIN_QUEUE : (int)limit);
	if (!ret)
		ret = rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_REPLACE);
	rtnl_qdisc_put(q);
	return ret ? -EINVAL : 0;
}

/* Classes of tenants that are gone. */
static void classes_prune(struct nl_sock *sk, __u32 ifindex, const bool *in_use)
{
	struct nl_cache *cache = NULL;
	struct nl_object *obj;

	if (rtnl_class_alloc_cache(sk, (int)ifindex, &cache))
		return;
	for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
		struct rtnl_class *cl = (struct rtnl_class *)obj;
		__u32 h = rtnl_tc_get_handle(TC_CAST(cl));
		__u32 minor = TC_H_MIN(h);

		if (TC_H_MAJ(h) != classid(0) || minor < HEARTH_HTB_TENANT_MINOR(0) ||
		    minor >= HEARTH_HTB_TENANT_MINOR(HEARTH_MAX_TENANTS) ||
		    in_use[minor - HEARTH_HTB_TENANT_MINOR(0)])
			continue;
		rtnl_class_delete(sk, cl);
	}
	nl_cache_free(cache);
}

static int classes_sync(struct hearth_dp *dp, struct nl_sock *sk, __u32 ifindex,
			__u64 capacity)
{
	bool in_use[HEARTH_MAX_TENANTS] = { false };
	__u64 others[HEARTH_DIR_MAX];
	struct hearth_tenant t;
	int ret;

	hearth_tenants_guaranteed(dp, HEARTH_TENANT_HOME, others);
	ret = class_put(sk, ifindex, classid(0), HEARTH_HTB_ROOT_MINOR, capacity, capacity,
			0, 64 * 1024);
	for (__u32 id = 0; !ret && id < HEARTH_MAX_TENANTS; id++) {
		struct hearth_rate_eff eff;

		if (hearth_tenant_get(dp, id, &t))
			continue;
		in_use[id] = true;
		hearth_tenant_effective(&t.dir[HEARTH_DIR_UP], id, capacity,
					others[HEARTH_DIR_UP], &eff);
		ret = class_put(sk, ifindex, classid(HEARTH_HTB_ROOT_MINOR),
				HEARTH_HTB_TENANT_MINOR(id), eff.rate, eff.ceil, t.prio,
				eff.burst);
		if (!ret)
			ret = leaf_put(sk, ifindex, HEARTH_HTB_TENANT_MINOR(id), eff.ceil);
	}
	if (!ret)
		classes_prune(sk, ifindex, in_use);
	return ret;
}

int hearth_shaper_sync(struct hearth_dp *dp, __u32 wan_ifindex, struct hearth_err *err)
{
	struct hearth_link_cfg link;
	struct nl_sock *sk = NULL;
	int ret;

	ret = hearth_link_get(dp, &link);
	if (!ret)
		ret = nl_open(&sk);
	if (ret)
		return hearth_err_set(err, ret, "cannot reach the shaper: %s", strerror(-ret));
	if (!link.shape_up) {
		if (shaper_present(sk, wan_ifindex))
			hearth_shaper_remove(wan_ifindex);
		goto cleanup;
	}
	if (!shaper_present(sk, wan_ifindex)) {
		ret = root_add(sk, wan_ifindex);
		if (ret) {
			hearth_err_set(err, ret, "cannot add the HTB shaper to ifindex %u: %s",
				       wan_ifindex, strerror(-ret));
			goto cleanup;
		}
	}
	ret = classes_sync(dp, sk, wan_ifindex, link.capacity[HEARTH_DIR_UP]);
	if (ret)
		hearth_err_set(err, ret, "cannot set the HTB classes on ifindex %u", wan_ifindex);
cleanup:
	nl_socket_free(sk);
	return ret;
}

void hearth_shaper_remove(__u32 ifindex)
{
	struct rtnl_qdisc *q;
	struct nl_sock *sk;

	if (nl_open(&sk))
		return;
	if (shaper_present(sk, ifindex) && (q = rtnl_qdisc_alloc())) {
		rtnl_tc_set_ifindex(TC_CAST(q), (int)ifindex);
		rtnl_tc_set_parent(TC_CAST(q), TC_H_ROOT);
		rtnl_tc_set_handle(TC_CAST(q), classid(0));
		rtnl_qdisc_delete(sk, q);
		rtnl_qdisc_put(q);
	}
	nl_socket_free(sk);
}

void hearth_shaper_remove_pinned(const char *pin_dir)
{
	__u32 wans[HEARTH_MAX_IFACES];
	int n = hearth_tc_pinned_wans(pin_dir, wans, HEARTH_MAX_IFACES);

	for (int i = 0; i < n; i++)
		hearth_shaper_remove(wans[i]); /* only an HTB of ours */
}

int hearth_shaper_class_stats(__u32 ifindex, __u32 tenant, struct hearth_shaper_stats *st)
{
	struct nl_cache *cache = NULL;
	struct rtnl_class *cl;
	struct nl_sock *sk;
	int ret;

	memset(st, 0, sizeof(*st));
	ret = nl_open(&sk);
	if (ret)
		return ret;
	if (rtnl_class_alloc_cache(sk, (int)ifindex, &cache)) {
		ret = -EIO;
		goto cleanup;
	}
	cl = rtnl_class_get(cache, (int)ifindex, classid(HEARTH_HTB_TENANT_MINOR(tenant)));
	if (!cl) {
		ret = -ENOENT;
		goto cleanup;
	}
	st->packets = rtnl_tc_get_stat(TC_CAST(cl), RTNL_TC_PACKETS);
	st->bytes = rtnl_tc_get_stat(TC_CAST(cl), RTNL_TC_BYTES);
	st->drops = rtnl_tc_get_stat(TC_CAST(cl), RTNL_TC_DROPS);
	st->backlog = rtnl_tc_get_stat(TC_CAST(cl), RTNL_TC_BACKLOG);
	rtnl_class_put(cl);
cleanup:
	nl_cache_free(cache);
	nl_socket_free(sk);
	return ret;
}

int hearth_shaper_follow(struct hearth_dp *dp, struct hearth_err *err)
{
	struct hearth_link_cfg link;
	struct hearth_iface wan;

	if (hearth_link_get(dp, &link) || !link.wan_slot ||
	    hearth_dp_iface_get(dp, link.wan_slot, &wan) || !wan.ifindex)
		return 0;
	return hearth_shaper_sync(dp, wan.ifindex, err);
}
