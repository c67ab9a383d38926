// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth nat show: the masqueraded connections. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/conntrack.h"

struct show_ctx {
	struct json_object *list;
	__u64 now; /* 0 when the clock could not be read */
	unsigned int hz;
};

static const char *proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : "icmp";
}

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

	json_object_object_add(o, "proto", json_object_new_string(proto_name(c->key.proto)));
	json_object_object_add(o, "state", json_object_new_string(c->state));
	json_object_object_add(o, "inside",
			       json_object_new_string(endpoint(c->key.saddr, c->key.sport, buf, sizeof(buf))));
	json_object_object_add(o, "outside",
			       json_object_new_string(endpoint(c->orig.nat_addr, c->orig.nat_port, buf, sizeof(buf))));
	json_object_object_add(o, "remote",
			       json_object_new_string(endpoint(c->key.daddr, icmp ? 0 : c->key.dport, buf, sizeof(buf))));
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

int cmd_nat(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", nat_show },
		{},
	};

	return cli_dispatch(cli, "nat", cmds, "show", argc, argv);
}
