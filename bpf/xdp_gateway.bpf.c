// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gateway fast path, attached to every gateway interface:
 *
 *   parse -> L2 check -> L3 validation -> slow-path triage
 *   -> conntrack lookup, inbound DNAT -> FIB decision (cached) -> MTU/TTL
 *   -> outbound SNAT (new connections opened here) -> tenant: meter,
 *   police downloads, send uploads to the shaper -> rewrite
 *   -> bpf_redirect_map
 *
 * Every packet ends in exactly one counter of its ingress interface; what
 * XDP cannot finish goes to the kernel stack with XDP_PASS, untranslated
 * when outbound (tc on WAN egress translates what the kernel forwards).
 * A few drops answer their sender with an ICMP error built here (too big
 * or expiring on a translated connection, a refused new connection).
 */
#define HEARTH_CTX struct xdp_md
#include "lib/common.h"
#include "lib/csum.h"
#include "lib/parse.h"
#include "lib/fib.h"
#include "lib/ct.h"
#include "lib/firewall.h"
#include "lib/nat.h"
#include "lib/nat_icmp.h"
#include "lib/icmp_reply.h"
#include "lib/meter.h"
#include "lib/isolate.h"
#include "lib/verdict.h"
#include "lib/probe_packet.h"

static __always_inline __u32 classify(struct xdp_md *ctx, struct pkt *p,
				      __u32 slot)
{
	struct hearth_iface *iface;
	__u32 id;

	iface = bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &slot);
	if (!slot || !iface)
		return HEARTH_CNT_PASS_UNKNOWN_IFACE;
	p->in_role = iface->role;
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

/* What the kernel must answer (with an ICMP error about the packet as it
 * arrived): checked before anything is translated. */
static __always_inline __u32 forward_check(struct pkt *p,
					   const struct hearth_fib_entry *e)
{
	if (p->l3_len > e->mtu)
		return HEARTH_CNT_PASS_FRAG_NEEDED;
	if (p->family == AF_INET ? p->ip4->ttl <= 1 : p->ip6->hop_limit <= 1)
		return HEARTH_CNT_PASS_TTL;
	return HEARTH_CONTINUE;
}

static __always_inline void forward_rewrite(struct pkt *p,
					    const struct hearth_fib_entry *e)
{
	if (p->family == AF_INET)
		ipv4_decrease_ttl(p->ip4);
	else
		p->ip6->hop_limit--;
	__builtin_memcpy(p->eth->h_dest, e->dmac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_source, e->smac, ETH_ALEN);
}

/* The packet's connection (NAT and firewall), from the lookup to the
 * rewrite. */
struct nat_state {
	struct hearth_nat_cfg *cfg; /* NULL when NAT is off (or not IPv4) */
	struct hearth_ct_l1 *line; /* count here when set */
	struct hearth_ct_entry *ct; /* else here (a connection just opened) */
	struct ct_xlat x;
	struct hearth_ct_key key;
	struct l4_ref ref;
	struct icmp_ask icmp; /* the error a drop is to answer with */
	__u64 now;
	__u32 bytes;
	__u32 track;
	__u8 accounted;
	/* the firewall is on (a scalar: the verifier then need not walk the
	 * paths after it twice, as a pointer's NULL and non-NULL states);
	 * last, in the padding: 8 bytes more of frame would take the 6.1
	 * kernel's call chains past their 512 */
	__u8 fw_on;
};

static __always_inline void nat_count(struct nat_state *n)
{
	if (n->accounted)
		return;
	if (n->line)
		ct_line_account(n->line, &n->ref, n->bytes, n->now);
	else if (n->ct)
		ct_account(n->ct, &n->ref, n->bytes, n->now);
	n->accounted = 1;
}

static __always_inline void nat_take(struct nat_state *n)
{
	/* always set with CT_TRACKED; the verifier cannot see it through
	 * the global functions' return values */
	if (!n->ct)
		return;
	ct_xlat_from(&n->x, n->ct->nat_saddr, n->ct->nat_daddr, n->ct->nat_sport,
		     n->ct->nat_dport, n->ct->nat | CT_LINE_TRACKED);
}

/* Errors about a translated packet come from the address its sender sent
 * it to (RFC 5508 REQ-3): the WAN address. */
