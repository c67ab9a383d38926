/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * What a probe's BPF object asks for, read from the ELF file without
 * loading anything (libbpf opens it; nothing reaches the kernel), and the
 * policy it must meet (maps/hearth_probe.h): programs of type tracing,
 * fentry or fexit on a probe point; helpers from an allowlist, no kfunc;
 * maps of a few plain types within the memory budget, none pinned.
 */
#ifndef HEARTH_PROBE_OBJECT_H
#define HEARTH_PROBE_OBJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "../../maps/hearth_probe.h"
#include "../../util/error.h"

struct hearth_probe_prog {
	char name[64];
	char point[64]; /* the probe point it attaches to */
	bool fexit; /* else fentry */
	__u32 insns; /* as compiled */
};

struct hearth_probe_map {
	char name[64];
	char type[24]; /* as the manifest spells it: "array", "ringbuf"... */
	__u64 bytes; /* what it holds at most (per-CPU maps: on every CPU) */
	bool view; /* HEARTH_PROBE_HOSTS_MAP: hearth's, given in its place */
};

struct hearth_probe_object {
	int n_progs;
	struct hearth_probe_prog prog[HEARTH_PROBE_MAX_PROGS];
	int n_maps;
	struct hearth_probe_map map[HEARTH_PROBE_MAX_MAPS];
	__u64 map_bytes; /* all maps together */
};

/* Reads the object @data (@len bytes; @what names it in errors) into @out
 * and checks it against the policy, with @budget bytes for its maps.
 * 0, or a negative errno with one line in @err naming the problem. */
int hearth_probe_object_check(const void *data, size_t len, const char *what, __u64 budget,
			      struct hearth_probe_object *out, struct hearth_err *err);

/* The manifest's name of a BPF map type, or NULL for a type probes may
 * not have. */
const char *hearth_probe_map_type_name(__u32 type);

#endif
