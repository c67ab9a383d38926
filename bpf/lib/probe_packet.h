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

/* The home host at @addr (IPv4: 4 bytes, IPv6: 16), as hearthd numbered
 * it; 0: none. */
static __always_inline __u32 probe_host(__u32 family, const void *addr)
{
	struct hearth_host_key key = { .family = family };
	__u32 *id;

	if (family == AF_INET)
		key.addr.ip4 = *(const __be32 *)addr;
	else
		__builtin_memcpy(&key.addr, addr, sizeof(key.addr));
	id = bpf_map_lookup_elem(&HEARTH_MAP_HOSTID, &key);
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

/* Where a packet's addresses are, in the packet (IPv4: 4 bytes, IPv6:
 * 16): they stay in the hook. */
struct probe_addrs {
	const void *src, *dst;
};

/* The record of the frame [@data, @data_end) (Ethernet, an optional VLAN
 * tag, IPv4 or IPv6 without extension headers read), and where its
 * addresses are, into @a (left NULL when it is not IP). */
static __always_inline void probe_fill(struct hearth_probe_pkt *m, void *data, void *data_end,
				       struct probe_addrs *a)
{
	struct ethhdr *eth = data;
	void *l3 = eth + 1;
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
		a->src = &ip4->saddr;
		a->dst = &ip4->daddr;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		ip6 = l3;
		if ((void *)(ip6 + 1) > data_end)
			return;
		m->family = AF_INET6;
		m->proto = ip6->nexthdr;
		m->l3_len = bpf_ntohs(ip6->payload_len) + sizeof(*ip6);
		probe_l4(m, ip6 + 1, data_end, bpf_ntohs(ip6->payload_len));
		a->src = &ip6->saddr;
		a->dst = &ip6->daddr;
	}
}

/* The home hosts of @m: its source as it came in (@came_from), its
 * destination as it leaves (@dst); only while a probe that reads the
 * hosts' view is attached (the lookups cost more than the rest of the
 * record). */
static __always_inline void probe_hosts(struct hearth_probe_pkt *m, const void *came_from,
					const void *dst)
{
	struct hearth_state *st = dp_state();

	if (!came_from || !dst || !st || !(st->flags & HEARTH_STATE_PROBE_HOSTS))
		return;
	m->shost = probe_host(m->family, came_from);
	m->dhost = probe_host(m->family, dst);
}

/* Whether @a holds the @family address at @p. */
static __always_inline int probe_addr_is(const union hearth_addr *a, __u32 family, const void *p)
{
	const __be32 *w = p;

	if (family == AF_INET)
		return a->ip4 == w[0];
	return a->w[0] == w[0] && a->w[1] == w[1] && a->w[2] == w[2] && a->w[3] == w[3];
}

/*
 * The connection a packet forwarded with neither its line nor an entry at
 * hand has just opened: the firewall's opener (ct_open_tracked) built the
 * original half's key and entry in this CPU's scratch slot, where they
 * stay; they are this packet's when the key has the packet's protocol,
 * addresses and ports (no translation on that path: the packet leaves as
 * it came). The copy, not a lookup: the table's search is a global
 * function, whose frame on top of the gateway's and this one's would
 * pass the 512 bytes of stack a chain of calls has.
 */
static __always_inline const struct hearth_ct_entry *
probe_opened(const struct hearth_probe_pkt *m, const struct probe_addrs *a)
{
	struct hearth_scratch *scratch;
	struct hearth_ct_key *k;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!scratch)
		return NULL;
	k = &scratch->orig;
	if (!a->src || !a->dst || k->family != m->family || k->proto != m->proto ||
	    !probe_addr_is(&k->saddr, m->family, a->src) || !probe_addr_is(&k->daddr, m->family, a->dst))
		return NULL;
	if ((m->proto == IPPROTO_TCP || m->proto == IPPROTO_UDP) &&
	    (bpf_ntohs(k->sport) != m->sport || bpf_ntohs(k->dport) != m->dport))
		return NULL;
	return &scratch->ct;
}

/* What XDP's forwarding path knew of a packet it forwarded: its
 * connection's line, or the entry NAT opened (a connection's first packet,
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

	struct probe_addrs a = {};

	if (!ctx)
		return 0;
	u.m.ifindex = ctx->ingress_ifindex;
	probe_fill(&u.m, (void *)(long)ctx->data, (void *)(long)ctx->data_end, &a);
	if (line) {
		u.m.tenant = line->tenant;
		u.m.flow = (line->rtt_conn & ~(1u << 31)) + 1;
		u.m.flow_dir = line->rtt_conn >> 31;
	} else {
		if (!ct && verdict == XDP_REDIRECT)
			ct = probe_opened(&u.m, &a);
		if (ct)
			probe_conn_of(&u.m, ct);
	}
	if (line) /* the source as it came in: before any translation */
		a.src = u.m.family == AF_INET ? (const void *)&line->key.saddr.ip4 :
						(const void *)&line->key.saddr;
	probe_hosts(&u.m, a.src, a.dst);
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

	struct probe_addrs a = {};

	if (!skb)
		return 0;
	u.m.ifindex = skb->ifindex;
	probe_fill(&u.m, (void *)(long)skb->data, (void *)(long)skb->data_end, &a);
	probe_hosts(&u.m, a.src, a.dst);
	return probe_pass(&u);
}

#endif /* HEARTH_BPF_PROBE_PACKET_H */
