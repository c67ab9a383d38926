// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * WAN egress (tc): what the kernel forwards or sends out of the WAN, for
 * everything XDP handed to it (first packets before a neighbour was known,
 * fragments, options, ...). The same conntrack as XDP translates it; an
 * inside source that cannot be translated never leaves.
 *
 * It also meters every upload by tenant and, with upload shaping on, picks
 * the tenant's class of the HTB shaper on the WAN through skb->priority:
 * XDP sends uploads through the kernel then, since frames it transmits
 * itself never meet a qdisc.
 *
 * Rewrites use the skb checksum helpers: a forwarded skb may carry an
 * offloaded (partial) transport checksum, which a plain incremental update
 * of the field would corrupt. ICMP errors are the exception: an ICMP
 * message has no offloaded checksum, and they are translated as XDP
 * translates them (nat_icmp.h).
 */
#define HEARTH_CTX struct __sk_buff
#include "lib/common.h"
#include "lib/parse.h"
#include "lib/ct.h"
#include "lib/firewall_tc.h"
#include "lib/nat_icmp.h"
#include "lib/meter.h"
#include "lib/verdict.h"
#include "lib/probe_packet.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2
/* enough for Ethernet, an IPv4 header with options and a TCP header */
#define HEADERS_LEN (ETH_HLEN + 60 + 20)

/* Drops count where the packet came in, like every XDP verdict (slot 0 for
 * the gateway's own packets); what left counts on the WAN. */
static __always_inline void tc_count(struct __sk_buff *skb, __u32 id)
{
	/* each field read on its own path, kept there by the barrier: merged,
	 * the two reads become one through a modified context pointer, which
	 * the verifier refuses */
	__u32 ifindex;

	if (id == HEARTH_CNT_TC_SNAT) {
		ifindex = skb->ifindex;
		asm volatile("" : "+r"(ifindex));
	} else {
		ifindex = skb->ingress_ifindex;
		asm volatile("" : "+r"(ifindex));
	}
	__u32 slot = iface_slot(ifindex);

	counter_add(slot < HEARTH_MAX_IFACES ? slot : 0, id, skb->len);
}

static __always_inline __u32 tc_ingress_slot(struct __sk_buff *skb)
{
	__u32 slot = skb->ingress_ifindex ? iface_slot(skb->ingress_ifindex) : 0;

	return slot < HEARTH_MAX_IFACES ? slot : 0;
}

/* The one drop path: counted under @reason on the ingress interface. */
static __always_inline int tc_drop(struct __sk_buff *skb, __u32 reason)
{
	tc_count(skb, reason);
	return TC_ACT_SHOT;
}

static __always_inline int tc_leak(struct __sk_buff *skb)
{
	return tc_drop(skb, HEARTH_CNT_DROP_LEAK);
}

/* Offsets of what the source rewrite touches, from the start of the frame. */
struct snat_offsets {
	__u32 l4_csum;
	__u32 port; /* 0 when the packet has no port to rewrite */
	__u64 csum_flags; /* for bpf_l4_csum_replace */
};

static __always_inline void snat_offsets(const struct hearth_ct_key *key,
					 const struct l4_ref *ref, __u32 l4_off,
					 struct snat_offsets *o)
{
	o->port = ref->sport ? l4_off : 0; /* sport and echo id both lead */
	if (key->proto == IPPROTO_TCP) {
		o->l4_csum = l4_off + 16;
		o->csum_flags = BPF_F_PSEUDO_HDR;
	} else if (key->proto == IPPROTO_UDP) {
		o->l4_csum = l4_off + 6;
		o->csum_flags = BPF_F_PSEUDO_HDR | BPF_F_MARK_MANGLED_0;
	} else {
		o->l4_csum = l4_off + 2; /* ICMP: no pseudo header */
		o->csum_flags = 0;
		o->port = ref->sport ? l4_off + 4 : 0;
	}
}

