// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* probe.approve, probe.attach, probe.detach, probe.list, probe.read. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../util/clock.h"
#include "../../util/parse.h"
#include "../lib/probe_record.h"
#include "daemon.h"
#include "verbs.h"

static struct json_object *failed(int ret, const struct hearth_err *err)
{
	return hearth_api_error(ret == -EINVAL ? HEARTH_API_INVALID :
				ret == -ENOENT ? HEARTH_API_NOT_FOUND :
				ret == -EEXIST ? HEARTH_API_CONFLICT : HEARTH_API_FAILED,
				"%s", err->msg);
}

static struct json_object *probe_approve(struct daemon *d, struct json_object *args)
{
	const char *digest = arg_string(args, "digest");
	struct hearth_err err = {};
	int ret;

	if (!digest)
		return hearth_api_error(HEARTH_API_INVALID, "probe.approve needs a digest");
	ret = probes_approve(d, digest, &err);
	return ret ? failed(ret, &err) : hearth_api_ok(NULL);
}

static struct json_object *probe_attach(struct daemon *d, struct json_object *args)
{
	const char *path = arg_string(args, "path");
	struct hearth_err err = {};
	struct json_object *o;
	char name[HEARTH_PROBE_NAME_MAX + 1];
	int ret;

	if (!path || path[0] != '/')
		return hearth_api_error(HEARTH_API_INVALID,
					"probe.attach needs the bundle's absolute path");
	ret = probes_attach(d, path, name, sizeof(name), &err);
	if (ret)
		return failed(ret, &err);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	return hearth_api_ok(o);
}

static struct json_object *probe_detach(struct daemon *d, struct json_object *args)
{
	const char *name = arg_string(args, "name");

	if (!name)
		return hearth_api_error(HEARTH_API_INVALID, "probe.detach needs a name");
	if (probes_detach(d, name, "hearth probe detach"))
		return hearth_api_error(HEARTH_API_NOT_FOUND, "no probe '%s' is attached", name);
	return hearth_api_ok(NULL);
}

static struct json_object *probe_json(const struct probe_attached *p)
{
	struct json_object *o = json_object_new_object();
	char when[32];
	struct tm tm;

	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&p->expires, &tm));
	json_object_object_add(o, "name", json_object_new_string(p->name));
	json_object_object_add(o, "digest", json_object_new_string(p->digest));
	json_object_object_add(o, "author", json_object_new_string(p->author));
	json_object_object_add(o, "bundle", json_object_new_string(p->dir));
	json_object_object_add(o, "programs", json_object_new_int(p->targets));
	json_object_object_add(o, "attached_s", json_object_new_int64(time(NULL) - p->attached));
	json_object_object_add(o, "expires", json_object_new_string(when));
	json_object_object_add(o, "verified_insns",
			       json_object_new_uint64(p->loaded.verified_insns));
	json_object_object_add(o, "output", json_object_new_string(p->output));
	if (p->out && p->out->is_ring) {
		/* waiting for probe.read, and lost for a full queue */
		json_object_object_add(o, "queued", json_object_new_uint64(p->out->ring.n));
		json_object_object_add(o, "dropped", json_object_new_uint64(p->out->ring.dropped));
	}
	json_object_object_add(o, "budget_ns", json_object_new_uint64(p->budget_ns));
	/* the last sampling window's mean (0: none measured yet) */
	json_object_object_add(o, "mean_ns", json_object_new_uint64(p->mean_ns));
	json_object_object_add(o, "window_runs", json_object_new_uint64(p->last_runs));
	json_object_object_add(o, "over_budget_s",
			       json_object_new_int64(p->over_since_ms ?
							     (hearth_monotonic_ms() - p->over_since_ms) / 1000 :
							     0));
	return o;
}

static struct json_object *probe_list(struct daemon *d, struct json_object *args)
{
	struct json_object *list = json_object_new_array(), *o = json_object_new_object();

	(void)args;
	for (int i = 0; i < d->probes.n; i++)
		json_object_array_add(list, probe_json(&d->probes.p[i]));
	json_object_object_add(o, "probes", list);
	json_object_object_add(o, "approved", json_object_new_int(d->probes.n_approved));
	return hearth_api_ok(o);
}

