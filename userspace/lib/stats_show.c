// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Per-interface counters by reason (`hearth stats -j`, the API's
 * stats.list), summed over the CPUs. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include <json-c/json.h>

#include "config.h"
#include "counters.h"
#include "dpstats.h"
#include "ifaces.h"
#include "stats_show.h"

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

int hearth_stats_json(struct hearth_dp *dp, const char *dev, struct json_object **out)
{
	struct json_object *list = json_object_new_array(), *root;
	struct slot_stats s;
	int shown = 0, err = 0;

	for (__u32 slot = 0; slot < HEARTH_MAX_IFACES && !err; slot++) {
		if (!load_slot(dp, slot, dev, &s, &err))
			continue;
		shown++;
		json_object_array_add(list, slot_json(&s));
	}
	if (err || (dev && !shown)) {
		json_object_put(list);
		return err ?: -ENODEV;
	}
	root = json_object_new_object();
	json_object_object_add(root, "interfaces", list);
	*out = root;
	return 0;
}
