// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth tenant add|set|del|show: tenants, their rates and their meters. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/tenant.h"
#include "../lib/tenant_json.h"
#include "../lib/tenant_show.h"

#define TENANT_USAGE                                                                  \
	"usage: hearth tenant { add | set } NAME [id N] [prio 1-7] [host-share PERCENT]\n" \
	"         [up [rate RATE] [ceil RATE] [burst SIZE]] [down [rate RATE] [ceil RATE] [burst SIZE]]\n" \
	"         [iface DEV]... [prefix ADDR/LEN]... [mac MAC]...\n"                  \
	"       hearth tenant del NAME\n"                                              \
	"       hearth tenant show [NAME]"

static const char *const dir_names[HEARTH_DIR_MAX] = { "up", "down" };

/* Words are checked here (a bad one is a usage error, exit 2); hearthd
 * checks the rest against the gateway and applies it. */
static int tenant_put(struct cli *cli, int argc, char **argv, bool create)
{
	struct hearth_tenant_spec spec;
	char msg[256];

	if (argc < 1)
		return cli_error(cli, CLI_EXIT_USAGE, "%s", TENANT_USAGE);
	if (!hearth_tenant_name_ok(argv[0]))
		return cli_error(cli, CLI_EXIT_USAGE,
				 "bad tenant name '%s' (letters, digits, '-', '_', '.'; at most 31)",
				 argv[0]);
	hearth_tenant_spec_init(&spec, argv[0]);
	if (hearth_tenant_spec_parse(&spec, argc - 1, argv + 1, msg, sizeof(msg)))
		return cli_error(cli, CLI_EXIT_USAGE, "%s", msg);
	return cli_call(cli, create ? "tenant.add" : "tenant.set", hearth_tenant_spec_json(&spec),
			NULL);
}

static int tenant_add(struct cli *cli, int argc, char **argv)
{
	return tenant_put(cli, argc, argv, true);
}

static int tenant_set(struct cli *cli, int argc, char **argv)
{
	return tenant_put(cli, argc, argv, false);
}

static int tenant_del(struct cli *cli, int argc, char **argv)
{
	struct json_object *args;

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth tenant del NAME");
	args = json_object_new_object();
	json_object_object_add(args, "name", json_object_new_string(argv[0]));
	return cli_call(cli, "tenant.del", args, NULL);
}

static const char *rate_text(struct json_object *dir, const char *key, char *buf, size_t size,
			     const char *none)
{
	__u64 bps = json_object_get_uint64(json_object_object_get(dir, key));

	return bps ? hearth_rate_format(bps, buf, size) : none;
}

/* "    rtt  wan 21.3 ms mean, 25 median (120 samples); home 5.1 ms ..." */
static void print_rtt(struct json_object *rtt)
{
	const char *sep = "    rtt ";

	json_object_object_foreach(rtt, where, w) {
		printf("%s %s %.1f ms mean, %.1f median (%llu samples)", sep, where,
		       json_object_get_double(json_object_object_get(w, "mean_ms")),
		       json_object_get_double(json_object_object_get(w, "median_ms")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(w, "samples")));
		sep = ";";
	}
	if (*sep == ';')
		printf("\n");
}

static void print_tenant(struct json_object *t)
{
	struct json_object *match = json_object_object_get(t, "match");
	struct json_object *share = json_object_object_get(t, "host_share");
	char a[32], b[32];

	printf("%d: %s  prio %d", json_object_get_int(json_object_object_get(t, "id")),
	       json_object_get_string(json_object_object_get(t, "name")),
	       json_object_get_int(json_object_object_get(t, "prio")));
	if (share)
		printf("  host-share %d%%", json_object_get_int(share));
	printf("  (%s)\n", json_object_get_string(json_object_object_get(t, "origin")));
	json_object_object_foreach(match, kind, list) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			printf("    match %s %s\n", kind,
			       json_object_get_string(json_object_array_get_idx(list, i)));
	}
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		struct json_object *dir = json_object_object_get(t, dir_names[d]);
		struct json_object *drops = json_object_object_get(dir, "drops");

		printf("    %-4s rate %-9s ceil %-9s  %llu packets %llu bytes",
		       dir_names[d], rate_text(dir, "rate", a, sizeof(a), "-"),
		       rate_text(dir, "ceil", b, sizeof(b), "-"),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(dir, "packets")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(dir, "bytes")));
		json_object_object_foreach(drops, reason, n)
			if (json_object_get_uint64(n))
				printf("  %s %llu", reason,
				       (unsigned long long)json_object_get_uint64(n));
		printf("\n");
	}
	print_rtt(json_object_object_get(t, "rtt"));
}

static int tenant_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *root, *list, *cap;
	struct hearth_dp dp;
	char a[32], b[32];
	int ret;

	if (argc > 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth tenant show [NAME]");
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	root = hearth_tenants_json(&dp, argc ? argv[0] : NULL);
	hearth_dp_close(&dp);
	if (!root)
		return cli_error(cli, CLI_EXIT_FAIL, "no tenant '%s'", argv[0]);
	if (cli->json) {
		cli_print_json(cli, root);
	} else if (argc) {
		print_tenant(root);
	} else {
		cap = json_object_object_get(root, "capacity");
		list = json_object_object_get(root, "tenants");
		printf("WAN capacity: up %s, down %s\n", rate_text(cap, "up", a, sizeof(a), "not set"),
		       rate_text(cap, "down", b, sizeof(b), "not set"));
		for (size_t i = 0; i < json_object_array_length(list); i++)
			print_tenant(json_object_array_get_idx(list, i));
	}
	json_object_put(root);
	return 0;
}

int cmd_tenant(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "show", tenant_show },
		{ "add", tenant_add },
		{ "set", tenant_set },
		{ "del", tenant_del },
		{},
	};

	return cli_dispatch(cli, "tenant", cmds, "show", argc, argv);
}
