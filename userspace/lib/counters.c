// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <string.h>

#include "counters.h"

#define HEARTH_CNT_DESC_(id, cls_, name_, desc_)                               \
	[HEARTH_CNT_##id] = { .name = name_,                                  \
			      .cls = HEARTH_CLASS_##cls_,                     \
			      .description = desc_ },
const struct hearth_counter_desc hearth_counter_descs[HEARTH_CNT_MAX] = {
	HEARTH_COUNTERS(HEARTH_CNT_DESC_)
};
#undef HEARTH_CNT_DESC_

const char *hearth_class_name(enum hearth_counter_class cls)
{
	switch (cls) {
	case HEARTH_CLASS_FAST:
		return "fast";
	case HEARTH_CLASS_PASS:
		return "slow";
	case HEARTH_CLASS_DROP:
		return "drop";
	case HEARTH_CLASS_EGRESS:
		return "egress";
	}
	return "?";
}

int hearth_counter_by_name(const char *name)
{
	for (int id = 0; id < HEARTH_CNT_MAX; id++)
		if (!strcmp(hearth_counter_descs[id].name, name))
			return id;
	return -1;
}
