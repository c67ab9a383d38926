// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth tenant add|set|del|show: tenants, their rates and their meters. */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lib/ifaces.h"
#include "lib/shaper.h"
#include "lib/tenant.h"

#define TENANT_USAGE                                                                  \
	"usage: hearth tenant { add | set } NAME [id N] [prio 1-7]\n"                 \
	"         [up [rate RATE] [ceil RATE] [burst SIZE]] [down [rate RATE] [ceil RATE] [burst SIZE]]\n" \
	"         [iface DEV]... [prefix ADDR/LEN]... [mac MAC]...\n"                  \
	"       hearth tenant del NAME\n"                                              \
	"       hearth tenant show [NAME]"

static const char *const dir_names[HEARTH_DIR_MAX] = { "up", "down" };
static const char *const drop_names[HEARTH_TDROP_MAX] = { "ceiling", "squeezed", "link-full" };

/* The shaper follows the maps: rebuilt from them after every change. */
static int shaper_follow(struct cli *cli, struct hearth_dp *dp)
{
	struct hearth_err err = {};

	if (hearth_shaper_follow(dp, &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	return 0;
}

static int tenant_put(struct cli *cli, int argc, char **argv, bool create)
{
	struct hearth_tenant_spec spec;
	struct hearth_link_cfg link;
	struct hearth_err err = {};
	struct hearth_dp dp;
	char msg[256];
	int ret;

	if (argc < 1)
		return cli_error(cli, CLI_EXIT_USAGE, "%s", TENANT_USAGE);
	if (!hearth_tenant_name_ok(argv[0]))
		return cli_error(cli, CLI_EXIT_USAGE,
				 "bad tenant name '%s' (letters, digits, '-', '_', '.'; at most 31)",
				 argv[0]);
	hearth_tenant_spec_init(&spec, argv[0]);
	if (hearth_tenant_spec_parse(&spec, argc - 1, argv + 1, msg, sizeof(msg)))
		return cli_error(cli, CLI_EXIT_USAGE, "%s", msg);
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	if (!hearth_link_get(&dp, &link) &&
	    hearth_tenant_spec_check(&spec, link.capacity, msg, sizeof(msg))) {
		hearth_dp_close(&dp);
		return cli_error(cli, CLI_EXIT_FAIL, "%s", msg);
	}
	ret = hearth_tenant_put(&dp, &spec, HEARTH_TENANT_RUNTIME, create, &err);
	if (ret < 0)
		ret = cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	else
		ret = shaper_follow(cli, &dp);
	hearth_dp_close(&dp);
	return ret;
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
	struct hearth_err err = {};
	struct hearth_dp dp;
	int ret;

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth tenant del NAME");
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	ret = hearth_tenant_del(&dp, argv[0], &err);
	if (ret)
		ret = cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	else
		ret = shaper_follow(cli, &dp);
	hearth_dp_close(&dp);
	return ret;
}

static struct json_object *matches_json(struct hearth_dp *dp, __u32 id)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ifs = json_object_new_array(), *pfx = json_object_new_array(),
			   *macs = json_object_new_array();
	struct hearth_tenant_matches m;
	char buf[INET6_ADDRSTRLEN + 8];

	hearth_tenant_matches(dp, id, &m);
	for (int i = 0; i < m.n_ifaces; i++) {
		struct hearth_iface iface;

		if (!hearth_dp_iface_get(dp, m.slots[i], &iface))
			json_object_array_add(ifs, json_object_new_string(iface.name));
	}
	for (int i = 0; i < m.n_prefixes; i++) {
		const struct hearth_prefix *p = &m.prefixes[i];
		size_t n;

		inet_ntop(p->family, &p->addr, buf, sizeof(buf));
		n = strlen(buf);
		snprintf(buf + n, sizeof(buf) - n, "/%u", p->len);
		json_object_array_add(pfx, json_object_new_string(buf));
	}
	for (int i = 0; i < m.n_macs; i++)
		json_object_array_add(macs, json_object_new_string(cli_mac(m.macs[i], buf, sizeof(buf))));
	json_object_object_add(o, "iface", ifs);
	json_object_object_add(o, "prefix", pfx);
	json_object_object_add(o, "mac", macs);
	return o;
}

static struct json_object *dir_json(struct hearth_dp *dp, const struct hearth_tenant *t,
				    __u32 id, int d, const struct hearth_link_cfg *link,
				    __u64 others)
{
	struct json_object *o = json_object_new_object(), *drops = json_object_new_object();
	struct hearth_tenant_counters c;
	struct hearth_shaper_stats sh;
	struct hearth_iface wan;
	struct hearth_rate_eff eff;

	hearth_tenant_effective(&t->dir[d], id, link->capacity[d], others, &eff);
	json_object_object_add(o, "rate", json_object_new_uint64(eff.rate));
	json_object_object_add(o, "ceil", json_object_new_uint64(eff.ceil));
	json_object_object_add(o, "burst", json_object_new_uint64(eff.burst));
	hearth_tenant_counters(dp, id, d, &c);
	json_object_object_add(o, "packets", json_object_new_uint64(c.packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c.bytes));
	if (d == HEARTH_DIR_DOWN) {
		for (int r = 0; r < HEARTH_TDROP_MAX; r++)
			json_object_object_add(drops, drop_names[r], json_object_new_uint64(c.drops[r]));
		json_object_object_add(o, "drop_bytes", json_object_new_uint64(c.drop_bytes));
	} else if (link->shape_up && !hearth_dp_iface_get(dp, link->wan_slot, &wan) &&
		   !hearth_shaper_class_stats(wan.ifindex, id, &sh)) {
		/* the HTB class: what it sent, and what its full queue dropped */
		json_object_object_add(drops, "queue-full", json_object_new_uint64(sh.drops));
		json_object_object_add(o, "sent_packets", json_object_new_uint64(sh.packets));
		json_object_object_add(o, "sent_bytes", json_object_new_uint64(sh.bytes));
		json_object_object_add(o, "backlog", json_object_new_uint64(sh.backlog));
	}
	json_object_object_add(o, "drops", drops);
	return o;
}

static struct json_object *tenant_json(struct hearth_dp *dp, const struct hearth_tenant *t,
				       __u32 id, const struct hearth_link_cfg *link,
				       const __u64 *others)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_int((int)id));
	json_object_object_add(o, "name", json_object_new_string(t->name));
	json_object_object_add(o, "prio", json_object_new_int(t->prio));
	json_object_object_add(o, "origin", json_object_new_string(
		t->origin == HEARTH_TENANT_RUNTIME ? "runtime" : "config"));
	json_object_object_add(o, "match", matches_json(dp, id));
	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		json_object_object_add(o, dir_names[d], dir_json(dp, t, id, d, link, others[d]));
	return o;
}

