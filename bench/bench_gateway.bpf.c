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

/* The sender's timestamp clock as it ticks in real traffic: each repeat
 * carries a TSval one above the last, so that round-trip times see what
 * an established connection's packets mostly are (a sample armed and
 * waiting for its echo, or none due), not a TSval that never changes. The
 * TCP checksum is left stale: forwarding does not read it. */
__u32 bench_tsval;

SEC("xdp")
int bench_gw_tick(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 *tsval = data + BENCH_TCP6_TSVAL_OFF;

	restore_head(ctx);
	if ((void *)(tsval + 1) <= data_end)
		*tsval = bpf_htonl(++bench_tsval);
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
	struct hearth_fib_entry *e;
	__u32 slot;

	restore_head(ctx);
	slot = iface_slot(ctx->ingress_ifindex);
	if (slot >= HEARTH_MAX_IFACES ||
	    classify(ctx, &p, slot) != HEARTH_CONTINUE)
		return XDP_ABORTED;
	e = fib_decide(ctx, &p);
	return e && e->action == HEARTH_FIB_FORWARD ? XDP_PASS : XDP_ABORTED;
}

/*
 * NAT. Translation rewrites addresses, ports and the transport checksum,
 * so these entry points put back the longer head (Ethernet + IPv4 + UDP).
 */
struct bench_nat_head bench_nat_head;
/* The new-connection scenario: repeat i of a run sends from source port
 * bench_new_base + bench_new_seq, and bench_new_seq counts the repeats, so
 * that every repeat is a connection conntrack has never seen. xdp_bench
 * sets both before each run; it is pinned to one CPU, so one counter does. */
__u32 bench_new_base;
__u32 bench_new_seq;

static __always_inline void restore_nat_head(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *w = data;

	if (data + BENCH_NAT_HEAD_LEN > data_end)
		return;
	w[0] = bench_nat_head.w[0];
	w[1] = bench_nat_head.w[1];
	w[2] = bench_nat_head.w[2];
	w[3] = bench_nat_head.w[3];
	w[4] = bench_nat_head.w[4];
	w[5] = bench_nat_head.w[5];
}

/* After restore_nat_head: the next source port, with the UDP checksum
 * updated for it as a sender would have computed it. */
static __always_inline void next_tuple(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 *sport = data + BENCH_UDP4_SPORT_OFF;
	__sum16 *check = data + BENCH_UDP4_CSUM_OFF;
	__be16 port;
	__u16 c;

	if (data + BENCH_NAT_HEAD_LEN > data_end)
		return;
	port = bpf_htons((__u16)(bench_new_base + bench_new_seq++));
	c = csum_replace2(*check, *sport, port);
	*check = c ? c : 0xffff;
	*sport = port;
}

/* The table-size scenario: repeat i sends from h1:1024 + (i mod N) mod
 * 32768 to the server's port 5201 + (i mod N) / 32768, so that a run goes
 * round N connections (xdp_bench sets bench_cycle_n to N). */
__u32 bench_cycle_n;

static __always_inline void cycle_tuple(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__be16 *sport = data + BENCH_UDP4_SPORT_OFF;
	__sum16 *check = data + BENCH_UDP4_CSUM_OFF;
	__u32 i = bench_new_seq++ % (bench_cycle_n ? bench_cycle_n : 1);
	__be16 s, d;
	__u16 c;

	if (data + BENCH_NAT_HEAD_LEN > data_end)
		return;
	s = bpf_htons((__u16)(1024 + (i & 0x7fff)));
	d = bpf_htons((__u16)(5201 + (i >> 15)));
	c = csum_replace2(*check, sport[0], s);
	c = csum_replace2(c, sport[1], d);
	*check = c ? c : 0xffff;
	sport[0] = s;
	sport[1] = d;
}

SEC("xdp")
int bench_nat_cycle(struct xdp_md *ctx)
{
	restore_nat_head(ctx);
	cycle_tuple(ctx);
	return gateway_xdp(ctx);
}

