/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What the files of xdp_bench share: the limits, the scenario, stage and
 * suite types, the state of a run (struct bench) and the functions one file
 * offers the others.
 *
 *   xdp_bench_main.c   options, CPU pinning, main
 *   bench_scenarios.c  the scenario, stage and suite tables
 *   bench_frames.c     the frames under test
 *   bench_run.c        loading, setup, BPF_PROG_TEST_RUN, the trials
 *   bench_verify.c     the checks that each scenario took its path
 *   bench_stats.c      medians, ratios, stage costs
 *   bench_machine.c    the machine the run was on
 *   bench_report.c     the text report
 *   bench_json.c       the JSON report
 *   bench_scale.c      -s ct-scale: the established path as the table fills
 */
#ifndef HEARTH_BENCH_XDP_BENCH_H
#define HEARTH_BENCH_XDP_BENCH_H

#include <stdbool.h>
#include <linux/types.h>

#include "../tests/lib/fixture.h"
#include "../userspace/lib/conntrack.h"
#include "../userspace/lib/kclock.h"
#include "../userspace/lib/tenant.h"
#include "bench_gateway.h"

/* the skeletons' objects (bench_gateway.skel.h, xdp_empty.skel.h) */
struct bench_gateway;
struct xdp_empty;

#define MIN_REPEATS 1000000u
#define MIN_TRIALS 5
#define MAX_TRIALS 99
/* Many short trials rather than a few long ones: interleaved, they put the
 * empty program and the gateway close in time, and the median of many
 * shrugs off the moments when the (virtual) machine stalls. */
#define DEFAULT_REPEATS 1000000u
#define DEFAULT_TRIALS 11
#define WARMUP_REPEATS 100000u
#define FRAME_MAX 256
#define UDP_PAYLOAD 64
/* Longer than any trial, so that no cached decision expires while it is
 * measured; production refreshes each destination every 2 s, one FIB
 * lookup per destination, which does not show in a per-packet figure. */
#define BENCH_FIB_CACHE_TTL_JIFFIES (3600ULL * 1000) /* an hour at HZ up to 1000 */

/* NAT: the fixture masquerades 192.168.1.0/24 behind wan0 on these ports. */
#define NAT_PORT_MIN 1024
#define NAT_PORT_MAX 65535
/* The established connection is udp4's (h1:40000 -> server:5201); new
 * connections come from h1:NEW_PORT_BASE + i, below 40000, so that each
 * keeps its own port and none meets the established one. */
#define EST_SPORT 40000
#define NEW_PORT_BASE 10000
/* Every repeat of the new-connection scenario adds two entries to the
 * bench's table of BENCH_CT_SETS sets (262144 entries): a trial opens
 * NEW_REPEATS connections (an eighth of the table at its end), after
 * NEW_WARMUP in a warm-up; xdp_bench deletes them, checking each, after
 * every run. */
#define NEW_REPEATS 16384u
/* The connection table of the bench (sets of HEARTH_CT_WAYS). */
#define BENCH_CT_SETS 16384u
#define NEW_WARMUP 4096u

enum suite_id { SUITE_FORWARD, SUITE_NAT, SUITE_COUNT };
#define IN_FWD (1u << SUITE_FORWARD)
#define IN_NAT (1u << SUITE_NAT)

enum bench_prog {
	PROG_EMPTY,
	PROG_RESTORE,
	PROG_PARSE,
	PROG_DECIDE,
	PROG_GATEWAY,
	PROG_NAT_RESTORE,
	PROG_NAT_RESTORE_NEW,
	PROG_NAT_GW,
	PROG_NAT_NEW,
	PROG_NAT_PARSE,
	PROG_NAT_TUPLE,
	PROG_NAT_CT,
	PROG_NAT_DECIDE,
	PROG_NAT_SNAT,
	PROG_NAT_POST,
	PROG_GATEWAY_TICK,
	PROG_COUNT
};

enum bench_frame { FRAME_UDP4, FRAME_UDP6, FRAME_ARP, FRAME_UDP4_IN, FRAME_TCP6, FRAME_COUNT };

