// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The state file: runtime changes, read at start and written on change. */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "../lib/config.h"
#include "../lib/dataplane.h"
#include "../lib/tenant_json.h"
#include "../lib/firewall_spec.h"
#include "../../util/files.h"
#include "state.h"

#define STATE_VERSION 1

/* Pinholes as the configuration writes them: "tcp 2001:db8:1::10/128 22". */
static struct json_object *pinholes_json(const struct runtime_state *st)
{
	struct json_object *list = json_object_new_array();
	char text[96];

	for (int i = 0; i < st->n_pinholes; i++)
		json_object_array_add(list, json_object_new_string(hearth_pinhole_format(
						    &st->pinholes[i], text, sizeof(text))));
	return list;
}

static struct json_object *forward_json(const struct state_forward *f)
{
	struct json_object *o = json_object_new_object();
	char to[INET_ADDRSTRLEN + 8];

	json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(f->proto)));
	json_object_object_add(o, "port", json_object_new_int(f->wan_port));
	json_object_object_add(o, "to", json_object_new_string(
		hearth_endpoint_format(f->addr, f->port, to, sizeof(to))));
	return o;
}

static int forward_from(struct json_object *o, struct state_forward *f)
{
	struct json_object *port;
	char text[16];

	if (!json_object_object_get_ex(o, "port", &port) ||
	    !json_object_is_type(port, json_type_int))
		return -EINVAL;
	snprintf(text, sizeof(text), "%d", json_object_get_int(port));
	f->proto = hearth_proto_parse(json_object_get_string(json_object_object_get(o, "proto")) ?: "");
	f->wan_port = hearth_port_parse(text);
	if (!f->proto || !f->wan_port ||
	    hearth_endpoint_parse(json_object_get_string(json_object_object_get(o, "to")) ?: "",
				  &f->addr, &f->port))
		return -EINVAL;
	return 0;
}

static struct json_object *state_json(const struct runtime_state *st)
{
	struct json_object *o = json_object_new_object(), *ts = json_object_new_array(),
			   *fs = json_object_new_array();

	json_object_object_add(o, "version", json_object_new_int(STATE_VERSION));
	for (int i = 0; i < st->n_tenants; i++) {
		struct json_object *t = json_object_new_object();

		json_object_object_add(t, "op", json_object_new_string(
			st->tenants[i].op == STATE_TENANT_ADD ? "add" : "set"));
		json_object_object_add(t, "tenant", hearth_tenant_spec_json(&st->tenants[i].spec));
		json_object_array_add(ts, t);
	}
	for (int i = 0; i < st->n_forwards; i++)
		json_object_array_add(fs, forward_json(&st->forwards[i]));
	json_object_object_add(o, "tenants", ts);
	json_object_object_add(o, "forwards", fs);
	json_object_object_add(o, "pinholes", pinholes_json(st));
	return o;
}

static int pinholes_from(struct json_object *list, struct runtime_state *st,
			 struct hearth_err *err)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		const char *text = json_object_get_string(json_object_array_get_idx(list, i));
		char buf[96], *words[3], msg[160];
		int n = 0;

		if (st->n_pinholes == STATE_MAX_PINHOLES)
			return hearth_err_set(err, E2BIG, "more than %d pinholes",
					      STATE_MAX_PINHOLES);
		snprintf(buf, sizeof(buf), "%s", text ?: "");
		for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && n < 3;
		     w = strtok_r(NULL, " ", &save))
			words[n++] = w;
		if (hearth_pinhole_parse(n, words, &st->pinholes[st->n_pinholes], msg, sizeof(msg)))
			return hearth_err_set(err, EINVAL, "pinholes[%zu]: %s", i, msg);
		st->n_pinholes++;
	}
	return 0;
}

static int tenants_from(struct json_object *list, struct runtime_state *st,
			struct hearth_err *err)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *t = json_object_array_get_idx(list, i);
		const char *op = json_object_get_string(json_object_object_get(t, "op"));
		struct state_tenant *s = &st->tenants[st->n_tenants];
		struct hearth_err why;

		if (st->n_tenants == STATE_MAX_TENANTS)
			return hearth_err_set(err, E2BIG, "more than %d tenants", STATE_MAX_TENANTS);
		if (!op || (strcmp(op, "add") && strcmp(op, "set")))
			return hearth_err_set(err, EINVAL, "tenants[%zu]: op is add or set", i);
		s->op = !strcmp(op, "add") ? STATE_TENANT_ADD : STATE_TENANT_SET;
		if (hearth_tenant_spec_from_json(json_object_object_get(t, "tenant"), &s->spec, &why))
			return hearth_err_set(err, EINVAL, "tenants[%zu]: %s", i, why.msg);
		st->n_tenants++;
	}
	return 0;
}

static int forwards_from(struct json_object *list, struct runtime_state *st,
			 struct hearth_err *err)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		if (st->n_forwards == STATE_MAX_FORWARDS)
			return hearth_err_set(err, E2BIG, "more than %d forwards",
					      STATE_MAX_FORWARDS);
		if (forward_from(json_object_array_get_idx(list, i), &st->forwards[st->n_forwards]))
			return hearth_err_set(err, EINVAL,
					      "forwards[%zu]: want proto tcp|udp, port, to ADDR:PORT", i);
		st->n_forwards++;
	}
	return 0;
}

