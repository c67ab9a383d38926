// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Tenants: keeping the data plane's tenant maps (settings, rules, the WAN link) consistent. The maps are the truth:
 * the CLI and hearthd both write them, so runtime tenants survive hearthd
 * restarts and reloads.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "conntrack.h"
#include "dpstate.h"
#include "ifaces.h"
#include "tenant.h"

#define NSEC_PER_SEC 1000000000ull
/* Default burst: this long at the ceiling (or guaranteed rate): enough
 * for TCP to fill it, short enough that its bursts do not queue long. */
#define DEFAULT_BURST_NS 5000000ull
#define MIN_BURST 4096u

static int map_fd(struct hearth_dp *dp, enum hearth_dp_map m)
{
	return dp->map_fd[m];
}

int hearth_tenant_get(struct hearth_dp *dp, __u32 id, struct hearth_tenant *t)
{
	if (id >= HEARTH_MAX_TENANTS)
		return -EINVAL;
	if (bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TENANTS), &id, t))
		return -errno;
	return t->in_use ? 0 : -ENOENT;
}

int hearth_tenant_find(struct hearth_dp *dp, const char *name)
{
	struct hearth_tenant t;

	for (__u32 id = 0; id < HEARTH_MAX_TENANTS; id++)
		if (!hearth_tenant_get(dp, id, &t) && !strcmp(t.name, name))
			return (int)id;
	return -ENOENT;
}

void hearth_tenants_guaranteed(struct hearth_dp *dp, __u32 skip,
			       __u64 sum[HEARTH_DIR_MAX])
{
	struct hearth_tenant t;

	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		sum[d] = 0;
	for (__u32 id = 1; id < HEARTH_MAX_TENANTS; id++) {
		if (id == skip || hearth_tenant_get(dp, id, &t))
			continue;
		for (int d = 0; d < HEARTH_DIR_MAX; d++)
			sum[d] += t.dir[d].rate;
	}
}

int hearth_link_get(struct hearth_dp *dp, struct hearth_link_cfg *link)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_LINKCFG), &zero, link))
		return -errno;
	return 0;
}

int hearth_tenant_counters(struct hearth_dp *dp, __u32 id, enum hearth_dir dir,
			   struct hearth_tenant_counters *out)
{
	int ncpu = libbpf_num_possible_cpus();
	__u32 key = HEARTH_TNSTATS_INDEX(id, dir);
	struct hearth_tenant_counters *per_cpu;
	int ret = 0;

	if (ncpu <= 0)
		return -EINVAL;
	per_cpu = calloc((size_t)ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TNSTATS), &key, per_cpu)) {
		ret = -errno;
		goto cleanup;
	}
	for (int c = 0; c < ncpu; c++) {
		out->packets += per_cpu[c].packets;
		out->bytes += per_cpu[c].bytes;
		out->drop_bytes += per_cpu[c].drop_bytes;
		for (int r = 0; r < HEARTH_TDROP_MAX; r++)
			out->drops[r] += per_cpu[c].drops[r];
	}
cleanup:
	free(per_cpu);
	return ret;
}

static void prefix_to_key(const struct hearth_prefix *p,
			  struct hearth_tenant_prefix_key *key)
{
	memset(key, 0, sizeof(*key));
	if (p->family == AF_INET) {
		key->addr[10] = key->addr[11] = 0xff;
		memcpy(&key->addr[12], &p->addr.v4, 4);
		key->prefixlen = 96 + p->len;
	} else {
		memcpy(key->addr, &p->addr.v6, 16);
		key->prefixlen = p->len;
	}
}

static void key_to_prefix(const struct hearth_tenant_prefix_key *key,
			  struct hearth_prefix *p)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(p, 0, sizeof(*p));
	if (key->prefixlen >= 96 && !memcmp(key->addr, mapped, 12)) {
		p->family = AF_INET;
		memcpy(&p->addr.v4, &key->addr[12], 4);
		p->len = (unsigned char)(key->prefixlen - 96);
	} else {
		p->family = AF_INET6;
		memcpy(&p->addr.v6, key->addr, 16);
		p->len = (unsigned char)key->prefixlen;
	}
}

