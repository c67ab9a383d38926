// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth config show: every setting hearthd runs with, and where it came
 * from (the file and line, the default, or a runtime change). */
#include <stdio.h>
#include <string.h>

#include "cli.h"

#define S(o, k) json_object_get_string(json_object_object_get(o, k))

static void print_list(struct json_object *r, const char *key,
		       void (*line)(struct json_object *o))
{
	struct json_object *list = json_object_object_get(r, key);

	for (size_t i = 0; i < json_object_array_length(list); i++)
		line(json_object_array_get_idx(list, i));
}

static void setting_line(struct json_object *o)
{
	printf("%-15s %-34s %s\n", S(o, "name"), S(o, "value"), S(o, "source"));
}

static void iface_line(struct json_object *o)
{
	struct json_object *pfx = json_object_object_get(o, "prefixes");
	char text[256];

	snprintf(text, sizeof(text), "%s", S(o, "name"));
	for (size_t i = 0; i < json_object_array_length(pfx); i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), " %s",
			 json_object_get_string(json_object_array_get_idx(pfx, i)));
	printf("%-15s %-34s %s\n", S(o, "role"), text, S(o, "source"));
}

static void forward_line(struct json_object *o)
{
	char what[64];

	snprintf(what, sizeof(what), "%s %d -> %s", S(o, "proto"),
		 json_object_get_int(json_object_object_get(o, "port")), S(o, "to"));
	printf("%-15s %-34s %s (%s)\n", "forward", what, S(o, "source"), S(o, "status"));
}

static void tenant_line(struct json_object *o)
{
	struct json_object *changes;

	printf("%-15s %-34s %s (%s)\n", "tenant", S(o, "name"), S(o, "source"), S(o, "status"));
	if (json_object_object_get_ex(o, "runtime_changes", &changes))
		printf("%-15s changed at run time: %s\n", "",
		       json_object_to_json_string_ext(changes, JSON_C_TO_STRING_PLAIN));
}

static int config_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *answer, *r;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "unknown argument '%s' for 'config show'",
				 argv[0]);
	ret = cli_call(cli, "config.show", NULL, &answer);
	if (ret || cli->json)
		goto cleanup;
	r = json_object_object_get(answer, "result");
	printf("# %s, runtime changes in %s\n", S(r, "file"), S(r, "state_file"));
	print_list(r, "settings", setting_line);
	print_list(r, "interfaces", iface_line);
	print_list(r, "forwards", forward_line);
	print_list(r, "tenants", tenant_line);
cleanup:
	if (!ret)
		json_object_put(answer);
	return ret;
}

int cmd_config(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", config_show },
		{},
	};

	return cli_dispatch(cli, "config", cmds, "show", argc, argv);
}
