// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench -s ct-scale: the established NAT path's cost as the connection
 * table fills. Each run goes round N connections of h1 (bench_nat_cycle),
 * opened by a first round, so that each packet's per-CPU line mostly
 * misses and the table itself is read, at N = 1024, 65536 and the bench
 * table's full size; the empty program in the same run for the ratio.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "xdp_bench.h"

#include "bench_gateway.skel.h"
#include "xdp_empty.skel.h"

#define SCALE_POINTS 3
#define SCALE_FULL (BENCH_CT_SETS * HEARTH_CT_WAYS / 2)

struct scale_point {
	__u32 conns; /* N */
	__u32 ns[MAX_TRIALS], empty_ns[MAX_TRIALS];
	double median, empty_median;
	int live; /* connections in the table after the opening round */
	__u64 evicted; /* entries evicted during the measured runs */
};

static __u64 evictions(struct bench *b)
{
	__u64 ev[HEARTH_CT_EV_MAX];

	if (hearth_ct_events(&b->dp, ev))
		return 0;
	return ev[HEARTH_CT_EV_EVICT_CLOSED] + ev[HEARTH_CT_EV_EVICT_UNASSURED] +
	       ev[HEARTH_CT_EV_EVICT_ASSURED] + ev[HEARTH_CT_EV_EVICT_OWN];
}

static double median_of(const __u32 *ns, int n)
{
	struct result r;

	memcpy(r.ns, ns, (size_t)n * sizeof(r.ns[0]));
	bench_summarise(&r, n);
	return r.median;
}

static int count_conn(const struct hearth_conn *c, void *arg)
{
	(void)c;
	(*(int *)arg)++;
	return 0;
}

/* One point: an empty table, a round that opens the N connections, then
 * the trials, each the empty program and the cycle alternately. */
static int scale_point(struct bench *b, struct scale_point *p)
{
	int cycle = bpf_program__fd(b->gw->progs.bench_nat_cycle);
	int empty = bpf_program__fd(b->empty->progs.xdp_empty);
	const struct frame *f = &b->frames[FRAME_UDP4];
	__u64 before;
	struct run r;
	int ret;

	hearth_ct_flush(&b->dp);
	b->gw->bss->bench_cycle_n = p->conns;
	b->gw->bss->bench_new_seq = 0;
	ret = bench_prog_run(b, cycle, f, p->conns, &r);
	if (ret || r.retval != XDP_REDIRECT)
		return bench_fail("ct_scale", "opening %u connections: %s", p->conns,
				  ret ? strerror(-ret) : "not forwarded");
	p->live = 0;
	hearth_ct_walk(&b->dp, count_conn, &p->live);
	before = evictions(b);
	for (int t = 0; t < b->opt.trials; t++) {
		ret = bench_prog_run(b, empty, f, b->opt.repeats, &r);
		if (!ret)
			p->empty_ns[t] = r.ns;
		if (!ret)
			ret = bench_prog_run(b, cycle, f, b->opt.repeats, &r);
		if (ret || r.retval != XDP_REDIRECT)
			return bench_fail("ct_scale", "%u connections, trial %d: %s", p->conns, t,
					  ret ? strerror(-ret) : "not forwarded");
		p->ns[t] = r.ns;
	}
	p->evicted = evictions(b) - before;
	p->median = median_of(p->ns, b->opt.trials);
	p->empty_median = median_of(p->empty_ns, b->opt.trials);
	return 0;
}

static int write_json(const struct bench *b, const struct scale_point *pts)
{
	struct json_object *root = json_object_new_object(), *list = json_object_new_array();
	int ret;

	json_object_object_add(root, "benchmark", json_object_new_string("ct_scale"));
	json_object_object_add(root, "revision",
			       json_object_new_string(b->opt.revision ? b->opt.revision : "unknown"));
	json_object_object_add(root, "method",
			       json_object_new_string("BPF_PROG_TEST_RUN of bench_nat_cycle: the established NAT outbound path (hearth_xdp_gateway) going round N connections of one host, opened by a first round; the empty XDP program alternately in the same trials; median of the trials"));
	json_object_object_add(root, "table_entries",
			       json_object_new_int(BENCH_CT_SETS * HEARTH_CT_WAYS));
	json_object_object_add(root, "repeats", json_object_new_int64(b->opt.repeats));
	json_object_object_add(root, "trials", json_object_new_int(b->opt.trials));
	for (int i = 0; i < SCALE_POINTS; i++) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "connections", json_object_new_int64(pts[i].conns));
		json_object_object_add(o, "live_after_opening", json_object_new_int(pts[i].live));
		json_object_object_add(o, "ns_per_packet", json_object_new_double(pts[i].median));
		json_object_object_add(o, "empty_ns", json_object_new_double(pts[i].empty_median));
		json_object_object_add(o, "ratio_to_empty",
				       json_object_new_double(pts[i].empty_median > 0 ?
								      pts[i].median / pts[i].empty_median :
								      0));
		json_object_object_add(o, "evicted_while_measured",
				       json_object_new_uint64(pts[i].evicted));
		json_object_array_add(list, o);
	}
	json_object_object_add(root, "points", list);
	ret = json_object_to_file_ext(b->opt.out, root, JSON_C_TO_STRING_PRETTY) ? -EIO : 0;
	json_object_put(root);
	return ret;
}

int bench_ct_scale(struct bench *b)
{
	struct scale_point pts[SCALE_POINTS] = {
		{ .conns = 1024 }, { .conns = 65536 }, { .conns = SCALE_FULL },
	};
	int ret = 0;

	printf("established NAT outbound, going round N connections (table of %u entries)\n",
	       BENCH_CT_SETS * HEARTH_CT_WAYS);
	printf("%12s %10s %10s %8s %12s %12s\n", "connections", "ns/pkt", "empty ns", "ratio",
	       "live", "evicted");
	for (int i = 0; !ret && i < SCALE_POINTS; i++) {
		ret = scale_point(b, &pts[i]);
		if (ret)
			break;
		printf("%12u %10.0f %10.0f %8.2f %12d %12llu\n", pts[i].conns, pts[i].median,
		       pts[i].empty_median, pts[i].median / pts[i].empty_median, pts[i].live,
		       (unsigned long long)pts[i].evicted);
	}
	if (!ret && b->opt.out)
		ret = write_json(b, pts);
	return ret;
}
