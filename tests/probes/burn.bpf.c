// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe that burns CPU, for tests/vm/probe_guest.sh: a bounded loop of
 * a few thousand steps for every packet, far over the budget its
 * manifest declares, which hearthd must notice and detach it for.
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
} spun SEC(".maps");

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int burn(__u64 *ctx)
{
	__u64 x = ctx[0], *out;
	__u32 zero = 0;

	for (int i = 0; i < 1000; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	out = bpf_map_lookup_elem(&spun, &zero);
	if (out)
		*out += x & 1;
	return 0;
}
