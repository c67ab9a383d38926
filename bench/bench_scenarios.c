// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench's tables: the scenarios, the programs and frames they name,
 * the stages of each headline and the two suites with their notes.
 */
#include <linux/bpf.h>
#include "xdp_bench.h"

const struct scenario scenarios[SC_COUNT] = {
	[SC_EMPTY] = { "empty", "empty XDP program",
		       "xdp_empty: returns XDP_PASS (baseline)", IN_FWD | IN_NAT,
		       PROG_EMPTY, FRAME_UDP4, false, false, XDP_PASS, -1, CACHE_NA },
	[SC_RESTORE] = { "restore", "restore prologue only",
			 "bench_restore: writes back the frame head, returns XDP_PASS",
			 IN_FWD | IN_NAT, PROG_RESTORE, FRAME_UDP4, false, false,
			 XDP_PASS, -1, CACHE_NA },
	[SC_NAT_RESTORE] = { "nat_restore", "NAT restore prologue only",
			     "bench_nat_restore: writes back Ethernet+IPv4+UDP headers, returns XDP_PASS",
			     IN_NAT, PROG_NAT_RESTORE, FRAME_UDP4, false, true,
			     XDP_PASS, -1, CACHE_NA },
	[SC_NAT_RESTORE_NEW] = { "nat_restore_new", "NAT new-conn prologue only",
				 "bench_nat_restore_new: the NAT restore plus the next source port and its UDP checksum",
				 IN_NAT, PROG_NAT_RESTORE_NEW, FRAME_UDP4, false, true,
				 XDP_PASS, -1, CACHE_NA, CT_NA, 0, 0 },
	[SC_FWD4] = { "fwd_ipv4", "gateway IPv4 UDP, cache hit",
		      "bench_gw: LAN to WAN, established path (FIB cache hit), NAT off",
		      IN_FWD | IN_NAT, PROG_GATEWAY, FRAME_UDP4, false, false,
		      XDP_REDIRECT, HEARTH_CNT_FORWARD, CACHE_HIT },
	[SC_FWD6] = { "fwd_ipv6", "gateway IPv6 UDP, cache hit",
		      "bench_gw: LAN to WAN, established path (FIB cache hit)",
		      IN_FWD, PROG_GATEWAY, FRAME_UDP6, false, false, XDP_REDIRECT,
		      HEARTH_CNT_FORWARD, CACHE_HIT },
	[SC_NOCACHE4] = { "fwd_ipv4_nocache", "gateway IPv4 UDP, no cache",
			  "bench_gw, HEARTH_STATE_NO_FIB_CACHE: bpf_fib_lookup every packet",
			  IN_FWD, PROG_GATEWAY, FRAME_UDP4, true, false, XDP_REDIRECT,
			  HEARTH_CNT_FORWARD, CACHE_OFF },
	[SC_NOCACHE6] = { "fwd_ipv6_nocache", "gateway IPv6 UDP, no cache",
			  "bench_gw, HEARTH_STATE_NO_FIB_CACHE: bpf_fib_lookup every packet",
			  IN_FWD, PROG_GATEWAY, FRAME_UDP6, true, false, XDP_REDIRECT,
			  HEARTH_CNT_FORWARD, CACHE_OFF },
	[SC_ARP] = { "slow_arp", "gateway ARP, slow path",
		     "bench_gw: ARP request, handed to the stack (XDP_PASS)", IN_FWD,
		     PROG_GATEWAY, FRAME_ARP, false, false, XDP_PASS,
		     HEARTH_CNT_PASS_ARP, CACHE_NA },
	/* the breakdown of fwd_ipv4: the same pipeline stopped after a stage */
	[SC_PARSE4] = { "stage_parse_ipv4", "  IPv4 up to parse+validate",
			"bench_parse: restore, parse and validate up to the FIB decision",
			IN_FWD, PROG_PARSE, FRAME_UDP4, false, false, XDP_PASS, -1,
			CACHE_NA },
	[SC_DECIDE4] = { "stage_decide_ipv4", "  IPv4 up to FIB decision",
			 "bench_decide: bench_parse plus the FIB decision (cache hit)",
			 IN_FWD, PROG_DECIDE, FRAME_UDP4, false, false, XDP_PASS, -1,
			 CACHE_HIT },
	[SC_NAT_OUT] = { "nat_out", "NAT outbound, established",
			 "bench_nat_gw: LAN to WAN, conntrack hit, source NAT, FIB cache hit",
			 IN_NAT, PROG_NAT_GW, FRAME_UDP4, false, true, XDP_REDIRECT,
			 HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_ORIG },
	[SC_NAT_IN] = { "nat_in", "NAT inbound, established",
			"bench_nat_gw: WAN to LAN reply, conntrack hit, destination NAT, FIB cache hit",
			IN_NAT, PROG_NAT_GW, FRAME_UDP4_IN, false, true, XDP_REDIRECT,
			HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_REPLY },
	[SC_NAT_NEW] = { "nat_new", "NAT new connection",
			 "bench_nat_new: LAN to WAN, a new source port every repeat: conntrack miss, port reservation, two inserts, source NAT",
			 IN_NAT, PROG_NAT_NEW, FRAME_UDP4, false, true, XDP_REDIRECT,
			 HEARTH_CNT_FORWARD, CACHE_HIT, CT_NEW, NEW_REPEATS, NEW_WARMUP },
	/* the breakdown of nat_out */
	[SC_NAT_PARSE] = { "stage_nat_parse", "  NAT out up to parse+validate",
			   "bench_nat_parse: NAT restore, parse and validate",
			   IN_NAT, PROG_NAT_PARSE, FRAME_UDP4, false, true, XDP_PASS, -1,
			   CACHE_NA },
	[SC_NAT_TUPLE] = { "stage_nat_tuple", "  NAT out up to the tuple",
			   "bench_nat_tuple: bench_nat_parse plus the NAT configuration and the packet's tuple",
			   IN_NAT, PROG_NAT_TUPLE, FRAME_UDP4, false, true, XDP_PASS, -1,
			   CACHE_NA },
	[SC_NAT_CT] = { "stage_nat_ct", "  NAT out up to conntrack",
			"bench_nat_ct: bench_nat_tuple plus the conntrack lookup (hit): nat_pre",
			IN_NAT, PROG_NAT_CT, FRAME_UDP4, false, true, XDP_PASS, -1,
			CACHE_NA },
	[SC_NAT_DECIDE] = { "stage_nat_decide", "  NAT out up to FIB decision",
			    "bench_nat_decide: bench_nat_ct plus the FIB decision (cache hit) and MTU/TTL check",
			    IN_NAT, PROG_NAT_DECIDE, FRAME_UDP4, false, true, XDP_PASS,
			    -1, CACHE_HIT },
	[SC_NAT_SNAT] = { "stage_nat_snat", "  NAT out up to SNAT rewrite",
			  "bench_nat_snat: bench_nat_decide plus the source rewrite (checksums), no accounting",
			  IN_NAT, PROG_NAT_SNAT, FRAME_UDP4, false, true, XDP_PASS, -1,
			  CACHE_HIT },
	[SC_NAT_POST] = { "stage_nat_post", "  NAT out up to nat_post",
			  "bench_nat_post: bench_nat_decide plus nat_post (rewrite and conntrack accounting)",
			  IN_NAT, PROG_NAT_POST, FRAME_UDP4, false, true, XDP_PASS, -1,
			  CACHE_HIT, CT_HIT_ORIG },
	/* the tenant stage on the established paths */
	[SC_NAT_OUT_METER] = { "nat_out_metered", "NAT outbound + tenant meter",
			       "bench_nat_gw as nat_out, the WAN link configured: the upload counted for the connection's tenant (home)",
			       IN_NAT, PROG_NAT_GW, FRAME_UDP4, false, true, XDP_REDIRECT,
			       HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_ORIG, 0, 0, TN_METER },
	[SC_NAT_IN_METER] = { "nat_in_metered", "NAT inbound + tenant meter",
			      "bench_nat_gw as nat_in, the WAN link configured: the download counted for the connection's tenant",
			      IN_NAT, PROG_NAT_GW, FRAME_UDP4_IN, false, true, XDP_REDIRECT,
			      HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_REPLY, 0, 0, TN_METER },
	[SC_NAT_IN_POLICE] = { "nat_in_policed", "NAT inbound + meter + policer",
			       "bench_nat_gw as nat_in with a download capacity: metered and policed (committed bucket, link buckets, one clock read)",
			       IN_NAT, PROG_NAT_GW, FRAME_UDP4_IN, false, true, XDP_REDIRECT,
			       HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_REPLY, 0, 0, TN_POLICE },
	/* the established paths with the firewall on (the connection opened
	 * by the first warm-up packet, every measured one finds it) */
	[SC_FW4] = { "fw_ipv4", "gateway IPv4 UDP, firewall on",
		     "bench_gw as fwd_ipv4 with the firewall on: a tracked connection (conntrack line hit), untranslated",
		     IN_FWD, PROG_GATEWAY, FRAME_UDP4, false, false, XDP_REDIRECT,
		     HEARTH_CNT_FORWARD, CACHE_HIT, CT_NA, 0, 0, TN_OFF, true },
	[SC_FW6] = { "fw_ipv6", "gateway IPv6 UDP, firewall on",
		     "bench_gw as fwd_ipv6 with the firewall on: a tracked connection (conntrack line hit)",
		     IN_FWD, PROG_GATEWAY, FRAME_UDP6, false, false, XDP_REDIRECT,
		     HEARTH_CNT_FORWARD, CACHE_HIT, CT_NA, 0, 0, TN_OFF, true },
	[SC_FW_TCP6] = { "fw_tcp6", "gateway IPv6 TCP, firewall on, RTT",
			 "bench_gw, the firewall on: a TCP segment with timestamps of a connection picked up mid-stream (conntrack line hit); the round-trip time work of each packet unless -R: the TSval never changes, so every packet passes the gate and reads its options (ct_rtt_options), the worst case",
			 IN_FWD, PROG_GATEWAY, FRAME_TCP6, false, false, XDP_REDIRECT,
			 HEARTH_CNT_FORWARD, CACHE_HIT, CT_NA, 0, 0, TN_OFF, true },
	[SC_FW_TCP6_TICK] = { "fw_tcp6_tick", "gateway IPv6 TCP, RTT, TSval ticking",
			      "bench_gw_tick, the firewall on: fw_tcp6 with a TSval one higher each repeat, as a sender's timestamp clock moves; what most packets of a connection cost",
			      IN_FWD, PROG_GATEWAY_TICK, FRAME_TCP6, false, false, XDP_REDIRECT,
			      HEARTH_CNT_FORWARD, CACHE_HIT, CT_NA, 0, 0, TN_OFF, true },
	[SC_NAT_OUT_FW] = { "nat_out_fw", "NAT outbound, firewall on",
			    "bench_nat_gw as nat_out with the firewall on",
			    IN_NAT, PROG_NAT_GW, FRAME_UDP4, false, true, XDP_REDIRECT,
			    HEARTH_CNT_FORWARD, CACHE_HIT, CT_HIT_ORIG, 0, 0, TN_OFF, true },
};

