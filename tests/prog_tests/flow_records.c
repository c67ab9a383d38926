// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Flow records (userspace/lib/flow*.c): a translated connection's record
 * from either half of its end, delta reports whose sum is what the data
 * plane counted (two periodic reports and an end; an end in two halves),
 * home addresses anonymized by prefix and by side while the remote end
 * stays, and a record as one line of JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "../lib/test.h"
#include "../../userspace/lib/config.h"
#include "../../userspace/lib/conntrack.h"
#include "../../userspace/lib/flow_json.h"
#include "../../userspace/lib/flow_privacy.h"
#include "../../userspace/lib/flow_reports.h"

#define HZ 250
#define T0_MS 1796083200000ull /* 2026-12-01T00:00:00Z */

static const struct hearth_flow_clock clock_ = { .jiffies = 0, .offset_ms = T0_MS, .hz = HZ };

static __be32 ip4(const char *text)
{
	struct in_addr a = {};

	inet_pton(AF_INET, text, &a);
	return a.s_addr;
}

/* home 192.168.1.10:40000 -> 203.0.113.10:443 (TCP), out as
 * 198.51.100.1:50000; its halves as the data plane writes them */
static void nat_conn(struct hearth_ct_slot *orig, struct hearth_ct_slot *reply)
{
	memset(orig, 0, sizeof(*orig));
	memset(reply, 0, sizeof(*reply));
	orig->key = (struct hearth_ct_key){ .proto = 6, .family = AF_INET,
					    .sport = htons(40000), .dport = htons(443) };
	orig->key.saddr.ip4 = ip4("192.168.1.10");
	orig->key.daddr.ip4 = ip4("203.0.113.10");
	reply->key = (struct hearth_ct_key){ .proto = 6, .family = AF_INET,
					     .sport = htons(443), .dport = htons(50000) };
	reply->key.saddr.ip4 = ip4("203.0.113.10");
	reply->key.daddr.ip4 = ip4("198.51.100.1");
	orig->e.peer = reply->key;
	reply->e.peer = orig->key;
	orig->e.dir = HEARTH_CT_ORIG;
	reply->e.dir = HEARTH_CT_REPLY;
	orig->e.side = HEARTH_CT_SIDE_HOME;
	reply->e.side = HEARTH_CT_SIDE_WAN;
	orig->e.tenant = reply->e.tenant = 2;
	orig->e.gen = 7;
	reply->e.gen = 9;
	orig->e.peer_gen = 9;
	reply->e.peer_gen = 7;
	orig->e.first_seen = reply->e.first_seen = 1000 * HZ; /* T0 + 1000 s */
}

static void set_counts(struct hearth_ct_slot *s, __u64 packets, __u64 bytes, __u64 last_s)
{
	s->e.packets = packets;
	s->e.bytes = bytes;
	s->e.last_seen = last_s * HZ;
}

TEST(flow_from_end_halves)
{
	struct hearth_ct_slot orig, reply;
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_CLOSED };
	struct hearth_flow f;

	nat_conn(&orig, &reply);
	set_counts(&orig, 10, 1500, 1002);
	set_counts(&reply, 8, 9000, 1003);
	orig.e.tcp_flags = 0x13; /* FIN SYN ACK */
	end.half[HEARTH_CT_REPLY] = reply;
	end.halves = 1 << HEARTH_CT_REPLY; /* the original half ended apart */
	hearth_flow_from_end(&f, &end, &clock_);
	ASSERT_EQ(f.saddr.ip4, ip4("192.168.1.10"), "the initiator, from the reply's peer key");
	ASSERT_EQ(ntohs(f.sport), 40000, "  and its port");
	ASSERT_EQ(f.xsaddr.ip4, ip4("198.51.100.1"), "translated source: the reply's destination");
	ASSERT_EQ(ntohs(f.xsport), 50000, "  and port");
	ASSERT_EQ(f.xdaddr.ip4, ip4("203.0.113.10"), "the remote, untranslated");
	ASSERT_TRUE(f.translated, "translated");
	ASSERT_EQ(f.side, HEARTH_CT_SIDE_HOME, "opened from home (the reply half is the WAN's)");
	ASSERT_EQ(f.packets[0], 0, "no original half: nothing counted that way");
	ASSERT_EQ(f.packets[1], 8, "the reply half's packets");
	ASSERT_EQ(f.bytes[1], 9000, "  and bytes");
	ASSERT_EQ(f.end_reason, HEARTH_FLOW_END_CLOSED, "closed");
	ASSERT_EQ(f.start_ms, T0_MS + 1000000, "start: the first packet");
	ASSERT_EQ(f.end_ms, T0_MS + 1003000, "end: the last");

	end.half[HEARTH_CT_ORIG] = orig;
	end.halves = 3;
	hearth_flow_from_end(&f, &end, &clock_);
	ASSERT_EQ(f.packets[0] + f.packets[1], 18, "both halves: both ways");
	ASSERT_EQ(f.tcp_flags[0], 0x13, "the initiator's TCP flags");
	ASSERT_EQ(f.tenant, 2, "the tenant");
}