/* What the FIB cache must look like around a trial. */
enum cache_check {
	CACHE_NA,
	CACHE_HIT, /* entry present and untouched: no packet missed */
	CACHE_OFF, /* entry absent: no packet consulted or filled it */
};

/* What the connection table must show after a trial. */
enum ct_check {
	CT_NA, /* NAT off: the table is not touched */
	CT_HIT_ORIG, /* the established connection's original direction
			counted every repeat, nothing else changed */
	CT_HIT_REPLY, /* the same for its reply direction */
	CT_NEW, /* every repeat opened its own connection: two entries each */
};

/* In the order of the table; each suite's headline is named in suites[]. */
enum scenario_id {
	SC_EMPTY,
	SC_RESTORE,
	SC_NAT_RESTORE,
	SC_NAT_RESTORE_NEW,
	SC_FWD4,
	SC_FWD6,
	SC_NOCACHE4,
	SC_NOCACHE6,
	SC_ARP,
	SC_PARSE4,
	SC_DECIDE4,
	SC_NAT_OUT,
	SC_NAT_IN,
	SC_NAT_NEW,
	SC_NAT_PARSE,
	SC_NAT_TUPLE,
	SC_NAT_CT,
	SC_NAT_DECIDE,
	SC_NAT_SNAT,
	SC_NAT_POST,
	SC_NAT_OUT_METER,
	SC_NAT_IN_METER,
	SC_NAT_IN_POLICE,
	SC_FW4,
	SC_FW6,
	SC_FW_TCP6,
	SC_FW_TCP6_TICK,
	SC_NAT_OUT_FW,
	SC_COUNT
};

/* Tenant metering and policing, as `wan-capacity` would set them. */
enum tenant_mode {
	TN_OFF, /* no WAN link configured: the tenant stage returns at once */
	TN_METER, /* the WAN known: every crossing counted for its tenant */
	TN_POLICE, /* plus a download capacity (100 Gbit/s, so every packet
		      conforms): the policer's buckets for each packet */
};

struct scenario {
	const char *key; /* in the JSON */
	const char *name; /* in the table */
	const char *what;
	unsigned suites; /* IN_FWD, IN_NAT */
	enum bench_prog prog;
	enum bench_frame frame;
	bool no_fib_cache; /* HEARTH_STATE_NO_FIB_CACHE */
	bool nat; /* masquerade enabled (hearth_natcfg.enabled) */
	__u32 action;
	int counter; /* ingress counter that must move by repeats, or -1 */
	enum cache_check cache;
	enum ct_check ct;
	__u32 repeats; /* per trial; 0: the -r value */
	__u32 warmup; /* 0: WARMUP_REPEATS */
	enum tenant_mode tenant;
	bool firewall; /* hearth_fwcfg.enabled, the home prefixes set */
};

/* A suite's headline as a sum of stages, each the difference of two
 * medians: an estimate (the cut-short programs are compiled on their own),
 * but it shows where the time goes. */
struct stage {
	const char *key;
	const char *name;
	int from, to; /* scenarios; from < 0: from zero */
};

struct suite {
	const char *name; /* benchmark name, in the JSON */
	int headline;
	int restore; /* the prologue inside the headline */
	double target;
	const struct stage *stages;
	int n_stages;
	const char *breakdown_key;
	const char *const *notes;
	int n_notes;
};

#define ARRAY_LEN(a) (int)(sizeof(a) / sizeof((a)[0]))

struct frame {
	const char *desc;
	__u8 data[FRAME_MAX];
	__u32 len;
	int ingress, egress; /* ifindexes */
	struct hearth_fib_key key; /* its FIB cache key, IP frames only */
};

struct result {
	__u32 ns[MAX_TRIALS];
	double median;
	__u32 min, max;
};

struct options {
	enum suite_id suite;
	bool ct_scale; /* -s ct-scale: bench_scale.c instead of the suite */
	bool rtt_off; /* -R: the gateway loaded with conntrack rtt off */
	bool probe_flag; /* -P: HEARTH_STATE_PROBES set, no probe attached */
	bool run_time_stats; /* -S: the kernel's BPF run-time statistics on */
	__u32 repeats;
	int trials;
	int cpu;
	const char *revision;
	const char *out;
};

