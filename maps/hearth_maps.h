/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between the hearth data plane (bpf/) and userspace: fixed-width
 * types, limits, map names and the list of counters. Both sides include this
 * file; the map definitions themselves live in hearth_maps.bpf.h.
 */
#ifndef HEARTH_MAPS_H
#define HEARTH_MAPS_H

#include <linux/bpf.h>
#include <linux/types.h>

#define HEARTH_PIN_DIR_DEFAULT "/sys/fs/bpf/hearth"

/*
 * Map names. Each is the identifier of the map in the BPF object, its kernel
 * name (at most 15 characters) and the name of its pin under the pin dir.
 */
#define HEARTH_MAP_IFSLOTS   hearth_ifslots
#define HEARTH_MAP_IFACES    hearth_ifaces
#define HEARTH_MAP_TXPORTS   hearth_txports
#define HEARTH_MAP_FIBCACHE  hearth_fibcache
#define HEARTH_MAP_FIBL1     hearth_fibl1
#define HEARTH_MAP_STATS     hearth_stats
#define HEARTH_MAP_STATE     hearth_state
#define HEARTH_MAP_CT        hearth_ct
#define HEARTH_MAP_NATCFG    hearth_natcfg
#define HEARTH_MAP_INSIDE    hearth_inside
#define HEARTH_MAP_NATFWD    hearth_natfwd
#define HEARTH_MAP_CTL1      hearth_ctl1
#define HEARTH_MAP_CTSTATS   hearth_ctstats
#define HEARTH_MAP_OPENRL    hearth_openrl
#define HEARTH_MAP_FRAGS     hearth_frags
#define HEARTH_MAP_TENANTS   hearth_tenants
#define HEARTH_MAP_TNSTATS   hearth_tnstats
#define HEARTH_MAP_TNPOLICE  hearth_tnpolice
#define HEARTH_MAP_TNIFACE   hearth_tniface
#define HEARTH_MAP_TNPREFIX  hearth_tnprefix
#define HEARTH_MAP_TNMAC     hearth_tnmac
#define HEARTH_MAP_LINKCFG   hearth_linkcfg
#define HEARTH_MAP_ISOLATE   hearth_isolate
#define HEARTH_MAP_CHALLOW   hearth_challow
#define HEARTH_MAP_CHSRC     hearth_chsrc
#define HEARTH_MAP_NATMAP    hearth_natmap
#define HEARTH_MAP_SCRATCH   xdp_scratch /* not pinned: no hearth_ prefix */
#define HEARTH_MAP_ICMPRL    hearth_icmprl
#define HEARTH_MAP_FWCFG     hearth_fwcfg
#define HEARTH_MAP_HOME      hearth_home
#define HEARTH_MAP_PINHOLES  hearth_pinholes
#define HEARTH_MAP_FWFRAGS   hearth_fwfrags
#define HEARTH_MAP_CTENDS    hearth_ctends
#define HEARTH_MAP_CTRTT     hearth_ctrtt
#define HEARTH_MAP_RTTHIST   hearth_rtthist
#define HEARTH_MAP_HOSTID    hearth_hostid
#define HEARTH_MAP_HOSTS     hearth_hosts /* HEARTH_PROBE_HOSTS_MAP */

#define HEARTH_STR_(x) #x
#define HEARTH_STR(x) HEARTH_STR_(x)

/* Programs, pinned under <pin dir>/progs/<name>. */
#define HEARTH_PROG_XDP_GATEWAY hearth_xdp_gateway
#define HEARTH_PROG_TC_WAN_EGRESS hearth_tc_wan_out
#define HEARTH_PROG_TC_WAN_INGRESS hearth_tc_wan_in

/* ifindex -> slot table size: interfaces with a larger ifindex are refused. */
#define HEARTH_MAX_IFINDEX 65536
/* Interface slots; slot 0 collects packets seen on unregistered interfaces. */
#define HEARTH_MAX_IFACES 64
#define HEARTH_FIB_CACHE_ENTRIES 16384
/* Per-CPU direct-mapped level in front of the shared cache (power of 2). */
#define HEARTH_FIB_L1_ENTRIES 1024
/* A cached forwarding decision is re-checked with bpf_fib_lookup this often
 * even without a netlink event, so a stopped hearthd cannot leave it stale. */
