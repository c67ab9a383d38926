// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A chute's CPU and memory from its cgroup (usage.h). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "crun.h"
#include "usage.h"

#define CGROUP_ROOT "/sys/fs/cgroup"

/* The number after @key in the file (@key NULL: the file's first number). */
static int read_u64(const char *path, const char *key, __u64 *out)
{
	char line[128];
	FILE *f = fopen(path, "re");
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (ret && fgets(line, sizeof(line), f)) {
		unsigned long long v;

		if (!key && sscanf(line, "%llu", &v) == 1)
			ret = 0;
		else if (key && !strncmp(line, key, strlen(key)) &&
			 sscanf(line + strlen(key), " %llu", &v) == 1)
			ret = 0;
		if (!ret)
			*out = v;
	}
	fclose(f);
	return ret;
}

int chute_usage(const char *name, __u64 *cpu_ns, __u64 *memory)
{
	char path[256];
	__u64 usec;

	/* v2: one tree */
	snprintf(path, sizeof(path), CGROUP_ROOT "/" CHUTE_CGROUP_PARENT "/%s/cpu.stat", name);
	if (!read_u64(path, "usage_usec", &usec)) {
		*cpu_ns = usec * 1000;
		snprintf(path, sizeof(path), CGROUP_ROOT "/" CHUTE_CGROUP_PARENT "/%s/memory.current",
			 name);
		return read_u64(path, NULL, memory);
	}
	/* v1: a tree per controller */
	snprintf(path, sizeof(path), CGROUP_ROOT "/cpuacct/" CHUTE_CGROUP_PARENT "/%s/cpuacct.usage",
		 name);
	if (read_u64(path, NULL, cpu_ns))
		return -ENOENT;
	snprintf(path, sizeof(path),
		 CGROUP_ROOT "/memory/" CHUTE_CGROUP_PARENT "/%s/memory.usage_in_bytes", name);
	return read_u64(path, NULL, memory);
}
