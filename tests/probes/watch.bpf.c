// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe of the tests (tests/prog_tests/probe_point.c): counts what
 * passes the packet probe point by hook and keeps the last record whole,
 * so that the test can check each field against the frame it sent. With
 * -DWRITE_CONTEXT it also writes to the record, which the kernel's
 * verifier must refuse.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../maps/hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 4);
	__type(key, __u32);
	__type(value, __u64);
} by_hook SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hearth_probe_pkt);
} last SEC(".maps");

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int watch(__u64 *ctx)
{
	struct hearth_probe_pkt m, *l;
	__u32 key;
	__u64 *n;

	hearth_probe_pkt_of(ctx, &m);
	key = m.hook & 3;
	n = bpf_map_lookup_elem(&by_hook, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	key = 0;
	l = bpf_map_lookup_elem(&last, &key);
	if (l)
		*l = m;
#ifdef WRITE_CONTEXT
	ctx[0] = 0; /* what a hostile probe would like: the record changed */
#endif
	return 0;
}
