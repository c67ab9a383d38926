// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe's record type read from BTF and records shown as JSON
 * (userspace/lib/probe_record.c), and the queue a ring's records wait in
 * (probe_ring.c): what runs without loading a probe. */
#include <string.h>

#include <bpf/btf.h>
#include <json-c/json.h>

#include "../../userspace/lib/probe_record.h"
#include "../../userspace/lib/probe_ring.h"
#include "probe_common.h"

/* struct rec { __u32 a; __s16 b; __u8 c[3]; __s8 d; __u64 e; } and
 * struct bad of the member @bad_kind ("nested", "bits", "ptr"), made by
 * hand with libbpf's BTF writer. */
static struct btf *btf_made(void)
{
	struct btf *btf = btf__new_empty();
	int u32, s16, u8, s8, u64, arr, u8x2, ptr, inner;

	if (!btf)
		return NULL;
	u32 = btf__add_int(btf, "unsigned int", 4, 0);
	s16 = btf__add_int(btf, "short", 2, BTF_INT_SIGNED);
	u8 = btf__add_int(btf, "unsigned char", 1, 0);
	s8 = btf__add_int(btf, "signed char", 1, BTF_INT_SIGNED);
	u64 = btf__add_int(btf, "unsigned long long", 8, 0);
	u32 = btf__add_typedef(btf, "__u32", u32); /* fields through a typedef */
	arr = btf__add_array(btf, u32, u8, 3);
	btf__add_struct(btf, "rec", 24);
	btf__add_field(btf, "a", u32, 0, 0);
	btf__add_field(btf, "b", s16, 32, 0);
	btf__add_field(btf, "c", arr, 48, 0);
	btf__add_field(btf, "d", s8, 72, 0);
	btf__add_field(btf, "e", u64, 128, 0);
	inner = btf__add_struct(btf, "inner", 4);
	btf__add_field(btf, "x", u32, 0, 0);
	btf__add_struct(btf, "nested", 8);
	btf__add_field(btf, "a", u32, 0, 0);
	btf__add_field(btf, "in", inner, 32, 0);
	btf__add_struct(btf, "bits", 4);
	btf__add_field(btf, "a", u32, 0, 3);
	ptr = btf__add_ptr(btf, u8);
	btf__add_struct(btf, "ptr", 8);
	btf__add_field(btf, "p", ptr, 0, 0);
	u8x2 = btf__add_array(btf, u32, arr, 2);
	btf__add_struct(btf, "grid", 6);
	btf__add_field(btf, "g", u8x2, 0, 0);
	return btf;
}

TEST(probe_record_layout)
{
	struct hearth_probe_record r;
	struct hearth_err err = {};
	struct btf *btf = btf_made();

	if (!ASSERT_TRUE(btf != NULL, "BTF made") ||
	    !ASSERT_OK(hearth_probe_record_layout(btf, "rec", "t.o", &r, &err), err.msg))
		goto cleanup;
	ASSERT_EQ(r.size, 24, "its size");
	ASSERT_EQ(r.n_fields, 5, "five fields");
	ASSERT_STREQ(r.field[0].name, "a", "  a");
	ASSERT_TRUE(r.field[0].size == 4 && !r.field[0].is_signed && !r.field[0].count,
		    "  a: unsigned 32 bits, through its typedef");
	ASSERT_TRUE(r.field[1].offset == 4 && r.field[1].size == 2 && r.field[1].is_signed,
		    "  b: signed 16 bits at 4");
	ASSERT_TRUE(r.field[2].offset == 6 && r.field[2].count == 3 && r.field[2].size == 1,
		    "  c: 3 bytes at 6");
	ASSERT_TRUE(r.field[3].offset == 9 && r.field[3].is_signed, "  d: signed, at 9");
	ASSERT_TRUE(r.field[4].offset == 16 && r.field[4].size == 8, "  e: 64 bits at 16");
	static const struct {
		const char *name, *says;
	} refused[] = {
		{ "none", "struct none, is not in its BTF" },
		{ "nested", "field in is not an integer or an array of integers" },
		{ "bits", "field a is a bit field" },
		{ "ptr", "field p is not an integer" },
		{ "grid", "field g is not an integer or an array of integers" },
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "struct %s refused", refused[i].name);
		err.msg[0] = '\0';
		ASSERT_EQ(hearth_probe_record_layout(btf, refused[i].name, "t.o", &r, &err), -EINVAL,
			  what);
		ASSERT_STRHAS(err.msg, refused[i].says, err.msg);
	}
