/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Probe points (maps/hearth_probe.h): the functions researchers' probes
 * attach to with fentry/fexit. Each hook, once it decided a packet, fills
 * a flat record and passes it to hearth_probe_packet as scalar arguments,
 * only while a probe is attached (HEARTH_STATE_PROBES): otherwise the cost
 * is one test of a flag in a map. A probe reads the arguments, which a
 * tracing program can only read; it never sees the packet or the
 * verdict's variable.
 */
#ifndef HEARTH_BPF_PROBE_H
#define HEARTH_BPF_PROBE_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

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

/* The home host @addr is, as hearthd numbered it; 0: none. */
static __always_inline __u32 probe_host(__u32 family, const union hearth_addr *addr)
{
	struct hearth_host_key key = { .family = family, .addr = *addr };
	__u32 *id = bpf_map_lookup_elem(&HEARTH_MAP_HOSTID, &key);

	return id ? *id : 0;
}

/* @l4_len: the IP payload's bytes, as the IP header has them. */
static __always_inline void probe_l4(struct hearth_probe_pkt *m, void *l4, void *data_end,
				     __u32 l4_len)
{
	struct tcphdr *th = l4;
	struct udphdr *uh = l4;
	__u32 hdr;

	if (m->proto == IPPROTO_TCP && (void *)(th + 1) <= data_end) {
		m->sport = bpf_ntohs(th->source);
		m->dport = bpf_ntohs(th->dest);
		m->seq = bpf_ntohl(th->seq);
		m->ack = bpf_ntohl(th->ack_seq);
		m->tcp_flags = ((__u8 *)th)[13];
		hdr = th->doff * 4;
		m->payload_len = l4_len > hdr ? l4_len - hdr : 0;
	} else if (m->proto == IPPROTO_UDP && (void *)(uh + 1) <= data_end) {
		m->sport = bpf_ntohs(uh->source);
		m->dport = bpf_ntohs(uh->dest);
		hdr = bpf_ntohs(uh->len);
		m->payload_len = hdr > sizeof(*uh) ? hdr - sizeof(*uh) : 0;
	}
}

/* The record of the frame [@data, @data_end) (Ethernet, an optional VLAN
 * tag, IPv4 or IPv6 without extension headers read); @came_from: the
 * source as the packet came in, when translation changed it since. */
static __always_inline void probe_fill(struct hearth_probe_pkt *m, void *data, void *data_end,
				       const union hearth_addr *came_from)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
	union hearth_addr a = {};
	__be16 proto;
	struct iphdr *ip4;
	struct ipv6hdr *ip6;
	__u32 hdr;

	m->len = data_end - data;
	if (l3 > data_end)
		return;
	proto = eth->h_proto;
	if (proto == bpf_htons(ETH_P_8021Q) || proto == bpf_htons(ETH_P_8021AD)) {
		if (l3 + 4 > data_end)
			return;
		proto = *(__be16 *)(l3 + 2);
		l3 += 4;
	}
	if (proto == bpf_htons(ETH_P_IP)) {
		ip4 = l3;
		if ((void *)(ip4 + 1) > data_end)
			return;
		m->family = AF_INET;
		m->proto = ip4->protocol;
		m->l3_len = bpf_ntohs(ip4->tot_len);
		hdr = (ip4->ihl & 0xf) * 4;
		probe_l4(m, l3 + hdr, data_end, m->l3_len > hdr ? m->l3_len - hdr : 0);
		a.ip4 = ip4->daddr;
		m->dhost = probe_host(AF_INET, &a);
		a.ip4 = ip4->saddr;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return;
		m->family = AF_INET6;
		m->proto = ip6->nexthdr;
		m->l3_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		probe_l4(m, ip6 + 1, data_end, bpf_ntohs(ip6->payload_len));
		__builtin_memcpy(&a, &ip6->daddr, sizeof(a));
		m->dhost = probe_host(AF_INET6, &a);
		__builtin_memcpy(&a, &ip6->saddr, sizeof(a));
	} else {
		return;
	}
	m->shost = probe_host(m->family, came_from ? came_from : &a);
}

/* The XDP hook's probe record and point: a global function, verified
 * once, so that the hook's many paths do not each carry its work.
 * @line: the connection's line a forwarded packet went by, else NULL. */
__noinline int probe_xdp(struct xdp_md *ctx, __u32 verdict, const struct hearth_ct_l1 *line)
{
	union hearth_probe_pkt_words u = {
		.m = { .hook = HEARTH_PROBE_HOOK_XDP, .verdict = (__s8)verdict,
		       .tenant = HEARTH_PROBE_NO_TENANT },
	};

	if (!ctx)
		return 0;
	u.m.ifindex = ctx->ingress_ifindex;
	if (line) {
		u.m.tenant = line->tenant;
		u.m.flow = (line->rtt_conn & ~(1u << 31)) + 1;
		u.m.flow_dir = line->rtt_conn >> 31;
	}
	probe_fill(&u.m, (void *)(long)ctx->data, (void *)(long)ctx->data_end,
		   line ? &line->key.saddr : NULL);
	return probe_pass(&u);
}

/* The tc hooks' (@hook: egress or ingress; @tenant: the upload's, or
 * HEARTH_MAX_TENANTS). */
__noinline int probe_tc(struct __sk_buff *skb, __u32 verdict, __u32 hook, __u32 tenant)
{
	union hearth_probe_pkt_words u = {
		.m = { .hook = (__u8)hook, .verdict = (__s8)verdict,
		       .tenant = tenant < HEARTH_MAX_TENANTS ? tenant : HEARTH_PROBE_NO_TENANT },
	};

	if (!skb)
		return 0;
	u.m.ifindex = skb->ifindex;
	probe_fill(&u.m, (void *)(long)skb->data, (void *)(long)skb->data_end, NULL);
	return probe_pass(&u);
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