#define HEARTH_FIB_CACHE_TTL_MS 2000
#define HEARTH_IFNAMSIZ 16

/* Connection tracking (bpf/lib/ct_table.h): a table of our own, an array
 * of sets of HEARTH_CT_WAYS slots, one direction of a connection per slot,
 * two slots per connection. The data plane expires and evicts entries
 * itself. HEARTH_CT_SETS_DEFAULT sets (a power of 2) unless the
 * configuration says otherwise (conntrack-size); HEARTH_CT_SETS_MAX caps
 * it (2^20 sets: 8 million connections). */
#define HEARTH_CT_WAYS 16
#define HEARTH_CT_SETS_DEFAULT 4096
#define HEARTH_CT_SETS_MAX (1u << 20)
#define HEARTH_CT_ENTRIES (HEARTH_CT_SETS_DEFAULT * HEARTH_CT_WAYS)
/* A home host may hold this many of a set's ways (so at most this share
 * of the whole table: half) unless the configuration says otherwise. A
 * share per set, not a count per host: exact, and kept under the set's
 * lock, but a host that holds many connections meets it first in the
 * sets its hash fills most (see docs/architecture.md). */
#define HEARTH_CT_HOST_WAYS_DEFAULT 8

/* A host's share of the table as a percentage (conntrack host-share, a
 * tenant's host-share) in ways of each set, rounded up; 100%: more ways
 * than a set has, so no share at all. And back, for display. */
static inline __u32 hearth_ct_share_ways(__u32 percent)
{
	return percent >= 100 ? HEARTH_CT_WAYS + 1 : (percent * HEARTH_CT_WAYS + 99) / 100;
}

static inline __u32 hearth_ct_share_percent(__u32 ways)
{
	return ways > HEARTH_CT_WAYS ? 100 : ways * 100 / HEARTH_CT_WAYS;
}
/* Unsolicited openings from the WAN (through a forward, a mapping or a
 * pinhole): at most this many per second and CPU. */
#define HEARTH_OPEN_RATE_DEFAULT 1000
/* NAT port choices tried for a new mapping (or echo identifier) before
 * the connection is refused. */
#define HEARTH_NAT_PORT_TRIES 16
/* Public ports of client ports from 1024 up: every client range (Linux's
 * 32768-60999, Windows' and macOS' 49152-65535) keeps its port when it is
 * free. The gateway's own sockets stay apart by a socket lookup before a
 * port is given or an unsolicited packet translated (bpf/lib/natmap.h).
 * Client ports below 1024 keep to 1-1023 (RFC 4787 REQ-3). */
#define HEARTH_NAT_PORT_MIN_DEFAULT 1024
#define HEARTH_NAT_PORT_MAX_DEFAULT 65535
#define HEARTH_NAT_LOW_PORT_MAX 1023
/* Endpoint-independent mappings: two entries each, plus one filtering
 * permission per mapping and remote address. */
#define HEARTH_NAT_MAP_ENTRIES 65536
#define HEARTH_INSIDE_PREFIXES 64
#define HEARTH_NAT_FORWARDS 1024
/* Per-CPU direct-mapped lines in front of the connection table (power of
 * 2), and how long a line may serve before it is checked against the table
 * again (and hands its counts over). */
#define HEARTH_CT_L1_ENTRIES 1024
/* The ring of ended connections (struct hearth_ct_end, 432 B and the
 * ring's 8-byte header), in bytes: about 9,500 ends that hearthd has not
 * read yet. */
#define HEARTH_CT_ENDS_BYTES (4u << 20)
#define HEARTH_CT_LINE_MS 1000
/* Chute isolation: prefixes a chute may not reach on its own (the home's
 * subnets and the chute pool) and exceptions (the gateway's addresses on
 * chute links); replies to the home's connections into chutes, keyed by
 * the reply's tuple, live this long after the home's last packet. */
#define HEARTH_ISOLATE_PREFIXES 256
#define HEARTH_CHALLOW_ENTRIES 16384
#define HEARTH_CHALLOW_MS 600000
/* Fragmented datagrams in flight through NAT (an LRU: old ones age out). */
#define HEARTH_FRAG_ENTRIES 4096
/* The firewall: the home's prefixes (both families: the LAN subnets and
 * the chute pool), and explicit openings to them from the WAN. */
