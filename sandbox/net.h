/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A chute's network: a network namespace of its own, pinned by a file
 * under /run/netns so that crun can join it by path (and `ip netns exec
 * hearth-NAME` works for debugging), joined to the gateway by a veth pair.
 * The chute sees only eth0, with one IPv4 address and a default route via
 * the gateway's end, "hc-NAME".
 */
#ifndef HEARTH_SANDBOX_NET_H
#define HEARTH_SANDBOX_NET_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>

#include "../util/error.h"

#define CHUTE_NETNS_DIR "/run/netns"
#define CHUTE_NETNS_PREFIX "hearth-"
#define CHUTE_HOST_IF_PREFIX "hc-"
/* "hc-" NAME must fit an interface name (sizeof counts the one NUL) */
#ifndef CHUTE_NAME_MAX /* also in settings.h: the same 12 */
#define CHUTE_NAME_MAX (IF_NAMESIZE - sizeof(CHUTE_HOST_IF_PREFIX))
#endif
#define CHUTE_IF "eth0"

struct chute_net {
	char host_if[IF_NAMESIZE];	/* gateway side of the veth: "hc-" NAME */
	char netns_path[PATH_MAX];	/* CHUTE_NETNS_DIR "/hearth-" NAME */
	struct in_addr gw_addr;		/* gateway side address */
	struct in_addr chute_addr;	/* the chute's eth0 address */
	unsigned char prefix_len;	/* of both (e.g. 30) */
};

/*
 * Fills host_if and netns_path from the chute name. A name that is not
 * 1 to CHUTE_NAME_MAX characters of [a-z0-9-] makes every call below
 * refuse the object (-EINVAL, or false).
 */
void chute_net_init(struct chute_net *n, const char *name, struct in_addr gw,
		    struct in_addr chute, unsigned char prefix_len);

/*
 * Creates the namespace, the veth pair (host_if in the caller's network
 * namespace, eth0 in the chute's), the addresses, the chute's default route
 * via gw_addr, and eth0's settings: IPv6 off, TX checksum offload off, GRO
 * on. All or nothing: on failure nothing created is left. -EEXIST, with
 * nothing touched, when the namespace file or host_if already exists.
 */
int chute_net_create(const struct chute_net *n, struct hearth_err *err);

/*
 * Removes the veth pair and the namespace file. Missing parts are fine; a
 * host_if that is not a veth is not ours and is left alone. Returns 0 or
 * the first error.
 */
int chute_net_destroy(const struct chute_net *n);

/* Both the namespace file (a mounted network namespace) and host_if exist. */
bool chute_net_exists(const struct chute_net *n);

#endif
