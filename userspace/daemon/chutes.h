/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_CHUTES_H
#define HEARTHD_CHUTES_H

/* hearthd's side of chutes: the hooks that put a running chute behind
 * the data plane (chutes.c). */

struct daemon;

/* The chute runtime's environment from the configuration, with the hooks. */
void chutes_env_init(struct daemon *d);

#endif
