/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between hearth and a researcher's probe (docs/researcher-
 * guide.md): the probe ABI version a bundle names, the probe points it may
 * attach to, and the limits hearth holds every probe to. A probe is a
 * BPF_PROG_TYPE_TRACING program (fentry or fexit) on one of the probe
 * points, global functions of hearth's data plane that take a flat record
 * of metadata and nothing else: no packet, no verdict.
 */
#ifndef HEARTH_PROBE_H
#define HEARTH_PROBE_H

#include <linux/types.h>

/* A bundle's manifest names the ABI its probe was built for; hearth takes
 * this one only. */
#define HEARTH_PROBE_ABI 1

/* Probe points: the data-plane functions a probe's section names
 * (SEC("fentry/hearth_probe_packet")), and the manifest's "point". */
#define HEARTH_PROBE_POINT_PACKET "hearth_probe_packet" /* each packet, XDP and tc */
#define HEARTH_PROBE_POINT_FLOW_END "hearth_probe_flow_end" /* each connection's end */

/* Where a packet probe point was passed (struct hearth_probe_pkt.hook). */
enum hearth_probe_hook {
	HEARTH_PROBE_HOOK_XDP = 1, /* every frame the gateway's interfaces receive */
	HEARTH_PROBE_HOOK_TC_EGRESS = 2, /* every packet leaving by the WAN */
	HEARTH_PROBE_HOOK_TC_INGRESS = 3, /* every packet the WAN's XDP passed up */
};

/*
 * What a packet probe sees: a flat record, filled after the hook decided,
 * from the packet as it leaves the hook (after any translation). No
 * address: a home host is named by its index in the view of anonymized
 * addresses (HEARTH_PROBE_HOSTS_MAP), remote hosts not at all. Fields
 * only ever get added at the end.
 *
 * The probe point takes the record as HEARTH_PROBE_PKT_WORDS scalar
 * arguments, not as a pointer: the kernel lets fentry on a BPF function
 * read a pointer argument only if it is the program's context, and
 * scalars are what a tracing program can only read, never write. Five
 * words at most (a BPF call's arguments): the fields are packed to fit.
 * A probe rebuilds the record with hearth_probe_pkt_of().
 */
struct hearth_probe_pkt {
	__u32 ifindex; /* the interface the hook runs on */
	__u32 len; /* the frame's bytes */
	__u8 hook; /* enum hearth_probe_hook */
	__u8 family; /* AF_INET or AF_INET6; 0: not IP */
	__u8 proto; /* IP protocol (IPv6: the first header's) */
	__u8 tcp_flags; /* TCP: the flags byte */
	__u16 sport, dport; /* TCP and UDP, host order */
	__u16 l3_len; /* the IP packet's bytes, from its header */
	__u16 payload_len; /* TCP and UDP: the payload's bytes, from the headers */
	__u32 seq, ack; /* TCP, host order */
	/* its connection, where the hook knew it (XDP's forwarded
	 * packets): the same id both ways, and on the flow-end record */
	__u32 flow; /* 0: none known */
	/* the tenant it is counted to, where the hook knew it (XDP's
	 * forwarded packets, tc's uploads) */
	__u16 tenant; /* HEARTH_PROBE_NO_TENANT: not known here */
	__s8 verdict; /* the hook's return: XDP_* or TC_ACT_* */
	__u8 flow_dir; /* enum hearth_ct_dir: 0 the initiator's direction */
	/* home hosts (HEARTH_PROBE_HOSTS_MAP's index): the source as the
	 * packet came in, the destination as it leaves; 0: not a home
	 * host, or not one hearthd has seen yet */
	__u16 shost, dhost;
};

#define HEARTH_PROBE_NO_TENANT 0xffff

#define HEARTH_PROBE_PKT_WORDS 5

union hearth_probe_pkt_words {
	struct hearth_probe_pkt m;
	__u64 w[HEARTH_PROBE_PKT_WORDS];
};

