// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearthd's probes: approvals, attachment, expiry, ring buffer output. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../util/clock.h"
#include "../../util/files.h"
#include "../lib/dpstate.h"
#include "daemon.h"
#include "probes.h"

/* Where a probe's pins live, and the note of its bundle for the next
 * hearthd: PIN_DIR/probes/NAME and RUN_DIR/probes/NAME. */
static void probe_path(const char *base, const char *name, char *out, size_t size)
{
	snprintf(out, size, "%s/probes%s%s", base, name ? "/" : "", name ?: "");
}

static bool is_digest(const char *s)
{
	return strlen(s) == HEARTH_PROBE_HEX_LEN - 1 &&
	       strspn(s, "0123456789abcdef") == HEARTH_PROBE_HEX_LEN - 1;
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

/* The data plane's programs that pass the probe points, and its view of
 * home hosts. */
static void targets_of(const struct daemon *d, struct hearth_probe_targets *t)
{
	t->n = 0;
	if (d->dp.prog_fd >= 0)
		t->prog_fd[t->n++] = d->dp.prog_fd;
	for (int i = 0; i < HEARTH_TC_POINTS; i++)
		if (d->dp.tc_prog_fd[i] >= 0)
			t->prog_fd[t->n++] = d->dp.tc_prog_fd[i];
	t->hosts_fd = d->dp.map_fd[HEARTH_DP_HOSTS];
}

/* The state map's probe flags: any probe attached; one that reads the
 * home hosts' view (only then do records name hosts, and hearthd names
 * them). */
static void flag_update(struct daemon *d)
{
	__u32 flags = d->probes.n ? HEARTH_STATE_PROBES : 0;

	for (int i = 0; i < d->probes.n; i++)
		if (d->probes.p[i].reads_hosts)
			flags |= HEARTH_STATE_PROBE_HOSTS;
	hearth_dp_update_flags(&d->dp, HEARTH_STATE_PROBES | HEARTH_STATE_PROBE_HOSTS, flags);
}

/* Whether an attached probe reads the home hosts' view. */
static bool hosts_read(const struct probes *ps)
{
	for (int i = 0; i < ps->n; i++)
		if (ps->p[i].reads_hosts)
			return true;
	return false;
}

const struct probe_attached *probes_find(const struct daemon *d, const char *name)
{
	for (int i = 0; i < d->probes.n; i++)
		if (!strcmp(d->probes.p[i].name, name))
			return &d->probes.p[i];
	return NULL;
}

/* A record of @ctx's ring (struct probe_output), read: into the flow log
 * when probe-export is on (it is queued for probe.read after this). */
static void rec_read(void *ctx, __u64 wall_ms, const void *data, size_t len)
{
	struct probe_output *out = ctx;

	if (out->d->cfg.probe_export && out->d->flows.log_open)
		flows_probe_record(out->d, out->name, wall_ms,
				   hearth_probe_record_json(&out->record, data, len));
}

/* @pa's output, read through its record type; its ring opened when it
 * is a ring buffer. */
static int output_open(struct daemon *d, struct probe_attached *pa,
		       const struct hearth_probe_bundle *b, struct hearth_err *err)
{
	int fd = hearth_probe_map_fd(&pa->loaded, pa->output), ret = 0;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len))
		return hearth_err_set(err, ENOENT, "%s: cannot read its output map %s", b->dir,
				      pa->output);
	pa->out = calloc(1, sizeof(*pa->out));
	if (!pa->out)
		return hearth_err_set(err, ENOMEM, "%s: out of memory", b->dir);
	pa->out->d = d;
	snprintf(pa->out->name, sizeof(pa->out->name), "%s", b->manifest.name);
	pa->out->record = b->record;
	pa->out->is_ring = info.type == BPF_MAP_TYPE_RINGBUF;
	if (pa->out->is_ring)
		ret = hearth_probe_ring_open(&pa->out->ring, fd, rec_read, pa->out);
	if (ret)
		return hearth_err_set(err, -ret, "%s: cannot read its ring buffer %s: %s", b->dir,
				      pa->output, strerror(-ret));
	return 0;
}

static void output_close(struct probe_attached *pa)
{
	if (pa->out && pa->out->is_ring)
		hearth_probe_ring_close(&pa->out->ring);
	free(pa->out);
	pa->out = NULL;
}

