/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * A probe's record type (its manifest's "record"): a struct of its
 * object's BTF, flat (integers and fixed arrays of integers, nothing
 * else), read once into a layout; then each record, a ring buffer's or a
 * map value, shown as JSON field by field. Without a layout, or for a
 * record too short for it, as {"len": N, "hex": "..."}.
 */
#ifndef HEARTH_PROBE_RECORD_H
#define HEARTH_PROBE_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "../../util/error.h"

#define HEARTH_PROBE_RECORD_FIELDS 64
#define HEARTH_PROBE_RECORD_NAME_MAX 64 /* with its NUL, a struct's or a field's */

struct btf;
struct json_object;

struct hearth_probe_field {
	char name[HEARTH_PROBE_RECORD_NAME_MAX];
	__u32 offset; /* bytes into the record */
	__u32 count; /* an array's integers; 0: one integer */
	__u8 size; /* one integer's bytes: 1, 2, 4 or 8 */
	bool is_signed; /* as BTF encodes it */
};

struct hearth_probe_record {
	char name[HEARTH_PROBE_RECORD_NAME_MAX]; /* the struct's; "": no layout */
	__u32 size; /* sizeof the struct */
	int n_fields;
	struct hearth_probe_field field[HEARTH_PROBE_RECORD_FIELDS];
};

/* The layout of struct @name of @btf into @out, refused (-EINVAL, one
 * line naming @what and the field) unless it is flat. */
int hearth_probe_record_layout(const struct btf *btf, const char *name, const char *what,
			       struct hearth_probe_record *out, struct hearth_err *err);

/* The layout of struct @name in the BPF object @data (@len bytes; nothing
 * is loaded), checked against its map @map: a ring buffer's record fits
 * in the ring (its bytes less the record's 8-byte header); another map's
 * value holds it. */
int hearth_probe_record_of_object(const void *data, size_t len, const char *what,
				  const char *name, const char *map,
				  struct hearth_probe_record *out, struct hearth_err *err);

/* @len bytes of @data as JSON: decoded by @r when it has a layout and
 * @len holds it (bytes past it are not shown), else {"len", "hex"}. */
struct json_object *hearth_probe_record_json(const struct hearth_probe_record *r,
					     const void *data, size_t len);
/* @copies copies of a record (a per-CPU value), @stride bytes apart,
 * decoded by @r with each integer summed over them (its width kept). */
struct json_object *hearth_probe_record_json_sum(const struct hearth_probe_record *r,
						 const void *data, size_t stride, int copies);

/* A record read from a probe's ring at wall time @wall_ms, @record its
 * JSON (taken): {"time": "2026-12-07T08:00:00.125Z", "record": {...}},
 * as probe.read gives it; with @probe, as the flow log has it:
 * {"type": "probe", "probe": NAME, "time": ..., "record": {...}}. */
struct json_object *hearth_probe_rec_json(const char *probe, __u64 wall_ms,
					  struct json_object *record);

#endif
