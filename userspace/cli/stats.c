// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth stats [show] [dev IFNAME] */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../lib/config.h"
#include "../lib/counters.h"
#include "../lib/dpstats.h"
#include "../lib/ifaces.h"

struct slot_stats {
	__u32 slot;
	struct hearth_iface iface; /* zeroed for slot 0 */
	struct hearth_counter c[HEARTH_CNT_MAX];
	struct hearth_counter class_total[3];
};

static struct json_object *counter_json(const struct hearth_counter *c)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "packets", json_object_new_uint64(c->packets));
	json_object_object_add(o, "bytes", json_object_new_uint64(c->bytes));
	return o;
}

static struct json_object *slot_json(const struct slot_stats *s)
{
	struct json_object *o = json_object_new_object();
	struct json_object *counters = json_object_new_object();
	struct json_object *totals = json_object_new_object();

	json_object_object_add(o, "name", json_object_new_string(s->slot ? s->iface.name : "unregistered"));
	json_object_object_add(o, "role", json_object_new_string(hearth_role_name(s->iface.role)));
	json_object_object_add(o, "slot", json_object_new_int(s->slot));
	json_object_object_add(o, "ifindex", json_object_new_int(s->iface.ifindex));
	for (int id = 0; id < HEARTH_CNT_MAX; id++) {
		struct json_object *c = counter_json(&s->c[id]);

		json_object_object_add(c, "class",
				       json_object_new_string(hearth_class_name(hearth_counter_descs[id].cls)));
		json_object_object_add(counters, hearth_counter_descs[id].name, c);
	}
	json_object_object_add(o, "counters", counters);
	for (int cls = HEARTH_CLASS_FAST; cls <= HEARTH_CLASS_DROP; cls++)
		json_object_object_add(totals, hearth_class_name(cls),
				       counter_json(&s->class_total[cls]));
	json_object_object_add(o, "totals", totals);
	return o;
}

static void print_slot(const struct slot_stats *s)
{
	static const char *const headings[] = { "fast path", "slow path", "dropped" };

	if (s->slot)
		printf("%s (%s, ifindex %u)\n", s->iface.name,
		       hearth_role_name(s->iface.role), s->iface.ifindex);
	else
		printf("unregistered interfaces\n");
	for (int cls = HEARTH_CLASS_FAST; cls <= HEARTH_CLASS_DROP; cls++)
		printf("  %-10s %12llu pkts %14llu bytes\n", headings[cls],
		       (unsigned long long)s->class_total[cls].packets,
		       (unsigned long long)s->class_total[cls].bytes);
	for (int id = 0; id < HEARTH_CNT_MAX; id++) {
		if (!s->c[id].packets)
			continue;
		printf("    %-6s %-15s %12llu pkts %14llu bytes\n",
		       hearth_class_name(hearth_counter_descs[id].cls),
		       hearth_counter_descs[id].name,
		       (unsigned long long)s->c[id].packets,
		       (unsigned long long)s->c[id].bytes);
	}
}

/* Reads a slot; returns 1 when it should be shown. */
static int load_slot(struct hearth_dp *dp, __u32 slot, const char *dev,
		     struct slot_stats *s, int *err)
{
	bool any = false;

	memset(s, 0, sizeof(*s));
	s->slot = slot;
	if (slot && hearth_dp_iface_get(dp, slot, &s->iface))
		return 0;
	if (dev && (!slot || strcmp(dev, s->iface.name)))
		return 0;
	*err = hearth_dp_stats_read(dp, slot, s->c);
	if (*err)
		return 0;
	for (int id = 0; id < HEARTH_CNT_MAX; id++) {
		enum hearth_counter_class cls = hearth_counter_descs[id].cls;

		any |= s->c[id].packets != 0;
		if (cls == HEARTH_CLASS_EGRESS)
			continue; /* totals count what arrived */
		s->class_total[cls].packets += s->c[id].packets;
		s->class_total[cls].bytes += s->c[id].bytes;
	}
	return slot || any; /* slot 0 only when something hit it */
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
	struct json_object *list = json_object_new_array();
	const char *dev = NULL;
	struct slot_stats s;
	struct hearth_dp dp;
	int ret, shown = 0, err = 0;

	ret = parse_args(cli, argc, argv, &dev);
	if (!ret)
		ret = cli_open_dp(cli, &dp);
	if (ret) {
		json_object_put(list);
		return ret;
	}
	for (__u32 slot = 0; slot < HEARTH_MAX_IFACES && !err; slot++) {
		if (!load_slot(&dp, slot, dev, &s, &err))
			continue;
		shown++;
		if (cli->json)
			json_object_array_add(list, slot_json(&s));
		else
			print_slot(&s);
	}
	hearth_dp_close(&dp);
	if (err)
		ret = cli_error(cli, CLI_EXIT_FAIL, "cannot read counters: %s", strerror(-err));
	else if (dev && !shown)
		ret = cli_error(cli, CLI_EXIT_FAIL, "'%s' is not a hearth interface", dev);
	else if (cli->json) {
		struct json_object *root = json_object_new_object();

		json_object_object_add(root, "interfaces", json_object_get(list));
		cli_print_json(cli, root);
		json_object_put(root);
	}
	json_object_put(list);
	return ret;
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
