// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tenant specs to JSON and back (the API's and the state file's form). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "tenant.h"
#include "../../util/parse.h"
#include "tenant_json.h"

static const char *const dir_names[HEARTH_DIR_MAX] = { "up", "down" };
static const char *const field_names[] = { "rate", "ceil", "burst" };

static struct json_object *matches_json(const struct hearth_tenant_spec *spec)
{
	struct json_object *m = json_object_new_object(), *ifs = json_object_new_array(),
			   *pfx = json_object_new_array(), *macs = json_object_new_array();
	char buf[INET6_ADDRSTRLEN + 8];

	for (int i = 0; i < spec->n_ifaces; i++)
		json_object_array_add(ifs, json_object_new_string(spec->ifaces[i]));
	for (int i = 0; i < spec->n_prefixes; i++)
		json_object_array_add(pfx, json_object_new_string(
			hearth_prefix_format(&spec->prefixes[i], buf, sizeof(buf))));
	for (int i = 0; i < spec->n_macs; i++) {
		json_object_array_add(macs, json_object_new_string(
			hearth_mac_format(spec->macs[i], buf, sizeof(buf))));
	}
	json_object_object_add(m, "iface", ifs);
	json_object_object_add(m, "prefix", pfx);
	json_object_object_add(m, "mac", macs);
	return m;
}

struct json_object *hearth_tenant_spec_json(const struct hearth_tenant_spec *spec)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(spec->name));
	if (spec->id >= 0)
		json_object_object_add(o, "id", json_object_new_int(spec->id));
	if (spec->prio >= 0)
		json_object_object_add(o, "prio", json_object_new_int(spec->prio));
	if (spec->host_share > 0)
		json_object_object_add(o, "host_share", json_object_new_int(spec->host_share));
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		const struct hearth_tenant_dir_spec *ds = &spec->dir[d];
		struct json_object *dir;

		if (!ds->given)
			continue;
		dir = json_object_new_object();
		if (ds->given & HEARTH_FIELD_RATE)
			json_object_object_add(dir, "rate", json_object_new_uint64(ds->rate));
		if (ds->given & HEARTH_FIELD_CEIL)
			json_object_object_add(dir, "ceil", json_object_new_uint64(ds->ceil));
		if (ds->given & HEARTH_FIELD_BURST)
			json_object_object_add(dir, "burst", json_object_new_uint64(ds->burst));
		json_object_object_add(o, dir_names[d], dir);
	}
	if (spec->matches_given)
		json_object_object_add(o, "match", matches_json(spec));
	return o;
}

/* The words of the CLI for one JSON value: numbers as text, rates with
 * their unit. */
struct words {
	int n;
	char *v[64];
	char text[64][64];
};

static int word_add(struct words *w, struct json_object *val, const char *unit,
		    const char *field, struct hearth_err *err)
{
	if (w->n == (int)(sizeof(w->v) / sizeof(w->v[0])))
		return hearth_err_set(err, E2BIG, "too many tenant settings");
	if (json_object_is_type(val, json_type_int) && json_object_get_int64(val) >= 0)
		snprintf(w->text[w->n], sizeof(w->text[0]), "%lld%s",
			 (long long)json_object_get_int64(val), unit);
	else if (json_object_is_type(val, json_type_string))
		snprintf(w->text[w->n], sizeof(w->text[0]), "%s", json_object_get_string(val));
	else
		return hearth_err_set(err, EINVAL, "%s: want a number or a string, not %s", field,
				      json_object_to_json_string(val));
	w->v[w->n] = w->text[w->n];
	w->n++;
	return 0;
}

static int word_lit(struct words *w, const char *lit, struct hearth_err *err)
{
	struct json_object *s = json_object_new_string(lit);
	int ret = word_add(w, s, "", lit, err);

	json_object_put(s);
	return ret;
}

static int dir_words(struct words *w, struct json_object *dir, const char *name,
		     struct hearth_err *err)
{
	int ret = 0, given = 0;

