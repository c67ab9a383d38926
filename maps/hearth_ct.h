/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The connection table's part of the contract between the data plane and
 * userspace (bpf/lib/ct_table.h, userspace/lib/conntrack.c): keys,
 * entries, sets, the hash, timeouts, events, the end record and the
 * per-CPU lines. Included by hearth_maps.h, whose limits and types it
 * uses; include that.
 */
#ifndef HEARTH_CT_H
#define HEARTH_CT_H

#ifndef HEARTH_MAPS_H
#error "include hearth_maps.h, not hearth_ct.h"
#endif

/* A direction of a connection as seen on the wire, IPv4 or IPv6. ICMP
 * echo uses the identifier as sport for requests and as dport for replies,
 * so that a reply's key is the request's key reversed. 8-byte aligned, so
 * that it compares as five words. */
struct hearth_ct_key {
	union hearth_addr saddr;
	union hearth_addr daddr;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 pad[2];
} __attribute__((aligned(8)));

enum hearth_ct_dir {
	HEARTH_CT_ORIG = 0, /* as the connection was opened */
	HEARTH_CT_REPLY = 1,
};

/* Each direction of a connection arrives from one side of the gateway: a
 * packet from the other side with the same tuple is forged. */
enum hearth_ct_side {
	HEARTH_CT_SIDE_HOME = 0, /* a LAN or chute interface */
	HEARTH_CT_SIDE_WAN = 1,
};

enum hearth_ct_nat {
	HEARTH_CT_NAT_SRC = 1 << 0, /* rewrite source address and port */
	HEARTH_CT_NAT_DST = 1 << 1, /* rewrite destination address and port */
};

/* Value of HEARTH_MAP_CT: what to do with packets of this direction. The
 * new tuple is complete; the nat flags say which half of it applies (a
 * hairpin connection rewrites both). */
struct hearth_ct_entry {
	struct hearth_ct_key peer; /* the key of the other direction */
	__be32 nat_saddr; /* with HEARTH_CT_NAT_SRC */
	__be32 nat_daddr; /* with HEARTH_CT_NAT_DST */
	__be16 nat_sport; /* (echo identifier for ICMP) */
	__be16 nat_dport;
	__u8 dir; /* enum hearth_ct_dir */
	__u8 nat; /* enum hearth_ct_nat */
	__u8 side; /* enum hearth_ct_side: where this direction's packets come from */
	__u8 state; /* enum hearth_tcp_state, the same in both halves */
	__u64 first_seen; /* bpf_jiffies64() */
	__u64 last_seen; /* this direction's last packet */
	__u64 packets;
	__u64 bytes;
	__u64 active; /* the connection's last packet, either way (both halves) */
	__u32 gen; /* the slot's generation: +1 each time it is filled */
	__u32 peer_slot; /* where the other half is (set * ways + way) */
	__u8 tcp_flags; /* every TCP flag seen in this direction */
	__u8 flags; /* HEARTH_CT_F_*, the same in both halves */
	__u16 tenant; /* decided when the connection opened, both directions */
	__u32 peer_gen; /* and the other half's generation there */
};

/* Connection flags. */
#define HEARTH_CT_F_REPLIED (1u << 0) /* a packet went the reply way */
#define HEARTH_CT_F_ASSURED (1u << 1) /* answered: evicted only as a last resort */
#define HEARTH_CT_F_PICKUP (1u << 2) /* TCP opened mid-stream, not by a SYN */

/* TCP as Linux conntrack follows it (nf_conntrack_proto_tcp.c), per
 * connection. Other protocols stay HEARTH_TCP_NONE. */
enum hearth_tcp_state {
	HEARTH_TCP_NONE = 0,
	HEARTH_TCP_SYN_SENT,
	HEARTH_TCP_SYN_RECV,
	HEARTH_TCP_ESTABLISHED,
	HEARTH_TCP_FIN_WAIT,
	HEARTH_TCP_CLOSE_WAIT,
	HEARTH_TCP_LAST_ACK,
	HEARTH_TCP_TIME_WAIT,
	HEARTH_TCP_CLOSE,
	HEARTH_TCP_SYN_SENT2,
	HEARTH_TCP_STATE_MAX,
};

