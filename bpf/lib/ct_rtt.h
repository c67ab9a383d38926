/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Passive round-trip times of TCP connections (maps/hearth_ct.h,
 * struct hearth_ct_rtt), without probing:
 *
 * - The handshake, split at the gateway: SYN to SYN-ACK times the path to
 *   the responder and back, SYN-ACK to the initiator's ACK the path to the
 *   initiator (Karn: a retransmitted SYN or SYN-ACK gives none).
 * - TCP timestamps, as pping does: a direction's first segment carrying
 *   data and a new TSval is timed; the first packet the other way whose
 *   TSecr echoes it ends the sample. A direction arms one sample at a time, at most
 *   HEARTH_RTT_SAMPLES_HZ a second; a sample not echoed within a second
 *   is dropped. Only the aligned layout every stack sends on established
 *   segments is read (NOP, NOP, TS: RFC 7323 appendix A).
 *
 * Only a sample's packets read the nanosecond clock. A sample goes to the
 * direction whose far end it timed (the half whose packets went out), and
 * to its tenant's histogram toward the WAN or the home.
 */
#ifndef HEARTH_BPF_CT_RTT_H
#define HEARTH_BPF_CT_RTT_H

#include <linux/tcp.h>

#include "common.h"
#include "ct_slot.h"

/* Load-time setting (`conntrack rtt on|off`): off, no packet is looked at
 * for round-trip times. */
const volatile __u8 ct_rtt_on = 1;

static __always_inline struct hearth_ct_rtt *ct_rtt_at(__u32 slot)
{
	return bpf_map_lookup_elem(&HEARTH_MAP_CTRTT, &slot);
}

/* Slot @slot holds a new connection half: when it is an original one,
 * the connection's times start over (and the SYN that opened it, when it
 * is one, is the handshake's first mark). */
static __always_inline void ct_rtt_reset(__u32 slot)
{
	struct hearth_ct_slot *s = ct_slot_at(slot);
	struct hearth_ct_rtt *r;

	if (!s || s->e.dir != HEARTH_CT_ORIG)
		return;
	r = ct_rtt_at(slot);
	if (!r)
		return;
	__builtin_memset(r, 0, sizeof(*r));
	r->gen = s->e.gen;
	/* both directions may sample from their first packet on */
	r->dir[0].due = r->dir[1].due = (__u16)bpf_jiffies64();
	if (ct_rtt_on && s->key.proto == IPPROTO_TCP && s->e.state == HEARTH_TCP_SYN_SENT)
		r->dir[HEARTH_CT_ORIG].mark_ns = bpf_ktime_get_ns();
}

/* A copy of the times of the connection whose half @s is (a copy of a
 * slot), if they are that connection's (else none). */
static __always_inline void ct_rtt_copy(struct hearth_ct_rtt *out, const struct hearth_ct_slot *s,
					__u32 index)
{
	__u32 orig = s->e.dir == HEARTH_CT_ORIG ? index : s->e.peer_slot;
	__u32 gen = s->e.dir == HEARTH_CT_ORIG ? s->e.gen : s->e.peer_gen;
	struct hearth_ct_rtt *r = ct_rtt_at(orig);

	if (r && r->gen == gen)
		*out = *r;
	else
		__builtin_memset(out, 0, sizeof(*out));
}

/* The bucket of @us in the histograms (HEARTH_RTT_BOUNDS_US). */
static __always_inline __u32 ct_rtt_bucket(__u32 us)
{
	static const __u32 bounds[HEARTH_RTT_BUCKETS - 1] = HEARTH_RTT_BOUNDS_US;
	__u32 b = 0;

	for (int i = 0; i < HEARTH_RTT_BUCKETS - 1; i++)
		b += us > bounds[i];
	return b;
}

