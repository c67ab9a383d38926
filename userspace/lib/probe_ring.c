// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe's ring buffer output and its queue (probe_ring.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../../util/clock.h"
#include "probe_ring.h"

static void drop_oldest(struct hearth_probe_ring *r)
{
	struct hearth_probe_rec *old = hearth_probe_ring_pop(r);

	free(old);
	r->dropped++;
}

int hearth_probe_ring_push(struct hearth_probe_ring *r, __u64 wall_ms, const void *data,
			   size_t len)
{
	struct hearth_probe_rec *rec;

	if (len > HEARTH_PROBE_QUEUE_BYTES) {
		r->dropped++; /* it could never be kept */
		return -E2BIG;
	}
	rec = malloc(sizeof(*rec) + len);
	if (!rec) {
		r->dropped++;
		return -ENOMEM;
	}
	rec->wall_ms = wall_ms;
	rec->len = (__u32)len;
	memcpy(rec->data, data, len);
	while (r->n && (r->n == HEARTH_PROBE_QUEUE_MAX || r->bytes + len > HEARTH_PROBE_QUEUE_BYTES))
		drop_oldest(r);
	r->q[(r->head + r->n++) % HEARTH_PROBE_QUEUE_MAX] = rec;
	r->bytes += len;
	return 0;
}

struct hearth_probe_rec *hearth_probe_ring_pop(struct hearth_probe_ring *r)
{
	struct hearth_probe_rec *rec;

	if (!r->n)
		return NULL;
	rec = r->q[r->head];
	r->q[r->head] = NULL;
	r->head = (r->head + 1) % HEARTH_PROBE_QUEUE_MAX;
	r->n--;
	r->bytes -= rec->len;
	return rec;
}

/* libbpf's callback: one record, handed on and queued. A negative return
 * ends the drain (the record is consumed all the same). */
static int rec_read(void *ctx, void *data, size_t len)
{
	struct hearth_probe_ring *r = ctx;
	__u64 now = (__u64)hearth_wall_ms();

	r->received++;
	if (r->on_rec)
		r->on_rec(r->ctx, now, data, len);
	hearth_probe_ring_push(r, now, data, len);
	return --r->left ? 0 : -EAGAIN;
}

int hearth_probe_ring_open(struct hearth_probe_ring *r, int map_fd, hearth_probe_rec_fn on_rec,
			   void *ctx)
{
	memset(r, 0, sizeof(*r));
	r->on_rec = on_rec;
	r->ctx = ctx;
	if (map_fd < 0)
		return 0;
	r->rb = ring_buffer__new(map_fd, rec_read, r, NULL);
	return r->rb ? 0 : -errno;
}

int hearth_probe_ring_drain(struct hearth_probe_ring *r)
{
	__u64 before = r->received;
	int ret;

	if (!r->rb)
		return 0;
	r->left = HEARTH_PROBE_DRAIN_MAX;
	ret = ring_buffer__consume(r->rb);
	if (ret < 0 && ret != -EAGAIN)
		return ret;
	return (int)(r->received - before);
}

void hearth_probe_ring_close(struct hearth_probe_ring *r)
{
	while (r->n)
		free(hearth_probe_ring_pop(r));
	ring_buffer__free(r->rb);
	r->rb = NULL;
}
