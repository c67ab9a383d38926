// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth status */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/api.h"
#include "../lib/status_show.h"

/* "export:    ipfix 192.0.2.1:4739 udp: 10 records in 2 messages, 0 dropped, 0 errors" */
static void print_export(struct json_object *x)
{
	struct json_object *list = json_object_object_get(x, "ipfix");
	struct json_object *log = json_object_object_get(x, "log");
	const char *lead = "export:   ";

#define S(o, k) json_object_get_string(json_object_object_get(o, k))
#define I(o, k) (long long)json_object_get_int64(json_object_object_get(o, k))
	if (!x) {
		printf("export:    not known (hearthd is not running)\n");
		return;
	}
	for (size_t i = 0; i < json_object_array_length(list); i++, lead = "          ") {
		struct json_object *c = json_object_array_get_idx(list, i);

		printf("%s ipfix %s %s: %lld records in %lld messages, %lld records dropped, %lld errors%s%s\n",
		       lead, S(c, "collector"), S(c, "transport"), I(c, "records"), I(c, "messages"),
		       I(c, "dropped_records"), I(c, "errors"), *S(c, "last_error") ? ", last: " : "",
		       S(c, "last_error"));
	}
	if (log) {
		printf("%s log %s: %lld lines%s%s\n", lead, S(log, "path"), I(log, "lines"),
		       json_object_get_boolean(json_object_object_get(log, "running")) ? "" :
											 ", stopped: ",
		       S(log, "error"));
		lead = "          ";
	}
	if (*lead == 'e')
		printf("export:    none (no 'export ipfix' or 'export log' in the configuration)\n");
	else
		printf("           %lld flow records, observation domain %lld, active timeout %llds\n",
		       I(x, "records"), I(x, "observation_domain"), I(x, "active_timeout_s"));
#undef S
#undef I
}

/* What hearthd exports (its own counts: none without it). */
static void add_export(struct cli *cli, struct json_object *root)
{
	struct json_object *answer = NULL, *result;
	struct hearth_err err = {};
	const char *code, *message;

	if (hearth_api_call(cli->run_dir, "export.show", NULL, &answer, &err))
		return;
	if (hearth_api_answer_ok(answer, &result, &code, &message))
		json_object_object_add(root, "export", json_object_get(result));
	json_object_put(answer);
}

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
	print_export(json_object_object_get(root, "export"));
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
	add_export(cli, root);
	if (cli->json)
		cli_print_json(cli, root);
	else
		print_text(root);
	json_object_put(root);
	hearth_dp_close(&dp);
	return 0;
}
