// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The checks that make an xdp_bench figure trustworthy: before the trials,
 * the bench programs do what the production program does; around every
 * trial, counters, FIB cache, connection table and tenant meter show that
 * each repeat took the path the scenario names. Any failure is loud.
 */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../tests/lib/pkt.h"
#include "xdp_bench.h"

/* after xdp_bench.h: the skeleton uses bench_gateway.h's types */
#include "bench_gateway.skel.h"

/* Loud on purpose: a figure for the wrong path is worse than none. */
int bench_fail(const char *what, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "xdp_bench: FAILED %s: ", what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return -EPROTO;
}

/* Packets counted for the home in @dir, over all CPUs. */
static __u64 home_packets(struct bench *b, enum hearth_dir dir)
{
	struct hearth_tenant_counters c;

	return hearth_tenant_counters(&b->dp, HEARTH_TENANT_HOME, dir, &c) ? 0 : c.packets;
}

static void new_key(const struct bench *b, __u32 i, struct hearth_ct_key *key)
{
	*key = b->est_orig;
	key->sport = htons((__u16)(NEW_PORT_BASE + i));
}

/* Entries in the connection table; stops counting at @max. */
__u32 bench_ct_count(struct bench *b, __u32 max)
{
	int n = hearth_ct_entries(&b->dp);
	return n < 0 ? 0 : (__u32)n < max ? (__u32)n : max;
}

/* Deletes the mapping a new connection made: its port kept, so the same
 * port is public, and the permission for its destination. */
static int delete_mapping(struct bench *b, const struct hearth_ct_key *key)
{
	int fd = b->dp.map_fd[HEARTH_DP_NATMAP];
	struct hearth_nat_map_key out = { .addr = key->saddr.ip4, .port = key->sport,
					  .proto = key->proto, .kind = HEARTH_NATMAP_OUT };
	struct hearth_nat_map_key in = { .port = key->sport, .proto = key->proto,
					 .kind = HEARTH_NATMAP_IN };
	struct hearth_nat_map_key permit = { .addr = key->daddr.ip4, .port = key->sport,
					     .proto = key->proto,
					     .kind = HEARTH_NATMAP_PERMIT };

	return bpf_map_delete_elem(fd, &out) || bpf_map_delete_elem(fd, &in) ||
	       bpf_map_delete_elem(fd, &permit);
}

/*
 * The connections that the new-connection prologue opened in a run of @n
 * repeats, one per source port: each must be in the table with one packet,
 * its own port kept, and its reply entry, and its mapping. Deletes them
 * all; the table must then hold the established connection's 2 entries
 * and nothing else.
 */
int bench_ct_new_collect(struct bench *b, const char *what, __u32 n)
{
	__u32 left;

	for (__u32 i = 0; i < n; i++) {
		struct hearth_ct_key key;
		struct hearth_ct_entry e, r;

		new_key(b, i, &key);
		if (hearth_ct_lookup(b->fx.ct_fd, &key, &e))
			return bench_fail(what, "connection %u of %u (port %u) is not in the table",
					  i + 1, n, NEW_PORT_BASE + i);
		if (e.packets != 1 || e.dir != HEARTH_CT_ORIG ||
		    e.nat != HEARTH_CT_NAT_SRC || e.nat_sport != key.sport)
			return bench_fail(what,
					  "connection %u: %llu packets, dir %u, nat %u, port %u: want 1 packet, original, source NAT, port kept",
					  i + 1, (unsigned long long)e.packets, e.dir, e.nat,
					  ntohs(e.nat_sport));
		if (hearth_ct_lookup(b->fx.ct_fd, &e.peer, &r) ||
		    r.dir != HEARTH_CT_REPLY || r.packets != 0)
			return bench_fail(what, "connection %u: reply entry missing or used", i + 1);
		if (hearth_ct_delete(b->fx.ct_fd, &e.peer) ||
		    hearth_ct_delete(b->fx.ct_fd, &key))
			return bench_fail(what, "deleting connection %u: %s", i + 1,
					  strerror(errno));
		if (delete_mapping(b, &key))
			return bench_fail(what, "connection %u: its mapping (OUT, IN, PERMIT) is not in the table",
					  i + 1);
	}
	left = bench_ct_count(b, 1000);
	if (left != 2)
		return bench_fail(what,
				  "%u entries left after deleting the %u new connections, want 2: a repeat opened something else",
				  left, n);
	return 0;
}

struct conn_find {
	const struct hearth_ct_key *key;
	__u64 orig_packets, reply_packets;
	bool found;
};

