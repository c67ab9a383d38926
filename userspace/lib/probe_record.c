// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * A probe's record type read from its object's BTF (libbpf's btf__ API),
 * and records shown as JSON by it (probe_record.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <json-c/json.h>
#include <linux/bpf.h>

#include "../../util/parse.h"
#include "flow_json.h"
#include "libbpf_silent.h"
#include "probe_record.h"

/* A ring buffer record's header (the kernel's BPF_RINGBUF_HDR_SZ): a
 * record the ring holds is its bytes less this. */
#define RING_HEADER 8

/* @id through typedefs and const/volatile/restrict: the type itself. */
static const struct btf_type *type_of(const struct btf *btf, __u32 id)
{
	const struct btf_type *t = btf__type_by_id(btf, id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t)))
		t = btf__type_by_id(btf, t->type);
	return t;
}

/* An integer JSON can show: 1, 2, 4 or 8 bytes, no bits left over. */
static bool int_ok(const struct btf_type *t)
{
	return t && btf_is_int(t) && btf_int_offset(t) == 0 && btf_int_bits(t) == 8 * t->size &&
	       (t->size == 1 || t->size == 2 || t->size == 4 || t->size == 8);
}

/* Member @m of the struct as field @f: an integer, or an array of them. */
static int field_of(const struct btf *btf, const struct btf_member *m, __u32 bit_offset,
		    const char *what, const char *sname, struct hearth_probe_field *f,
		    struct hearth_err *err)
{
	const char *name = btf__name_by_offset(btf, m->name_off);
	const struct btf_type *t = type_of(btf, m->type);

	if (!name || !*name)
		return hearth_err_set(err, EINVAL, "%s: struct %s has an unnamed member: a record is flat",
				      what, sname);
	if (strlen(name) >= sizeof(f->name))
		return hearth_err_set(err, EINVAL, "%s: struct %s: field name %.20s... is too long",
				      what, sname, name);
	strcpy(f->name, name);
	/* bit fields and members off a byte boundary have no offset in bytes */
	if (bit_offset % 8)
		return hearth_err_set(err, EINVAL, "%s: struct %s: field %s is a bit field: a record has whole integers",
				      what, sname, name);
	f->offset = bit_offset / 8;
	if (t && btf_is_array(t)) {
		f->count = btf_array(t)->nelems;
		t = type_of(btf, btf_array(t)->type);
		if (!f->count)
			return hearth_err_set(err, EINVAL, "%s: struct %s: field %s is an array of no size",
					      what, sname, name);
	}
	if (!int_ok(t))
		return hearth_err_set(err, EINVAL,
				      "%s: struct %s: field %s is not an integer or an array of integers: a record is flat",
				      what, sname, name);
	f->size = (__u8)t->size;
	f->is_signed = btf_int_encoding(t) & BTF_INT_SIGNED;
	return 0;
}

int hearth_probe_record_layout(const struct btf *btf, const char *name, const char *what,
			       struct hearth_probe_record *out, struct hearth_err *err)
{
	__s32 id = btf__find_by_name_kind(btf, name, BTF_KIND_STRUCT);
	const struct btf_type *t = id > 0 ? btf__type_by_id(btf, (__u32)id) : NULL;
	const struct btf_member *m;
	int ret;

	memset(out, 0, sizeof(*out));
	if (!t)
		return hearth_err_set(err, EINVAL,
				      "%s: the manifest's record, struct %s, is not in its BTF (a type only local variables use is left out: pass it to a function)",
				      what, name);
	if (btf_vlen(t) > HEARTH_PROBE_RECORD_FIELDS)
		return hearth_err_set(err, EINVAL, "%s: struct %s has %u fields, more than %d", what,
				      name, btf_vlen(t), HEARTH_PROBE_RECORD_FIELDS);
	m = btf_members(t);
	for (int i = 0; i < btf_vlen(t); i++) {
		if (btf_member_bitfield_size(t, (__u32)i))
			return hearth_err_set(err, EINVAL, "%s: struct %s: field %s is a bit field: a record has whole integers",
					      what, name, btf__name_by_offset(btf, m[i].name_off) ?: "?");
		ret = field_of(btf, &m[i], btf_member_bit_offset(t, (__u32)i), what, name,
			       &out->field[i], err);
		if (ret)
			return ret;
		out->n_fields++;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	out->size = t->size;
	return 0;
}

/* The bytes a record may have in map @m of its object. */
static __u32 record_room(const struct bpf_map *m)
{
	if (bpf_map__type(m) != BPF_MAP_TYPE_RINGBUF)
		return bpf_map__value_size(m);
	return bpf_map__max_entries(m) > RING_HEADER ? bpf_map__max_entries(m) - RING_HEADER : 0;
}

int hearth_probe_record_of_object(const void *data, size_t len, const char *what,
				  const char *name, const char *map,
				  struct hearth_probe_record *out, struct hearth_err *err)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "probe");
	libbpf_print_fn_t saved = libbpf_set_print(hearth_libbpf_silent);
	struct bpf_object *obj = bpf_object__open_mem(data, len, &opts);
	const struct bpf_map *m;
	int ret;

	libbpf_set_print(saved);
	memset(out, 0, sizeof(*out));
	if (!obj)
		return hearth_err_set(err, EINVAL, "%s: not a BPF object libbpf can open (%s)", what,
				      strerror(errno));
	m = bpf_object__find_map_by_name(obj, map);
	if (!bpf_object__btf(obj))
		ret = hearth_err_set(err, EINVAL, "%s: no BTF, where the record's type would be (build with -g)",
				     what);
	else if (!m)
		ret = hearth_err_set(err, ENOENT, "%s: no map %s", what, map);
	else
		ret = hearth_probe_record_layout(bpf_object__btf(obj), name, what, out, err);
	if (!ret && out->size > record_room(m))
		ret = hearth_err_set(err, EINVAL, "%s: struct %s is %u bytes; a record of %s holds %u",
				     what, name, out->size, map, record_room(m));
	bpf_object__close(obj);
	return ret;
}