static __always_inline void nat_icmp_ask(struct nat_state *n, __u8 type, __u8 code,
					 __u16 mtu)
{
	icmp_ask(&n->icmp, type, code, mtu, n->cfg->wan_addr, HEARTH_ICMP_RL_NAT);
}

/* The packet's tuple, when NAT or the firewall needs it. */
static __always_inline __u32 conn_tuple(struct xdp_md *ctx, struct pkt *p,
					struct nat_state *n, const __u8 family)
{
	__u32 meta, id;

	if (family == AF_INET)
		return ct_tuple(p->ip4, p->data_end, &n->key, &n->ref);
	__builtin_memset(&n->ref, 0, sizeof(n->ref));
	id = ct_tuple6(ctx, ETH_HLEN, &n->key, &meta);
	n->ref.tcp_flags = meta;
	n->ref.may_open = !!(meta & CT6_MAY_OPEN);
	return id;
}

/*
 * With NAT on, an IPv4 packet no connection knows that NAT does not open
 * one for: from the WAN to another address than the WAN's (a home host,
 * unsolicited), or from a source NAT does not translate. The kernel path's
 * firewall (tc on the WAN, both ways) decides them, where the home
 * prefixes and routing say what they are; both are rare, and deciding in
 * this copy of the program cost the 6.1 verifier a third of its budget.
 */
static __always_inline int nat_fw_kernel(struct xdp_md *ctx, struct pkt *p,
					 const struct hearth_nat_cfg *cfg)
{
	if (ctx->ingress_ifindex == cfg->wan_ifindex)
		return p->ip4->daddr != cfg->wan_addr;
	return !addr_inside(p->ip4->saddr);
}

/* Conntrack lookup (a new connection to a forwarded port or through a
 * mapping is opened here), and the destination rewrite that routing must
 * see. A translated packet that would expire here is dropped (nat-ttl)
 * with a time exceeded; ICMP errors about our connections are translated,
 * both ways. A connection's tuple from the other side of the gateway is
 * no connection's (ct_find): the rules for untracked packets decide it. */
static __always_inline __u32 nat_pre(struct xdp_md *ctx, struct pkt *p,
				      struct nat_state *n, const __u8 family)
{
	struct hearth_fw_cfg *fw = fw_cfg();
	struct hearth_state *st;

	if (fw)
		n->fw_on = fw->enabled;
	if (!n->cfg && !n->fw_on)
		return HEARTH_CONTINUE;
	n->track = conn_tuple(ctx, p, n, family);
	if (n->track == CT_UNTRACKED) {
		/* an ICMP error about one of our connections (not when it would
		 * expire here: nobody answers an error about an error) */
		if (n->cfg && p->ip4->protocol == IPPROTO_ICMP && p->ip4->ttl > 1 &&
		    nat_icmp_error(p->ip4, p->data_end))
			n->x.nat = CT_LINE_TRACKED; /* a connection's: not the firewall's */
		/* no tuple (ESP, GRE, ICMP NAT does not translate, ...): NAT
		 * neither opens nor translates it, so the firewall decides it on
		 * the kernel path as it does the tracked ones below */
		else if (n->cfg && n->fw_on && nat_fw_kernel(ctx, p, n->cfg))
			return HEARTH_CNT_PASS_FW_KERNEL;
		return HEARTH_CONTINUE;
	}
	if (n->track != CT_TRACKED)
		return n->track;
	n->now = bpf_jiffies64();
	st = dp_state();
	n->line = ct_find(&n->key, st ? st->generation : 0, n->now, &n->x,
			  role_side(p->in_role));
	if (!n->x.nat && n->ref.may_open && n->cfg) {
		__u32 id = ct_open_to_wan(ctx, n->cfg, &n->key, n->ref.tcp_flags, &n->ct);

		if (id == CT_TRACKED)
			nat_take(n);
		else if (id != CT_UNTRACKED)
			return id;
	}
	if (!n->x.nat && n->cfg && n->fw_on && nat_fw_kernel(ctx, p, n->cfg))
		return HEARTH_CNT_PASS_FW_KERNEL;
	/* translations are IPv4 with NAT on: n->cfg says so to the verifier */
	if (!n->cfg || !(n->x.nat & HEARTH_CT_NAT_DST))
		return HEARTH_CONTINUE;
	/* expiring here, it would reach our own stack as traffic for the WAN
	 * address (a RST could kill the connection), or, translated, make the
	 * kernel quote an inside address to the outside: neither. XDP answers
	 * with the packet as it came (traceroute through a forward). */
	if (p->ip4->ttl <= 1) {
		nat_icmp_ask(n, ICMP_TIME_EXCEEDED, ICMP_EXC_TTL, 0);
		return HEARTH_CNT_DROP_NAT_TTL;
	}
	nat_rewrite_dst(p->ip4, &n->ref, n->x.daddr, n->x.dport);
	nat_count(n);
	return HEARTH_CONTINUE;
}

