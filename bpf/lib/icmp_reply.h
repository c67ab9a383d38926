/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * ICMPv4 errors sent by XDP: the frame that earned one becomes, in place,
 * the error about itself (RFC 792: the offending IPv4 header and the first
 * 8 bytes of its payload quoted), and goes back out of the interface it
 * came in by. Rate limited per CPU and kind (HEARTH_MAP_ICMPRL), as Linux
 * limits its own errors.
 *
 * Stages do not send: they ask (struct icmp_ask) and return their drop
 * reason, and the program's exit (verdict_icmp) counts the reason and
 * sends, so every packet still ends in one verdict of its ingress slot.
 */
#ifndef HEARTH_BPF_ICMP_REPLY_H
#define HEARTH_BPF_ICMP_REPLY_H

#include "common.h"
#include "csum.h"
#include "verdict.h"
#include "nat_icmp.h"

#define ICMP_FRAG_NEEDED 4 /* code of ICMP_DEST_UNREACH */
#define ICMP_PKT_FILTERED 13 /* code: communication administratively prohibited */
#define ICMP_EXC_TTL 0 /* code of ICMP_TIME_EXCEEDED */

#define IP_DF 0x4000
#define IPTOS_PREC_INTERNETCONTROL 0xc0

/* What is quoted: an option-less IPv4 header and 8 bytes of payload. */
#define ICMP_QUOTE_LEN (20 + 8)
/* The error: IPv4 header, ICMP header, quote. */
#define ICMP_ERR_IP_LEN (20 + 8 + ICMP_QUOTE_LEN)
#define ICMP_ERR_FRAME_LEN (ETH_HLEN + ICMP_ERR_IP_LEN)

/* Load-time setting: one second in jiffies (the loader sets the kernel's
 * HZ; this default assumes HZ=100). */
const volatile __u64 icmp_window_jiffies = 100;

/* An error to send about the packet being dropped; type 0: none. */
struct icmp_ask {
	__be32 saddr; /* the gateway's address on the sender's side */
	__u16 mtu; /* next-hop MTU (fragmentation needed), host order */
	__u8 type;
	__u8 code;
	__u8 rl_slot; /* enum hearth_icmp_rl_slot */
};

static __always_inline void icmp_ask(struct icmp_ask *ask, __u8 type, __u8 code,
				     __u16 mtu, __be32 saddr, __u8 rl_slot)
{
	ask->saddr = saddr;
	ask->mtu = mtu;
	ask->type = type;
	ask->code = code;
	ask->rl_slot = rl_slot;
}

/*
 * RFC 5508 REQ-8: a home host whose new connection NAT refuses (no free
 * port, table full) learns it at once, with "communication administratively
 * prohibited" from the gateway's address on the interface it came in by,
 * rather than by a timeout. Nothing is sent while that interface has no
 * IPv4 address. Returns @id, the refusal.
 */
static __always_inline __u32 icmp_admin_prohibited(struct icmp_ask *ask,
						   __u32 slot, __u32 id)
{
	struct hearth_iface *iface = bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &slot);

	if (iface && iface->addr4)
		icmp_ask(ask, ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, 0, iface->addr4,
			 HEARTH_ICMP_RL_PROHIBITED);
	return id;
}

/* At most HEARTH_ICMP_RATE_* errors of a kind per second on this CPU. */
static __always_inline int icmp_rate_ok(__u32 rl_slot)
{
	struct hearth_icmp_rl *rl = bpf_map_lookup_elem(&HEARTH_MAP_ICMPRL, &rl_slot);
	__u32 limit = rl_slot == HEARTH_ICMP_RL_PROHIBITED ? HEARTH_ICMP_RATE_PROHIBITED :
							     HEARTH_ICMP_RATE_NAT;
	__u64 now = bpf_jiffies64();

	if (!rl)
		return 0;
	if (now - rl->window >= icmp_window_jiffies) {
		rl->window = now;
		rl->sent = 0;
	}
	if (rl->sent >= limit)
		return 0;
	rl->sent++;
	return 1;
}