/* A connection as hearth_ct_walk hands it over. */
static void live(struct hearth_conn *c, const struct hearth_ct_slot *orig,
		 const struct hearth_ct_slot *reply)
{
	memset(c, 0, sizeof(*c));
	c->key = orig->key;
	c->orig = orig->e;
	c->reply = reply->e;
}

TEST(flow_reports_deltas)
{
	struct hearth_flow_reports r;
	struct hearth_ct_slot orig, reply;
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_IDLE, .halves = 3 };
	struct hearth_flow f;
	struct hearth_conn c;
	__u64 sum[2] = {}, bytes[2] = {}, start = T0_MS + 1000000;

	if (!ASSERT_OK(hearth_flow_reports_init(&r, 16, 60), "rows for 16 sets"))
		return;
	nat_conn(&orig, &reply);
	set_counts(&orig, 100, 10000, 1030);
	set_counts(&reply, 50, 70000, 1030);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(!hearth_flow_reports_live(&r, &c, &clock_, start + 59000, &f),
		    "59 s old: no report yet");
	ASSERT_TRUE(hearth_flow_reports_live(&r, &c, &clock_, start + 61000, &f),
		    "61 s: its first report");
	hearth_flow_reports_walk_end(&r);
	ASSERT_EQ(f.end_reason, HEARTH_FLOW_END_ACTIVE, "active timeout");
	ASSERT_EQ(f.packets[0], 100, "everything so far");
	ASSERT_EQ(f.start_ms, start, "  since the first packet");
	for (int d = 0; d < 2; d++)
		sum[d] += f.packets[d], bytes[d] += f.bytes[d];

	set_counts(&orig, 130, 13000, 1080);
	set_counts(&reply, 60, 80000, 1080);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(!hearth_flow_reports_live(&r, &c, &clock_, start + 80000, &f),
		    "49 s after the report: not yet");
	ASSERT_TRUE(hearth_flow_reports_live(&r, &c, &clock_, start + 95000, &f), "then again");
	hearth_flow_reports_walk_end(&r);
	ASSERT_EQ(f.packets[0], 30, "only what came since the first report");
	ASSERT_EQ(f.bytes[1], 10000, "  both ways");
	ASSERT_EQ(f.start_ms, T0_MS + 1030000, "its span begins where the last one ended");
	for (int d = 0; d < 2; d++)
		sum[d] += f.packets[d], bytes[d] += f.bytes[d];

	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(!hearth_flow_reports_live(&r, &c, &clock_, start + 200000, &f),
		    "nothing moved: no report");
	hearth_flow_reports_walk_end(&r);

	set_counts(&orig, 131, 13040, 1100);
	set_counts(&reply, 61, 81000, 1100);
	end.half[HEARTH_CT_ORIG] = orig;
	end.half[HEARTH_CT_REPLY] = reply;
	hearth_flow_from_end(&f, &end, &clock_);
	hearth_flow_reports_end(&r, &end, &f);
	ASSERT_EQ(f.packets[0], 1, "the end: the rest");
	for (int d = 0; d < 2; d++)
		sum[d] += f.packets[d], bytes[d] += f.bytes[d];
	ASSERT_EQ(sum[0], 131, "the records add up to what the data plane counted");
	ASSERT_EQ(sum[1], 61, "  the other way too");
	ASSERT_EQ(bytes[0], 13040, "  in bytes");
	ASSERT_EQ(bytes[1], 81000, "  both ways");

	/* the same tuple opened again: a new generation, a new flow */
	orig.e.gen = 11;
	reply.e.peer_gen = 11;
	set_counts(&orig, 5, 500, 1200);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(hearth_flow_reports_live(&r, &c, &clock_, start + 300000, &f),
		    "the next connection on the tuple");
	hearth_flow_reports_walk_end(&r);
	ASSERT_EQ(f.packets[0], 5, "  counted from its own start");
	hearth_flow_reports_free(&r);
}

