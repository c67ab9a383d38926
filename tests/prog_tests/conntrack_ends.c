// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Counts stay true: a connection the data plane retires (evicted, or
 * expired and swept) reaches the ring of ends once, both halves in one
 * record, with the counts its per-CPU lines still held on every CPU; no
 * hearthd runs in these tests. */
#define _GNU_SOURCE
#include <sched.h>

#include "fw_common.h"

#define ENDS_MAX 64

struct ends {
	struct hearth_ct_end v[ENDS_MAX];
	int n;
};

static int end_kept(void *ctx, void *data, size_t size)
{
	struct ends *ends = ctx;

	if (size == sizeof(struct hearth_ct_end) && ends->n < ENDS_MAX)
		memcpy(&ends->v[ends->n++], data, size);
	return 0;
}

/* Everything in the ring now. */
static int ends_read(struct xdp_gateway *skel, struct ends *ends)
{
	struct ring_buffer *rb;
	int ret;

	ends->n = 0;
	rb = ring_buffer__new(bpf_map__fd(skel->maps.HEARTH_MAP_CTENDS), end_kept, ends, NULL);
	if (!rb)
		return -errno;
	ret = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return ret < 0 ? ret : ends->n;
}

/* The ends whose original half is @key. */
static int ends_of(const struct ends *ends, const struct hearth_ct_key *key,
		   const struct hearth_ct_end **first)
{
	int n = 0;

	for (int i = 0; i < ends->n; i++) {
		if (memcmp(&ends->v[i].half[HEARTH_CT_ORIG].key, key, sizeof(*key)))
			continue;
		if (!n++)
			*first = &ends->v[i];
	}
	return n;
}

/* The CPUs this test may run on, up to @max. */
static int cpus_allowed(int *cpus, int max)
{
	cpu_set_t set;
	int n = 0;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 0;
	for (int c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	return n;
}

static void run_on(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void run_anywhere(const int *cpus, int n)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	for (int i = 0; i < n; i++)
		CPU_SET(cpus[i], &set);
	sched_setaffinity(0, sizeof(set), &set);
}

#define RETRIES 3 /* SYNs sent again on each CPU */

/*
 * An unanswered SYN sent again from several CPUs, its later copies
 * counted in each CPU's line, is evicted by a new connection in its full
 * set: its end has every packet, though its entry had only the first.
 */
TEST(conntrack_ends_evicted)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup_table(&fx, SETS, HEARTH_CT_WAYS + 1);
	__u16 ports[HEARTH_CT_WAYS + 1];
	const struct hearth_ct_end *end = NULL;
	struct ends *ends = calloc(1, sizeof(*ends));
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	int cpus[8], ncpus = cpus_allowed(cpus, 8), sent = 1;
	__u64 one;

	if (!skel || !ASSERT_TRUE(ends && ncpus > 0, "set-up"))
		goto out;
	if (!ASSERT_EQ(same_set_ports(ports, HEARTH_CT_WAYS + 1, SETS), HEARTH_CT_WAYS + 1,
		       "ports of one set"))
		goto out;
	run_on(cpus[0]);
	tcp_seg(&fx, true, ports[0], 0x02, "SYN out");
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_TCP, ports[0], 5201);
	if (!ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "tracked"))
		goto out;
	one = e.bytes;
	for (int c = 0; c < ncpus; c++) {
		run_on(cpus[c]);
		for (int i = 0; i < RETRIES; i++, sent++)
			tcp_seg(&fx, true, ports[0], 0x02, "SYN again");
	}
	run_anywhere(cpus, ncpus);
	ASSERT_OK(hearth_ct_lookup(fx.ct_fd, &key, &e), "still tracked");
	ASSERT_TRUE(e.packets < (__u64)sent, "its entry lacks what its lines hold");
	for (int i = 1; i < HEARTH_CT_WAYS; i++) {
		tcp_seg(&fx, true, ports[i], 0x02, "SYN out");
		tcp_seg(&fx, false, ports[i], 0x12, "SYN-ACK in");
		tcp_seg(&fx, true, ports[i], 0x10, "ACK out");
	}
	if (!ASSERT_OK(ends_read(skel, ends) < 0, "ring read"))
		goto out;
	ASSERT_EQ(ends_of(ends, &key, &end), 0, "no end before it is evicted");
	tcp_seg(&fx, true, ports[HEARTH_CT_WAYS], 0x02, "a new SYN into the full set");
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_EVICT_CLOSED), 1, "the unanswered SYN evicted");
	ASSERT_TRUE(hearth_ct_lookup(fx.ct_fd, &key, &e) != 0, "gone from the table");
	if (!ASSERT_TRUE(ends_read(skel, ends) >= 0, "ring read") ||
	    !ASSERT_EQ(ends_of(ends, &key, &end), 1, "one end"))
		goto out;
	ASSERT_EQ(end->reason, HEARTH_CT_END_EVICTED, "ended by eviction");
	ASSERT_EQ(end->halves, 3, "both halves in it");
	ASSERT_EQ(end->half[HEARTH_CT_ORIG].e.packets, sent, "every packet out, from every CPU");
	ASSERT_EQ(end->half[HEARTH_CT_ORIG].e.bytes, sent * one, "every byte out");
	ASSERT_EQ(end->half[HEARTH_CT_REPLY].e.packets, 0, "nothing answered");
	ASSERT_EQ(end->half[HEARTH_CT_ORIG].e.tcp_flags, 0x02, "SYNs only");
