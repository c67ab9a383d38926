// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gateway pipeline, unchanged, behind a prologue that makes repeated
 * BPF_PROG_TEST_RUN honest.
 *
 * Non-live BPF_PROG_TEST_RUN hands the same buffer to every repeat, so the
 * gateway's own rewrite would feed into the next repeat: the TTL reaches 1
 * after 63 repeats, and already the second repeat carries the next hop's
 * destination MAC, which the L2 check sends to the stack as "other host".
 * Each program here therefore first writes back the head of the frame as
 * xdp_bench built it: Ethernet header, then IPv4 up to and including the
 * header checksum (TTL, checksum) or IPv6 up to the hop limit. Nothing
 * behind that is written by the gateway. bench_restore measures this
 * prologue on its own so that its cost can be subtracted.
 */
#include "../bpf/xdp_gateway.bpf.c"
#include "bench_gateway.h"

/* The pristine head of the frame under test, written by xdp_bench before
 * each scenario. */
struct bench_head bench_head;

static __always_inline void restore_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *w = data;

	/* every frame xdp_bench sends is longer than that; a shorter one
	 * would simply run unrestored */
	if (data + BENCH_HEAD_LEN > data_end)
		return;
	w[0] = bench_head.w[0];
	w[1] = bench_head.w[1];
	w[2] = bench_head.w[2];
	*(__u16 *)&w[3] = bench_head.tail;
}

SEC("xdp")
int bench_restore(struct xdp_md *ctx)
{
	restore_head(ctx);
	return XDP_PASS;
}

SEC("xdp")
int bench_gw(struct xdp_md *ctx)
{
	restore_head(ctx);
	return gateway_xdp(ctx);
}

/*
 * The same pipeline cut short, for the breakdown of the forwarding cost:
 * each returns XDP_PASS when the packet would go on to the next stage and
 * XDP_ABORTED otherwise, so that a wrong path cannot pass for a cheap one.
 */
SEC("xdp")
int bench_parse(struct xdp_md *ctx)
{
	struct pkt p = { .data_end = (void *)(long)ctx->data_end };
	__u32 slot;

	restore_head(ctx);
	slot = iface_slot(ctx->ingress_ifindex);
	if (slot >= HEARTH_MAX_IFACES)
		return XDP_ABORTED;
	return classify(ctx, &p, slot) == HEARTH_CONTINUE ? XDP_PASS : XDP_ABORTED;
}

SEC("xdp")
int bench_decide(struct xdp_md *ctx)
{
	struct pkt p = { .data_end = (void *)(long)ctx->data_end };
	struct hearth_fib_entry scratch, *e;
	__u32 slot;

	restore_head(ctx);
	slot = iface_slot(ctx->ingress_ifindex);
	if (slot >= HEARTH_MAX_IFACES ||
	    classify(ctx, &p, slot) != HEARTH_CONTINUE)
		return XDP_ABORTED;
	e = fib_decide(ctx, &p, &scratch);
	return e && e->action == HEARTH_FIB_FORWARD ? XDP_PASS : XDP_ABORTED;
}
