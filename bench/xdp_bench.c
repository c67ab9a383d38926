// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench: per-packet cost of the gateway's XDP fast path, measured with
 * BPF_PROG_TEST_RUN next to an empty XDP program in the same run.
 *
 * Every scenario runs in every trial, interleaved, so that a slow moment of
 * the machine hits all of them alike and the ratios stay meaningful. After
 * each trial the data plane's own counters (and, for NAT, the connection
 * table) must show that every repeat took the path the scenario names;
 * otherwise the run fails and writes nothing.
 *
 * Two suites share the machinery: "forward" (the routed path, the default)
 * and "nat" (masquerade: established connections both ways and the
 * opening of new ones, with the breakdown of the established outbound path).
 *
 * Usage: xdp_bench [-s forward|nat] [-r repeats] [-t trials] [-c cpu]
 *                  [-g revision] [-o out.json]
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
#include "../userspace/lib/conntrack.h"
#include "../userspace/lib/tenant.h"
#include "../tests/lib/pkt.h"
#include "bench_gateway.h"
#include "bench_gateway.skel.h"
#include "xdp_empty.skel.h"

#include "xdp_bench.h"

/* Loud on purpose: a figure for the wrong path is worse than none. */
int bench_fail(const char *what, const char *fmt, ...)
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
		"usage: xdp_bench [-s forward|nat] [-r repeats] [-t trials] [-c cpu] [-g revision] [-o out.json]\n"
		"  -s  suite: forward (routed path, default) or nat (masquerade)\n"
		"  -r  repeats per trial (>= %u, default %u; nat_new always runs %u)\n"
		"  -t  trials per scenario, median reported (%d..%d, default %d)\n"
		"  -c  CPU to pin to (default: the last one allowed)\n"
		"  -g  source revision, recorded in the JSON\n"
		"  -o  write the results as JSON to this file\n",
		MIN_REPEATS, DEFAULT_REPEATS, NEW_REPEATS, MIN_TRIALS, MAX_TRIALS,
		DEFAULT_TRIALS);
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

	*o = (struct options){ .suite = SUITE_FORWARD, .repeats = DEFAULT_REPEATS,
			       .trials = DEFAULT_TRIALS, .cpu = last_allowed_cpu() };
	while ((opt = getopt(argc, argv, "s:r:t:c:g:o:h")) != -1) {
		switch (opt) {
		case 's':
			if (!strcmp(optarg, "forward")) {
				o->suite = SUITE_FORWARD;
			} else if (!strcmp(optarg, "nat")) {
				o->suite = SUITE_NAT;
			} else {
				usage();
				return -EINVAL;
			}
			break;
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

static int load_progs(struct bench *b)
{
	struct bench_gateway *gw;
	int ret;

	b->empty = xdp_empty__open_and_load();
	b->gw = bench_gateway__open();
	if (!b->empty || !b->gw)
		return errno ? -errno : -ENOMEM;
	gw = b->gw;
	gw->rodata->fib_cache_ttl_jiffies = BENCH_FIB_CACHE_TTL_JIFFIES;
	ret = bench_gateway__load(gw);
	if (ret)
		return ret;
	ret = fixture_attach_maps(&b->fx, gw->obj, prog_names[PROG_GATEWAY]);
	if (ret)
		return ret;
	b->prog_fd[PROG_EMPTY] = bpf_program__fd(b->empty->progs.xdp_empty);
	b->prog_fd[PROG_RESTORE] = bpf_program__fd(gw->progs.bench_restore);
	b->prog_fd[PROG_PARSE] = bpf_program__fd(gw->progs.bench_parse);
	b->prog_fd[PROG_DECIDE] = bpf_program__fd(gw->progs.bench_decide);
	b->prog_fd[PROG_GATEWAY] = bpf_program__fd(gw->progs.bench_gw);
	b->prog_fd[PROG_NAT_RESTORE] = bpf_program__fd(gw->progs.bench_nat_restore);
	b->prog_fd[PROG_NAT_RESTORE_NEW] = bpf_program__fd(gw->progs.bench_nat_restore_new);
	b->prog_fd[PROG_NAT_GW] = bpf_program__fd(gw->progs.bench_nat_gw);
	b->prog_fd[PROG_NAT_NEW] = bpf_program__fd(gw->progs.bench_nat_new);
	b->prog_fd[PROG_NAT_PARSE] = bpf_program__fd(gw->progs.bench_nat_parse);
	b->prog_fd[PROG_NAT_TUPLE] = bpf_program__fd(gw->progs.bench_nat_tuple);
	b->prog_fd[PROG_NAT_CT] = bpf_program__fd(gw->progs.bench_nat_ct);
	b->prog_fd[PROG_NAT_DECIDE] = bpf_program__fd(gw->progs.bench_nat_decide);
	b->prog_fd[PROG_NAT_SNAT] = bpf_program__fd(gw->progs.bench_nat_snat);
	b->prog_fd[PROG_NAT_POST] = bpf_program__fd(gw->progs.bench_nat_post);
	b->natcfg_fd = bpf_map__fd(gw->maps.HEARTH_MAP_NATCFG);
	if (hearth_dp_from_object(&b->dp, gw->obj))
		return bench_fail("load", "the tenant maps are missing");
	return 0;
}

/* Copying the frame out happens once per call, not per repeat. */
int bench_prog_run(struct bench *b, int prog_fd, const struct frame *f,
		   __u32 repeats, struct run *r)
{
	struct xdp_md ctx = { .data_end = f->len,
			      .ingress_ifindex = (__u32)f->ingress };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data,
		    .data_size_in = f->len, .data_out = r->out,
		    .data_size_out = sizeof(r->out), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .repeat = repeats);

	(void)b;
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
	int ret = bench_prog_run(b, b->prog_fd[s->prog], &b->frames[s->frame], repeats, &r);

	if (ret)
		return bench_fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	if (r.retval != s->action)
		return bench_fail(s->key, "returned action %u, want %s", r.retval,
				  action_names[s->action]);
	*ns = r.ns;
	return 0;
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

/* Masquerade on or off, as `nat masquerade` in hearth.conf would set it;
 * the suite's setup filled the rest of the configuration. */
static int set_nat(struct bench *b, bool on)
{
	struct hearth_nat_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->natcfg_fd, &zero, &cfg))
		return -errno;
	if (cfg.enabled == (__u32)on)
		return 0;
	if (on && !cfg.wan_addr)
		return -ENOENT; /* the suite did not configure NAT */
	cfg.enabled = on;
	return bpf_map_update_elem(b->natcfg_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

/* The WAN link as hearthd sets it (hearth_link_apply): unknown, known, or
 * known with a 100 Gbit/s download capacity. */
static int set_tenants(struct bench *b, enum tenant_mode mode)
{
	__u64 capacity[HEARTH_DIR_MAX] = { 0, mode == TN_POLICE ? 100000000000ull : 0 };
	__u32 wan_slot = 0, ifindex = (__u32)b->fx.wan;
	struct hearth_err err = {};

	if (mode != TN_OFF &&
	    bpf_map_lookup_elem(b->dp.map_fd[HEARTH_DP_IFSLOTS], &ifindex, &wan_slot))
		return -errno;
	return hearth_link_apply(&b->dp, capacity, wan_slot, &err);
}

/* Packets counted for the home in @dir, over all CPUs. */
static __u64 home_packets(struct bench *b, enum hearth_dir dir)
{
	struct hearth_tenant_counters c;

	return hearth_tenant_counters(&b->dp, HEARTH_TENANT_HOME, dir, &c) ? 0 : c.packets;
}

/* The frame head the scenario's prologue writes back, the fib-cache mode
 * and NAT as the scenario needs them. */
int bench_scenario_settings(struct bench *b, const struct scenario *s)
{
	const struct frame *f = &b->frames[s->frame];
	int ret;

	ret = set_fib_cache(b, s->no_fib_cache);
	if (ret)
		return bench_fail(s->key, "setting the state map: %s", strerror(-ret));
	ret = set_nat(b, s->nat);
	if (ret)
		return bench_fail(s->key, "setting the NAT configuration: %s", strerror(-ret));
	ret = set_tenants(b, s->tenant);
	if (ret)
		return bench_fail(s->key, "setting the tenant maps: %s", strerror(-ret));
	memcpy(&b->gw->bss->bench_head, f->data, BENCH_HEAD_LEN);
	memcpy(&b->gw->bss->bench_nat_head, f->data, BENCH_NAT_HEAD_LEN);
	b->gw->bss->bench_new_base = NEW_PORT_BASE;
	b->gw->bss->bench_new_seq = 0;
	return 0;
}

static void new_key(const struct bench *b, __u32 i, struct hearth_ct_key *key)
{
	*key = b->est_orig;
	key->sport = htons((__u16)(NEW_PORT_BASE + i));
}

/* Entries in the connection table; stops counting at @max. */
__u32 bench_ct_count(struct bench *b, __u32 max)
{
	struct hearth_ct_key key, next;
	void *prev = NULL;
	__u32 n = 0;

	while (n < max && !bpf_map_get_next_key(b->fx.ct_fd, prev, &next)) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

/*
 * The connections that the new-connection prologue opened in a run of @n
 * repeats, one per source port: each must be in the table with one packet,
 * its own port kept, and its reply entry. Deletes them all; the table must
 * then hold the established connection's 2 entries and nothing else.
 */
int bench_ct_new_collect(struct bench *b, const char *what, __u32 n)
{
	__u32 left;

	for (__u32 i = 0; i < n; i++) {
		struct hearth_ct_key key;
		struct hearth_ct_entry e, r;

		new_key(b, i, &key);
		if (bpf_map_lookup_elem(b->fx.ct_fd, &key, &e))
			return bench_fail(what, "connection %u of %u (port %u) is not in the table",
					  i + 1, n, NEW_PORT_BASE + i);
		if (e.packets != 1 || e.dir != HEARTH_CT_ORIG ||
		    e.nat != HEARTH_CT_NAT_SRC || e.nat_sport != key.sport)
			return bench_fail(what,
					  "connection %u: %llu packets, dir %u, nat %u, port %u: want 1 packet, original, source NAT, port kept",
					  i + 1, (unsigned long long)e.packets, e.dir, e.nat,
					  ntohs(e.nat_sport));
		if (bpf_map_lookup_elem(b->fx.ct_fd, &e.peer, &r) ||
		    r.dir != HEARTH_CT_REPLY || r.packets != 0)
			return bench_fail(what, "connection %u: reply entry missing or used", i + 1);
		if (bpf_map_delete_elem(b->fx.ct_fd, &e.peer) ||
		    bpf_map_delete_elem(b->fx.ct_fd, &key))
			return bench_fail(what, "deleting connection %u: %s", i + 1,
					  strerror(errno));
	}
	left = bench_ct_count(b, 1000);
	if (left != 2)
		return bench_fail(what,
				  "%u entries left after deleting the %u new connections, want 2: a repeat opened something else",
				  left, n);
	return 0;
}

/* State, frame head and caches (FIB cache, CPU caches, branch predictors)
 * as the scenario needs them, outside the measurement. */
static int scenario_prepare(struct bench *b, const struct scenario *s)
{
	const struct frame *f = &b->frames[s->frame];
	struct hearth_fib_entry entry;
	__u32 ns;
	int ret;

	ret = bench_scenario_settings(b, s);
	if (ret)
		return ret;
	if (s->cache == CACHE_OFF &&
	    bpf_map_delete_elem(b->fx.fib_fd, &f->key) && errno != ENOENT)
		return bench_fail(s->key, "emptying the FIB cache: %s", strerror(errno));
	/* the per-CPU level would otherwise keep serving a decision the shared
	 * level no longer holds, and the warm-up would not refill it */
	if (s->cache != CACHE_NA && bpf_map_lookup_elem(b->fx.fib_fd, &f->key, &entry)) {
		ret = fixture_clear_l1(&b->fx);
		if (ret)
			return bench_fail(s->key, "emptying the per-CPU FIB cache: %s", strerror(-ret));
	}
	ret = test_run(b, s, s->warmup ? s->warmup : WARMUP_REPEATS, &ns);
	if (ret || s->ct != CT_NEW)
		return ret;
	ret = bench_ct_new_collect(b, s->key, s->warmup);
	b->gw->bss->bench_new_seq = 0; /* the measured run reopens the same tuples */
	return ret;
}

struct conn_find {
	const struct hearth_ct_key *key;
	__u64 orig_packets, reply_packets;
	bool found;
};

static int match_conn(const struct hearth_conn *c, void *arg)
{
	struct conn_find *cf = arg;

	if (memcmp(&c->key, cf->key, sizeof(c->key)))
		return 0;
	cf->orig_packets = c->orig.packets;
	cf->reply_packets = c->reply.packets;
	cf->found = c->reply.dir == HEARTH_CT_REPLY;
	return 1;
}

/* The connection's counts as hearthd reports them: the table's plus what
 * the per-CPU lines have not handed over yet. */
static int conn_counts(struct bench *b, __u64 *orig, __u64 *reply)
{
	struct bpf_map *l1 = bpf_object__find_map_by_name(b->fx.obj,
							  HEARTH_STR(HEARTH_MAP_CTL1));
	struct conn_find cf = { .key = &b->est_orig };
	struct hearth_dp dp;

	memset(&dp, 0, sizeof(dp));
	dp.map_fd[HEARTH_DP_CT] = b->fx.ct_fd;
	dp.map_fd[HEARTH_DP_CTL1] = l1 ? bpf_map__fd(l1) : -1;
	hearth_ct_walk(&dp, match_conn, &cf);
	*orig = cf.orig_packets;
	*reply = cf.reply_packets;
	return cf.found ? 0 : -ENOENT;
}

int bench_snapshot(struct bench *b, const struct scenario *s, struct snapshot *sn)
{
	const struct frame *f = &b->frames[s->frame];

	memset(sn, 0, sizeof(*sn));
	if (s->counter >= 0)
		sn->counter = fixture_counter(&b->fx, f->ingress, s->counter);
	if (s->counter == HEARTH_CNT_FORWARD)
		sn->tx = fixture_counter(&b->fx, f->egress, HEARTH_CNT_TX);
	if (s->tenant != TN_OFF)
		sn->tenant_packets = home_packets(b, s->frame == FRAME_UDP4_IN ?
							     HEARTH_DIR_DOWN : HEARTH_DIR_UP);
	if (s->cache != CACHE_NA)
		sn->cached = !bpf_map_lookup_elem(b->fx.fib_fd, &f->key, &sn->entry);
	if (s->ct == CT_NA)
		return 0;
	if (conn_counts(b, &sn->orig_packets, &sn->reply_packets))
		return bench_fail(s->key, "the established connection left the table");
	/* after nat_new's run the table is counted by ct_new_collect */
	sn->ct_entries = bench_ct_count(b, 1000);
	return 0;
}

static int verify_ct(struct bench *b, const struct scenario *s,
		     const struct snapshot *pre, const struct snapshot *post)
{
	__u64 want = bench_repeats_of(b, s);
	__u64 d_orig = post->orig_packets - pre->orig_packets;
	__u64 d_reply = post->reply_packets - pre->reply_packets;

	if (pre->ct_entries != 2)
		return bench_fail(s->key, "%u entries in the table before the trial, want 2",
				  pre->ct_entries);
	switch (s->ct) {
	case CT_HIT_ORIG:
		if (d_orig != want || d_reply)
			return bench_fail(s->key,
					  "the connection counted %llu packets out and %llu in, want %llu and 0",
					  (unsigned long long)d_orig,
					  (unsigned long long)d_reply, (unsigned long long)want);
		break;
	case CT_HIT_REPLY:
		if (d_reply != want || d_orig)
			return bench_fail(s->key,
					  "the connection counted %llu packets in and %llu out, want %llu and 0",
					  (unsigned long long)d_reply,
					  (unsigned long long)d_orig, (unsigned long long)want);
		break;
	case CT_NEW:
		if (d_orig || d_reply)
			return bench_fail(s->key, "the established connection was used");
		return bench_ct_new_collect(b, s->key, (__u32)want);
	default:
		return 0;
	}
	if (post->ct_entries != 2)
		return bench_fail(s->key, "%u entries in the table after the trial, want 2",
				  post->ct_entries);
	return 0;
}

int bench_verify(struct bench *b, const struct scenario *s,
		 const struct snapshot *pre, const struct snapshot *post)
{
	__u64 want = bench_repeats_of(b, s);

	if (s->counter >= 0 && post->counter - pre->counter != want)
		return bench_fail(s->key,
				  "counter %d of the ingress moved by %llu, want %llu: not every repeat took this path",
				  s->counter, (unsigned long long)(post->counter - pre->counter),
				  (unsigned long long)want);
	if (s->counter == HEARTH_CNT_FORWARD && post->tx - pre->tx != want)
		return bench_fail(s->key, "xmit counter of the egress moved by %llu, want %llu",
				  (unsigned long long)(post->tx - pre->tx),
				  (unsigned long long)want);
	if (s->cache == CACHE_HIT &&
	    (!pre->cached || !post->cached ||
	     memcmp(&pre->entry, &post->entry, sizeof(pre->entry))))
		return bench_fail(s->key,
				  "the cached decision was missing or refreshed: some packets missed the cache");
	if (s->cache == CACHE_OFF && (pre->cached || post->cached))
		return bench_fail(s->key, "a decision was cached although the cache is off");
	if (s->tenant != TN_OFF && post->tenant_packets - pre->tenant_packets != want)
		return bench_fail(s->key, "the home's meter moved by %llu, want %llu",
				  (unsigned long long)(post->tenant_packets - pre->tenant_packets),
				  (unsigned long long)want);
	return s->ct == CT_NA ? 0 : verify_ct(b, s, pre, post);
}

/*
 * The bench programs must behave as the production program: same action
 * and same frame out, also after repeats that each started from the
 * previous repeat's rewrite.
 */
static int check_same(struct bench *b, int idx)
{
	const struct scenario *s = &scenarios[idx];
	const struct frame *f = &b->frames[s->frame];
	int plain = bpf_program__fd(b->gw->progs.HEARTH_PROG_XDP_GATEWAY);
	struct run want, got;
	int ret;

	ret = bench_scenario_settings(b, s);
	if (!ret)
		ret = bench_prog_run(b, plain, f, 1, &want);
	if (!ret)
		ret = bench_prog_run(b, b->prog_fd[s->prog], f, 3, &got);
	if (ret)
		return bench_fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	if (want.retval != got.retval || want.out_len != got.out_len ||
	    memcmp(want.out, got.out, want.out_len))
		return bench_fail(s->key, "%s does not do what %s does", prog_names[s->prog],
				  HEARTH_STR(HEARTH_PROG_XDP_GATEWAY));
	if (s->nat && (!pkt_ipv4_hdr_csum_ok(got.out + ETH_HLEN) ||
		       !pkt_l4_csum_ok(got.out, got.out_len, ETH_HLEN)))
		return bench_fail(s->key, "the translated frame has a wrong checksum");
	return 0;
}

/* bench_nat_new, 3 repeats: 3 new connections, the last frame translated
 * from the third port, with valid checksums. */
static int check_new(struct bench *b)
{
	const struct scenario *s = &scenarios[SC_NAT_NEW];
	__u8 wan[4];
	struct run r;
	int ret;

	ret = bench_scenario_settings(b, s);
	if (!ret)
		ret = bench_prog_run(b, b->prog_fd[s->prog], &b->frames[s->frame], 3, &r);
	if (ret)
		return bench_fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	inet_pton(AF_INET, FX_WAN_V4, wan);
	if (r.retval != XDP_REDIRECT || memcmp(r.out + ETH_HLEN + 12, wan, 4) ||
	    ((r.out[ETH_HLEN + 20] << 8) | r.out[ETH_HLEN + 21]) != NEW_PORT_BASE + 2 ||
	    !pkt_ipv4_hdr_csum_ok(r.out + ETH_HLEN) ||
	    !pkt_l4_csum_ok(r.out, r.out_len, ETH_HLEN))
		return bench_fail(s->key,
				  "after 3 repeats the frame is not the third connection, translated, with valid checksums");
	return bench_ct_new_collect(b, s->key, 3);
}

/* Masquerade as hearthd configures it, and udp4's connection opened by
 * the production program; the reply frame is addressed to its port. */
static int nat_setup(struct bench *b)
{
	const struct frame *f = &b->frames[FRAME_UDP4];
	int plain = bpf_program__fd(b->gw->progs.HEARTH_PROG_XDP_GATEWAY);
	struct hearth_ct_entry e;
	struct run r;
	int ret;

	ret = fixture_enable_nat(&b->fx, NAT_PORT_MIN, NAT_PORT_MAX);
	if (ret)
		return bench_fail("nat", "configuring NAT: %s", strerror(-ret));
	ret = bench_prog_run(b, plain, f, 1, &r);
	if (ret || r.retval != XDP_REDIRECT)
		return bench_fail("nat", "opening the established connection failed");
	memset(&b->est_orig, 0, sizeof(b->est_orig));
	inet_pton(AF_INET, FX_H1_V4, &b->est_orig.saddr);
	inet_pton(AF_INET, FX_SERVER_V4, &b->est_orig.daddr);
	b->est_orig.sport = htons(EST_SPORT);
	b->est_orig.dport = htons(5201);
	b->est_orig.proto = IPPROTO_UDP;
	if (bpf_map_lookup_elem(b->fx.ct_fd, &b->est_orig, &e) ||
	    e.nat_sport != htons(EST_SPORT))
		return bench_fail("nat", "the established connection is not in the table on port %u",
				  EST_SPORT);
	b->est_reply = e.peer;
	if (bench_ct_count(b, 1000) != 2)
		return bench_fail("nat", "the table does not hold exactly one connection");
	return 0;
}

int bench_checks(struct bench *b)
{
	int ret = 0;

	for (int i = 0; !ret && i < SC_COUNT; i++)
		if (bench_in_suite(b, i) && (scenarios[i].prog == PROG_GATEWAY ||
					     scenarios[i].prog == PROG_NAT_GW))
			ret = check_same(b, i);
	if (!ret && bench_in_suite(b, SC_NAT_NEW))
		ret = check_new(b);
	return ret;
}

int bench_setup(struct bench *b)
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
	ret = bench_build_udp(b, &b->frames[FRAME_UDP4], AF_INET);
	if (!ret)
		ret = bench_build_udp(b, &b->frames[FRAME_UDP6], AF_INET6);
	if (!ret)
		ret = bench_build_udp4_in(b, &b->frames[FRAME_UDP4_IN]);
	bench_build_arp(b, &b->frames[FRAME_ARP]);
	if (ret)
		return ret;
	if (b->opt.suite == SUITE_NAT) {
		ret = nat_setup(b);
		if (ret)
			return ret;
	}
	return bench_checks(b);
}

void bench_teardown(struct bench *b)
{
	bench_gateway__destroy(b->gw);
	xdp_empty__destroy(b->empty);
}

static int scenario_trial(struct bench *b, int idx, int trial)
{
	const struct scenario *s = &scenarios[idx];
	struct snapshot pre, post;
	int ret;

	ret = scenario_prepare(b, s);
	if (!ret)
		ret = bench_snapshot(b, s, &pre);
	if (!ret)
		ret = test_run(b, s, bench_repeats_of(b, s), &b->res[idx].ns[trial]);
	if (!ret)
		ret = bench_snapshot(b, s, &post);
	return ret ? ret : bench_verify(b, s, &pre, &post);
}

int bench_measure(struct bench *b)
{
	int ret;

	for (int t = 0; t < b->opt.trials; t++) {
		for (int i = 0; i < SC_COUNT; i++) {
			if (!bench_in_suite(b, i))
				continue;
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
		if (bench_in_suite(b, i))
			bench_summarise(&b->res[i], b->opt.trials);
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench b; /* zeroed: teardown after an early failure is safe */
	struct machine m;
	int ret;

	if (parse_args(argc, argv, &b.opt))
		return 2;
	b.suite = &suites[b.opt.suite];
	ret = pin_cpu(b.opt.cpu);
	if (ret)
		goto cleanup;
	ret = bench_setup(&b);
	if (ret)
		goto cleanup;
	ret = bench_measure(&b);
	if (ret)
		goto cleanup;
	bench_machine_info(&m);
	bench_print_table(&b, &m);
	if (b.opt.out)
		ret = bench_write_json(&b, &m);
cleanup:
	bench_teardown(&b);
	return ret ? 1 : 0;
}
