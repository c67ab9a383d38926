// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Port forwards, connections and mappings as JSON, from the maps. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <bpf/bpf.h>
#include <json-c/json.h>

#include "conntrack.h"
#include "dpstate.h"
#include "kclock.h"
#include "nat.h"
#include "nat_show.h"
#include "natmap.h"
#include "../../util/parse.h"

struct json_object *hearth_nat_forwards_json(struct hearth_dp *dp)
{
	struct json_object *list = json_object_new_array();
	struct hearth_nat_fwd_key key, next;
	struct hearth_nat_fwd fwd;
	char to[INET_ADDRSTRLEN + 8];
	void *prev = NULL;

	while (!bpf_map_get_next_key(dp->map_fd[HEARTH_DP_NATFWD], prev, &next)) {
		struct json_object *o;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATFWD], &key, &fwd))
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(key.proto)));
		json_object_object_add(o, "port", json_object_new_int(ntohs(key.port)));
		json_object_object_add(o, "to", json_object_new_string(hearth_endpoint_format(
			(struct in_addr){ fwd.addr }, ntohs(fwd.port), to, sizeof(to))));
		json_object_object_add(o, "origin",
				       json_object_new_string(hearth_nat_forward_origin(fwd.origin)));
		json_object_array_add(list, o);
	}
	return list;
}

struct show_ctx {
	struct hearth_dp *dp;
	struct json_object *list;
	struct json_object *hosts; /* home address -> its connections */
	__u64 now; /* 0 when the clock could not be read */
	unsigned int hz;
};

/* Opened from outside on a forwarded port, or through a mapping. */
static const char *inbound_kind(struct hearth_dp *dp, const struct hearth_conn *c)
{
	struct hearth_nat_fwd fwd;

	if (c->orig.nat & HEARTH_CT_NAT_SRC)
		return "hairpin";
	if (!hearth_nat_forward_get(dp, c->key.proto, ntohs(c->key.dport), &fwd) &&
	    fwd.addr == c->orig.nat_daddr && fwd.port == c->orig.nat_dport)
		return "forward";
	return "mapping";
}

static const char *endpoint(__be32 addr, __be16 port, char *buf, size_t size)
{
	return hearth_endpoint_format((struct in_addr){ addr }, ntohs(port), buf, size);
}

/* ADDR:PORT, [ADDR]:PORT for IPv6 */
static const char *endpoint_of(__u8 family, const union hearth_addr *addr, __be16 port,
			       char *buf, size_t size)
{
	char text[INET6_ADDRSTRLEN];

	if (family == AF_INET)
		return endpoint(addr->ip4, port, buf, size);
	inet_ntop(AF_INET6, addr->b, text, sizeof(text));
	snprintf(buf, size, "[%s]:%u", text, ntohs(port));
	return buf;
}

/* A connection the firewall tracks untranslated: its home end is where
 * it was opened from, or where a pinhole let it in. */
static void add_tracked(struct json_object *o, const struct hearth_conn *c)
{
	const struct hearth_ct_key *k = &c->key;
	bool in = c->orig.side == HEARTH_CT_SIDE_WAN;
	int echo = k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
	char buf[64];

	json_object_object_add(o, "kind", json_object_new_string(in ? "pinhole" : "tracked"));
	if (in)
		endpoint_of(k->family, &k->daddr, k->dport, buf, sizeof(buf));
	else
		endpoint_of(k->family, &k->saddr, k->sport, buf, sizeof(buf));
	/* not translated: the outside end is the inside one */
	json_object_object_add(o, "inside", json_object_new_string(buf));
	json_object_object_add(o, "outside", json_object_new_string(buf));
	if (in)
		endpoint_of(k->family, &k->saddr, k->sport, buf, sizeof(buf));
	else
		endpoint_of(k->family, &k->daddr, echo ? 0 : k->dport, buf, sizeof(buf));
	json_object_object_add(o, "remote", json_object_new_string(buf));
}

/* A translated connection: masqueraded out, or opened towards the WAN
 * address (a forward, a mapping, a hairpin). */
