/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * TCP as Linux conntrack follows it, and how long each connection lives.
 * Pure functions of an entry: the table (ct_table.h) calls them under its
 * set's lock, where no helper may be called.
 */
#ifndef HEARTH_BPF_CT_TCP_H
#define HEARTH_BPF_CT_TCP_H

#include "common.h"


/* No mid-stream pick-up from outside: a TCP connection from the WAN
 * (forward, mapping, pinhole) opens by a SYN alone, no ACK, FIN or RST. */
static __always_inline int tcp_syn_alone(__u8 flags)
{
	return (flags & (TCPF_SYN | TCPF_ACK | TCPF_FIN | TCPF_RST)) == TCPF_SYN;
}

/* Load-time setting (conntrack tcp-pickup): may a TCP segment other than
 * a SYN alone open a connection from home (Linux's nf_conntrack_tcp_loose)?
 * From the WAN, never: the openers there want a SYN alone. */
const volatile __u8 ct_tcp_pickup = 1;

/* May a TCP segment with @flags open a connection? Never a reset. */
static __always_inline int tcp_may_open(__u8 flags)
{
	if (flags & TCPF_RST)
		return 0;
	return ct_tcp_pickup || tcp_syn_alone(flags);
}

/* Load-time setting: the kernel's HZ, for the timeouts in seconds. */
const volatile __u32 ct_hz = 100;

/* Load-time setting: HEARTH_CT_LINE_MS in jiffies (the loader converts it
 * with the kernel's HZ; this default assumes HZ=100). */
const volatile __u64 ct_line_jiffies = HEARTH_CT_LINE_MS / 10;

/* Table columns: what a segment is (Linux's get_conntrack_index). */
enum tcp_seg {
	TCP_SEG_SYN,
	TCP_SEG_SYNACK,
	TCP_SEG_FIN,
	TCP_SEG_ACK,
	TCP_SEG_RST,
	TCP_SEG_NONE,
	TCP_SEG_MAX,
};

static __always_inline __u32 tcp_seg_of(__u8 flags)
{
	if (flags & TCPF_RST)
		return TCP_SEG_RST;
	if (flags & TCPF_SYN)
		return flags & TCPF_ACK ? TCP_SEG_SYNACK : TCP_SEG_SYN;
	if (flags & TCPF_FIN)
		return TCP_SEG_FIN;
	if (flags & TCPF_ACK)
		return TCP_SEG_ACK;
	return TCP_SEG_NONE;
}

/* Two pseudo-states of the table: keep the state, or the segment does not
 * fit it (counted nowhere, let through: no window is checked, so a
 * stricter verdict would only break connections whose start we missed). */
#define sIG HEARTH_TCP_STATE_MAX
#define sIV (HEARTH_TCP_STATE_MAX + 1)
#define sNO HEARTH_TCP_NONE
#define sSS HEARTH_TCP_SYN_SENT
#define sSR HEARTH_TCP_SYN_RECV
#define sES HEARTH_TCP_ESTABLISHED
#define sFW HEARTH_TCP_FIN_WAIT
#define sCW HEARTH_TCP_CLOSE_WAIT
#define sLA HEARTH_TCP_LAST_ACK
#define sTW HEARTH_TCP_TIME_WAIT
#define sCL HEARTH_TCP_CLOSE
#define sS2 HEARTH_TCP_SYN_SENT2

/* [dir][segment][state], Linux's tcp_conntracks (nf_conntrack_proto_tcp.c,
 * 6.x), columns NO SS SR ES FW CW LA TW CL S2. */
