/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The seccomp profile of every chute (the list of denied system calls is
 * denied_calls in seccomp.c), for the runtime spec hearth writes.
 */
#ifndef HEARTH_SANDBOX_SECCOMP_H
#define HEARTH_SANDBOX_SECCOMP_H

#include "json_util.h"

/* Adds "seccomp" to the spec's @lnx object: everything allowed but the
 * denied calls, for every ABI of the gateway's architecture. */
void put_seccomp(struct jb *b, struct json_object *lnx);

#endif
