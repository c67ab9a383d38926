// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The two ends of the end-to-end NAT benchmark (bench/e2e_nat.sh):
 *
 * e2e_gen  run with BPF_PROG_TEST_RUN and BPF_F_TEST_XDP_LIVE_FRAMES: writes
 *          the frame head from a template, gives the frame the source port
 *          of the next flow (round robin, UDP checksum kept valid) and
 *          redirects it into a veth, whose peer receives it as a frame off
 *          the wire. The same frames, whatever the gateway.
 * e2e_sink attached to the receiving veth: counts the benchmark's UDP
 *          frames, checks their checksums from scratch and drops them;
 *          everything else (ARP above all) goes on to the stack.
 * e2e_fwd  the floor of an XDP gateway: attached to the gateway's LAN
 *          veth, redirects every frame, untouched, out of its WAN veth.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "e2e_nat.h"

/* Set by nat_e2e after loading. */
struct e2e_head gen_head; /* Ethernet + IPv4 + UDP header of flow 0 */
__u32 gen_ifindex; /* the veth to transmit into */
__u32 gen_flow_mask; /* flows - 1, flows a power of two */
__u64 gen_burst_ns; /* paced: a burst of E2E_BURST frames this often; 0: flat out */
__u32 gen_stop; /* set by nat_e2e when it has measured: drop the rest */
/* Kept by the program, read by nat_e2e. */
__u64 gen_seq; /* frames offered */
__u64 gen_runs; /* frames the program saw, offered or not */
__u64 gen_next_ns; /* when the next burst is due */
__u64 gen_last_ns; /* when the last one left */
__u32 gen_burst_left; /* frames of the current burst still to send */
__u64 gen_late; /* bursts that left so late that the schedule was reset */
__u32 fwd_ifindex; /* where e2e_fwd sends everything */
__be32 sink_wan_addr; /* a frame from here is translated */
__be16 sink_dport;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, E2E_CNT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} e2e_counts SEC(".maps");

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__u16)~sum;
}

/*
 * Paced: a burst of E2E_BURST frames leaves every gen_burst_ns, back to
 * back, as from a NIC that coalesces interrupts; between bursts the
 * generator drops its frames unsent. It does not wait inside the program:
 * the kernel runs a test-run batch with bottom halves off, and a wait there
 * would keep the sink, on the same CPU, from running. When the generator
 * was held up, it catches up at twice the rate at most (bursts at least
 * half an interval apart), so that the average rate holds without flooding
 * the veth rings (256 frames); held up for more than 32 intervals, it
 * gives up and restarts the schedule (counted in gen_late). Returns
 * non-zero when this frame is to be sent.
 */
static __always_inline int pace(void)
{
	__u64 now;

	if (!gen_burst_ns)
		return 1;
	if (gen_burst_left) {
		gen_burst_left--;
		return 1;
	}
	now = bpf_ktime_get_ns();
	if (now < gen_next_ns || now < gen_last_ns + gen_burst_ns / 2)
		return 0;
	if (!gen_next_ns || now > gen_next_ns + 32 * gen_burst_ns) {
		gen_late += gen_next_ns != 0;
		gen_next_ns = now;
	}
	gen_last_ns = now;
	gen_next_ns += gen_burst_ns;
	gen_burst_left = E2E_BURST - 1;
	return 1;
}

SEC("xdp")
int e2e_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	__u64 *w = data;
	__be16 *sport = data + E2E_SPORT_OFF;
	__u16 *check = data + E2E_CSUM_OFF;
	__u16 old, new;
	__u32 sum;

	gen_runs++;
	if (gen_stop || !pace())
		return XDP_DROP;
	if (data + E2E_HEAD_LEN > data_end)
		return XDP_ABORTED;
	/* a recycled page holds what the last hop made of the frame */
	w[0] = gen_head.w[0];
	w[1] = gen_head.w[1];
	w[2] = gen_head.w[2];
	w[3] = gen_head.w[3];
	w[4] = gen_head.w[4];
	w[5] = gen_head.w[5];
	old = *sport;
	new = bpf_htons(bpf_ntohs(old) + (gen_seq++ & gen_flow_mask));
	/* RFC 1624 for the port; the template's checksum is not 0 */
	sum = (__u16)~*check;
	sum += (__u16)~old;
	sum += new;
	*check = fold(sum) ?: 0xffff;
	*sport = new;
	return bpf_redirect(gen_ifindex, 0);
}

static __always_inline void count(__u32 id)
{
	__u64 *c = bpf_map_lookup_elem(&e2e_counts, &id);

	if (c)
		(*c)++;
}

SEC("xdp")
int e2e_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct udphdr *udp = (void *)(ip + 1);
	__u32 sum = 0, i;
	__s64 l4;

	if ((void *)(udp + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->ihl != 5 || ip->protocol != IPPROTO_UDP || udp->dest != sink_dport)
		return XDP_PASS; /* ARP, neighbour discovery, anything else */
	count(ip->saddr == sink_wan_addr ? E2E_CNT_TRANSLATED : E2E_CNT_OTHER);
	/* the IPv4 header, then UDP with its pseudo header, from scratch */
#pragma unroll
	for (i = 0; i < sizeof(*ip) / 2; i++)
		sum += ((__u16 *)ip)[i];
	if (fold(sum) || (void *)udp + E2E_UDP_LEN > data_end ||
	    udp->len != bpf_htons(E2E_UDP_LEN)) {
		count(E2E_CNT_BAD);
		return XDP_DROP;
	}
	sum = (ip->saddr & 0xffff) + (ip->saddr >> 16) + (ip->daddr & 0xffff) +
	      (ip->daddr >> 16) + bpf_htons(IPPROTO_UDP) + udp->len;
	l4 = bpf_csum_diff(0, 0, (__be32 *)udp, E2E_UDP_LEN, sum);
	if (l4 < 0 || fold((__u32)l4))
		count(E2E_CNT_BAD);
	return XDP_DROP;
}

SEC("xdp")
int e2e_fwd(struct xdp_md *ctx)
{
	return bpf_redirect(fwd_ifindex, 0);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
