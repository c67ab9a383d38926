// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* status.show, stats.list, fib.list, nat.list, export.show: what the CLI's reading
 * commands show, from the same builders, for scripts and a web page. */
#include <errno.h>
#include <string.h>

#include "../lib/fib_show.h"
#include "../lib/nat_show.h"
#include "../lib/stats_show.h"
#include "../lib/status_show.h"
#include "verbs.h"

static struct json_object *status_show(struct daemon *d, struct json_object *args)
{
	struct json_object *o = hearth_status_json(&d->dp, d->cfg.run_dir);

	(void)args;
	if (!o)
		return hearth_api_error(HEARTH_API_FAILED, "cannot read the data plane state");
	return hearth_api_ok(o);
}

static struct json_object *stats_list(struct daemon *d, struct json_object *args)
{
	const char *dev = arg_string(args, "dev");
	struct json_object *o;
	int ret = hearth_stats_json(&d->dp, dev, &o);

	if (ret == -ENODEV)
		return hearth_api_error(HEARTH_API_NOT_FOUND, "'%s' is not a hearth interface", dev);
	if (ret)
		return hearth_api_error(HEARTH_API_FAILED, "cannot read counters: %s", strerror(-ret));
	return hearth_api_ok(o);
}

static struct json_object *fib_list(struct daemon *d, struct json_object *args)
{
	(void)args;
	return hearth_api_ok(hearth_fib_json(&d->dp));
}

static struct json_object *nat_list(struct daemon *d, struct json_object *args)
{
	struct json_object *root = hearth_conns_json(&d->dp);

	(void)args;
	hearth_ct_ends_drain(&d->ends);
	json_object_object_add(root, "ended", hearth_ct_ends_json(&d->ends));
	return hearth_api_ok(root);
}

/* What hearthd has read of the ring of ended connections. */
static struct json_object *nat_ended(struct daemon *d, struct json_object *args)
{
	(void)args;
	hearth_ct_ends_drain(&d->ends);
	return hearth_api_ok(hearth_ct_ends_json(&d->ends));
}

/* The flow exporters and their counts (flows.h). */
static struct json_object *export_show(struct daemon *d, struct json_object *args)
{
	(void)args;
	return hearth_api_ok(flows_json(d));
}

const struct verb show_verbs[] = {
	{ "export.show", export_show },
	{ "status.show", status_show },
	{ "stats.list", stats_list },
	{ "fib.list", fib_list },
	{ "nat.list", nat_list },
	{ "nat.ended", nat_ended },
	{},
};
