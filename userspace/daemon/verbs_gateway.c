// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* config.show, fib.flush, gateway.down */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lib/dpstate.h"
#include "../lib/nat.h"
#include "../../util/parse.h"
#include "../lib/tenant.h"
#include "../lib/tenant_json.h"
#include "runtime.h"
#include "verbs.h"

static int directive_line(const struct hearth_config *cfg, const char *name)
{
	for (int i = 0; hearth_config_directive(i); i++)
		if (!strcmp(hearth_config_directive(i), name))
			return cfg->directive_line[i];
	return 0;
}

static struct json_object *source_json(const struct daemon *d, int line)
{
	char text[300];

	if (!line)
		return json_object_new_string("default");
	snprintf(text, sizeof(text), "%s:%d", d->cfg.path, line);
	return json_object_new_string(text);
}

static void setting_add(struct json_object *list, const struct daemon *d, const char *name,
			const char *value, int line)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "value", json_object_new_string(value));
	json_object_object_add(o, "source", source_json(d, line));
	json_object_array_add(list, o);
}

/* The export lines (their source: the file's last export line). */
static void export_settings(struct json_object *list, const struct daemon *d)
{
	const struct hearth_config_export *x = &d->cfg.export;
	int line = directive_line(&d->cfg, "export");
	char buf[400] = "", size[32];
	size_t n = 0;

	for (int i = 0; i < x->n_ipfix; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s %s", i ? ", " : "",
				      x->ipfix[i].text,
				      x->ipfix[i].transport == HEARTH_IPFIX_TLS ? "tls" :
				      x->ipfix[i].transport == HEARTH_IPFIX_TCP ? "tcp" : "udp");
	setting_add(list, d, "export ipfix", x->n_ipfix ? buf : "none", line);
	snprintf(buf, sizeof(buf), "%u", x->active_timeout_s);
	setting_add(list, d, "export active-timeout", buf, line);
	snprintf(buf, sizeof(buf), "%u", d->flows.domain);
	setting_add(list, d, "export domain", x->domain_set ? buf : "from the privacy key", line);
	snprintf(size, sizeof(size), "%zuk", x->log.max_bytes >> 10);
	snprintf(buf, sizeof(buf), "%s size %s age %u keep %u sync-ms %u", x->log.path, size,
		 x->log.max_age_s, x->log.keep, x->log.sync_ms);
	setting_add(list, d, "export log", x->log_on ? buf : "none", line);
}

static struct json_object *settings_json(const struct daemon *d)
{
	const struct hearth_config *c = &d->cfg;
	struct json_object *list = json_object_new_array();
	char buf[128], up[32], down[32];