const char *const prog_names[PROG_COUNT] = {
	"xdp_empty",	   "bench_restore",	 "bench_parse",	    "bench_decide",
	"bench_gw",	   "bench_nat_restore", "bench_nat_restore_new",
	"bench_nat_gw",	   "bench_nat_new",	 "bench_nat_parse", "bench_nat_tuple",
	"bench_nat_ct",	   "bench_nat_decide", "bench_nat_snat",	 "bench_nat_post",
	"bench_gw_tick",
};
const char *const frame_keys[FRAME_COUNT] = { "udp4", "udp6", "arp", "udp4_in", "tcp6" };
const char *const action_names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					    "XDP_TX", "XDP_REDIRECT" };

static const struct stage fwd_stages[] = {
	{ "test_run_loop", "test-run loop + empty program", -1, SC_EMPTY },
	{ "restore", "restore prologue (bench only)", SC_EMPTY, SC_RESTORE },
	{ "parse_validate", "parse + validate", SC_RESTORE, SC_PARSE4 },
	{ "fib_decision", "FIB decision (cache hit)", SC_PARSE4, SC_DECIDE4 },
	{ "rewrite_count_redirect", "rewrite + counters + redirect", SC_DECIDE4,
	  SC_FWD4 },
};

static const struct stage nat_stages[] = {
	{ "test_run_loop", "test-run loop + empty program", -1, SC_EMPTY },
	{ "restore", "NAT restore prologue (bench only)", SC_EMPTY, SC_NAT_RESTORE },
	{ "parse_validate", "parse + validate", SC_NAT_RESTORE, SC_NAT_PARSE },
	{ "nat_tuple", "NAT config + tuple", SC_NAT_PARSE, SC_NAT_TUPLE },
	{ "conntrack_lookup", "conntrack lookup (hash, hit)", SC_NAT_TUPLE,
	  SC_NAT_CT },
	{ "fib_decision", "FIB decision (cache hit) + MTU/TTL", SC_NAT_CT,
	  SC_NAT_DECIDE },
	{ "snat_rewrite", "SNAT rewrite + checksums", SC_NAT_DECIDE, SC_NAT_SNAT },
	{ "ct_account", "conntrack accounting", SC_NAT_SNAT, SC_NAT_POST },
	{ "rewrite_count_redirect", "MAC/TTL rewrite + counters + redirect",
	  SC_NAT_POST, SC_NAT_OUT },
};

