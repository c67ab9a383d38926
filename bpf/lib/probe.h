/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Probe points (maps/hearth_probe.h): the functions researchers' probes
 * attach to with fentry/fexit. Each hook, once it decided a packet, fills
 * a flat record and passes it to hearth_probe_packet as scalar arguments
 * (probe_packet.h), only while a probe is attached (HEARTH_STATE_PROBES):
 * otherwise the cost is one test of a flag in a map. A probe reads the
 * arguments, which a tracing program can only read; it never sees the
 * packet or the verdict's variable. The connection table (ct_table.h)
 * passes the flow-end point.
 */
#ifndef HEARTH_BPF_PROBE_H
#define HEARTH_BPF_PROBE_H

#include "../../maps/hearth_probe.h"
#include "common.h"

/* The packet probe point: the record as its arguments (maps/
 * hearth_probe.h). Its body only keeps the compiler from dropping the
 * call (it could tell the function does nothing): the probes attached to
 * it are the work. */
__noinline int hearth_probe_packet(__u64 w0, __u64 w1, __u64 w2, __u64 w3, __u64 w4)
{
	asm volatile("" : : "r"(w0), "r"(w1), "r"(w2), "r"(w3), "r"(w4) : "memory");
	return 0;
}

static __always_inline int probe_pass(const union hearth_probe_pkt_words *u)
{
	return hearth_probe_packet(u->w[0], u->w[1], u->w[2], u->w[3], u->w[4]);
}

/* The flow-end probe point: a retired connection's record as its
 * arguments (maps/hearth_probe.h). */
__noinline int hearth_probe_flow_end(__u64 w0, __u64 w1, __u64 w2, __u64 w3, __u64 w4)
{
	asm volatile("" : : "r"(w0), "r"(w1), "r"(w2), "r"(w3), "r"(w4) : "memory");
	return 0;
}

static __always_inline int probes_attached(void)
{
	struct hearth_state *st = dp_state();

	return st && (st->flags & HEARTH_STATE_PROBES);
}

static __always_inline __u32 probe_sat32(__u64 v)
{
	return v > 0xffffffffull ? 0xffffffffu : (__u32)v;
}

/* A retired connection (@end, as the ring of ends has it; @orig_slot: its
 * original half's slot) passed to the flow-end probe point; @hz: the
 * kernel's, for its duration. */
static __always_inline void probe_flow_end(const struct hearth_ct_end *end, __u32 orig_slot,
					   __u32 hz)
{
	union hearth_probe_flow_words u = {};
	__u64 first = 0, last = 0;

	for (int dir = 0; dir < 2; dir++) {
		const struct hearth_ct_slot *h = &end->half[dir];

		if (!(end->halves & (1 << dir)))
			continue;
		u.f.packets[dir] = probe_sat32(h->e.packets);
		u.f.bytes[dir] = probe_sat32(h->e.bytes);
		u.f.rtt_min_us[dir] = end->rtt.dir[dir].min_us;
		u.f.tenant = h->e.tenant;
		if (!first || (h->e.first_seen && h->e.first_seen < first))
			first = h->e.first_seen;
		if (h->e.last_seen > last)
			last = h->e.last_seen;
	}
	if (end->halves & (1 << HEARTH_CT_ORIG)) {
		u.f.family = end->half[HEARTH_CT_ORIG].key.family;
		u.f.proto = end->half[HEARTH_CT_ORIG].key.proto;
		u.f.sport = bpf_ntohs(end->half[HEARTH_CT_ORIG].key.sport);
		u.f.dport = bpf_ntohs(end->half[HEARTH_CT_ORIG].key.dport);
	} else { /* the reply's key, turned round */
		u.f.family = end->half[HEARTH_CT_REPLY].key.family;
		u.f.proto = end->half[HEARTH_CT_REPLY].key.proto;
		u.f.sport = bpf_ntohs(end->half[HEARTH_CT_REPLY].key.dport);
		u.f.dport = bpf_ntohs(end->half[HEARTH_CT_REPLY].key.sport);
	}
	u.f.flow = orig_slot + 1;
	u.f.reason = end->reason;
	if (hz && last > first)
		u.f.duration_ms = probe_sat32((last - first) * 1000 / hz);
	hearth_probe_flow_end(u.w[0], u.w[1], u.w[2], u.w[3], u.w[4]);
}

#endif /* HEARTH_BPF_PROBE_H */