int hearth_tenant_matches(struct hearth_dp *dp, __u32 id,
			  struct hearth_tenant_matches *m)
{
	struct hearth_tenant_prefix_key pk, *prev_p = NULL;
	struct hearth_tenant_mac_key mk, *prev_m = NULL;
	__u32 value;

	memset(m, 0, sizeof(*m));
	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++)
		if (!bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TNIFACE), &slot, &value) &&
		    value == id && id != HEARTH_TENANT_HOME)
			m->slots[m->n_ifaces++] = slot;
	while (!bpf_map_get_next_key(map_fd(dp, HEARTH_DP_TNPREFIX), prev_p, &pk)) {
		prev_p = &pk;
		if (!bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TNPREFIX), &pk, &value) &&
		    value == id && m->n_prefixes < 64)
			key_to_prefix(&pk, &m->prefixes[m->n_prefixes++]);
	}
	while (!bpf_map_get_next_key(map_fd(dp, HEARTH_DP_TNMAC), prev_m, &mk)) {
		prev_m = &mk;
		if (!bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TNMAC), &mk, &value) &&
		    value == id && m->n_macs < 64)
			memcpy(m->macs[m->n_macs++], mk.mac, 6);
	}
	return 0;
}

/* Removes every rule naming tenant @id. */
static void matches_clear(struct hearth_dp *dp, __u32 id)
{
	struct hearth_tenant_matches m;
	__u32 home = HEARTH_TENANT_HOME;

	hearth_tenant_matches(dp, id, &m);
	for (int i = 0; i < m.n_ifaces; i++)
		bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNIFACE), &m.slots[i], &home,
				    BPF_ANY);
	for (int i = 0; i < m.n_prefixes; i++) {
		struct hearth_tenant_prefix_key key;

		prefix_to_key(&m.prefixes[i], &key);
		bpf_map_delete_elem(map_fd(dp, HEARTH_DP_TNPREFIX), &key);
	}
	for (int i = 0; i < m.n_macs; i++) {
		struct hearth_tenant_mac_key key = {};

		memcpy(key.mac, m.macs[i], 6);
		bpf_map_delete_elem(map_fd(dp, HEARTH_DP_TNMAC), &key);
	}
}

/* A rule may name one tenant only: another tenant's is refused. */
static int rule_owner_check(struct hearth_dp *dp, enum hearth_dp_map map,
			    const void *key, __u32 id, const char *what,
			    struct hearth_err *err)
{
	struct hearth_tenant other;
	__u32 owner;

	if (bpf_map_lookup_elem(map_fd(dp, map), key, &owner) || owner == id ||
	    owner == HEARTH_TENANT_HOME)
		return 0;
	if (hearth_tenant_get(dp, owner, &other))
		return 0; /* a stale rule of a deleted tenant */
	return hearth_err_set(err, EEXIST, "%s already belongs to tenant '%s'", what,
			      other.name);
}

static int matches_check(struct hearth_dp *dp, const struct hearth_tenant_spec *s,
			 __u32 id, __u32 *slots, struct hearth_err *err)
{
	char what[96];
	int ret;

	for (int i = 0; i < s->n_ifaces; i++) {
		slots[i] = hearth_dp_slot_of(dp, s->ifaces[i]);
		if (!slots[i])
			return hearth_err_set(err, ENODEV,
					      "interface '%s' is not a gateway interface",
					      s->ifaces[i]);
		snprintf(what, sizeof(what), "interface '%s'", s->ifaces[i]);
		ret = rule_owner_check(dp, HEARTH_DP_TNIFACE, &slots[i], id, what, err);
		if (ret)
			return ret;
	}
	for (int i = 0; i < s->n_prefixes; i++) {
		struct hearth_tenant_prefix_key key;
		__u32 owner;

		prefix_to_key(&s->prefixes[i], &key);
		/* an LPM lookup would find covering prefixes: exact keys only */
		if (bpf_map_lookup_elem(map_fd(dp, HEARTH_DP_TNPREFIX), &key, &owner))
			continue;
		snprintf(what, sizeof(what), "that prefix");
		ret = rule_owner_check(dp, HEARTH_DP_TNPREFIX, &key, id, what, err);
		if (ret)
			return ret;
	}
	for (int i = 0; i < s->n_macs; i++) {
		struct hearth_tenant_mac_key key = {};

		memcpy(key.mac, s->macs[i], 6);
		snprintf(what, sizeof(what), "MAC %02x:%02x:%02x:%02x:%02x:%02x",
			 key.mac[0], key.mac[1], key.mac[2], key.mac[3], key.mac[4],
			 key.mac[5]);
		ret = rule_owner_check(dp, HEARTH_DP_TNMAC, &key, id, what, err);
		if (ret)
			return ret;
	}
	return 0;
}

