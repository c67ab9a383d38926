// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench: per-packet cost of the gateway's XDP fast path, measured with
 * BPF_PROG_TEST_RUN next to an empty XDP program in the same run.
 *
 * Every scenario runs in every trial, interleaved, so that a slow moment of
 * the machine hits all of them alike and the ratios stay meaningful. After
 * each trial the data plane's own counters must show that every repeat took
 * the path the scenario names; otherwise the run fails and writes nothing.
 *
 * Usage: xdp_bench [-r repeats] [-t trials] [-c cpu] [-g revision] [-o out.json]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <json-c/json.h>
#include <linux/if_ether.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "../tests/lib/fixture.h"
#include "../tests/lib/pkt.h"
#include "bench_gateway.h"
#include "bench_gateway.skel.h"
#include "xdp_empty.skel.h"

#define TARGET_RATIO 3.0
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

enum bench_prog {
	PROG_EMPTY,
	PROG_RESTORE,
	PROG_PARSE,
	PROG_DECIDE,
	PROG_GATEWAY,
	PROG_COUNT
};

enum bench_frame { FRAME_UDP4, FRAME_UDP6, FRAME_ARP, FRAME_COUNT };

/* What the FIB cache must look like around a trial. */
enum cache_check {
	CACHE_NA,
	CACHE_HIT, /* entry present and untouched: no packet missed */
	CACHE_OFF, /* entry absent: no packet consulted or filled it */
};

/* In the order of the table; SC_FWD4 is the headline. */
enum scenario_id {
	SC_EMPTY,
	SC_RESTORE,
	SC_FWD4,
	SC_FWD6,
	SC_NOCACHE4,
	SC_NOCACHE6,
	SC_ARP,
	SC_PARSE4,
	SC_DECIDE4,
	SC_COUNT
};

struct scenario {
	const char *key; /* in the JSON */
	const char *name; /* in the table */
	const char *what;
	enum bench_prog prog;
	enum bench_frame frame;
	bool no_fib_cache; /* HEARTH_STATE_NO_FIB_CACHE */
	__u32 action;
	int counter; /* ingress counter that must move by repeats, or -1 */
	enum cache_check cache;
};

static const struct scenario scenarios[SC_COUNT] = {
	[SC_EMPTY] = { "empty", "empty XDP program",
		       "xdp_empty: returns XDP_PASS (baseline)",
		       PROG_EMPTY, FRAME_UDP4, false, XDP_PASS, -1, CACHE_NA },
	[SC_RESTORE] = { "restore", "restore prologue only",
			 "bench_restore: writes back the frame head, returns XDP_PASS",
			 PROG_RESTORE, FRAME_UDP4, false, XDP_PASS, -1, CACHE_NA },
	[SC_FWD4] = { "fwd_ipv4", "gateway IPv4 UDP, cache hit",
		      "bench_gw: LAN to WAN, established path (FIB cache hit)",
		      PROG_GATEWAY, FRAME_UDP4, false, XDP_REDIRECT,
		      HEARTH_CNT_FORWARD, CACHE_HIT },
	[SC_FWD6] = { "fwd_ipv6", "gateway IPv6 UDP, cache hit",
		      "bench_gw: LAN to WAN, established path (FIB cache hit)",
		      PROG_GATEWAY, FRAME_UDP6, false, XDP_REDIRECT,
		      HEARTH_CNT_FORWARD, CACHE_HIT },
	[SC_NOCACHE4] = { "fwd_ipv4_nocache", "gateway IPv4 UDP, no cache",
			  "bench_gw, HEARTH_STATE_NO_FIB_CACHE: bpf_fib_lookup every packet",
			  PROG_GATEWAY, FRAME_UDP4, true, XDP_REDIRECT,
			  HEARTH_CNT_FORWARD, CACHE_OFF },
	[SC_NOCACHE6] = { "fwd_ipv6_nocache", "gateway IPv6 UDP, no cache",
			  "bench_gw, HEARTH_STATE_NO_FIB_CACHE: bpf_fib_lookup every packet",
			  PROG_GATEWAY, FRAME_UDP6, true, XDP_REDIRECT,
			  HEARTH_CNT_FORWARD, CACHE_OFF },
	[SC_ARP] = { "slow_arp", "gateway ARP, slow path",
		     "bench_gw: ARP request, handed to the stack (XDP_PASS)",
		     PROG_GATEWAY, FRAME_ARP, false, XDP_PASS,
		     HEARTH_CNT_PASS_ARP, CACHE_NA },
	/* the breakdown of fwd_ipv4: the same pipeline stopped after a stage */
	[SC_PARSE4] = { "stage_parse_ipv4", "  IPv4 up to parse+validate",
			"bench_parse: restore, parse and validate up to the FIB decision",
			PROG_PARSE, FRAME_UDP4, false, XDP_PASS, -1, CACHE_NA },
	[SC_DECIDE4] = { "stage_decide_ipv4", "  IPv4 up to FIB decision",
			 "bench_decide: bench_parse plus the FIB decision (cache hit)",
			 PROG_DECIDE, FRAME_UDP4, false, XDP_PASS, -1, CACHE_HIT },
};