void probes_drain(const struct probe_attached *p)
{
	int ret;

	if (!p->out || !p->out->is_ring)
		return;
	ret = hearth_probe_ring_drain(&p->out->ring);
	if (ret < 0)
		logmsg("probe %s: reading its ring buffer: %s", p->name, strerror(-ret));
}

/* Everything the bundle must pass before it is attached; on success the
 * probe, attached, in @pa. */
static int bundle_attach(struct daemon *d, struct hearth_probe_bundle *b,
			 struct probe_attached *pa, struct hearth_err *err)
{
	struct hearth_probe_targets t;
	char pin[PATH_MAX];
	int ret;

	targets_of(d, &t);
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
	if (!t.n)
		return hearth_err_set(err, ENOENT, "no data plane program to attach to");
	ret = hearth_probe_verifier_check(b, &t, err);
	if (ret)
		return ret;
	probe_path(d->cfg.pin_dir, b->manifest.name, pin, sizeof(pin));
	ret = hearth_mkdir_p(pin, 0700);
	if (!ret)
		ret = hearth_probe_attach(b, &t, pin, &pa->loaded, err);
	else
		hearth_err_set(err, -ret, "%s: %s", pin, strerror(-ret));
	if (ret) {
		hearth_probe_unpin(pin);
		return ret;
	}
	snprintf(pa->name, sizeof(pa->name), "%s", b->manifest.name);
	snprintf(pa->digest, sizeof(pa->digest), "%s", b->digest_hex);
	snprintf(pa->author, sizeof(pa->author), "%s", b->manifest.author);
	snprintf(pa->output, sizeof(pa->output), "%s", b->manifest.output);
	snprintf(pa->dir, sizeof(pa->dir), "%s", b->dir);
	snprintf(pa->key_path, sizeof(pa->key_path), "%s", b->key_path);
	pa->attached = time(NULL);
	pa->expires = b->manifest.expires;
	pa->targets = t.n;
	pa->budget_ns = b->manifest.cpu_budget_ns;
	for (int i = 0; i < b->obj.n_maps; i++)
		pa->reads_hosts |= b->obj.map[i].view;
	ret = output_open(d, pa, b, err);
	if (ret) {
		output_close(pa);
		hearth_probe_detach(&pa->loaded);
		hearth_probe_unpin(pin);
	}
	return ret;
}

/* The next hearthd finds the probe by this note: its bundle's path. */
static void note_write(struct daemon *d, const struct probe_attached *pa)
{
	char path[PATH_MAX], text[PATH_MAX + 2];
	int len = snprintf(text, sizeof(text), "%s\n", pa->dir);

	probe_path(d->cfg.run_dir, NULL, path, sizeof(path));
	hearth_mkdir_p(path, 0700);
	probe_path(d->cfg.run_dir, pa->name, path, sizeof(path));
	if (hearth_file_replace(path, text, (size_t)len, false))
		logmsg("probe %s: cannot note it in %s: it will not be attached again after a restart",
		       pa->name, path);
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
	if (pa.reads_hosts) /* the hosts of connections open now, named at once */
		probes_hosts_walk(d);
	snprintf(name, size, "%s", pa.name);
	note_write(d, &pa);
	logmsg("probe %s (%.16s..., by %s) attached to %d programs", pa.name, pa.digest, pa.author,
	       pa.targets);
	return 0;
}

