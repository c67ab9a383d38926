// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Chute isolation (bpf/lib/isolate.h): a chute reaches the internet and the
 * gateway, never the home or another chute on its own; a home connection
 * into a chute lets exactly its replies back, until challow_jiffies after
 * the home's last packet. The maps are written as hearthd and the chute
 * runtime write them: the configuration file through hearth_config_load()
 * and hearth_isolate_sync() (and the NAT calls), the chutes flag through
 * hearth_dp_update_flags(). Only the chutes' interfaces are registered by
 * the fixture, as it registers lan0 and wan0.
 */
#include <bpf/bpf.h>
#include <time.h>
#include <unistd.h>

#include "gw_common.h"
#include "../../userspace/lib/config.h"
#include "../../userspace/lib/dataplane.h"
#include "../../userspace/lib/dpstate.h"
#include "../../userspace/lib/ifaces.h"
#include "../../userspace/lib/isolate.h"
#include "../../userspace/lib/kclock.h"
#include "../../userspace/lib/nat.h"

#define L3 ETH_HLEN
#define CHUTE_A 0
#define CHUTE_B 1
#define CHUTE_PORT 80 /* a service in the chute */
#define HOME_PORT 40000 /* the home host's end */
#define ECHO_ID 0x4242

enum iso_opts {
	ISO_CHUTES = 1 << 0, /* hc-a and hc-b registered with the chute role */
	ISO_FLAG = 1 << 1, /* HEARTH_STATE_CHUTES, set while chutes run */
	ISO_NAT = 1 << 2, /* nat masquerade */
};

struct iso_fx {
	struct fixture fx;
	struct xdp_gateway *skel;
	struct hearth_dp dp;
	struct hearth_config cfg;
};

/* hearth.conf as an operator with chutes writes it, loaded as hearthd
 * loads it. */
static bool load_config(struct hearth_config *cfg, bool nat)
{
	char path[] = "/tmp/hearth-iso-XXXXXX", text[256];
	struct hearth_err err = {};
	int fd, len, ret;

	len = snprintf(text, sizeof(text),
		       "wan wan0\nlan lan0 192.168.1.0/24 2001:db8:1::/64\nchute-pool %s\n%s",
		       FX_CHUTE_POOL, nat ? "nat masquerade\n" : "");
	fd = mkstemp(path);
	if (!ASSERT_TRUE(fd >= 0, "mkstemp"))
		return false;
	ret = write(fd, text, (size_t)len) == len ? 0 : -1;
	close(fd);
	if (ASSERT_OK(ret, "write the configuration"))
		ret = hearth_config_load(path, cfg, &err);
	unlink(path);
	return ASSERT_OK(ret, err.msg[0] ? err.msg : "hearth_config_load");
}

/* The NAT settings as hearthd's sync_nat() writes them. */
static bool nat_apply(struct iso_fx *t)
{
	struct hearth_err err = {};
	struct in_addr wan;

	inet_pton(AF_INET, FX_WAN_V4, &wan);
	return ASSERT_OK(hearth_nat_inside_sync(&t->dp, &t->cfg), "hearth_nat_inside_sync") &&
	       ASSERT_OK(hearth_nat_apply(&t->dp, &t->cfg, (__u32)t->fx.wan, wan.s_addr, &err),
			 err.msg[0] ? err.msg : "hearth_nat_apply");
}

static bool iso_wire(struct iso_fx *t, unsigned int opts)
{
	__u32 flag = opts & ISO_FLAG ? HEARTH_STATE_CHUTES : 0;

	if (!ASSERT_OK(hearth_dp_from_object(&t->dp, t->skel->obj), "the maps") ||
	    !load_config(&t->cfg, opts & ISO_NAT) ||
	    !ASSERT_OK(hearth_isolate_sync(&t->dp, &t->cfg), "hearth_isolate_sync"))
		return false;
	if ((opts & ISO_NAT) && !nat_apply(t))
		return false;
	if ((opts & ISO_CHUTES) && !ASSERT_OK(fixture_add_chutes(&t->fx), "the chutes"))
		return false;
	return ASSERT_OK(hearth_dp_update_flags(&t->dp, HEARTH_STATE_CHUTES, flag),
			 "the chutes flag");
}

/* Loads @skel (from gw_open(), load-time settings made) and wires it. */
static bool iso_finish(struct iso_fx *t, struct xdp_gateway *skel, unsigned int opts)
{
	t->skel = gw_load(&t->fx, skel);
	if (!t->skel)
		return false;
	if (iso_wire(t, opts))
		return true;
	xdp_gateway__destroy(t->skel);
	return false;
}

static bool iso_setup(struct iso_fx *t, unsigned int opts)
{
	return iso_finish(t, gw_open(&t->fx), opts);
}

static const char *chute_addr(int c)
{
	return c == CHUTE_A ? FX_CHUTE_A_V4 : FX_CHUTE_B_V4;
}