struct bench {
	struct options opt;
	const struct suite *suite;
	struct fixture fx;
	struct xdp_empty *empty;
	struct bench_gateway *gw;
	int prog_fd[PROG_COUNT];
	struct frame frames[FRAME_COUNT];
	struct result res[SC_COUNT];
	int natcfg_fd;
	struct hearth_dp dp; /* the object's maps, for the tenant library */
	/* the established connection of the NAT suite, both directions */
	struct hearth_ct_key est_orig, est_reply;
};

struct run {
	__u32 retval;
	__u32 ns; /* per repeat */
	__u32 out_len;
	__u8 out[FRAME_MAX];
};

/* What must stay true across a trial, read before and after it. */
struct snapshot {
	__u64 counter, tx;
	bool cached;
	struct hearth_fib_entry entry;
	__u64 orig_packets, reply_packets;
	__u32 ct_entries;
	__u64 tenant_packets; /* the home's, in the scenario's direction */
};

struct machine {
	char kernel[128];
	char cpu_model[128];
	long nproc;
	char date[32];
	/* helper calls and returns cost what these mitigations make them */
	char spectre_v2[128];
	char srso[128];
};

/* bench_scenarios.c */
extern const struct scenario scenarios[SC_COUNT];
extern const char *const prog_names[PROG_COUNT];
extern const char *const frame_keys[FRAME_COUNT];
extern const char *const action_names[];
extern const struct suite suites[SUITE_COUNT];
bool bench_in_suite(const struct bench *b, int idx);
__u32 bench_repeats_of(const struct bench *b, const struct scenario *s);

/* bench_frames.c */
int bench_build_udp(struct bench *b, struct frame *f, int family);
int bench_build_udp4_in(struct bench *b, struct frame *f);
int bench_build_tcp6(struct bench *b, struct frame *f);
void bench_build_arp(struct bench *b, struct frame *f);

/* bench_run.c */
int bench_prog_run(struct bench *b, int prog_fd, const struct frame *f,
		   __u32 repeats, struct run *r);
int bench_scenario_settings(struct bench *b, const struct scenario *s);
int bench_setup(struct bench *b);
void bench_teardown(struct bench *b);
int bench_measure(struct bench *b);

/* bench_verify.c */
int bench_fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
__u32 bench_ct_count(struct bench *b, __u32 max);
int bench_ct_new_collect(struct bench *b, const char *what, __u32 n);
int bench_snapshot(struct bench *b, const struct scenario *s,
		   struct snapshot *sn);
int bench_verify(struct bench *b, const struct scenario *s,
		 const struct snapshot *pre, const struct snapshot *post);
int bench_checks(struct bench *b);

/* bench_stats.c */
void bench_summarise(struct result *r, int n);
double bench_ratio(const struct bench *b, int idx);
double bench_prologue_ns(const struct bench *b, int restore);
double bench_restore_ns(const struct bench *b);
double bench_net_ratio_of(const struct bench *b, int idx, int restore);
double bench_net_ratio(const struct bench *b);
double bench_min_ratio_of(const struct bench *b, int idx);
double bench_min_ratio(const struct bench *b);
bool bench_target_met_of(const struct bench *b, int idx);
bool bench_target_met(const struct bench *b);
double bench_stage_ns(const struct bench *b, const struct stage *st);
double bench_nat_extra_ns(const struct bench *b);
double bench_open_extra_ns(const struct bench *b);
/* What the firewall adds to scenario @plain's path (@with: the same with
 * the firewall on). */
double bench_firewall_extra_ns(const struct bench *b, int plain, int with);

/* bench_machine.c */
void bench_machine_info(struct machine *m);

/* bench_report.c */
void bench_print_table(const struct bench *b, const struct machine *m);

/* bench_json.c */
int bench_write_json(const struct bench *b, const struct machine *m);

/* bench_scale.c */
int bench_ct_scale(struct bench *b);

#endif
