// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A checked bundle put to work against the gateway program
 * (userspace/lib/probe_load.c): the verifier-only load leaves nothing;
 * attached, the probe counts what passes the packet point; a probe that
 * writes its arguments is refused by the kernel's verifier, naming why,
 * and leaves no program behind. Needs a kernel that loads fentry
 * programs: tests/integration/probe_vm.sh runs it where this one does not. */
#include <bpf/bpf.h>

#include "../../userspace/lib/probe_load.h"
#include "../../maps/hearth_probe.h"
#include "gw_common.h"
#include "probe_common.h"

/* Programs loaded on the machine now. */
static int progs_loaded(void)
{
	__u32 id = 0;
	int n = 0;

	while (!bpf_prog_get_next_id(id, &id))
		n++;
	return n;
}

/* The sum over CPUs of entry 0 of per-CPU map @fd. */
static __u64 percpu_sum(int fd)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 *v = calloc((size_t)ncpus, sizeof(*v)), sum = 0;
	__u32 zero = 0;

	if (v && !bpf_map_lookup_elem(fd, &zero, v))
		for (int i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

TEST(probe_load_attach_and_refuse)
{
	unsigned long long bytes = 16 * 12 * (unsigned long long)libbpf_num_possible_cpus();
	struct hearth_probe_loaded loaded;
	char manifest[2048], dir[256];
	struct hearth_probe_bundle b;
	struct hearth_err err = {};
	struct fixture fx;
	struct xdp_gateway *skel = gw_setup(&fx);
	struct probe_keys k = {};
	struct pkt_spec s;
	__u8 frame[256];
	struct hearth_probe_targets t = { .n = 1 };
	__u32 len;
	int before, ret;

	if (!skel)
		return;
	t.prog_fd[0] = fx.prog_fd;
	t.hosts_fd = bpf_map__fd(skel->maps.HEARTH_MAP_HOSTS);
	if (!keys_make(&k))
		goto cleanup;
	manifest_text(manifest, sizeof(manifest), k.fingerprint, "2099-01-01T00:00:00Z", bytes,
		      "counts packets");
	if (!bundle_make(&k, "good", manifest, k.researcher, dir, sizeof(dir)) ||
	    !ASSERT_EQ(hearth_probe_bundle_read(&b, dir, &err), 0, err.msg))
		goto cleanup;
	ASSERT_EQ(hearth_probe_bundle_check(&b, k.trusted, time(NULL), HEARTH_PROBE_MAP_BUDGET, &err),
		  0, err.msg);
	before = progs_loaded();
	ret = hearth_probe_verifier_check(&b, &t, &err);
	if (ret == -EACCES && strstr(err.msg, "Operation not permitted")) {
		test__skip("this kernel refuses fentry programs (EPERM); tests/integration/probe_vm.sh runs this test");
		hearth_probe_bundle_free(&b);
		goto cleanup;
	}
	ASSERT_EQ(ret, 0, err.msg);
	ASSERT_EQ(progs_loaded(), before, "the verifier-only load left no program");

	if (!ASSERT_EQ(hearth_probe_attach(&b, &t, NULL, &loaded, &err), 0, err.msg)) {
		hearth_probe_bundle_free(&b);
		goto cleanup;
	}
	ASSERT_TRUE(loaded.verified_insns > 0, "its verified instructions known");
	ASSERT_OK(fixture_state_flags(&fx, HEARTH_STATE_PROBES, true), "the probe flag set");
	s = lan_spec(&fx, AF_INET, FX_SERVER_V4);
	len = (__u32)pkt_build(&s, frame, sizeof(frame));
	for (int i = 0; i < 3; i++)
		expect_verdict(&fx, fx.lan, frame, len, XDP_REDIRECT, HEARTH_CNT_FORWARD, "forwarded");
	ASSERT_EQ(percpu_sum(hearth_probe_map_fd(&loaded, "seen")), 3, "the probe counted 3 packets");
	hearth_probe_detach(&loaded);
	ASSERT_EQ(progs_loaded(), before, "detached: none of its programs left");
	hearth_probe_bundle_free(&b);

	/* watch_write: it writes its arguments; only the verifier can tell */
	snprintf(manifest, sizeof(manifest),
		 "{\"name\": \"writer\", \"abi\": 1, \"author\": \"M. Allory\", \"key\": \"%s\","
		 " \"purpose\": \"changes what it sees\", \"point\": \"packet\","
		 " \"maps\": [{\"name\": \"by_hook\", \"type\": \"array\", \"bytes\": 48},"
		 " {\"name\": \"last\", \"type\": \"array\", \"bytes\": 44}],"
		 " \"output\": \"by_hook\", \"cpu_budget_ns\": 100, \"expires\": \"2099-01-01T00:00:00Z\"}",
		 k.fingerprint);
	if (!bundle_make_of(&k, "writer", "watch_write", manifest, k.researcher, dir, sizeof(dir)) ||
	    !ASSERT_EQ(hearth_probe_bundle_read(&b, dir, &err), 0, err.msg))
		goto cleanup;
	ASSERT_EQ(hearth_probe_bundle_check(&b, k.trusted, time(NULL), HEARTH_PROBE_MAP_BUDGET, &err),
		  0, err.msg);
	ASSERT_EQ(hearth_probe_verifier_check(&b, &t, &err), -EACCES,
		  "a probe writing its arguments: refused");
	ASSERT_STRHAS(err.msg, "refused by the kernel's verifier", "  by the verifier");
	ASSERT_TRUE(!strchr(err.msg, '\n'), "  in one line");
	fprintf(stderr, "  (%s)\n", err.msg);
	ASSERT_EQ(progs_loaded(), before, "  and nothing of it left");
	ASSERT_TRUE(hearth_probe_attach(&b, &t, NULL, &loaded, &err) < 0,
		    "  attaching it fails too");
	ASSERT_EQ(progs_loaded(), before, "  leaving nothing");
	hearth_probe_bundle_free(&b);
cleanup:
	if (k.root[0])
		test__tree_remove(k.root);
	xdp_gateway__destroy(skel);
}