cleanup:
	btf__free(btf);
}

static void json_is(struct json_object *o, const char *expected, const char *what)
{
	ASSERT_STREQ(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN), expected, what);
	json_object_put(o);
}

TEST(probe_record_json)
{
	struct hearth_probe_record r;
	struct hearth_err err = {};
	struct btf *btf = btf_made();
	__u8 rec[24] = { 0 }, two[2][24];
	__u32 a = 4000000000u;
	__s16 b = -2;
	__u64 e = 1ull << 63;

	if (!ASSERT_TRUE(btf != NULL, "BTF made") ||
	    !ASSERT_OK(hearth_probe_record_layout(btf, "rec", "t.o", &r, &err), err.msg))
		goto cleanup;
	memcpy(rec, &a, 4);
	memcpy(rec + 4, &b, 2);
	rec[6] = 1, rec[7] = 2, rec[8] = 255;
	rec[9] = 0x80;
	memcpy(rec + 16, &e, 8);
	json_is(hearth_probe_record_json(&r, rec, sizeof(rec)),
		"{\"a\":4000000000,\"b\":-2,\"c\":[1,2,255],\"d\":-128,\"e\":9223372036854775808}",
		"decoded field by field, unsigned and signed as BTF says");
	json_is(hearth_probe_record_json(&r, rec, 23),
		"{\"len\":23,\"hex\":\"00286beefeff0102ff8000000000000000000000000000\"}",
		"a record too short for its type: its bytes in hex");
	json_is(hearth_probe_record_json(NULL, rec, 3), "{\"len\":3,\"hex\":\"00286b\"}",
		"no record type: its bytes in hex");
	memcpy(two[0], rec, 24);
	memcpy(two[1], rec, 24);
	json_is(hearth_probe_record_json_sum(&r, two, 24, 2),
		"{\"a\":3705032704,\"b\":-4,\"c\":[2,4,254],\"d\":0,\"e\":0}",
		"two per-CPU copies summed field by field, each at its width");
	json_is(hearth_probe_rec_json("ring-watch", 1796627010125ull, json_object_new_object()),
		"{\"type\":\"probe\",\"probe\":\"ring-watch\",\"time\":\"2026-12-07T07:03:30.125Z\",\"record\":{}}",
		"the flow log's line of a probe's record");
cleanup:
	btf__free(btf);
}

/* The record types of the test probes' objects, as hearth probe check
 * reads them (nothing loaded). */