SEC("xdp")
int bench_nat_restore(struct xdp_md *ctx)
{
	restore_nat_head(ctx);
	return XDP_PASS;
}

SEC("xdp")
int bench_nat_restore_new(struct xdp_md *ctx)
{
	restore_nat_head(ctx);
	next_tuple(ctx);
	return XDP_PASS;
}

SEC("xdp")
int bench_nat_gw(struct xdp_md *ctx)
{
	restore_nat_head(ctx);
	return gateway_xdp(ctx);
}

SEC("xdp")
int bench_nat_new(struct xdp_md *ctx)
{
	restore_nat_head(ctx);
	next_tuple(ctx);
	return gateway_xdp(ctx);
}

/* The established outbound NAT path cut short after a stage, for its
 * breakdown; XDP_PASS when the packet would go on, XDP_ABORTED otherwise. */
enum nat_cut {
	CUT_PARSE, /* parse + validate */
	CUT_TUPLE, /* + NAT configuration and the packet's tuple */
	CUT_CT, /* + conntrack lookup (nat_pre as a whole), entry found */
	CUT_DECIDE, /* + FIB decision */
	CUT_SNAT, /* + source rewrite with checksums, no accounting */
	CUT_POST, /* + nat_post as the gateway runs it: rewrite + ct_account */
};

static __always_inline int nat_cut(struct xdp_md *ctx, enum nat_cut upto)
{
	struct pkt p = { .data_end = (void *)(long)ctx->data_end };
	struct hearth_fib_entry *e;
	struct nat_state nat = {};
	__u32 slot;

	restore_nat_head(ctx);
	nat.bytes = ctx->data_end - ctx->data;
	slot = iface_slot(ctx->ingress_ifindex);
	if (slot >= HEARTH_MAX_IFACES ||
	    classify(ctx, &p, slot) != HEARTH_CONTINUE)
		return XDP_ABORTED;
	if (upto == CUT_PARSE)
		return XDP_PASS;
	/* the IPv4 copy with NAT on, as gateway_xdp picks it */
	nat.cfg = nat_cfg();
	if (p.family != AF_INET || !nat.cfg || !nat.cfg->enabled)
		return XDP_ABORTED;
	if (upto == CUT_TUPLE) {
		/* nat_pre up to its conntrack lookup */
		nat.now = bpf_jiffies64();
		return ct_tuple(p.ip4, p.data_end, &nat.key, &nat.ref) == CT_TRACKED ?
			       XDP_PASS : XDP_ABORTED;
	}
	/* tracked: from this CPU's line or the table */
	if (nat_pre(ctx, &p, &nat, AF_INET) != HEARTH_CONTINUE || !nat.x.nat)
		return XDP_ABORTED;
	if (upto == CUT_CT)
		return XDP_PASS;
	e = fib_decide(ctx, &p);
	if (!e || e->action != HEARTH_FIB_FORWARD ||
	    forward_check(&p, e) != HEARTH_CONTINUE)
		return XDP_ABORTED;
	if (upto == CUT_DECIDE)
		return XDP_PASS;
	if (upto == CUT_SNAT) {
		if (!(nat.x.nat & HEARTH_CT_NAT_SRC))
			return XDP_ABORTED;
		nat_rewrite_src(p.ip4, &nat.ref, nat.x.saddr, nat.x.sport);
		return XDP_PASS;
	}
	if (conn_post(ctx, &p, &nat, e, 1) != HEARTH_CONTINUE)
		return XDP_ABORTED;
	nat_post_rewrite(&p, &nat);
	return XDP_PASS;
}

SEC("xdp")
int bench_nat_parse(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_PARSE);
}

SEC("xdp")
int bench_nat_tuple(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_TUPLE);
}

SEC("xdp")
int bench_nat_ct(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_CT);
}

SEC("xdp")
int bench_nat_decide(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_DECIDE);
}

SEC("xdp")
int bench_nat_snat(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_SNAT);
}

SEC("xdp")
int bench_nat_post(struct xdp_md *ctx)
{
	return nat_cut(ctx, CUT_POST);
}
