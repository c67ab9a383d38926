/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_UTIL_CLOCK_H
#define HEARTH_UTIL_CLOCK_H

/* Milliseconds of CLOCK_MONOTONIC: deadlines and timeouts, which a
 * change of the wall clock must not move. */
long long hearth_monotonic_ms(void);
/* Milliseconds of CLOCK_REALTIME: times as records and files show them. */
long long hearth_wall_ms(void);

#endif
