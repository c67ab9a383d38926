// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench's statistics: the median, min and max of the trials and the
 * figures derived from them (ratios to the empty program, prologue and
 * stage costs, what NAT and opening a connection add).
 */
#include <stdlib.h>
#include <string.h>

#include "xdp_bench.h"

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

void bench_summarise(struct result *r, int n)
{
	__u32 sorted[MAX_TRIALS];

	memcpy(sorted, r->ns, n * sizeof(sorted[0]));
	qsort(sorted, n, sizeof(sorted[0]), cmp_u32);
	r->min = sorted[0];
	r->max = sorted[n - 1];
	r->median = n % 2 ? sorted[n / 2] :
			    (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
}

double bench_ratio(const struct bench *b, int idx)
{
	return b->res[idx].median / b->res[SC_EMPTY].median;
}

/* A prologue's cost: its program minus the empty one. */
double bench_prologue_ns(const struct bench *b, int restore)
{
	return b->res[restore].median - b->res[SC_EMPTY].median;
}

double bench_restore_ns(const struct bench *b)
{
	return bench_prologue_ns(b, b->suite->restore);
}

/* A scenario's ratio with its prologue taken out again. */
double bench_net_ratio_of(const struct bench *b, int idx, int restore)
{
	return (b->res[idx].median - bench_prologue_ns(b, restore)) / b->res[SC_EMPTY].median;
}

double bench_net_ratio(const struct bench *b)
{
	return bench_net_ratio_of(b, b->suite->headline, b->suite->restore);
}

/* The same ratio from the fastest trials: less exposed to the machine's
 * bad moments, a cross-check of the median's. */
double bench_min_ratio_of(const struct bench *b, int idx)
{
	return (double)b->res[idx].min / b->res[SC_EMPTY].min;
}

double bench_min_ratio(const struct bench *b)
{
	return bench_min_ratio_of(b, b->suite->headline);
}

bool bench_target_met_of(const struct bench *b, int idx)
{
	return bench_ratio(b, idx) <= b->suite->target;
}

/* NAT: the established path both ways must meet the target. */
bool bench_target_met(const struct bench *b)
{
	bool met = bench_target_met_of(b, b->suite->headline);

	if (b->opt.suite == SUITE_NAT)
		met = met && bench_target_met_of(b, SC_NAT_IN);
	return met;
}

double bench_stage_ns(const struct bench *b, const struct stage *st)
{
	return b->res[st->to].median - (st->from < 0 ? 0 : b->res[st->from].median);
}

/* What translation adds to the routed path (fwd_ipv4, NAT off), net of
 * the longer prologue. */
double bench_nat_extra_ns(const struct bench *b)
{
	return b->res[SC_NAT_OUT].median - bench_prologue_ns(b, SC_NAT_RESTORE) -
	       (b->res[SC_FWD4].median - bench_prologue_ns(b, SC_RESTORE));
}

double bench_firewall_extra_ns(const struct bench *b, int plain, int with)
{
	return b->res[with].median - b->res[plain].median;
}

/* What opening a connection adds to the established outbound path, net of
 * the prologues. */
double bench_open_extra_ns(const struct bench *b)
{
	return b->res[SC_NAT_NEW].median - bench_prologue_ns(b, SC_NAT_RESTORE_NEW) -
	       (b->res[SC_NAT_OUT].median - bench_prologue_ns(b, SC_NAT_RESTORE));
}
