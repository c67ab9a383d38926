// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The packet probe point of the XDP hook (bpf/lib/probe.h): shut while no
 * probe is attached, then a probe attached with fentry sees each packet's
 * record as the frame and the verdict were; a probe that writes to the
 * record is refused by the kernel's verifier and leaves nothing. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../maps/hearth_probe.h"
#include "fw_common.h"

struct probe {
	struct bpf_object *obj;
	struct bpf_link *link;
};

/* build/probes/@file opened, aimed at the gateway's probe point @point,
 * loaded and attached; 0 or a negative errno (nothing left on failure). */
static int probe_attach_at(struct fixture *fx, const char *file, const char *point,
			   struct probe *p)
{
	const char *build = getenv("HEARTH_BUILD") ?: "build";
	struct bpf_program *prog;
	char path[512];
	int ret;

	memset(p, 0, sizeof(*p));
	snprintf(path, sizeof(path), "%s/probes/%s", build, file);
	p->obj = bpf_object__open_file(path, NULL);
	if (!p->obj)
		return -errno;
	prog = bpf_object__find_program_by_name(p->obj, "watch");
	ret = prog ? bpf_program__set_attach_target(prog, fx->prog_fd, point) : -ENOENT;
	if (!ret)
		ret = bpf_object__load(p->obj);
	if (!ret) {
		p->link = bpf_program__attach_trace(prog);
		ret = p->link ? 0 : -errno;
	}
	if (ret) {
		bpf_object__close(p->obj);
		p->obj = NULL;
	}
	return ret;
}

static int probe_attach(struct fixture *fx, const char *file, struct probe *p)
{
	return probe_attach_at(fx, file, HEARTH_PROBE_POINT_PACKET, p);
}

static void probe_detach(struct probe *p)
{
	bpf_link__destroy(p->link);
	bpf_object__close(p->obj);
}

static __u64 probe_count(struct probe *p, __u32 hook)
{
	int fd = bpf_object__find_map_fd_by_name(p->obj, "by_hook");
	__u64 n = 0;

	bpf_map_lookup_elem(fd, &hook, &n);
	return n;
}

/* Whether the probe attached (@ret); where the kernel refuses fentry
 * programs the test is skipped: the VM of tests/integration/probe_vm.sh
 * runs it. */
static bool probe_ready(int ret, const char *what)
{
	if (ret == -EPERM) {
		test__skip("this kernel refuses fentry programs before verifying them (EPERM); tests/integration/probe_vm.sh runs this test on Debian's kernel");
		return false;
	}
	return ASSERT_OK(ret, what);
}

TEST(probe_point_packet)
{
	struct hearth_probe_pkt last = {};
	struct hearth_host_key host = { .family = AF_INET6 };
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct pkt_spec s;
	struct probe p;
	__u8 frame[256];
	__u32 zero = 0, len, host_id = 7;

	if (!skel)
		return;
	if (!probe_ready(probe_attach(&fx, "watch.bpf.o", &p), "a probe attached at the packet point"))
		goto cleanup;
	s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
	s.proto = IPPROTO_TCP;
	s.sport = 40123;
	s.dport = 443;
	s.tcp_flags = 0x02;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "forwarded");
	ASSERT_EQ(probe_count(&p, HEARTH_PROBE_HOOK_XDP), 0,
		  "no probe flag: the point is not passed, nothing seen");

	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_PROBES, true), "the probe flag set");
	/* the client a home host hearthd numbered */
	inet_pton(AF_INET6, FX_H1_V6, &host.addr);
	ASSERT_OK(bpf_map_update_elem(bpf_map__fd(skel->maps.HEARTH_MAP_HOSTID), &host, &host_id, 0),
		  "the client is home host 7");
	expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "forwarded");
	expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "forwarded");
	ASSERT_EQ(probe_count(&p, HEARTH_PROBE_HOOK_XDP), 2, "flag set: each packet seen once");
	bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(p.obj, "last"), &zero, &last);
	ASSERT_EQ(last.hook, HEARTH_PROBE_HOOK_XDP, "  the hook");
	ASSERT_EQ(last.ifindex, (__u32)fx.lan, "  the interface");
	ASSERT_EQ(last.verdict, XDP_REDIRECT, "  the verdict");
	ASSERT_EQ(last.len, len, "  the frame's length");
	ASSERT_EQ(last.family, AF_INET6, "  IPv6");
	ASSERT_EQ(last.l3_len, len - 14, "  the IP packet's length");
	ASSERT_EQ(last.proto, IPPROTO_TCP, "  TCP");
	ASSERT_EQ(last.sport, 40123, "  its ports");
	ASSERT_EQ(last.dport, 443, "  ");
	ASSERT_EQ(last.tcp_flags, 0x02, "  its flags (SYN)");
	ASSERT_EQ(last.seq, 0x01020304, "  its sequence number");
	ASSERT_EQ(last.payload_len, s.payload, "  its payload's length");
	ASSERT_EQ(last.tenant, 0, "  its tenant (home)");
	ASSERT_TRUE(last.flow > 0 && last.flow <= HEARTH_CT_SETS_DEFAULT * HEARTH_CT_WAYS,
		    "  its connection's id: one of the table's slots");
	ASSERT_EQ(last.flow_dir, HEARTH_CT_ORIG, "  the initiator's direction");
	ASSERT_EQ(last.shost, 0, "  no probe reads the hosts' view: no host named");
	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_PROBE_HOSTS, true),
		  "a probe reading the hosts' view attached");
	expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "forwarded");
	bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(p.obj, "last"), &zero, &last);
	ASSERT_EQ(last.shost, 7, "  its source: home host 7");
	ASSERT_EQ(last.dhost, 0, "  its destination: no home host");
	probe_detach(&p);
	expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD,
		       "detached, the gateway goes on");

	ASSERT_TRUE(probe_attach(&fx, "watch_write.bpf.o", &p) < 0,
		    "a probe writing to its record: refused by the verifier");