	setting_add(list, d, "pin-dir", c->pin_dir, directive_line(c, "pin-dir"));
	setting_add(list, d, "run-dir", c->run_dir, directive_line(c, "run-dir"));
	setting_add(list, d, "state-file", c->state_file, directive_line(c, "state-file"));
	setting_add(list, d, "control-group", c->control_group[0] ? c->control_group : "none",
		    directive_line(c, "control-group"));
	setting_add(list, d, "fib-cache", c->fib_cache ? "on" : "off", directive_line(c, "fib-cache"));
	snprintf(buf, sizeof(buf), "%u", c->fib_cache_ttl_ms);
	setting_add(list, d, "fib-cache-ttl", buf, directive_line(c, "fib-cache-ttl"));
	setting_add(list, d, "xdp-mode", hearth_xdp_mode_name(c->xdp_mode),
		    directive_line(c, "xdp-mode"));
	setting_add(list, d, "nat masquerade", c->nat_masquerade ? "on" : "off", c->masquerade_line);
	snprintf(buf, sizeof(buf), "%u-%u", c->nat_port_min, c->nat_port_max);
	setting_add(list, d, "nat ports", buf, c->ports_line);
	setting_add(list, d, "nat filtering", hearth_nat_filtering_name(c->nat_filtering),
		    c->filtering_line);
	snprintf(buf, sizeof(buf), "up %s down %s",
		 c->capacity[0] ? hearth_rate_format(c->capacity[0], up, sizeof(up)) : "none",
		 c->capacity[1] ? hearth_rate_format(c->capacity[1], down, sizeof(down)) : "none");
	setting_add(list, d, "wan-capacity", buf, c->capacity_line);
	snprintf(buf, sizeof(buf), "%u", c->ct_sets * HEARTH_CT_WAYS / 2);
	setting_add(list, d, "conntrack size", buf, c->ct_size_line);
	snprintf(buf, sizeof(buf), "%u", hearth_ct_share_percent(c->ct_host_ways));
	setting_add(list, d, "conntrack host-share", buf, c->ct_share_line);
	snprintf(buf, sizeof(buf), "%u", c->ct_open_rate);
	setting_add(list, d, "conntrack open-rate", buf, c->ct_rate_line);
	setting_add(list, d, "conntrack tcp-pickup", c->ct_tcp_pickup ? "on" : "off",
		    c->ct_pickup_line);
	setting_add(list, d, "metrics", c->metrics_on ? c->metrics_listen : "off",
		    directive_line(c, "metrics"));
	setting_add(list, d, "privacy", c->privacy_raw ? "raw" : "anonymize",
		    directive_line(c, "privacy"));
	setting_add(list, d, "privacy-key", c->privacy_key, directive_line(c, "privacy-key"));
	setting_add(list, d, "probe-keys", c->probe_keys, directive_line(c, "probe-keys"));
	setting_add(list, d, "probe-approved", c->probe_approved,
		    directive_line(c, "probe-approved"));
	export_settings(list, d);
	setting_add(list, d, "chute-dir", c->chute_dir, directive_line(c, "chute-dir"));
	setting_add(list, d, "chute-pool", hearth_prefix_format(&c->chute_pool, buf, sizeof(buf)),
		    directive_line(c, "chute-pool"));
	return list;
}

static struct json_object *interfaces_json(const struct daemon *d)
{
	struct json_object *list = json_object_new_array();

	for (int i = 0; i < d->cfg.n_ifaces; i++) {
		const struct hearth_config_iface *ci = &d->cfg.ifaces[i];
		struct json_object *o = json_object_new_object(), *pfx = json_object_new_array();
		char buf[INET6_ADDRSTRLEN + 8];

		for (int p = 0; p < ci->n_prefixes; p++)
			json_object_array_add(pfx, json_object_new_string(
				hearth_prefix_format(&ci->prefixes[p], buf, sizeof(buf))));
		json_object_object_add(o, "name", json_object_new_string(ci->name));
		json_object_object_add(o, "role", json_object_new_string(hearth_role_name(ci->role)));
		json_object_object_add(o, "prefixes", pfx);
		json_object_object_add(o, "source", source_json(d, ci->line));
		json_object_array_add(list, o);
	}
	return list;
}

static struct json_object *forward_entry(const struct daemon *d, __u8 proto, __u16 port,
					 struct in_addr addr, __u16 to_port, int line,
					 const char *status)
{
	struct json_object *o = json_object_new_object();
	char to[INET_ADDRSTRLEN + 8];

	json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(proto)));
	json_object_object_add(o, "port", json_object_new_int(port));
	json_object_object_add(o, "to", json_object_new_string(
		hearth_endpoint_format(addr, to_port, to, sizeof(to))));
	json_object_object_add(o, "source", line ? source_json(d, line) : json_object_new_string("runtime"));
	json_object_object_add(o, "status", json_object_new_string(status));
	return o;
}

static struct json_object *forwards_json(struct daemon *d)
{
	struct json_object *list = json_object_new_array();
	char status[320];

	for (int i = 0; i < d->cfg.n_forwards; i++) {
		const struct hearth_config_forward *f = &d->cfg.forwards[i];

		json_object_array_add(list, forward_entry(d, f->proto, f->wan_port, f->addr, f->port,
							  f->line, "applied"));
	}
	for (int i = 0; i < d->state.n_forwards; i++) {
		const struct state_forward *f = &d->state.forwards[i];
		enum forward_owner owner;
		struct in_addr chute;
		int line;

		owner = forward_owner(d, f->proto, f->wan_port, &line, &chute);
		if (owner == FORWARD_FILE)
			snprintf(status, sizeof(status), "shadowed by %s:%d", d->cfg.path, line);
		else
			snprintf(status, sizeof(status), "%s",
				 owner == FORWARD_CHUTE ? "shadowed by a running chute" : "applied");
		json_object_array_add(list, forward_entry(d, f->proto, f->wan_port, f->addr, f->port,
							  0, status));
	}
	return list;
}