static const char *const fwd_notes[] = {
	"Generator: BPF_PROG_TEST_RUN without live frames: no driver, no "
	"DMA, no redirect transmit. Each figure is the program plus the "
	"kernel's test-run loop; the empty program carries the same loop, "
	"so the ratio to it is the figure to compare, absolute nanoseconds "
	"vary between machines.",
	"ns/packet is bpf_test_run_opts.duration (total time / repeats, "
	"truncated to whole ns by the kernel).",
	"Non-live test runs reuse one buffer for all repeats, so bench_gw "
	"first writes back the frame head (Ethernet header, IPv4 up to the "
	"checksum or IPv6 up to the hop limit) that the gateway rewrites; "
	"'restore' measures that prologue alone, and ratio_net_of_restore "
	"removes it from the headline.",
	"Scenarios are interleaved within each trial; each is warmed up "
	"before every trial; the process is pinned to one CPU.",
	"Before the trials, for each frame, bench_gw after 3 repeats must "
	"return the same action and frame as hearth_xdp_gateway after 1.",
	"After every trial the data plane's counters must show that every "
	"repeat took the named path (forward on lan0 and xmit on wan0 = "
	"repeats, or arp = repeats), that a cache-hit scenario left its "
	"cached decision untouched, and that a no-cache scenario cached "
	"nothing.",
	"The FIB cache TTL is raised to 1 h for the run so that no decision"
	" expires mid-trial.",
	"The breakdown subtracts the medians of the same pipeline cut short"
	" after each stage (bench_parse, bench_decide): an estimate, the "
	"cut programs are compiled on their own.",
	"The firewall is off in every scenario but fw_ipv4, fw_ipv6, fw_tcp6 "
	"and fw_tcp6_tick, which run with it on (the home prefixes set as "
	"hearthd sets them, NAT off): the first warm-up packet opens a "
	"tracked connection, and every measured packet finds it through its "
	"per-CPU conntrack line, as an established connection's packets do.",
};

