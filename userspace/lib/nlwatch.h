/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_NLWATCH_H
#define HEARTH_NLWATCH_H

#include "../../util/error.h"

/* What changed since the last drain. */
enum hearth_nl_change {
	HEARTH_NL_FIB = 1 << 0, /* route, neighbour, address or netconf */
	HEARTH_NL_LINK = 1 << 1, /* an interface appeared, changed or left */
	/* an address came or went (the source of the ICMP errors XDP sends
	 * out of an interface is its address) */
	HEARTH_NL_ADDR = 1 << 2,
};

struct nl_sock;

struct hearth_nlwatch {
	struct nl_sock *sock;
	unsigned int pending;
};

int hearth_nlwatch_open(struct hearth_nlwatch *w, struct hearth_err *err);
int hearth_nlwatch_fd(const struct hearth_nlwatch *w);
/* Reads every queued notification; returns a mask of hearth_nl_change. */
unsigned int hearth_nlwatch_drain(struct hearth_nlwatch *w);
void hearth_nlwatch_close(struct hearth_nlwatch *w);

#endif