/* One entry of a result map: its key, and its value decoded by the
 * probe's record type when it names one, else as 64-bit words (a
 * per-CPU map's summed over CPUs, field by field or word by word). */
static struct json_object *entry_json(const struct hearth_probe_record *r, const __u8 *key,
				      __u32 key_size, const __u8 *value, __u32 value_size,
				      int copies)
{
	struct json_object *o = json_object_new_object(), *words;
	char hex[2 * 64 + 1];
	__u32 stride = (value_size + 7) & ~7u;

	hearth_hex_format(key, key_size < 64 ? key_size : 64, hex);
	json_object_object_add(o, "key", json_object_new_string(hex));
	if (r->name[0] && value_size >= r->size) {
		json_object_object_add(o, "value",
				       hearth_probe_record_json_sum(r, value, stride, copies));
		return o;
	}
	words = json_object_new_array();
	for (__u32 w = 0; w + 8 <= value_size; w += 8) {
		__u64 sum = 0, v;

		for (int c = 0; c < copies; c++) {
			memcpy(&v, value + (size_t)c * stride + w, 8);
			sum += v;
		}
		json_object_array_add(words, json_object_new_uint64(sum));
	}
	json_object_object_add(o, "value", words);
	return o;
}

/* Every entry of an array or hash map. */
static struct json_object *map_entries(const struct probe_attached *p, int fd,
				       const struct bpf_map_info *info)
{
	int copies = (info->type == BPF_MAP_TYPE_PERCPU_ARRAY ||
		      info->type == BPF_MAP_TYPE_PERCPU_HASH ||
		      info->type == BPF_MAP_TYPE_LRU_PERCPU_HASH) ? libbpf_num_possible_cpus() : 1;
	struct json_object *entries = json_object_new_array();
	__u8 key[64], next[64], *value;
	bool first = true;

	value = calloc((size_t)copies, (info->value_size + 7) & ~7u);
	if (!value)
		return entries;
	while (!bpf_map_get_next_key(fd, first ? NULL : key, next)) {
		first = false;
		memcpy(key, next, info->key_size);
		if (!bpf_map_lookup_elem(fd, key, value))
			json_object_array_add(entries, entry_json(&p->out->record, key, info->key_size,
								  value, info->value_size, copies));
	}
	free(value);
	return entries;
}

/* The records a ring gave, read now, taken from its queue: oldest first. */
static struct json_object *ring_records(const struct probe_attached *p)
{
	struct json_object *records = json_object_new_array();
	struct hearth_probe_rec *rec;

	probes_drain(p);
	while ((rec = hearth_probe_ring_pop(&p->out->ring))) {
		json_object_array_add(records, hearth_probe_rec_json(NULL, rec->wall_ms,
					hearth_probe_record_json(&p->out->record, rec->data, rec->len)));
		free(rec);
	}
	return records;
}

/* A ring buffer's records, taken; an array's or a hash's entries. */
static struct json_object *probe_read(struct daemon *d, struct json_object *args)
{
	const char *name = arg_string(args, "name");
	const struct probe_attached *p = name ? probes_find(d, name) : NULL;
	struct json_object *o;
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);
	int fd;

	if (!p)
		return hearth_api_error(HEARTH_API_NOT_FOUND, "no probe '%s' is attached", name ?: "");
	fd = hearth_probe_map_fd(&p->loaded, p->output);
	if (!p->out || fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || info.key_size > 64)
		return hearth_api_error(HEARTH_API_FAILED, "probe %s: cannot read its map %s", name,
					p->output);
	o = json_object_new_object();
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "map", json_object_new_string(p->output));
	if (p->out->is_ring) {
		json_object_object_add(o, "records", ring_records(p));
		json_object_object_add(o, "dropped", json_object_new_uint64(p->out->ring.dropped));
	} else {
		json_object_object_add(o, "entries", map_entries(p, fd, &info));
	}
	return hearth_api_ok(o);
}

const struct verb probe_verbs[] = {
	{ "probe.approve", probe_approve },
	{ "probe.attach", probe_attach },
	{ "probe.detach", probe_detach },
	{ "probe.list", probe_list },
	{ "probe.read", probe_read },
	{},
};
