// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe of the tests (tests/prog_tests/probe_point.c): counts the
 * connections that end and keeps the last one's record whole.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../maps/hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} ended SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_probe_flow);
} last SEC(".maps");

SEC("fentry/" HEARTH_PROBE_POINT_FLOW_END)
int watch(__u64 *ctx)
{
	struct hearth_probe_flow f, *l;
	__u32 zero = 0;
	__u64 *n;

	hearth_probe_flow_of(ctx, &f);
	n = bpf_map_lookup_elem(&ended, &zero);
	if (n)
		__sync_fetch_and_add(n, 1);
	l = bpf_map_lookup_elem(&last, &zero);
	if (l)
		*l = f;
	return 0;
}
