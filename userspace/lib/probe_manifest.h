/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe bundle's manifest (manifest.json): what the probe is, who wrote
 * it, where it attaches and what it asks for. docs/researcher-guide.md
 * has its fields; every one is required but "record".
 */
#ifndef HEARTH_PROBE_MANIFEST_H
#define HEARTH_PROBE_MANIFEST_H

#include <stddef.h>
#include <time.h>

#include "probe_object.h"
#include "probe_sign.h"

#define HEARTH_PROBE_NAME_MAX 32
#define HEARTH_PROBE_CPU_BUDGET_MAX_NS 10000 /* a probe's mean per run, at most */

struct hearth_probe_manifest {
	char name[HEARTH_PROBE_NAME_MAX + 1]; /* [a-z0-9-], a letter first */
	int abi;
	char author[128];
	char key[HEARTH_PROBE_HEX_LEN]; /* the signing key's fingerprint */
	char purpose[512];
	char point[64]; /* the probe point's function (HEARTH_PROBE_POINT_*) */
	int n_maps;
	struct hearth_probe_map map[HEARTH_PROBE_MAX_MAPS];
	char output[64]; /* the map that holds its results */
	char record[64]; /* the struct of its output's records ("": not named) */
	unsigned int cpu_budget_ns; /* mean run time it may take */
	time_t expires;
};

/* Parses @len bytes of @text (the file @what) into @m: 0, or -EINVAL with
 * one line naming the field. */
int hearth_probe_manifest_parse(const char *text, size_t len, const char *what,
				struct hearth_probe_manifest *m, struct hearth_err *err);

#endif