TEST(flow_reports_end_in_halves)
{
	struct hearth_flow_reports r;
	struct hearth_ct_slot orig, reply;
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_EVICTED };
	struct hearth_flow f;
	struct hearth_conn c;
	__u64 start = T0_MS + 1000000;

	if (!ASSERT_OK(hearth_flow_reports_init(&r, 16, 10), "rows"))
		return;
	nat_conn(&orig, &reply);
	set_counts(&orig, 20, 2000, 1011);
	set_counts(&reply, 10, 5000, 1011);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(hearth_flow_reports_live(&r, &c, &clock_, start + 12000, &f), "reported");
	hearth_flow_reports_walk_end(&r);

	set_counts(&orig, 25, 2500, 1020);
	set_counts(&reply, 12, 6000, 1020);
	end.half[HEARTH_CT_ORIG] = orig;
	end.halves = 1 << HEARTH_CT_ORIG;
	hearth_flow_from_end(&f, &end, &clock_);
	hearth_flow_reports_end(&r, &end, &f);
	ASSERT_EQ(f.packets[0], 5, "the original half's rest");
	ASSERT_EQ(f.packets[1], 0, "  nothing of the other");

	memset(&end, 0, sizeof(end));
	end.reason = HEARTH_CT_END_EVICTED;
	end.half[HEARTH_CT_REPLY] = reply;
	end.halves = 1 << HEARTH_CT_REPLY;
	hearth_flow_from_end(&f, &end, &clock_);
	hearth_flow_reports_end(&r, &end, &f);
	ASSERT_EQ(f.packets[1], 2, "the reply half, ending later, its rest: found by its peer's key and generation");
	ASSERT_EQ(f.bytes[1], 1000, "  in bytes");
	hearth_flow_reports_free(&r);
}

static const __u8 key32[32] = { 21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
				216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2 };

TEST(flow_anonymize_home_only)
{
	struct hearth_flow_privacy p;
	struct hearth_config cfg;
	struct hearth_ct_slot orig, reply;
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_IDLE, .halves = 3 };
	struct hearth_flow f, raw;

	hearth_config_defaults(&cfg);
	cfg.n_ifaces = 1;
	cfg.ifaces[0].role = HEARTH_ROLE_LAN;
	snprintf(cfg.ifaces[0].name, sizeof(cfg.ifaces[0].name), "lan-nothere");
	cfg.ifaces[0].n_prefixes = 1;
	hearth_prefix_parse("192.168.1.0/24", &cfg.ifaces[0].prefixes[0]);
	if (!ASSERT_OK(hearth_flow_privacy_init(&p, false, key32), "a key"))
		return;
	ASSERT_OK(hearth_flow_privacy_prefixes(&p, &cfg), "the home's prefixes");
	nat_conn(&orig, &reply);
	end.half[0] = orig;
	end.half[1] = reply;
	hearth_flow_from_end(&raw, &end, &clock_);
	f = raw;
	ASSERT_OK(hearth_flow_anonymize(&p, &f), "anonymized");
	ASSERT_TRUE(f.anonymized, "  and says so");
	ASSERT_NEQ(f.saddr.ip4, raw.saddr.ip4, "the home host's address changed");
	ASSERT_NEQ(f.xsaddr.ip4, raw.xsaddr.ip4, "the WAN address too (the home's end, by side)");
	ASSERT_EQ(f.daddr.ip4, raw.daddr.ip4, "the remote end kept");
	ASSERT_EQ(f.xdaddr.ip4, raw.xdaddr.ip4, "  after translation too");
	ASSERT_EQ(f.packets[0], raw.packets[0], "nothing else touched");

	/* two home hosts of one /24 keep their /24 in common */
	{
		struct hearth_flow g = raw;

		g.saddr.ip4 = ip4("192.168.1.77");
		ASSERT_OK(hearth_flow_anonymize(&p, &g), "another host");
		ASSERT_EQ(ntohl(g.saddr.ip4) >> 8, ntohl(f.saddr.ip4) >> 8, "the same /24 after");
		ASSERT_NEQ(ntohl(g.saddr.ip4) >> 1, ntohl(f.saddr.ip4) >> 1, "  and no more in common than before");
	}
	/* a flow from the WAN: its destination, before and after, is home */
	{
		struct hearth_flow w = raw;

		w.side = HEARTH_CT_SIDE_WAN;
		w.saddr.ip4 = ip4("203.0.113.99");
		w.daddr.ip4 = ip4("10.99.0.1"); /* in no home prefix: the side says */
		w.xdaddr.ip4 = ip4("192.168.1.10");
		ASSERT_OK(hearth_flow_anonymize(&p, &w), "from the WAN");
		ASSERT_EQ(w.saddr.ip4, ip4("203.0.113.99"), "the remote initiator kept");
		ASSERT_NEQ(w.daddr.ip4, ip4("10.99.0.1"), "its target (the home's end) anonymized");
		ASSERT_NEQ(w.xdaddr.ip4, ip4("192.168.1.10"), "  and after translation");
	}
	hearth_flow_privacy_free(&p);

	ASSERT_OK(hearth_flow_privacy_init(&p, true, key32), "privacy raw");
	f = raw;
	ASSERT_OK(hearth_flow_anonymize(&p, &f), "raw");
	ASSERT_TRUE(!f.anonymized && !memcmp(&f, &raw, sizeof(f)), "raw: nothing changed");
	hearth_flow_privacy_free(&p);
}

