// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* forward.list, forward.add, forward.del: port forwards set at run time. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>

#include "../lib/nat.h"
#include "../lib/nat_show.h"
#include "../../util/parse.h"
#include "runtime.h"
#include "verbs.h"

/* args.proto and args.port; an error answer, or NULL. */
static struct json_object *forward_key(struct json_object *args, __u8 *proto, __u16 *port)
{
	const char *p = arg_string(args, "proto");
	struct json_object *v;
	char text[16] = "";

	if (json_object_object_get_ex(args, "port", &v))
		snprintf(text, sizeof(text), "%s", json_object_get_string(v));
	*proto = hearth_proto_parse(p ?: "");
	if (!*proto)
		return hearth_api_error(HEARTH_API_INVALID, "protocol is tcp or udp, not '%s'",
					p ?: "");
	*port = hearth_port_parse(text);
	if (!*port)
		return hearth_api_error(HEARTH_API_INVALID, "bad port '%s'", text);
	return NULL;
}

/* The file's and a running chute's forwards are theirs. */
static struct json_object *owned_elsewhere(struct daemon *d, __u8 proto, __u16 port)
{
	char to[INET_ADDRSTRLEN];
	struct in_addr chute;
	int line;

	switch (forward_owner(d, proto, port, &line, &chute)) {
	case FORWARD_FILE:
		return hearth_api_error(HEARTH_API_CONFLICT, "%s port %u is forwarded at %s:%d; change it there",
					hearth_proto_name(proto), port, d->cfg.path, line);
	case FORWARD_CHUTE:
		inet_ntop(AF_INET, &chute, to, sizeof(to));
		return hearth_api_error(HEARTH_API_CONFLICT, "%s port %u is forwarded to a running chute (%s)",
					hearth_proto_name(proto), port, to);
	default:
		return NULL;
	}
}

/* An existing runtime forward of the port is replaced only when asked. */
static struct json_object *refuse_replace(struct json_object *args, const struct state_forward *f)
{
	struct json_object *v;
	char to[INET_ADDRSTRLEN];

	if (json_object_object_get_ex(args, "replace", &v) && json_object_get_boolean(v))
		return NULL;
	inet_ntop(AF_INET, &f->addr, to, sizeof(to));
	return hearth_api_error(HEARTH_API_EXISTS,
				"%s port %u is already forwarded to %s:%u; say 'replace' to replace it",
				hearth_proto_name(f->proto), f->wan_port, to, f->port);
}

static struct json_object *forward_add(struct daemon *d, struct json_object *args)
{
	const char *to = arg_string(args, "to");
	struct hearth_config_forward cf = {};
	struct json_object *refused;
	struct state_forward f = {};
	struct state_forward *kept;
	char msg[128];
	int ret;

	refused = forward_key(args, &f.proto, &f.wan_port);
	if (refused)
		return refused;
	if (!to || hearth_endpoint_parse(to, &f.addr, &f.port))
		return hearth_api_error(HEARTH_API_INVALID, "bad target '%s' (want IPV4:PORT)",
					to ?: "");
	/* the file's own rules, by the file's own code */
	cf = (struct hearth_config_forward){ .proto = f.proto, .wan_port = f.wan_port,
					     .addr = f.addr, .port = f.port };
	if (hearth_forward_check(&d->cfg, &cf, msg, sizeof(msg)))
		return hearth_api_error(d->cfg.nat_masquerade ? HEARTH_API_INVALID :
								HEARTH_API_UNAVAILABLE, "%s", msg);
	refused = owned_elsewhere(d, f.proto, f.wan_port);
	if (refused)
		return refused;
	kept = state_forward_find(&d->state, f.proto, f.wan_port);
	refused = kept ? refuse_replace(args, kept) : NULL;
	if (refused)
		return refused;
	if (!kept && d->state.n_forwards == STATE_MAX_FORWARDS)
		return hearth_api_error(HEARTH_API_UNAVAILABLE, "at most %d runtime forwards",
					STATE_MAX_FORWARDS);
	ret = hearth_nat_forward_add(&d->dp, f.proto, f.wan_port, f.addr, f.port,
				     HEARTH_FWD_RUNTIME);
	if (ret)
		return hearth_api_error(HEARTH_API_FAILED, "cannot add the forward: %s",
					strerror(-ret));
	*(kept ?: &d->state.forwards[d->state.n_forwards++]) = f;
	return verb_keep(d, hearth_api_ok(NULL));
}

static struct json_object *forward_del(struct daemon *d, struct json_object *args)
{
	struct json_object *refused;
	struct hearth_nat_fwd fwd;
	__u16 port;
	__u8 proto;
	int ret;

	refused = forward_key(args, &proto, &port);
	if (refused)
		return refused;
	refused = owned_elsewhere(d, proto, port);
	if (refused && state_forward_find(&d->state, proto, port)) {
		/* a shadowed runtime forward: only the state has it */
		json_object_put(refused);
		state_forward_remove(&d->state, proto, port);
		return verb_keep(d, hearth_api_ok(NULL));
	}
	if (refused)
		return refused;
	ret = hearth_nat_forward_get(&d->dp, proto, port, &fwd);
	if (ret && !state_forward_find(&d->state, proto, port))
		return hearth_api_error(HEARTH_API_NOT_FOUND, "no forward for %s port %u",
					hearth_proto_name(proto), port);
	ret = ret ? 0 : hearth_nat_forward_del(&d->dp, proto, port);
	if (ret)
		return hearth_api_error(HEARTH_API_FAILED, "cannot delete the forward: %s",
					strerror(-ret));
	state_forward_remove(&d->state, proto, port);
	return verb_keep(d, hearth_api_ok(NULL));
}

static struct json_object *forward_list(struct daemon *d, struct json_object *args)
{
	(void)args;
	return hearth_api_ok(hearth_nat_forwards_json(&d->dp));
}

const struct verb forward_verbs[] = {
	{ "forward.list", forward_list },
	{ "forward.add", forward_add },
	{ "forward.del", forward_del },
	{},
};