/* One sample of @ns toward @where, for direction @r of tenant @tenant. */
static __always_inline void ct_rtt_sample(struct hearth_ct_rtt_dir *r, __u64 ns, __u32 tenant,
					  __u32 where, int handshake)
{
	__u32 us = ns > 4000000000000ull ? 4000000000u : (__u32)(ns / 1000);
	__u32 index = (tenant & (HEARTH_MAX_TENANTS - 1)) * 2 + (where & 1);
	struct hearth_rtt_hist *h = bpf_map_lookup_elem(&HEARTH_MAP_RTTHIST, &index);

	if (!us)
		us = 1; /* 0 means none */
	if (handshake)
		r->handshake_us = us;
	if (!r->min_us || us < r->min_us)
		r->min_us = us;
	r->srtt_us = r->srtt_us ? r->srtt_us - (r->srtt_us >> 3) + (us >> 3) : us;
	r->samples++;
	if (!h)
		return;
	h->count++;
	h->sum_us += us;
	index = ct_rtt_bucket(us);
	if (index < HEARTH_RTT_BUCKETS)
		h->bucket[index]++;
}

/*
 * The handshake's part, after ct_progress moved a connection: the packet
 * of slot @slot (TCP flags @flags) found it in state @state. A SYN-ACK
 * ends the SYN's sample and starts its own; the initiator's first ACK ends
 * the SYN-ACK's. A global function: out of ct_progress's frame, which
 * chains of calls count.
 */
__noinline int ct_rtt_handshake(__u32 slot, __u32 flags, __u32 state)
{
	struct hearth_ct_slot *s = ct_slot_at(slot);
	int synack = (flags & (TCPF_SYN | TCPF_ACK)) == (TCPF_SYN | TCPF_ACK);
	int syn = (flags & (TCPF_SYN | TCPF_ACK)) == TCPF_SYN;
	struct hearth_ct_rtt_dir *own, *peer;
	struct hearth_ct_rtt *r;
	__u32 dir;
	__u64 now;

	if (!s)
		return 0;
	dir = s->e.dir & 1;
	r = ct_rtt_at(dir == HEARTH_CT_ORIG ? slot : s->e.peer_slot);
	if (!r || r->gen != (dir == HEARTH_CT_ORIG ? s->e.gen : s->e.peer_gen))
		return 0;
	own = &r->dir[dir];
	peer = &r->dir[dir ^ 1];
	if (dir == HEARTH_CT_ORIG && syn) {
		own->mark_ns = 0; /* a retransmitted SYN: no sample (Karn) */
		return 0;
	}
	if (dir == HEARTH_CT_REPLY && synack && state != HEARTH_TCP_SYN_SENT) {
		own->mark_ns = 0; /* a retransmitted SYN-ACK */
		return 0;
	}
	if (!(dir == HEARTH_CT_REPLY && synack && state == HEARTH_TCP_SYN_SENT) &&
	    !(dir == HEARTH_CT_ORIG && !syn && (flags & TCPF_ACK) && state == HEARTH_TCP_SYN_RECV))
		return 0;
	now = bpf_ktime_get_ns();
	/* the answer times the path its other half's packets took */
	if (peer->mark_ns && now > peer->mark_ns) {
		ct_rtt_sample(peer, now - peer->mark_ns, s->e.tenant,
			      s->e.side == HEARTH_CT_SIDE_HOME ? HEARTH_RTT_HOME : HEARTH_RTT_WAN, 1);
		peer->mark_ns = 0;
	}
	if (dir == HEARTH_CT_REPLY)
		own->mark_ns = now; /* the SYN-ACK: the initiator's ACK ends it */
	return 0;
}

/* NOP, NOP, kind 8 (timestamps), length 10: the options' first word. */
#define CT_RTT_TS_WORD bpf_htonl(0x0101080a)

/* The TCP header of a tracked packet of @family in the frame (behind an
 * optional VLAN tag; IPv6: never behind extension headers, ct_tuple6
 * tracks none), or NULL. */
static __always_inline struct tcphdr *ct_rtt_tcp(HEARTH_CTX *ctx, __u8 family)
{
	void *data = (void *)(long)ctx->data, *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	__u32 off = ETH_HLEN;
	struct iphdr *ip4;

	if ((void *)(eth + 1) > data_end)
		return 0;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q))
		off += 4;
	if (family == AF_INET6)
		return data + off + sizeof(struct ipv6hdr);
	ip4 = data + off;
	if ((void *)(ip4 + 1) > data_end)
		return 0;
	return data + off + ip4->ihl * 4;
}

/*
 * The options of a packet that ct_rtt_packet let through, counted on
 * @line at jiffies @now: its TSecr may end the other direction's sample,
 * and its TSval may start one of its own. A global function: verified
 * once, and its work stays out of the gateway's frame.
 */
