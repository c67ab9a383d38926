// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The ring of ended connections: libbpf's ring_buffer reads it. */
#include <errno.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <json-c/json.h>

#include "ct_ends.h"
#include "dataplane.h"

static const char *const ended_names[HEARTH_CT_ENDED_KINDS] = {
	[HEARTH_CT_ENDED_IDLE] = "idle",
	[HEARTH_CT_ENDED_CLOSED] = "closed",
	[HEARTH_CT_ENDED_FORCED] = "forced",
	[HEARTH_CT_ENDED_EVICTED] = "evicted",
};

const char *hearth_ct_ended_name(enum hearth_ct_end_kind kind)
{
	return kind < HEARTH_CT_ENDED_KINDS ? ended_names[kind] : "?";
}

static enum hearth_ct_end_kind ended_kind(__u8 reason)
{
	switch (reason) {
	case HEARTH_CT_END_CLOSED:
		return HEARTH_CT_ENDED_CLOSED;
	case HEARTH_CT_END_FORCED:
		return HEARTH_CT_ENDED_FORCED;
	case HEARTH_CT_END_EVICTED:
		return HEARTH_CT_ENDED_EVICTED;
	default:
		return HEARTH_CT_ENDED_IDLE;
	}
}

static int end_counted(void *ctx, void *data, size_t size)
{
	struct hearth_ct_ends *ends = ctx;
	const struct hearth_ct_end *end = data;

	if (size < sizeof(*end))
		return 0; /* not ours: a ring of another build */
	ends->conns[ended_kind(end->reason)]++;
	if (end->halves != 3)
		ends->halves++;
	for (int dir = 0; dir < 2; dir++) {
		if (!(end->halves & (1 << dir)))
			continue;
		ends->packets += end->half[dir].e.packets;
		ends->bytes += end->half[dir].e.bytes;
	}
	if (ends->on_end)
		ends->on_end(ends->ctx, end);
	return 0;
}

int hearth_ct_ends_open(struct hearth_ct_ends *ends, struct hearth_dp *dp, hearth_ct_end_fn on_end,
			void *ctx)
{
	memset(ends, 0, sizeof(*ends));
	ends->on_end = on_end;
	ends->ctx = ctx;
	ends->rb = ring_buffer__new(dp->map_fd[HEARTH_DP_CTENDS], end_counted, ends, NULL);
	return ends->rb ? 0 : -errno;
}

int hearth_ct_ends_fd(const struct hearth_ct_ends *ends)
{
	return ends->rb ? ring_buffer__epoll_fd(ends->rb) : -1;
}

int hearth_ct_ends_drain(struct hearth_ct_ends *ends)
{
	return ends->rb ? ring_buffer__consume(ends->rb) : 0;
}

void hearth_ct_ends_close(struct hearth_ct_ends *ends)
{
	ring_buffer__free(ends->rb);
	ends->rb = NULL;
}

struct json_object *hearth_ct_ends_json(const struct hearth_ct_ends *ends)
{
	struct json_object *o = json_object_new_object();

	for (int k = 0; k < HEARTH_CT_ENDED_KINDS; k++)
		json_object_object_add(o, ended_names[k], json_object_new_uint64(ends->conns[k]));
	json_object_object_add(o, "half_only", json_object_new_uint64(ends->halves));
	json_object_object_add(o, "packets", json_object_new_uint64(ends->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(ends->bytes));
	return o;
}