_Static_assert(sizeof(struct hearth_probe_pkt) == HEARTH_PROBE_PKT_WORDS * 8,
	       "the record is the probe point's arguments");

/* In a probe: @n words of a probe point's arguments (@args: the fentry
 * context, the arguments in order) into @w, whole words: the kernel lets
 * a probe read its arguments only so. */
static inline void hearth_probe_args(const __u64 *args, __u64 *w, int n)
{
	for (int i = 0; i < n; i++)
		w[i] = *(const volatile __u64 *)&args[i];
}

/* In a probe on hearth_probe_packet: the record from its arguments. */
static inline void hearth_probe_pkt_of(const __u64 *args, struct hearth_probe_pkt *m)
{
	union hearth_probe_pkt_words u;

	hearth_probe_args(args, u.w, HEARTH_PROBE_PKT_WORDS);
	*m = u.m;
}

/*
 * What a flow-end probe sees (hearth_probe_flow_end): a connection the
 * data plane retired, both directions (index: enum hearth_ct_dir, 0 the
 * initiator's), as flow records have it. Its ports, never its addresses:
 * its packets' records name its home hosts.
 * Counts saturate at 2^32 - 1. HEARTH_PROBE_FLOW_WORDS scalar arguments;
 * hearth_probe_flow_of() rebuilds it.
 */
struct hearth_probe_flow {
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto;
	__u8 reason; /* enum hearth_ct_end_reason: 1 idle, 3 closed, 5 evicted */
	__u8 tenant;
	__u16 sport, dport; /* as the initiator sent them, host order */
	__u32 flow; /* its id, as its packets' records had it */
	__u32 duration_ms; /* first packet to last, either way */
	__u32 packets[2]; /* 0: none that way (no answer) */
	__u32 bytes[2]; /* IP bytes */
	__u32 rtt_min_us[2]; /* toward where each direction's packets go; 0: none */
};

#define HEARTH_PROBE_FLOW_WORDS 5

union hearth_probe_flow_words {
	struct hearth_probe_flow f;
	__u64 w[HEARTH_PROBE_FLOW_WORDS];
};

_Static_assert(sizeof(struct hearth_probe_flow) == HEARTH_PROBE_FLOW_WORDS * 8,
	       "the flow record is the probe point's arguments");

/* In a probe on hearth_probe_flow_end: the record from its arguments. */
static inline void hearth_probe_flow_of(const __u64 *args, struct hearth_probe_flow *f)
{
	union hearth_probe_flow_words u;

	hearth_probe_args(args, u.w, HEARTH_PROBE_FLOW_WORDS);
	*f = u.f;
}

/*
 * The one map of hearth's a probe may use: a read-only view of the home
 * hosts hearthd has seen, each address as flow exports show it
 * (anonymized unless the operator chose privacy raw), indexed by the
 * records' host fields. A probe declares a map of this name, type and
 * size; hearth gives it the view in its place (the kernel refuses any
 * write to it from a program: BPF_F_RDONLY_PROG). Index 0 is never used.
 */
#define HEARTH_PROBE_HOSTS_MAP "hearth_hosts"
#define HEARTH_PROBE_MAX_HOSTS 1024

struct hearth_probe_host {
	__u8 family; /* AF_INET or AF_INET6; 0: an unused index */
	__u8 anonymized; /* 0: privacy raw, the address as it is */
	__u8 pad[2];
	__u8 addr[16]; /* IPv4: the first 4 bytes */
};

/* Limits every probe is held to, whatever its manifest asks. */
#define HEARTH_PROBE_MAX_PROGS 4 /* programs in one bundle */
#define HEARTH_PROBE_MAX_MAPS 8
#define HEARTH_PROBE_MAX_INSNS 4096 /* instructions of one program, as compiled */
#define HEARTH_PROBE_MAP_BUDGET (16u << 20) /* bytes of all its maps together */

#endif
