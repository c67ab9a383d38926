// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A probe bundle's manifest.json, read with json-c. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "probe_manifest.h"

struct reader {
	struct json_object *root;
	const char *what;
	struct hearth_err *err;
};

/* The string member @key, copied into @out (@size with its NUL). */
static int text_of(struct reader *r, const char *key, char *out, size_t size)
{
	struct json_object *v;
	const char *s;

	if (!json_object_object_get_ex(r->root, key, &v) || !json_object_is_type(v, json_type_string))
		return hearth_err_set(r->err, EINVAL, "%s: '%s' must be a string", r->what, key);
	s = json_object_get_string(v);
	if (!*s || strlen(s) >= size)
		return hearth_err_set(r->err, EINVAL, "%s: '%s' must have 1 to %zu characters",
				      r->what, key, size - 1);
	for (const char *c = s; *c; c++)
		if (iscntrl((unsigned char)*c))
			return hearth_err_set(r->err, EINVAL, "%s: '%s' has a control character",
					      r->what, key);
	strcpy(out, s);
	return 0;
}

static int int_of(struct reader *r, const char *key, long long lo, long long hi, long long *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(r->root, key, &v) || !json_object_is_type(v, json_type_int) ||
	    (*out = json_object_get_int64(v)) < lo || *out > hi)
		return hearth_err_set(r->err, EINVAL, "%s: '%s' must be an integer from %lld to %lld",
				      r->what, key, lo, hi);
	return 0;
}

static int name_check(struct reader *r, const char *name)
{
	if (!islower((unsigned char)name[0]))
		return hearth_err_set(r->err, EINVAL, "%s: 'name' must start with a letter a-z", r->what);
	for (const char *c = name; *c; c++)
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '-')
			return hearth_err_set(r->err, EINVAL,
					      "%s: 'name' may have a-z, 0-9 and '-' only", r->what);
	return 0;
}

static int key_check(struct reader *r, const char *key)
{
	if (strlen(key) != HEARTH_PROBE_HEX_LEN - 1 ||
	    strspn(key, "0123456789abcdef") != HEARTH_PROBE_HEX_LEN - 1)
		return hearth_err_set(r->err, EINVAL,
				      "%s: 'key' must be the signing key's fingerprint, 64 hex digits (hearth probe key)",
				      r->what);
	return 0;
}

static int point_of(struct reader *r, char *out, size_t size)
{
	char point[32];
	int ret = text_of(r, "point", point, sizeof(point));

	if (ret)
		return ret;
	if (!strcmp(point, "packet"))
		snprintf(out, size, "%s", HEARTH_PROBE_POINT_PACKET);
	else if (!strcmp(point, "flow_end"))
		snprintf(out, size, "%s", HEARTH_PROBE_POINT_FLOW_END);
	else
		return hearth_err_set(r->err, EINVAL, "%s: 'point' must be packet or flow_end", r->what);
	return 0;
}

/* "maps": [{"name", "type", "bytes"}, ...] */
static int maps_of(struct reader *r, struct hearth_probe_manifest *m)
{
	struct json_object *list;
	size_t n;

	if (!json_object_object_get_ex(r->root, "maps", &list) ||
	    !json_object_is_type(list, json_type_array))
		return hearth_err_set(r->err, EINVAL, "%s: 'maps' must be a list", r->what);
	n = json_object_array_length(list);
	if (n > HEARTH_PROBE_MAX_MAPS)
		return hearth_err_set(r->err, EINVAL, "%s: 'maps' has more than %d maps", r->what,
				      HEARTH_PROBE_MAX_MAPS);
	for (size_t i = 0; i < n; i++) {
		struct hearth_probe_map *p = &m->map[i];
		struct reader in = { json_object_array_get_idx(list, i), r->what, r->err };
		long long bytes;
		int ret;

		if (!json_object_is_type(in.root, json_type_object))
			return hearth_err_set(r->err, EINVAL, "%s: 'maps' entry %zu must be an object",
					      r->what, i + 1);
		ret = text_of(&in, "name", p->name, sizeof(p->name));
		if (!ret)
			ret = text_of(&in, "type", p->type, sizeof(p->type));
		if (!ret)
			ret = int_of(&in, "bytes", 1, HEARTH_PROBE_MAP_BUDGET, &bytes);
		if (ret)
			return ret;
		p->bytes = (__u64)bytes;
		m->n_maps++;
	}
	return 0;
}