static struct json_object *tenant_entry(const struct daemon *d, const char *name, int line,
					const char *status, struct json_object *settings)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "source", line ? source_json(d, line) : json_object_new_string("runtime"));
	json_object_object_add(o, "status", json_object_new_string(status));
	json_object_object_add(o, "settings", settings);
	return o;
}

static struct json_object *tenants_json(struct daemon *d)
{
	struct json_object *list = json_object_new_array();
	char status[320];

	for (int i = 0; i < d->cfg.n_tenants; i++) {
		const struct hearth_tenant_spec *t = &d->cfg.tenants[i];
		struct state_tenant *s = state_tenant_find(&d->state, t->name);
		struct json_object *o = tenant_entry(d, t->name, t->line, "applied",
						     hearth_tenant_spec_json(t));

		if (s && s->op == STATE_TENANT_SET)
			json_object_object_add(o, "runtime_changes", hearth_tenant_spec_json(&s->spec));
		json_object_array_add(list, o);
	}
	for (int i = 0; i < d->state.n_tenants; i++) {
		const struct state_tenant *s = &d->state.tenants[i];
		const struct hearth_tenant_spec *file = config_tenant(d, s->spec.name);

		if (s->op == STATE_TENANT_SET && file)
			continue; /* shown with the file's tenant */
		if (s->op == STATE_TENANT_SET)
			snprintf(status, sizeof(status), "waiting: changes to a tenant not in %s",
				 d->cfg.path);
		else if (file)
			snprintf(status, sizeof(status), "shadowed by %s:%d", d->cfg.path, file->line);
		else
			snprintf(status, sizeof(status), "applied");
		json_object_array_add(list, tenant_entry(d, s->spec.name, 0, status,
							 hearth_tenant_spec_json(&s->spec)));
	}
	return list;
}

static struct json_object *config_show(struct daemon *d, struct json_object *args)
{
	struct json_object *o = json_object_new_object();

	(void)args;
	json_object_object_add(o, "file", json_object_new_string(d->cfg.path));
	json_object_object_add(o, "state_file", json_object_new_string(d->state.path));
	json_object_object_add(o, "settings", settings_json(d));
	json_object_object_add(o, "interfaces", interfaces_json(d));
	json_object_object_add(o, "forwards", forwards_json(d));
	json_object_object_add(o, "tenants", tenants_json(d));
	return hearth_api_ok(o);
}

static struct json_object *fib_flush(struct daemon *d, struct json_object *args)
{
	int ret = hearth_dp_fib_flush(&d->dp);

	(void)args;
	if (ret)
		return hearth_api_error(HEARTH_API_FAILED, "cannot flush the cache: %s",
					strerror(-ret));
	return hearth_api_ok(NULL);
}

/* The CLI's `hearth down`: chutes stop (none runs without isolation and
 * NAT) and hearthd ends; the CLI then removes the data plane. */
static struct json_object *gateway_down(struct daemon *d, struct json_object *args)
{
	struct json_object *o = json_object_new_object();
	int stopped = 0, ret;

	(void)args;
	ret = chute_suspend_all(&d->chutes, &stopped);
	if (ret < 0) {
		json_object_put(o);
		return hearth_api_error(HEARTH_API_FAILED, "cannot stop the chutes: %s",
					strerror(-ret));
	}
	logmsg("down: %d chutes stopped; stopping", stopped);
	d->stopping = true;
	d->probes.down = true;
	json_object_object_add(o, "chutes_stopped", json_object_new_int(stopped));
	return hearth_api_ok(o);
}

const struct verb gateway_verbs[] = {
	{ "config.show", config_show },
	{ "fib.flush", fib_flush },
	{ "gateway.down", gateway_down },
	{},
};
