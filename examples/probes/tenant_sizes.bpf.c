// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An example probe (docs/researcher-guide.md): the sizes of the packets
 * each tenant sends and receives through the gateway, as a histogram of
 * IP lengths. Each forwarded packet is counted once, where it is
 * forwarded: by XDP (XDP_REDIRECT; downloads, and uploads while upload
 * shaping is off) or by tc on the WAN's egress (uploads the kernel
 * forwards, shaped). The output map `sizes` holds, for each tenant seen
 * (its id the key), the count of packets in each bucket:
 *
 *   0: < 64   1: 64-127   2: 128-255   3: 256-511   4: 512-1023
 *   5: 1024-1499   6: 1500 (a full Ethernet MTU)   7: larger
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hearth_probe.h"

char LICENSE[] SEC("license") = "GPL";

#define BUCKETS 8
#define XDP_REDIRECT 4
#define TC_ACT_OK 0

struct sizes {
	__u64 count[BUCKETS];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256); /* every tenant hearth may have */
	__type(key, __u32);
	__type(value, struct sizes);
} sizes SEC(".maps");

static __u32 bucket_of(__u32 len)
{
	if (len == 1500)
		return 6;
	if (len > 1500)
		return 7;
	if (len >= 1024)
		return 5;
	if (len >= 512)
		return 4;
	if (len >= 256)
		return 3;
	if (len >= 128)
		return 2;
	return len >= 64 ? 1 : 0;
}

SEC("fentry/" HEARTH_PROBE_POINT_PACKET)
int tenant_sizes(__u64 *ctx)
{
	struct sizes none = {};
	struct hearth_probe_pkt m;
	struct sizes *s;
	__u32 tenant, b;

	hearth_probe_pkt_of(ctx, &m);
	if (m.tenant == HEARTH_PROBE_NO_TENANT || !m.family)
		return 0;
	if (!(m.hook == HEARTH_PROBE_HOOK_XDP && m.verdict == XDP_REDIRECT) &&
	    !(m.hook == HEARTH_PROBE_HOOK_TC_EGRESS && m.verdict == TC_ACT_OK))
		return 0; /* not forwarded here */
	tenant = m.tenant;
	s = bpf_map_lookup_elem(&sizes, &tenant);
	if (!s) {
		bpf_map_update_elem(&sizes, &tenant, &none, BPF_NOEXIST);
		s = bpf_map_lookup_elem(&sizes, &tenant);
		if (!s)
			return 0;
	}
	b = bucket_of(m.l3_len);
	if (b < BUCKETS)
		__sync_fetch_and_add(&s->count[b], 1);
	return 0;
}
