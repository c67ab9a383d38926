/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A slot of the connection table (maps/hearth_ct.h) by its index, set *
 * ways + way: what the table (ct_table.h) and the round-trip times kept
 * by slot (ct_rtt.h) both reach connections by.
 */
#ifndef HEARTH_BPF_CT_SLOT_H
#define HEARTH_BPF_CT_SLOT_H

#include "common.h"

#define CT_WAY_BITS 4
_Static_assert(HEARTH_CT_WAYS == 1 << CT_WAY_BITS, "ways are 2^CT_WAY_BITS");

static __always_inline struct hearth_ct_slot *ct_slot_at(__u32 index)
{
	__u32 set_index = index >> CT_WAY_BITS;
	struct hearth_ct_set *set = bpf_map_lookup_elem(&HEARTH_MAP_CT, &set_index);

	if (!set)
		return 0;
	/* keeps clang from taking the slot's address before the check */
	asm volatile("" : "+r"(set));
	return &set->slot[index & (HEARTH_CT_WAYS - 1)];
}

#endif /* HEARTH_BPF_CT_SLOT_H */
