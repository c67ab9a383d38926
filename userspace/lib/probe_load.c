// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Probes loaded against the data plane's programs, and attached. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "libbpf_silent.h"
#include "probe_load.h"

/* The kernel's verifier log of a refused probe is long; its reason is
 * the last line before the statistics. */
#define VERIFIER_LOG_SIZE (1 << 20)
/* Instructions the verifier may take over one probe program: its cost
 * per packet bounded before it ever runs (a loop is walked through). */
#define PROBE_MAX_VERIFIED 200000

/* @m given the map it is to be: the hosts view for the view, else
 * @maps_of's map of its name (another copy, loaded); without @maps_of a
 * map of its own. 0 or a negative errno. */
static int map_share(struct bpf_map *m, int hosts_fd, struct bpf_object *maps_of)
{
	struct bpf_map *shared;

	if (!strcmp(bpf_map__name(m), HEARTH_PROBE_HOSTS_MAP))
		return hosts_fd >= 0 ? bpf_map__reuse_fd(m, hosts_fd) : -ENOENT;
	if (!maps_of)
		return 0;
	shared = bpf_object__find_map_by_name(maps_of, bpf_map__name(m));
	return shared ? bpf_map__reuse_fd(m, bpf_map__fd(shared)) : -ENOENT;
}

/* A copy of @b's object aimed at @target_fd, the hosts view @hosts_fd;
 * with @maps_of (another copy, loaded), its maps are that copy's. */
static struct bpf_object *copy_open(const struct hearth_probe_bundle *b, int target_fd,
				    int hosts_fd, struct bpf_object *maps_of, struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = b->manifest.name);
	struct bpf_object *obj = bpf_object__open_mem(b->object, b->object_len, &opts);
	struct bpf_program *p;
	struct bpf_map *m;
	int ret = 0;

	if (!obj) {
		hearth_err_set(err, errno, "%s: libbpf cannot open its object", b->dir);
		return NULL;
	}
	bpf_object__for_each_program(p, obj) {
		ret = bpf_program__set_attach_target(p, target_fd, b->manifest.point);
		if (ret)
			break;
	}
	if (!ret)
		bpf_object__for_each_map(m, obj) {
			ret = map_share(m, hosts_fd, maps_of);
			if (ret)
				break;
		}
	if (ret) {
		hearth_err_set(err, -ret, "%s: cannot aim it at %s: %s", b->dir, b->manifest.point,
			       strerror(-ret));
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}

/* The line of @log that says why the verifier refused (the last one
 * before its statistics), into @out. */
static void verifier_reason(const char *log, char *out, size_t size)
{
	const char *end = strstr(log, "\nprocessed ");
	const char *start;

	if (!end)
		end = log + strlen(log);
	while (end > log && end[-1] == '\n')
		end--;
	start = end;
	while (start > log && start[-1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(end - start), start);
}

/* Loads @b's object against @t's first program with the verifier's log
 * in @log (NULL: none), then closes it. */
static int load_closed(const struct hearth_probe_bundle *b, const struct hearth_probe_targets *t,
		       char *log, struct hearth_err *err)
{
	struct bpf_object *obj = copy_open(b, t->prog_fd[0], t->hosts_fd, NULL, err);
	struct bpf_program *p;
	int ret;

	if (!obj)
		return -EINVAL;
	bpf_object__for_each_program(p, obj) {
		if (!log)
			break;
		bpf_program__set_log_buf(p, log, VERIFIER_LOG_SIZE);
		bpf_program__set_log_level(p, 1);
	}
	ret = bpf_object__load(obj);
	/* closed at once: nothing of it stays loaded, nothing was attached */
	bpf_object__close(obj);
	return ret;
}

int hearth_probe_verifier_check(const struct hearth_probe_bundle *b,
				const struct hearth_probe_targets *t, struct hearth_err *err)
{
	libbpf_print_fn_t saved = libbpf_set_print(hearth_libbpf_silent);
	char *log = NULL, reason[200] = "";
	int ret;

	/* without a log first: a long program's log would not fit (6.1 fails
	 * a load whose log overflows), and a refusal's reason comes early */
	ret = load_closed(b, t, NULL, err);
	if (ret == -EINVAL && err && strstr(err->msg, "cannot aim"))
		goto cleanup;
	if (ret) {
		log = calloc(1, VERIFIER_LOG_SIZE);
		if (log && load_closed(b, t, log, NULL) != -ENOSPC)
			verifier_reason(log, reason, sizeof(reason));
		if (reason[0])
			ret = hearth_err_set(err, EACCES, "%s: refused by the kernel's verifier: %s",
					     b->dir, reason);
		else /* before its verifier looked at it, or past what its log holds */
			ret = hearth_err_set(err, EACCES, "%s: the kernel refused to load it: %s",
					     b->dir, strerror(-ret));
	}
cleanup:
	free(log);
	libbpf_set_print(saved);
	return ret;
}

/* The program as the kernel holds it: a tracing program, within the cap
 * on verified instructions, with the maps its object has and no more. */
static int loaded_check(const struct hearth_probe_bundle *b, struct bpf_program *p,
			struct hearth_probe_loaded *out, struct hearth_err *err)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(bpf_program__fd(p), &info, &len))
		return hearth_err_set(err, errno, "%s: cannot read its program back: %s", b->dir,
				      strerror(errno));
	if (info.type != BPF_PROG_TYPE_TRACING)
		return hearth_err_set(err, EPERM, "%s: program %s was loaded as type %u, not tracing",
				      b->dir, bpf_program__name(p), info.type);
	if (info.verified_insns > PROBE_MAX_VERIFIED)
		return hearth_err_set(err, E2BIG,
				      "%s: program %s took the verifier %u instructions, more than %d",
				      b->dir, bpf_program__name(p), info.verified_insns,
				      PROBE_MAX_VERIFIED);
	if ((int)info.nr_map_ids > b->obj.n_maps)
		return hearth_err_set(err, EPERM, "%s: program %s uses %u maps; its object has %d",
				      b->dir, bpf_program__name(p), info.nr_map_ids, b->obj.n_maps);
	if (info.verified_insns > out->verified_insns)
		out->verified_insns = info.verified_insns;
	return 0;
}

