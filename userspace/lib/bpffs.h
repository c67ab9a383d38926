/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_BPFFS_H
#define HEARTH_BPFFS_H

#include "../../util/error.h"

/* Makes @pin_dir (and its progs/ and links/) on a bpf filesystem,
 * mounting /sys/fs/bpf when it is not. */
int hearth_bpffs_ensure(const char *pin_dir, struct hearth_err *err);

#endif