int state_load(struct runtime_state *st, const char *path, struct hearth_err *err)
{
	struct runtime_state *next = calloc(1, sizeof(*next));
	struct json_object *o = NULL, *v;
	struct hearth_err why = {};
	struct stat sb;
	int ret = 0;

	if (!next)
		return hearth_err_set(err, ENOMEM, "out of memory");
	snprintf(next->path, sizeof(next->path), "%s", path);
	if (stat(path, &sb) && errno == ENOENT)
		goto done; /* nothing changed at run time yet */
	next->loaded = true;
	o = json_object_from_file(path);
	if (!o || !json_object_is_type(o, json_type_object)) {
		ret = hearth_err_set(err, EINVAL, "%s: not a JSON object (%s)", path,
				     json_util_get_last_err() ?: "wrong type");
		goto cleanup;
	}
	if (!json_object_object_get_ex(o, "version", &v) || json_object_get_int(v) != STATE_VERSION) {
		ret = hearth_err_set(err, EINVAL, "%s: version is not %d", path, STATE_VERSION);
		goto cleanup;
	}
	if (json_object_object_get_ex(o, "tenants", &v))
		ret = tenants_from(v, next, &why);
	if (!ret && json_object_object_get_ex(o, "forwards", &v))
		ret = forwards_from(v, next, &why);
	if (!ret && json_object_object_get_ex(o, "pinholes", &v))
		ret = pinholes_from(v, next, &why);
	if (ret) {
		hearth_err_set(err, ret, "%s: %s", path, why.msg);
		goto cleanup;
	}
done:
	*st = *next;
cleanup:
	json_object_put(o);
	free(next);
	return ret;
}

int state_save(const struct runtime_state *st, struct hearth_err *err)
{
	struct json_object *o = state_json(st);
	char dir[sizeof(st->path)];
	int ret;

	snprintf(dir, sizeof(dir), "%s", st->path);
	ret = hearth_mkdir_p(dirname(dir), 0755);
	if (!ret)
		ret = chute_text_write(st->path,
				       json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY),
				       true);
	/* tenants name home hosts: the file is root's alone */
	if (!ret && chmod(st->path, 0600))
		ret = -errno;
	json_object_put(o);
	if (ret)
		return hearth_err_set(err, ret, "cannot write %s: %s", st->path, strerror(-ret));
	return 0;
}

struct state_tenant *state_tenant_find(struct runtime_state *st, const char *name)
{
	for (int i = 0; i < st->n_tenants; i++)
		if (!strcmp(st->tenants[i].spec.name, name))
			return &st->tenants[i];
	return NULL;
}

void state_tenant_remove(struct runtime_state *st, const char *name)
{
	struct state_tenant *t = state_tenant_find(st, name);

	if (!t)
		return;
	memmove(t, t + 1, (size_t)(st->tenants + st->n_tenants - t - 1) * sizeof(*t));
	st->n_tenants--;
}

struct state_forward *state_forward_find(struct runtime_state *st, __u8 proto, __u16 wan_port)
{
	for (int i = 0; i < st->n_forwards; i++)
		if (st->forwards[i].proto == proto && st->forwards[i].wan_port == wan_port)
			return &st->forwards[i];
	return NULL;
}

void state_forward_remove(struct runtime_state *st, __u8 proto, __u16 wan_port)
{
	struct state_forward *f = state_forward_find(st, proto, wan_port);

	if (!f)
		return;
	memmove(f, f + 1, (size_t)(st->forwards + st->n_forwards - f - 1) * sizeof(*f));
	st->n_forwards--;
}

void state_spec_merge(struct hearth_tenant_spec *into, const struct hearth_tenant_spec *set)
{
	if (set->id >= 0)
		into->id = set->id;
	if (set->prio >= 0)
		into->prio = set->prio;
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		const struct hearth_tenant_dir_spec *s = &set->dir[d];
		struct hearth_tenant_dir_spec *t = &into->dir[d];

		if (s->given & HEARTH_FIELD_RATE)
			t->rate = s->rate;
		if (s->given & HEARTH_FIELD_CEIL)
			t->ceil = s->ceil;
		if (s->given & HEARTH_FIELD_BURST)
			t->burst = s->burst;
		t->given |= s->given;
	}
	if (set->matches_given) {
		into->matches_given = true;
		into->n_ifaces = set->n_ifaces;
		memcpy(into->ifaces, set->ifaces, sizeof(into->ifaces));
		into->n_prefixes = set->n_prefixes;
		memcpy(into->prefixes, set->prefixes, sizeof(into->prefixes));
		into->n_macs = set->n_macs;
		memcpy(into->macs, set->macs, sizeof(into->macs));
	}
}

struct hearth_pinhole *state_pinhole_find(struct runtime_state *st,
					  const struct hearth_pinhole *ph)
{
	for (int i = 0; i < st->n_pinholes; i++)
		if (hearth_pinhole_equal(&st->pinholes[i], ph))
			return &st->pinholes[i];
	return NULL;
}

void state_pinhole_remove(struct runtime_state *st, const struct hearth_pinhole *ph)
{
	struct hearth_pinhole *found = state_pinhole_find(st, ph);

	if (!found)
		return;
	memmove(found, found + 1,
		(size_t)(st->pinholes + st->n_pinholes - found - 1) * sizeof(*found));
	st->n_pinholes--;
}
