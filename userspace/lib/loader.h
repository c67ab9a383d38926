/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_LOADER_H
#define HEARTH_LOADER_H

#include "config.h"
#include "dataplane.h"
#include "../../util/error.h"

/* Adopts the pinned data plane when it is this build's, else loads ours
 * (reusing pinned maps) and moves existing links to it. Mounts bpffs. */
int hearth_dp_load(struct hearth_dp *dp, const struct hearth_config *cfg,
		   struct hearth_err *err);
/* Detaches our tc filter and removes every link, program and map pinned
 * under pin_dir (the loader's half of hearth_dp_teardown()). */
int hearth_dp_unpin(const char *pin_dir, struct hearth_err *err);

#endif