static int match_conn(const struct hearth_conn *c, void *arg)
{
	struct conn_find *cf = arg;

	if (memcmp(&c->key, cf->key, sizeof(c->key)))
		return 0;
	cf->orig_packets = c->orig.packets;
	cf->reply_packets = c->reply.packets;
	cf->found = c->reply.dir == HEARTH_CT_REPLY;
	return 1;
}

/* The connection's counts as hearthd reports them: the table's plus what
 * the per-CPU lines have not handed over yet. */
static int conn_counts(struct bench *b, __u64 *orig, __u64 *reply)
{
	struct bpf_map *l1 = bpf_object__find_map_by_name(b->fx.obj,
							  HEARTH_STR(HEARTH_MAP_CTL1));
	struct conn_find cf = { .key = &b->est_orig };
	struct hearth_dp dp;

	memset(&dp, 0, sizeof(dp));
	dp.map_fd[HEARTH_DP_CT] = b->fx.ct_fd;
	dp.map_fd[HEARTH_DP_CTL1] = l1 ? bpf_map__fd(l1) : -1;
	hearth_ct_walk(&dp, match_conn, &cf);
	*orig = cf.orig_packets;
	*reply = cf.reply_packets;
	return cf.found ? 0 : -ENOENT;
}

int bench_snapshot(struct bench *b, const struct scenario *s, struct snapshot *sn)
{
	const struct frame *f = &b->frames[s->frame];

	memset(sn, 0, sizeof(*sn));
	if (s->counter >= 0)
		sn->counter = fixture_counter(&b->fx, f->ingress, s->counter);
	if (s->counter == HEARTH_CNT_FORWARD)
		sn->tx = fixture_counter(&b->fx, f->egress, HEARTH_CNT_TX);
	if (s->tenant != TN_OFF)
		sn->tenant_packets = home_packets(b, s->frame == FRAME_UDP4_IN ?
							     HEARTH_DIR_DOWN : HEARTH_DIR_UP);
	if (s->cache != CACHE_NA)
		sn->cached = !bpf_map_lookup_elem(b->fx.fib_fd, &f->key, &sn->entry);
	if (s->ct == CT_NA)
		return 0;
	if (conn_counts(b, &sn->orig_packets, &sn->reply_packets))
		return bench_fail(s->key, "the established connection left the table");
	/* after nat_new's run the table is counted by ct_new_collect */
	sn->ct_entries = bench_ct_count(b, 1000);
	return 0;
}

static int verify_ct(struct bench *b, const struct scenario *s,
		     const struct snapshot *pre, const struct snapshot *post)
{
	__u64 want = bench_repeats_of(b, s);
	__u64 d_orig = post->orig_packets - pre->orig_packets;
	__u64 d_reply = post->reply_packets - pre->reply_packets;

	if (pre->ct_entries != 2)
		return bench_fail(s->key, "%u entries in the table before the trial, want 2",
				  pre->ct_entries);
	switch (s->ct) {
	case CT_HIT_ORIG:
		if (d_orig != want || d_reply)
			return bench_fail(s->key,
					  "the connection counted %llu packets out and %llu in, want %llu and 0",
					  (unsigned long long)d_orig,
					  (unsigned long long)d_reply, (unsigned long long)want);
		break;
	case CT_HIT_REPLY:
		if (d_reply != want || d_orig)
			return bench_fail(s->key,
					  "the connection counted %llu packets in and %llu out, want %llu and 0",
					  (unsigned long long)d_reply,
					  (unsigned long long)d_orig, (unsigned long long)want);
		break;
	case CT_NEW:
		if (d_orig || d_reply)
			return bench_fail(s->key, "the established connection was used");
		return bench_ct_new_collect(b, s->key, (__u32)want);
	default:
		return 0;
	}
	if (post->ct_entries != 2)
		return bench_fail(s->key, "%u entries in the table after the trial, want 2",
				  post->ct_entries);
	return 0;
}

