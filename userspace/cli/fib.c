// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth fib show | flush */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/fib_show.h"

static void print_entry(struct json_object *o)
{
#define S(k) json_object_get_string(json_object_object_get(o, k))
	bool valid = json_object_get_boolean(json_object_object_get(o, "valid"));

	if (!strcmp(S("action"), "forward"))
		printf("%-39s from %-12s dev %-12s via %s mtu %s%s\n",
		       S("destination"), S("from"), S("dev"), S("dmac"), S("mtu"),
		       valid ? "" : " (stale)");
	else
		printf("%-39s from %-12s pass (%s)%s\n", S("destination"), S("from"),
		       S("reason"), valid ? "" : " (stale)");
#undef S
}

static int fib_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *list;
	struct hearth_dp dp;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'fib show'", argv[0]);
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	list = hearth_fib_json(&dp);
	hearth_dp_close(&dp);
	if (cli->json) {
		cli_print_json(cli, list);
	} else {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			print_entry(json_object_array_get_idx(list, i));
	}
	json_object_put(list);
	return 0;
}

static int fib_flush(struct cli *cli, int argc, char **argv)
{
	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'fib flush'", argv[0]);
	return cli_call(cli, "fib.flush", NULL, NULL);
}

int cmd_fib(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", fib_show },
		{ "flush", fib_flush },
		{},
	};

	return cli_dispatch(cli, "fib", cmds, "show", argc, argv);
}
