// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe bundle judged before anything is loaded (userspace/lib/
 * probe_object.c, probe_bundle.c): the hostile objects of
 * tests/probes/hostile.bpf.c refused, each with one line naming its
 * problem; the well-behaved one read as it is. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>

#include <bpf/libbpf.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "probe_common.h"

/* Checks build/probes/hostile_@which.bpf.o: 0, or the error with its
 * line in @err. */
static int object_check(const char *which, struct hearth_probe_object *o, struct hearth_err *err)
{
	size_t len = 0;
	char name[64];
	void *data;

	snprintf(name, sizeof(name), "hostile_%s", which);
	data = probe_file(name, &len);
	int ret;

	if (!data)
		return -ENOENT;
	ret = hearth_probe_object_check(data, len, "probe.bpf.o", HEARTH_PROBE_MAP_BUDGET, o, err);
	free(data);
	return ret;
}

TEST(probe_object_well_behaved)
{
	struct hearth_probe_object o;
	struct hearth_err err = {};

	if (!ASSERT_EQ(object_check("none", &o, &err), 0, err.msg))
		return;
	ASSERT_EQ(o.n_progs, 1, "one program");
	ASSERT_STREQ(o.prog[0].point, HEARTH_PROBE_POINT_PACKET, "  on the packet probe point");
	ASSERT_TRUE(!o.prog[0].fexit, "  fentry");
	ASSERT_EQ(o.n_maps, 1, "one map");
	ASSERT_STREQ(o.map[0].type, "percpu_array", "  a per-CPU array");
	ASSERT_EQ(o.map[0].bytes, 16 * (4 + 8) * (__u64)libbpf_num_possible_cpus(),
		  "  16 entries of 12 bytes on every CPU");
}

TEST(probe_object_refused)
{
	static const struct {
		const char *which, *says;
	} cases[] = {
		{ "write_user", "calls bpf_probe_write_user, which probes may not call" },
		{ "override", "calls bpf_override_return" },
		{ "signal", "calls bpf_send_signal" },
		{ "store_bytes", "calls bpf_skb_store_bytes" },
		{ "probe_read", "calls bpf_probe_read_kernel" },
		{ "loop", "calls bpf_loop" },
		/* in a static function libbpf would only append at load */
		{ "hidden", "calls bpf_trace_printk" },
		{ "kprobe", "is SEC(\"kprobe/do_sys_open\"): probes attach with fentry or fexit only" },
		{ "freplace", "probes attach with fentry or fexit only" },
		{ "fmod_ret", "probes attach with fentry or fexit only" },
		{ "point", "attaches to tcp_sendmsg, not a probe point" },
		{ "map_budget", "over the budget of 16777216" },
		{ "map_type", "map jumps is of a type probes may not have" },
		{ "map_pinned", "map hearth_stats asks to be pinned" },
		{ "hosts_view", "map hearth_hosts is not the hosts view" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hearth_probe_object o;
		struct hearth_err err = {};
		char what[128];

		snprintf(what, sizeof(what), "%s: refused", cases[i].which);
		if (!ASSERT_TRUE(object_check(cases[i].which, &o, &err) < 0, what))
			continue;
		ASSERT_STRHAS(err.msg, cases[i].says, cases[i].which);
		ASSERT_TRUE(!strchr(err.msg, '\n'), "  one line");
	}
}

TEST(probe_bundle_signed_and_refused)
{
	unsigned long long bytes = 16 * 12 * (unsigned long long)libbpf_num_possible_cpus();
	char manifest[2048], dir[256], stranger[160], path[300];
	struct hearth_err err = {};
	struct probe_keys k;

	if (!keys_make(&k))
		return;
	snprintf(stranger, sizeof(stranger), "%s/stranger.pem", k.root);
	manifest_text(manifest, sizeof(manifest), k.fingerprint, "2099-01-01T00:00:00Z", bytes,
		      "counts packets");
	if (bundle_make(&k, "good", manifest, k.researcher, dir, sizeof(dir)))
		ASSERT_EQ(bundle_check(&k, dir, &err), 0, err.msg);

	if (bundle_make(&k, "unsigned", manifest, NULL, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "unsigned: refused");
		ASSERT_STRHAS(err.msg, "unsigned (no signature file)", "  saying so");
	}
	/* signed by a key the operator does not trust, naming it */
	manifest_text(manifest, sizeof(manifest),
		      "1111111111111111111111111111111111111111111111111111111111111111",
		      "2099-01-01T00:00:00Z", bytes, "counts packets");
	if (bundle_make(&k, "stranger", manifest, stranger, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "an unknown key: refused");
		ASSERT_STRHAS(err.msg, "not among the trusted keys", "  saying so");
	}
	/* naming the trusted key, signed by another */
	manifest_text(manifest, sizeof(manifest), k.fingerprint, "2099-01-01T00:00:00Z", bytes,
		      "counts packets");
	if (bundle_make(&k, "forged", manifest, stranger, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "signed by another key: refused");
		ASSERT_STRHAS(err.msg, "signature does not match", "  saying so");
	}
	/* changed after signing: the purpose rewritten */
	if (bundle_make(&k, "changed", manifest, k.researcher, dir, sizeof(dir))) {
		manifest_text(manifest, sizeof(manifest), k.fingerprint, "2099-01-01T00:00:00Z",
			      bytes, "counts packets, and more");
		put(dir, HEARTH_PROBE_MANIFEST_FILE, manifest, strlen(manifest));
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "changed after signing: refused");
		ASSERT_STRHAS(err.msg, "changed after signing", "  saying so");
	}
	manifest_text(manifest, sizeof(manifest), k.fingerprint, "2020-01-01T00:00:00Z", bytes,
		      "counts packets");
	if (bundle_make(&k, "expired", manifest, k.researcher, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "expired: refused");
		ASSERT_STRHAS(err.msg, "expired", "  saying so");
	}
	/* the manifest understates a map */
	manifest_text(manifest, sizeof(manifest), k.fingerprint, "2099-01-01T00:00:00Z", 64,
		      "counts packets");
	if (bundle_make(&k, "understated", manifest, k.researcher, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "a map larger than declared: refused");
		ASSERT_STRHAS(err.msg, "the manifest says percpu_array of 64", "  saying so");
	}
	snprintf(path, sizeof(path), "{\n  \"name\": \"x\",\n  \"abi\": 1,\n  oops\n}\n");
	if (bundle_make(&k, "garbled", path, NULL, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "a manifest that is not JSON: refused");
		ASSERT_STRHAS(err.msg, "manifest.json:4: not valid JSON", "  with its line");
	}
	snprintf(path, sizeof(path), "{\"name\": \"x\", \"abi\": 1}");
	if (bundle_make(&k, "short", path, NULL, dir, sizeof(dir))) {
		ASSERT_TRUE(bundle_check(&k, dir, &err) < 0, "a manifest without its fields: refused");
		ASSERT_STRHAS(err.msg, "'author' must be a string", "  naming the first missing");
	}
	test__tree_remove(k.root);
}
