// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flows.list: the live connections as flow records (their counts since
 * they opened), the biggest first, filtered by tenant, host or protocol;
 * with "exported", exactly as the exporters would send them. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/conntrack.h"
#include "../lib/flow_json.h"
#include "../lib/tenant.h"
#include "../../util/parse.h"
#include "verbs.h"

#define FLOWS_LIMIT_DEFAULT 20
#define FLOWS_LIMIT_MAX 10000

struct flow_filter {
	int tenant; /* -1: any */
	int proto; /* -1: any */
	bool host_set;
	int host_family;
	union hearth_addr host;
};

struct flow_list {
	struct daemon *d;
	const struct flow_filter *filter;
	struct hearth_flow *v;
	size_t n, cap;
};

static bool has_host(const struct hearth_flow *f, const struct flow_filter *w)
{
	const union hearth_addr *a[] = { &f->saddr, &f->daddr, &f->xsaddr, &f->xdaddr };

	if (!w->host_set)
		return true;
	if (f->family != w->host_family)
		return false;
	for (size_t i = 0; i < sizeof(a) / sizeof(a[0]); i++)
		if (!memcmp(a[i], &w->host, sizeof(w->host)))
			return true;
	return false;
}

static int collect(const struct hearth_conn *c, void *arg)
{
	struct flow_list *l = arg;
	struct hearth_conn timed;
	struct hearth_flow f;

	hearth_flow_from_conn(&f, c, &l->d->flows.clock);
	if ((l->filter->tenant >= 0 && f.tenant != l->filter->tenant) ||
	    (l->filter->proto >= 0 && f.proto != l->filter->proto) || !has_host(&f, l->filter))
		return 0;
	/* the times of the flows shown only: a read each */
	timed = *c;
	hearth_ct_walker_rtt(&l->d->walker, &timed);
	hearth_flow_from_conn(&f, &timed, &l->d->flows.clock);
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 256;
		struct hearth_flow *v = realloc(l->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = f;
	return 0;
}

static int by_bytes(const void *a, const void *b)
{
	const struct hearth_flow *x = a, *y = b;
	__u64 bx = x->bytes[0] + x->bytes[1], by = y->bytes[0] + y->bytes[1];

	return bx < by ? 1 : bx > by ? -1 : 0;
}

static int flow_proto(const char *text)
{
	static const struct {
		const char *name;
		int proto;
	} names[] = { { "tcp", 6 }, { "udp", 17 }, { "icmp", 1 }, { "icmpv6", 58 }, { "esp", 50 } };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(text, names[i].name))
			return names[i].proto;
	return -1;
}

/* The filter from the request; an error answer, or NULL. */
static struct json_object *filter_of(struct daemon *d, struct json_object *args,
				     struct flow_filter *w)
{
	const char *tenant = arg_string(args, "tenant"), *host = arg_string(args, "host");
	const char *proto = arg_string(args, "proto");

	memset(w, 0, sizeof(*w));
	w->tenant = w->proto = -1;
	if (tenant) {
		w->tenant = strcmp(tenant, "home") ? hearth_tenant_find(&d->dp, tenant) : 0;
		if (w->tenant < 0)
			return hearth_api_error(HEARTH_API_NOT_FOUND, "no tenant '%s'", tenant);
	}
	if (proto) {
		w->proto = flow_proto(proto);
		if (w->proto < 0)
			return hearth_api_error(HEARTH_API_BAD_REQUEST,
						"bad protocol '%s' (want tcp, udp, icmp, icmpv6 or esp)", proto);
	}
	if (host) {
		w->host_set = true;
		if (inet_pton(AF_INET, host, &w->host.ip4) == 1)
			w->host_family = AF_INET;
		else if (inet_pton(AF_INET6, host, w->host.b) == 1)
			w->host_family = AF_INET6;
		else
			return hearth_api_error(HEARTH_API_BAD_REQUEST,
						"bad host '%s' (want an IPv4 or IPv6 address)", host);
	}
	return NULL;
}

static struct json_object *flows_list(struct daemon *d, struct json_object *args)
{
	struct json_object *limit_arg = json_object_object_get(args, "limit");
	struct json_object *exported = json_object_object_get(args, "exported");
	bool as_exported = exported && json_object_get_boolean(exported);
	struct flow_list l = { .d = d };
	struct json_object *err, *list, *root;
	struct flow_filter w;
	int limit = limit_arg ? json_object_get_int(limit_arg) : FLOWS_LIMIT_DEFAULT;
	int ret;

	err = filter_of(d, args, &w);
	if (err)
		return err;
	if (limit < 1 || limit > FLOWS_LIMIT_MAX)
		return hearth_api_error(HEARTH_API_BAD_REQUEST, "limit takes 1 to %d", FLOWS_LIMIT_MAX);
	l.filter = &w;
	hearth_flow_clock_read(&d->flows.clock, d->hz);
	/* hearthd's walker: its copy of the table is kept for the expiry
	 * walk every 5 s anyway */
	ret = hearth_ct_walker_run(&d->walker, &d->dp, d->flows.clock.jiffies, d->flows.clock.hz,
				   collect, &l);
	if (ret) {
		free(l.v);
		return hearth_api_error(HEARTH_API_FAILED, "cannot read the connection table: %s",
					strerror(-ret));
	}
	qsort(l.v, l.n, sizeof(*l.v), by_bytes);
	root = json_object_new_object();
	list = json_object_new_array();
	json_object_object_add(root, "total", json_object_new_uint64(l.n));
	json_object_object_add(root, "exported_view", json_object_new_boolean(as_exported));
	for (size_t i = 0; i < l.n && i < (size_t)limit; i++) {
		char line[HEARTH_FLOW_JSON_MAX], name[HEARTH_TENANT_NAMSIZ] = "home";
		struct hearth_tenant t;

		if (as_exported && hearth_flow_anonymize(&d->flows.privacy, &l.v[i]))
			continue; /* never shown raw in the exports' view */
		if (l.v[i].tenant && !hearth_tenant_get(&d->dp, l.v[i].tenant, &t))
			snprintf(name, sizeof(name), "%.*s", (int)sizeof(name) - 1, t.name);
		if (hearth_flow_json(&l.v[i], name, line, sizeof(line)) > 0)
			json_object_array_add(list, json_tokener_parse(line));
	}
	json_object_object_add(root, "flows", list);
	free(l.v);
	return hearth_api_ok(root);
}

const struct verb flow_verbs[] = {
	{ "flows.list", flows_list },
	{},
};