/* One slot of a set: a direction's key and entry. */
struct hearth_ct_slot {
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
};

/* Value of HEARTH_MAP_CT. Readers scan the tags without the lock (a tag
 * is the key's hash with the low bit set; 0 is a free slot) and compare
 * the key of a matching one; writers hold the lock. */
struct hearth_ct_set {
	struct bpf_spin_lock lock;
	__u32 version; /* +1 at each change of a slot's occupant, under the lock */
	__u32 tag[HEARTH_CT_WAYS];
	struct hearth_ct_slot slot[HEARTH_CT_WAYS];
};

/* Why a connection ended: IPFIX's flowEndReason (RFC 7012). */
enum hearth_ct_end_reason {
	HEARTH_CT_END_IDLE = 1, /* idle past its timeout */
	HEARTH_CT_END_CLOSED = 3, /* TCP closed (FIN or RST), then expired */
	HEARTH_CT_END_FORCED = 4, /* flushed by the operator */
	HEARTH_CT_END_EVICTED = 5, /* evicted for a new connection */
};

/* One direction's round-trip times: toward the destination of that
 * direction's packets, from the gateway and back (they go out, the other
 * direction's answer them). Samples come from the TCP handshake (SYN to
 * SYN-ACK, SYN-ACK to ACK) and from TCP timestamps (a TSval seen going
 * out, its TSecr coming back, as pping measures), at most
 * HEARTH_RTT_SAMPLES_HZ a second. */
struct hearth_ct_rtt_dir {
	__u32 phase; /* enum hearth_rtt_phase of the timestamp sample */
	__u32 ts_val; /* the TSval sampled (phase WAIT: the one to see change) */
	__u64 armed; /* jiffies + 1 when armed; 0: not (one word, for cmpxchg) */
	__u64 ts_ns; /* when the sampled TSval first went by */
	__u64 mark_ns; /* handshake: this direction's SYN or SYN-ACK went by */
	__u32 handshake_us; /* from the handshake; 0: none */
	__u32 min_us; /* over every sample; 0: none yet */
	__u32 srtt_us; /* smoothed as TCP does: 7/8 the old, 1/8 the new */
	__u32 samples;
	__u16 due; /* jiffies (low 16 bits) when it may sample next */
	__u16 pad[3];
};

/*
 * Value of HEARTH_MAP_CTRTT, indexed by the slot of a connection's
 * original half (set * ways + way): both directions' times in one record,
 * so that a packet reads one. Valid while gen is that half's generation.
 */
struct hearth_ct_rtt {
	__u32 gen;
	__u32 pad;
	struct hearth_ct_rtt_dir dir[2]; /* by enum hearth_ct_dir */
};

enum hearth_rtt_phase {
	HEARTH_RTT_IDLE = 0,
	HEARTH_RTT_WAIT = 1, /* for a new TSval, so that its first packet is timed */
	HEARTH_RTT_ARMED = 2, /* for the TSecr that echoes it */
};

#define HEARTH_RTT_SAMPLES_HZ 4 /* timestamp samples a second, each direction */

/* Per-tenant RTT histograms (HEARTH_MAP_RTTHIST, per CPU, indexed
 * tenant * 2 + where: 0 toward the WAN, 1 toward the home): counts of
 * samples up to each bound, in microseconds (Prometheus' le), and over. */
#define HEARTH_RTT_BUCKETS 15
#define HEARTH_RTT_BOUNDS_US                                                      	{ 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000,  	  500000, 1000000, 2500000 }

struct hearth_rtt_hist {
	__u64 count;
	__u64 sum_us;
	__u64 bucket[HEARTH_RTT_BUCKETS]; /* not cumulative; the last: over */
};

enum hearth_rtt_where {
	HEARTH_RTT_WAN = 0, /* the far end is on the internet */
	HEARTH_RTT_HOME = 1, /* a home host (or a chute) */
};

