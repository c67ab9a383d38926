/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall on the kernel path: tc ingress on the WAN, after XDP. What
 * XDP leaves to the kernel (fragments, IPv4 options, IPv6 extension
 * headers, a next hop not resolved yet) meets the rule XDP applies before
 * the kernel can forward it to a home host. The headers are read with
 * bpf_skb_load_bytes: these packets are few, and their layouts many.
 *
 * A fragmented datagram is judged by its first fragment, which carries the
 * ports; the rest follow by fragment id (HEARTH_MAP_FWFRAGS). A later
 * fragment whose first one was not let in, or came later, is refused.
 */
#ifndef HEARTH_BPF_FIREWALL_TC_H
#define HEARTH_BPF_FIREWALL_TC_H

#include "firewall.h"
#include "nat_icmp.h"

#define FW_EXT_MAX 4 /* IPv6 extension headers walked before the transport */
#define IPV6_EXT_HOP 0
#define IPV6_EXT_ROUTING 43
#define IPV6_EXT_FRAGMENT 44
#define IPV6_EXT_DSTOPTS 60

enum fw_frag {
	FW_FRAG_NONE,
	FW_FRAG_FIRST,
	FW_FRAG_LATER, /* no transport header */
};

/* A packet as the kernel-path firewall sees it. */
struct fw_view {
	struct hearth_ct_key key; /* addresses always; the rest when trackable */
	__u32 l4_off; /* the transport header, 0 for a later fragment */
	__u32 ip_len; /* IP octets, from the header's length field */
	__be32 frag_id;
	__u8 frag; /* enum fw_frag */
	__u8 proto;
	__u8 tcp_flags;
	__u8 trackable; /* key is a connection's (TCP, UDP, echo, ESP) */
	__u8 icmp_error; /* an ICMP or ICMPv6 error: the quoted packet decides */
	__u8 echo_request;
	__u8 unreadable; /* the addresses read, the extension headers not */
};

static __always_inline int fw_view4(struct __sk_buff *skb, __u32 off, struct fw_view *v)
{
	struct iphdr ip;

	if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)))
		return -1;
	v->key.saddr.ip4 = ip.saddr;
	v->key.daddr.ip4 = ip.daddr;
	v->key.family = AF_INET;
	v->ip_len = len_be16(ip.tot_len);
	v->proto = ip.protocol;
	if (ip.frag_off & bpf_htons(IP_MF | IP_OFFSET)) {
		v->frag = ip.frag_off & bpf_htons(IP_OFFSET) ? FW_FRAG_LATER : FW_FRAG_FIRST;
		v->frag_id = ip.id;
	}
	if (v->frag != FW_FRAG_LATER)
		v->l4_off = off + (ip.ihl & 0xf) * 4;
	return 0;
}

static __always_inline int fw_view6(struct __sk_buff *skb, __u32 off, struct fw_view *v)
{
	struct ipv6hdr ip6;
	__u8 ext[8], next;

	if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
		return -1;
	addr6_copy(&v->key.saddr, &ip6.saddr);
	addr6_copy(&v->key.daddr, &ip6.daddr);
	v->key.family = AF_INET6;
	v->ip_len = len_be16(ip6.payload_len) + sizeof(ip6);
	next = ip6.nexthdr;
	off += sizeof(ip6);
	for (int i = 0; i < FW_EXT_MAX; i++) {
		if (next != IPV6_EXT_HOP && next != IPV6_EXT_ROUTING &&
		    next != IPV6_EXT_FRAGMENT && next != IPV6_EXT_DSTOPTS)
			break;
		if (bpf_skb_load_bytes(skb, off, ext, sizeof(ext))) {
			v->unreadable = 1; /* the caller fails closed */
			return 0;
		}
		if (next == IPV6_EXT_FRAGMENT) {
			v->frag = (ext[2] << 8 | ext[3]) & 0xfff8 ? FW_FRAG_LATER : FW_FRAG_FIRST;
			__builtin_memcpy(&v->frag_id, ext + 4, 4);
			off += 8;
		} else {
			off += ((__u32)ext[1] + 1) * 8;
		}
		next = ext[0];
		if (v->frag == FW_FRAG_LATER)
			break;
	}
	v->proto = next;
	if (v->frag != FW_FRAG_LATER)
		v->l4_off = off;
	return 0;
}

#define FW_VIEW_NOT_IP 1 /* neither IPv4 nor IPv6: not the firewall's */
#define FW_VIEW_SHORT 2 /* the IP header cannot be read */

