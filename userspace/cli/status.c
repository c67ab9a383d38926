// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth status */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/status_show.h"

static void print_text(struct json_object *root)
{
	struct json_object *d = json_object_object_get(root, "daemon");
	struct json_object *p = json_object_object_get(root, "program");
	struct json_object *f = json_object_object_get(root, "fib_cache");
	struct json_object *ifaces = json_object_object_get(root, "interfaces");
	struct json_object *n;
	struct json_object *pid = json_object_object_get(d, "pid");

#define S(o, k) json_object_get_string(json_object_object_get(o, k))
#define I(o, k) json_object_get_int64(json_object_object_get(o, k))
	if (pid)
		printf("daemon:    running (pid %lld)\n", (long long)json_object_get_int64(pid));
	else
		printf("daemon:    not running (data plane keeps forwarding)\n");
	printf("pin dir:   %s\n", S(root, "pin_dir"));
	printf("privacy:   %s\n", !strcmp(S(root, "privacy"), "raw") ?
		       "raw: exports carry home addresses as they are (privacy raw)" :
		       "home addresses anonymized in every export");
	printf("program:   %s id %lld\n", S(p, "name"), (long long)I(p, "id"));
	printf("fib cache: %s, %lld/%lld entries, generation %lld\n",
	       json_object_get_boolean(json_object_object_get(f, "enabled")) ? "on" : "off",
	       (long long)I(f, "entries"), (long long)I(f, "capacity"),
	       (long long)I(f, "generation"));
	n = json_object_object_get(root, "nat");
	if (json_object_get_boolean(json_object_object_get(n, "masquerade")))
		printf("nat:       masquerade to %s, ports %lld-%lld, %s filtering, %lld/%lld conntrack entries, %lld forwards\n",
		       *S(n, "address") ? S(n, "address") : "(no WAN address yet)",
		       (long long)I(n, "port_min"), (long long)I(n, "port_max"), S(n, "filtering"),
		       (long long)I(n, "entries"), (long long)I(n, "capacity"),
		       (long long)I(n, "forwards"));
	else
		printf("nat:       off\n");
	printf("%-16s %-4s %4s %7s %-17s %5s %-8s %6s\n", "interface", "role",
	       "slot", "ifindex", "mac", "mtu", "xdp", "link");
	for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
		struct json_object *o = json_object_array_get_idx(ifaces, i);

		printf("%-16s %-4s %4lld %7lld %-17s %5lld %-8s %6lld\n",
		       S(o, "name"), S(o, "role"), (long long)I(o, "slot"),
		       (long long)I(o, "ifindex"), S(o, "mac"), (long long)I(o, "mtu"),
		       S(o, "mode"), (long long)I(o, "link_id"));
	}
#undef S
#undef I
}

int cmd_status(struct cli *cli, int argc, char **argv)
{
	struct json_object *root;
	struct hearth_dp dp;
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "'status' takes no arguments, got '%s'", argv[0]);
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	root = hearth_status_json(&dp, cli->run_dir);
	if (!root) {
		hearth_dp_close(&dp);
		return cli_error(cli, CLI_EXIT_FAIL, "cannot read the data plane state");
	}
	if (cli->json)
		cli_print_json(cli, root);
	else
		print_text(root);
	json_object_put(root);
	hearth_dp_close(&dp);
	return 0;
}
