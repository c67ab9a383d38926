// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth firewall [show], hearth firewall allow|delete PROTO ADDR[/LEN]
 * [PORT[-PORT]]: the firewall's settings and its pinholes, through hearthd. */
#include <stdio.h>
#include <string.h>

#include "../lib/firewall_spec.h"
#include "cli.h"

static const char *S(struct json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key)) ?: "";
}

static void print_show(struct json_object *r)
{
	struct json_object *open = json_object_object_get(r, "open");
	struct json_object *list = json_object_object_get(r, "pinholes");

	printf("firewall: %s, ICMPv6 echo requests from the WAN %s\n",
	       json_object_get_boolean(json_object_object_get(r, "enabled")) ? "on" : "off",
	       json_object_get_boolean(json_object_object_get(r, "icmpv6_echo")) ? "let in" :
										   "refused");
	for (size_t i = 0; i < json_object_array_length(open); i++)
		printf("open: %s (not filtered)\n",
		       json_object_get_string(json_object_array_get_idx(open, i)));
	printf("pinholes: %zu\n", json_object_array_length(list));
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *o = json_object_array_get_idx(list, i);

		printf("  allow %-48s (%s)\n", S(o, "rule"), S(o, "origin"));
	}
}

static int firewall_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *answer;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'firewall show'",
				 argv[0]);
	ret = cli_call(cli, "firewall.show", NULL, &answer);
	if (ret)
		return ret;
	if (!cli->json)
		print_show(json_object_object_get(answer, "result"));
	json_object_put(answer);
	return 0;
}

/* The words checked here as the file's are, then sent as they are. */
static int pinhole_call(struct cli *cli, const char *verb, int argc, char **argv)
{
	struct json_object *args;
	struct hearth_pinhole ph;
	char msg[200];

	if (argc < 2 || argc > 3)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "usage: hearth %s { tcp | udp } ADDR[/LEN] [PORT[-PORT]]", verb);
	if (hearth_pinhole_parse(argc, argv, &ph, msg, sizeof(msg)))
		return cli_error(cli, CLI_EXIT_USAGE, "%s", msg);
	args = json_object_new_object();
	json_object_object_add(args, "proto", json_object_new_string(argv[0]));
	json_object_object_add(args, "addr", json_object_new_string(argv[1]));
	if (argc == 3)
		json_object_object_add(args, "ports", json_object_new_string(argv[2]));
	return cli_call(cli, verb, args, NULL);
}

static int firewall_allow(struct cli *cli, int argc, char **argv)
{
	return pinhole_call(cli, "firewall.allow", argc, argv);
}

static int firewall_delete(struct cli *cli, int argc, char **argv)
{
	return pinhole_call(cli, "firewall.delete", argc, argv);
}

int cmd_firewall(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", firewall_show },
		{ "allow", firewall_allow },
		{ "delete", firewall_delete },
		{},
	};

	return cli_dispatch(cli, "firewall", cmds, "show", argc, argv);
}