TEST(probe_record_of_object)
{
	static const struct {
		const char *object, *record, *map, *says;
		__u32 size;
		int fields;
	} cases[] = {
		{ "ring_watch", "ring_seen", "seen", NULL, 24, 9 },
		{ "watch", "hearth_probe_pkt", "last", NULL, 40, 18 },
		{ "flow_watch", "hearth_probe_flow", "last", NULL, 40, 11 },
		{ "watch", "hearth_probe_pkt", "by_hook",
		  "struct hearth_probe_pkt is 40 bytes; a record of by_hook holds 8" },
		{ "ring_watch", "hearth_probe_flow", "seen",
		  "struct hearth_probe_flow, is not in its BTF" },
		{ "ring_watch", "ring_seen", "none", "no map none" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hearth_probe_record r;
		struct hearth_err err = {};
		char what[128];
		size_t len = 0;
		void *data = probe_file(cases[i].object, &len);
		int ret;

		if (!data)
			continue;
		ret = hearth_probe_record_of_object(data, len, "probe.bpf.o", cases[i].record,
						    cases[i].map, &r, &err);
		free(data);
		snprintf(what, sizeof(what), "%s: struct %s in %s", cases[i].object, cases[i].record,
			 cases[i].map);
		if (cases[i].says) {
			ASSERT_TRUE(ret < 0, what);
			ASSERT_STRHAS(err.msg, cases[i].says, err.msg);
			continue;
		}
		if (!ASSERT_OK(ret, err.msg))
			continue;
		ASSERT_EQ(r.size, cases[i].size, what);
		ASSERT_EQ(r.n_fields, cases[i].fields, "  its fields");
	}
}

TEST(probe_ring_queue)
{
	static struct hearth_probe_ring q;
	struct hearth_probe_rec *rec;
	__u64 v;

	ASSERT_OK(hearth_probe_ring_open(&q, -1, NULL, NULL), "a queue without a ring");
	for (v = 0; v < HEARTH_PROBE_QUEUE_MAX + 4; v++)
		hearth_probe_ring_push(&q, v, &v, sizeof(v));
	ASSERT_EQ(q.n, HEARTH_PROBE_QUEUE_MAX, "the newest 4096 records kept");
	ASSERT_EQ(q.dropped, 4, "  the 4 oldest dropped, and counted");
	rec = hearth_probe_ring_pop(&q);
	if (ASSERT_TRUE(rec != NULL, "  taken oldest first")) {
		memcpy(&v, rec->data, sizeof(v));
		ASSERT_TRUE(v == 4 && rec->wall_ms == 4 && rec->len == 8, "  the fifth one pushed");
	}
	free(rec);
	ASSERT_EQ(hearth_probe_ring_push(&q, 0, &v, HEARTH_PROBE_QUEUE_BYTES + 1), -E2BIG,
		  "a record larger than the queue is dropped");
	ASSERT_EQ(q.dropped, 5, "  and counted");
	rec = calloc(1, HEARTH_PROBE_QUEUE_BYTES - 8);
	ASSERT_OK(hearth_probe_ring_push(&q, 0, rec, HEARTH_PROBE_QUEUE_BYTES - 8),
		  "a record of nearly the queue's bytes");
	free(rec);
	ASSERT_EQ(q.n, 2, "  leaves room for one record of 8 bytes beside it");
	ASSERT_EQ(q.dropped, 5 + HEARTH_PROBE_QUEUE_MAX - 2, "  the others dropped for its bytes");
	while ((rec = hearth_probe_ring_pop(&q)))
		free(rec);
	ASSERT_TRUE(q.n == 0 && q.bytes == 0, "all taken: empty");
	hearth_probe_ring_close(&q);
}

/* The manifest's "record": optional, a C identifier. */
TEST(probe_record_manifest)
{
	static const char *const records[] = { NULL, "ring_seen", "9lives", "ring-seen", "" };
	char text[1024], key[HEARTH_PROBE_HEX_LEN];

	memset(key, 'a', HEARTH_PROBE_HEX_LEN - 1);
	key[HEARTH_PROBE_HEX_LEN - 1] = '\0';
	for (size_t i = 0; i < sizeof(records) / sizeof(records[0]); i++) {
		struct hearth_probe_manifest m;
		struct hearth_err err = {};
		char field[96] = "", what[64];
		int ret;

		if (records[i])
			snprintf(field, sizeof(field), "\"record\": \"%s\", ", records[i]);
		snprintf(text, sizeof(text),
			 "{\"name\": \"r\", \"abi\": 1, \"author\": \"a\", \"key\": \"%s\", "
			 "\"purpose\": \"p\", \"point\": \"packet\", "
			 "\"maps\": [{\"name\": \"seen\", \"type\": \"ringbuf\", \"bytes\": 4096}], "
			 "\"output\": \"seen\", %s\"cpu_budget_ns\": 100, "
			 "\"expires\": \"2099-01-01T00:00:00Z\"}", key, field);
		ret = hearth_probe_manifest_parse(text, strlen(text), "manifest.json", &m, &err);
		snprintf(what, sizeof(what), "record %s", records[i] ?: "(none)");
		if (i < 2) {
			ASSERT_OK(ret, err.msg);
			ASSERT_STREQ(m.record, records[i] ?: "", what);
		} else {
			ASSERT_EQ(ret, -EINVAL, what);
			ASSERT_STRHAS(err.msg, "'record' must", err.msg);
		}
	}
}
