/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* The tc program on WAN egress, loaded on the gateway program's maps as
 * hearthd loads it, and run with BPF_PROG_TEST_RUN on frames as the
 * kernel sends them out of the WAN. */
#ifndef HEARTH_TC_COMMON_H
#define HEARTH_TC_COMMON_H

#include <bpf/bpf.h>

#include "nat_common.h"
#include "tc_wan.skel.h"

#define TC_ACT_OK 0
#define TC_ACT_SHOT 2

static inline struct tc_wan *tc_share(struct fixture *fx)
{
	struct tc_wan *tc = tc_wan__open();
	struct bpf_map *map;

	if (!ASSERT_TRUE(tc != NULL, "open tc_wan"))
		return NULL;
	bpf_object__for_each_map(map, tc->obj) {
		struct bpf_map *twin = bpf_object__find_map_by_name(fx->obj, bpf_map__name(map));

		if (twin && !strncmp(bpf_map__name(map), "hearth_", 7))
			ASSERT_OK(bpf_map__reuse_fd(map, bpf_map__fd(twin)), bpf_map__name(map));
	}
	if (!ASSERT_OK(tc_wan__load(tc), "load tc_wan")) {
		tc_wan__destroy(tc);
		return NULL;
	}
	return tc;
}

static inline __u32 tc_run(struct tc_wan *tc, const __u8 *in, __u32 len, __u8 *out, __u32 *out_len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = FRAME_MAX, .repeat = 1);

	if (bpf_prog_test_run_opts(bpf_program__fd(tc->progs.HEARTH_PROG_TC_WAN_EGRESS), &opts))
		return ~0u;
	*out_len = opts.data_size_out;
	return opts.retval;
}

#endif