/* A frame from chute @c, answering from CHUTE_PORT to HOME_PORT (for
 * ICMP, an echo request with ECHO_ID). */
static struct pkt_spec chute_spec(struct iso_fx *t, int c, __u8 proto, const char *dst)
{
	struct pkt_spec s = {
		.family = AF_INET, .src = chute_addr(c), .dst = dst, .proto = proto,
		.payload = 32,
	};

	s.sport = proto == IPPROTO_ICMP ? ECHO_ID : CHUTE_PORT;
	s.dport = HOME_PORT;
	memcpy(s.dmac, t->fx.chute_gw_mac[c], 6);
	memcpy(s.smac, t->fx.chute_mac[c], 6);
	return s;
}

/* h1 opening a connection to chute @c (TCP SYN, UDP, ICMP echo request). */
static struct pkt_spec home_spec(struct iso_fx *t, int c, __u8 proto)
{
	struct pkt_spec s = lan_spec(&t->fx, AF_INET, chute_addr(c));

	s.proto = proto;
	s.sport = proto == IPPROTO_ICMP ? ECHO_ID : HOME_PORT;
	s.dport = CHUTE_PORT;
	return s;
}

/* Chute @c's answer to home_spec() (SYN-ACK, UDP, echo reply). */
static struct pkt_spec reply_to_home(struct iso_fx *t, int c, __u8 proto)
{
	struct pkt_spec s = chute_spec(t, c, proto, FX_H1_V4);

	s.tcp_flags = 0x12; /* SYN-ACK */
	s.echo_reply = true;
	return s;
}

/* The key HEARTH_MAP_CHALLOW holds for the reply @s. */
static struct hearth_ct_key allow_key(const struct pkt_spec *s)
{
	struct hearth_ct_key key = { .family = AF_INET, .proto = s->proto };

	inet_pton(AF_INET, s->src, &key.saddr.ip4);
	inet_pton(AF_INET, s->dst, &key.daddr.ip4);
	if (s->proto == IPPROTO_ICMP) {
		key.dport = htons(s->sport); /* an echo reply's id is its dport */
	} else {
		key.sport = htons(s->sport);
		key.dport = htons(s->dport);
	}
	return key;
}

/* bpf_jiffies64() when the home last opened the way for reply @s; 0 if
 * it never did. */
static __u64 opened_at(struct iso_fx *t, const struct pkt_spec *s)
{
	struct hearth_ct_key key = allow_key(s);
	__u64 when = 0;

	bpf_map_lookup_elem(t->dp.map_fd[HEARTH_DP_CHALLOW], &key, &when);
	return when;
}

static int allow_entries(struct iso_fx *t)
{
	return hearth_map_count(t->dp.map_fd[HEARTH_DP_CHALLOW], sizeof(struct hearth_ct_key));
}

static __u64 isolated(struct iso_fx *t, int ifindex)
{
	return fixture_counter(&t->fx, ifindex, HEARTH_CNT_DROP_CHUTE_ISOLATED);
}

/* @s in on @in ends on counter @id with @verdict (expect_verdict()), and
 * the chute-isolated counter moves only when that is @id. */
static bool ends(struct iso_fx *t, int in, const struct pkt_spec *s, __u32 verdict, int id,
		 const char *what)
{
	__u8 frame[FRAME_MAX];
	__u32 len = (__u32)pkt_build(s, frame, sizeof(frame));
	__u64 before = isolated(t, in);
	char msg[160];
	bool ok;

	ok = expect_verdict(&t->fx, in, frame, len, verdict, id, what);
	if (id != HEARTH_CNT_DROP_CHUTE_ISOLATED) {
		snprintf(msg, sizeof(msg), "%s: chute-isolated unchanged", what);
		ok &= ASSERT_EQ(isolated(t, in) - before, 0, msg);
	}
	return ok;
}

static bool dropped(struct iso_fx *t, int c, const struct pkt_spec *s, const char *what)
{
	return ends(t, t->fx.chute[c], s, XDP_DROP, HEARTH_CNT_DROP_CHUTE_ISOLATED, what);
}

/* @s in on @in is forwarded by XDP out of @out to @dmac, and isolation
 * counted nothing. Returns the frame as it left in @got (FRAME_MAX). */
static bool forwarded_frame(struct iso_fx *t, int in, const struct pkt_spec *s, int out,
			    const __u8 *dmac, __u8 *got, const char *what)
{
	__u64 fwd = fixture_counter(&t->fx, in, HEARTH_CNT_FORWARD);
	__u64 tx = fixture_counter(&t->fx, out, HEARTH_CNT_TX);
	__u64 iso = isolated(t, in);
	__u32 len;
	char msg[160];
	bool ok;

	snprintf(msg, sizeof(msg), "%s: forwarded by XDP", what);
	ok = ASSERT_EQ(run_spec(&t->fx, in, s, got, &len), XDP_REDIRECT, msg);
	snprintf(msg, sizeof(msg), "%s: to the next hop", what);
	ok &= ASSERT_MEMEQ(got, dmac, 6, msg);
	snprintf(msg, sizeof(msg), "%s: forward counted on ingress", what);
	ok &= ASSERT_EQ(fixture_counter(&t->fx, in, HEARTH_CNT_FORWARD) - fwd, 1, msg);
	snprintf(msg, sizeof(msg), "%s: sent by the expected interface", what);
	ok &= ASSERT_EQ(fixture_counter(&t->fx, out, HEARTH_CNT_TX) - tx, 1, msg);
	snprintf(msg, sizeof(msg), "%s: chute-isolated unchanged", what);
	ok &= ASSERT_EQ(isolated(t, in) - iso, 0, msg);
	return ok;
}

