/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_TENANT_H
#define HEARTH_TENANT_H

#include <net/if.h>
#include <stdio.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "tenant_spec.h"
#include "dataplane.h"
#include "../../util/error.h"

/* A running chute's tenant is "chute-" and its name (hearthd's wiring). */
#define HEARTH_CHUTE_TENANT_PREFIX "chute-"

static inline void hearth_chute_tenant_name(const char *chute, char *buf, size_t size)
{
	snprintf(buf, size, HEARTH_CHUTE_TENANT_PREFIX "%s", chute);
}

/* A tenant's rules as the data plane holds them. */
struct hearth_tenant_matches {
	int n_ifaces;
	__u32 slots[HEARTH_MAX_IFACES];
	int n_prefixes;
	struct hearth_prefix prefixes[64];
	int n_macs;
	__u8 macs[64][6];
};

/* The id of tenant @name, or -ENOENT. */
int hearth_tenant_find(struct hearth_dp *dp, const char *name);
int hearth_tenant_get(struct hearth_dp *dp, __u32 id, struct hearth_tenant *t);
int hearth_tenant_matches(struct hearth_dp *dp, __u32 id,
			  struct hearth_tenant_matches *m);
/* Sums one tenant's per-CPU counters. */
int hearth_tenant_counters(struct hearth_dp *dp, __u32 id, enum hearth_dir dir,
			   struct hearth_tenant_counters *out);
int hearth_link_get(struct hearth_dp *dp, struct hearth_link_cfg *link);
/* The tenants' guaranteed rates added up per direction (the home has none),
 * leaving out tenant @skip (HEARTH_TENANT_HOME: nobody). */
void hearth_tenants_guaranteed(struct hearth_dp *dp, __u32 skip,
			       __u64 sum[HEARTH_DIR_MAX]);

/* Adds (@create) or changes a tenant; the given rates replace the
 * direction's, given matches replace all of the tenant's. */
int hearth_tenant_put(struct hearth_dp *dp, const struct hearth_tenant_spec *spec,
		      enum hearth_tenant_origin origin, bool create,
		      struct hearth_err *err);
/* Removes a tenant, its rules, and gives its connections to the home. */
int hearth_tenant_del(struct hearth_dp *dp, const char *name,
		      struct hearth_err *err);
/* The WAN link: capacities and slot; recomputes every tenant's policer. */
int hearth_link_apply(struct hearth_dp *dp, const __u64 capacity[HEARTH_DIR_MAX],
		      __u32 wan_slot, struct hearth_err *err);
/* Makes the configured tenants those of @cfg (runtime ones stay). */
int hearth_tenants_sync(struct hearth_dp *dp, const struct hearth_config *cfg,
			struct hearth_err *err);

/* What the data plane enforces for a tenant's direction: the home's
 * guaranteed rate is what the others leave, an unset ceiling is the
 * capacity (0: none), and the burst defaults to 10 ms at the ceiling. */
struct hearth_rate_eff {
	__u64 rate, ceil;
	__u32 burst;
};
void hearth_tenant_effective(const struct hearth_tenant_rate *r, __u32 id,
			     __u64 capacity, __u64 others_rate,
			     struct hearth_rate_eff *eff);

#endif
