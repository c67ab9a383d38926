/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_NAT_H
#define HEARTH_NAT_H

#include <netinet/in.h>

#include "config.h"
#include "dataplane.h"
#include "../../util/error.h"

/* The first IPv4 address of @ifname, or 0 when it has none. */
in_addr_t hearth_iface_ipv4(const char *ifname);
/* Makes the inside trie hold the LAN interfaces' IPv4 subnets; call it
 * before hearth_nat_apply() enables NAT. */
int hearth_nat_inside_sync(struct hearth_dp *dp, const struct hearth_config *cfg);
/* Writes the NAT settings (masquerade of the inside subnets behind the WAN
 * address) into the data plane; with NAT off, disables it. */
int hearth_nat_apply(struct hearth_dp *dp, const struct hearth_config *cfg,
		     __u32 wan_ifindex, in_addr_t wan_addr, struct hearth_err *err);
/* The address NAT translated to until now (0 if none). */
in_addr_t hearth_nat_current_addr(struct hearth_dp *dp);
/* "address-dependent" or "endpoint-independent" */
const char *hearth_nat_filtering_name(__u8 filtering);

/* Port forwards. Runtime ones (hearth nat forward) stay until deleted;
 * configured ones follow the configuration file. */
int hearth_nat_forward_add(struct hearth_dp *dp, __u8 proto, __u16 wan_port,
			   struct in_addr addr, __u16 port, __u8 origin);
int hearth_nat_forward_del(struct hearth_dp *dp, __u8 proto, __u16 wan_port);
/* The forward of a WAN port: 0, or -ENOENT when there is none. */
int hearth_nat_forward_get(struct hearth_dp *dp, __u8 proto, __u16 wan_port,
			   struct hearth_nat_fwd *fwd);
/* "config", "runtime" or "chute". */
const char *hearth_nat_forward_origin(__u8 origin);
/* Makes the configured forwards of the data plane those of @cfg. */
int hearth_nat_forwards_sync(struct hearth_dp *dp, const struct hearth_config *cfg);

#endif