/* A packet no connection knows, crossing the WAN (@dir: FW_OUTBOUND or 0),
 * to the firewall: opened, let through or refused. Its facts go as raw
 * values shifted into one word: a branch for each would multiply the paths
 * the verifier walks after this. A connection it opens has no line yet and
 * no entry here: the opener counted the packet in the entry. */
static __always_inline __u32 conn_fw(struct xdp_md *ctx, struct nat_state *n, __u32 slot,
				     __u32 out_slot, __u32 dir)
{
	__u32 how = dir | FW_SLOT(slot & 0xff) | FW_OUT_SLOT(out_slot & 0xff) |
		    (__u32)(n->ref.may_open & 1) << 2 | FW_TCP_FLAGS(n->ref.tcp_flags);
	struct hearth_scratch *scratch;
	__u32 zero = 0, r;

	/* the tuple goes by the scratch slot: a pointer into this stack
	 * frame would leave it unknown to the 6.1 verifier after the call,
	 * and every path after it walked once more */
	scratch = bpf_map_lookup_elem(&HEARTH_MAP_SCRATCH, &zero);
	if (!scratch)
		return HEARTH_CNT_DROP_FW_REFUSED;
	scratch->fw_key = n->key;
	r = fw_open(ctx, how, n->track);
	if (!(r & FW_OPEN))
		return r;
	/* the key again from the scratch slot: the call may have changed it */
	r = fw_open_tracked(&scratch->fw_key, r, n->bytes, n->ref.tcp_flags);
	ct_retire_endings();
	return r == CT_TRACKED ? HEARTH_CONTINUE : r;
}

/* Outbound: an existing source translation, or a new masqueraded
 * connection (of the tenant the inside host belongs to) for an inside host
 * leaving by the WAN. Nothing with an inside source leaves by the WAN
 * untranslated. The rewrite itself waits until the packet may leave. */
static __always_inline __u32 nat_post(struct xdp_md *ctx, struct pkt *p,
				      struct nat_state *n,
				      const struct hearth_fib_entry *e,
				      __u32 slot)
{
	struct hearth_nat_cfg *cfg = n->cfg;
	__u32 id, tenant;

	if (!cfg || n->x.nat)
		return HEARTH_CONTINUE;
	if (e->ifindex != cfg->wan_ifindex || !addr_inside(p->ip4->saddr))
		return HEARTH_CONTINUE;
	if (n->track != CT_TRACKED || !n->ref.may_open || !cfg->wan_addr)
		return HEARTH_CNT_DROP_LEAK;
	tenant = tenant_classify(slot, p->eth->h_source, AF_INET, &p->ip4->saddr);
	id = ct_open_snat(ctx, &n->key, tenant, n->ref.tcp_flags, &n->ct);
	if (id != CT_TRACKED)
		return icmp_admin_prohibited(&n->icmp, slot, id);
	nat_take(n);
	return HEARTH_CONTINUE;
}

/* After routing, untranslated (IPv6, IPv4 with NAT off): a packet no
 * connection knows that crosses the WAN, either way, opens a tracked
 * connection or is refused. */