TEST(flow_json_line)
{
	struct hearth_ct_slot orig, reply;
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_EVICTED, .halves = 3 };
	struct hearth_flow f;
	struct json_object *o, *v;
	char line[HEARTH_FLOW_JSON_MAX];
	int len;

	nat_conn(&orig, &reply);
	set_counts(&orig, 3, 180, 1001);
	set_counts(&reply, 2, 120, 1001);
	orig.e.tcp_flags = 0x12;
	end.half[0] = orig;
	end.half[1] = reply;
	hearth_flow_from_end(&f, &end, &clock_);
	len = hearth_flow_json(&f, "guest", line, sizeof(line));
	ASSERT_TRUE(len > 0 && (size_t)len == strlen(line), "one line");
	ASSERT_TRUE(!strchr(line, '\n'), "  without a newline");
	o = json_tokener_parse(line);
	if (!ASSERT_TRUE(o != NULL, "whole JSON"))
		return;
	ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "src")), "192.168.1.10", "src");
	ASSERT_TRUE(json_object_object_get_ex(o, "nat", &v), "translated: a nat object");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(v, "src")), "198.51.100.1",
		     "  with the outside source");
	ASSERT_EQ(json_object_get_int(json_object_object_get(v, "sport")), 50000, "  and port");
	ASSERT_EQ(json_object_get_int64(json_object_object_get(o, "rev_bytes")), 120, "rev_bytes");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "tcp_flags")), "SA", "flags");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "end_reason")), "evicted", "reason");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "start")),
		     "2026-12-01T00:16:40.000Z", "start in UTC with milliseconds");
	ASSERT_STREQ(json_object_get_string(json_object_object_get(o, "tenant")), "guest", "tenant");
	json_object_put(o);
	ASSERT_EQ(hearth_flow_json(&f, "guest", line, 40), -ENOSPC, "too small a buffer: refused, not cut");
}

TEST(flow_reports_across_restarts)
{
	char path[] = "/tmp/hearth-reports-XXXXXX";
	struct hearth_flow_reports r, next;
	struct hearth_ct_slot orig, reply;
	struct hearth_flow f;
	struct hearth_conn c;
	__u64 start = T0_MS + 1000000;
	int fd = mkstemp(path);

	if (!ASSERT_TRUE(fd >= 0, "a file") || !ASSERT_OK(hearth_flow_reports_init(&r, 16, 10), "rows"))
		return;
	close(fd);
	nat_conn(&orig, &reply);
	set_counts(&orig, 20, 2000, 1011);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&r);
	ASSERT_TRUE(hearth_flow_reports_live(&r, &c, &clock_, start + 12000, &f), "reported");
	hearth_flow_reports_walk_end(&r);
	ASSERT_OK(hearth_flow_reports_save(&r, path), "a clean stop keeps it");

	hearth_flow_reports_init(&next, 16, 10);
	ASSERT_OK(hearth_flow_reports_load(&next, path), "the next start reads it");
	ASSERT_TRUE(access(path, F_OK) != 0, "  once");
	set_counts(&orig, 26, 2600, 1030);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&next);
	ASSERT_TRUE(hearth_flow_reports_live(&next, &c, &clock_, start + 40000, &f), "due again");
	hearth_flow_reports_walk_end(&next);
	ASSERT_EQ(f.packets[0], 6, "only what came since the report before the restart");
	hearth_flow_reports_free(&next);

	/* killed: nothing kept; the live connection counts from now on */
	hearth_flow_reports_init(&next, 16, 10);
	ASSERT_EQ(hearth_flow_reports_load(&next, path), -ENOENT, "nothing kept");
	hearth_flow_reports_adopt(&next, &c, &clock_, start + 40000);
	ASSERT_EQ(next.adopted, 1, "the live connection adopted");
	hearth_flow_reports_walk_begin(&next);
	ASSERT_TRUE(!hearth_flow_reports_live(&next, &c, &clock_, start + 45000, &f),
		    "its past is not reported again");
	hearth_flow_reports_walk_end(&next);
	set_counts(&orig, 30, 3000, 1060);
	live(&c, &orig, &reply);
	hearth_flow_reports_walk_begin(&next);
	ASSERT_TRUE(hearth_flow_reports_live(&next, &c, &clock_, start + 60000, &f), "then reported");
	hearth_flow_reports_walk_end(&next);
	ASSERT_EQ(f.packets[0], 4, "  from where it was adopted");
	hearth_flow_reports_free(&next);
	hearth_flow_reports_free(&r);
}