static const char *const prog_names[PROG_COUNT] = {
	"xdp_empty", "bench_restore", "bench_parse", "bench_decide", "bench_gw",
};
static const char *const frame_keys[FRAME_COUNT] = { "udp4", "udp6", "arp" };
static const char *const action_names[] = { "XDP_ABORTED", "XDP_DROP", "XDP_PASS",
					    "XDP_TX", "XDP_REDIRECT" };

struct frame {
	const char *desc;
	__u8 data[FRAME_MAX];
	__u32 len;
	struct hearth_fib_key key; /* its FIB cache key, IP frames only */
};

struct result {
	__u32 ns[MAX_TRIALS];
	double median;
	__u32 min, max;
};

struct options {
	__u32 repeats;
	int trials;
	int cpu;
	const char *revision;
	const char *out;
};

struct bench {
	struct options opt;
	struct fixture fx;
	struct xdp_empty *empty;
	struct bench_gateway *gw;
	int prog_fd[PROG_COUNT];
	struct frame frames[FRAME_COUNT];
	struct result res[SC_COUNT];
};

static int fail(const char *what, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Loud on purpose: a figure for the wrong path is worse than none. */
static int fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdp_bench: FAILED %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -EPROTO;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: xdp_bench [-r repeats] [-t trials] [-c cpu] [-g revision] [-o out.json]\n"
		"  -r  repeats per trial (>= %u, default %u)\n"
		"  -t  trials per scenario, median reported (%d..%d, default %d)\n"
		"  -c  CPU to pin to (default: the last one allowed)\n"
		"  -g  source revision, recorded in the JSON\n"
		"  -o  write the results as JSON to this file\n",
		MIN_REPEATS, DEFAULT_REPEATS, MIN_TRIALS, MAX_TRIALS, DEFAULT_TRIALS);
}

static int last_allowed_cpu(void)
{
	cpu_set_t set;
	int cpu = -1;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set))
			cpu = i;
	return cpu < 0 ? 0 : cpu;
}

static int parse_args(int argc, char **argv, struct options *o)
{
	int opt;

	*o = (struct options){ .repeats = DEFAULT_REPEATS, .trials = DEFAULT_TRIALS,
			       .cpu = last_allowed_cpu() };
	while ((opt = getopt(argc, argv, "r:t:c:g:o:h")) != -1) {
		switch (opt) {
		case 'r':
			o->repeats = (__u32)strtoul(optarg, NULL, 0);
			break;
		case 't':
			o->trials = atoi(optarg);
			break;
		case 'c':
			o->cpu = atoi(optarg);
			break;
		case 'g':
			o->revision = optarg;
			break;
		case 'o':
			o->out = optarg;
			break;
		default:
			usage();
			return -EINVAL;
		}
	}
	/* the method: at least 5 trials of at least 10^6 repeats */
	if (optind != argc || o->repeats < MIN_REPEATS ||
	    o->trials < MIN_TRIALS || o->trials > MAX_TRIALS) {
		usage();
		return -EINVAL;
	}
	return 0;
}

