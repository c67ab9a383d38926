/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a flow record carries out of the gateway: home addresses only
 * after prefix-preserving anonymization (Crypto-PAn under the gateway's
 * key, privacy.h), remote addresses as they are.
 *
 * Home addresses: the configured LAN subnets (IPv4 and IPv6, the
 * delegated prefix among them), the chute pool, the WAN interface's
 * addresses (IPv4: the address; IPv6: its on-link prefix, which the ISP
 * gave this home alone), and whatever address a flow's home end used
 * even outside those (the initiator of a flow from home, the target of
 * one from the WAN after translation).
 */
#ifndef HEARTH_FLOW_PRIVACY_H
#define HEARTH_FLOW_PRIVACY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "../../util/parse.h"
#include "cryptopan.h"
#include "flow.h"

#define HEARTH_FLOW_HOME_PREFIXES 64

struct hearth_config;

struct hearth_flow_privacy {
	bool raw; /* the operator's `privacy raw`: nothing is changed */
	struct hearth_cryptopan pan;
	int n_home;
	struct hearth_prefix home[HEARTH_FLOW_HOME_PREFIXES];
};

/* @key: privacy.h's; ignored when @raw. 0 or a negative errno. */
int hearth_flow_privacy_init(struct hearth_flow_privacy *p, bool raw, const __u8 key[32]);
void hearth_flow_privacy_free(struct hearth_flow_privacy *p);
/* The home prefixes from @cfg and the WAN interface's addresses now;
 * again whenever addresses change. */
int hearth_flow_privacy_prefixes(struct hearth_flow_privacy *p, const struct hearth_config *cfg);
bool hearth_flow_privacy_is_home(const struct hearth_flow_privacy *p, int family,
				 const union hearth_addr *a);
/* @a as exports show a home address: anonymized, unless raw. 1 when it
 * was, 0 when raw, or -EIO. */
int hearth_flow_privacy_address(const struct hearth_flow_privacy *p, int family,
				union hearth_addr *a);
/* Anonymizes @f's home addresses (f->anonymized set), unless raw. */
int hearth_flow_anonymize(const struct hearth_flow_privacy *p, struct hearth_flow *f);
/* "ADDR:PORT" ("[ADDR]:PORT") of @sa into @out, the address anonymized
 * as exports have it when it is a home one: how a collector at a home
 * address is named where others may read (/metrics). */
int hearth_flow_privacy_endpoint(const struct hearth_flow_privacy *p,
				 const struct sockaddr_storage *sa, char *out, size_t len);

#endif