#define HEARTH_HOME_PREFIXES 64
#define HEARTH_PINHOLES 64
#define HEARTH_FW_FRAG_ENTRIES 4096
/* The mark XDP leaves in the 4 bytes of metadata before a frame it passes
 * to the kernel after finding its connection (NAT on): tc on the WAN's
 * ingress lets such a packet in. The wire cannot set it. */
#define HEARTH_XDP_META_CONN 0x6865636eu /* "hecn" */
/* ICMP errors the data plane sends, at most this many per second and CPU
 * for each kind (enum hearth_icmp_rl_slot). */
#define HEARTH_ICMP_RATE_PROHIBITED 10
#define HEARTH_ICMP_RATE_NAT 100

enum hearth_iface_role {
	HEARTH_ROLE_NONE = 0,
	HEARTH_ROLE_LAN = 1,
	HEARTH_ROLE_WAN = 2,
	HEARTH_ROLE_CHUTE = 3, /* the gateway side of a chute's veth */
};

/* Value of HEARTH_MAP_IFACES, indexed by slot. */
struct hearth_iface {
	__u32 ifindex;
	__u32 role; /* enum hearth_iface_role */
	__u8 mac[6];
	__u16 mtu;
	char name[HEARTH_IFNAMSIZ];
	__be32 addr4; /* its primary IPv4 address, 0 when it has none: the
		       * source of the ICMP errors the data plane sends there */
	__u32 flags; /* enum hearth_iface_flags */
};

enum hearth_iface_flags {
	/* A home interface whose hosts take unsolicited traffic from the WAN
	 * (`firewall open IFACE`): a plain router there. */
	HEARTH_IFACE_FW_OPEN = 1 << 0,
};

/* Key of HEARTH_MAP_FIBCACHE: routing is by destination and ingress device. */
struct hearth_fib_key {
	__u32 ifindex; /* ingress */
	__u32 family; /* AF_INET or AF_INET6 */
	__u32 addr[4]; /* destination, network order; IPv4 uses addr[0] */
};

enum hearth_fib_action {
	HEARTH_FIB_FORWARD = 1,
	HEARTH_FIB_PASS = 2,
};

struct hearth_fib_entry {
	__u64 expires; /* bpf_jiffies64() deadline */
	__u32 generation; /* hearth_state.generation when filled */
	__u32 ifindex; /* egress */
	__u32 out_slot; /* slot of the egress interface */
	__u16 mtu; /* path MTU of the route */
	__u8 action; /* enum hearth_fib_action */
	__u8 reason; /* counter to bump when action is HEARTH_FIB_PASS */
	__u8 dmac[6];
	__u8 smac[6];
};

/* Value of HEARTH_MAP_FIBL1: one line of the per-CPU level, tagged with
 * its full key (lines are shared by every key that hashes to them). */
struct hearth_fib_l1 {
	struct hearth_fib_key key;
	struct hearth_fib_entry entry;
};

enum hearth_state_flags {
	/* Skip the cache and call bpf_fib_lookup for every packet, for hosts
	 * whose policy routing selects on more than destination and ingress. */
	HEARTH_STATE_NO_FIB_CACHE = 1 << 0,
	/* Tenant rules by MAC address / by prefix exist: only then does the
	 * data plane pay for those lookups. */
	HEARTH_STATE_TENANT_MACS = 1 << 1,
	HEARTH_STATE_TENANT_PREFIXES = 1 << 2,
	/* Chutes exist: home packets to a chute open the way for its replies
	 * (HEARTH_MAP_CHALLOW). Managed by the chute runtime. */
	HEARTH_STATE_CHUTES = 1 << 3,
	/* `privacy raw`: exports carry home addresses as they are. Kept here
	 * so that every reader of the state (hearth status) shows it. */
	HEARTH_STATE_PRIVACY_RAW = 1 << 4,
	/* A probe is attached: only then do the hooks fill a probe record and
	 * pass their probe points (maps/hearth_probe.h). */
	HEARTH_STATE_PROBES = 1 << 5,
	/* An attached probe reads the home hosts' view: only then do the
	 * records name hosts (two lookups a packet in HEARTH_MAP_HOSTID). */
	HEARTH_STATE_PROBE_HOSTS = 1 << 6,
};