static int pin_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		int err = errno;

		fprintf(stderr, "xdp_bench: cannot pin to CPU %d: %s\n", cpu,
			strerror(err));
		return -err;
	}
	return 0;
}

static void fib_key(struct frame *f, int ingress, int family, const char *dst)
{
	f->key.ifindex = (__u32)ingress;
	f->key.family = (__u32)family;
	inet_pton(family, dst, f->key.addr);
}

/* From h1 on the LAN to a server behind the default route. */
static int build_udp(struct bench *b, struct frame *f, int family)
{
	struct pkt_spec s = {
		.family = family,
		.src = family == AF_INET ? FX_H1_V4 : FX_H1_V6,
		.dst = family == AF_INET ? FX_SERVER_V4 : FX_SERVER_V6,
		.payload = UDP_PAYLOAD,
	};

	memcpy(s.dmac, b->fx.lan_mac, 6);
	memcpy(s.smac, b->fx.h1_mac, 6);
	f->len = (__u32)pkt_build(&s, f->data, sizeof(f->data));
	f->desc = family == AF_INET ? "IPv4 UDP " FX_H1_V4 " -> " FX_SERVER_V4 :
				      "IPv6 UDP " FX_H1_V6 " -> " FX_SERVER_V6;
	fib_key(f, b->fx.lan, family, s.dst);
	return f->len >= BENCH_HEAD_LEN ? 0 : -EINVAL;
}

/* h1 asks for the gateway's LAN address, as hosts do all the time. */
static void build_arp(struct bench *b, struct frame *f)
{
	static const __u8 arp_hdr[8] = { 0, 1, 8, 0, 6, 4, 0, 1 }; /* request */
	struct ethhdr *eth = (void *)f->data;
	__u8 *arp = f->data + sizeof(*eth);

	memset(f->data, 0, sizeof(f->data));
	memset(eth->h_dest, 0xff, ETH_ALEN);
	memcpy(eth->h_source, b->fx.h1_mac, ETH_ALEN);
	eth->h_proto = htons(ETH_P_ARP);
	memcpy(arp, arp_hdr, sizeof(arp_hdr));
	memcpy(arp + 8, b->fx.h1_mac, ETH_ALEN);
	inet_pton(AF_INET, FX_H1_V4, arp + 14);
	inet_pton(AF_INET, "192.168.1.1", arp + 24);
	f->len = sizeof(*eth) + 28;
	f->desc = "ARP request who-has 192.168.1.1 tell " FX_H1_V4;
}

static int load_progs(struct bench *b)
{
	int ret;

	b->empty = xdp_empty__open_and_load();
	b->gw = bench_gateway__open();
	if (!b->empty || !b->gw)
		return errno ? -errno : -ENOMEM;
	b->gw->rodata->fib_cache_ttl_jiffies = BENCH_FIB_CACHE_TTL_JIFFIES;
	ret = bench_gateway__load(b->gw);
	if (ret)
		return ret;
	ret = fixture_attach_maps(&b->fx, b->gw->obj, prog_names[PROG_GATEWAY]);
	if (ret)
		return ret;
	b->prog_fd[PROG_EMPTY] = bpf_program__fd(b->empty->progs.xdp_empty);
	b->prog_fd[PROG_RESTORE] = bpf_program__fd(b->gw->progs.bench_restore);
	b->prog_fd[PROG_PARSE] = bpf_program__fd(b->gw->progs.bench_parse);
	b->prog_fd[PROG_DECIDE] = bpf_program__fd(b->gw->progs.bench_decide);
	b->prog_fd[PROG_GATEWAY] = bpf_program__fd(b->gw->progs.bench_gw);
	return 0;
}