/*
 * Turns the current frame (untagged IPv4 without options, as its sender
 * sent it: callers undo their rewrites first) into an ICMP error of @type
 * and @code about it, from @saddr to its sender, MAC addresses swapped.
 * @mtu goes into the next-hop MTU field (RFC 1191). Returns 0 when the
 * frame is the error, -1 when it could not be built (the frame is then
 * not to be sent).
 */
static __always_inline int icmp_error_build(struct xdp_md *ctx, __u8 type,
					    __u8 code, __u16 mtu, __be32 saddr)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u8 to[ETH_ALEN], from[ETH_ALEN];
	struct iphdr *ip, *quoted;
	struct icmphdr *ic;
	int delta;

	if (data + ETH_HLEN + ICMP_QUOTE_LEN > data_end || !saddr)
		return -1;
	__builtin_memcpy(to, eth->h_source, ETH_ALEN);
	__builtin_memcpy(from, eth->h_dest, ETH_ALEN);
	/* room for the new IPv4 and ICMP headers between Ethernet and the
	 * quote, which stays where it is; then the quote's end */
	if (bpf_xdp_adjust_head(ctx, -(int)(sizeof(*ip) + sizeof(*ic))))
		return -1;
	delta = ICMP_ERR_FRAME_LEN - (int)(ctx->data_end - ctx->data);
	if (bpf_xdp_adjust_tail(ctx, delta))
		return -1;
	data = (void *)(long)ctx->data;
	data_end = (void *)(long)ctx->data_end;
	eth = data;
	ip = (void *)(eth + 1);
	ic = (void *)(ip + 1);
	quoted = (void *)(ic + 1);
	if ((void *)quoted + ICMP_QUOTE_LEN > data_end)
		return -1;
	__builtin_memcpy(eth->h_dest, to, ETH_ALEN);
	__builtin_memcpy(eth->h_source, from, ETH_ALEN);
	eth->h_proto = bpf_htons(ETH_P_IP);

	ip->version = 4;
	ip->ihl = 5;
	ip->tos = IPTOS_PREC_INTERNETCONTROL;
	ip->tot_len = bpf_htons(ICMP_ERR_IP_LEN);
	ip->id = 0; /* with DF: never fragmented (RFC 6864) */
	ip->frag_off = bpf_htons(IP_DF);
	ip->ttl = 64;
	ip->protocol = IPPROTO_ICMP;
	ip->check = 0;
	ip->saddr = saddr;
	ip->daddr = quoted->saddr;
	ip->check = csum_fold((__u32)bpf_csum_diff(0, 0, (void *)ip, sizeof(*ip), 0));

	ic->type = type;
	ic->code = code;
	ic->checksum = 0;
	ic->un.gateway = bpf_htonl(mtu); /* 16 unused bits, the MTU (or 0) */
	ic->checksum = csum_fold((__u32)bpf_csum_diff(0, 0, (void *)ic,
						      sizeof(*ic) + ICMP_QUOTE_LEN, 0));
	return 0;
}

/*
 * The exit of a packet dropped under @id: counted there, and when a stage
 * asked for an ICMP error and the rate allows, the frame becomes that error
 * and leaves by the ingress interface (counted icmp-sent on it).
 */
static __always_inline int verdict_icmp(struct xdp_md *ctx, __u32 slot, __u32 id,
					__u32 bytes, const struct icmp_ask *ask)
{
	if (!ask->type || id < HEARTH_CNT_DROP_TRUNC_ETH || !icmp_rate_ok(ask->rl_slot))
		return verdict(slot, id, bytes);
	counter_add(slot, id, bytes);
	if (icmp_error_build(ctx, ask->type, ask->code, ask->mtu, ask->saddr))
		return XDP_DROP;
	counter_add(slot, HEARTH_CNT_ICMP_SENT, ICMP_ERR_FRAME_LEN);
	return bpf_redirect_map(&HEARTH_MAP_TXPORTS, slot, 0);
}

#endif /* HEARTH_BPF_ICMP_REPLY_H */
