// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth stats [show] [dev IFNAME] */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/config.h"
#include "../lib/counters.h"
#include "../lib/stats_show.h"

static void print_slot(struct json_object *o)
{
	static const char *const headings[] = { "fast path", "slow path", "dropped" };
	struct json_object *totals = json_object_object_get(o, "totals");

#define S(o, k) json_object_get_string(json_object_object_get(o, k))
#define U(o, k) (unsigned long long)json_object_get_uint64(json_object_object_get(o, k))
	if (json_object_get_int(json_object_object_get(o, "slot")))
		printf("%s (%s, ifindex %llu)\n", S(o, "name"), S(o, "role"), U(o, "ifindex"));
	else
		printf("unregistered interfaces\n");
	for (int cls = HEARTH_CLASS_FAST; cls <= HEARTH_CLASS_DROP; cls++) {
		struct json_object *t = json_object_object_get(totals, hearth_class_name(cls));

		printf("  %-10s %12llu pkts %14llu bytes\n", headings[cls], U(t, "packets"),
		       U(t, "bytes"));
	}
	json_object_object_foreach(json_object_object_get(o, "counters"), name, c) {
		if (!U(c, "packets"))
			continue;
		printf("    %-6s %-15s %12llu pkts %14llu bytes\n", S(c, "class"), name,
		       U(c, "packets"), U(c, "bytes"));
	}
#undef S
#undef U
}

static int parse_args(struct cli *cli, int argc, char **argv, const char **dev)
{
	int i = 0;

	if (i < argc && !strcmp(argv[i], "dev")) {
		if (i + 1 >= argc)
			return cli_error(cli, CLI_EXIT_USAGE, "'dev' needs an interface name");
		*dev = argv[i + 1];
		i += 2;
	}
	if (i < argc)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "unknown argument '%s' for 'stats'", argv[i]);
	return 0;
}

static int stats_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *root = NULL, *list;
	const char *dev = NULL;
	struct hearth_dp dp;
	int ret;

	ret = parse_args(cli, argc, argv, &dev);
	if (!ret)
		ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	ret = hearth_stats_json(&dp, dev, &root);
	hearth_dp_close(&dp);
	if (ret == -ENODEV)
		return cli_error(cli, CLI_EXIT_FAIL, "'%s' is not a hearth interface", dev);
	if (ret)
		return cli_error(cli, CLI_EXIT_FAIL, "cannot read counters: %s", strerror(-ret));
	list = json_object_object_get(root, "interfaces");
	if (cli->json)
		cli_print_json(cli, root);
	else
		for (size_t i = 0; i < json_object_array_length(list); i++)
			print_slot(json_object_array_get_idx(list, i));
	json_object_put(root);
	return 0;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", stats_show },
		{},
	};

	/* `hearth stats dev IF` is short for `hearth stats show dev IF` */
	if (argc > 0 && !strcmp(argv[0], "dev"))
		return stats_show(cli, argc, argv);
	return cli_dispatch(cli, "stats", cmds, "show", argc, argv);
}