struct run {
	__u32 retval;
	__u32 ns; /* per repeat */
	__u32 out_len;
	__u8 out[FRAME_MAX];
};

/* Copying the frame out happens once per call, not per repeat. */
static int prog_run(struct bench *b, int prog_fd, const struct frame *f,
		    __u32 repeats, struct run *r)
{
	struct xdp_md ctx = { .data_end = f->len,
			      .ingress_ifindex = (__u32)b->fx.lan };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data,
		    .data_size_in = f->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeats);

	if (bpf_prog_test_run_opts(prog_fd, &opts))
		return -errno;
	r->retval = opts.retval;
	r->ns = opts.duration;
	r->out_len = opts.data_size_out;
	return 0;
}

static int test_run(struct bench *b, const struct scenario *s, __u32 repeats,
		    __u32 *ns)
{
	struct run r;
	int ret = prog_run(b, b->prog_fd[s->prog], &b->frames[s->frame], repeats, &r);

	if (ret)
		return fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	if (r.retval != s->action)
		return fail(s->key, "returned action %u, want %s", r.retval,
			    action_names[s->action]);
	*ns = r.ns;
	return 0;
}

/*
 * bench_gw must behave as the production program: same action and same
 * frame out, also after repeats that each started from the previous
 * repeat's rewrite.
 */
static int check_restore(struct bench *b)
{
	int plain = bpf_program__fd(b->gw->progs.HEARTH_PROG_XDP_GATEWAY);
	int ret;

	for (int i = 0; i < FRAME_COUNT; i++) {
		const struct frame *f = &b->frames[i];
		struct run want, got;

		memcpy(&b->gw->bss->bench_head, f->data, BENCH_HEAD_LEN);
		ret = prog_run(b, plain, f, 1, &want);
		if (!ret)
			ret = prog_run(b, b->prog_fd[PROG_GATEWAY], f, 3, &got);
		if (ret)
			return fail(frame_keys[i], "BPF_PROG_TEST_RUN: %s", strerror(-ret));
		if (want.retval != got.retval || want.out_len != got.out_len ||
		    memcmp(want.out, got.out, want.out_len))
			return fail(frame_keys[i], "bench_gw does not do what %s does",
				    HEARTH_STR(HEARTH_PROG_XDP_GATEWAY));
	}
	return 0;
}

static int bench_setup(struct bench *b)
{
	int ret = fixture_netns(&b->fx);

	if (ret) {
		fprintf(stderr, "xdp_bench: fixture namespace: %s\n", strerror(-ret));
		return ret;
	}
	ret = load_progs(b);
	if (ret) {
		fprintf(stderr, "xdp_bench: loading the programs: %s\n", strerror(-ret));
		return ret;
	}
	ret = build_udp(b, &b->frames[FRAME_UDP4], AF_INET);
	if (!ret)
		ret = build_udp(b, &b->frames[FRAME_UDP6], AF_INET6);
	build_arp(b, &b->frames[FRAME_ARP]);
	return ret ? ret : check_restore(b);
}

static void bench_teardown(struct bench *b)
{
	bench_gateway__destroy(b->gw);
	xdp_empty__destroy(b->empty);
}

static int set_fib_cache(struct bench *b, bool off)
{
	struct hearth_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->fx.state_fd, &zero, &st))
		return -errno;
	if (off)
		st.flags |= HEARTH_STATE_NO_FIB_CACHE;
	else
		st.flags &= ~(__u32)HEARTH_STATE_NO_FIB_CACHE;
	return bpf_map_update_elem(b->fx.state_fd, &zero, &st, BPF_ANY) ? -errno : 0;
}

/* State, frame head and caches (FIB cache, CPU caches, branch predictors)
 * as the scenario needs them, outside the measurement. */
