// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearthd's probes: approvals, attachment, expiry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "../../util/clock.h"
#include "../../util/files.h"
#include "../lib/dpstate.h"
#include "daemon.h"
#include "probes.h"

static bool is_digest(const char *s)
{
	return strlen(s) == HEARTH_PROBE_HEX_LEN - 1 &&
	       strspn(s, "0123456789abcdef") == HEARTH_PROBE_HEX_LEN - 1;
}

int probes_open(struct daemon *d, struct hearth_err *err)
{
	struct probes *ps = &d->probes;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int ret, n = 0;

	memset(ps, 0, sizeof(*ps));
	ps->stats_fd = -1;
	ret = hearth_file_read(d->cfg.probe_approved, 1 << 16, (void **)&text, &len);
	if (ret == -ENOENT)
		return 0;
	if (ret)
		return hearth_err_set(err, -ret, "%s: %s", d->cfg.probe_approved, strerror(-ret));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		n++;
		if (!is_digest(line)) {
			ret = hearth_err_set(err, EINVAL, "%s:%d: not a probe bundle's digest",
					     d->cfg.probe_approved, n);
			break;
		}
		if (ps->n_approved < PROBES_APPROVED_MAX)
			snprintf(ps->approved[ps->n_approved++], HEARTH_PROBE_HEX_LEN, "%s", line);
	}
	free(text);
	return ret;
}

static int approved_save(struct daemon *d)
{
	struct probes *ps = &d->probes;
	char text[PROBES_APPROVED_MAX * HEARTH_PROBE_HEX_LEN + 1] = "";
	size_t len = 0;
	char dir[256], *slash;

	for (int i = 0; i < ps->n_approved; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", ps->approved[i]);
	snprintf(dir, sizeof(dir), "%s", d->cfg.probe_approved);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		hearth_mkdir_p(dir, 0755);
	}
	return hearth_file_replace(d->cfg.probe_approved, text, len, true);
}

static bool approved(const struct probes *ps, const char *digest)
{
	for (int i = 0; i < ps->n_approved; i++)
		if (!strcmp(ps->approved[i], digest))
			return true;
	return false;
}

int probes_approve(struct daemon *d, const char *digest, struct hearth_err *err)
{
	struct probes *ps = &d->probes;
	int ret;

	if (!is_digest(digest))
		return hearth_err_set(err, EINVAL,
				      "'%s' is not a bundle's digest (64 hex digits: hearth probe digest BUNDLE)",
				      digest);
	if (approved(ps, digest))
		return 0;
	if (ps->n_approved == PROBES_APPROVED_MAX)
		return hearth_err_set(err, ENOSPC, "%d digests are approved already",
				      PROBES_APPROVED_MAX);
	snprintf(ps->approved[ps->n_approved++], HEARTH_PROBE_HEX_LEN, "%s", digest);
	ret = approved_save(d);
	if (ret) {
		ps->n_approved--;
		return hearth_err_set(err, -ret, "%s: %s", d->cfg.probe_approved, strerror(-ret));
	}
	logmsg("probe bundle %.16s... approved", digest);
	return 0;
}

/* The data plane's programs that pass the packet probe point. */
static int targets_of(const struct daemon *d, int *fds)
{
	int n = 0;

	if (d->dp.prog_fd >= 0)
		fds[n++] = d->dp.prog_fd;
	for (int i = 0; i < HEARTH_TC_POINTS; i++)
		if (d->dp.tc_prog_fd[i] >= 0)
			fds[n++] = d->dp.tc_prog_fd[i];
	return n;
}

static void flag_update(struct daemon *d)
{
	hearth_dp_update_flags(&d->dp, HEARTH_STATE_PROBES, d->probes.n ? HEARTH_STATE_PROBES : 0);
}

const struct probe_attached *probes_find(const struct daemon *d, const char *name)
{
	for (int i = 0; i < d->probes.n; i++)
		if (!strcmp(d->probes.p[i].name, name))
			return &d->probes.p[i];
	return NULL;
}

/* Everything the bundle must pass before it is attached; on success the
 * probe, attached, in @pa. */
static int bundle_attach(struct daemon *d, struct hearth_probe_bundle *b,
			 struct probe_attached *pa, struct hearth_err *err)
{
	int fds[HEARTH_PROBE_MAX_TARGETS], n = targets_of(d, fds), ret;