/* The first copy's maps pinned under @pin_dir (libbpf reuses a map
 * pinned there already, after checking it is alike). */
static int maps_pin_at(struct bpf_object *obj, const char *pin_dir)
{
	char path[PATH_MAX];
	struct bpf_map *m;
	int ret;

	bpf_object__for_each_map(m, obj) {
		if (!strcmp(bpf_map__name(m), HEARTH_PROBE_HOSTS_MAP))
			continue; /* the data plane's, pinned with it */
		if (snprintf(path, sizeof(path), "%s/map-%s", pin_dir, bpf_map__name(m)) >=
		    (int)sizeof(path))
			return -ENAMETOOLONG;
		ret = bpf_map__set_pin_path(m, path);
		if (ret)
			return ret;
	}
	return 0;
}

/* Loads a copy of the probe against @target_fd, checks and attaches it. */
static int copy_attach(const struct hearth_probe_bundle *b, int target_fd, int hosts_fd,
		       const char *pin_dir, struct hearth_probe_loaded *out, struct hearth_err *err)
{
	struct bpf_object *obj = copy_open(b, target_fd, hosts_fd, out->n_objs ? out->obj[0] : NULL,
					   err);
	char path[PATH_MAX];
	struct bpf_program *p;
	struct bpf_link *link;
	int ret;

	if (!obj)
		return -EINVAL;
	out->obj[out->n_objs++] = obj;
	if (pin_dir && out->n_objs == 1) {
		ret = maps_pin_at(obj, pin_dir);
		if (ret)
			return hearth_err_set(err, -ret, "%s: cannot pin its maps in %s: %s", b->dir,
					      pin_dir, strerror(-ret));
	}
	ret = bpf_object__load(obj);
	if (ret)
		return hearth_err_set(err, EACCES, "%s: the kernel refused it: %s", b->dir,
				      strerror(-ret));
	bpf_object__for_each_program(p, obj) {
		ret = loaded_check(b, p, out, err);
		if (ret)
			return ret;
		link = bpf_program__attach_trace(p);
		if (!link)
			return hearth_err_set(err, errno, "%s: cannot attach %s: %s", b->dir,
					      bpf_program__name(p), strerror(errno));
		out->link[out->n_links++] = link;
		if (!pin_dir)
			continue;
		snprintf(path, sizeof(path), "%s/link-%d", pin_dir, out->n_links - 1);
		ret = bpf_link__pin(link, path);
		if (ret)
			return hearth_err_set(err, -ret, "%s: cannot pin its link at %s: %s", b->dir,
					      path, strerror(-ret));
	}
	return 0;
}

int hearth_probe_attach(const struct hearth_probe_bundle *b, const struct hearth_probe_targets *t,
			const char *pin_dir, struct hearth_probe_loaded *out, struct hearth_err *err)
{
	libbpf_print_fn_t saved = libbpf_set_print(hearth_libbpf_silent);
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (t->n < 1 || t->n > HEARTH_PROBE_MAX_TARGETS)
		ret = hearth_err_set(err, EINVAL, "%s: %d programs to attach to", b->dir, t->n);
	for (int i = 0; !ret && i < t->n; i++)
		ret = copy_attach(b, t->prog_fd[i], t->hosts_fd, pin_dir, out, err);
	libbpf_set_print(saved);
	if (ret) {
		/* the links' pins go with them; the maps' stay for a caller
		 * that reused them (hearth_probe_unpin removes them) */
		for (int i = 0; pin_dir && i < out->n_links; i++)
			bpf_link__unpin(out->link[i]);
		hearth_probe_detach(out);
	}
	return ret;
}

int hearth_probe_unpin(const char *pin_dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(pin_dir);

	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' &&
		    snprintf(path, sizeof(path), "%s/%s", pin_dir, e->d_name) < (int)sizeof(path))
			unlink(path);
	closedir(d);
	return rmdir(pin_dir) && errno != ENOENT ? -errno : 0;
}

void hearth_probe_detach(struct hearth_probe_loaded *p)
{
	for (int i = 0; i < p->n_links; i++)
		bpf_link__destroy(p->link[i]);
	for (int i = 0; i < p->n_objs; i++)
		bpf_object__close(p->obj[i]);
	memset(p, 0, sizeof(*p));
}

int hearth_probe_map_fd(const struct hearth_probe_loaded *p, const char *name)
{
	return p->n_objs ? bpf_object__find_map_fd_by_name(p->obj[0], name) : -ENOENT;
}

int hearth_probe_runtime(const struct hearth_probe_loaded *p, __u64 *run_ns, __u64 *runs)
{
	struct bpf_program *prog;

	*run_ns = *runs = 0;
	for (int i = 0; i < p->n_objs; i++)
		bpf_object__for_each_program(prog, p->obj[i]) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
				return -errno;
			*run_ns += info.run_time_ns;
			*runs += info.run_cnt;
		}
	return 0;
}