static __always_inline int tc_snat(struct __sk_buff *skb, __u32 ip_off,
				   __u32 ip_len, const struct hearth_ct_key *key,
				   const struct l4_ref *ref,
				   const struct hearth_ct_entry *ct)
{
	__u32 l4_off = ip_off + ip_len;
	__be32 new_addr = ct->nat_saddr;
	__be16 new_port = ct->nat_sport;
	struct snat_offsets o;

	snat_offsets(key, ref, l4_off, &o);
	if (bpf_l3_csum_replace(skb, ip_off + 10, key->saddr.ip4, new_addr, 4) ||
	    bpf_skb_store_bytes(skb, ip_off + 12, &new_addr, 4, 0))
		return -1;
	if (o.csum_flags & BPF_F_PSEUDO_HDR &&
	    bpf_l4_csum_replace(skb, o.l4_csum, key->saddr.ip4, new_addr, o.csum_flags | 4))
		return -1;
	if (!o.port)
		return 0;
	if (bpf_l4_csum_replace(skb, o.l4_csum, key->sport, new_port,
				(o.csum_flags & BPF_F_MARK_MANGLED_0) | 2) ||
	    bpf_skb_store_bytes(skb, o.port, &new_port, 2, 0))
		return -1;
	return 0;
}

/* A later fragment: no ports, the datagram's first fragment said how. */
static __always_inline int tc_later_fragment(struct __sk_buff *skb, __u32 ip_off,
					     const struct iphdr *ip)
{
	__be32 old_addr = ip->saddr, new_addr;
	__be32 *remembered = frag_lookup(ip, 0);

	if (!remembered)
		return tc_leak(skb); /* its first fragment was not seen first */
	new_addr = *remembered;
	if (bpf_l3_csum_replace(skb, ip_off + 10, old_addr, new_addr, 4) ||
	    bpf_skb_store_bytes(skb, ip_off + 12, &new_addr, 4, 0))
		return tc_leak(skb);
	tc_count(skb, HEARTH_CNT_TC_SNAT);
	return TC_ACT_OK;
}

/* An option-less IPv4 ICMP error quoting an inside address, either end. */
static __always_inline int tc_quotes_inside(struct iphdr *ip, void *data_end)
{
	struct icmphdr *ic = (void *)(ip + 1);
	struct iphdr *quoted = (void *)(ic + 1);

	if (ip->protocol != IPPROTO_ICMP || (ip->ihl & 0xf) != 5 || ipv4_is_fragment(ip) ||
	    (void *)(quoted + 1) > data_end || !icmp_is_error(ic->type))
		return 0;
	return addr_inside(quoted->saddr) || addr_inside(quoted->daddr);
}

/* An ICMP error about a translated connection, which the kernel forwarded
 * from a home host or sent itself (host unreachable about a packet XDP
 * translated to a home host and passed to it): translated with direct
 * packet access (bpf_skb_pull_data made the headers writable), or it
 * never leaves. */
static __always_inline int tc_icmp_error(struct __sk_buff *skb, struct iphdr *ip,
					 void *data_end)
{
	if (!nat_icmp_error(ip, data_end) || addr_inside(ip->saddr) ||
	    tc_quotes_inside(ip, data_end))
		return tc_leak(skb);
	tc_count(skb, HEARTH_CNT_TC_SNAT);
	return TC_ACT_OK;
}

/* Source NAT of what the kernel forwards. Sets *tenant from the
 * connection when the packet belongs to one, and *claimed when the packet
 * is NAT's (translated or dropped here, whatever else it is). */