static bool forwarded(struct iso_fx *t, int in, const struct pkt_spec *s, int out,
		      const __u8 *dmac, const char *what)
{
	__u8 got[FRAME_MAX];

	return forwarded_frame(t, in, s, out, dmac, got, what);
}

static const __u8 protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP };

static const char *proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "TCP" : proto == IPPROTO_UDP ? "UDP" : "ICMP echo";
}

/* The fixture's chutes are where the library's pool arithmetic puts
 * chutes 0 and 1; the rest of this file relies on it. */
TEST(isolate_fixture_matches_pool)
{
	struct hearth_prefix pool;
	struct in_addr a, b, gw;

	ASSERT_OK(hearth_prefix_parse(FX_CHUTE_POOL, &pool), "pool");
	inet_pton(AF_INET, FX_CHUTE_A_V4, &a);
	inet_pton(AF_INET, FX_CHUTE_B_V4, &b);
	inet_pton(AF_INET, FX_CHUTE_A_GW_V4, &gw);
	ASSERT_EQ(hearth_chute_pool_addr(&pool, 0, 2), a.s_addr, "chute a is chute 0");
	ASSERT_EQ(hearth_chute_pool_addr(&pool, 1, 2), b.s_addr, "chute b is chute 1");
	ASSERT_EQ(hearth_chute_pool_addr(&pool, 0, 1), gw.s_addr, "the gateway's end of a");
	ASSERT_EQ(hearth_chute_pool_size(&pool), 64, "a /24 holds 64 chutes");
}

/* Home hosts, the gateway's own home address and the home's broadcast:
 * dropped on the chute's interface, one count each, nothing sent home. */
TEST(isolate_chute_to_home_dropped)
{
	static const char *const home[] = { FX_H1_V4, FX_H2_V4, "192.168.1.1",
					    "192.168.1.255" };
	struct iso_fx t;
	char what[96];

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	for (size_t i = 0; i < sizeof(protos); i++) {
		for (size_t h = 0; h < sizeof(home) / sizeof(home[0]); h++) {
			struct pkt_spec s = chute_spec(&t, CHUTE_A, protos[i], home[h]);

			snprintf(what, sizeof(what), "%s to %s", proto_name(protos[i]), home[h]);
			dropped(&t, CHUTE_A, &s, what);
		}
	}
	ASSERT_EQ(isolated(&t, t.fx.chute[CHUTE_A]), 12, "chute-isolated: every packet once");
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.lan, HEARTH_CNT_TX), 0, "nothing sent home");
	ASSERT_EQ(isolated(&t, t.fx.chute[CHUTE_B]), 0, "counted on the sender's interface");
	xdp_gateway__destroy(t.skel);
}

/* Another chute, either way, and pool addresses no chute has yet. */
TEST(isolate_chute_to_chute_dropped)
{
	struct iso_fx t;
	char what[96];

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	for (size_t i = 0; i < sizeof(protos); i++) {
		struct pkt_spec s = chute_spec(&t, CHUTE_A, protos[i], FX_CHUTE_B_V4);

		snprintf(what, sizeof(what), "%s from a to b", proto_name(protos[i]));
		dropped(&t, CHUTE_A, &s, what);
		s = chute_spec(&t, CHUTE_B, protos[i], FX_CHUTE_A_V4);
		snprintf(what, sizeof(what), "%s from b to a", proto_name(protos[i]));
		dropped(&t, CHUTE_B, &s, what);
		s = chute_spec(&t, CHUTE_A, protos[i], "10.213.0.10");
		snprintf(what, sizeof(what), "%s from a to a free pool address",
			 proto_name(protos[i]));
		dropped(&t, CHUTE_A, &s, what);
	}
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.chute[CHUTE_B], HEARTH_CNT_TX), 0,
		  "nothing sent to b");
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.chute[CHUTE_A], HEARTH_CNT_TX), 0,
		  "nothing sent to a");
	xdp_gateway__destroy(t.skel);
}

/* The internet is forwarded by XDP; the gateway's addresses on chute links
 * go to its stack. */