static __always_inline __u32 conn_post(struct xdp_md *ctx, struct pkt *p,
				       struct nat_state *n,
				       const struct hearth_fib_entry *e, __u32 slot)
{
	__u32 out_slot = e->out_slot;
	struct hearth_iface *out;
	int in_from_wan;

	if (n->x.nat || !n->fw_on)
		return HEARTH_CONTINUE;
	out = bpf_map_lookup_elem(&HEARTH_MAP_IFACES, &out_slot);
	if (!out)
		return HEARTH_CONTINUE;
	in_from_wan = p->in_role == HEARTH_ROLE_WAN;
	if (in_from_wan == (out->role == HEARTH_ROLE_WAN))
		/* not crossing the WAN: only a home source from it is ours */
		return in_from_wan && addr_home(&n->key.saddr) ? HEARTH_CNT_DROP_FW_SPOOFED :
								  HEARTH_CONTINUE;
	return conn_fw(ctx, n, slot, out_slot, in_from_wan ? 0 : FW_OUTBOUND);
}

/*
 * A packet whose destination nat_pre translated, too big for the next hop.
 * With DF set, the kernel's "fragmentation needed" would quote the inside
 * address from the gateway's own: XDP undoes the rewrite and answers from
 * the WAN address, quoting the packet as it arrived (nat-too-big). Without
 * DF, the kernel fragments it, translated, on its way to the inside host.
 */
static __always_inline __u32 nat_too_big(struct pkt *p, struct nat_state *n,
					 const struct hearth_fib_entry *e)
{
	if (!n->cfg || !(n->x.nat & HEARTH_CT_NAT_DST) ||
	    !(p->ip4->frag_off & bpf_htons(IP_DF)))
		return HEARTH_CNT_PASS_FRAG_NEEDED;
	nat_rewrite_dst(p->ip4, &n->ref, n->key.daddr.ip4, n->key.dport);
	nat_icmp_ask(n, ICMP_DEST_UNREACH, ICMP_FRAG_NEEDED, e->mtu);
	return HEARTH_CNT_DROP_NAT_TOO_BIG;
}

static __always_inline void nat_post_rewrite(struct pkt *p, struct nat_state *n)
{
	if (!n->cfg || !(n->x.nat & HEARTH_CT_NAT_SRC))
		return;
	nat_rewrite_src(p->ip4, &n->ref, n->x.saddr, n->x.sport);
	nat_count(n);
}

/* The forwarding decision: an established connection's line carries it
 * once a packet has been routed (so its packets cost one conntrack line and
 * nothing more), everything else asks the FIB cache. */
static __always_inline struct hearth_fib_entry *
nat_route(struct xdp_md *ctx, struct pkt *p, struct nat_state *n)
{
	struct hearth_ct_l1 *line = n->line;
	struct hearth_fib_entry *e;

	if (line && line->fwd.action == HEARTH_FIB_FORWARD &&
	    line->fwd_ifindex == ctx->ingress_ifindex)
		return &line->fwd;
	e = fib_decide(ctx, p);
	if (line && e && e->action == HEARTH_FIB_FORWARD) {
		line->fwd = *e;
		line->fwd_ifindex = ctx->ingress_ifindex;
	}
	return e;
}

/*
 * A fragment arriving for a translated connection goes up to the kernel,
 * which forwards fragments one by one; it must be addressed to the inside
 * host by then. The first fragment carries the ports and opens the way for
 * the rest of its datagram.
 */
static __always_inline void nat_fragment_in(struct pkt *p)
{
	struct hearth_nat_cfg *cfg = nat_cfg();
	struct iphdr *ip = p->ip4;
	struct hearth_ct_entry *ct;
	struct hearth_ct_key key;
	struct l4_ref ref;
	__be32 *remembered;

	if (!cfg || !cfg->enabled || p->family != AF_INET || !cfg->wan_addr ||
	    ip->daddr != cfg->wan_addr || ip->ttl <= 1)
		return;
	if (!ipv4_first_fragment(ip)) {
		remembered = frag_lookup(ip, 1);
		if (remembered) {
			ip->check = csum_replace4(ip->check, ip->daddr, *remembered);
			ip->daddr = *remembered;
		}
		return;
	}
	if (ct_tuple(ip, p->data_end, &key, &ref) != CT_TRACKED)
		return;
	ct = ct_lookup(&key);
	if (!ct || !(ct->nat & HEARTH_CT_NAT_DST))
		return;
	frag_remember(ip, 1, ct->nat_daddr);
	nat_rewrite_dst(ip, &ref, ct->nat_daddr, ct->nat_dport);
}

/* A packet crossing the WAN belongs to a tenant: its connection's, or for
 * untracked traffic (IPv6, routed IPv4) the LAN-side host's by rule. */
