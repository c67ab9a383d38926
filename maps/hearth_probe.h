/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The contract between hearth and a researcher's probe (docs/researcher-
 * guide.md): the probe ABI version a bundle names, the probe points it may
 * attach to, and the limits hearth holds every probe to. A probe is a
 * BPF_PROG_TYPE_TRACING program (fentry or fexit) on one of the probe
 * points, global functions of hearth's data plane that take a flat record
 * of metadata and nothing else: no packet, no verdict.
 */
#ifndef HEARTH_PROBE_H
#define HEARTH_PROBE_H

#include <linux/types.h>

/* A bundle's manifest names the ABI its probe was built for; hearth takes
 * this one only. */
#define HEARTH_PROBE_ABI 1

/* Probe points: the data-plane functions a probe's section names
 * (SEC("fentry/hearth_probe_packet")), and the manifest's "point". */
#define HEARTH_PROBE_POINT_PACKET "hearth_probe_packet" /* each packet, XDP and tc */
#define HEARTH_PROBE_POINT_FLOW_END "hearth_probe_flow_end" /* each connection's end */

/* Limits every probe is held to, whatever its manifest asks. */
#define HEARTH_PROBE_MAX_PROGS 4 /* programs in one bundle */
#define HEARTH_PROBE_MAX_MAPS 8
#define HEARTH_PROBE_MAX_INSNS 4096 /* instructions of one program, as compiled */
#define HEARTH_PROBE_MAP_BUDGET (16u << 20) /* bytes of all its maps together */

#endif