static int matches_write(struct hearth_dp *dp, const struct hearth_tenant_spec *s,
			 __u32 id, const __u32 *slots)
{
	for (int i = 0; i < s->n_ifaces; i++)
		if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNIFACE), &slots[i], &id,
					BPF_ANY))
			return -errno;
	for (int i = 0; i < s->n_prefixes; i++) {
		struct hearth_tenant_prefix_key key;

		prefix_to_key(&s->prefixes[i], &key);
		if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNPREFIX), &key, &id, BPF_ANY))
			return -errno;
	}
	for (int i = 0; i < s->n_macs; i++) {
		struct hearth_tenant_mac_key key = {};

		memcpy(key.mac, s->macs[i], 6);
		if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNMAC), &key, &id, BPF_ANY))
			return -errno;
	}
	return 0;
}

/* The data plane only looks up MAC and prefix rules while there are any. */
static int rule_flags_sync(struct hearth_dp *dp)
{
	struct hearth_tenant_prefix_key pk;
	struct hearth_tenant_mac_key mk;
	__u32 flags = 0;

	if (!bpf_map_get_next_key(map_fd(dp, HEARTH_DP_TNMAC), NULL, &mk))
		flags |= HEARTH_STATE_TENANT_MACS;
	if (!bpf_map_get_next_key(map_fd(dp, HEARTH_DP_TNPREFIX), NULL, &pk))
		flags |= HEARTH_STATE_TENANT_PREFIXES;
	return hearth_dp_set_tenant_flags(dp, flags);
}

static __u64 nspb(__u64 bps)
{
	return bps ? ((8 * NSEC_PER_SEC) << HEARTH_NSPB_SHIFT) / bps : 0;
}

static __u64 tau_ns(__u32 burst, __u64 bps)
{
	return bps ? (__u64)burst * 8 * NSEC_PER_SEC / bps : 0;
}

void hearth_tenant_effective(const struct hearth_tenant_rate *r, __u32 id,
			     __u64 capacity, __u64 others_rate,
			     struct hearth_rate_eff *eff)
{
	__u64 top, b;

	if (id == HEARTH_TENANT_HOME) {
		eff->rate = capacity > others_rate ? capacity - others_rate : 0;
		eff->ceil = capacity;
	} else {
		eff->rate = r->rate;
		eff->ceil = r->ceil ? r->ceil : capacity;
	}
	top = eff->ceil ? eff->ceil : eff->rate;
	b = top * DEFAULT_BURST_NS / NSEC_PER_SEC / 8;
	eff->burst = r->burst ? r->burst :
		     b < MIN_BURST ? MIN_BURST :
		     b > (64u << 20) ? (64u << 20) : (__u32)b;
}

/* Fills the policer fields of one direction from the configured ones. */
static void rate_derive(struct hearth_tenant_rate *r, __u32 id, __u64 capacity,
			__u64 others_rate)
{
	struct hearth_rate_eff eff;

	hearth_tenant_effective(r, id, capacity, others_rate, &eff);
	r->rate_nspb = nspb(eff.rate);
	r->rate_tau = tau_ns(eff.burst, eff.rate);
	/* the home's ceiling is the link itself, policed on its own */
	r->ceil_nspb = id == HEARTH_TENANT_HOME ? 0 : nspb(eff.ceil);
	r->ceil_tau = tau_ns(eff.burst, eff.ceil);
}

