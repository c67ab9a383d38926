/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_RUNTIME_H
#define HEARTHD_RUNTIME_H

/*
 * Runtime changes (state.h) applied on top of the configuration. The
 * rules when the two meet (docs/api.md, "State"):
 *   - a tenant added at run time whose name the file now also has: the
 *     file's tenant applies; the runtime one is kept, reported (log and
 *     `hearth config show`) as shadowed, and applies again if the file
 *     drops its tenant;
 *   - `tenant set` on a tenant of the file: applied on top of the file's
 *     settings at every start and reload; while the file has no such
 *     tenant, kept and reported as waiting;
 *   - a forward of a WAN port the file (or a running chute) forwards:
 *     the file's (or chute's) applies, the runtime one is shadowed.
 * Without a state file (the first start of a hearth that has one), the
 * runtime tenants and forwards found in the pinned maps become the state.
 */

#include <netinet/in.h>
#include <stdbool.h>
#include <linux/types.h>

struct daemon;
struct hearth_tenant_spec;
struct state_forward;

/* Once, at start, before the first sync: the state from an older hearthd's
 * maps when there is no state file yet. */
void runtime_adopt(struct daemon *d);
void runtime_tenants_apply(struct daemon *d);
void runtime_forwards_apply(struct daemon *d);

/* "chute-NAME": a running chute's tenant. */
bool is_chute_tenant(const char *name);
/* The file's tenant of that name, or NULL. */
const struct hearth_tenant_spec *config_tenant(const struct daemon *d, const char *name);
/* Who holds a WAN port besides the runtime: the file (@line set to its
 * line), a running chute (@chute set to its address), or nobody. */
enum forward_owner {
	FORWARD_FREE,
	FORWARD_FILE,
	FORWARD_CHUTE,
};
enum forward_owner forward_owner(struct daemon *d, __u8 proto, __u16 wan_port, int *line,
				 struct in_addr *chute);

#endif