TEST(isolate_chute_to_internet_and_gateway)
{
	struct iso_fx t;
	struct pkt_spec s;
	char what[96];

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	for (size_t i = 0; i < sizeof(protos); i++) {
		s = chute_spec(&t, CHUTE_A, protos[i], FX_SERVER_V4);
		snprintf(what, sizeof(what), "%s to the internet", proto_name(protos[i]));
		forwarded(&t, t.fx.chute[CHUTE_A], &s, t.fx.wan, t.fx.inet_mac, what);
	}
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_CHUTE_A_GW_V4);
	ends(&t, t.fx.chute[CHUTE_A], &s, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
	     "to the gateway's end of its link");
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_CHUTE_B_GW_V4);
	ends(&t, t.fx.chute[CHUTE_A], &s, XDP_PASS, HEARTH_CNT_PASS_LOCAL,
	     "to the gateway's end of b's link");
	ASSERT_EQ(isolated(&t, t.fx.chute[CHUTE_A]), 0, "nothing isolated");
	xdp_gateway__destroy(t.skel);
}

/* With NAT on, a chute is masqueraded like a home host and the answer
 * finds it: isolation leaves the internet's replies alone. */
TEST(isolate_nat_chute_round_trip)
{
	struct iso_fx t;
	__u8 got[FRAME_MAX], wan[4];
	char what[96];

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG | ISO_NAT))
		return;
	inet_pton(AF_INET, FX_WAN_V4, wan);
	for (size_t i = 0; i < sizeof(protos); i++) {
		__u8 proto = protos[i];
		struct pkt_spec s = chute_spec(&t, CHUTE_A, proto, FX_SERVER_V4);
		__u16 port;

		s.dport = 5201; /* where reply_spec() answers from */

		snprintf(what, sizeof(what), "%s out", proto_name(proto));
		if (!forwarded_frame(&t, t.fx.chute[CHUTE_A], &s, t.fx.wan, t.fx.inet_mac, got,
				     what))
			continue;
		ASSERT_MEMEQ(got + L3 + 12, wan, 4, "the chute leaves as the WAN address");
		port = be16_at(got + L3 + 20 + (proto == IPPROTO_ICMP ? 4 : 0));
		s = reply_spec(&t.fx, proto, port);
		snprintf(what, sizeof(what), "%s answer", proto_name(proto));
		forwarded(&t, t.fx.wan, &s, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A], what);
	}
	xdp_gateway__destroy(t.skel);
}

/* A chute sends from its own address only. Chute a posing as b would pass
 * b's replies into the home; posing as an internet server it would reach
 * the home's NATed connections through the WAN address. */
TEST(isolate_spoofed_source_dropped)
{
	struct pkt_spec home, reply, fake;
	struct iso_fx t;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	home = home_spec(&t, CHUTE_B, IPPROTO_TCP);
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_B], t.fx.chute_mac[CHUTE_B],
		  "home to chute b");
	reply = reply_to_home(&t, CHUTE_B, IPPROTO_TCP);
	fake = reply;
	memcpy(fake.smac, t.fx.chute_mac[CHUTE_A], 6);
	memcpy(fake.dmac, t.fx.chute_gw_mac[CHUTE_A], 6);
	dropped(&t, CHUTE_A, &fake, "b's reply sent by chute a");
	fake = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_SERVER_V4);
	fake.src = "10.213.0.99";
	dropped(&t, CHUTE_A, &fake, "to the internet from an address not its own");
	fake.src = FX_H1_V4;
	dropped(&t, CHUTE_A, &fake, "to the internet from a home address");
	forwarded(&t, t.fx.chute[CHUTE_B], &reply, t.fx.lan, t.fx.h1_mac,
		  "b's own reply still passes");
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.lan, HEARTH_CNT_TX), 1,
		  "only b's own reply reached the home");
	xdp_gateway__destroy(t.skel);
}

TEST(isolate_nat_injection_dropped)
{
	__u8 got[FRAME_MAX];
	struct iso_fx t;
	char what[96];

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG | ISO_NAT))
		return;
	for (size_t i = 0; i < 2; i++) {
		struct pkt_spec out = lan_spec(&t.fx, AF_INET, FX_SERVER_V4), fake;
		__u16 port;

		out.proto = protos[i];
		snprintf(what, sizeof(what), "%s: h1 to the server", proto_name(protos[i]));
		if (!forwarded_frame(&t, t.fx.lan, &out, t.fx.wan, t.fx.inet_mac, got, what))
			continue;
		port = be16_at(got + L3 + 20);
		fake = reply_spec(&t.fx, protos[i], port);
		memcpy(fake.smac, t.fx.chute_mac[CHUTE_A], 6);
		memcpy(fake.dmac, t.fx.chute_gw_mac[CHUTE_A], 6);
		snprintf(what, sizeof(what), "%s: the server's answer sent by a chute",
			 proto_name(protos[i]));
		dropped(&t, CHUTE_A, &fake, what);
		fake = reply_spec(&t.fx, protos[i], port);
		snprintf(what, sizeof(what), "%s: the same answer from the internet",
			 proto_name(protos[i]));
		forwarded(&t, t.fx.wan, &fake, t.fx.lan, t.fx.h1_mac, what);
	}
	xdp_gateway__destroy(t.skel);
}

