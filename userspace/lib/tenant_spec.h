/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_TENANT_SPEC_H
#define HEARTH_TENANT_SPEC_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "../../util/parse.h"
#include "../../maps/hearth_maps.h"

#define HEARTH_TENANT_SPEC_MATCHES 8

/* Bandwidth of one direction as given (0: not given). */
enum hearth_tenant_field {
	HEARTH_FIELD_RATE = 1 << 0,
	HEARTH_FIELD_CEIL = 1 << 1,
	HEARTH_FIELD_BURST = 1 << 2,
	HEARTH_FIELD_ALL = 7,
};

struct hearth_tenant_dir_spec {
	__u8 given; /* enum hearth_tenant_field: what the words named */
	__u64 rate; /* bits/s */
	__u64 ceil; /* bits/s */
	__u32 burst; /* bytes */
};

/* A tenant as written in the config file or on the command line. */
struct hearth_tenant_spec {
	char name[HEARTH_TENANT_NAMSIZ];
	int id; /* -1: the first free one */
	int prio; /* -1: not given */
	int host_share; /* percent of the connection table a host may hold; -1: not given */
	struct hearth_tenant_dir_spec dir[HEARTH_DIR_MAX];
	bool matches_given;
	int n_ifaces;
	char ifaces[HEARTH_TENANT_SPEC_MATCHES][IF_NAMESIZE];
	int n_prefixes;
	struct hearth_prefix prefixes[HEARTH_TENANT_SPEC_MATCHES];
	int n_macs;
	__u8 macs[HEARTH_TENANT_SPEC_MATCHES][6];
	int line;
};

/* Letters, digits, '-', '_', '.' (not leading), at most 31 characters. */
bool hearth_tenant_name_ok(const char *name);

void hearth_tenant_spec_init(struct hearth_tenant_spec *spec, const char *name);
/* Words after the name: id N, prio P, up|down rate R ceil C [burst B],
 * host-share PERCENT, iface DEV, prefix P, mac M. Fills msg with the problem on -EINVAL. */
int hearth_tenant_spec_parse(struct hearth_tenant_spec *spec, int argc,
			     char **argv, char *msg, size_t size);
/* Rates against each other and against the WAN capacity. */
int hearth_tenant_spec_check(const struct hearth_tenant_spec *spec,
			     const __u64 capacity[HEARTH_DIR_MAX], char *msg,
			     size_t size);

#endif
