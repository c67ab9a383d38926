// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-tenant round-trip time histograms, summed over CPUs. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "rtt_hist.h"

static const __u32 bounds[HEARTH_RTT_BUCKETS - 1] = HEARTH_RTT_BOUNDS_US;

__u32 hearth_rtt_bound_us(int b)
{
	return b >= 0 && b < HEARTH_RTT_BUCKETS - 1 ? bounds[b] : 0;
}

const char *hearth_rtt_where_name(int where)
{
	return where == HEARTH_RTT_HOME ? "home" : "wan";
}

int hearth_rtt_hist_read(struct hearth_dp *dp, __u32 id, int where, struct hearth_rtt_hist *out)
{
	int ncpus = libbpf_num_possible_cpus(), ret = 0;
	__u32 index = id * 2 + (where & 1);
	struct hearth_rtt_hist *v;

	memset(out, 0, sizeof(*out));
	if (ncpus <= 0 || id >= HEARTH_MAX_TENANTS)
		return -EINVAL;
	v = calloc((size_t)ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_RTTHIST], &index, v))
		ret = -errno;
	for (int c = 0; !ret && c < ncpus; c++) {
		out->count += v[c].count;
		out->sum_us += v[c].sum_us;
		for (int b = 0; b < HEARTH_RTT_BUCKETS; b++)
			out->bucket[b] += v[c].bucket[b];
	}
	free(v);
	return ret;
}

/* The upper bound of the bucket the middle sample falls in (the last
 * bucket has none: its lower bound). */
static double median_ms(const struct hearth_rtt_hist *h)
{
	__u64 seen = 0;

	for (int b = 0; b < HEARTH_RTT_BUCKETS; b++) {
		seen += h->bucket[b];
		if (seen * 2 >= h->count)
			return (b < HEARTH_RTT_BUCKETS - 1 ? bounds[b] : bounds[b - 1]) / 1000.0;
	}
	return 0;
}

struct json_object *hearth_rtt_json(struct hearth_dp *dp, __u32 id)
{
	struct json_object *o = json_object_new_object();
	struct hearth_rtt_hist h;

	for (int where = 0; where < 2; where++) {
		struct json_object *w;

		if (hearth_rtt_hist_read(dp, id, where, &h) || !h.count)
			continue;
		w = json_object_new_object();
		json_object_object_add(w, "samples", json_object_new_uint64(h.count));
		json_object_object_add(w, "mean_ms",
				       json_object_new_double((double)h.sum_us / (double)h.count / 1000.0));
		json_object_object_add(w, "median_ms", json_object_new_double(median_ms(&h)));
		json_object_object_add(o, hearth_rtt_where_name(where), w);
	}
	return o;
}