/* Single entry of HEARTH_MAP_STATE. */
struct hearth_state {
	__u64 build_id; /* identity of the running BPF object (loader's hash) */
	__u32 generation; /* bumped by hearthd on any route/neigh/link change */
	__u32 flags; /* enum hearth_state_flags */
};

/* An IPv4 or IPv6 address in one layout: an IPv4 address is the last word,
 * the rest zero (the key's family says which it is). */
union hearth_addr {
	__be32 w[4];
	__u8 b[16];
	struct {
		__be32 zero[3];
		__be32 ip4;
	};
};

#include "hearth_ct.h" /* the connection table */


enum hearth_nat_filtering {
	/* RFC 4787 REQ-8's stricter choice: a mapping takes packets from the
	 * addresses its inside endpoint has sent to, from any of their ports */
	HEARTH_FILTER_ADDRESS = 0,
	/* "full cone": a mapping takes packets from anywhere */
	HEARTH_FILTER_ENDPOINT = 1,
};

/* Single entry of HEARTH_MAP_NATCFG, written by hearthd. */
struct hearth_nat_cfg {
	__u8 enabled;
	__u8 filtering; /* enum hearth_nat_filtering */
	__u16 pad;
	__u32 wan_ifindex;
	__be32 wan_addr; /* 0 while the WAN has no IPv4 address */
	__u16 port_min; /* host order */
	__u16 port_max;
};

/* Later fragments carry no ports: the first fragment's translation is
 * remembered by datagram (addresses as on the wire, IP id, protocol). */
struct hearth_frag_key {
	__be32 saddr;
	__be32 daddr;
	__be16 id;
	__u8 proto;
	__u8 dir; /* 0: leaving by the WAN (source rewritten), 1: arriving */
};

/* Port forwards: a WAN port to an inside address and port. */
struct hearth_nat_fwd_key {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 pad;
	__be16 port; /* on the WAN address */
};

enum hearth_nat_fwd_origin {
	HEARTH_FWD_CONFIG = 1, /* from the configuration file */
	HEARTH_FWD_RUNTIME = 2, /* added with `hearth nat forward add` */
	HEARTH_FWD_CHUTE = 3, /* a running chute's, removed when it stops */
};

struct hearth_nat_fwd {
	__be32 addr;
	__be16 port;
	__u8 origin; /* enum hearth_nat_fwd_origin */
	__u8 pad;
};

/*
 * Endpoint-independent NAT (RFC 4787 REQ-1, RFC 5382 REQ-1): one public
 * port per inside address, port and protocol (TCP, UDP), whatever the
 * destination. Connections (HEARTH_MAP_CT) carry their translation, so
 * established packets never look here; new connections, and packets no
 * connection knows arriving at the WAN address, do. Three kinds of entry
 * share the table:
 *
 *   OUT     inside address:port          -> public port
 *   IN      public port                  -> inside address:port
 *   PERMIT  public port, remote address  -> (address-dependent filtering:
 *                                            the inside endpoint sent there)
 *
 * The public address is always the WAN's. hearthd removes a mapping, and
 * its permissions, once no connection uses it and it is older than
 * HEARTH_NAT_MAPPING_MS; a new connection on it renews last_used.
 */
enum hearth_nat_map_kind {
	HEARTH_NATMAP_OUT = 1,
	HEARTH_NATMAP_IN = 2,
	HEARTH_NATMAP_PERMIT = 3,
};

struct hearth_nat_map_key {
	__be32 addr; /* OUT: inside address; IN: 0; PERMIT: remote address */
	__be16 port; /* OUT: inside port; IN, PERMIT: public port */
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u8 kind; /* enum hearth_nat_map_kind */
};

struct hearth_nat_mapping {
	__be32 addr; /* IN: the inside address; else 0 */
	__be16 port; /* OUT: the public port; IN: the inside port; else 0 */
	__u16 pad;
	__u64 last_used; /* bpf_jiffies64() of the last connection opened */
};

/* RFC 4787 REQ-5: a mapping lives at least 2 minutes after its last use. */
#define HEARTH_NAT_MAPPING_MS 120000

/* Key of HEARTH_MAP_ISOLATE (IPv4; chutes have no IPv6); the value is an
 * enum hearth_isolate_kind. */
struct hearth_isolate_key {
	__u32 prefixlen;
	__be32 addr;
};