int bench_verify(struct bench *b, const struct scenario *s,
		 const struct snapshot *pre, const struct snapshot *post)
{
	__u64 want = bench_repeats_of(b, s);

	if (s->counter >= 0 && post->counter - pre->counter != want)
		return bench_fail(s->key,
				  "counter %d of the ingress moved by %llu, want %llu: not every repeat took this path",
				  s->counter, (unsigned long long)(post->counter - pre->counter),
				  (unsigned long long)want);
	if (s->counter == HEARTH_CNT_FORWARD && post->tx - pre->tx != want)
		return bench_fail(s->key, "xmit counter of the egress moved by %llu, want %llu",
				  (unsigned long long)(post->tx - pre->tx),
				  (unsigned long long)want);
	if (s->cache == CACHE_HIT &&
	    (!pre->cached || !post->cached ||
	     memcmp(&pre->entry, &post->entry, sizeof(pre->entry))))
		return bench_fail(s->key,
				  "the cached decision was missing or refreshed: some packets missed the cache");
	if (s->cache == CACHE_OFF && (pre->cached || post->cached))
		return bench_fail(s->key, "a decision was cached although the cache is off");
	if (s->tenant != TN_OFF && post->tenant_packets - pre->tenant_packets != want)
		return bench_fail(s->key, "the home's meter moved by %llu, want %llu",
				  (unsigned long long)(post->tenant_packets - pre->tenant_packets),
				  (unsigned long long)want);
	return s->ct == CT_NA ? 0 : verify_ct(b, s, pre, post);
}

/*
 * The bench programs must behave as the production program: same action
 * and same frame out, also after repeats that each started from the
 * previous repeat's rewrite. bench_gw_tick's frame differs in its TSval,
 * which must have moved, and nothing else.
 */
static int check_same(struct bench *b, int idx)
{
	const struct scenario *s = &scenarios[idx];
	const struct frame *f = &b->frames[s->frame];
	int plain = bpf_program__fd(b->gw->progs.HEARTH_PROG_XDP_GATEWAY);
	struct run want, got;
	int ret;

	ret = bench_scenario_settings(b, s);
	if (!ret)
		ret = bench_prog_run(b, plain, f, 1, &want);
	if (!ret)
		ret = bench_prog_run(b, b->prog_fd[s->prog], f, 3, &got);
	if (ret)
		return bench_fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	if (s->prog == PROG_GATEWAY_TICK && want.out_len == got.out_len &&
	    want.out_len >= BENCH_TCP6_TSVAL_OFF + 4) {
		if (!memcmp(want.out + BENCH_TCP6_TSVAL_OFF, got.out + BENCH_TCP6_TSVAL_OFF, 4))
			return bench_fail(s->key, "%s left the TSval as it was", prog_names[s->prog]);
		memcpy(got.out + BENCH_TCP6_TSVAL_OFF, want.out + BENCH_TCP6_TSVAL_OFF, 4);
	}
	if (want.retval != got.retval || want.out_len != got.out_len ||
	    memcmp(want.out, got.out, want.out_len))
		return bench_fail(s->key, "%s does not do what %s does", prog_names[s->prog],
				  HEARTH_STR(HEARTH_PROG_XDP_GATEWAY));
	if (s->nat && (!pkt_ipv4_hdr_csum_ok(got.out + ETH_HLEN) ||
		       !pkt_l4_csum_ok(got.out, got.out_len, ETH_HLEN)))
		return bench_fail(s->key, "the translated frame has a wrong checksum");
	return 0;
}

/* bench_nat_new, 3 repeats: 3 new connections, the last frame translated
 * from the third port, with valid checksums. */
static int check_new(struct bench *b)
{
	const struct scenario *s = &scenarios[SC_NAT_NEW];
	__u8 wan[4];
	struct run r;
	int ret;

	ret = bench_scenario_settings(b, s);
	if (!ret)
		ret = bench_prog_run(b, b->prog_fd[s->prog], &b->frames[s->frame], 3, &r);
	if (ret)
		return bench_fail(s->key, "BPF_PROG_TEST_RUN: %s", strerror(-ret));
	inet_pton(AF_INET, FX_WAN_V4, wan);
	if (r.retval != XDP_REDIRECT || memcmp(r.out + ETH_HLEN + 12, wan, 4) ||
	    ((r.out[ETH_HLEN + 20] << 8) | r.out[ETH_HLEN + 21]) != NEW_PORT_BASE + 2 ||
	    !pkt_ipv4_hdr_csum_ok(r.out + ETH_HLEN) ||
	    !pkt_l4_csum_ok(r.out, r.out_len, ETH_HLEN))
		return bench_fail(s->key,
				  "after 3 repeats the frame is not the third connection, translated, with valid checksums");
	return bench_ct_new_collect(b, s->key, 3);
}

int bench_checks(struct bench *b)
{
	int ret = 0;

	for (int i = 0; !ret && i < SC_COUNT; i++)
		if (bench_in_suite(b, i) && (scenarios[i].prog == PROG_GATEWAY ||
					     scenarios[i].prog == PROG_GATEWAY_TICK ||
					     scenarios[i].prog == PROG_NAT_GW))
			ret = check_same(b, i);
	if (!ret && bench_in_suite(b, SC_NAT_NEW))
		ret = check_new(b);
	return ret;
}
