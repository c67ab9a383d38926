// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Taking the gateway down: the shaper's part and the loader's part, in
 * that order (the shaper finds the WAN in the pins the loader removes). */
#include "loader.h"
#include "shaper.h"
#include "teardown.h"

int hearth_dp_teardown(const char *pin_dir, struct hearth_err *err)
{
	hearth_shaper_remove_pinned(pin_dir);
	return hearth_dp_unpin(pin_dir, err);
}