/* Everyone's policer fields, after any change of rates or capacity: the
 * home's guaranteed rate depends on all the others'. */
static int tenants_derive(struct hearth_dp *dp)
{
	struct hearth_tenant all[HEARTH_MAX_TENANTS];
	__u64 others[HEARTH_DIR_MAX] = { 0, 0 };
	struct hearth_link_cfg link;
	int ret = hearth_link_get(dp, &link);

	if (ret)
		return ret;
	for (__u32 id = 0; id < HEARTH_MAX_TENANTS; id++) {
		if (hearth_tenant_get(dp, id, &all[id]))
			all[id].in_use = 0;
		for (int d = 0; d < HEARTH_DIR_MAX && id && all[id].in_use; d++)
			others[d] += all[id].dir[d].rate;
	}
	for (__u32 id = 0; id < HEARTH_MAX_TENANTS; id++) {
		if (!all[id].in_use)
			continue;
		for (int d = 0; d < HEARTH_DIR_MAX; d++)
			rate_derive(&all[id].dir[d], id, link.capacity[d], others[d]);
		if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TENANTS), &id, &all[id], BPF_ANY))
			return -errno;
	}
	return 0;
}

static int home_ensure(struct hearth_dp *dp)
{
	struct hearth_tenant home = { .in_use = 1, .origin = HEARTH_TENANT_CONFIG };
	__u32 id = HEARTH_TENANT_HOME;

	if (!hearth_tenant_get(dp, id, &home))
		return 0;
	memset(&home, 0, sizeof(home));
	home.in_use = 1;
	home.origin = HEARTH_TENANT_CONFIG;
	snprintf(home.name, sizeof(home.name), "home");
	if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TENANTS), &id, &home, BPF_ANY))
		return -errno;
	return 0;
}

static int free_id(struct hearth_dp *dp)
{
	struct hearth_tenant t;

	for (__u32 id = 1; id < HEARTH_MAX_TENANTS; id++)
		if (hearth_tenant_get(dp, id, &t) == -ENOENT)
			return (int)id;
	return -ENOSPC;
}

/* A new tenant starts from zero: its id may have been someone else's. */
static void counters_reset(struct hearth_dp *dp, __u32 id)
{
	int ncpu = libbpf_num_possible_cpus();
	struct hearth_police_state ps = {};
	struct hearth_tenant_counters *zero;

	zero = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*zero)) : NULL;
	for (int d = 0; zero && d < HEARTH_DIR_MAX; d++) {
		__u32 key = HEARTH_TNSTATS_INDEX(id, d);

		bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNSTATS), &key, zero, BPF_ANY);
	}
	free(zero);
	bpf_map_update_elem(map_fd(dp, HEARTH_DP_TNPOLICE), &id, &ps, BPF_ANY);
}

static int total_rate_check(struct hearth_dp *dp, __u32 id,
			    const struct hearth_tenant *next, struct hearth_err *err)
{
	static const char *const names[] = { "up", "down" };
	__u64 sum[HEARTH_DIR_MAX];
	struct hearth_link_cfg link;
	char a[32], b[32];

	if (hearth_link_get(dp, &link))
		return 0;
	hearth_tenants_guaranteed(dp, id, sum);
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		sum[d] += next->dir[d].rate;
		if (link.capacity[d] && sum[d] > link.capacity[d])
			return hearth_err_set(err, ERANGE,
					      "%s: guaranteed rates would add up to %s, above the WAN capacity %s",
					      names[d], hearth_rate_format(sum[d], a, sizeof(a)),
					      hearth_rate_format(link.capacity[d], b, sizeof(b)));
	}
	return 0;
}