static const char *const nat_notes[] = {
	"Generator: BPF_PROG_TEST_RUN without live frames: no driver, no "
	"DMA, no redirect transmit. Each figure is the program plus the "
	"kernel's test-run loop; the empty program carries the same loop, "
	"so the ratio to it is the figure to compare.",
	"ns/packet is bpf_test_run_opts.duration (total time / repeats, "
	"truncated to whole ns by the kernel).",
	"NAT is masquerade of 192.168.1.0/24 behind wan0 (198.51.100.1), "
	"ports 1024-65535, set in the maps as hearthd sets them; the NAT "
	"scenarios run with it enabled, fwd_ipv4 with it disabled (the "
	"routed path for comparison).",
	"The established connection is udp4's (192.168.1.10:40000 -> "
	"203.0.113.10:5201 UDP), opened once before the trials; nat_in is "
	"its reply (203.0.113.10:5201 -> 198.51.100.1:40000, arriving on "
	"wan0). Its two entries are the only ones in the table during the "
	"established scenarios, so the conntrack lookup hits a hot entry.",
	"The NAT programs first write back Ethernet, IPv4 and UDP headers "
	"(48 bytes, six stores): translation rewrites addresses, ports and "
	"checksums. 'nat_restore' measures that prologue alone.",
	"nat_new: the prologue also gives every repeat a new source port "
	"(10000 + a counter in the program's .bss, with the UDP checksum "
	"updated), so every repeat is a conntrack miss that reserves a NAT "
	"port (the original port, free) and inserts two entries. It runs "
	"16384 repeats per trial (after a warm-up of 4096), not -r: the "
	"table holds 65536 entries, 2 per connection. After each run "
	"xdp_bench checks and deletes every entry it opened. "
	"'nat_restore_new' measures its prologue alone.",
	"Before the trials, bench_nat_gw after 3 repeats must return the same "
	"action and frame as hearth_xdp_gateway after 1, for both NAT "
	"frames, with valid IPv4 and UDP checksums recomputed from scratch; "
	"bench_nat_new after 3 repeats must have opened exactly 3 "
	"connections, and its last frame must carry the WAN address, the "
	"third port and valid checksums.",
	"After every trial: forward on the ingress and xmit on the egress "
	"interface moved by the repeats; for the established scenarios the "
	"entry of the direction used counted exactly the repeats, the other "
	"direction nothing, and the table still holds 2 entries; for "
	"nat_new each of the repeats' connections is in the table with 1 "
	"packet, its own port and its reply entry, and after deleting them "
	"2 entries are left. Cache-hit scenarios left their cached FIB "
	"decision untouched.",
	"Scenarios are interleaved within each trial; each is warmed up "
	"before every trial; the process is pinned to one CPU. The FIB cache "
	"TTL is raised to 1 h for the run.",
	"The breakdown of nat_out subtracts the medians of the same pipeline "
	"cut short after each stage (bench_nat_parse ... bench_nat_post): an "
	"estimate, the cut programs are compiled on their own.",
	"Tenants: nat_out and nat_in run with no WAN link configured (the "
	"tenant stage returns at its first test); the *_metered scenarios "
	"configure the WAN (hearth_linkcfg.wan_slot) so every packet is "
	"counted for the connection's tenant, read from its conntrack line; "
	"nat_in_policed adds a 100 Gbit/s download capacity so the policer "
	"runs in full for every packet (home within its guarantee: tenant "
	"and link lookups, one bpf_ktime_get_ns, three bucket charges) and "
	"never drops. After each trial the home's meter must have moved by "
	"the repeats. The tenant lookup itself (MAC, prefix, interface) "
	"happens once per connection, when it opens, so it is part of "
	"nat_new.",
	"The firewall is off in every scenario but nat_out_fw, which runs "
	"nat_out with it on (the home prefixes set as hearthd sets them): an "
	"established masqueraded connection, found by its conntrack line.",
};

const struct suite suites[SUITE_COUNT] = {
	[SUITE_FORWARD] = { "xdp_forward", SC_FWD4, SC_RESTORE, 3.0, fwd_stages,
			    ARRAY_LEN(fwd_stages), "breakdown_fwd_ipv4", fwd_notes,
			    ARRAY_LEN(fwd_notes) },
	[SUITE_NAT] = { "xdp_nat", SC_NAT_OUT, SC_NAT_RESTORE, 3.5, nat_stages,
			ARRAY_LEN(nat_stages), "breakdown_nat_out", nat_notes,
			ARRAY_LEN(nat_notes) },
};

bool bench_in_suite(const struct bench *b, int idx)
{
	return scenarios[idx].suites & (1u << b->opt.suite);
}

__u32 bench_repeats_of(const struct bench *b, const struct scenario *s)
{
	return s->repeats ? s->repeats : b->opt.repeats;
}