/* Until the runtime has written a chute's address nothing of it passes;
 * the library call is what opens it, and the address only. */
TEST(isolate_source_unset_drops_all)
{
	struct pkt_spec s;
	struct in_addr a;
	struct iso_fx t;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_SERVER_V4);
	ASSERT_OK(hearth_dp_chute_source(&t.dp, 3, 0), "source cleared");
	dropped(&t, CHUTE_A, &s, "to the internet with no source set");
	inet_pton(AF_INET, FX_CHUTE_A_V4, &a);
	ASSERT_OK(hearth_dp_chute_source(&t.dp, 3, a.s_addr), "source set");
	forwarded(&t, t.fx.chute[CHUTE_A], &s, t.fx.wan, t.fx.inet_mac,
		  "to the internet once set");
	ASSERT_EQ(hearth_dp_chute_source(&t.dp, 0, a.s_addr), -EINVAL, "slot 0 refused");
	xdp_gateway__destroy(t.skel);
}

/* Broadcast and multicast from a chute would be taken in by the gateway's
 * own stack on every address (mDNS, DHCP, SSDP listeners): dropped. ARP
 * broadcast is what the link needs: passed. */
TEST(isolate_chute_broadcast_dropped)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	static const __u8 mdns[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb };
	struct pkt_spec s;
	struct iso_fx t;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, "255.255.255.255");
	s.dport = 67;
	memcpy(s.dmac, bcast, 6);
	dropped(&t, CHUTE_A, &s, "UDP to 255.255.255.255");
	s.dst = "10.213.0.3";
	dropped(&t, CHUTE_A, &s, "UDP to the link's broadcast address");
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, "224.0.0.251");
	s.dport = 5353;
	memcpy(s.dmac, mdns, 6);
	dropped(&t, CHUTE_A, &s, "mDNS multicast");
	s = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_SERVER_V4);
	memcpy(s.dmac, bcast, 6);
	s.ethertype = ETH_P_ARP;
	ends(&t, t.fx.chute[CHUTE_A], &s, XDP_PASS, HEARTH_CNT_PASS_ARP, "ARP broadcast");
	xdp_gateway__destroy(t.skel);
}

/* What is not the reply of the home's connection: a field of the tuple
 * changed, or another chute answering. */
static void not_replies(struct iso_fx *t, __u8 proto)
{
	struct pkt_spec r = reply_to_home(t, CHUTE_A, proto), s;

	s = r;
	s.sport++;
	dropped(t, CHUTE_A, &s, proto == IPPROTO_ICMP ? "another echo id" : "from another port");
	s = r;
	s.dst = FX_H2_V4;
	dropped(t, CHUTE_A, &s, "to another home host");
	s = reply_to_home(t, CHUTE_B, proto);
	dropped(t, CHUTE_B, &s, "from another chute");
	s = r;
	if (proto == IPPROTO_ICMP) {
		s.echo_reply = false;
		dropped(t, CHUTE_A, &s, "an echo request with the same id");
		return;
	}
	s.dport++;
	dropped(t, CHUTE_A, &s, "to another home port");
	s = r;
	s.proto = proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
	dropped(t, CHUTE_A, &s, "the same ports, another protocol");
}

/* Before the home speaks the chute's reply is dropped; after, exactly the
 * reply tuple passes (every time), and nothing else. */
static void home_opens_way(__u8 proto, unsigned int opts)
{
	struct iso_fx t;
	struct pkt_spec home, reply;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG | opts))
		return;
	home = home_spec(&t, CHUTE_A, proto);
	reply = reply_to_home(&t, CHUTE_A, proto);
	dropped(&t, CHUTE_A, &reply, "the reply before the home opened the way");
	ASSERT_EQ(allow_entries(&t), 0, "nothing allowed yet");
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
		  "home to the chute");
	ASSERT_NEQ(opened_at(&t, &reply), 0, "the reply's tuple allowed");
	ASSERT_EQ(allow_entries(&t), 1, "and only that");
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac, "the reply");
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac, "the next reply");
	not_replies(&t, proto);
	xdp_gateway__destroy(t.skel);
}

TEST(isolate_home_opens_tcp)
{
	home_opens_way(IPPROTO_TCP, 0);
}

TEST(isolate_home_opens_udp)
{
	home_opens_way(IPPROTO_UDP, 0);
}

TEST(isolate_home_opens_icmp_echo)
{
	home_opens_way(IPPROTO_ICMP, 0);
}

/* Masquerade does not touch home-to-chute traffic (it never leaves by
 * the WAN): the way opens as without NAT. */
TEST(isolate_nat_home_opens_tcp)
{
	home_opens_way(IPPROTO_TCP, ISO_NAT);
}

/* The home's own traffic is never an isolation matter: to the internet,
 * from the internet, to the gateway, IPv6. */
