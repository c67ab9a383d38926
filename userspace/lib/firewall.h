/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The firewall's settings in the data plane (bpf/lib/firewall.h): on or
 * off, the home's prefixes, the pinholes, the interfaces left open.
 */
#ifndef HEARTH_FIREWALL_H
#define HEARTH_FIREWALL_H

#include "../../util/error.h"
#include "config.h"
#include "dataplane.h"

/* Writes what @cfg says, with @n_extra runtime pinholes after the file's.
 * Interfaces not attached yet get their flag when they are (sync again). */
int hearth_fw_apply(struct hearth_dp *dp, const struct hearth_config *cfg,
		    const struct hearth_pinhole *extra, int n_extra, struct hearth_err *err);

#endif
