// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The kernel's clock as the data plane reads it: HZ and jiffies. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <zlib.h>

#include "kclock.h"

int hearth_jiffies_now(__u64 *jiffies)
{
	char line[256];
	FILE *f = fopen("/proc/timer_list", "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f))
		if (sscanf(line, "jiffies: %llu", (unsigned long long *)jiffies) == 1)
			ret = 0;
	fclose(f);
	return ret;
}

static unsigned int config_hz(void)
{
	char boot[300], line[256];
	const char *paths[] = { boot, "/proc/config.gz" };
	struct utsname uts;
	unsigned int hz = 0;

	if (uname(&uts))
		return 0;
	snprintf(boot, sizeof(boot), "/boot/config-%s", uts.release);
	for (size_t i = 0; i < 2 && !hz; i++) {
		gzFile f = gzopen(paths[i], "rb");

		if (!f)
			continue;
		while (gzgets(f, line, sizeof(line)))
			if (!strncmp(line, "CONFIG_HZ=", 10)) {
				hz = (unsigned int)strtoul(line + 10, NULL, 10);
				break;
			}
		gzclose(f);
	}
	return hz >= 100 && hz <= 10000 ? hz : 0;
}

/* jiffies over 200 ms, rounded to the HZ values Linux offers. */
static unsigned int measured_hz(void)
{
	static const unsigned int choices[] = { 100, 250, 300, 1000 };
	struct timespec pause = { .tv_nsec = 200 * 1000 * 1000 };
	__u64 j0, j1;
	unsigned int best = 0;
	double rate;

	if (hearth_jiffies_now(&j0) || nanosleep(&pause, NULL) ||
	    hearth_jiffies_now(&j1) || j1 <= j0)
		return 0;
	rate = (double)(j1 - j0) / 0.2;
	for (size_t i = 0; i < sizeof(choices) / sizeof(choices[0]); i++)
		if (!best || fabs(rate - choices[i]) < fabs(rate - best))
			best = choices[i];
	return best;
}

/* CONFIG_HZ from the kernel's config (gzopen reads plain files too), else
 * measured, else 100, the smallest HZ Linux offers. */
unsigned int hearth_kernel_hz(void)
{
	static unsigned int hz;

	if (!hz)
		hz = config_hz();
	if (!hz)
		hz = measured_hz();
	if (!hz)
		hz = 100;
	return hz;
}
