/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A flow record: one tracked connection, both directions in one record
 * (RFC 5103 biflow), as the exporters send it (IPFIX, the JSON flow log).
 * Built from the data plane's end records (ct_ends.h) and from the table
 * itself for a long connection's periodic report (flow_reports.h).
 */
#ifndef HEARTH_FLOW_H
#define HEARTH_FLOW_H

#include <stdbool.h>
#include <linux/types.h>

#include "../../maps/hearth_maps.h"

struct hearth_conn;

/* IPFIX's flowEndReason (RFC 7012): why this record was sent. */
enum hearth_flow_end {
	HEARTH_FLOW_END_IDLE = 1,
	HEARTH_FLOW_END_ACTIVE = 2, /* a long flow's periodic report: it goes on */
	HEARTH_FLOW_END_CLOSED = 3,
	HEARTH_FLOW_END_FORCED = 4,
	HEARTH_FLOW_END_EVICTED = 5, /* IPFIX's lackOfResources */
};

/* enum hearth_flow_end as a word: "idle", "active", "closed", "forced",
 * "evicted" */
const char *hearth_flow_end_name(__u8 reason);

/*
 * Directions are the connection's: [0] is what its initiator sent (the
 * source below is the initiator), [1] the answers. Addresses and ports
 * are as the initiator's packets had them on the wire where they entered;
 * xsaddr.. are the same packets after translation (equal to the above
 * when none applied). Counts are deltas: what this record adds to what
 * the flow's earlier records reported. Bytes are IP octets (IPFIX's
 * octetDeltaCount: IP header and payload, no layer 2).
 */
struct hearth_flow {
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto;
	__u8 end_reason; /* enum hearth_flow_end */
	__u8 side; /* enum hearth_ct_side the initiator is on */
	__u16 tenant;
	__u8 tcp_flags[2]; /* every flag seen in the flow, each direction */
	union hearth_addr saddr, daddr;
	union hearth_addr xsaddr, xdaddr;
	__be16 sport, dport;
	__be16 xsport, xdport;
	bool translated;
	bool anonymized; /* home addresses replaced (privacy.h) */
	__u64 start_ms, end_ms; /* Unix time: the span this record counts */
	__u64 packets[2];
	__u64 bytes[2];
	/* round-trip times from the gateway: [0] to the responder and back
	 * (answers come from reply_side), [1] to the initiator and back
	 * (from side); so far in the flow, not deltas. Zero: none. */
	struct hearth_flow_rtt {
		__u32 min_us, srtt_us, handshake_us, samples;
	} rtt[2];
	__u8 reply_side; /* enum hearth_ct_side the answers come from */
};

/* Where round-trip time @i of @f leads: enum hearth_rtt_where. */
static inline int hearth_flow_rtt_where(const struct hearth_flow *f, int i)
{
	__u8 side = i ? f->side : f->reply_side;

	return side == HEARTH_CT_SIDE_HOME ? HEARTH_RTT_HOME : HEARTH_RTT_WAN;
}

/* The data plane's clock (bpf_jiffies64) as wall-clock milliseconds: the
 * offset is measured once per batch of records. */
struct hearth_flow_clock {
	__u64 jiffies; /* now, as the data plane reads it */
	__s64 offset_ms; /* Unix ms - jiffies in ms */
	unsigned int hz;
};

int hearth_flow_clock_read(struct hearth_flow_clock *clock, unsigned int hz);
__u64 hearth_flow_clock_ms(const struct hearth_flow_clock *clock, __u64 jiffies);

/* The flow of a live connection @c (its counts since it opened). */
void hearth_flow_from_conn(struct hearth_flow *f, const struct hearth_conn *c,
			   const struct hearth_flow_clock *clock);
/* The flow of an ended connection (its counts since it opened; a half
 * absent from @end counts nothing); reason from the data plane's. */
void hearth_flow_from_end(struct hearth_flow *f, const struct hearth_ct_end *end,
			  const struct hearth_flow_clock *clock);

#endif