	if (!json_object_is_type(dir, json_type_object))
		return hearth_err_set(err, EINVAL, "%s: want an object with rate, ceil, burst",
				      name);
	ret = word_lit(w, name, err);
	for (size_t f = 0; !ret && f < sizeof(field_names) / sizeof(field_names[0]); f++) {
		struct json_object *val;
		char field[32];

		if (!json_object_object_get_ex(dir, field_names[f], &val))
			continue;
		snprintf(field, sizeof(field), "%s.%s", name, field_names[f]);
		ret = word_lit(w, field_names[f], err);
		if (!ret)
			ret = word_add(w, val, f < 2 ? "bit" : "", field, err);
		given++;
	}
	json_object_object_foreach(dir, key, unused) {
		(void)unused;
		if (!ret && strcmp(key, "rate") && strcmp(key, "ceil") && strcmp(key, "burst"))
			ret = hearth_err_set(err, EINVAL, "%s: unknown field '%s'", name, key);
	}
	if (!ret && !given)
		ret = hearth_err_set(err, EINVAL, "%s: give rate, ceil or burst", name);
	return ret;
}

static int match_words(struct words *w, struct json_object *match, struct hearth_err *err)
{
	static const char *const kinds[] = { "iface", "prefix", "mac" };
	int ret = 0;

	if (!json_object_is_type(match, json_type_object))
		return hearth_err_set(err, EINVAL, "match: want an object of iface, prefix, mac lists");
	json_object_object_foreach(match, kind, list) {
		bool known = false;

		for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++)
			known |= !strcmp(kind, kinds[k]);
		if (!known)
			return hearth_err_set(err, EINVAL, "match: unknown kind '%s'", kind);
		if (!json_object_is_type(list, json_type_array))
			return hearth_err_set(err, EINVAL, "match.%s: want a list", kind);
		for (size_t i = 0; !ret && i < json_object_array_length(list); i++) {
			ret = word_lit(w, kind, err);
			if (!ret)
				ret = word_add(w, json_object_array_get_idx(list, i), "", kind, err);
		}
	}
	return ret;
}

static int spec_words(struct json_object *o, struct words *w, struct hearth_err *err)
{
	int ret = 0;

	json_object_object_foreach(o, key, val) {
		if (ret)
			break;
		if (!strcmp(key, "name") || !strcmp(key, "match"))
			continue;
		if (!strcmp(key, "id") || !strcmp(key, "prio")) {
			ret = word_lit(w, key, err);
			if (!ret)
				ret = word_add(w, val, "", key, err);
		} else if (!strcmp(key, "host_share")) {
			ret = word_lit(w, "host-share", err);
			if (!ret)
				ret = word_add(w, val, "", key, err);
		} else if (!strcmp(key, "up") || !strcmp(key, "down")) {
			ret = dir_words(w, val, key, err);
		} else {
			ret = hearth_err_set(err, EINVAL, "unknown tenant field '%s'", key);
		}
	}
	if (!ret && json_object_object_get_ex(o, "match", &o))
		ret = match_words(w, o, err);
	return ret;
}

int hearth_tenant_spec_from_json(struct json_object *o, struct hearth_tenant_spec *spec,
				 struct hearth_err *err)
{
	struct json_object *name;
	struct words w = { 0 };
	char msg[256];
	int ret;

	if (!json_object_is_type(o, json_type_object))
		return hearth_err_set(err, EINVAL, "a tenant is a JSON object");
	if (!json_object_object_get_ex(o, "name", &name) ||
	    !json_object_is_type(name, json_type_string))
		return hearth_err_set(err, EINVAL, "a tenant needs a \"name\" string");
	if (!hearth_tenant_name_ok(json_object_get_string(name)))
		return hearth_err_set(err, EINVAL,
				      "bad tenant name '%s' (letters, digits, '-', '_', '.'; at most 31)",
				      json_object_get_string(name));
	ret = spec_words(o, &w, err);
	if (ret)
		return ret;
	hearth_tenant_spec_init(spec, json_object_get_string(name));
	if (hearth_tenant_spec_parse(spec, w.n, w.v, msg, sizeof(msg)))
		return hearth_err_set(err, EINVAL, "%s", msg);
	spec->matches_given = json_object_object_get_ex(o, "match", NULL);
	return 0;
}