enum hearth_isolate_kind {
	HEARTH_ISOLATE_OPEN = 0, /* reachable from chutes: the gateway's own */
	HEARTH_ISOLATE_HOME = 1, /* the home's subnets */
	HEARTH_ISOLATE_CHUTE = 2, /* the chute pool */
};

/* Single entry of HEARTH_MAP_FWCFG, written by hearthd. */
struct hearth_fw_cfg {
	__u8 enabled; /* default-deny inbound, source validation */
	__u8 echo6_in; /* ICMPv6 echo requests from the WAN reach home hosts */
	__u8 pad[2];
	__u32 n_pinholes; /* HEARTH_MAP_PINHOLES entries in use, from 0 */
};

/* Key of HEARTH_MAP_HOME, the LPM trie of the home's prefixes: IPv6 as it
 * is, IPv4 in the last word with prefixlen 96 + its length (the layout of
 * union hearth_addr). Value: 1. */
struct hearth_home_key {
	__u32 prefixlen;
	union hearth_addr addr;
};

/* Key of HEARTH_MAP_HOSTID: a home host hearthd has seen, whose index
 * in the probes' view (HEARTH_MAP_HOSTS, maps/hearth_probe.h) is the
 * value. Looked up only while a probe is attached. */
struct hearth_host_key {
	__u32 family;
	union hearth_addr addr;
};

/* Value of HEARTH_MAP_PINHOLES (an array read up to n_pinholes): new
 * connections from the WAN to these home addresses and ports are let in
 * (`firewall allow`). Prefix length within the family; ports host order,
 * 0-0 for a protocol without ports (ICMP) or "every port". */
struct hearth_pinhole {
	union hearth_addr addr;
	__u8 prefixlen;
	__u8 family; /* AF_INET or AF_INET6 */
	__u8 proto; /* IPPROTO_TCP, IPPROTO_UDP, ... ; 0: any */
	__u8 pad;
	__u16 port_min;
	__u16 port_max;
};

/* Key of HEARTH_MAP_FWFRAGS (an LRU): a fragmented datagram from the WAN
 * whose first fragment the firewall let in, so that the rest follow.
 * Fragment ids are 16 bits in IPv4, 32 in IPv6. Value: 1. */
struct hearth_fw_frag_key {
	union hearth_addr saddr;
	union hearth_addr daddr;
	__be32 id;
	__u8 proto; /* the transport protocol the first fragment named */
	__u8 family;
	__u8 pad[2];
};

/* Key of HEARTH_MAP_INSIDE, the LPM trie of subnets to masquerade. */
struct hearth_inside_key {
	__u32 prefixlen;
	__be32 addr;
};

/* Slots of HEARTH_MAP_ICMPRL, a per-CPU array: one rate limit per kind of
 * ICMP error the data plane sends. */
enum hearth_icmp_rl_slot {
	HEARTH_ICMP_RL_PROHIBITED = 0, /* admin prohibited, to home hosts */
	HEARTH_ICMP_RL_NAT = 1, /* too big / time exceeded, about translated
				 * packets, to their senders */
	HEARTH_ICMP_RL_MAX,
};

/* Value of HEARTH_MAP_OPENRL (per CPU): the openings from the WAN counted
 * in the current second. */
struct hearth_open_rl {
	__u64 window; /* bpf_jiffies64() when the current second began */
	__u32 opened;
	__u32 pad;
};

struct hearth_icmp_rl {
	__u64 window; /* bpf_jiffies64() when the current second began */
	__u32 sent; /* errors sent in it */
	__u32 pad;
};

struct hearth_counter {
	__u64 packets;
	__u64 bytes;
};

enum hearth_counter_class {
	HEARTH_CLASS_FAST, /* handled by XDP */
	HEARTH_CLASS_PASS, /* handed to the kernel stack (XDP_PASS) */
	HEARTH_CLASS_DROP, /* dropped (XDP_DROP, or TC_ACT_SHOT on egress) */
	HEARTH_CLASS_EGRESS, /* what left by this interface (not in rx totals) */
};

/*
 * Every verdict the gateway program can reach, with the counter it bumps on
 * the ingress interface's slot (HEARTH_CNT_TX on the egress slot).
 * X(id, class, name, description)
 */
