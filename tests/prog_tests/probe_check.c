// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe bundle judged before anything is loaded (userspace/lib/
 * probe_object.c, probe_bundle.c): the hostile objects of
 * tests/probes/hostile.bpf.c refused, each with one line naming its
 * problem; the well-behaved one read as it is. */
#include <errno.h>
#include <stdlib.h>

#include <bpf/libbpf.h>

#include "../../userspace/lib/probe_object.h"
#include "../lib/test.h"

/* build/probes/hostile_@which.bpf.o, read whole into *@len bytes. */
static void *probe_file(const char *which, size_t *len)
{
	const char *build = getenv("HEARTH_BUILD") ?: "build";
	char path[512];
	void *data = NULL;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/probes/hostile_%s.bpf.o", build, which);
	f = fopen(path, "rb");
	if (!ASSERT_TRUE(f != NULL, path))
		return NULL;
	if (!fseek(f, 0, SEEK_END) && (n = ftell(f)) > 0 && !fseek(f, 0, SEEK_SET)) {
		data = malloc((size_t)n);
		if (data && fread(data, 1, (size_t)n, f) != (size_t)n) {
			free(data);
			data = NULL;
		}
		*len = (size_t)n;
	}
	fclose(f);
	return data;
}

/* Checks build/probes/hostile_@which.bpf.o: 0, or the error with its
 * line in @err. */
static int object_check(const char *which, struct hearth_probe_object *o, struct hearth_err *err)
{
	size_t len = 0;
	void *data = probe_file(which, &len);
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
