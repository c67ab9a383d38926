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

/* "table: opened 12, expired-reused 0, ..." on one line. */
static void print_events(struct json_object *events)
{
	const char *sep = "table:";

	json_object_object_foreach(events, name, count) {
		printf("%s %s %lld", sep, name, (long long)json_object_get_int64(count));
		sep = ",";
	}
	printf("\n");
}

/* "ended: idle 3, closed 10, forced 0, evicted 1 (1200 packets, 80000 bytes)" */
static void print_ended(struct json_object *ended)
{
	const char *sep = "ended since hearthd started:";

	if (!ended) {
		printf("ended: not known (hearthd is not running)\n");
		return;
	}
	json_object_object_foreach(ended, name, count) {
		if (!strcmp(name, "packets") || !strcmp(name, "bytes"))
			continue;
		printf("%s %s %lld", sep, name, (long long)json_object_get_int64(count));
		sep = ",";
	}
	printf(" (%lld packets, %lld bytes)\n",
	       (long long)json_object_get_int64(json_object_object_get(ended, "packets")),
	       (long long)json_object_get_int64(json_object_object_get(ended, "bytes")));
}

/* "hosts: 192.168.1.10 12, 2001:db8:1::10 3" */
static void print_hosts(struct json_object *hosts)
{
	const char *sep = "hosts:";

	json_object_object_foreach(hosts, addr, count) {
		printf("%s %s %lld", sep, addr, (long long)json_object_get_int64(count));
		sep = ",";
	}
	printf("%s\n", *sep == 'h' ? "hosts: none" : "");
}

static void print_text(struct json_object *root)
{
	struct json_object *list = json_object_object_get(root, "connections");

#define S(o, k) json_object_get_string(json_object_object_get(o, k))
#define I(o, k) (long long)json_object_get_int64(json_object_object_get(o, k))
	printf("connections: %lld (table: %lld of %lld entries, two per connection)\n",
	       (long long)json_object_array_length(list), I(root, "entries"),
	       I(root, "capacity"));
	print_events(json_object_object_get(root, "table_events"));
	print_ended(json_object_object_get(root, "ended"));
	print_hosts(json_object_object_get(root, "hosts"));
	printf("%-5s %-11s %-21s %-21s %-21s %7s %7s %10s %10s\n", "prot", "state",
	       "inside", "outside", "remote", "age", "idle", "pkts out", "pkts in");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		printf("%-5s %-11s %-21s %-21s %-21s %6llds %6llds %10lld %10lld\n",
		       S(o, "proto"), S(o, "state"), S(o, "inside"), S(o, "outside"),
		       S(o, "remote"), I(o, "age_s"), I(o, "idle_s"),
		       I(o, "packets_out"), I(o, "packets_in"));
	}
	list = json_object_object_get(root, "mappings");
	printf("\nmappings: %lld (filtering %s; table: %lld of %lld entries)\n",
	       (long long)json_object_array_length(list), S(root, "filtering"),
	       I(root, "mapping_entries"), I(root, "mapping_capacity"));
	printf("%-4s %-21s %-21s %7s  %s\n", "prot", "inside", "outside", "idle", "may send in");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);
		struct json_object *permits = json_object_object_get(o, "permits");

		printf("%-4s %-21s %-21s %6llds  ", S(o, "proto"), S(o, "inside"),
		       S(o, "outside"), I(o, "idle_s"));
		for (size_t j = 0; j < json_object_array_length(permits); j++)
			printf("%s%s", j ? "," : "",
			       json_object_get_string(json_object_array_get_idx(permits, j)));
		printf("\n");
	}
#undef S
#undef I
}

/* The connections that ended, as hearthd counted them from the ring of
 * ends ("ended"); none without hearthd, which alone reads the ring. */
static void add_ended(struct cli *cli, struct json_object *root)
{
	struct json_object *answer = NULL, *result;
	struct hearth_err err = {};
	const char *code, *message;

	if (hearth_api_call(cli->run_dir, "nat.ended", NULL, &answer, &err))
		return;
	if (hearth_api_answer_ok(answer, &result, &code, &message))
		json_object_object_add(root, "ended", json_object_get(result));
	json_object_put(answer);
}

static int nat_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *root;
	struct hearth_dp dp;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'nat show'", argv[0]);
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	root = hearth_conns_json(&dp);
	hearth_dp_close(&dp);
	add_ended(cli, root);
	if (cli->json)
		cli_print_json(cli, root);
	else
		print_text(root);
	json_object_put(root);
	return 0;
}

static int forward_add(struct cli *cli, int argc, char **argv)
{
	struct json_object *args;
	struct in_addr addr;
	bool replace = argc == 4 && !strcmp(argv[3], "replace");
	__u16 port;

	if (argc != 3 && !replace)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "usage: hearth nat forward add { tcp | udp } WANPORT ADDR:PORT [replace]");
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
	json_object_object_add(args, "replace", json_object_new_boolean(replace));
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
