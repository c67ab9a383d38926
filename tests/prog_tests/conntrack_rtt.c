// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Passive round-trip times (bpf/lib/ct_rtt.h): home1's IPv6 TCP
 * connection, its packets run with real pauses between them, gives the
 * handshake's two shares (SYN to SYN-ACK: the server's side; SYN-ACK to
 * ACK: home1's) and timestamp samples each way, each in its slot and in
 * the home's histograms toward the WAN and the home; a retransmitted SYN
 * gives no handshake sample (Karn), and with rtt off nothing is measured. */
#include <time.h>
#include <unistd.h>

#include "fw_common.h"

#define SPORT 41000
#define MS 1000u /* microseconds */

#define seg tcp_seg_ts

static void pause_ms(unsigned int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&t, NULL);
}

/* The directions that have samples, of every connection's record, in
 * @out. Returns how many. */
static int rtt_slots(struct xdp_gateway *skel, struct hearth_ct_rtt_dir *out, int max)
{
	int fd = bpf_map__fd(skel->maps.HEARTH_MAP_CTRTT), n = 0;
	__u32 entries = bpf_map__max_entries(skel->maps.HEARTH_MAP_CTRTT);
	struct hearth_ct_rtt r;

	for (__u32 i = 0; i < entries && n < max; i++) {
		if (bpf_map_lookup_elem(fd, &i, &r))
			continue;
		for (int d = 0; d < 2 && n < max; d++)
			if (r.dir[d].samples)
				out[n++] = r.dir[d];
	}
	return n;
}

/* The direction toward the WAN has the server's times (its handshake
 * share is SYN to SYN-ACK); toward home, home1's. */
static const struct hearth_ct_rtt_dir *toward(const struct hearth_ct_rtt_dir *r, int n,
					      __u32 lo_us, __u32 hi_us)
{
	for (int i = 0; i < n; i++)
		if (r[i].handshake_us >= lo_us && r[i].handshake_us <= hi_us)
			return &r[i];
	return NULL;
}

static __u64 hist_count(struct xdp_gateway *skel, __u32 index, __u32 *bucket_of_one)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_rtt_hist *h = calloc((size_t)ncpus, sizeof(*h));
	__u64 count = 0;

	*bucket_of_one = HEARTH_RTT_BUCKETS;
	if (h && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.HEARTH_MAP_RTTHIST), &index, h))
		for (int c = 0; c < ncpus; c++) {
			count += h[c].count;
			for (__u32 b = 0; b < HEARTH_RTT_BUCKETS; b++)
				if (h[c].bucket[b])
					*bucket_of_one = b;
		}
	free(h);
	return count;
}

TEST(conntrack_rtt_handshake_and_timestamps)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct hearth_ct_rtt_dir r[4];
	const struct hearth_ct_rtt_dir *wan, *home;
	__u32 bucket;
	int n;

	skel = fw_setup(&fx);
	if (!skel)
		return;
	seg(&fx, true, SPORT, 0x02, 0, 0, "SYN out");
	pause_ms(30); /* the server's side */
	seg(&fx, false, SPORT, 0x12, 0, 0, "SYN-ACK in");
	pause_ms(8); /* home1's side */
	seg(&fx, true, SPORT, 0x10, 0, 0, "ACK out: established");
	n = rtt_slots(skel, r, 4);
	ASSERT_EQ(n, 2, "both halves have a sample");
	wan = toward(r, n, 30 * MS, 80 * MS);
	home = toward(r, n, 8 * MS, 25 * MS);
	ASSERT_TRUE(wan != NULL, "SYN to SYN-ACK: 30 ms (the server's side, toward the WAN)");
	ASSERT_TRUE(home != NULL, "SYN-ACK to ACK: 8 ms (home1's side)");
	ASSERT_EQ(hist_count(skel, 0 * 2 + HEARTH_RTT_WAN, &bucket), 1, "the home's WAN histogram: one");
	ASSERT_TRUE(bucket >= 6 && bucket <= 8, "  in 25-100 ms");
	ASSERT_EQ(hist_count(skel, 0 * 2 + HEARTH_RTT_HOME, &bucket), 1, "its home histogram: one");
	ASSERT_TRUE(bucket >= 5 && bucket <= 6, "  in 5-25 ms");

	/* timestamps: out, TSval 100 (seen), 101 (timed), echoed 12 ms later */
	seg(&fx, true, SPORT, 0x18, 100, 9000, "data out, TSval 100");
	seg(&fx, true, SPORT, 0x18, 101, 9000, "data out, TSval 101: timed");
	pause_ms(12);
	seg(&fx, false, SPORT, 0x10, 9001, 101, "ACK in, TSecr 101");
	seg(&fx, false, SPORT, 0x18, 9002, 101, "data in, TSval 9002: timed");
	pause_ms(3);
	seg(&fx, true, SPORT, 0x10, 102, 9002, "ACK out, TSecr 9002");
	n = rtt_slots(skel, r, 4);
	wan = toward(r, n, 30 * MS, 80 * MS);
	home = toward(r, n, 8 * MS, 25 * MS);
	if (ASSERT_TRUE(wan && home, "the halves again")) {
		ASSERT_EQ(wan->samples, 2, "toward the WAN: the handshake and one timestamp");
		ASSERT_TRUE(wan->min_us >= 12 * MS && wan->min_us < 30 * MS,
			    "  its minimum: the 12 ms echo");
		ASSERT_EQ(home->samples, 2, "toward home: the handshake and one timestamp");
		ASSERT_TRUE(home->min_us >= 3 * MS && home->min_us < 8 * MS,
			    "  its minimum: the 3 ms echo");
		ASSERT_TRUE(wan->srtt_us > wan->min_us, "smoothed between the two");
	}
	/* an echo of a TSval that was not timed ends nothing */
	seg(&fx, false, SPORT, 0x10, 9003, 100, "ACK in, TSecr 100 (not timed)");
	n = rtt_slots(skel, r, 4);
	wan = toward(r, n, 30 * MS, 80 * MS);
	ASSERT_TRUE(wan && wan->samples == 2, "no sample from it");

	/* Karn: an answer to a retransmitted SYN times nothing */
	seg(&fx, true, SPORT + 1, 0x02, 0, 0, "SYN out");
	seg(&fx, true, SPORT + 1, 0x02, 0, 0, "SYN out again");
	seg(&fx, false, SPORT + 1, 0x12, 0, 0, "SYN-ACK in");
	ASSERT_EQ(rtt_slots(skel, r, 4), 2, "no sample from that handshake's SYN");
	xdp_gateway__destroy(skel);
}

TEST(conntrack_rtt_off)
{
	struct fixture fx;
	struct xdp_gateway *skel;
	struct hearth_ct_rtt_dir r[2];

	skel = gw_open(&fx);
	if (skel)
		skel->rodata->ct_rtt_on = 0;
	skel = fw_load(&fx, skel);
	if (!skel)
		return;
	seg(&fx, true, SPORT, 0x02, 0, 0, "SYN out");
	seg(&fx, false, SPORT, 0x12, 0, 0, "SYN-ACK in");
	seg(&fx, true, SPORT, 0x10, 100, 0, "ACK out");
	seg(&fx, true, SPORT, 0x18, 101, 0, "data out");
	seg(&fx, false, SPORT, 0x10, 5, 101, "ACK in");
	ASSERT_EQ(rtt_slots(skel, r, 2), 0, "rtt off: nothing measured");
	xdp_gateway__destroy(skel);
}