static __always_inline __u32 packet_tenant(struct pkt *p, struct nat_state *n,
					   const struct hearth_fib_entry *e,
					   __u32 slot, __u32 dir)
{
	const void *addr;

	if (n->line)
		return n->line->tenant;
	if (n->ct)
		return n->ct->tenant;
	if (dir == HEARTH_DIR_UP) {
		addr = p->family == AF_INET ? (void *)&p->ip4->saddr :
					      (void *)&p->ip6->saddr;
		return tenant_classify(slot, p->eth->h_source, p->family, addr);
	}
	addr = p->family == AF_INET ? (void *)&p->ip4->daddr : (void *)&p->ip6->daddr;
	return tenant_classify(e->out_slot, e->dmac, p->family, addr);
}

/* Metering and home-first enforcement of what crosses the WAN: downloads
 * are policed here, uploads go through the kernel to the HTB shaper on the
 * WAN (XDP's transmit bypasses qdiscs) when upload shaping is on. */
static __always_inline __u32 tenant_stage(struct pkt *p, struct nat_state *n,
					  const struct hearth_fib_entry *e,
					  __u32 slot, __u32 bytes)
{
	struct hearth_link_cfg *cfg = link_cfg();
	__u32 dir, tenant, id;

	if (!cfg || !cfg->wan_slot)
		return HEARTH_CONTINUE;
	if (slot == cfg->wan_slot)
		dir = HEARTH_DIR_DOWN;
	else if (e->out_slot == cfg->wan_slot)
		dir = HEARTH_DIR_UP;
	else
		return HEARTH_CONTINUE;
	if (dir == HEARTH_DIR_UP && cfg->shape_up)
		return HEARTH_CNT_PASS_SHAPER; /* tc meters and classifies it */
	tenant = packet_tenant(p, n, e, slot, dir);
	if (dir == HEARTH_DIR_DOWN && cfg->police_down) {
		id = police_down(tenant, bytes);
		if (id != HEARTH_CONTINUE)
			return id;
	}
	tenant_count(tenant, dir, bytes);
	return HEARTH_CONTINUE;
}

/* Chute isolation sees every frame classify let through from a chute,
 * whether XDP or the kernel is to take it, and every IP packet from home. */
static __always_inline __u32 isolate(struct pkt *p, __u32 slot, __u32 id)
{
	__u32 verdict_id;

	if (id != HEARTH_CONTINUE && id >= HEARTH_CNT_DROP_TRUNC_ETH)
		return id;
	if (p->in_role == HEARTH_ROLE_CHUTE) {
		verdict_id = isolate_from_chute(p, slot, id);
		return verdict_id == HEARTH_CONTINUE ? id : verdict_id;
	}
	if (!p->family)
		return id;
	if (p->in_role == HEARTH_ROLE_LAN)
		isolate_from_home(p);
	return id;
}

/*
 * A packet of the NAT copy that nat_pre found a connection for (or whose
 * ICMP error it translated), passed to the kernel after all (next hop not
 * resolved, no route, too big without DF): its 4-byte mark in the XDP
 * metadata area tells tc on the WAN's ingress that XDP let it in, which a
 * packet sent straight to an inside address never carries. A global
 * function: verified once, called on exits only.
 */
