/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_STATE_H
#define HEARTHD_STATE_H

/*
 * Runtime changes: what the API changed, kept in the state file
 * (`state-file`, /var/lib/hearth/state.json by default) so that they
 * survive restarts and reboots until removed. hearthd applies them on
 * top of the configuration at every start and reload. docs/api.md
 * ("State") has the rules when the file and a runtime change collide.
 */

#include <netinet/in.h>
#include <stdbool.h>

#include "../lib/config.h"
#include "../../util/error.h"

#define STATE_MAX_TENANTS 32
#define STATE_MAX_FORWARDS 64
#define STATE_MAX_PINHOLES 32

enum state_tenant_op {
	STATE_TENANT_ADD, /* a tenant of the operator's, added at run time */
	STATE_TENANT_SET, /* changes on top of a tenant of the file */
};

struct state_tenant {
	enum state_tenant_op op;
	struct hearth_tenant_spec spec; /* add: all of it; set: what was set */
};

struct state_forward {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 wan_port; /* host order */
	struct in_addr addr;
	__u16 port; /* host order */
};

struct runtime_state {
	char path[256];
	bool loaded; /* from a file (false: none existed yet) */
	int n_tenants;
	struct state_tenant tenants[STATE_MAX_TENANTS];
	int n_forwards;
	struct state_forward forwards[STATE_MAX_FORWARDS];
	int n_pinholes; /* hearth firewall allow */
	struct hearth_pinhole pinholes[STATE_MAX_PINHOLES];
};

/* A missing file is an empty state (loaded false); a bad one is -EINVAL
 * naming the file and the problem, and nothing is changed. */
int state_load(struct runtime_state *st, const char *path, struct hearth_err *err);
/* Written to a temporary file, synced, and renamed over the old one. */
int state_save(const struct runtime_state *st, struct hearth_err *err);

struct state_tenant *state_tenant_find(struct runtime_state *st, const char *name);
void state_tenant_remove(struct runtime_state *st, const char *name);
struct state_forward *state_forward_find(struct runtime_state *st, __u8 proto,
					 __u16 wan_port);
void state_forward_remove(struct runtime_state *st, __u8 proto, __u16 wan_port);
struct hearth_pinhole *state_pinhole_find(struct runtime_state *st,
					  const struct hearth_pinhole *ph);
void state_pinhole_remove(struct runtime_state *st, const struct hearth_pinhole *ph);
/* Merges the fields @set gives into @into (a `set` on top of a `set` or an
 * `add`). */
void state_spec_merge(struct hearth_tenant_spec *into,
		      const struct hearth_tenant_spec *set);

#endif