static int tenant_id_for(struct hearth_dp *dp, const struct hearth_tenant_spec *spec,
			 bool create, struct hearth_tenant *t, struct hearth_err *err)
{
	int id = hearth_tenant_find(dp, spec->name);

	if (create && id >= 0)
		return hearth_err_set(err, EEXIST, "tenant '%s' already exists", spec->name);
	if (!create && id < 0)
		return hearth_err_set(err, ENOENT, "no tenant '%s'", spec->name);
	if (!create) {
		if (spec->id >= 0 && spec->id != id)
			return hearth_err_set(err, EINVAL, "tenant '%s' has id %d; ids do not change",
					      spec->name, id);
		hearth_tenant_get(dp, (__u32)id, t);
		return id;
	}
	id = spec->id >= 0 ? spec->id : free_id(dp);
	if (id == -ENOSPC)
		return hearth_err_set(err, ENOSPC, "no free tenant id (at most %d tenants)",
				      HEARTH_MAX_TENANTS - 1);
	if (!hearth_tenant_get(dp, (__u32)id, t))
		return hearth_err_set(err, EEXIST, "tenant id %d is taken by '%s'", id, t->name);
	memset(t, 0, sizeof(*t));
	t->prio = 1;
	return id;
}

int hearth_tenant_put(struct hearth_dp *dp, const struct hearth_tenant_spec *spec,
		      enum hearth_tenant_origin origin, bool create,
		      struct hearth_err *err)
{
	__u32 slots[HEARTH_TENANT_SPEC_MATCHES];
	struct hearth_tenant t;
	int id, ret;

	if (!strcmp(spec->name, "home"))
		return hearth_err_set(err, EINVAL,
				      "the home is tenant 0: it takes what the others leave, and has no settings");
	ret = home_ensure(dp);
	if (ret)
		return hearth_err_set(err, ret, "cannot write the tenant map: %s", strerror(-ret));
	id = tenant_id_for(dp, spec, create, &t, err);
	if (id < 0)
		return id;
	if (spec->prio >= 0)
		t.prio = (__u8)spec->prio;
	if (spec->host_share >= 0)
		t.ct_host_ways = spec->host_share ? (__u8)hearth_ct_share_ways((__u32)spec->host_share) : 0;
	/* only what was named changes: `set NAME down ceil R` keeps the rate */
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		const struct hearth_tenant_dir_spec *s = &spec->dir[d];

		if (s->given & HEARTH_FIELD_RATE)
			t.dir[d].rate = s->rate;
		if (s->given & HEARTH_FIELD_CEIL)
			t.dir[d].ceil = s->ceil;
		if (s->given & HEARTH_FIELD_BURST)
			t.dir[d].burst = s->burst;
	}
	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		if (t.dir[d].ceil && t.dir[d].rate > t.dir[d].ceil)
			return hearth_err_set(err, EINVAL, "%s rate is above its ceil",
					      d == HEARTH_DIR_UP ? "up" : "down");
	ret = total_rate_check(dp, (__u32)id, &t, err);
	if (!ret && spec->matches_given)
		ret = matches_check(dp, spec, (__u32)id, slots, err);
	if (ret)
		return ret;
	if (create)
		counters_reset(dp, (__u32)id);
	t.in_use = 1;
	t.origin = (__u8)origin;
	snprintf(t.name, sizeof(t.name), "%s", spec->name);
	if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TENANTS), &id, &t, BPF_ANY))
		return hearth_err_set(err, errno, "cannot write the tenant map: %s",
				      strerror(errno));
	if (spec->matches_given) {
		matches_clear(dp, (__u32)id);
		ret = matches_write(dp, spec, (__u32)id, slots);
	}
	if (!ret)
		ret = rule_flags_sync(dp);
	if (!ret)
		ret = tenants_derive(dp);
	if (ret)
		return hearth_err_set(err, ret, "cannot write the tenant maps: %s", strerror(-ret));
	return id;
}

/* Connections of a deleted tenant count for the home from now on. */
static void connections_to_home(struct hearth_dp *dp, __u32 id)
{
	hearth_ct_retenant(dp, id, HEARTH_TENANT_HOME);
}

