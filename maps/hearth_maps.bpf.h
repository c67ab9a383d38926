/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Map definitions of the hearth data plane. Only bpf/ includes this file. */
#ifndef HEARTH_MAPS_BPF_H
#define HEARTH_MAPS_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "hearth_maps.h"
#include "hearth_probe.h"

/* ifindex -> slot; 0 means "not a gateway interface". */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_IFINDEX);
	__type(key, __u32);
	__type(value, __u32);
} HEARTH_MAP_IFSLOTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct hearth_iface);
} HEARTH_MAP_IFACES SEC(".maps");

/* Egress devices for bpf_redirect_map, indexed by slot. */
struct {
	__uint(type, BPF_MAP_TYPE_DEVMAP);
	__uint(max_entries, HEARTH_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} HEARTH_MAP_TXPORTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEARTH_FIB_CACHE_ENTRIES);
	__type(key, struct hearth_fib_key);
	__type(value, struct hearth_fib_entry);
} HEARTH_MAP_FIBCACHE SEC(".maps");

/* Indexed by a hash of the key; a line holds whichever key used it last. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_FIB_L1_ENTRIES);
	__type(key, __u32);
	__type(value, struct hearth_fib_l1);
} HEARTH_MAP_FIBL1 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_STATS_ENTRIES);
	__type(key, __u32);
	__type(value, struct hearth_counter);
} HEARTH_MAP_STATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_state);
} HEARTH_MAP_STATE SEC(".maps");

/* The loader sizes it (conntrack-size) before the load. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_CT_SETS_DEFAULT);
	__type(key, __u32);
	__type(value, struct hearth_ct_set);
} HEARTH_MAP_CT SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_open_rl);
} HEARTH_MAP_OPENRL SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_CT_EV_MAX);
	__type(key, __u32);
	__type(value, __u64);
} HEARTH_MAP_CTSTATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HEARTH_CT_ENDS_BYTES);
} HEARTH_MAP_CTENDS SEC(".maps");

/* One per slot of HEARTH_MAP_CT: the loader sizes it with the table. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_CT_ENTRIES);
	__type(key, __u32);
	__type(value, struct hearth_ct_rtt);
} HEARTH_MAP_CTRTT SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_MAX_TENANTS * 2);
	__type(key, __u32);
	__type(value, struct hearth_rtt_hist);
} HEARTH_MAP_RTTHIST SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_nat_cfg);
} HEARTH_MAP_NATCFG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEARTH_INSIDE_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hearth_inside_key);
	__type(value, __u32);
} HEARTH_MAP_INSIDE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_fw_cfg);
} HEARTH_MAP_FWCFG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEARTH_HOME_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hearth_home_key);
	__type(value, __u32);
} HEARTH_MAP_HOME SEC(".maps");

/* Home hosts for probe records: hearthd fills both, the address's index
 * first, then the view probes read (never written by a program). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEARTH_PROBE_MAX_HOSTS);
	__type(key, struct hearth_host_key);
	__type(value, __u32);
} HEARTH_MAP_HOSTID SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_PROBE_MAX_HOSTS);
	__uint(map_flags, BPF_F_RDONLY_PROG);
	__type(key, __u32);
	__type(value, struct hearth_probe_host);
} HEARTH_MAP_HOSTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_PINHOLES);
	__type(key, __u32);
	__type(value, struct hearth_pinhole);
} HEARTH_MAP_PINHOLES SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEARTH_FW_FRAG_ENTRIES);
	__type(key, struct hearth_fw_frag_key);
	__type(value, __u8);
} HEARTH_MAP_FWFRAGS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEARTH_NAT_FORWARDS);
	__type(key, struct hearth_nat_fwd_key);
	__type(value, struct hearth_nat_fwd);
} HEARTH_MAP_NATFWD SEC(".maps");

/* Endpoint-independent mappings (see hearth_maps.h). An LRU: with
 * hearthd stopped, a full table gives way to the least recently used
 * entries (an in-use mapping's connections keep their own translation). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEARTH_NAT_MAP_ENTRIES);
	__type(key, struct hearth_nat_map_key);
	__type(value, struct hearth_nat_mapping);
} HEARTH_MAP_NATMAP SEC(".maps");

/* Indexed by a hash of the key; a line holds whichever key used it last. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_CT_L1_ENTRIES);
	__type(key, __u32);
	__type(value, struct hearth_ct_l1);
} HEARTH_MAP_CTL1 SEC(".maps");

/* Value: the new source (leaving) or destination (arriving) address. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEARTH_FRAG_ENTRIES);
	__type(key, struct hearth_frag_key);
	__type(value, __be32);
} HEARTH_MAP_FRAGS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_TENANTS);
	__type(key, __u32);
	__type(value, struct hearth_tenant);
} HEARTH_MAP_TENANTS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_MAX_TENANTS * HEARTH_DIR_MAX);
	__type(key, __u32);
	__type(value, struct hearth_tenant_counters);
} HEARTH_MAP_TNSTATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_TENANTS + 1);
	__type(key, __u32);
	__type(value, struct hearth_police_state);
} HEARTH_MAP_TNPOLICE SEC(".maps");

/* slot -> tenant of everything arriving on that interface */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} HEARTH_MAP_TNIFACE SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEARTH_TENANT_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hearth_tenant_prefix_key);
	__type(value, __u32);
} HEARTH_MAP_TNPREFIX SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEARTH_TENANT_MACS);
	__type(key, struct hearth_tenant_mac_key);
	__type(value, __u32);
} HEARTH_MAP_TNMAC SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_link_cfg);
} HEARTH_MAP_LINKCFG SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEARTH_ISOLATE_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hearth_isolate_key);
	__type(value, __u32);
} HEARTH_MAP_ISOLATE SEC(".maps");