__noinline int ct_rtt_options(HEARTH_CTX *ctx, struct hearth_ct_l1 *line, __u64 now)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct hearth_ct_rtt_dir *own, *peer;
	struct hearth_ct_rtt *r;
	struct tcphdr *th;
	__u32 tsval, tsecr, *opt, dir;
	__u64 ns, armed;
	int due;

	if (!line)
		return 0;
	r = ct_rtt_at(line->rtt_conn & ~(1u << 31));
	if (!r || (__u16)r->gen != line->rtt_gen)
		return 0;
	dir = line->rtt_conn >> 31;
	own = &r->dir[dir & 1];
	peer = &r->dir[(dir ^ 1) & 1];
	due = (__s16)((__u16)now - own->due) >= 0;
	th = ct_rtt_tcp(ctx, line->key.family);
	if (!th)
		return 0;
	opt = (__u32 *)(th + 1);
	if ((void *)(opt + 3) > data_end || th->doff < 8 || opt[0] != CT_RTT_TS_WORD)
		return 0;
	tsval = opt[1];
	tsecr = opt[2];
	/* the echo: the other direction's sample, ended once */
	if (peer->phase == HEARTH_RTT_ARMED && peer->ts_val == tsecr) {
		armed = peer->armed;
		if (armed && now - (armed - 1) < ct_hz &&
		    __sync_val_compare_and_swap(&peer->armed, armed, 0) == armed) {
			ns = bpf_ktime_get_ns();
			peer->phase = HEARTH_RTT_IDLE;
			if (ns > peer->ts_ns)
				ct_rtt_sample(peer, ns - peer->ts_ns, line->tenant,
					      line->side == HEARTH_CT_SIDE_HOME ? HEARTH_RTT_HOME :
										  HEARTH_RTT_WAN,
					      0);
		}
	}
	/* the sample: armed on the first segment carrying data with a new
	 * TSval, after the one that was due saw which TSval was current. Not
	 * on a pure ACK: nothing answers it, so its TSval is echoed only when
	 * the other end next sends, after a TSval of ours that supersedes it
	 * (a request-response connection's delayed ACK would hold the sample
	 * armed and unanswered for its second) */
	if (own->phase == HEARTH_RTT_WAIT && own->ts_val != tsval &&
	    data_end - (void *)th > th->doff * 4) {
		own->ts_val = tsval;
		own->ts_ns = bpf_ktime_get_ns();
		own->armed = now + 1;
		own->phase = HEARTH_RTT_ARMED;
		return 0;
	}
	if (!due)
		return 0;
	own->due = (__u16)(now + ct_hz / HEARTH_RTT_SAMPLES_HZ);
	/* an armed sample that went unanswered for a second gives way */
	if (own->phase == HEARTH_RTT_ARMED && now - (own->armed - 1) < ct_hz)
		return 0;
	own->ts_val = tsval;
	own->phase = HEARTH_RTT_WAIT;
	return 0;
}

/*
 * A packet of an established TCP connection, counted on @line at jiffies
 * @now. Most packets have nothing to do here: no sample of their direction
 * is due or waiting for a new TSval, and none of the other direction's is
 * waiting for its echo. They leave after one array read and three tests,
 * made here, in the caller, without the cost of a call; the rest go on to
 * ct_rtt_options. With round-trip times off, nothing is left of it.
 */
static __always_inline void ct_rtt_packet(HEARTH_CTX *ctx, struct hearth_ct_l1 *line, __u64 now)
{
	struct hearth_ct_rtt *r;
	__u32 dir;

	if (!ct_rtt_on || !line)
		return;
	r = ct_rtt_at(line->rtt_conn & ~(1u << 31));
	if (!r || (__u16)r->gen != line->rtt_gen)
		return;
	dir = line->rtt_conn >> 31;
	if ((__s16)((__u16)now - r->dir[dir & 1].due) < 0 &&
	    r->dir[dir & 1].phase != HEARTH_RTT_WAIT && r->dir[(dir ^ 1) & 1].phase != HEARTH_RTT_ARMED)
		return;
	ct_rtt_options(ctx, line, now);
}

#endif /* HEARTH_BPF_CT_RTT_H */
