/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_DAEMON_H
#define HEARTHD_DAEMON_H

/*
 * hearthd, the one owner of the gateway's state. main.c runs the loop;
 * sync.c applies the configuration; state.c keeps runtime changes;
 * verbs*.c answer the API (api_server.c); chutes.c wires chutes into
 * the data plane.
 */

#include <netinet/in.h>
#include <stdbool.h>

#include "../lib/config.h"
#include "../lib/conntrack.h"
#include "../lib/ct_ends.h"
#include "../lib/privacy.h"
#include "../lib/dataplane.h"
#include "../lib/nlwatch.h"
#include "../../sandbox/chute.h"
#include "api_server.h"
#include "flows.h"
#include "metrics_server.h"
#include "probes.h"
#include "jobs.h"
#include "state.h"

struct daemon {
	struct hearth_config cfg;
	struct hearth_dp dp;
	struct hearth_ct_ends ends; /* connections the data plane retired */
	struct hearth_ct_walker walker; /* the table walks' buffers, kept */
	struct flow_export flows; /* their records, and long flows' */
	struct probes probes; /* approved, and attached */
	__u8 privacy_key[HEARTH_PRIVACY_KEY_LEN]; /* unless privacy raw */
	struct hearth_nlwatch nl;
	struct api_server api;
	struct metrics_server metrics; /* GET /metrics */
	struct runtime_state state; /* runtime changes, as in the state file */
	int signal_fd;
	int pid_fd;
	unsigned int hz;
	bool clock_warned;
	bool stopping; /* a stop was asked for (signal or gateway.down) */
	in_addr_t nat_addr; /* what connections were translated to, even
			     * across NAT being turned off and on */
	struct chute_env chutes;
	struct job jobs[MAX_JOBS]; /* long work in child processes */
	unsigned long serial; /* the API connection of the request in hand */
};

__attribute__((format(printf, 1, 2))) void logmsg(const char *fmt, ...);

enum sync_mode {
	SYNC_START, /* the first failure is fatal */
	SYNC_RELOAD, /* failures are logged, missing interfaces named */
	SYNC_EVENT, /* interfaces come and go: failures are logged */
};

/* sync.c: the configuration (and the runtime state on top) into the data
 * plane. */
int sync_all(struct daemon *d, enum sync_mode mode);
int sync_ifaces(struct daemon *d, enum sync_mode mode);
int sync_firewall(struct daemon *d, enum sync_mode mode);
int sync_nat(struct daemon *d, enum sync_mode mode);
int sync_tenants(struct daemon *d, enum sync_mode mode);
void drop_unconfigured(struct daemon *d);
void reload(struct daemon *d);

/* verbs.c: the API's answer to one request. */
struct json_object *daemon_answer(void *ctx, const char *verb, struct json_object *args,
				  const struct api_peer *peer);

#endif
