/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A flow record as one line of JSON (the flow log, `hearth flows -j`):
 *   {"start":"2026-12-07T08:00:00.125Z","end":"...","duration_ms":N,
 *    "family":"ipv4","proto":"tcp","src":"A","sport":N,"dst":"A","dport":N,
 *    "nat":{"src":"A","sport":N,"dst":"A","dport":N},   (when translated)
 *    "tenant":"NAME","packets":N,"bytes":N,"rev_packets":N,"rev_bytes":N,
 *    "tcp_flags":"SA","rev_tcp_flags":"SAF","end_reason":"closed",
 *    "rtt":{"wan":{"min_us":N,"srtt_us":N,"handshake_us":N,"samples":N},
 *           "home":{...}},                              (when measured)
 *    "anonymized":true}
 * Counts are deltas (flow.h); bytes are IP octets.
 */
#ifndef HEARTH_FLOW_JSON_H
#define HEARTH_FLOW_JSON_H

#include <stddef.h>

#include "flow.h"

#define HEARTH_FLOW_JSON_MAX 1024

/* Writes the line (no newline) into @buf; returns its length, or -ENOSPC.
 * @tenant: the tenant's name ("home" for 0). */
int hearth_flow_json(const struct hearth_flow *f, const char *tenant, char *buf, size_t size);
/* Wall time @ms (since the epoch) as the log writes it, UTC to the
 * millisecond: "2026-12-07T08:00:00.125Z". */
const char *hearth_json_time_ms(__u64 ms, char buf[32]);
/* "FSRPAUEC" order, the flags present: "SA" for SYN+ACK. */
const char *hearth_tcp_flags_text(__u8 flags, char buf[9]);

#endif
