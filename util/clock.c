// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The monotonic and wall clocks in milliseconds. */
#include <time.h>

#include "clock.h"

long long hearth_monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long hearth_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
