/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_TEARDOWN_H
#define HEARTH_TEARDOWN_H

#include "../../util/error.h"

/* Takes the gateway down: our HTB shaper and tc filter off the WAN, then
 * every link, program and map pinned under pin_dir. */
int hearth_dp_teardown(const char *pin_dir, struct hearth_err *err);

#endif