static int scenario_prepare(struct bench *b, const struct scenario *s)
{
	const struct frame *f = &b->frames[s->frame];
	struct hearth_fib_entry entry;
	__u32 ns;
	int ret;

	ret = set_fib_cache(b, s->no_fib_cache);
	if (ret)
		return fail(s->key, "setting the state map: %s", strerror(-ret));
	memcpy(&b->gw->bss->bench_head, f->data, BENCH_HEAD_LEN);
	if (s->cache == CACHE_OFF &&
	    bpf_map_delete_elem(b->fx.fib_fd, &f->key) && errno != ENOENT)
		return fail(s->key, "emptying the FIB cache: %s", strerror(errno));
	/* the per-CPU level would otherwise keep serving a decision the shared
	 * level no longer holds, and the warm-up would not refill it */
	if (s->cache != CACHE_NA && bpf_map_lookup_elem(b->fx.fib_fd, &f->key, &entry)) {
		ret = fixture_clear_l1(&b->fx);
		if (ret)
			return fail(s->key, "emptying the per-CPU FIB cache: %s", strerror(-ret));
	}
	return test_run(b, s, WARMUP_REPEATS, &ns);
}

/* What must stay true across a trial, read before and after it. */
struct snapshot {
	__u64 counter, tx;
	bool cached;
	struct hearth_fib_entry entry;
};

static void snapshot(struct bench *b, const struct scenario *s, struct snapshot *sn)
{
	memset(sn, 0, sizeof(*sn));
	if (s->counter >= 0)
		sn->counter = fixture_counter(&b->fx, b->fx.lan, s->counter);
	if (s->counter == HEARTH_CNT_FORWARD)
		sn->tx = fixture_counter(&b->fx, b->fx.wan, HEARTH_CNT_TX);
	if (s->cache != CACHE_NA)
		sn->cached = !bpf_map_lookup_elem(b->fx.fib_fd,
						  &b->frames[s->frame].key, &sn->entry);
}

static int verify(struct bench *b, const struct scenario *s,
		  const struct snapshot *pre, const struct snapshot *post)
{
	__u64 want = b->opt.repeats;

	if (s->counter >= 0 && post->counter - pre->counter != want)
		return fail(s->key,
			    "counter %d of lan0 moved by %llu, want %llu: not every repeat took this path",
			    s->counter, (unsigned long long)(post->counter - pre->counter),
			    (unsigned long long)want);
	if (s->counter == HEARTH_CNT_FORWARD && post->tx - pre->tx != want)
		return fail(s->key, "xmit counter of wan0 moved by %llu, want %llu",
			    (unsigned long long)(post->tx - pre->tx),
			    (unsigned long long)want);
	if (s->cache == CACHE_HIT &&
	    (!pre->cached || !post->cached ||
	     memcmp(&pre->entry, &post->entry, sizeof(pre->entry))))
		return fail(s->key,
			    "the cached decision was missing or refreshed: some packets missed the cache");
	if (s->cache == CACHE_OFF && (pre->cached || post->cached))
		return fail(s->key, "a decision was cached although the cache is off");
	return 0;
}

