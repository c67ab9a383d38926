/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A checked probe bundle (probe_bundle.h) put to work: loaded against the
 * data plane's programs that have its probe point, checked again as the
 * kernel loaded it, and attached; or only verified, then closed at once.
 * One copy of the object per target program (a tracing program is bound
 * to one target when it is loaded), sharing the first copy's maps.
 */
#ifndef HEARTH_PROBE_LOAD_H
#define HEARTH_PROBE_LOAD_H

#include "probe_bundle.h"

#define HEARTH_PROBE_MAX_TARGETS 3 /* XDP, tc egress, tc ingress */

struct bpf_object;
struct bpf_link;

/* What a probe is loaded against: the data plane's programs that have its
 * probe point, and the view of home hosts it may read (maps/
 * hearth_probe.h), the data plane's pinned HEARTH_MAP_HOSTS. */
struct hearth_probe_targets {
	int n;
	int prog_fd[HEARTH_PROBE_MAX_TARGETS];
	int hosts_fd; /* -1: none (a probe that reads the view is refused) */
};

struct hearth_probe_loaded {
	int n_objs;
	struct bpf_object *obj[HEARTH_PROBE_MAX_TARGETS];
	int n_links;
	struct bpf_link *link[HEARTH_PROBE_MAX_TARGETS * HEARTH_PROBE_MAX_PROGS];
	__u32 verified_insns; /* the most any of its programs took the verifier */
};

/* Loads @b's object against @t's first program and closes it at once,
 * nothing attached or pinned: what only the kernel's verifier can judge
 * (a write to the probe's arguments or to the hosts view, a loop it
 * cannot bound), judged. 0, or -EACCES with the verifier's reason in
 * @err. */
int hearth_probe_verifier_check(const struct hearth_probe_bundle *b,
				const struct hearth_probe_targets *t, struct hearth_err *err);

/* Loads @b against each of @t's programs (their probe point is the
 * manifest's), checks each loaded program as the kernel holds it, and
 * attaches them. With @pin_dir, its maps are pinned there
 * (map-NAME; maps pinned there already are reused, their contents kept)
 * and its links too (link-N), so that it outlives the process. All or
 * nothing: on failure nothing of the probe is left but maps pinned
 * before. */
int hearth_probe_attach(const struct hearth_probe_bundle *b, const struct hearth_probe_targets *t,
			const char *pin_dir, struct hearth_probe_loaded *out, struct hearth_err *err);
/* Removes what @pin_dir holds of a probe (its links: detached), and the
 * directory. */
int hearth_probe_unpin(const char *pin_dir);
void hearth_probe_detach(struct hearth_probe_loaded *p);

/* What the kernel counted of the probe's programs while run-time
 * statistics were on (kernel.bpf_stats_enabled, bpf_enable_stats()):
 * the nanoseconds they ran and how many runs, summed. */
int hearth_probe_runtime(const struct hearth_probe_loaded *p, __u64 *run_ns, __u64 *runs);

/* The fd of map @name of an attached probe (its results), or -ENOENT. */
int hearth_probe_map_fd(const struct hearth_probe_loaded *p, const char *name);

#endif
