// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearthd's probes: approvals, attachment and detachment, expiry, restarts
 * (probes_output.c: results; probes_budget.c: CPU budgets; probes_hosts.c:
 * the home hosts records name). */
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
	ret = probes_output_open(d, pa, b, err);
	if (ret) {
		probes_output_close(pa);
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
		probes_output_close(&ps->p[i]);
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
	probes_budget_tick(d, now);
}

void probes_close(struct daemon *d)
{
	while (d->probes.down && d->probes.n)
		probes_detach(d, d->probes.p[0].name, "hearth down");
	/* their links and maps stay pinned: they run on without hearthd,
	 * and what their rings hold waits there for the next one */
	for (int i = 0; i < d->probes.n; i++) {
		probes_output_close(&d->probes.p[i]);
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
		probes_output_close(&pa);
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