static __always_inline int wan_snat(struct __sk_buff *skb, __u32 *tenant, int *claimed)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	struct hearth_ct_entry *ct;
	struct hearth_ct_key key;
	struct l4_ref ref;
	struct pkt p = {};
	__u32 id, ip_off, ip_len;
	__u64 now;

	if (!cfg || !cfg->enabled || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	bpf_skb_pull_data(skb, skb->len < HEADERS_LEN ? skb->len : HEADERS_LEN);
	p.data_end = (void *)(long)skb->data_end;
	if (parse_eth(&p, (void *)(long)skb->data) != HEARTH_CONTINUE || p.vlan ||
	    p.proto != bpf_htons(ETH_P_IP))
		return TC_ACT_OK;
	p.ip4 = p.l3;
	if ((void *)(p.ip4 + 1) > p.data_end)
		return TC_ACT_OK;
	if (!addr_inside(p.ip4->saddr)) {
		/* the gateway's own, or not ours to translate: unless it is an
		 * error quoting an inside address */
		if (!tc_quotes_inside(p.ip4, p.data_end))
			return TC_ACT_OK;
		*claimed = 1;
		return tc_icmp_error(skb, p.ip4, p.data_end);
	}
	*claimed = 1;
	ip_off = (__u32)((void *)p.ip4 - (void *)(long)skb->data);
	ip_len = (p.ip4->ihl & 0xf) * 4;
	if (ip_len < 20)
		return tc_leak(skb);
	/* Record Route, Timestamp and the rest may hold the home address:
	 * such a packet never leaves (XDP hands every option to the kernel,
	 * whose forwarding ends here) */
	if (ip_len > 20)
		return tc_drop(skb, HEARTH_CNT_DROP_NAT_OPTIONS);
	if (ipv4_is_fragment(p.ip4) && !ipv4_first_fragment(p.ip4))
		return tc_later_fragment(skb, ip_off, p.ip4);
	id = ct_tuple(p.ip4, p.data_end, &key, &ref);
	if (id == HEARTH_CNT_DROP_BAD_L4 || id == HEARTH_CNT_DROP_TRUNC_L4)
		return tc_drop(skb, id); /* malformed: as XDP drops it */
	if (id == CT_UNTRACKED && p.ip4->protocol == IPPROTO_ICMP &&
	    !ipv4_is_fragment(p.ip4))
		return tc_icmp_error(skb, p.ip4, p.data_end);
	if (id != CT_TRACKED)
		return tc_leak(skb);
	now = bpf_jiffies64();
	ct = ct_lookup(&key);
	if (!ct) {
		if (!ref.may_open || !cfg->wan_addr)
			return tc_leak(skb);
		/* no MAC here: the kernel rebuilt the frame */
		id = ct_open_snat(skb, &key,
				  tenant_classify(tc_ingress_slot(skb), 0, AF_INET,
						  &key.saddr.ip4),
				  ref.tcp_flags, &ct);
		if (id != CT_TRACKED)
			return tc_drop(skb, id);
		if (!ct) /* set with CT_TRACKED, which the verifier cannot see */
			return tc_leak(skb);
	}
	if (!(ct->nat & HEARTH_CT_NAT_SRC))
		return tc_leak(skb);
	*tenant = ct->tenant;
	ct_account(ct, &ref, len_be16(p.ip4->tot_len), now);
	if (ipv4_is_fragment(p.ip4)) /* a first one: its datagram follows */
		frag_remember(p.ip4, 0, ct->nat_saddr);
	if (tc_snat(skb, ip_off, ip_len, &key, &ref, ct))
		return tc_leak(skb);
	tc_count(skb, HEARTH_CNT_TC_SNAT);
	return TC_ACT_OK;
}

/*
 * The firewall for what the kernel forwards out of the WAN untranslated
 * (IPv6, or IPv4 outside the masqueraded subnets): the first packet of a
 * connection before its next hop was known, fragments, extension headers,
 * options. A home source only (BCP 38), and a connection opened as XDP
 * opens it, so that its answers come in: a fragmented datagram by its
 * first fragment.
 */
static __always_inline int wan_track(struct __sk_buff *skb, __u32 *tenant)
{
	struct hearth_fw_cfg *fw = fw_cfg();
	struct hearth_ct_entry *ct;
	struct fw_view v = {};
	__u32 slot, id;
	int rc;

	slot = tc_ingress_slot(skb);
	if (!fw || !fw->enabled || !slot)
		return TC_ACT_OK; /* the gateway's own, or not forwarded by us */
	rc = fw_view(skb, &v);
	if (rc == FW_VIEW_NOT_IP)
		return TC_ACT_OK;
	if (rc)
		return tc_drop(skb, skb->protocol == bpf_htons(ETH_P_IP) ?
					    HEARTH_CNT_DROP_TRUNC_IP4 : HEARTH_CNT_DROP_TRUNC_IP6);
	if (!addr_home(&v.key.saddr))
		return tc_drop(skb, HEARTH_CNT_DROP_FW_SPOOFED);
	/* an extension header chain that runs past the packet: nothing to
	 * track it by, and not let through untracked (fail closed) */
	if (v.unreadable)
		return tc_drop(skb, HEARTH_CNT_DROP_TRUNC_IP6);
	/* a reset or a reply opens nothing: its connection is gone or
	 * unknown, and nothing is to be let back in; nor does a segment
	 * picked up mid-stream when conntrack tcp-pickup is off */
	if (!v.trackable || (v.proto == IPPROTO_TCP && !tcp_may_open(v.tcp_flags)) ||
	    ((v.proto == IPPROTO_ICMP || v.proto == IPPROTO_ICMPV6) && !v.echo_request))
		return TC_ACT_OK;
	ct = ct_lookup(&v.key);
	if (ct) {
		*tenant = ct->tenant;
		return TC_ACT_OK;
	}
	*tenant = tenant_classify(slot, 0, v.key.family,
				  v.key.family == AF_INET ? (void *)&v.key.saddr.ip4 :
							    (void *)&v.key.saddr);
	id = ct_open_tracked(&v.key, HEARTH_CT_SIDE_HOME, *tenant, v.ip_len, v.tcp_flags);
	ct_retire_endings();
	return id == CT_TRACKED ? TC_ACT_OK : tc_drop(skb, id);
}