/* Key: the tuple of an allowed reply from a chute; value: bpf_jiffies64()
 * of the home's last packet that opened or refreshed it. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEARTH_CHALLOW_ENTRIES);
	__type(key, struct hearth_ct_key);
	__type(value, __u64);
} HEARTH_MAP_CHALLOW SEC(".maps");

/* Key: an interface slot; value: the one IPv4 source address the chute on
 * that interface may send from (network order; 0 until the chute runtime
 * has written it, and then nothing from that interface passes). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_MAX_IFACES);
	__type(key, __u32);
	__type(value, __u32);
} HEARTH_MAP_CHSRC SEC(".maps");

/* Per-CPU scratch space of each program (XDP and tc have their own): what
 * would not fit the stack, whose 512 bytes the program's frame and the
 * functions that open connections share.
 * Not pinned, not shared: it holds nothing from one packet to the next. */
/* The original direction of a new connection after translation. */
struct ct_plan {
	__be32 saddr, daddr;
	__be16 sport, dport;
	__u8 nat; /* enum hearth_ct_nat */
	__u8 side; /* enum hearth_ct_side of the opening packet */
	__u8 reply_side; /* and of its answers */
	__u16 tenant;
	__u8 tcp_flags; /* of the opening packet */
	__u32 tries; /* reply ports (echo identifiers) to try */
};

/* An entry freed by this packet, whose connection ends when the program
 * retires its endings (ct_retire_endings). */
struct hearth_ct_ending {
	struct hearth_ct_slot slot; /* a copy, as it was freed */
	struct hearth_ct_slot peer; /* its other half, taken with it */
	struct hearth_ct_rtt rtt; /* their round-trip times, copied with them */
	__u32 index; /* its slot */
	__u32 reason; /* enum hearth_ct_end_reason */
	__u32 has_peer;
};

/* Entries a packet may free: the two halves' victims and a sweep's. */
#define HEARTH_CT_ENDINGS 4

struct hearth_scratch {
	struct bpf_fib_lookup fib; /* bpf_fib_lookup's parameters */
	struct hearth_fib_entry entry; /* a decision not cached */
	struct hearth_ct_entry ct; /* a connection's entry being written */
	struct hearth_ct_key orig; /* and the keys of its two directions */
	struct hearth_ct_key reply;
	struct hearth_ct_key fw_key; /* the packet's tuple, for fw_open */
	struct hearth_ct_slot victim; /* what a new entry took the place of */
	struct hearth_ct_end end; /* a connection that ended, for the ring */
	struct hearth_ct_ending ending[HEARTH_CT_ENDINGS];
	__u32 endings; /* how many of them are waiting */
	struct ct_plan plan; /* a new connection's, for ct_open_entries */
	__u32 ct_sweep; /* the set this CPU sweeps next */
	__u32 ct_ticks; /* openings on this CPU, for the sweep's turn */
	/* the choice of a slot for a new entry, as ct_choose_way goes: kept
	 * in memory, whose values the verifier does not follow (in
	 * registers, each way's choice would be a state of its own) */
	__u32 ct_way;
	__u32 ct_rank;
	__u32 ct_exists;
	__u32 ct_tag;
	__u32 ct_set;
	__u32 ct_live; /* the slot taken held an entry */
	__u32 ct_same; /* and that entry had the new one's key */
	/* a NAT reply's key alive in another connection that is not answered
	 * may give way (its mapping was forgotten, and its port given again) */
	__u32 ct_displace;
	__u32 ct_host_ways; /* the new entry's host's entries in the set */
	__u32 ct_share; /* and how many it may hold (ct_host_share) */
	__u32 ct_own_way; /* and the lowest ranked of them */
	__u32 ct_own_rank;
	__u64 ct_own_oldest;
	union hearth_addr ct_host; /* the new entry's host */
	union hearth_addr ct_way_host; /* and the host of the way ct_scan_way looks at */
	__u64 ct_oldest;
	__u64 ct_now;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_scratch);
} HEARTH_MAP_SCRATCH SEC(".maps");

/* The rate limits of the ICMP errors the data plane sends, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEARTH_ICMP_RL_MAX);
	__type(key, __u32);
	__type(value, struct hearth_icmp_rl);
} HEARTH_MAP_ICMPRL SEC(".maps");

#endif /* HEARTH_MAPS_BPF_H */
