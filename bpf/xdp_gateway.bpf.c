// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gateway fast path, attached to every gateway interface:
 *
 *   parse -> L2 check -> L3 validation -> slow-path triage -> FIB decision
 *   (cached) -> MTU/TTL -> rewrite -> bpf_redirect_map
 *
 * Every packet ends in exactly one counter of its ingress interface; what
 * XDP cannot finish goes to the kernel stack with XDP_PASS.
 */
#include "lib/common.h"
#include "lib/csum.h"
#include "lib/parse.h"
#include "lib/fib.h"
#include "lib/verdict.h"

static __always_inline __u32 classify(struct xdp_md *ctx, struct pkt *p,
				      __u32 slot)
{
	struct hearth_iface *iface;
	__u32 id;

	iface = bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &slot);
	if (!slot || !iface)
		return HEARTH_CNT_PASS_UNKNOWN_IFACE;
	id = parse_eth(p, (void *)(long)ctx->data);
	if (id != HEARTH_CONTINUE)
		return id;
	id = check_l2(p, iface->mac);
	if (id != HEARTH_CONTINUE)
		return id;
	id = parse_l3(p);
	if (id != HEARTH_CONTINUE)
		return id;
	if (p->vlan)
		return HEARTH_CNT_PASS_VLAN;
	return check_scope(p);
}

/* TTL check and header rewrite once the decision is to forward. */
static __always_inline __u32 forward_rewrite(struct pkt *p,
					     const struct hearth_fib_entry *e)
{
	if (p->l3_len > e->mtu)
		return HEARTH_CNT_PASS_FRAG_NEEDED;
	if (p->family == AF_INET) {
		if (p->ip4->ttl <= 1)
			return HEARTH_CNT_PASS_TTL;
		ipv4_decrease_ttl(p->ip4);
	} else {
		if (p->ip6->hop_limit <= 1)
			return HEARTH_CNT_PASS_TTL;
		p->ip6->hop_limit--;
	}
	__builtin_memcpy(p->eth->h_dest, e->dmac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, e->smac, ETH_ALEN);
	return HEARTH_CNT_FORWARD;
}

static __always_inline int gateway_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 bytes = data_end - data;
	__u32 slot = iface_slot(ctx->ingress_ifindex);
	struct hearth_fib_entry scratch, *e;
	struct pkt p = { .data_end = data_end };
	__u32 id;

	if (slot >= HEARTH_MAX_IFACES)
		slot = 0;
	id = classify(ctx, &p, slot);
	if (id != HEARTH_CONTINUE)
		return verdict(slot, id, bytes);
	e = fib_decide(ctx, &p, &scratch);
	if (!e)
		return verdict(slot, HEARTH_CNT_PASS_NO_ROUTE, bytes);
	if (e->action != HEARTH_FIB_FORWARD)
		return verdict(slot, e->reason, bytes);
	id = forward_rewrite(&p, e);
	if (id != HEARTH_CNT_FORWARD)
		return verdict(slot, id, bytes);
	counter_add(slot, HEARTH_CNT_FORWARD, bytes);
	counter_add(e->out_slot, HEARTH_CNT_TX, bytes);
	return bpf_redirect_map(&HEARTH_MAP_TXPORTS, e->out_slot, 0);
}

SEC("xdp")
int HEARTH_PROG_XDP_GATEWAY(struct xdp_md *ctx)
{
	return gateway_xdp(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
