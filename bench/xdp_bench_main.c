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
 *
 * This file: the options, the CPU pinning and main. xdp_bench.h lists
 * the files of the rest, one concern each.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xdp_bench.h"

static void usage(void)
{
	fprintf(stderr,
		"usage: xdp_bench [-s forward|nat|ct-scale] [-r repeats] [-t trials] [-c cpu] [-g revision] [-R] [-P] [-S] [-o out.json]\n"
		"  -s  suite: forward (routed path, default), nat (masquerade) or\n"
		"      ct-scale (the established NAT path as the connection table fills)\n"
		"  -r  repeats per trial (>= %u, default %u; nat_new always runs %u)\n"
		"  -t  trials per scenario, median reported (%d..%d, default %d)\n"
		"  -c  CPU to pin to (default: the last one allowed)\n"
		"  -g  source revision, recorded in the JSON\n"
		"  -R  load the gateway with round-trip times off (conntrack rtt off)\n"
		"  -P  the probe flag set with no probe attached: each packet fills the\n"
		"      probe record and passes the (empty) packet probe point\n"
		"  -S  the kernel's BPF run-time statistics on for the whole run (the\n"
		"      clock reads around every program run that probe budgets use)\n"
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
	while ((opt = getopt(argc, argv, "s:r:t:c:g:o:RPSh")) != -1) {
		switch (opt) {
		case 'R':
			o->rtt_off = true;
			break;
		case 'P':
			o->probe_flag = true;
			break;
		case 'S':
			o->run_time_stats = true;
			break;
		case 's':
			if (!strcmp(optarg, "forward")) {
				o->suite = SUITE_FORWARD;
			} else if (!strcmp(optarg, "nat")) {
				o->suite = SUITE_NAT;
			} else if (!strcmp(optarg, "ct-scale")) {
				o->suite = SUITE_NAT;
				o->ct_scale = true;
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

int main(int argc, char **argv)
{
	static struct bench b; /* zeroed: teardown after an early failure is safe */
	struct machine m;
	int ret, stats_fd = -1;

	if (parse_args(argc, argv, &b.opt))
		return 2;
	/* on while the fd is open: the whole run */
	if (b.opt.run_time_stats) {
		stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
		if (stats_fd < 0) {
			fprintf(stderr, "xdp_bench: cannot turn run-time statistics on: %s\n",
				strerror(errno));
			return 1;
		}
	}
	b.suite = &suites[b.opt.suite];
	ret = pin_cpu(b.opt.cpu);
	if (ret)
		goto cleanup;
	ret = bench_setup(&b);
	if (ret)
		goto cleanup;
	if (b.opt.ct_scale) {
		ret = bench_ct_scale(&b);
		goto cleanup;
	}
	ret = bench_measure(&b);
	if (ret)
		goto cleanup;
	bench_machine_info(&m);
	bench_print_table(&b, &m);
	if (b.opt.out)
		ret = bench_write_json(&b, &m);
cleanup:
	bench_teardown(&b);
	if (stats_fd >= 0)
		close(stats_fd);
	return ret ? 1 : 0;
}
