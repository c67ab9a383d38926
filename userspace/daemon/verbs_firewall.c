// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* firewall.show, firewall.allow, firewall.delete: the firewall's settings,
 * and pinholes opened at run time (kept in the state file). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../lib/firewall_spec.h"
#include "runtime.h"
#include "verbs.h"

/* args.proto, args.addr and optional args.ports ("22", "6000-6010"): the
 * words `firewall allow` takes in the file, checked by the file's code. */
static struct json_object *pinhole_arg(struct daemon *d, struct json_object *args,
				       struct hearth_pinhole *ph)
{
	char proto[16], addr[64], ports[16], msg[200], *words[3];
	const char *p = arg_string(args, "proto"), *a = arg_string(args, "addr");
	const char *r = arg_string(args, "ports");
	int n = 2;

	snprintf(proto, sizeof(proto), "%s", p ?: "");
	snprintf(addr, sizeof(addr), "%s", a ?: "");
	snprintf(ports, sizeof(ports), "%s", r ?: "");
	words[0] = proto, words[1] = addr, words[2] = ports;
	if (r)
		n = 3;
	if (hearth_pinhole_parse(n, words, ph, msg, sizeof(msg)) ||
	    hearth_pinhole_check(&d->cfg, ph, msg, sizeof(msg)))
		return hearth_api_error(HEARTH_API_INVALID, "%s", msg);
	return NULL;
}

static struct json_object *pinhole_json(const struct hearth_pinhole *ph, const char *origin,
					int line)
{
	struct json_object *o = json_object_new_object();
	char text[96];

	json_object_object_add(o, "rule", json_object_new_string(
						  hearth_pinhole_format(ph, text, sizeof(text))));
	json_object_object_add(o, "origin", json_object_new_string(origin));
	if (line)
		json_object_object_add(o, "line", json_object_new_int(line));
	return o;
}

static struct json_object *firewall_show(struct daemon *d, struct json_object *args)
{
	const struct hearth_config_fw *fw = &d->cfg.fw;
	struct json_object *o = json_object_new_object(), *open = json_object_new_array(),
			   *list = json_object_new_array();

	(void)args;
	json_object_object_add(o, "enabled", json_object_new_boolean(!fw->off));
	json_object_object_add(o, "icmpv6_echo", json_object_new_boolean(!fw->echo6_refused));
	for (int i = 0; i < fw->n_open; i++)
		json_object_array_add(open, json_object_new_string(fw->open[i]));
	json_object_object_add(o, "open", open);
	for (int i = 0; i < fw->n_pinholes; i++)
		json_object_array_add(list, pinhole_json(&fw->pinholes[i], "config",
							 fw->pinhole_line[i]));
	for (int i = 0; i < d->state.n_pinholes; i++)
		json_object_array_add(list, pinhole_json(&d->state.pinholes[i], "runtime", 0));
	json_object_object_add(o, "pinholes", list);
	return hearth_api_ok(o);
}

static struct json_object *firewall_apply(struct daemon *d)
{
	return sync_firewall(d, SYNC_RELOAD) ?
		       hearth_api_error(HEARTH_API_FAILED, "cannot write the pinholes") :
		       verb_keep(d, hearth_api_ok(NULL));
}

/* The request's pinhole in @ph, and in @line the line of the file's equal
 * one (0 when the file has none); an error answer, or NULL. */
static struct json_object *pinhole_request(struct daemon *d, struct json_object *args,
					   struct hearth_pinhole *ph, int *line)
{
	struct json_object *refused = pinhole_arg(d, args, ph);

	*line = 0;
	for (int i = 0; !refused && !*line && i < d->cfg.fw.n_pinholes; i++)
		if (hearth_pinhole_equal(&d->cfg.fw.pinholes[i], ph))
			*line = d->cfg.fw.pinhole_line[i];
	return refused;
}

static struct json_object *firewall_allow(struct daemon *d, struct json_object *args)
{
	struct json_object *refused;
	struct hearth_pinhole ph;
	int line;

	refused = pinhole_request(d, args, &ph, &line);
	if (refused)
		return refused;
	if (line)
		return hearth_api_error(HEARTH_API_EXISTS, "%s:%d allows it already", d->cfg.path,
					line);
	if (state_pinhole_find(&d->state, &ph))
		return hearth_api_error(HEARTH_API_EXISTS, "already allowed");
	if (d->state.n_pinholes == STATE_MAX_PINHOLES ||
	    d->cfg.fw.n_pinholes + d->state.n_pinholes >= HEARTH_PINHOLES)
		return hearth_api_error(HEARTH_API_UNAVAILABLE, "no room for another pinhole");
	d->state.pinholes[d->state.n_pinholes++] = ph;
	return firewall_apply(d);
}

static struct json_object *firewall_delete(struct daemon *d, struct json_object *args)
{
	struct json_object *refused;
	struct hearth_pinhole ph;
	int line;

	refused = pinhole_request(d, args, &ph, &line);
	if (refused)
		return refused;
	if (line)
		return hearth_api_error(HEARTH_API_CONFLICT, "%s:%d allows it; change it there",
					d->cfg.path, line);
	if (!state_pinhole_find(&d->state, &ph))
		return hearth_api_error(HEARTH_API_NOT_FOUND, "no such pinhole");
	state_pinhole_remove(&d->state, &ph);
	return firewall_apply(d);
}

const struct verb firewall_verbs[] = {
	{ "firewall.show", firewall_show },
	{ "firewall.allow", firewall_allow },
	{ "firewall.delete", firewall_delete },
	{},
};