static const __u8 tcp_next[2][TCP_SEG_MAX][HEARTH_TCP_STATE_MAX] = {
	{
		/* original direction */
		{ sSS, sSS, sIG, sIG, sIG, sIG, sIG, sSS, sSS, sS2 }, /* syn */
		{ sIV, sIV, sSR, sIV, sIV, sIV, sIV, sIV, sIV, sSR }, /* synack */
		{ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV }, /* fin */
		{ sES, sIV, sES, sES, sCW, sCW, sTW, sTW, sCL, sIV }, /* ack */
		{ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL }, /* rst */
		{ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }, /* none */
	},
	{
		/* reply direction */
		{ sIV, sS2, sIV, sIV, sIV, sIV, sIV, sSS, sIV, sS2 }, /* syn */
		{ sIV, sSR, sIG, sIG, sIG, sIG, sIG, sIG, sIG, sSR }, /* synack */
		{ sIV, sIV, sFW, sFW, sLA, sLA, sLA, sTW, sCL, sIV }, /* fin */
		{ sIV, sIG, sSR, sES, sCW, sCW, sTW, sTW, sCL, sIG }, /* ack */
		{ sIV, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL, sCL }, /* rst */
		{ sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV, sIV }, /* none */
	},
};

/*
 * The state after a segment with @flags going @dir. Beyond the table, as
 * Linux: the final ACK of a simultaneous open (SYN_SENT2 then SYN_RECV)
 * comes from either side. Returns the state, unchanged when the segment
 * is to be ignored or does not fit.
 */
static __always_inline __u8 tcp_state_next(__u8 state, __u32 dir, __u8 flags)
{
	__u32 seg = tcp_seg_of(flags), st;
	__u8 next;

	if (state >= HEARTH_TCP_STATE_MAX || seg >= TCP_SEG_MAX)
		return state;
	/* the mask changes nothing (state < 10): it bounds the index for a
	 * verifier (6.1) that loses the check above when the compiler reloads
	 * a spilled copy; in asm, so that the compiler keeps it */
	st = state;
	asm volatile("%[st] &= 15" : [st] "+r"(st));
	next = tcp_next[dir & 1][seg][st];
	return next >= HEARTH_TCP_STATE_MAX ? state : next;
}

#undef sIG
#undef sIV
#undef sNO
#undef sSS
#undef sSR
#undef sES
#undef sFW
#undef sCW
#undef sLA
#undef sTW
#undef sCL
#undef sS2

/* Linux's udp_timeout: an unanswered entry idle this long ranks with
 * the closed ones for eviction (the timeouts themselves: maps/hearth_ct.h). */
#define CT_UNREPLIED_STALE_S 30

static __always_inline int ct_expired(const struct hearth_ct_key *k,
				      const struct hearth_ct_entry *e, __u64 now)
{
	/* hearth_ct_idle_max, with the line's life converted at load time */
	return e->active < now &&
	       now - e->active > (__u64)hearth_ct_timeout_s(k, e) * ct_hz + 2 * ct_line_jiffies;
}

/* Eviction ranks, lowest first. */
enum ct_rank {
	CT_RANK_FREE, /* a free slot, or an expired entry */
	CT_RANK_CLOSED, /* closing or closed TCP, an unanswered SYN, stale unanswered */
	CT_RANK_UNASSURED, /* unanswered or half-open */
	CT_RANK_ASSURED,
};

static __always_inline __u32 ct_rank(const struct hearth_ct_key *k,
				     const struct hearth_ct_entry *e, __u64 now)
{
	if (ct_expired(k, e, now))
		return CT_RANK_FREE;
	if (k->proto == IPPROTO_TCP &&
	    (e->state == HEARTH_TCP_SYN_SENT || e->state == HEARTH_TCP_SYN_SENT2 ||
	     e->state >= HEARTH_TCP_FIN_WAIT))
		return e->state == HEARTH_TCP_SYN_SENT2 ? CT_RANK_UNASSURED :
							  CT_RANK_CLOSED;
	if (e->flags & HEARTH_CT_F_ASSURED)
		return CT_RANK_ASSURED;
	if (!(e->flags & HEARTH_CT_F_REPLIED) && e->active < now &&
	    now - e->active > (__u64)CT_UNREPLIED_STALE_S * ct_hz)
		return CT_RANK_CLOSED;
	return CT_RANK_UNASSURED;
}

#endif /* HEARTH_BPF_CT_TCP_H */
