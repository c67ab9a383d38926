// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The counter list is the contract between the data plane and the CLI. */
#include "../lib/test.h"
#include "../../userspace/lib/counters.h"

TEST(counters_classes_match_verdict_rule)
{
	/* bpf/lib/verdict.h drops exactly the ids from DROP_TRUNC_ETH on */
	for (int id = 0; id < HEARTH_CNT_MAX; id++) {
		enum hearth_counter_class want =
			id >= HEARTH_CNT_DROP_TRUNC_ETH ? HEARTH_CLASS_DROP :
			id == HEARTH_CNT_FORWARD	? HEARTH_CLASS_FAST :
			id <= HEARTH_CNT_ICMP_SENT	? HEARTH_CLASS_EGRESS :
							  HEARTH_CLASS_PASS;

		ASSERT_EQ(hearth_counter_descs[id].cls, want, hearth_counter_descs[id].name);
	}
}

TEST(counters_names_unique_and_found)
{
	for (int id = 0; id < HEARTH_CNT_MAX; id++) {
		ASSERT_TRUE(hearth_counter_descs[id].name && hearth_counter_descs[id].description,
			    "described");
		ASSERT_EQ(hearth_counter_by_name(hearth_counter_descs[id].name), id,
			  hearth_counter_descs[id].name);
	}
	ASSERT_EQ(hearth_counter_by_name("nope"), -1, "unknown name");
}
