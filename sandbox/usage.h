/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* What a running chute has used, from its cgroup (crun puts it in
 * CHUTE_CGROUP_PARENT/NAME): on cgroup v2 cpu.stat and memory.current, on
 * v1 (or a hybrid host) cpuacct.usage and memory.usage_in_bytes. */
#ifndef CHUTE_USAGE_H
#define CHUTE_USAGE_H

#include <linux/types.h>

/* CPU time in nanoseconds and memory in bytes; -ENOENT when the chute
 * has no cgroup (it does not run). */
int chute_usage(const char *name, __u64 *cpu_ns, __u64 *memory);

#endif