static void home_unaffected(unsigned int opts)
{
	struct iso_fx t;
	struct pkt_spec s;
	char what[96];

	if (!iso_setup(&t, opts))
		return;
	for (size_t i = 0; i < sizeof(protos); i++) {
		s = lan_spec(&t.fx, AF_INET, FX_SERVER_V4);
		s.proto = protos[i];
		snprintf(what, sizeof(what), "%s home to the internet", proto_name(protos[i]));
		forwarded(&t, t.fx.lan, &s, t.fx.wan, t.fx.inet_mac, what);
	}
	s = (struct pkt_spec){ .family = AF_INET, .src = FX_SERVER_V4, .dst = FX_H1_V4,
			       .payload = 32 };
	memcpy(s.dmac, t.fx.wan_mac, 6);
	memcpy(s.smac, t.fx.inet_mac, 6);
	forwarded(&t, t.fx.wan, &s, t.fx.lan, t.fx.h1_mac, "internet to home");
	s = lan_spec(&t.fx, AF_INET6, FX_SERVER_V6);
	forwarded(&t, t.fx.lan, &s, t.fx.wan, t.fx.inet_mac, "IPv6 home to the internet");
	s = lan_spec(&t.fx, AF_INET, "192.168.1.1");
	ends(&t, t.fx.lan, &s, XDP_PASS, HEARTH_CNT_PASS_LOCAL, "home to the gateway");
	xdp_gateway__destroy(t.skel);
}

TEST(isolate_home_unaffected_with_chutes)
{
	home_unaffected(ISO_CHUTES | ISO_FLAG);
}

TEST(isolate_home_unaffected_flag_off)
{
	home_unaffected(ISO_CHUTES);
}

TEST(isolate_home_unaffected_no_chute_iface)
{
	home_unaffected(ISO_FLAG);
}

/* Without a chute interface the pool is just an address range: the home
 * reaches it where the routes say (here the default route), untouched. */
TEST(isolate_no_chute_iface_pool_routed)
{
	struct iso_fx t;
	struct pkt_spec s;

	if (!iso_setup(&t, ISO_FLAG))
		return;
	s = home_spec(&t, CHUTE_A, IPPROTO_TCP);
	forwarded(&t, t.fx.lan, &s, t.fx.wan, t.fx.inet_mac, "home to a pool address");
	xdp_gateway__destroy(t.skel);
}

/* With the chutes flag off (no chute running) the home's packets to a
 * chute address still go through but write nothing, and a chute's reply
 * stays dropped: isolation never weakens without the flag. */
TEST(isolate_flag_off_opens_nothing)
{
	struct iso_fx t;
	struct pkt_spec home, reply;

	if (!iso_setup(&t, ISO_CHUTES))
		return;
	for (size_t i = 0; i < sizeof(protos); i++) {
		home = home_spec(&t, CHUTE_A, protos[i]);
		reply = reply_to_home(&t, CHUTE_A, protos[i]);
		forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
			  proto_name(protos[i]));
		dropped(&t, CHUTE_A, &reply, proto_name(protos[i]));
	}
	ASSERT_EQ(allow_entries(&t), 0, "no reply allowed");
	xdp_gateway__destroy(t.skel);
}

/* Only a packet arriving on a home interface opens the way: not one from
 * the WAN bearing a home source, nor one from another chute. */
TEST(isolate_only_home_opens)
{
	struct pkt_spec s, reply;
	struct iso_fx t;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	s = home_spec(&t, CHUTE_A, IPPROTO_UDP);
	memcpy(s.dmac, t.fx.wan_mac, 6);
	memcpy(s.smac, t.fx.inet_mac, 6);
	forwarded(&t, t.fx.wan, &s, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
		  "a home source from the WAN");
	reply = reply_to_home(&t, CHUTE_A, IPPROTO_UDP);
	dropped(&t, CHUTE_A, &reply, "the chute's answer to the home");

	s = chute_spec(&t, CHUTE_B, IPPROTO_UDP, FX_CHUTE_A_V4);
	s.sport = HOME_PORT;
	s.dport = CHUTE_PORT;
	dropped(&t, CHUTE_B, &s, "b to a");
	reply = chute_spec(&t, CHUTE_A, IPPROTO_UDP, FX_CHUTE_B_V4);
	dropped(&t, CHUTE_A, &reply, "a answering b");
	ASSERT_EQ(allow_entries(&t), 0, "nothing allowed");
	xdp_gateway__destroy(t.skel);
}

/* Sleeps until bpf_jiffies64() is past @when (at most 10 s). */
static bool wait_past(__u64 when)
{
	struct timespec pause = { .tv_nsec = 5 * 1000 * 1000 };
	__u64 now = 0;

	for (int i = 0; i < 2000; i++) {
		if (hearth_jiffies_now(&now))
			return false;
		if (now > when)
			return true;
		nanosleep(&pause, NULL);
	}
	return false;
}