/* "expires": "YYYY-MM-DDTHH:MM:SSZ" (UTC) */
static int expiry_of(struct reader *r, time_t *out)
{
	char text[32];
	const char *end;
	struct tm tm = {};
	int ret = text_of(r, "expires", text, sizeof(text));

	if (ret)
		return ret;
	end = strptime(text, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return hearth_err_set(r->err, EINVAL,
				      "%s: 'expires' must be a UTC time as 2027-01-31T00:00:00Z", r->what);
	*out = timegm(&tm);
	return 0;
}

/* "record": optional, a C identifier (the struct's name in the BTF). */
static int record_of(struct reader *r, struct hearth_probe_manifest *m)
{
	int ret;

	if (!json_object_object_get_ex(r->root, "record", NULL))
		return 0;
	ret = text_of(r, "record", m->record, sizeof(m->record));
	if (ret)
		return ret;
	if (!isalpha((unsigned char)m->record[0]) && m->record[0] != '_')
		return hearth_err_set(r->err, EINVAL, "%s: 'record' must name a struct (a C identifier)",
				      r->what);
	for (const char *c = m->record; *c; c++)
		if (!isalnum((unsigned char)*c) && *c != '_')
			return hearth_err_set(r->err, EINVAL,
					      "%s: 'record' must name a struct (a C identifier)", r->what);
	return 0;
}

static int fields_of(struct reader *r, struct hearth_probe_manifest *m)
{
	long long n = 0;
	int ret;

	ret = text_of(r, "name", m->name, sizeof(m->name));
	if (!ret)
		ret = name_check(r, m->name);
	if (!ret)
		ret = int_of(r, "abi", 1, 1000, &n);
	if (!ret && n != HEARTH_PROBE_ABI)
		ret = hearth_err_set(r->err, EINVAL, "%s: 'abi' is %lld; this hearth takes probes of ABI %d",
				     r->what, n, HEARTH_PROBE_ABI);
	m->abi = (int)n;
	if (!ret)
		ret = text_of(r, "author", m->author, sizeof(m->author));
	if (!ret)
		ret = text_of(r, "key", m->key, sizeof(m->key));
	if (!ret)
		ret = key_check(r, m->key);
	if (!ret)
		ret = text_of(r, "purpose", m->purpose, sizeof(m->purpose));
	if (!ret)
		ret = point_of(r, m->point, sizeof(m->point));
	if (!ret)
		ret = maps_of(r, m);
	if (!ret)
		ret = text_of(r, "output", m->output, sizeof(m->output));
	if (!ret)
		ret = record_of(r, m);
	if (!ret)
		ret = int_of(r, "cpu_budget_ns", 1, HEARTH_PROBE_CPU_BUDGET_MAX_NS, &n);
	m->cpu_budget_ns = (unsigned int)n;
	if (!ret)
		ret = expiry_of(r, &m->expires);
	return ret;
}

/* The line of byte @offset of @text, for a syntax error. */
static int line_at(const char *text, size_t offset)
{
	int line = 1;

	for (size_t i = 0; i < offset; i++)
		line += text[i] == '\n';
	return line;
}

int hearth_probe_manifest_parse(const char *text, size_t len, const char *what,
				struct hearth_probe_manifest *m, struct hearth_err *err)
{
	struct json_tokener *tok = json_tokener_new();
	struct reader r = { .what = what, .err = err };
	enum json_tokener_error jerr;
	bool found = false;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	if (!tok)
		return hearth_err_set(err, ENOMEM, "%s: out of memory", what);
	r.root = json_tokener_parse_ex(tok, text, (int)len + 1);
	jerr = json_tokener_get_error(tok);
	if (!r.root || jerr != json_tokener_success) {
		ret = hearth_err_set(err, EINVAL, "%s:%d: not valid JSON: %s", what,
				     line_at(text, json_tokener_get_parse_end(tok)),
				     json_tokener_error_desc(jerr));
		goto cleanup;
	}
	if (!json_object_is_type(r.root, json_type_object)) {
		ret = hearth_err_set(err, EINVAL, "%s: not a JSON object", what);
		goto cleanup;
	}
	ret = fields_of(&r, m);
	for (int i = 0; !ret && i < m->n_maps; i++)
		found |= !strcmp(m->map[i].name, m->output);
	if (!ret && !found)
		ret = hearth_err_set(err, EINVAL, "%s: 'output' names %s, which is not in 'maps'", what,
				     m->output);
cleanup:
	json_object_put(r.root);
	json_tokener_free(tok);
	return ret;
}