int probes_detach(struct daemon *d, const char *name, const char *why)
{
	struct probes *ps = &d->probes;
	char path[PATH_MAX];

	for (int i = 0; i < ps->n; i++) {
		if (strcmp(ps->p[i].name, name))
			continue;
		/* its last records, exported before they go with it */
		probes_drain(&ps->p[i]);
		output_close(&ps->p[i]);
		hearth_probe_detach(&ps->p[i].loaded);
		probe_path(d->cfg.pin_dir, name, path, sizeof(path));
		hearth_probe_unpin(path);
		probe_path(d->cfg.run_dir, name, path, sizeof(path));
		unlink(path);
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

	for (int i = ps->n - 1; i >= 0; i--) {
		struct stat st;

		/* read here, not when the ring wakes the loop: a probe that
		 * writes a record a packet would wake hearthd a packet; its
		 * ring, sized by the researcher, holds half a second */
		probes_drain(&ps->p[i]);
		if (wall >= ps->p[i].expires)
			probes_detach(d, ps->p[i].name, "expired");
		/* the operator took the researcher's key away: its probes go */
		else if (stat(ps->p[i].key_path, &st) && errno == ENOENT)
			probes_detach(d, ps->p[i].name, "its researcher's key was removed");
	}
	if (now >= ps->hosts_ms && hosts_read(ps))
		probes_hosts_walk(d);
	if (ps->stats_fd >= 0 && (now >= ps->window_ms || !ps->n))
		window_close(d, now);
	else if (ps->stats_fd < 0 && ps->n && now >= ps->window_ms)
		window_open(d, now);
}

void probes_close(struct daemon *d)
{
	while (d->probes.down && d->probes.n)
		probes_detach(d, d->probes.p[0].name, "hearth down");
	/* their links and maps stay pinned: they run on without hearthd,
	 * and what their rings hold waits there for the next one */
	for (int i = 0; i < d->probes.n; i++) {
		output_close(&d->probes.p[i]);
		hearth_probe_detach(&d->probes.p[i].loaded);
	}
	d->probes.n = 0;
	if (d->probes.stats_fd >= 0)
		close(d->probes.stats_fd);
	d->probes.stats_fd = -1;
}

/* The probe @name a previous hearthd attached: its old links held while
 * it is attached again from its bundle, then let go. */
static void readopt(struct daemon *d, const char *name)
{
	struct bpf_link *old[HEARTH_PROBE_MAX_TARGETS * HEARTH_PROBE_MAX_PROGS];
	char pin[PATH_MAX], path[PATH_MAX + 16], *dir = NULL;
	struct probe_attached pa = {};
	struct hearth_probe_bundle b;
	struct hearth_err err = {};
	size_t len = 0;
	int n_old = 0, ret;

	probe_path(d->cfg.pin_dir, name, pin, sizeof(pin));
	for (int i = 0; n_old < (int)(sizeof(old) / sizeof(old[0])); i++) {
		snprintf(path, sizeof(path), "%s/link-%d", pin, i);
		old[n_old] = bpf_link__open(path);
		if (!old[n_old])
			break;
		bpf_link__unpin(old[n_old++]);
	}
	probe_path(d->cfg.run_dir, name, path, sizeof(path));
	ret = hearth_file_read(path, PATH_MAX, (void **)&dir, &len);
	if (ret)
		hearth_err_set(&err, -ret, "%s: %s", path, strerror(-ret));
	else
		dir[strcspn(dir, "\n")] = '\0';
	if (!ret)
		ret = hearth_probe_bundle_read(&b, dir, &err);
	if (!ret && strcmp(b.manifest.name, name))
		ret = hearth_err_set(&err, EINVAL, "%s is now named %s", dir, b.manifest.name);
	if (!ret)
		ret = bundle_attach(d, &b, &pa, &err);
	if (!ret && d->probes.n == PROBES_MAX) {
		ret = hearth_err_set(&err, ENOSPC, "%d probes are attached already", PROBES_MAX);
		output_close(&pa);
		hearth_probe_detach(&pa.loaded);
	}
	if (!ret) {
		d->probes.p[d->probes.n++] = pa;
		logmsg("probe %s attached again, to %d programs", name, pa.targets);
	} else {
		hearth_probe_unpin(pin);
		unlink(path);
		logmsg("probe %s is not attached again: %s", name, err.msg);
	}
	if (dir)
		hearth_probe_bundle_free(&b);
	free(dir);
	for (int i = 0; i < n_old; i++)
		bpf_link__destroy(old[i]); /* unpinned: detached now */
}

static void readopt_all(struct daemon *d)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *dir;

	probe_path(d->cfg.run_dir, NULL, path, sizeof(path));
	dir = opendir(path);
	if (!dir)
		return;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.' && strlen(e->d_name) <= HEARTH_PROBE_NAME_MAX)
			readopt(d, e->d_name);
	closedir(dir);
	flag_update(d);
}

int probes_open(struct daemon *d, struct hearth_err *err)
{
	struct probes *ps = &d->probes;
	char *text = NULL, *line, *save = NULL;
	size_t len = 0;
	int ret, n = 0;

	memset(ps, 0, sizeof(*ps));
	ps->stats_fd = -1;
	probes_hosts_open(d); /* a probe goes on without them */
	ret = hearth_file_read(d->cfg.probe_approved, 1 << 16, (void **)&text, &len);
	if (ret == -ENOENT) {
		readopt_all(d);
		return 0;
	}
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
	if (!ret)
		readopt_all(d);
	return ret;
}
