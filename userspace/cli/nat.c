// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth nat show: the masqueraded connections. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/conntrack.h"
#include "../lib/kclock.h"
#include "../lib/nat.h"
#include "../lib/nat_show.h"
#include "../../util/parse.h"

#include <bpf/bpf.h>

struct show_ctx {
	struct json_object *list;
	__u64 now; /* 0 when the clock could not be read */
	unsigned int hz;
};

static const char *endpoint(__be32 addr, __be16 port, char *buf, size_t size)
{
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, text, sizeof(text));
	snprintf(buf, size, "%s:%u", text, ntohs(port));
	return buf;
}

static int add_conn(const struct hearth_conn *c, void *arg)
{
	struct show_ctx *sc = arg;
	struct json_object *o = json_object_new_object();
	__u64 last = c->orig.last_seen > c->reply.last_seen ? c->orig.last_seen :
							      c->reply.last_seen;
	int icmp = c->key.proto == IPPROTO_ICMP;
	char buf[64];

	const char *kind = "masquerade";
	__be32 in_a = c->key.saddr, out_a = c->orig.nat_saddr, rem_a = c->key.daddr;
	__be16 in_p = c->key.sport, out_p = c->orig.nat_sport, rem_p = icmp ? 0 : c->key.dport;

	if (c->orig.nat & HEARTH_CT_NAT_DST) {
		/* opened from outside (or by a home host, hairpin) to a forward */
		kind = c->orig.nat & HEARTH_CT_NAT_SRC ? "hairpin" : "forward";
		in_a = c->orig.nat_daddr, in_p = c->orig.nat_dport;
		out_a = c->key.daddr, out_p = c->key.dport;
		rem_a = c->key.saddr, rem_p = c->key.sport;
	}
	json_object_object_add(o, "proto", json_object_new_string(hearth_proto_name(c->key.proto)));
	json_object_object_add(o, "kind", json_object_new_string(kind));
	json_object_object_add(o, "state", json_object_new_string(c->state));
	json_object_object_add(o, "inside", json_object_new_string(endpoint(in_a, in_p, buf, sizeof(buf))));
	json_object_object_add(o, "outside", json_object_new_string(endpoint(out_a, out_p, buf, sizeof(buf))));
	json_object_object_add(o, "remote", json_object_new_string(endpoint(rem_a, rem_p, buf, sizeof(buf))));
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
	return 0;
}

static void print_text(struct json_object *root)
{
	struct json_object *list = json_object_object_get(root, "connections");

#define S(o, k) json_object_get_string(json_object_object_get(o, k))
#define I(o, k) (long long)json_object_get_int64(json_object_object_get(o, k))
	printf("connections: %lld (table: %lld of %lld entries, two per connection)\n",
	       (long long)json_object_array_length(list), I(root, "entries"),
	       I(root, "capacity"));
	printf("%-4s %-11s %-21s %-21s %-21s %7s %7s %10s %10s\n", "prot", "state",
	       "inside", "outside", "remote", "age", "idle", "pkts out", "pkts in");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		printf("%-4s %-11s %-21s %-21s %-21s %6llds %6llds %10lld %10lld\n",
		       S(o, "proto"), S(o, "state"), S(o, "inside"), S(o, "outside"),
		       S(o, "remote"), I(o, "age_s"), I(o, "idle_s"),
		       I(o, "packets_out"), I(o, "packets_in"));
	}
#undef S
#undef I
}

static int nat_show(struct cli *cli, int argc, char **argv)
{
	struct show_ctx sc = { .list = json_object_new_array(), .hz = hearth_kernel_hz() };
	struct json_object *root = json_object_new_object();
	struct hearth_dp dp;
	int ret;

	if (argc > 0) {
		ret = cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'nat show'", argv[0]);
		goto cleanup;
	}
	ret = cli_open_dp(cli, &dp);
	if (ret)
		goto cleanup;
	if (hearth_jiffies_now(&sc.now))
		sc.now = 0;
	hearth_ct_walk(&dp, add_conn, &sc);
	json_object_object_add(root, "entries", json_object_new_int(hearth_ct_entries(&dp)));
	json_object_object_add(root, "capacity", json_object_new_int(HEARTH_CT_ENTRIES));
	json_object_object_add(root, "connections", json_object_get(sc.list));
	hearth_dp_close(&dp);
	if (cli->json)
		cli_print_json(cli, root);
	else
		print_text(root);
cleanup:
	json_object_put(root);
	json_object_put(sc.list);
	return ret;
}

static int forward_add(struct cli *cli, int argc, char **argv)
{
	struct json_object *args;
	struct in_addr addr;
	__u16 port;

	if (argc != 3)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "usage: hearth nat forward add { tcp | udp } WANPORT ADDR:PORT");
	if (!hearth_proto_parse(argv[0]))
		return cli_error(cli, CLI_EXIT_USAGE, "protocol is tcp or udp, not '%s'", argv[0]);
	if (!hearth_port_parse(argv[1]))
		return cli_error(cli, CLI_EXIT_USAGE, "bad port '%s'", argv[1]);
	if (hearth_endpoint_parse(argv[2], &addr, &port))
		return cli_error(cli, CLI_EXIT_USAGE, "bad target '%s' (want IPV4:PORT)", argv[2]);
	args = json_object_new_object();
	json_object_object_add(args, "proto", json_object_new_string(argv[0]));
	json_object_object_add(args, "port", json_object_new_int(hearth_port_parse(argv[1])));
	json_object_object_add(args, "to", json_object_new_string(argv[2]));
	return cli_call(cli, "forward.add", args, NULL);
}

static int forward_del(struct cli *cli, int argc, char **argv)
{
	struct json_object *args;

	if (argc != 2)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth nat forward del { tcp | udp } WANPORT");
	if (!hearth_proto_parse(argv[0]) || !hearth_port_parse(argv[1]))
		return cli_error(cli, CLI_EXIT_USAGE, "bad forward '%s %s'", argv[0], argv[1]);
	args = json_object_new_object();
	json_object_object_add(args, "proto", json_object_new_string(argv[0]));
	json_object_object_add(args, "port", json_object_new_int(hearth_port_parse(argv[1])));
	return cli_call(cli, "forward.del", args, NULL);
}

static int forward_list(struct cli *cli, int argc, char **argv)
{
	struct json_object *list;
	struct hearth_dp dp;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'nat forward list'",
				 argv[0]);
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	list = hearth_nat_forwards_json(&dp);
	hearth_dp_close(&dp);
	if (cli->json) {
		cli_print_json(cli, list);
	} else {
		for (size_t i = 0; i < json_object_array_length(list); i++) {
			struct json_object *o = json_object_array_get_idx(list, i);

			printf("%s %5d -> %-21s (%s)\n",
			       json_object_get_string(json_object_object_get(o, "proto")),
			       json_object_get_int(json_object_object_get(o, "port")),
			       json_object_get_string(json_object_object_get(o, "to")),
			       json_object_get_string(json_object_object_get(o, "origin")));
		}
	}
	json_object_put(list);
	return 0;
}

static int nat_forward(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "add", forward_add },
		{ "del", forward_del },
		{ "list", forward_list },
		{},
	};

	return cli_dispatch(cli, "nat forward", cmds, "list", argc, argv);
}

int cmd_nat(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", nat_show },
		{ "forward", nat_forward },
		{},
	};

	return cli_dispatch(cli, "nat", cmds, "show", argc, argv);
}