static void add_translated(struct json_object *o, struct show_ctx *sc,
			   const struct hearth_conn *c)
{
	const char *kind = "masquerade";
	int icmp = c->key.proto == IPPROTO_ICMP;
	__be32 in_a = c->key.saddr.ip4, out_a = c->orig.nat_saddr, rem_a = c->key.daddr.ip4;
	__be16 in_p = c->key.sport, out_p = c->orig.nat_sport, rem_p = icmp ? 0 : c->key.dport;
	char buf[64];

	if (c->orig.nat & HEARTH_CT_NAT_DST) {
		/* opened towards the WAN address (by a home host: hairpin) */
		kind = inbound_kind(sc->dp, c);
		in_a = c->orig.nat_daddr, in_p = c->orig.nat_dport;
		out_a = c->key.daddr.ip4, out_p = c->key.dport;
		rem_a = c->key.saddr.ip4, rem_p = c->key.sport;
	}
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "inside", json_object_new_string(endpoint(in_a, in_p, buf, sizeof(buf))));
	json_object_object_add(o, "outside", json_object_new_string(endpoint(out_a, out_p, buf, sizeof(buf))));
	json_object_object_add(o, "remote", json_object_new_string(endpoint(rem_a, rem_p, buf, sizeof(buf))));
}

/* One more connection for its home host (the end on the home side). */
static void count_host(struct json_object *hosts, const struct hearth_conn *c)
{
	char text[INET6_ADDRSTRLEN];
	struct json_object *n;
	union hearth_addr host;

	hearth_ct_host(&c->key, &c->orig, &host);
	inet_ntop(c->key.family, c->key.family == AF_INET ? (void *)&host.ip4 : (void *)&host,
		  text, sizeof(text));
	n = json_object_object_get(hosts, text);
	json_object_object_add(hosts, text,
			       json_object_new_int(n ? json_object_get_int(n) + 1 : 1));
}

static int add_conn(const struct hearth_conn *c, void *arg)
{
	struct show_ctx *sc = arg;
	struct json_object *o = json_object_new_object();
	__u64 last = c->orig.last_seen > c->reply.last_seen ? c->orig.last_seen :
							      c->reply.last_seen;

	json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(c->key.proto)));
	json_object_object_add(o, "family", json_object_new_int(c->key.family == AF_INET ? 4 : 6));
	if (c->orig.nat)
		add_translated(o, sc, c);
	else
		add_tracked(o, c);
	json_object_object_add(o, "state", json_object_new_string(c->state));
	if (sc->now && sc->now >= last && sc->now >= c->orig.first_seen) {
		json_object_object_add(o, "age_s", json_object_new_uint64((sc->now - c->orig.first_seen) / sc->hz));
		json_object_object_add(o, "idle_s", json_object_new_uint64((sc->now - last) / sc->hz));
	}
	json_object_object_add(o, "timeout_s", json_object_new_int((int)c->timeout_s));
	json_object_object_add(o, "packets_out", json_object_new_uint64(c->orig.packets));
	json_object_object_add(o, "bytes_out", json_object_new_uint64(c->orig.bytes));
	json_object_object_add(o, "packets_in", json_object_new_uint64(c->reply.packets));
	json_object_object_add(o, "bytes_in", json_object_new_uint64(c->reply.bytes));
	json_object_object_add(o, "tcp_flags_out", json_object_new_int(c->orig.tcp_flags));
	json_object_object_add(o, "tcp_flags_in", json_object_new_int(c->reply.tcp_flags));
	json_object_array_add(sc->list, o);
	count_host(sc->hosts, c);
	return 0;
}

struct mappings_ctx {
	struct show_ctx *sc;
	struct json_object *permits; /* "PROTO/PORT" -> addresses, one walk */
	__be32 wan;
};

/* The addresses a public port may receive from, made on first use: a
 * PERMIT entry may come before or after its mapping in the walk. */
static struct json_object *permits_of(struct mappings_ctx *mc, __u8 proto, __be16 port)
{
	struct json_object *list;
	char name[16];