/* Integer @i of field @f of the record at @base, as 64 bits (signed ones
 * sign-extended). */
static __u64 element(const struct hearth_probe_field *f, const __u8 *base, __u32 i)
{
	const __u8 *p = base + f->offset + (size_t)i * f->size;
	__u8 u8;
	__u16 u16;
	__u32 u32;
	__u64 u64;

	switch (f->size) {
	case 1:
		memcpy(&u8, p, 1);
		return f->is_signed ? (__u64)(__s64)(__s8)u8 : u8;
	case 2:
		memcpy(&u16, p, 2);
		return f->is_signed ? (__u64)(__s64)(__s16)u16 : u16;
	case 4:
		memcpy(&u32, p, 4);
		return f->is_signed ? (__u64)(__s64)(__s32)u32 : u32;
	default:
		memcpy(&u64, p, 8);
		return u64;
	}
}

/* Integer @i of field @f summed over @copies, kept to the field's width
 * (as the kernel's own counters wrap). */
static struct json_object *element_json(const struct hearth_probe_field *f, const __u8 *data,
					size_t stride, int copies, __u32 i)
{
	__u64 sum = 0;
	int shift = 64 - 8 * f->size;

	for (int c = 0; c < copies; c++)
		sum += element(f, data + (size_t)c * stride, i);
	if (f->is_signed)
		return json_object_new_int64(shift ? (__s64)(sum << shift) >> shift : (__s64)sum);
	return json_object_new_uint64(shift ? sum << shift >> shift : sum);
}

struct json_object *hearth_probe_record_json_sum(const struct hearth_probe_record *r,
						 const void *data, size_t stride, int copies)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < r->n_fields; i++) {
		const struct hearth_probe_field *f = &r->field[i];
		struct json_object *v;

		if (!f->count) {
			v = element_json(f, data, stride, copies, 0);
		} else {
			v = json_object_new_array();
			for (__u32 e = 0; e < f->count; e++)
				json_object_array_add(v, element_json(f, data, stride, copies, e));
		}
		json_object_object_add(o, f->name, v);
	}
	return o;
}

static struct json_object *hex_json(const __u8 *data, size_t len)
{
	struct json_object *o = json_object_new_object();
	char *hex = malloc(2 * len + 1);

	json_object_object_add(o, "len", json_object_new_uint64(len));
	if (hex) {
		hearth_hex_format(data, len, hex);
		json_object_object_add(o, "hex", json_object_new_string(hex));
	}
	free(hex);
	return o;
}

struct json_object *hearth_probe_record_json(const struct hearth_probe_record *r,
					     const void *data, size_t len)
{
	if (!r || !r->name[0] || len < r->size)
		return hex_json(data, len);
	return hearth_probe_record_json_sum(r, data, len, 1);
}

struct json_object *hearth_probe_rec_json(const char *probe, __u64 wall_ms,
					  struct json_object *record)
{
	struct json_object *o = json_object_new_object();
	char when[32];

	if (probe) {
		json_object_object_add(o, "type", json_object_new_string("probe"));
		json_object_object_add(o, "probe", json_object_new_string(probe));
	}
	json_object_object_add(o, "time", json_object_new_string(hearth_json_time_ms(wall_ms, when)));
	json_object_object_add(o, "record", record);
	return o;
}
