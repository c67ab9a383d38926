// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Not a probe: the loss tests/vm/probe_guest.sh makes on the ISP's side
 * of the gateway, so that a TCP sender at home retransmits. Attached to
 * the ISP's interface (XDP), it drops every TCP segment carrying data to
 * port 8080; the gateway has forwarded it already.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "GPL";

SEC("xdp")
int isp_drop(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = (void *)(eth + 1);
	struct tcphdr *th;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    ip->protocol != IPPROTO_TCP || ip->ihl != 5)
		return XDP_PASS;
	th = (void *)(ip + 1);
	if ((void *)(th + 1) > end || th->dest != bpf_htons(8080))
		return XDP_PASS;
	return bpf_ntohs(ip->tot_len) > 20 + th->doff * 4 ? XDP_DROP : XDP_PASS;
}