/* The transport part of the tuple, laid out as ct_tuple and ct_tuple6 lay
 * it out, so that the connection table answers. */
static __always_inline void fw_view_l4(struct __sk_buff *skb, struct fw_view *v)
{
	__u8 l4[8];
	int v6 = v->key.family == AF_INET6;

	if (!v->l4_off || bpf_skb_load_bytes(skb, v->l4_off, l4, sizeof(l4)))
		return;
	v->key.proto = v->proto;
	if (v->proto == IPPROTO_TCP || v->proto == IPPROTO_UDP) {
		__builtin_memcpy(&v->key.sport, l4, 2);
		__builtin_memcpy(&v->key.dport, l4 + 2, 2);
		if (v->proto == IPPROTO_TCP)
			bpf_skb_load_bytes(skb, v->l4_off + 13, &v->tcp_flags, 1);
		v->trackable = 1;
	} else if (v->proto == IPPROTO_ESP_) {
		v->trackable = 1;
	} else if (v->proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP)) {
		__u8 request = v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO;
		__u8 reply = v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHOREPLY;

		if (l4[0] == request) {
			__builtin_memcpy(&v->key.sport, l4 + 4, 2);
			v->trackable = v->echo_request = 1;
		} else if (l4[0] == reply) {
			__builtin_memcpy(&v->key.dport, l4 + 4, 2);
			v->trackable = 1;
		} else {
			v->icmp_error = v6 ? l4[0] >= ICMPV6_DEST_UNREACH &&
						     l4[0] <= ICMPV6_PARAMPROB :
					     icmp_is_error(l4[0]);
		}
	}
}

/* The packet's view at the network header behind Ethernet: 0 (with
 * v->unreadable when an IPv6 extension header chain runs past the packet),
 * FW_VIEW_NOT_IP, or FW_VIEW_SHORT when the IP header cannot be read. The
 * callers fail closed on what they cannot read. */
static __always_inline int fw_view(struct __sk_buff *skb, struct fw_view *v)
{
	int ret;

	if (skb->protocol == bpf_htons(ETH_P_IP))
		ret = fw_view4(skb, ETH_HLEN, v);
	else if (skb->protocol == bpf_htons(ETH_P_IPV6))
		ret = fw_view6(skb, ETH_HLEN, v);
	else
		return FW_VIEW_NOT_IP;
	if (ret)
		return FW_VIEW_SHORT;
	if (!v->unreadable)
		fw_view_l4(skb, v);
	return 0;
}

/* Is the packet an ICMP error quotes (as it left by the WAN) one of our
 * untranslated connections, and the error addressed to its source? */
static __always_inline int fw_tc_error_ok(struct __sk_buff *skb, const struct fw_view *v)
{
	__u32 off = v->l4_off + 8;
	struct hearth_ct_key key = {};
	__be16 ports[3] = {};

	key.family = v->key.family;
	if (key.family == AF_INET6) {
		struct ipv6hdr ip6;

		if (bpf_skb_load_bytes(skb, off, &ip6, sizeof(ip6)))
			return 0;
		addr6_copy(&key.saddr, &ip6.saddr);
		addr6_copy(&key.daddr, &ip6.daddr);
		key.proto = ip6.nexthdr;
		off += sizeof(ip6);
		if (!addr_equal(&key.saddr, &v->key.daddr))
			return 0;
	} else {
		struct iphdr ip;

		if (bpf_skb_load_bytes(skb, off, &ip, sizeof(ip)) || (ip.ihl & 0xf) != 5)
			return 0;
		key.saddr.ip4 = ip.saddr;
		key.daddr.ip4 = ip.daddr;
		key.proto = ip.protocol;
		off += sizeof(ip);
		if (key.saddr.ip4 != v->key.daddr.ip4)
			return 0;
	}
	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
		return 0;
	return fw_quoted_tracked(&key, ports);
}

/* Does an untranslated connection know this packet, by its own tuple, as
 * it comes from the WAN? (A translated connection's packet XDP let in
 * carries XDP's mark, fw_xdp_marked; sent straight to the inside address,
 * it is no connection's.) */
static __always_inline int fw_tc_tracked(const struct hearth_ct_key *key)
{
	struct hearth_ct_entry *e = ct_lookup(key);

	return e && e->side == HEARTH_CT_SIDE_WAN;
}

/* Did XDP find this packet's connection (or translate the ICMP error) and
 * pass it to the kernel after all (xdp_mark_conn)? Only XDP writes the
 * metadata before a frame; nothing from the wire can. */
