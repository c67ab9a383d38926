/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * hearthd's probes: the digests the operator approved (kept in the
 * probe-approved file), and the probes attached now, each checked whole
 * (probe_bundle.h), judged by a verifier-only load, then attached to the
 * data plane's programs that pass its probe point (probe_load.h). The
 * state map's probe flag is set while one is attached. A probe is
 * detached at its expiry. A probe whose output is a ring buffer has its
 * records read into a queue every supervision tick (probe_ring.h), and
 * into the flow log with probe-export on.
 */
#ifndef HEARTHD_PROBES_H
#define HEARTHD_PROBES_H

#include <limits.h>
#include <time.h>

#include "../lib/probe_hosts.h"
#include "../lib/probe_load.h"
#include "../lib/probe_ring.h"

#define PROBES_MAX 4
#define PROBES_APPROVED_MAX 64

struct daemon;

/* A probe's output: its record type, and its ring's records when it is a
 * ring buffer. On the heap: libbpf holds the ring's address, and the
 * attached probes move in their array. */
struct probe_output {
	struct daemon *d;
	char name[HEARTH_PROBE_NAME_MAX + 1];
	struct hearth_probe_record record; /* the manifest's (name "": none) */
	bool is_ring;
	struct hearth_probe_ring ring; /* is_ring: read, then queued */
};

struct probe_attached {
	char name[HEARTH_PROBE_NAME_MAX + 1];
	char digest[HEARTH_PROBE_HEX_LEN];
	char author[128];
	char output[64];
	char dir[PATH_MAX];
	char key_path[PATH_MAX]; /* the trusted key that signed it */
	time_t attached, expires;
	int targets;
	bool reads_hosts; /* its object declares the home hosts' view */
	struct hearth_probe_loaded loaded;
	struct probe_output *out;
	unsigned int budget_ns; /* its manifest's cpu_budget_ns */
	/* run time: the counts when the sampling window opened, the mean of
	 * the last window (0: none measured yet), and since when it has been
	 * over its budget (0: it is not) */
	__u64 window_ns, window_runs;
	__u64 mean_ns, last_runs;
	long long over_since_ms;
};

struct probes {
	/* run-time statistics, on for a window at a time while probes are
	 * attached: the fd that keeps them on (-1: off), and the next edge */
	int stats_fd;
	long long window_ms;
	bool down; /* hearth down: stopping detaches them, else they stay */
	int n_approved;
	char approved[PROBES_APPROVED_MAX][HEARTH_PROBE_HEX_LEN];
	int n;
	struct probe_attached p[PROBES_MAX];
	struct hearth_probe_hosts hosts; /* the home hosts records name */
	long long hosts_ms; /* the next walk naming them */
	bool hosts_full_logged;
};

/* The approved digests from the configuration's file (none: none), and
 * the probes a previous hearthd left attached (pinned), attached again
 * to the data plane's programs as they are now (after an upgrade, the
 * new ones) before their old links go. */
int probes_open(struct daemon *d, struct hearth_err *err);
/* Leaves the probes attached (pinned) for the next hearthd, unless
 * `hearth down` asked for everything to go. */
void probes_close(struct daemon *d);
int probes_approve(struct daemon *d, const char *digest, struct hearth_err *err);
/* Checks the bundle in @dir whole and attaches it; its name in @name. */
int probes_attach(struct daemon *d, const char *dir, char *name, size_t size,
		  struct hearth_err *err);
int probes_detach(struct daemon *d, const char *name, const char *why);
const struct probe_attached *probes_find(const struct daemon *d, const char *name);
/* Reads what waits in @p's ring buffer (none: 0) into its queue. */
void probes_drain(const struct probe_attached *p);
/* Run-time sampling: statistics on for PROBES_WINDOW_MS every
 * PROBES_PERIOD_MS while probes are attached; a probe whose mean run time
 * stays over its budget for PROBES_GRACE_MS is detached. */
#define PROBES_PERIOD_MS 5000
#define PROBES_WINDOW_MS 1000
#define PROBES_GRACE_MS 10000

/* Every half second: probes past their expiry or over their CPU budget
 * detached, and logged; ring buffers read; home hosts named every
 * PROBES_HOSTS_MS. */
void probes_supervise(struct daemon *d);

/* probes_output.c: @pa's output, read through its record type; its ring
 * opened when it is a ring buffer; closed, its queue freed. */
int probes_output_open(struct daemon *d, struct probe_attached *pa,
		       const struct hearth_probe_bundle *b, struct hearth_err *err);
void probes_output_close(struct probe_attached *pa);

/* probes_budget.c: the run-time statistics' window opened or closed as
 * due, and probes over their budget detached. */
void probes_budget_tick(struct daemon *d, long long now);

/* probes_hosts.c: the home hosts probe records name, from the connection
 * table (a walk) while a probe is attached. */
#define PROBES_HOSTS_MS 5000
int probes_hosts_open(struct daemon *d);
void probes_hosts_walk(struct daemon *d);

#endif