	ret = hearth_probe_bundle_check(b, d->cfg.probe_keys, time(NULL), HEARTH_PROBE_MAP_BUDGET,
					err);
	if (ret)
		return ret;
	if (!approved(&d->probes, b->digest_hex))
		return hearth_err_set(err, EPERM,
				      "%s: not approved (its digest %s; hearth probe show, then hearth probe approve)",
				      b->dir, b->digest_hex);
	if (probes_find(d, b->manifest.name))
		return hearth_err_set(err, EEXIST, "a probe named %s is attached already",
				      b->manifest.name);
	if (d->probes.n == PROBES_MAX)
		return hearth_err_set(err, ENOSPC, "%d probes are attached already", PROBES_MAX);
	if (!n)
		return hearth_err_set(err, ENOENT, "no data plane program to attach to");
	ret = hearth_probe_verifier_check(b, fds[0], err);
	if (!ret)
		ret = hearth_probe_attach(b, fds, n, &pa->loaded, err);
	if (ret)
		return ret;
	snprintf(pa->name, sizeof(pa->name), "%s", b->manifest.name);
	snprintf(pa->digest, sizeof(pa->digest), "%s", b->digest_hex);
	snprintf(pa->author, sizeof(pa->author), "%s", b->manifest.author);
	snprintf(pa->output, sizeof(pa->output), "%s", b->manifest.output);
	snprintf(pa->dir, sizeof(pa->dir), "%s", b->dir);
	pa->attached = time(NULL);
	pa->expires = b->manifest.expires;
	pa->targets = n;
	pa->budget_ns = b->manifest.cpu_budget_ns;
	return 0;
}

int probes_attach(struct daemon *d, const char *dir, char *name, size_t size,
		  struct hearth_err *err)
{
	struct probe_attached pa = {};
	struct hearth_probe_bundle b;
	int ret;

	ret = hearth_probe_bundle_read(&b, dir, err);
	if (!ret)
		ret = bundle_attach(d, &b, &pa, err);
	hearth_probe_bundle_free(&b);
	if (ret)
		return ret;
	d->probes.p[d->probes.n++] = pa;
	flag_update(d);
	snprintf(name, size, "%s", pa.name);
	logmsg("probe %s (%.16s..., by %s) attached to %d programs", pa.name, pa.digest, pa.author,
	       pa.targets);
	return 0;
}

int probes_detach(struct daemon *d, const char *name, const char *why)
{
	struct probes *ps = &d->probes;

	for (int i = 0; i < ps->n; i++) {
		if (strcmp(ps->p[i].name, name))
			continue;
		hearth_probe_detach(&ps->p[i].loaded);
		logmsg("probe %s detached (%s)", name, why);
		ps->p[i] = ps->p[--ps->n];
		flag_update(d);
		return 0;
	}
	return -ENOENT;
}

/* The window opens: run-time statistics on, each probe's counts noted. */
static void window_open(struct daemon *d, long long now)
{
	struct probes *ps = &d->probes;

	ps->stats_fd = bpf_enable_stats(BPF_STATS_RUN_TIME);
	if (ps->stats_fd < 0) {
		ps->window_ms = now + PROBES_PERIOD_MS; /* tried again later */
		return;
	}
	for (int i = 0; i < ps->n; i++)
		hearth_probe_runtime(&ps->p[i].loaded, &ps->p[i].window_ns, &ps->p[i].window_runs);
	ps->window_ms = now + PROBES_WINDOW_MS;
}

/* The window closes: each probe's mean run time over it, judged against
 * its budget; statistics off again. */
static void window_close(struct daemon *d, long long now)
{
	struct probes *ps = &d->probes;
	char why[128];

	for (int i = ps->n - 1; i >= 0; i--) {
		struct probe_attached *p = &ps->p[i];
		__u64 ns, runs;

		if (hearth_probe_runtime(&p->loaded, &ns, &runs) || runs <= p->window_runs)
			continue; /* no packet passed: nothing to judge */
		p->mean_ns = (ns - p->window_ns) / (runs - p->window_runs);
		p->last_runs = runs - p->window_runs;
		if (p->mean_ns <= p->budget_ns) {
			p->over_since_ms = 0;
			continue;
		}
		if (!p->over_since_ms)
			p->over_since_ms = now;
		if (now - p->over_since_ms < PROBES_GRACE_MS)
			continue;
		snprintf(why, sizeof(why), "over its CPU budget: %llu ns a run against %u for %lld s",
			 (unsigned long long)p->mean_ns, p->budget_ns,
			 (now - p->over_since_ms) / 1000);
		probes_detach(d, p->name, why);
	}
	close(ps->stats_fd);
	ps->stats_fd = -1;
	ps->window_ms = now + PROBES_PERIOD_MS - PROBES_WINDOW_MS;
}

void probes_supervise(struct daemon *d)
{
	struct probes *ps = &d->probes;
	long long now = hearth_monotonic_ms();
	time_t wall = time(NULL);

	for (int i = ps->n - 1; i >= 0; i--)
		if (wall >= ps->p[i].expires)
			probes_detach(d, ps->p[i].name, "expired");
	if (ps->stats_fd >= 0 && (now >= ps->window_ms || !ps->n))
		window_close(d, now);
	else if (ps->stats_fd < 0 && ps->n && now >= ps->window_ms)
		window_open(d, now);
}

void probes_close(struct daemon *d)
{
	while (d->probes.n)
		probes_detach(d, d->probes.p[0].name, "hearthd stops");
	if (d->probes.stats_fd >= 0)
		close(d->probes.stats_fd);
	d->probes.stats_fd = -1;
}
