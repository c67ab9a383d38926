/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe's ring buffer output, read (libbpf's ring_buffer) into a
 * bounded queue in memory until probe.read takes it: the newest
 * HEARTH_PROBE_QUEUE_MAX records, HEARTH_PROBE_QUEUE_BYTES at most; the
 * older ones dropped and counted. Each record read is also handed to a
 * callback as it arrives (the flow log's export).
 */
#ifndef HEARTH_PROBE_RING_H
#define HEARTH_PROBE_RING_H

#include <stddef.h>
#include <linux/types.h>

#define HEARTH_PROBE_QUEUE_MAX 4096 /* records */
#define HEARTH_PROBE_QUEUE_BYTES (4u << 20) /* their bytes together */
/* Records one drain reads at most: a probe that fills its ring as fast
 * as it is read cannot hold hearthd's loop. */
#define HEARTH_PROBE_DRAIN_MAX 65536

struct ring_buffer;

struct hearth_probe_rec {
	__u64 wall_ms; /* when hearthd read it (CLOCK_REALTIME) */
	__u32 len;
	__u8 data[];
};

/* Called for each record as it is read (at @wall_ms), before it is
 * queued. */
typedef void (*hearth_probe_rec_fn)(void *ctx, __u64 wall_ms, const void *data, size_t len);

struct hearth_probe_ring {
	struct ring_buffer *rb; /* NULL: only the queue (tests) */
	hearth_probe_rec_fn on_rec; /* may be NULL */
	void *ctx;
	struct hearth_probe_rec *q[HEARTH_PROBE_QUEUE_MAX]; /* oldest at head */
	unsigned int head, n;
	size_t bytes;
	unsigned int left; /* of this drain's HEARTH_PROBE_DRAIN_MAX */
	__u64 received, dropped; /* since it was opened */
};

/* Reads the ring buffer map @map_fd (-1: none, the queue alone). @r
 * stays where it is while open: libbpf holds its address. */
int hearth_probe_ring_open(struct hearth_probe_ring *r, int map_fd, hearth_probe_rec_fn on_rec,
			   void *ctx);
/* Reads what waits in the ring (HEARTH_PROBE_DRAIN_MAX at most): how
 * many, or a negative errno. */
int hearth_probe_ring_drain(struct hearth_probe_ring *r);
/* Queues a copy of @len bytes of @data read at @wall_ms, the oldest
 * records dropped (and counted) to make room. */
int hearth_probe_ring_push(struct hearth_probe_ring *r, __u64 wall_ms, const void *data,
			   size_t len);
/* The oldest record queued, taken out (the caller frees it); NULL: none. */
struct hearth_probe_rec *hearth_probe_ring_pop(struct hearth_probe_ring *r);
void hearth_probe_ring_close(struct hearth_probe_ring *r);

#endif