/* A connection the data plane retired (HEARTH_MAP_CTENDS, a ring buffer):
 * its halves by direction (enum hearth_ct_dir), each with the counts its
 * per-CPU lines still held added. A half that could not be taken with the
 * other (its slot moved on, or a packet touched it meanwhile) ends on its
 * own later, in a record of its own. */
struct hearth_ct_end {
	struct hearth_ct_slot half[2];
	struct hearth_ct_rtt rtt; /* the connection's, when its gen is the original half's */
	__u8 halves; /* bit (1 << dir) for each half present */
	__u8 reason; /* enum hearth_ct_end_reason */
	__u8 pad[6];
};

/* The hash of a key (the key's padding is zero): its low bits choose the
 * set, its high half is the tag. A fixed mix, shared with userspace. */
static inline __u64 hearth_ct_hash(const struct hearth_ct_key *k)
{
	__u64 h = 0x9e3779b97f4a7c15ULL, w;

	for (int i = 0; i < 5; i++) {
		/* by memcpy: a __u64 pointer into the key would break C's
		 * aliasing rules, and the compiler reorders such reads */
		__builtin_memcpy(&w, (const char *)k + 8 * i, sizeof(w));
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 29;
	}
	/* MurmurHash3's finaliser: every input bit reaches the set index */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline __u32 hearth_ct_tag(__u64 hash)
{
	return (__u32)(hash >> 32) | 1;
}

/*
 * Idle timeouts in seconds, the RFCs' minimums: an entry idle longer is
 * gone (the data plane treats it as absent and reuses its slot). RFC 5382
 * REQ-5 for TCP (2 h 4 min established; 4 min opening, closing and after
 * a reset, RFC 7857 2.2, so that a forged RST cannot end a connection at
 * once), RFC 4787 REQ-5 and REQ-5a for UDP (2 min; DNS 30 s), RFC 5508
 * REQ-2 for ICMP queries, RFC 6092 REC-12 for the rest (ESP). Linux's
 * shorter ones only rank entries for eviction (bpf/lib/ct_tcp.h).
 */
#define HEARTH_CT_TCP_ESTABLISHED_S 7440
#define HEARTH_CT_TCP_TRANSITORY_S 240
#define HEARTH_CT_UDP_S 120
#define HEARTH_CT_UDP_DNS_S 30
#define HEARTH_CT_ICMP_S 60
#define HEARTH_CT_OTHER_S 300

static inline __u32 hearth_ct_timeout_s(const struct hearth_ct_key *k,
					const struct hearth_ct_entry *e)
{
	if (k->proto == 6 /* TCP */)
		return e->state == HEARTH_TCP_ESTABLISHED ? HEARTH_CT_TCP_ESTABLISHED_S :
							   HEARTH_CT_TCP_TRANSITORY_S;
	if (k->proto == 17 /* UDP */)
		return k->dport == __builtin_bswap16(53) || k->sport == __builtin_bswap16(53) ?
			       HEARTH_CT_UDP_DNS_S :
			       HEARTH_CT_UDP_S;
	if (k->proto == 1 /* ICMP */ || k->proto == 58 /* ICMPv6 */)
		return HEARTH_CT_ICMP_S;
	return HEARTH_CT_OTHER_S;
}

/* How long an entry may stay idle, in jiffies of @hz: its timeout, and
 * two lives of a per-CPU line on top. A line's packets reach the entry
 * only with the line; a refill touches the entry when its clock is more
 * than a line's life old, and the line then lives one more: so an entry
 * is never idle to the table before its connection is idle its timeout. */
static inline __u64 hearth_ct_idle_max(const struct hearth_ct_key *k,
				       const struct hearth_ct_entry *e, __u64 hz)
{
	return (__u64)hearth_ct_timeout_s(k, e) * hz + 2 * HEARTH_CT_LINE_MS * hz / 1000;
}

/* The home host an entry belongs to (its share of the table, the fill
 * per host hearth nat show prints): the source of a direction that comes
 * from home, else its (translated) destination. */
static inline void hearth_ct_host(const struct hearth_ct_key *k,
				  const struct hearth_ct_entry *e, union hearth_addr *host)
{
	if (e->side == HEARTH_CT_SIDE_HOME) {
		*host = k->saddr;
	} else if (e->nat & HEARTH_CT_NAT_DST) {
		__builtin_memset(host, 0, sizeof(*host));
		host->ip4 = e->nat_daddr;
	} else {
		*host = k->daddr;
	}
}

/* What the data plane did to the connection table (HEARTH_MAP_CTSTATS, a
 * per-CPU array indexed by these). E(id, name, description) */
#define HEARTH_CT_EVENTS(E)                                                       \
	E(OPENED, "opened", "connections opened")                                  \
	E(REUSED, "expired-reused", "expired entries whose slot a new one took")  \
	E(SWEPT, "expired-swept", "expired entries freed by the rolling sweep")   \
	E(EVICT_CLOSED, "evicted-closed",                                          \
	  "closing or closed TCP, unanswered SYN or stale unanswered entry "      \
	  "evicted for a new one")                                                 \
	E(EVICT_UNASSURED, "evicted-unassured",                                    \
	  "unanswered or half-open entry evicted for a new one")                  \
	E(EVICT_ASSURED, "evicted-assured",                                        \
	  "answered connection evicted: nothing else was left in its set")       \
	E(EVICT_OWN, "evicted-own",                                                \
	  "a host's entry evicted for its own new one: it held its share")        \
	E(REFUSED_HOST, "refused-host",                                            \
	  "new connection refused: its host's share of the set all answered")    \
	E(ENDS_LOST, "ends-lost",                                                  \
	  "ended connections the ring of ends had no room for (nobody reading)")

#define HEARTH_CT_EV_ENUM_(id, name, desc) HEARTH_CT_EV_##id,
enum hearth_ct_event { HEARTH_CT_EVENTS(HEARTH_CT_EV_ENUM_) HEARTH_CT_EV_MAX };
#undef HEARTH_CT_EV_ENUM_

/* Value of HEARTH_MAP_CTL1: a per-CPU copy of one direction's translation,
 * its forwarding decision once one packet has been routed (valid for the
 * same ingress interface, under the line's generation and expiry), and the
 * counts not yet added to its HEARTH_MAP_CT entry. */
struct hearth_ct_l1 {
	struct hearth_ct_key key;
	__be32 nat_saddr;
	__be32 nat_daddr;
	__be16 nat_sport;
	__be16 nat_dport;
	__u8 nat; /* 0: an empty line */
	__u8 tcp_flags; /* pending */
	__u16 tenant; /* copied from the entry */
	__u32 generation; /* hearth_state.generation when filled */
	__u8 side; /* copied from the entry */
	__u8 watch; /* TCP flags that make ct_progress look (CT_WATCH_ALL: any packet) */
	__u16 rtt_gen; /* the low 16 bits of the original half's generation */
	__u32 slot; /* the entry's slot, and its generation then */
	__u32 slot_gen;
	__u64 expires; /* bpf_jiffies64() */
	__u64 last_seen; /* pending */
	__u64 packets; /* pending */
	__u64 bytes; /* pending */
	__u32 fwd_ifindex; /* ingress the decision below was made for */
	__u32 rtt_conn; /* the original half's slot (the connection's HEARTH_MAP_CTRTT
			 * record), and in bit 31 this line's enum hearth_ct_dir */
	struct hearth_fib_entry fwd; /* action 0: none yet */
};

/* The line of HEARTH_MAP_CTL1 a key uses (Knuth's multiplicative hash of
 * the folded key): the data plane fills it, hearthd reads its counts. */
static inline __u32 hearth_ct_l1_index(const struct hearth_ct_key *k)
{
	__u32 folded = k->saddr.w[0] ^ k->saddr.w[1] ^ k->saddr.w[2] ^ k->saddr.w[3] ^
		       k->daddr.w[0] ^ k->daddr.w[1] ^ k->daddr.w[2] ^ k->daddr.w[3] ^
		       ((__u32)k->sport << 16 | k->dport) ^ k->proto;

	return (folded * 2654435761u) >> 22 & (HEARTH_CT_L1_ENTRIES - 1);
}

#endif /* HEARTH_CT_H */
