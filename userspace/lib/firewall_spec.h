/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A firewall pinhole as the operator writes it, in the configuration
 * ("firewall allow ...") or on the command line: PROTO ADDR[/LEN]
 * [PORT[-PORT]].
 */
#ifndef HEARTH_FIREWALL_SPEC_H
#define HEARTH_FIREWALL_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "../../maps/hearth_maps.h"

/* Fills @ph from @argc words (2 or 3); on error, one line in @msg. */
int hearth_pinhole_parse(int argc, char **argv, struct hearth_pinhole *ph, char *msg,
			 size_t size);
/* "tcp 2001:db8:1::10/128 22" into @buf (at least 80 bytes). */
const char *hearth_pinhole_format(const struct hearth_pinhole *ph, char *buf, size_t size);
bool hearth_pinhole_equal(const struct hearth_pinhole *a, const struct hearth_pinhole *b);

#endif
