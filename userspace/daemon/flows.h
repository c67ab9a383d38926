/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hearthd's flow export: records from the ring of ended connections and,
 * for long flows, from a walk of the table every few seconds (delta
 * counts, flow_reports.h); home addresses anonymized (flow_privacy.h);
 * sent to the IPFIX collectors (ipfix.h) and the JSON flow log
 * (flowlog.h). Nothing here blocks: collectors get non-blocking sockets,
 * and a log that cannot be written stops with one message.
 */
#ifndef HEARTHD_FLOWS_H
#define HEARTHD_FLOWS_H

#include <poll.h>
#include <stdbool.h>

#include "../lib/export_spec.h"
#include "../lib/flow_privacy.h"
#include "../lib/flow_reports.h"
#include "../lib/flowlog.h"
#include "../lib/ipfix.h"

struct daemon;
struct json_object;

#define FLOWS_WALK_MS 5000 /* how often long flows are looked at */

struct flow_export {
	struct hearth_config_export cfg; /* as opened */
	struct hearth_flow_reports reports;
	char reports_path[300]; /* kept there from one run to the next */
	struct hearth_flow_privacy privacy;
	struct hearth_flow_clock clock;
	bool clock_ok;
	__u32 domain;
	int n_ipfix;
	struct hearth_ipfix *ipfix[HEARTH_EXPORT_MAX_COLLECTORS];
	struct hearth_flowlog log;
	bool log_open;
	char log_error[200]; /* why the log stopped ("" while it runs) */
	long long next_walk_ms, next_tick_ms;
	unsigned long long records; /* flow records made */
	unsigned long long active_reports; /* of them, for long flows */
	unsigned long long log_lines;
	unsigned long long probe_lines; /* of them, probes' records */
	unsigned long long anonymize_errors;
};

/* After the privacy key is known: the exporters the configuration names. */
int flows_open(struct daemon *d, struct hearth_err *err);
/* The configuration changed (SIGHUP): exporters closed and opened again;
 * what long flows reported is kept. */
void flows_reconfigure(struct daemon *d);
void flows_close(struct daemon *d);
/* hearth_ct_end_fn: one ended connection. */
void flows_ended(void *ctx, const struct hearth_ct_end *end);
/* hearthd is about to flush the table (the WAN address changed): every
 * live connection's record, ended forced (flowEndReason 4). */
void flows_flushing(struct daemon *d);
/* A record of probe @probe's ring read at @wall_ms, its JSON @record
 * (taken), as a line of the flow log when probe-export is on and the log
 * runs. Probes are given no address: nothing to anonymize. */
void flows_probe_record(struct daemon *d, const char *probe, __u64 wall_ms,
			struct json_object *record);
/* The timers: the walk, messages sent, the log synced. Returns when it
 * wants to run next (monotonic ms). */
long long flows_tick(struct daemon *d, long long now_ms);
/* Sockets of TCP collectors with bytes waiting; how many filled. */
int flows_pollfds(struct daemon *d, struct pollfd *fds, int max);
/* {"records":N, "collectors":[{...}], "log":{...}} */
struct json_object *flows_json(const struct daemon *d);

#endif