static const char *rate_text(struct json_object *dir, const char *key, char *buf, size_t size)
{
	__u64 bps = json_object_get_uint64(json_object_object_get(dir, key));

	return bps ? hearth_rate_format(bps, buf, size) : "-";
}

static void print_tenant(struct json_object *t)
{
	struct json_object *match = json_object_object_get(t, "match");
	char a[32], b[32];

	printf("%d: %s  prio %d  (%s)\n", json_object_get_int(json_object_object_get(t, "id")),
	       json_object_get_string(json_object_object_get(t, "name")),
	       json_object_get_int(json_object_object_get(t, "prio")),
	       json_object_get_string(json_object_object_get(t, "origin")));
	json_object_object_foreach(match, kind, list) {
		for (size_t i = 0; i < json_object_array_length(list); i++)
			printf("    match %s %s\n", kind,
			       json_object_get_string(json_object_array_get_idx(list, i)));
	}
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		struct json_object *dir = json_object_object_get(t, dir_names[d]);
		struct json_object *drops = json_object_object_get(dir, "drops");

		printf("    %-4s rate %-9s ceil %-9s  %llu packets %llu bytes",
		       dir_names[d], rate_text(dir, "rate", a, sizeof(a)),
		       rate_text(dir, "ceil", b, sizeof(b)),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(dir, "packets")),
		       (unsigned long long)json_object_get_uint64(json_object_object_get(dir, "bytes")));
		json_object_object_foreach(drops, reason, n)
			if (json_object_get_uint64(n))
				printf("  %s %llu", reason,
				       (unsigned long long)json_object_get_uint64(n));
		printf("\n");
	}
}

static int tenant_show(struct cli *cli, int argc, char **argv)
{
	struct json_object *root, *list, *cap;
	__u64 others[HEARTH_DIR_MAX];
	struct hearth_link_cfg link = {};
	struct hearth_tenant t;
	struct hearth_dp dp;
	int ret, found = 0;

	if (argc > 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth tenant show [NAME]");
	ret = cli_open_dp(cli, &dp);
	if (ret)
		return ret;
	hearth_link_get(&dp, &link);
	hearth_tenants_guaranteed(&dp, HEARTH_TENANT_HOME, others);
	root = json_object_new_object();
	cap = json_object_new_object();
	list = json_object_new_array();
	for (int d = 0; d < HEARTH_DIR_MAX; d++)
		json_object_object_add(cap, dir_names[d], json_object_new_uint64(link.capacity[d]));
	json_object_object_add(root, "capacity", cap);
	json_object_object_add(root, "tenants", list);
	for (__u32 id = 0; id < HEARTH_MAX_TENANTS; id++) {
		if (hearth_tenant_get(&dp, id, &t) || (argc && strcmp(t.name, argv[0])))
			continue;
		json_object_array_add(list, tenant_json(&dp, &t, id, &link, others));
		found++;
	}
	hearth_dp_close(&dp);
	if (argc && !found) {
		json_object_put(root);
		return cli_error(cli, CLI_EXIT_FAIL, "no tenant '%s'", argv[0]);
	}
	if (cli->json) {
		cli_print_json(cli, argc ? json_object_array_get_idx(list, 0) : root);
	} else {
		char a[32], b[32];

		if (!argc)
			printf("WAN capacity: up %s, down %s\n",
			       link.capacity[0] ? hearth_rate_format(link.capacity[0], a, sizeof(a)) : "not set",
			       link.capacity[1] ? hearth_rate_format(link.capacity[1], b, sizeof(b)) : "not set");
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