/* The tenant of a packet no connection claims: by its source, as the
 * kernel forwarded it (the gateway's own traffic is the home's). */
static __always_inline __u32 tc_tenant(struct __sk_buff *skb)
{
	__u32 slot = tc_ingress_slot(skb);
	struct pkt p = {};

	if (!slot)
		return HEARTH_TENANT_HOME;
	bpf_skb_pull_data(skb, skb->len < HEADERS_LEN ? skb->len : HEADERS_LEN);
	p.data_end = (void *)(long)skb->data_end;
	if (parse_eth(&p, (void *)(long)skb->data) != HEARTH_CONTINUE || p.vlan)
		return tenant_by_slot(slot);
	if (p.proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = p.l3;

		if ((void *)(ip + 1) <= p.data_end)
			return tenant_classify(slot, 0, AF_INET, &ip->saddr);
	} else if (p.proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = p.l3;

		if ((void *)(ip6 + 1) <= p.data_end)
			return tenant_classify(slot, 0, AF_INET6, &ip6->saddr);
	}
	return tenant_by_slot(slot);
}

/* @tenant: the upload's, once known (HEARTH_MAX_TENANTS until then). */
static __always_inline int wan_egress(struct __sk_buff *skb, __u32 *tenant)
{
	struct hearth_link_cfg *cfg = link_cfg();
	int claimed = 0, action = wan_snat(skb, tenant, &claimed);

	if (action == TC_ACT_OK && !claimed)
		action = wan_track(skb, tenant);
	if (action != TC_ACT_OK || !cfg)
		return action;
	if (*tenant == HEARTH_MAX_TENANTS)
		*tenant = tc_tenant(skb);
	tenant_count(*tenant, HEARTH_DIR_UP, skb->len);
	if (cfg->shape_up)
		skb->priority = HEARTH_HTB_MAJOR << 16 | HEARTH_HTB_TENANT_MINOR(*tenant);
	return TC_ACT_OK;
}

/*
 * WAN ingress: the firewall for what XDP passed to the kernel, before the
 * kernel forwards it. Packets for the gateway's own addresses, or for no
 * home address, are the kernel's business (and its nftables' rules).
 */
static __always_inline int wan_ingress(struct __sk_buff *skb)
{
	struct hearth_fw_cfg *fw = fw_cfg();
	struct fw_view v = {};
	__u32 route;
	int rc;

	if (!fw || !fw->enabled)
		return TC_ACT_OK;
	/* XDP found its connection (or translated the error) and passed it */
	if (fw_xdp_marked(skb))
		return TC_ACT_OK;
	rc = fw_view(skb, &v);
	if (rc == FW_VIEW_NOT_IP)
		return TC_ACT_OK;
	if (rc) /* no address to judge by: fail closed */
		return tc_drop(skb, HEARTH_CNT_DROP_FW_REFUSED);
	if (!addr_home(&v.key.daddr))
		return TC_ACT_OK;
	route = fw_tc_route(skb, &v);
	if (!route || route & HEARTH_IFACE_FW_OPEN)
		return TC_ACT_OK;
	if (addr_home(&v.key.saddr) || fw_tc_wan_source(&v))
		return tc_drop(skb, HEARTH_CNT_DROP_FW_SPOOFED);
	/* extension headers it cannot read: refused (fail closed) */
	if (v.unreadable || !fw_tc_allowed(skb, &v, fw))
		return tc_drop(skb, HEARTH_CNT_DROP_FW_REFUSED);
	return TC_ACT_OK;
}

SEC("tc")
int HEARTH_PROG_TC_WAN_EGRESS(struct __sk_buff *skb)
{
	__u32 tenant = HEARTH_MAX_TENANTS; /* none yet */
	int verdict = wan_egress(skb, &tenant);

	if (probes_attached())
		probe_tc(skb, verdict, HEARTH_PROBE_HOOK_TC_EGRESS, tenant);
	return verdict;
}

SEC("tc")
int HEARTH_PROG_TC_WAN_INGRESS(struct __sk_buff *skb)
{
	int verdict = wan_ingress(skb);

	if (probes_attached())
		probe_tc(skb, verdict, HEARTH_PROBE_HOOK_TC_INGRESS, HEARTH_MAX_TENANTS);
	return verdict;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