	snprintf(name, sizeof(name), "%u/%u", proto, ntohs(port));
	if (!json_object_object_get_ex(mc->permits, name, &list)) {
		list = json_object_new_array();
		json_object_object_add(mc->permits, name, list);
	}
	return list;
}

static int add_mapping(const struct hearth_nat_map_key *key,
		       const struct hearth_nat_mapping *m, void *arg)
{
	struct mappings_ctx *mc = arg;
	struct show_ctx *sc = mc->sc;
	struct json_object *o;
	char buf[64];

	if (key->kind == HEARTH_NATMAP_PERMIT) {
		inet_ntop(AF_INET, &key->addr, buf, sizeof(buf));
		json_object_array_add(permits_of(mc, key->proto, key->port),
				      json_object_new_string(buf));
		return 0;
	}
	if (key->kind != HEARTH_NATMAP_OUT)
		return 0;
	o = json_object_new_object();
	json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(key->proto)));
	json_object_object_add(o, "inside", json_object_new_string(endpoint(key->addr, key->port, buf, sizeof(buf))));
	json_object_object_add(o, "outside", json_object_new_string(endpoint(mc->wan, m->port, buf, sizeof(buf))));
	json_object_object_add(o, "public_port", json_object_new_int(ntohs(m->port)));
	if (sc->now && sc->now >= m->last_used)
		json_object_object_add(o, "idle_s", json_object_new_uint64((sc->now - m->last_used) / sc->hz));
	json_object_object_add(o, "permits",
			       json_object_get(permits_of(mc, key->proto, m->port)));
	json_object_array_add(sc->list, o);
	return 0;
}

/* The table's events, by name (opened, evicted-closed, ...). */
static struct json_object *ct_events_json(struct hearth_dp *dp)
{
	struct json_object *o = json_object_new_object();
	__u64 counts[HEARTH_CT_EV_MAX];

	if (hearth_ct_events(dp, counts))
		return o;
	for (__u32 id = 0; id < HEARTH_CT_EV_MAX; id++)
		json_object_object_add(o, hearth_ct_event_name(id),
				       json_object_new_uint64(counts[id]));
	return o;
}

struct json_object *hearth_conns_json(struct hearth_dp *dp)
{
	struct show_ctx sc = { .dp = dp, .list = json_object_new_array(),
			       .hosts = json_object_new_object(), .hz = hearth_kernel_hz() };
	struct json_object *root = json_object_new_object();
	struct mappings_ctx mc = { .sc = &sc };
	struct hearth_nat_cfg cfg = {};
	__u32 zero = 0;

	if (hearth_jiffies_now(&sc.now))
		sc.now = 0;
	hearth_ct_walk(dp, add_conn, &sc);
	json_object_object_add(root, "entries", json_object_new_int(hearth_ct_entries(dp)));
	json_object_object_add(root, "capacity", json_object_new_int(hearth_ct_capacity(dp)));
	json_object_object_add(root, "table_events", ct_events_json(dp));
	json_object_object_add(root, "hosts", sc.hosts);
	json_object_object_add(root, "connections", sc.list);
	bpf_map_lookup_elem(dp->map_fd[HEARTH_DP_NATCFG], &zero, &cfg);
	json_object_object_add(root, "filtering",
			       json_object_new_string(hearth_nat_filtering_name(cfg.filtering)));
	json_object_object_add(root, "mapping_entries",
			       json_object_new_int(hearth_map_count(dp->map_fd[HEARTH_DP_NATMAP],
								    sizeof(struct hearth_nat_map_key))));
	json_object_object_add(root, "mapping_capacity", json_object_new_int(HEARTH_NAT_MAP_ENTRIES));
	sc.list = json_object_new_array();
	mc.permits = json_object_new_object();
	mc.wan = hearth_nat_current_addr(dp);
	hearth_natmap_walk(dp, add_mapping, &mc);
	json_object_put(mc.permits);
	json_object_object_add(root, "mappings", sc.list);
	return root;
}
