/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The packet probe point's record (maps/hearth_probe.h, struct
 * hearth_probe_pkt), filled by the hooks once they decided, while a probe
 * is attached (probe.h): from the packet as it leaves the hook, and what
 * the hook knew of it (its connection, its tenant).
 */
#ifndef HEARTH_BPF_PROBE_PACKET_H
#define HEARTH_BPF_PROBE_PACKET_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "ct_table.h"
#include "probe.h"

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

/* What XDP's forwarding path knew of a packet it forwarded: its
 * connection's line, or the entry it opened (a connection's first packet,
 * which has no line yet). */
struct probe_seen {
	struct hearth_ct_l1 *line;
	struct hearth_ct_entry *ct;
};

/* The connection's id (its original half's slot + 1) and direction from
 * its entry @e, when no line had them. */
static __always_inline void probe_conn_of(struct hearth_probe_pkt *m, const struct hearth_ct_entry *e)
{
	const struct hearth_ct_entry *peer;

	m->tenant = e->tenant;
	m->flow_dir = e->dir & 1;
	if (e->dir == HEARTH_CT_REPLY) {
		m->flow = e->peer_slot + 1;
	} else {
		peer = ct_peer(e); /* the reply half knows where the original is */
		m->flow = peer ? peer->peer_slot + 1 : 0;
	}
}

/* The XDP hook's probe record and point: a global function, verified
 * once, so that the hook's many paths do not each carry its work.
 * @line, @ct: what the forwarding path knew (struct probe_seen). */
__noinline int probe_xdp(struct xdp_md *ctx, __u32 verdict, const struct hearth_ct_l1 *line,
			 const struct hearth_ct_entry *ct)
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
	} else if (ct) {
		probe_conn_of(&u.m, ct);
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

#endif /* HEARTH_BPF_PROBE_PACKET_H */