/* The gateway with the allow lifetime and refresh interval set, in
 * jiffies, as the loader sets them (the defaults are minutes long). */
static bool timed_setup(struct iso_fx *t, __u64 lifetime, __u64 refresh)
{
	struct xdp_gateway *skel = gw_open(&t->fx);

	if (!skel)
		return false;
	skel->rodata->challow_jiffies = lifetime;
	skel->rodata->challow_refresh_jiffies = refresh;
	return iso_finish(t, skel, ISO_CHUTES | ISO_FLAG);
}

/* Half a second of allowance: the reply passes at once, is dropped once
 * it ran out, and the home's next packet opens the way again. */
TEST(isolate_allow_expires)
{
	__u64 hz = hearth_kernel_hz(), lifetime = hz / 2, opened;
	struct pkt_spec home, reply;
	struct iso_fx t;

	if (!timed_setup(&t, lifetime, 1))
		return;
	home = home_spec(&t, CHUTE_A, IPPROTO_UDP);
	reply = reply_to_home(&t, CHUTE_A, IPPROTO_UDP);
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A], "home");
	opened = opened_at(&t, &reply);
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac, "reply in time");
	if (!ASSERT_TRUE(wait_past(opened + lifetime), "wait for the lifetime to pass"))
		goto out;
	dropped(&t, CHUTE_A, &reply, "reply after the lifetime");
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
		  "home again");
	ASSERT_TRUE(opened_at(&t, &reply) > opened + lifetime, "the way opened anew");
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac, "reply again");
out:
	xdp_gateway__destroy(t.skel);
}

/* A second of allowance, refreshed at most every half second: a home
 * packet within the interval (but some jiffies later) writes nothing, a
 * later one extends the reply's time past the first packet's. */
TEST(isolate_allow_refreshed_by_home)
{
	__u64 hz = hearth_kernel_hz(), lifetime = hz, refresh = hz / 2, first, later;
	struct pkt_spec home, reply;
	struct iso_fx t;

	if (!timed_setup(&t, lifetime, refresh))
		return;
	home = home_spec(&t, CHUTE_A, IPPROTO_TCP);
	home.tcp_flags = 0x10; /* the home's ACKs keep the way open too */
	reply = reply_to_home(&t, CHUTE_A, IPPROTO_TCP);
	reply.tcp_flags = 0x10;
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A], "home");
	first = opened_at(&t, &reply);
	if (!ASSERT_TRUE(wait_past(first + refresh / 4), "wait a little"))
		goto out;
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
		  "home again within the interval");
	ASSERT_EQ(opened_at(&t, &reply), first, "not rewritten within the interval");
	if (!ASSERT_TRUE(wait_past(first + refresh), "wait for the interval"))
		goto out;
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A],
		  "home after the interval");
	later = opened_at(&t, &reply);
	ASSERT_TRUE(later > first + refresh, "refreshed");
	if (!ASSERT_TRUE(wait_past(first + lifetime), "wait past the first packet's lifetime"))
		goto out;
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac,
		  "reply still allowed");
out:
	xdp_gateway__destroy(t.skel);
}

/* --- malformed and odd frames from a chute ----------------------------- */

/* Cases start from the allowed reply (so a sloppy check could take them
 * for it) and change the spec, the frame, or both. */
struct odd_case {
	const char *what;
	void (*shape)(struct pkt_spec *s);
	void (*mutate)(__u8 *frame, __u32 *len);
	__u32 verdict;
	int counter;
};

static void to_h2(struct pkt_spec *s)
{
	s->dst = FX_H2_V4;
}

static void later_fragment(struct pkt_spec *s)
{
	s->frag_off = 185; /* offset 1480: no transport header */
}

static void first_fragment(struct pkt_spec *s)
{
	s->frag_off = 0x2000; /* more fragments, offset 0 */
}

static void first_fragment_to_h2(struct pkt_spec *s)
{
	first_fragment(s);
	to_h2(s);
}

static void options(struct pkt_spec *s)
{
	s->ihl = 6;
}

static void options_to_h2(struct pkt_spec *s)
{
	options(s);
	to_h2(s);
}

static void vlan_to_h2(struct pkt_spec *s)
{
	s->vlan = 7;
	to_h2(s);
}

static void ttl_1(struct pkt_spec *s)
{
	s->ttl = 1;
	to_h2(s);
}

static void icmp_unreachable(struct pkt_spec *s)
{
	s->proto = IPPROTO_ICMP;
	s->icmp_type = 3;
}

static void gre(struct pkt_spec *s)
{
	s->proto = 47;
}

static void ipv6_to_home(struct pkt_spec *s)
{
	s->family = AF_INET6;
	s->src = "2001:db8:1::99";
	s->dst = FX_H1_V6;
}

static void ipv6_to_internet(struct pkt_spec *s)
{
	ipv6_to_home(s);
	s->dst = FX_SERVER_V6;
}

static void arp(struct pkt_spec *s)
{
	s->ethertype = ETH_P_ARP;
}

