// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An example probe (docs/researcher-guide.md): TCP retransmissions per
 * connection. A data segment whose bytes all lie before the furthest
 * sequence number its direction has sent is a retransmission (a
 * keep-alive's one old byte counts as one too). Connections are told
 * apart by the records' flow id, which XDP gives the packets it
 * forwards; an entry starts with the first packet that has one, afresh
 * at a SYN (an id is reused once its connection ended). The output map
 * `conns` holds, for each
 * connection (its flow id the key): its ports, then for each direction
 * (the initiator's first) its data segments and its retransmissions.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

#define IPPROTO_TCP 6
#define TCP_SYN 0x02
#define TCP_ACK 0x10

struct conn {
	__u64 sport, dport; /* as the initiator sent them */
	__u64 segments[2]; /* data segments each way */
	__u64 retrans[2]; /* of which retransmitted */
	__u64 sent_end[2]; /* the furthest sequence number each way, + 1 << 32 once set */
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct conn);
} conns SEC(".maps");

/* The entry of a connection first seen (or seen starting again: a SYN),
 * made afresh from @m, a packet going @dir. */
static struct conn *conn_start(__u32 flow, const struct hearth_probe_pkt *m, __u32 dir)
{
	struct conn c = { .sport = dir ? m->dport : m->sport, .dport = dir ? m->sport : m->dport };

	bpf_map_update_elem(&conns, &flow, &c, BPF_ANY);
	return bpf_map_lookup_elem(&conns, &flow);
}

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int tcp_retrans(__u64 *ctx)
{
	struct hearth_probe_pkt m;
	struct conn *c;
	__u32 flow, dir, end;

	hearth_probe_pkt_of(ctx, &m);
	if (m.proto != IPPROTO_TCP || !m.flow)
		return 0;
	flow = m.flow;
	dir = m.flow_dir & 1;
	c = bpf_map_lookup_elem(&conns, &flow);
	if (!c || ((m.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN && dir == 0))
		c = conn_start(flow, &m, dir);
	if (!c || !m.payload_len)
		return 0;
	end = m.seq + m.payload_len;
	__sync_fetch_and_add(&c->segments[dir], 1);
	if ((c->sent_end[dir] >> 32) && (__s32)(end - (__u32)c->sent_end[dir]) <= 0)
		__sync_fetch_and_add(&c->retrans[dir], 1);
	else
		c->sent_end[dir] = 1ull << 32 | end;
	return 0;
}