int hearth_tenant_del(struct hearth_dp *dp, const char *name, struct hearth_err *err)
{
	struct hearth_tenant empty = {};
	int id, ret;

	if (!strcmp(name, "home"))
		return hearth_err_set(err, EINVAL, "the home (tenant 0) cannot be deleted");
	id = hearth_tenant_find(dp, name);
	if (id < 0)
		return hearth_err_set(err, ENOENT, "no tenant '%s'", name);
	matches_clear(dp, (__u32)id);
	if (bpf_map_update_elem(map_fd(dp, HEARTH_DP_TENANTS), &id, &empty, BPF_ANY))
		return hearth_err_set(err, errno, "cannot write the tenant map: %s",
				      strerror(errno));
	connections_to_home(dp, (__u32)id);
	ret = rule_flags_sync(dp);
	if (!ret)
		ret = hearth_dp_bump_generation(dp); /* lines hold the old id */
	if (!ret)
		ret = tenants_derive(dp);
	if (ret)
		return hearth_err_set(err, ret, "cannot write the tenant maps: %s", strerror(-ret));
	return 0;
}

int hearth_link_apply(struct hearth_dp *dp, const __u64 capacity[HEARTH_DIR_MAX],
		      __u32 wan_slot, struct hearth_err *err)
{
	struct hearth_link_cfg link = {
		.capacity = { capacity[HEARTH_DIR_UP], capacity[HEARTH_DIR_DOWN] },
		.wan_slot = wan_slot,
		.shape_up = capacity[HEARTH_DIR_UP] != 0,
		.police_down = capacity[HEARTH_DIR_DOWN] != 0,
	};
	__u64 down = capacity[HEARTH_DIR_DOWN];
	__u32 zero = 0;
	int ret;

	if (down) {
		__u64 borrow = down * HEARTH_BORROW_PERCENT / 100;
		__u64 burst = down * DEFAULT_BURST_NS / NSEC_PER_SEC / 8;

		burst = burst < MIN_BURST ? MIN_BURST : burst;
		link.down_nspb = nspb(down);
		link.down_tau = tau_ns((__u32)burst, down);
		link.borrow_nspb = nspb(borrow);
		link.borrow_tau = tau_ns((__u32)burst, borrow);
	}
	ret = home_ensure(dp);
	if (!ret && bpf_map_update_elem(map_fd(dp, HEARTH_DP_LINKCFG), &zero, &link, BPF_ANY))
		ret = -errno;
	if (!ret)
		ret = tenants_derive(dp);
	if (ret)
		return hearth_err_set(err, ret, "cannot write the WAN link settings: %s",
				      strerror(-ret));
	return 0;
}

int hearth_tenants_sync(struct hearth_dp *dp, const struct hearth_config *cfg,
			struct hearth_err *err)
{
	struct hearth_tenant t;
	int ret;

	/* configured tenants no longer in the file go first, freeing ids */
	for (__u32 id = 1; id < HEARTH_MAX_TENANTS; id++) {
		bool kept = false;

		if (hearth_tenant_get(dp, id, &t) || t.origin != HEARTH_TENANT_CONFIG)
			continue;
		for (int i = 0; i < cfg->n_tenants && !kept; i++)
			kept = !strcmp(cfg->tenants[i].name, t.name);
		if (!kept && (ret = hearth_tenant_del(dp, t.name, err)))
			return ret;
	}
	for (int i = 0; i < cfg->n_tenants; i++) {
		struct hearth_tenant_spec spec = cfg->tenants[i];
		int id = hearth_tenant_find(dp, spec.name);

		/* the file says everything about its tenants, rules included */
		spec.matches_given = true;
		if (id > 0 && spec.id >= 0 && spec.id != id) {
			ret = hearth_tenant_del(dp, spec.name, err);
			if (ret)
				return ret;
			id = -ENOENT;
		}
		/* the file says all: what it leaves out is unset */
		for (int d = 0; d < HEARTH_DIR_MAX; d++)
			spec.dir[d].given = HEARTH_FIELD_ALL;
		if (spec.prio < 0)
			spec.prio = 1;
		if (spec.host_share < 0)
			spec.host_share = 0; /* conntrack host-share */
		ret = hearth_tenant_put(dp, &spec, HEARTH_TENANT_CONFIG, id < 0, err);
		if (ret < 0)
			return ret;
	}
	return 0;
}
