// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The machine xdp_bench ran on (kernel, CPU, mitigations, date), for
 * both reports.
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "xdp_bench.h"

static void read_line(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "r");

	snprintf(buf, size, "unknown");
	if (f && fgets(buf, (int)size, f))
		buf[strcspn(buf, "\n")] = 0;
	if (f)
		fclose(f);
}

static void cpu_model(char *buf, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(buf, size, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (strncmp(line, "model name", 10) || !colon)
			continue;
		snprintf(buf, size, "%s", colon + 2);
		buf[strcspn(buf, "\n")] = 0;
		break;
	}
	fclose(f);
}

void bench_machine_info(struct machine *m)
{
	struct utsname u;
	time_t now = time(NULL);

	snprintf(m->kernel, sizeof(m->kernel), "%s", uname(&u) ? "unknown" : u.release);
	cpu_model(m->cpu_model, sizeof(m->cpu_model));
	m->nproc = sysconf(_SC_NPROCESSORS_ONLN);
	strftime(m->date, sizeof(m->date), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	read_line("/sys/devices/system/cpu/vulnerabilities/spectre_v2", m->spectre_v2,
		  sizeof(m->spectre_v2));
	read_line("/sys/devices/system/cpu/vulnerabilities/spec_rstack_overflow", m->srso,
		  sizeof(m->srso));
}
