/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_COUNTERS_H
#define HEARTH_COUNTERS_H

#include "../../maps/hearth_maps.h"

struct hearth_counter_desc {
	const char *name; /* stable: used in JSON and by scripts */
	enum hearth_counter_class cls;
	const char *description;
};

extern const struct hearth_counter_desc hearth_counter_descs[HEARTH_CNT_MAX];

const char *hearth_class_name(enum hearth_counter_class cls);
/* The counter id with this name, or -1. */
int hearth_counter_by_name(const char *name);

#endif