#define HEARTH_COUNTERS(X)                                                        \
	X(FORWARD, FAST, "forward", "forwarded by XDP (counted on ingress)")      \
	X(TX, EGRESS, "xmit", "sent by XDP out of this interface")                 \
	X(TC_SNAT, EGRESS, "snat-slow",                                            \
	  "forwarded by the kernel, translated by tc on the way out")              \
	X(ICMP_SENT, EGRESS, "icmp-sent",                                          \
	  "ICMP error sent by XDP out of this interface, about a packet it "      \
	  "dropped")                                                               \
	X(PASS_ARP, PASS, "arp", "ARP")                                            \
	X(PASS_ND, PASS, "nd", "IPv6 neighbour discovery")                         \
	X(PASS_L2_MCAST, PASS, "l2-multicast", "broadcast or multicast frame")     \
	X(PASS_L2_OTHERHOST, PASS, "l2-otherhost",                                 \
	  "frame not addressed to this interface")                                 \
	X(PASS_ETHERTYPE, PASS, "ethertype", "ethertype other than IPv4/IPv6/ARP") \
	X(PASS_VLAN, PASS, "vlan", "802.1Q-tagged frame (routed by the kernel)")  \
	X(PASS_IP_OPTIONS, PASS, "ip-options", "IPv4 header with options")         \
	X(PASS_FRAGMENT, PASS, "fragment", "IPv4 or IPv6 fragment")                \
	X(PASS_IPV6_EXT, PASS, "ipv6-ext", "IPv6 extension header")                \
	X(PASS_LOCAL_SCOPE, PASS, "local-scope",                                   \
	  "address not to be routed: 0/8, loopback, link-local, multicast, "       \
	  "reserved, broadcast, unspecified")                                      \
	X(PASS_LOCAL, PASS, "local", "addressed to the gateway itself")            \
	X(PASS_NO_ROUTE, PASS, "no-route", "no usable route (kernel answers)")     \
	X(PASS_NO_NEIGH, PASS, "no-neigh", "next hop not resolved yet")            \
	X(PASS_FWD_DISABLED, PASS, "fwd-disabled", "forwarding disabled")          \
	X(PASS_EGRESS_FOREIGN, PASS, "egress-foreign",                             \
	  "route leaves by a non-gateway interface")                               \
	X(PASS_TTL, PASS, "ttl-expired", "TTL or hop limit expires here")          \
	X(PASS_FRAG_NEEDED, PASS, "frag-needed", "larger than the path MTU")       \
	X(PASS_UNKNOWN_IFACE, PASS, "unknown-iface",                               \
	  "arrived on an interface hearth does not manage")                         \
	X(PASS_SHAPER, PASS, "shaper",                                             \
	  "to the WAN through the kernel, for the upload shaper (HTB)")            \
	X(PASS_FW_KERNEL, PASS, "fw-kernel",                                       \
	  "with NAT on, an untranslated packet no connection knows crossing the "  \
	  "WAN: left to the firewall on the kernel path (tc)")                     \
	X(DROP_TRUNC_ETH, DROP, "trunc-eth", "truncated Ethernet header")          \
	X(DROP_TRUNC_VLAN, DROP, "trunc-vlan", "truncated 802.1Q tag")             \
	X(DROP_TRUNC_IP4, DROP, "trunc-ipv4", "truncated IPv4 header")             \
	X(DROP_TRUNC_IP6, DROP, "trunc-ipv6", "truncated IPv6 header")             \
	X(DROP_TRUNC_L4, DROP, "trunc-l4", "transport header missing")             \
	X(DROP_BAD_L4, DROP, "bad-l4",                                             \
	  "transport header and IP length disagree (to translate)")               \
	X(DROP_BAD_VERSION, DROP, "bad-version",                                   \
	  "IP version does not match the ethertype")                               \
	X(DROP_BAD_IHL, DROP, "bad-ihl", "IPv4 header length below 20 bytes")      \
	X(DROP_BAD_LEN, DROP, "bad-length",                                        \
	  "IP length field inconsistent with the frame")                            \
	X(DROP_BAD_CSUM, DROP, "bad-checksum", "IPv4 header checksum wrong")       \
	X(DROP_NAT_NO_PORT, DROP, "nat-no-port",                                   \
	  "new connection refused: no free NAT port")                              \
	X(DROP_CT_FULL, DROP, "ct-full",                                           \
	  "new connection refused: connection or mapping table full")                         \
	X(DROP_OPEN_RATE, DROP, "open-rate",                                       \
	  "new connection from the WAN (forward, mapping, pinhole) refused: over " \
	  "the rate of unsolicited openings")                                     \
	X(DROP_CT_HOST, DROP, "ct-host-full",                                      \
	  "new connection refused: its home host holds its share of the "        \
	  "connection table, all of it answered")                                 \
	X(DROP_LEAK, DROP, "leak-blocked",                                         \
	  "inside address that could not be translated kept off the WAN")          \
	X(DROP_NAT_OPTIONS, DROP, "nat-ip-options",                                \
	  "IPv4 options on a packet to translate (they may hold a home address)") \
	X(DROP_FW_REFUSED, DROP, "fw-refused",                                     \
	  "unsolicited packet from the WAN to a home host: no connection, "      \
	  "forward or pinhole")                                                   \
	X(DROP_FW_SPOOFED, DROP, "fw-spoofed",                                     \
	  "source address from the wrong side (BCP 38): a home prefix from the "  \
	  "WAN, or a foreign one from home")                                      \
	X(DROP_NAT_FILTERED, DROP, "nat-filtered",                               \
	  "unsolicited packet to a NAT mapping, refused by its filtering")        \
	X(DROP_NAT_TTL, DROP, "nat-ttl",                                           \
	  "packet of a translated connection would expire at the gateway "       \
	  "(time exceeded sent from the WAN address)")                            \
	X(DROP_NAT_TOO_BIG, DROP, "nat-too-big",                                   \
	  "translated packet larger than the next hop's MTU, DF set "            \
	  "(fragmentation needed sent from the WAN address)")                     \
	X(DROP_TENANT_CEIL, DROP, "tenant-ceiling",                                \
	  "download over the tenant's ceiling")                                    \
	X(DROP_TENANT_SQUEEZED, DROP, "tenant-squeezed",                           \
	  "download over the tenant's guaranteed rate while the home needs "      \
	  "the link")                                                              \
	X(DROP_LINK_FULL, DROP, "link-full",                                       \
	  "download over the WAN capacity")                                       \
	X(DROP_CHUTE_ISOLATED, DROP, "chute-isolated",                             \
	  "a chute's packet to the home or another chute, not a reply")