static void fix_ip_csum(__u8 *ip)
{
	ip[10] = ip[11] = 0;
	*(__u16 *)(ip + 10) = pkt_csum(ip, 20, 0);
}

/* Lengths agree, but the TCP header stops after 8 bytes. */
static void cut_tcp_header(__u8 *frame, __u32 *len)
{
	__u8 *ip = frame + L3;

	ip[2] = 0;
	ip[3] = 20 + 8;
	fix_ip_csum(ip);
	*len = L3 + 20 + 8;
}

static void bad_csum(__u8 *frame, __u32 *len)
{
	(void)len;
	frame[L3 + 10] ^= 0x01;
}

static const struct odd_case odd_cases[] = {
	{ "TCP header cut short, lengths agreeing", NULL, cut_tcp_header, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "later fragment of the reply", later_fragment, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "first fragment of the reply", first_fragment, NULL, XDP_PASS,
	  HEARTH_CNT_PASS_FRAGMENT },
	{ "first fragment, not a reply", first_fragment_to_h2, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "IP options, the reply", options, NULL, XDP_PASS, HEARTH_CNT_PASS_IP_OPTIONS },
	{ "IP options, not a reply", options_to_h2, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "802.1Q tagged, not a reply", vlan_to_h2, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "TTL 1, not a reply", ttl_1, NULL, XDP_DROP, HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "ICMP error to the home", icmp_unreachable, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "GRE to the home", gre, NULL, XDP_DROP, HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "IPv6 to the home", ipv6_to_home, NULL, XDP_DROP, HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "IPv6 to the internet", ipv6_to_internet, NULL, XDP_DROP,
	  HEARTH_CNT_DROP_CHUTE_ISOLATED },
	{ "bad IPv4 header checksum", NULL, bad_csum, XDP_DROP, HEARTH_CNT_DROP_BAD_CSUM },
	{ "ARP (the kernel answers, never routes)", arp, NULL, XDP_PASS, HEARTH_CNT_PASS_ARP },
};

/* The home opened a TCP connection into chute a; the odd frames it sends
 * land on their documented counters, and only the reply ever reaches the
 * home. */
TEST(isolate_malformed_from_chute)
{
	struct pkt_spec home, reply;
	__u64 sent_home;
	struct iso_fx t;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	home = home_spec(&t, CHUTE_A, IPPROTO_TCP);
	reply = reply_to_home(&t, CHUTE_A, IPPROTO_TCP);
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A], "home");
	forwarded(&t, t.fx.chute[CHUTE_A], &reply, t.fx.lan, t.fx.h1_mac, "the reply itself");
	sent_home = fixture_counter(&t.fx, t.fx.lan, HEARTH_CNT_TX);
	for (size_t i = 0; i < sizeof(odd_cases) / sizeof(odd_cases[0]); i++) {
		const struct odd_case *c = &odd_cases[i];
		struct pkt_spec s = reply;
		__u8 frame[FRAME_MAX];
		__u32 len;

		if (c->shape)
			c->shape(&s);
		len = (__u32)pkt_build(&s, frame, sizeof(frame));
		if (c->mutate)
			c->mutate(frame, &len);
		expect_verdict(&t.fx, t.fx.chute[CHUTE_A], frame, len, c->verdict, c->counter,
			       c->what);
	}
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.lan, HEARTH_CNT_TX), sent_home,
		  "nothing more sent home");
	xdp_gateway__destroy(t.skel);
}

/* The allowed reply cut at every length: always dropped, never sent home
 * nor up to the kernel. */
TEST(isolate_truncated_reply_dropped)
{
	struct pkt_spec home, reply;
	__u8 frame[FRAME_MAX], out[FRAME_MAX];
	__u32 full, out_len, retval;
	struct iso_fx t;
	int bad = 0;

	if (!iso_setup(&t, ISO_CHUTES | ISO_FLAG))
		return;
	home = home_spec(&t, CHUTE_A, IPPROTO_TCP);
	reply = reply_to_home(&t, CHUTE_A, IPPROTO_TCP);
	forwarded(&t, t.fx.lan, &home, t.fx.chute[CHUTE_A], t.fx.chute_mac[CHUTE_A], "home");
	full = (__u32)pkt_build(&reply, frame, sizeof(frame));
	for (__u32 len = ETH_HLEN; len < full; len++) {
		out_len = sizeof(out);
		retval = ~0u;
		if (fixture_run(&t.fx, t.fx.chute[CHUTE_A], frame, len, out, &out_len, &retval) ||
		    retval != XDP_DROP) {
			printf("  cut at %u of %u: verdict %u\n", len, full, retval);
			bad++;
		}
	}
	ASSERT_EQ(bad, 0, "truncations not dropped");
	ASSERT_EQ(fixture_counter(&t.fx, t.fx.lan, HEARTH_CNT_TX), 0, "nothing sent home");
	xdp_gateway__destroy(t.skel);
}
