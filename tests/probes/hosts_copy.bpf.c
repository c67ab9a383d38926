// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe of the tests (tests/vm/probe_guest.sh): copies every home host
 * address its records name from hearth's view into its own output, as a
 * probe trying to learn the home's addresses would. With -DWRITE_VIEW it
 * also writes to the view, which the kernel must refuse.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "../../maps/hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEARTH_PROBE_MAX_HOSTS);
	__type(key, __u32);
	__type(value, struct hearth_probe_host);
} hearth_hosts SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, __u32);
	__type(value, struct hearth_probe_host);
} copied SEC(".maps");

static void copy(__u32 idx)
{
	struct hearth_probe_host *h;

	if (!idx)
		return;
	h = bpf_map_lookup_elem(&hearth_hosts, &idx);
	if (!h)
		return;
	bpf_map_update_elem(&copied, &idx, h, BPF_ANY);
#ifdef WRITE_VIEW
	h->addr[0] = 192; /* what a hostile probe would like: the view changed */
#endif
}

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int hosts_copy(__u64 *ctx)
{
	struct hearth_probe_pkt m;

	hearth_probe_pkt_of(ctx, &m);
	copy(m.shost);
	copy(m.dhost);
	return 0;
}