out:
	free(ends);
	xdp_gateway__destroy(skel);
}

/* One UDP flow of home1 from @sport, out on the LAN or its answer in. */
static void udp_seg(struct fixture *fx, bool out, __u16 sport, const char *what)
{
	struct pkt_spec s;

	if (out) {
		s = lan_spec(fx, AF_INET6, FX_SERVER_V6);
		s.sport = sport;
	} else {
		s = wan_spec(fx, AF_INET6, FX_H1_V6, IPPROTO_UDP, 5201, sport);
	}
	expect_spec(fx, out ? fx->lan : fx->wan, &s, XDP_REDIRECT, HEARTH_CNT_FORWARD, what);
}

/* Ages both halves of home1's UDP flow from @sport by @s seconds. */
static bool udp_age(struct fixture *fx, __u16 sport, __u64 s)
{
	struct hearth_ct_key key;
	struct hearth_ct_entry e;
	bool ok = true;

	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, sport, 5201);
	for (int half = 0; half < 2 && ok; half++) {
		ok = !hearth_ct_lookup(fx->ct_fd, &key, &e);
		if (ok) {
			e.active -= s * hearth_kernel_hz();
			ok = !hearth_ct_update(fx->ct_fd, &key, &e);
		}
		key = e.peer;
	}
	return ok;
}

#define FLOW 40000

/*
 * A UDP flow answered from several CPUs expires; the sweep (a table of
 * one set) frees one half and retires the connection: one end, idle, with
 * both halves' counts, lines included. The other half, freed by the next
 * sweep, ends nothing a second time.
 */
TEST(conntrack_ends_swept)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup_table(&fx, 1, HEARTH_CT_WAYS + 1);
	const struct hearth_ct_end *end = NULL;
	struct ends *ends = calloc(1, sizeof(*ends));
	int cpus[8], ncpus = cpus_allowed(cpus, 8), out = 0, in = 0;
	struct hearth_ct_key key;
	__u16 sport = 41000;

	if (!skel || !ASSERT_TRUE(ends && ncpus > 0, "set-up"))
		goto out;
	for (int c = 0; c < ncpus; c++) {
		run_on(cpus[c]);
		udp_seg(&fx, true, FLOW, "UDP out");
		udp_seg(&fx, true, FLOW, "UDP out");
		udp_seg(&fx, false, FLOW, "its answer");
		out += 2;
		in += 1;
	}
	if (!ASSERT_TRUE(udp_age(&fx, FLOW, 200), "both halves idle 200 s"))
		goto out;
	/* four new flows on the first CPU (which opened the flow: two
	 * openings so far), each from a port whose line is not the flow's:
	 * its sweep comes at its 5th and 9th opening */
	run_on(cpus[0]);
	key6(&key, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, FLOW, 5201);
	for (int i = 0; i < 4; sport++) {
		struct hearth_ct_key k, r;

		key6(&k, FX_H1_V6, FX_SERVER_V6, IPPROTO_UDP, sport, 5201);
		key6(&r, FX_SERVER_V6, FX_H1_V6, IPPROTO_UDP, 5201, sport);
		if (hearth_ct_l1_index(&k) == hearth_ct_l1_index(&key) ||
		    hearth_ct_l1_index(&r) == hearth_ct_l1_index(&key))
			continue;
		udp_seg(&fx, true, sport, "a new flow");
		i++;
	}
	ASSERT_EQ(ct_event_count(skel, HEARTH_CT_EV_SWEPT), 2, "both halves swept");
	if (!ASSERT_TRUE(ends_read(skel, ends) >= 0, "ring read") ||
	    !ASSERT_EQ(ends_of(ends, &key, &end), 1, "one end, not one per half"))
		goto out;
	ASSERT_EQ(end->reason, HEARTH_CT_END_IDLE, "ended idle");
	ASSERT_EQ(end->halves, 3, "both halves in it");
	ASSERT_EQ(end->half[HEARTH_CT_ORIG].e.packets, out, "every packet out");
	ASSERT_EQ(end->half[HEARTH_CT_REPLY].e.packets, in, "every answer");
	run_anywhere(cpus, ncpus);
out:
	free(ends);
	xdp_gateway__destroy(skel);
}