static int scenario_trial(struct bench *b, int idx, int trial)
{
	const struct scenario *s = &scenarios[idx];
	struct snapshot pre, post;
	int ret;

	ret = scenario_prepare(b, s);
	if (ret)
		return ret;
	snapshot(b, s, &pre);
	ret = test_run(b, s, b->opt.repeats, &b->res[idx].ns[trial]);
	if (ret)
		return ret;
	snapshot(b, s, &post);
	return verify(b, s, &pre, &post);
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static void summarise(struct result *r, int n)
{
	__u32 sorted[MAX_TRIALS];

	memcpy(sorted, r->ns, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	r->min = sorted[0];
	r->max = sorted[n - 1];
	r->median = n % 2 ? sorted[n / 2] :
			    (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

static int measure(struct bench *b)
{
	int ret;

	for (int t = 0; t < b->opt.trials; t++) {
		for (int i = 0; i < SC_COUNT; i++) {
			ret = scenario_trial(b, i, t);
			if (ret)
				return ret;
		}
		if (isatty(STDERR_FILENO))
			fprintf(stderr, "\rtrial %d/%d", t + 1, b->opt.trials);
	}
	if (isatty(STDERR_FILENO))
		fprintf(stderr, "\n");
	for (int i = 0; i < SC_COUNT; i++)
		summarise(&b->res[i], b->opt.trials);
	return 0;
}

static double ratio(const struct bench *b, int idx)
{
	return b->res[idx].median / b->res[SC_EMPTY].median;
}

/* The restore prologue is part of every measured gateway figure; this is
 * the headline with that cost taken out again. */
static double restore_ns(const struct bench *b)
{
	return b->res[SC_RESTORE].median - b->res[SC_EMPTY].median;
}

static double net_ratio(const struct bench *b)
{
	return (b->res[SC_FWD4].median - restore_ns(b)) / b->res[SC_EMPTY].median;
}

/* The same ratio from the fastest trials: less exposed to the machine's
 * bad moments, a cross-check of the median's. */
static double min_ratio(const struct bench *b)
{
	return (double)b->res[SC_FWD4].min / b->res[SC_EMPTY].min;
}

static bool target_met(const struct bench *b)
{
	return ratio(b, SC_FWD4) <= TARGET_RATIO;
}

/* fwd_ipv4 as a sum of stages, each the difference of two medians: an
 * estimate (the cut-short programs are compiled on their own), but it
 * shows where the time goes. */
static const struct stage {
	const char *key;
	const char *name;
	int from, to; /* scenarios; from < 0: from zero */
} stages[] = {
	{ "test_run_loop", "test-run loop + empty program", -1, SC_EMPTY },
	{ "restore", "restore prologue (bench only)", SC_EMPTY, SC_RESTORE },
	{ "parse_validate", "parse + validate", SC_RESTORE, SC_PARSE4 },
	{ "fib_decision", "FIB decision (cache hit)", SC_PARSE4, SC_DECIDE4 },
	{ "rewrite_count_redirect", "rewrite + counters + redirect", SC_DECIDE4,
	  SC_FWD4 },
};

#define N_STAGES (int)(sizeof(stages) / sizeof(stages[0]))

static double stage_ns(const struct bench *b, const struct stage *st)
{
	return b->res[st->to].median - (st->from < 0 ? 0 : b->res[st->from].median);
}

struct machine {
	char kernel[128];
	char cpu_model[128];
	long nproc;
	char date[32];
	/* helper calls and returns cost what these mitigations make them */
	char spectre_v2[128];
	char srso[128];
};

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, size, "unknown");
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(buf, size, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = 0;
		break;
	}
	fclose(f);
}

static void machine_info(struct machine *m)
{
	struct utsname u;
	time_t now = time(NULL);

	snprintf(m->kernel, sizeof(m->kernel), "%s", uname(&u) ? "unknown" : u.release);
	cpu_model(m->cpu_model, sizeof(m->cpu_model));
	m->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	read_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2", m->spectre_v2,
		  sizeof(m->spectre_v2));
	read_line("/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow", m->srso,
		  sizeof(m->srso));
}

static const char *const notes[] = {
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
};

/* Word-wrapped at 78 columns, continuation lines indented under the text. */
static void print_wrapped(const char *prefix, const char *text)
{
	int indent = (int)strlen(prefix), col = indent;

	fputs(prefix, stdout);
	while (*text) {
		int word = (int)strcspn(text, " ");

		if (col > indent && col + 1 + word > 78) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", word, text);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void print_table(const struct bench *b, const struct machine *m)
{
	printf("\nxdp_forward: BPF_PROG_TEST_RUN, %u repeats x %d trials, pinned to CPU %d\n",
	       b->opt.repeats, b->opt.trials, b->opt.cpu);
	printf("kernel %s, %s, %ld CPUs, %s\n\n", m->kernel, m->cpu_model, m->nproc,
	       m->date);
	printf("%-30s %9s %6s %6s %8s\n", "scenario", "median", "min", "max", "x empty");
	printf("%-30s %9s %6s %6s %8s\n", "", "ns/pkt", "", "", "");
	for (int i = 0; i < SC_COUNT; i++)
		printf("%-30s %9.1f %6u %6u %8.2f\n", scenarios[i].name,
		       b->res[i].median, b->res[i].min, b->res[i].max, ratio(b, i));
	printf("\nrestore prologue: %.1f ns/pkt (restore - empty), included in every gateway row\n",
	       restore_ns(b));
	printf("headline %s: %.2fx empty (%.2fx net of the restore prologue), target <= %.1fx: %s\n",
	       scenarios[SC_FWD4].name, ratio(b, SC_FWD4), net_ratio(b),
	       TARGET_RATIO, target_met(b) ? "met" : "NOT MET");
	printf("the same from the fastest trials (min / min): %.2fx\n", min_ratio(b));
	printf("cache: a hit saves %.1f ns/pkt on IPv4, %.1f on IPv6\n",
	       b->res[SC_NOCACHE4].median - b->res[SC_FWD4].median,
	       b->res[SC_NOCACHE6].median - b->res[SC_FWD6].median);
	printf("\nwhere %s goes (differences of medians, ns/pkt):\n", scenarios[SC_FWD4].key);
	for (int i = 0; i < N_STAGES; i++)
		printf("  %-34s %6.1f\n", stages[i].name, stage_ns(b, &stages[i]));
	printf("\n");
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		print_wrapped("note: ", notes[i]);
}

/* json-c prints doubles with 17 digits; a measurement has one decimal. */
static struct json_object *json_fixed(double v, int decimals)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *json_machine(const struct bench *b, const struct machine *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kernel", json_object_new_string(m->kernel));
	json_object_object_add(o, "cpu_model", json_object_new_string(m->cpu_model));
	json_object_object_add(o, "nproc", json_object_new_int64(m->nproc));
	json_object_object_add(o, "pinned_cpu", json_object_new_int(b->opt.cpu));
	json_object_object_add(o, "spectre_v2", json_object_new_string(m->spectre_v2));
	json_object_object_add(o, "spec_rstack_overflow", json_object_new_string(m->srso));
	return o;
}

static struct json_object *json_method(const struct bench *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *frames = json_object_new_object();
	struct json_object *n = json_object_new_array();

	json_object_object_add(o, "generator",
			       json_object_new_string("BPF_PROG_TEST_RUN (non-live)"));
	json_object_object_add(o, "repeats", json_object_new_int64(b->opt.repeats));
	json_object_object_add(o, "trials", json_object_new_int(b->opt.trials));
	json_object_object_add(o, "warmup_repeats", json_object_new_int64(WARMUP_REPEATS));
	json_object_object_add(o, "statistic", json_object_new_string("median of trials"));
	json_object_object_add(o, "unit", json_object_new_string("ns/packet"));
	for (int i = 0; i < FRAME_COUNT; i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "description",
				       json_object_new_string(b->frames[i].desc));
		json_object_object_add(f, "bytes", json_object_new_int64(b->frames[i].len));
		json_object_object_add(frames, frame_keys[i], f);
	}
	json_object_object_add(o, "frames", frames);
	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
		json_object_array_add(n, json_object_new_string(notes[i]));
	json_object_object_add(o, "notes", n);
	return o;
}

static struct json_object *json_result(const struct bench *b, int idx)
{
	const struct scenario *s = &scenarios[idx];
	const struct result *r = &b->res[idx];
	struct json_object *o = json_object_new_object();
	struct json_object *trials = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(s->key));
	json_object_object_add(o, "description", json_object_new_string(s->what));
	json_object_object_add(o, "program", json_object_new_string(prog_names[s->prog]));
	json_object_object_add(o, "frame", json_object_new_string(frame_keys[s->frame]));
	json_object_object_add(o, "action", json_object_new_string(action_names[s->action]));
	json_object_object_add(o, "median_ns", json_fixed(r->median, 1));
	json_object_object_add(o, "min_ns", json_object_new_int64(r->min));
	json_object_object_add(o, "max_ns", json_object_new_int64(r->max));
	for (int t = 0; t < b->opt.trials; t++)
		json_object_array_add(trials, json_object_new_int64(r->ns[t]));
	json_object_object_add(o, "trials_ns", trials);
	json_object_object_add(o, "ratio_to_empty", json_fixed(ratio(b, idx), 2));
	json_object_object_add(o, "verified", json_object_new_boolean(1));
	return o;
}

static struct json_object *json_headline(const struct bench *b)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "scenario",
			       json_object_new_string(scenarios[SC_FWD4].key));
	json_object_object_add(o, "median_ns", json_fixed(b->res[SC_FWD4].median, 1));
	json_object_object_add(o, "empty_median_ns", json_fixed(b->res[SC_EMPTY].median, 1));
	json_object_object_add(o, "ratio", json_fixed(ratio(b, SC_FWD4), 2));
	json_object_object_add(o, "restore_ns", json_fixed(restore_ns(b), 1));
	json_object_object_add(o, "ratio_net_of_restore", json_fixed(net_ratio(b), 2));
	json_object_object_add(o, "ratio_of_min", json_fixed(min_ratio(b), 2));
	json_object_object_add(o, "target_ratio", json_fixed(TARGET_RATIO, 1));
	json_object_object_add(o, "target_met", json_object_new_boolean(target_met(b)));
	return o;
}