cleanup:
	xdp_gateway__destroy(skel);
}

/* The flow-end point: a connection evicted from a full table (one set of
 * sixteen ways: eight connections, two halves each) reaches it with its
 * record, ports and counts. */
TEST(probe_point_flow_end)
{
	struct hearth_probe_flow last = {};
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup_table(&fx, 1, HEARTH_CT_WAYS + 1);
	struct pkt_spec s;
	struct probe p;
	__u8 frame[256];
	__u32 zero = 0, len;
	__u64 n = 0;

	if (!skel)
		return;
	if (!probe_ready(probe_attach_at(&fx, "flow_watch.bpf.o", HEARTH_PROBE_POINT_FLOW_END, &p),
			 "a probe attached at the flow-end point"))
		goto cleanup;
	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_PROBES, true), "the probe flag set");
	/* nine UDP flows into room for eight: one is evicted */
	for (__u16 port = 42000; port < 42000 + HEARTH_CT_WAYS / 2 + 1; port++) {
		s = lan_spec(&fx, AF_INET6, FX_SERVER_V6);
		s.proto = IPPROTO_UDP;
		s.sport = port;
		s.dport = 5201;
		len = (__u32)pkt_build(&s, frame, sizeof(frame));
		expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "a new flow");
	}
	bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(p.obj, "ended"), &zero, &n);
	ASSERT_EQ(n, 1, "one connection ended, and the point saw it");
	bpf_map_lookup_elem(bpf_object__find_map_fd_by_name(p.obj, "last"), &zero, &last);
	ASSERT_EQ(last.reason, HEARTH_CT_END_EVICTED, "  evicted");
	ASSERT_EQ(last.family, AF_INET6, "  IPv6");
	ASSERT_EQ(last.proto, IPPROTO_UDP, "  UDP");
	ASSERT_TRUE(last.sport >= 42000 && last.sport < 42000 + HEARTH_CT_WAYS / 2,
		    "  one of the first eight flows' ports");
	ASSERT_EQ(last.dport, 5201, "  to the server's port");
	ASSERT_EQ(last.packets[HEARTH_CT_ORIG], 1, "  its one packet");
	ASSERT_EQ(last.bytes[HEARTH_CT_ORIG], len - 14, "  its IP bytes");
	ASSERT_TRUE(last.flow > 0 && last.flow <= HEARTH_CT_WAYS, "  its id: a slot of the table's one set");
	ASSERT_EQ(last.tenant, 0, "  its tenant (home)");
	probe_detach(&p);
cleanup:
	xdp_gateway__destroy(skel);
}

/* A connection's first packet, which opens it (no line of the connection
 * exists yet), and the next: both carry its tenant and the same id; with
 * the firewall and NAT on, as a gateway runs. */
static void connection_case(struct fixture *fx, struct probe *p, int family, __u8 proto,
			    __u16 sport)
{
	struct hearth_probe_pkt first = {}, next = {};
	int last_fd = bpf_object__find_map_fd_by_name(p->obj, "last");
	struct pkt_spec s = family == AF_INET ? out_spec(fx, FX_H1_V4, proto, sport) :
						lan_spec(fx, AF_INET6, FX_SERVER_V6);
	__u32 zero = 0, len;
	__u8 frame[256];

	fprintf(stderr, "  case: %s %s\n", family == AF_INET ? "IPv4, translated," : "IPv6, routed,",
		proto == IPPROTO_ICMP ? "ICMP echo" : "UDP");
	s.proto = proto;
	s.sport = sport;
	s.dport = 53;
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	expect_verdict(fx, fx->lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "opens, translated");
	bpf_map_lookup_elem(last_fd, &zero, &first);
	expect_verdict(fx, fx->lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "the next, by its line");
	bpf_map_lookup_elem(last_fd, &zero, &next);
	ASSERT_EQ(first.tenant, 0, "the first packet: its tenant (home)");
	ASSERT_TRUE(first.flow > 0, "  its connection's id");
	ASSERT_EQ(first.flow_dir, HEARTH_CT_ORIG, "  the initiator's direction");
	ASSERT_EQ(next.tenant, 0, "the next: its tenant");
	ASSERT_EQ(next.flow, first.flow, "  the same id");
}

TEST(probe_point_connection)
{
	struct fixture fx;
	struct xdp_gateway *skel = fw_setup(&fx);
	struct probe p;

	if (!skel)
		return;
	if (!ASSERT_OK(fixture_enable_nat(&fx, 40000, 40099), "enable NAT"))
		goto cleanup;
	if (!probe_ready(probe_attach(&fx, "watch.bpf.o", &p), "a probe attached at the packet point"))
		goto cleanup;
	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_PROBES, true), "the probe flag set");
	connection_case(&fx, &p, AF_INET, IPPROTO_UDP, 41000);
	connection_case(&fx, &p, AF_INET, IPPROTO_ICMP, 41001);
	/* opened by the firewall, which leaves no entry at hand */
	connection_case(&fx, &p, AF_INET6, IPPROTO_UDP, 41002);
	probe_detach(&p);
cleanup:
	xdp_gateway__destroy(skel);
}