static __always_inline int fw_xdp_marked(struct __sk_buff *skb)
{
	__u32 *meta = (void *)(long)skb->data_meta;

	if ((void *)(meta + 1) > (void *)(long)skb->data)
		return 0;
	return *meta == HEARTH_XDP_META_CONN;
}

static __always_inline struct hearth_fw_frag_key fw_frag_key(const struct fw_view *v)
{
	struct hearth_fw_frag_key key = {
		.saddr = v->key.saddr, .daddr = v->key.daddr, .id = v->frag_id,
		.proto = v->proto, .family = v->key.family,
	};

	return key;
}

/* A new connection from the WAN through a pinhole, opened here. */
static __always_inline int fw_tc_open_pinhole(const struct hearth_ct_key *key, __u8 tcp_flags,
					      __u32 bytes)
{
	__u32 r = fw_open_pinhole(key, tcp_flags, 0);

	return (r & FW_OPEN) && fw_open_tracked(key, r, bytes, tcp_flags) == CT_TRACKED;
}

/* A fragment of a datagram NAT let in: XDP rewrote it to the inside host
 * and remembered the WAN address it came to (nat_fragment_in). */
static __always_inline int fw_nat_fragment(const struct fw_view *v)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	struct hearth_frag_key key = {
		.saddr = v->key.saddr.ip4, .id = (__be16)v->frag_id, .proto = v->proto, .dir = 1,
	};
	__be32 *inside;

	if (v->key.family != AF_INET || !cfg || !cfg->enabled)
		return 0;
	key.daddr = cfg->wan_addr;
	inside = bpf_map_lookup_elem(&HEARTH_MAP_FRAGS, &key);
	return inside && *inside == v->key.daddr.ip4;
}

/* From the WAN, the gateway's own WAN address (NAT's) as the source:
 * forged, whatever it is sent to. */
static __always_inline int fw_tc_wan_source(const struct fw_view *v)
{
	struct hearth_nat_cfg *cfg = nat_cfg();

	return v->key.family == AF_INET && cfg && cfg->enabled && cfg->wan_addr &&
	       v->key.saddr.ip4 == cfg->wan_addr;
}

/* May this packet from the WAN reach the home host it is addressed to? */
static __always_inline int fw_tc_allowed(struct __sk_buff *skb, struct fw_view *v,
					 const struct hearth_fw_cfg *fw)
{
	struct hearth_fw_frag_key fkey;
	__u8 one = 1;
	int ok;

	if (v->frag != FW_FRAG_NONE && fw_nat_fragment(v))
		return 1;
	fkey = fw_frag_key(v);
	if (v->frag == FW_FRAG_LATER)
		return bpf_map_lookup_elem(&HEARTH_MAP_FWFRAGS, &fkey) != 0;
	if (v->trackable && fw_tc_tracked(&v->key))
		ok = 1;
	else if (v->icmp_error)
		ok = fw_tc_error_ok(skb, v);
	else if (v->echo_request && v->key.family == AF_INET6)
		ok = fw->echo6_in;
	else
		ok = v->trackable && !v->echo_request &&
		     fw_tc_open_pinhole(&v->key, v->tcp_flags, v->ip_len);
	if (ok && v->frag == FW_FRAG_FIRST)
		bpf_map_update_elem(&HEARTH_MAP_FWFRAGS, &fkey, &one, BPF_ANY);
	return ok;
}

/* Where the kernel would take a packet for a home address: 0 when to the
 * gateway itself, else its egress interface's flags | FW_ROUTED. */
#define FW_ROUTED (1u << 31)

static __always_inline __u32 fw_tc_route(struct __sk_buff *skb, const struct fw_view *v)
{
	struct bpf_fib_lookup fib = {};
	struct hearth_iface *out;
	__u32 slot;
	int rc;

	fib.family = v->key.family;
	fib.ifindex = skb->ingress_ifindex;
	if (v->key.family == AF_INET) {
		fib.ipv4_src = v->key.saddr.ip4;
		fib.ipv4_dst = v->key.daddr.ip4;
	} else {
		__builtin_memcpy(fib.ipv6_src, v->key.saddr.b, 16);
		__builtin_memcpy(fib.ipv6_dst, v->key.daddr.b, 16);
	}
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NOT_FWDED)
		return 0;
	slot = iface_slot(fib.ifindex);
	out = slot ? bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &slot) : 0;
	return FW_ROUTED | (out ? out->flags : 0);
}

#endif /* HEARTH_BPF_FIREWALL_TC_H */