static struct json_object *json_breakdown(const struct bench *b)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < N_STAGES; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "stage", json_object_new_string(stages[i].key));
		json_object_object_add(o, "description", json_object_new_string(stages[i].name));
		json_object_object_add(o, "ns", json_fixed(stage_ns(b, &stages[i]), 1));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *json_report(const struct bench *b, const struct machine *m)
{
	struct json_object *o = json_object_new_object();
	struct json_object *results = json_object_new_array();

	json_object_object_add(o, "benchmark", json_object_new_string("xdp_forward"));
	json_object_object_add(o, "date", json_object_new_string(m->date));
	if (b->opt.revision)
		json_object_object_add(o, "revision", json_object_new_string(b->opt.revision));
	json_object_object_add(o, "machine", json_machine(b, m));
	json_object_object_add(o, "method", json_method(b));
	json_object_object_add(o, "headline", json_headline(b));
	json_object_object_add(o, "breakdown_fwd_ipv4", json_breakdown(b));
	for (int i = 0; i < SC_COUNT; i++)
		json_object_array_add(results, json_result(b, i));
	json_object_object_add(o, "results", results);
	return o;
}

/* Via a temporary file, so that a crash never leaves half a result. */
static int write_json(const struct bench *b, const struct machine *m)
{
	struct json_object *report = json_report(b, m);
	char tmp[4096];
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", b->opt.out);
	if (json_object_to_file_ext(tmp, report,
				    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) ||
	    rename(tmp, b->opt.out)) {
		fprintf(stderr, "xdp_bench: writing %s: %s\n", b->opt.out, strerror(errno));
		unlink(tmp);
		ret = -EIO;
		goto cleanup;
	}
	printf("\nwrote %s\n", b->opt.out);
cleanup:
	json_object_put(report);
	return ret;
}

int main(int argc, char **argv)
{
	static struct bench b; /* zeroed: teardown after an early failure is safe */
	struct machine m;
	int ret;

	if (parse_args(argc, argv, &b.opt))
		return 2;
	ret = pin_cpu(b.opt.cpu);
	if (ret)
		goto cleanup;
	ret = bench_setup(&b);
	if (ret)
		goto cleanup;
	ret = measure(&b);
	if (ret)
		goto cleanup;
	machine_info(&m);
	print_table(&b, &m);
	if (b.opt.out)
		ret = write_json(&b, &m);
cleanup:
	bench_teardown(&b);
	return ret ? 1 : 0;
}
