// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A tenant's own host share of the connection table: its hosts hold what
 * it says, the home's hosts the gateway's share (conntrack host-share),
 * and a change at run time applies to the next opening. Tenants are
 * written with the library calls hearthd and the CLI use. */
#include <string.h>

#include "fw_common.h"
#include "tenant_common.h"

#define GUEST "2001:db8:1::66"

static int udp_flow(struct fixture *fx, const char *src, __u16 sport)
{
	struct pkt_spec s = lan_spec(fx, AF_INET6, FX_SERVER_V6);
	__u8 out[FRAME_MAX];
	__u32 out_len;

	s.src = src;
	s.sport = sport;
	return run_spec(fx, fx->lan, &s, out, &out_len) == XDP_REDIRECT;
}

/* How many live entries of the table's one set belong to host @addr. */
static int host_entries(struct fixture *fx, const char *addr)
{
	struct hearth_ct_set set;
	union hearth_addr want = {}, host;
	__u32 zero = 0;
	int n = 0;

	inet_pton(AF_INET6, addr, want.b);
	if (bpf_map_lookup_elem_flags(fx->ct_fd, &zero, &set, BPF_F_LOCK))
		return -1;
	for (int i = 0; i < HEARTH_CT_WAYS; i++) {
		if (!set.tag[i] || !set.slot[i].e.active)
			continue; /* free, or retired with its other half */
		hearth_ct_host(&set.slot[i].key, &set.slot[i].e, &host);
		n += !memcmp(&host, &want, sizeof(host));
	}
	return n;
}

/*
 * A table of one set (16 entries, two a connection): the home's host may
 * hold 8 entries (the default half), the guest tenant's 4 (host-share
 * 25), then 8 once the tenant is set to 50 (its 8 and the home's fill the
 * set). Beyond its share each host gives way to its own flows; every
 * packet still leaves.
 */
TEST(conntrack_tenant_share)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup_table(&fx, 1, HEARTH_CT_HOST_WAYS_DEFAULT);
	struct hearth_dp dp = {};
	int sent = 0;

	if (!skel)
		return;
	if (!ASSERT_OK(hearth_dp_from_object(&dp, skel->obj), "the maps") ||
	    tenant_words(&dp, "guest", "host-share 25 prefix " GUEST "/128", true) <= 0)
		goto out;
	for (int i = 0; i < 10; i++) {
		sent += udp_flow(&fx, FX_H1_V6, (__u16)(30000 + i));
		sent += udp_flow(&fx, GUEST, (__u16)(40000 + i));
	}
	ASSERT_EQ(sent, 20, "every packet left");
	ASSERT_EQ(host_entries(&fx, FX_H1_V6), 8, "the home's host: the gateway's share, 8");
	ASSERT_EQ(host_entries(&fx, GUEST), 4, "the guest's host: its tenant's share, 4");
	ASSERT_TRUE(ct_event_count(skel, HEARTH_CT_EV_EVICT_OWN) > 0, "each gave way to its own");
	if (tenant_words(&dp, "guest", "host-share 50", false) <= 0)
		goto out;
	for (int i = 0; i < 10; i++)
		sent += udp_flow(&fx, GUEST, (__u16)(41000 + i));
	ASSERT_EQ(sent, 30, "every packet left");
	ASSERT_EQ(host_entries(&fx, GUEST), 8, "set to 50 at run time: 8");
	ASSERT_EQ(host_entries(&fx, FX_H1_V6), 8, "the home's host kept its 8");
out:
	hearth_dp_close(&dp);
	xdp_gateway__destroy(skel);
}
