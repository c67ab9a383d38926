// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe's output as hearthd reads it: through the manifest's record
 * type, and for a ring buffer, its records drained into a queue
 * (lib/probe_ring.h) on the supervision tick, and into the flow log when
 * probe-export is on.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "daemon.h"

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
int probes_output_open(struct daemon *d, struct probe_attached *pa,
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

void probes_output_close(struct probe_attached *pa)
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