#define HEARTH_CNT_ENUM_(id, cls, name, desc) HEARTH_CNT_##id,
enum hearth_counter_id { HEARTH_COUNTERS(HEARTH_CNT_ENUM_) HEARTH_CNT_MAX };
#undef HEARTH_CNT_ENUM_

/* HEARTH_MAP_STATS is a per-CPU array indexed by this. */
#define HEARTH_STATS_INDEX(slot, id) ((slot) * HEARTH_CNT_MAX + (id))
#define HEARTH_STATS_ENTRIES (HEARTH_MAX_IFACES * HEARTH_CNT_MAX)

/*
 * Tenants. Tenant 0 is the home: every device no rule names. Others are
 * named by MAC address, then source prefix, then ingress interface (the
 * first rule that matches wins). A connection's tenant is decided when it
 * opens and kept in its conntrack entries, so both directions count for it.
 */
#define HEARTH_MAX_TENANTS 256
#define HEARTH_TENANT_HOME 0
#define HEARTH_TENANT_NAMSIZ 32
#define HEARTH_TENANT_PREFIXES 1024
#define HEARTH_TENANT_MACS 1024
/* Priority classes: 0 is the home's, tenants take 1 (first to borrow) to 7. */
#define HEARTH_PRIO_MAX 7
/* Fixed point of the per-byte transmission times below. */
#define HEARTH_NSPB_SHIFT 16

enum hearth_dir {
	HEARTH_DIR_UP = 0, /* leaving by the WAN */
	HEARTH_DIR_DOWN = 1, /* arriving from the WAN */
	HEARTH_DIR_MAX,
};

enum hearth_tenant_origin {
	HEARTH_TENANT_CONFIG = 1, /* from the configuration file */
	HEARTH_TENANT_RUNTIME = 2, /* added with `hearth tenant add` */
	HEARTH_TENANT_CHUTE = 3, /* a running chute's, removed when it stops */
};

