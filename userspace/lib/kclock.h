/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_KCLOCK_H
#define HEARTH_KCLOCK_H

#include <linux/types.h>

/* The kernel's HZ: from its config, else measured from jiffies over
 * 200 ms, else 100. */
unsigned int hearth_kernel_hz(void);
/* The data plane's clock, bpf_jiffies64(), read from /proc/timer_list. */
int hearth_jiffies_now(__u64 *jiffies);

#endif
