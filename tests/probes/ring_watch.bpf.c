// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe of the tests (tests/vm/probe_guest.sh): one ring buffer record,
 * struct ring_seen, for each UDP datagram to port 9998 the XDP hook
 * passes, so that the test can count them and check each one's ports and
 * lengths as hearthd decodes them from the object's BTF.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../maps/hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

#define WATCHED_PORT 9998

/* The manifest's "record": flat, integers and arrays of them only. */
struct ring_seen {
	__u64 seen_ns; /* bpf_ktime_get_ns() */
	__u32 len; /* the frame's bytes */
	__u16 l3_len; /* the IP packet's bytes */
	__u16 sport, dport;
	__u8 hook; /* enum hearth_probe_hook */
	__u8 proto;
	__u8 tcp_flags[2]; /* an array for the decoder: this packet's, and 0 */
	__s16 dport_less_sport; /* a signed field for the decoder */
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 64 * 1024);
} seen SEC(".maps");

/* A function of its own, not inlined: its argument's type is what puts
 * struct ring_seen in the object's BTF, where hearth finds the record's
 * fields (a type used only by local variables is not emitted). */
static __attribute__((noinline)) void ring_seen_fill(struct ring_seen *r,
						     const struct hearth_probe_pkt *m)
{
	r->seen_ns = bpf_ktime_get_ns();
	r->len = m->len;
	r->l3_len = m->l3_len;
	r->sport = m->sport;
	r->dport = m->dport;
	r->hook = m->hook;
	r->proto = m->proto;
	r->tcp_flags[0] = m->tcp_flags;
	r->tcp_flags[1] = 0;
	r->dport_less_sport = (__s16)(m->dport - m->sport);
}

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int ring_watch(__u64 *ctx)
{
	struct hearth_probe_pkt m;
	struct ring_seen *r;

	hearth_probe_pkt_of(ctx, &m);
	if (m.hook != HEARTH_PROBE_HOOK_XDP || m.proto != 17 || m.dport != WATCHED_PORT)
		return 0;
	r = bpf_ringbuf_reserve(&seen, sizeof(*r), 0);
	if (!r)
		return 0;
	ring_seen_fill(r, &m);
	bpf_ringbuf_submit(r, 0);
	return 0;
}