/* One direction of a tenant's bandwidth: as configured (bits/s, bytes) and
 * as the download policer uses it (time per byte in ns << NSPB_SHIFT, and
 * the burst as a time tolerance). A zero rate or ceiling means "none set":
 * the rate is then 0 (nothing guaranteed), the ceiling the WAN capacity. */
struct hearth_tenant_rate {
	__u64 rate; /* guaranteed, bits/s */
	__u64 ceil; /* bits/s */
	__u32 burst; /* bytes */
	__u32 pad;
	__u64 rate_nspb; /* 0: no guaranteed rate */
	__u64 ceil_nspb; /* 0: no ceiling */
	__u64 rate_tau; /* ns */
	__u64 ceil_tau;
};

/* Value of HEARTH_MAP_TENANTS, indexed by tenant id. */
struct hearth_tenant {
	char name[HEARTH_TENANT_NAMSIZ];
	__u8 in_use;
	__u8 prio; /* 0 home, 1-7 */
	__u8 origin; /* enum hearth_tenant_origin */
	/* a host's ways of each connection table set; 0: conntrack host-share */
	__u8 ct_host_ways;
	__u8 pad[4];
	struct hearth_tenant_rate dir[HEARTH_DIR_MAX];
};

/* Drop reasons counted per tenant (download policer). */
enum hearth_tenant_drop {
	HEARTH_TDROP_CEIL, /* over its ceiling */
	HEARTH_TDROP_SQUEEZED, /* over its guaranteed rate, home first */
	HEARTH_TDROP_LINK, /* over the WAN capacity */
	HEARTH_TDROP_MAX,
};

/* Value of HEARTH_MAP_TNSTATS, a per-CPU array indexed by
 * HEARTH_TNSTATS_INDEX: what crossed the WAN for a tenant. */
struct hearth_tenant_counters {
	__u64 packets;
	__u64 bytes;
	__u64 drops[HEARTH_TDROP_MAX];
	__u64 drop_bytes;
};

#define HEARTH_TNSTATS_INDEX(tenant, dir) ((tenant) * HEARTH_DIR_MAX + (dir))

/* Value of HEARTH_MAP_TNPOLICE, indexed by tenant id; the WAN link's own
 * buckets are at HEARTH_POLICE_LINK (commit: the capacity, ceil: the
 * borrowing limit). Virtual times (GCRA): a packet conforms when the
 * bucket's time, pushed by the packet's transmission time, stays within the
 * burst tolerance of now. */
struct hearth_police_state {
	__u64 commit_tat; /* ns, bpf_ktime_get_ns() clock */
	__u64 ceil_tat;
};

#define HEARTH_POLICE_LINK HEARTH_MAX_TENANTS
/* Share of the download capacity tenants may fill by borrowing. */
#define HEARTH_BORROW_PERCENT 90

/* Key of HEARTH_MAP_TNPREFIX, an LPM trie over both families (IPv4 as
 * ::ffff:a.b.c.d/96+len). Value: tenant id. */
struct hearth_tenant_prefix_key {
	__u32 prefixlen;
	__u8 addr[16];
};

/* Key of HEARTH_MAP_TNMAC. Value: tenant id. */
struct hearth_tenant_mac_key {
	__u8 mac[6];
	__u8 pad[2];
};

/* Single entry of HEARTH_MAP_LINKCFG: the WAN link as the operator set it. */
struct hearth_link_cfg {
	__u64 capacity[HEARTH_DIR_MAX]; /* bits/s; 0: not set */
	__u64 down_nspb; /* download policer: the link's time per byte */
	__u64 down_tau; /* ns */
	/* tenants borrow only below this share of the capacity: the rest is
	 * room for the home to grow into (its TCP needs it to speed up) */
	__u64 borrow_nspb;
	__u64 borrow_tau;
	__u32 wan_slot; /* 0: no WAN yet */
	__u32 shape_up; /* upload goes through the kernel to the HTB shaper */
	__u32 police_down; /* download policed in XDP */
	__u32 pad;
};

/* The upload shaper: an HTB qdisc on the WAN (handle "HT"), one class per
 * tenant under the root class; skb->priority selects it. */
#define HEARTH_HTB_MAJOR 0x4854
#define HEARTH_HTB_ROOT_MINOR 0x1
#define HEARTH_HTB_TENANT_MINOR(t) (0x100 + (t))

#endif /* HEARTH_MAPS_H */
