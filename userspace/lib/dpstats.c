// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The per-interface counters: read summed over CPUs, and cleared. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dpstats.h"

void hearth_dp_stats_clear(struct hearth_dp *dp, __u32 slot)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_counter *zero;

	if (ncpus <= 0)
		return;
	zero = calloc(ncpus, sizeof(*zero));
	if (!zero)
		return;
	for (__u32 id = 0; id < HEARTH_CNT_MAX; id++) {
		__u32 key = HEARTH_STATS_INDEX(slot, id);

		bpf_map_update_elem(dp->map_fd[HEARTH_DP_STATS], &key, zero,
				    BPF_ANY);
	}
	free(zero);
}

int hearth_dp_stats_read(struct hearth_dp *dp, __u32 slot,
			 struct hearth_counter *out)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_counter *percpu;
	int ret = 0;

	if (ncpus <= 0)
		return ncpus ? ncpus : -EINVAL;
	percpu = calloc(ncpus, sizeof(*percpu));
	if (!percpu)
		return -ENOMEM;
	for (__u32 id = 0; id < HEARTH_CNT_MAX; id++) {
		__u32 key = HEARTH_STATS_INDEX(slot, id);

		out[id].packets = out[id].bytes = 0;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_STATS], &key,
					percpu)) {
			ret = -errno;
			break;
		}
		for (int cpu = 0; cpu < ncpus; cpu++) {
			out[id].packets += percpu[cpu].packets;
			out[id].bytes += percpu[cpu].bytes;
		}
	}
	free(percpu);
	return ret;
}
