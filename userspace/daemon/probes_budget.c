// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Probes' CPU budgets: the kernel's run-time statistics cost every run of
 * every BPF program clock reads, so they are on only in windows
 * (PROBES_WINDOW_MS every PROBES_PERIOD_MS) while probes are attached;
 * each probe's mean run time over a window is judged against its
 * manifest's cpu_budget_ns, and a probe over it for PROBES_GRACE_MS is
 * detached.
 */
#include <stdio.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "daemon.h"

/* The window opens: run-time statistics on, each probe's counts noted. */
static void window_open(struct daemon *d, long long now)
{
	struct probes *ps = &d->probes;

	ps->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (ps->stats_fd < 0) {
		ps->window_ms = now + PROBES_PERIOD_MS; /* tried again later */
		return;
	}
	for (int i = 0; i < ps->n; i++)
		hearth_probe_runtime(&ps->p[i].loaded, &ps->p[i].window_ns, &ps->p[i].window_runs);
	ps->window_ms = now + PROBES_WINDOW_MS;
}

/* The window closes: each probe's mean run time over it, judged against
 * its budget; statistics off again. */
static void window_close(struct daemon *d, long long now)
{
	struct probes *ps = &d->probes;
	char why[128];

	for (int i = ps->n - 1; i >= 0; i--) {
		struct probe_attached *p = &ps->p[i];
		__u64 ns, runs;

		if (hearth_probe_runtime(&p->loaded, &ns, &runs) || runs <= p->window_runs)
			continue; /* no packet passed: nothing to judge */
		p->mean_ns = (ns - p->window_ns) / (runs - p->window_runs);
		p->last_runs = runs - p->window_runs;
		if (p->mean_ns <= p->budget_ns) {
			p->over_since_ms = 0;
			continue;
		}
		if (!p->over_since_ms)
			p->over_since_ms = now;
		if (now - p->over_since_ms < PROBES_GRACE_MS)
			continue;
		snprintf(why, sizeof(why), "over its CPU budget: %llu ns a run against %u for %lld s",
			 (unsigned long long)p->mean_ns, p->budget_ns,
			 (now - p->over_since_ms) / 1000);
		probes_detach(d, p->name, why);
	}
	close(ps->stats_fd);
	ps->stats_fd = -1;
	ps->window_ms = now + PROBES_PERIOD_MS - PROBES_WINDOW_MS;
}

void probes_budget_tick(struct daemon *d, long long now)
{
	struct probes *ps = &d->probes;

	if (ps->stats_fd >= 0 && (now >= ps->window_ms || !ps->n))
		window_close(d, now);
	else if (ps->stats_fd < 0 && ps->n && now >= ps->window_ms)
		window_open(d, now);
}