__noinline int xdp_mark_conn(struct xdp_md *ctx)
{
	__u32 *meta;

	if (!ctx || bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return 0;
	meta = (void *)(long)ctx->data_meta;
	if ((void *)(meta + 1) > (void *)(long)ctx->data)
		return 0;
	*meta = HEARTH_XDP_META_CONN;
	return 1;
}

/* The verdict of a packet that may be passed to the kernel. */
static __always_inline int nat_verdict(struct xdp_md *ctx, struct nat_state *n,
				       __u32 slot, __u32 id, __u32 bytes)
{
	if (n->cfg && n->fw_on && n->x.nat && id < HEARTH_CNT_DROP_TRUNC_ETH)
		xdp_mark_conn(ctx);
	return verdict(slot, id, bytes);
}

/*
 * What follows classification, written once and compiled three times:
 * IPv4 with NAT on (@cfg set), IPv4 routed, IPv6. The compiler drops what
 * a copy cannot reach, and the verifier walks each copy without the
 * others' branches (a third of the instructions it walked when one copy
 * served all three). What it knew of a packet it forwarded goes to
 * @seen, for the probe point.
 */
static __always_inline int gateway_path(struct xdp_md *ctx, struct pkt *p,
					__u32 slot, __u32 bytes,
					struct hearth_nat_cfg *cfg,
					const __u8 family, struct probe_seen *seen)
{
	/* a connection counts IP octets (IPFIX's octetDeltaCount), the
	 * interface counters and meters frames */
	struct nat_state nat = { .bytes = p->l3_len, .cfg = cfg };
	struct hearth_fib_entry *e;
	__u32 id;

	id = nat_pre(ctx, p, &nat, family);
	if (id != HEARTH_CONTINUE)
		return verdict_icmp(ctx, slot, id, bytes, &nat.icmp);
	e = nat_route(ctx, p, &nat);
	if (!e)
		return nat_verdict(ctx, &nat, slot, HEARTH_CNT_PASS_NO_ROUTE, bytes);
	if (e->action != HEARTH_FIB_FORWARD)
		return nat_verdict(ctx, &nat, slot, e->reason, bytes);
	id = forward_check(p, e);
	if (id == HEARTH_CNT_PASS_FRAG_NEEDED)
		id = nat_too_big(p, &nat, e);
	if (id == HEARTH_CNT_PASS_FRAG_NEEDED) /* fragmented by the kernel */
		return nat_verdict(ctx, &nat, slot, id, bytes);
	if (id == HEARTH_CONTINUE)
		id = cfg ? nat_post(ctx, p, &nat, e, slot) : conn_post(ctx, p, &nat, e, slot);
	if (id == HEARTH_CONTINUE)
		id = tenant_stage(p, &nat, e, slot, bytes);
	if (id != HEARTH_CONTINUE)
		return verdict_icmp(ctx, slot, id, bytes, &nat.icmp);
	nat_post_rewrite(p, &nat);
	nat_count(&nat);
	forward_rewrite(p, e);
	counter_add(slot, HEARTH_CNT_FORWARD, bytes);
	counter_add(e->out_slot, HEARTH_CNT_TX, bytes);
	id = bpf_redirect_map(&HEARTH_MAP_TXPORTS, e->out_slot, 0);
	/* nothing else is live across it, so it costs the frame nothing */
	if (nat.key.proto == IPPROTO_TCP)
		ct_rtt_packet(ctx, nat.line, nat.now);
	seen->line = nat.line;
	seen->ct = nat.ct;
	return id;
}

static __always_inline int gateway_decide(struct xdp_md *ctx, struct probe_seen *seen)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u32 bytes = data_end - data;
	__u32 slot = iface_slot(ctx->ingress_ifindex);
	struct pkt p = { .data_end = data_end };
	struct hearth_nat_cfg *cfg;
	__u32 id;

	if (slot >= HEARTH_MAX_IFACES)
		slot = 0;
	id = classify(ctx, &p, slot);
	id = isolate(&p, slot, id);
	if (id == HEARTH_CNT_PASS_FRAGMENT)
		nat_fragment_in(&p);
	if (id != HEARTH_CONTINUE)
		return verdict(slot, id, bytes);
	if (p.family == AF_INET6) {
		p.family = AF_INET6; /* a constant in this copy, for the compiler */
		return gateway_path(ctx, &p, slot, bytes, 0, AF_INET6, seen);
	}
	p.family = AF_INET;
	cfg = nat_cfg();
	if (cfg && cfg->enabled)
		return gateway_path(ctx, &p, slot, bytes, cfg, AF_INET, seen);
	return gateway_path(ctx, &p, slot, bytes, 0, AF_INET, seen);
}

/* The gateway, then its probe point while a probe is attached. */
static __always_inline int gateway_xdp(struct xdp_md *ctx)
{
	struct probe_seen seen = {};
	int verdict = gateway_decide(ctx, &seen);

	if (probes_attached())
		probe_xdp(ctx, verdict, seen.line, seen.ct);
	return verdict;
}

SEC("xdp")
int HEARTH_PROG_XDP_GATEWAY(struct xdp_md *ctx)
{
	return gateway_xdp(ctx);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
