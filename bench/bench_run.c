// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * How xdp_bench loads its programs and runs them: setup of the namespace
 * and the NAT connection, each scenario's settings and warm-up,
 * BPF_PROG_TEST_RUN, and the interleaved trials.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xdp_bench.h"

/* after xdp_bench.h: the skeleton uses bench_gateway.h's types */
#include "bench_gateway.skel.h"
#include "xdp_empty.skel.h"

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
	/* the new-connection trial's 16384 connections from one host: a
	 * table of 16384 sets holds them without a set overflowing, and the
	 * host's share is off (it would make the host give way to itself) */
	gw->rodata->ct_set_mask = BENCH_CT_SETS - 1;
	gw->rodata->ct_host_ways = HEARTH_CT_WAYS + 1;
	gw->rodata->ct_hz = hearth_kernel_hz();
	gw->rodata->ct_rtt_on = !b->opt.rtt_off;
	bpf_map__set_max_entries(gw->maps.HEARTH_MAP_CT, BENCH_CT_SETS);
	bpf_map__set_max_entries(gw->maps.HEARTH_MAP_CTRTT, BENCH_CT_SETS * HEARTH_CT_WAYS);
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
	b->prog_fd[PROG_GATEWAY_TICK] = bpf_program__fd(gw->progs.bench_gw_tick);
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

/* The state map's flags: the FIB cache skipped or not (the scenario's),
 * the probe flag (-P). */
static int set_state_flags(struct bench *b, bool no_fib_cache)
{
	struct hearth_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(b->fx.state_fd, &zero, &st))
		return -errno;
	st.flags &= ~(__u32)(HEARTH_STATE_NO_FIB_CACHE | HEARTH_STATE_PROBES);
	if (no_fib_cache)
		st.flags |= HEARTH_STATE_NO_FIB_CACHE;
	if (b->opt.probe_flag)
		st.flags |= HEARTH_STATE_PROBES;
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

/* The firewall on or off; its home prefixes are set once (bench_setup). */
static int set_firewall(struct bench *b, bool on)
{
	struct hearth_fw_cfg cfg = { .enabled = on, .echo6_in = 1 };
	__u32 zero = 0;

	return bpf_map_update_elem(b->dp.map_fd[HEARTH_DP_FWCFG], &zero, &cfg, BPF_ANY) ?
		       -errno : 0;
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

/* The frame head the scenario's prologue writes back, the fib-cache mode
 * and NAT as the scenario needs them. */
int bench_scenario_settings(struct bench *b, const struct scenario *s)
{
	const struct frame *f = &b->frames[s->frame];
	int ret;

	ret = set_state_flags(b, s->no_fib_cache);
	if (ret)
		return bench_fail(s->key, "setting the state map: %s", strerror(-ret));
	ret = set_nat(b, s->nat);
	if (ret)
		return bench_fail(s->key, "setting the NAT configuration: %s", strerror(-ret));
	ret = set_tenants(b, s->tenant);
	if (ret)
		return bench_fail(s->key, "setting the tenant maps: %s", strerror(-ret));
	ret = set_firewall(b, s->firewall);
	if (ret)
		return bench_fail(s->key, "setting the firewall: %s", strerror(-ret));
	memcpy(&b->gw->bss->bench_head, f->data, BENCH_HEAD_LEN);
	memcpy(&b->gw->bss->bench_nat_head, f->data, BENCH_NAT_HEAD_LEN);
	b->gw->bss->bench_new_base = NEW_PORT_BASE;
	b->gw->bss->bench_new_seq = 0;
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
	inet_pton(AF_INET, FX_H1_V4, &b->est_orig.saddr.ip4);
	inet_pton(AF_INET, FX_SERVER_V4, &b->est_orig.daddr.ip4);
	b->est_orig.sport = htons(EST_SPORT);
	b->est_orig.dport = htons(5201);
	b->est_orig.proto = IPPROTO_UDP;
	b->est_orig.family = AF_INET;
	if (hearth_ct_lookup(b->fx.ct_fd, &b->est_orig, &e) ||
	    e.nat_sport != htons(EST_SPORT))
		return bench_fail("nat", "the established connection is not in the table on port %u",
				  EST_SPORT);
	b->est_reply = e.peer;
	if (bench_ct_count(b, 1000) != 2)
		return bench_fail("nat", "the table does not hold exactly one connection");
	return 0;
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
	if (!ret)
		ret = bench_build_tcp6(b, &b->frames[FRAME_TCP6]);
	bench_build_arp(b, &b->frames[FRAME_ARP]);
	if (!ret)
		ret = fixture_enable_firewall(&b->fx);
	if (!ret)
		ret = set_firewall(b, false); /* on in the fw_* scenarios only */
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
