// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* A tenant's settings as words (config file, `hearth tenant`, chutes):
 * parsed into a spec and checked, before anything touches the maps. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tenant_spec.h"

bool hearth_tenant_name_ok(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= HEARTH_TENANT_NAMSIZ || name[0] == '.' ||
	    name[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)name[i]) && !strchr("-_.", name[i]))
			return false;
	return true;
}

void hearth_tenant_spec_init(struct hearth_tenant_spec *spec, const char *name)
{
	memset(spec, 0, sizeof(*spec));
	snprintf(spec->name, sizeof(spec->name), "%s", name);
	spec->id = -1;
	spec->prio = -1;
	spec->host_share = -1;
}

/* up|down rate R ceil C [burst B], starting at argv[0] = "up"|"down" */
static int parse_dir(struct hearth_tenant_spec *spec, int argc, char **argv,
		     int *used, char *msg, size_t size)
{
	enum hearth_dir dir = !strcmp(argv[0], "up") ? HEARTH_DIR_UP : HEARTH_DIR_DOWN;
	struct hearth_tenant_dir_spec *d = &spec->dir[dir];
	int i = 1;

	while (i + 1 < argc && (!strcmp(argv[i], "rate") || !strcmp(argv[i], "ceil") ||
				!strcmp(argv[i], "burst"))) {
		int ret = !strcmp(argv[i], "rate") ? hearth_rate_parse(argv[i + 1], &d->rate) :
			  !strcmp(argv[i], "ceil") ? hearth_rate_parse(argv[i + 1], &d->ceil) :
						     hearth_size_parse(argv[i + 1], &d->burst);

		d->given |= !strcmp(argv[i], "rate") ? HEARTH_FIELD_RATE :
			    !strcmp(argv[i], "ceil") ? HEARTH_FIELD_CEIL : HEARTH_FIELD_BURST;

		if (ret) {
			snprintf(msg, size, "bad %s %s '%s' (%s)", argv[0], argv[i],
				 argv[i + 1],
				 strcmp(argv[i], "burst") ?
					 "want a rate from 8kbit to 100gbit, e.g. 20mbit" :
					 "want bytes from 1514 to 64m, e.g. 32k");
			return -EINVAL;
		}
		i += 2;
	}
	if (i == 1) {
		snprintf(msg, size, "'%s' wants rate RATE and/or ceil RATE [burst SIZE]",
			 argv[0]);
		return -EINVAL;
	}
	*used = i;
	return 0;
}

static int parse_match(struct hearth_tenant_spec *spec, const char *what,
		       const char *arg, char *msg, size_t size)
{
	spec->matches_given = true;
	if (!strcmp(what, "iface")) {
		if (spec->n_ifaces == HEARTH_TENANT_SPEC_MATCHES)
			goto too_many;
		if (!*arg || strlen(arg) >= IF_NAMESIZE || strchr(arg, '/')) {
			snprintf(msg, size, "bad interface name '%s'", arg);
			return -EINVAL;
		}
		snprintf(spec->ifaces[spec->n_ifaces++], IF_NAMESIZE, "%s", arg);
	} else if (!strcmp(what, "prefix")) {
		if (spec->n_prefixes == HEARTH_TENANT_SPEC_MATCHES)
			goto too_many;
		if (hearth_prefix_parse(arg, &spec->prefixes[spec->n_prefixes])) {
			snprintf(msg, size, "bad prefix '%s' (want ADDRESS/LENGTH)", arg);
			return -EINVAL;
		}
		spec->n_prefixes++;
	} else {
		if (spec->n_macs == HEARTH_TENANT_SPEC_MATCHES)
			goto too_many;
		if (hearth_mac_parse(arg, spec->macs[spec->n_macs])) {
			snprintf(msg, size, "bad MAC address '%s' (want a unicast xx:xx:xx:xx:xx:xx)",
				 arg);
			return -EINVAL;
		}
		spec->n_macs++;
	}
	return 0;
too_many:
	snprintf(msg, size, "at most %d '%s' rules per tenant", HEARTH_TENANT_SPEC_MATCHES,
		 what);
	return -E2BIG;
}

static int parse_number(const char *text, long lo, long hi, int *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || end == text || v < lo || v > hi)
		return -EINVAL;
	*out = (int)v;
	return 0;
}

int hearth_tenant_spec_parse(struct hearth_tenant_spec *spec, int argc,
			     char **argv, char *msg, size_t size)
{
	for (int i = 0; i < argc;) {
		const char *w = argv[i];
		int used = 2, ret = 0;

		if (!strcmp(w, "up") || !strcmp(w, "down")) {
			ret = parse_dir(spec, argc - i, argv + i, &used, msg, size);
		} else if (i + 1 >= argc) {
			snprintf(msg, size, "unknown or incomplete tenant setting '%s'", w);
			return -EINVAL;
		} else if (!strcmp(w, "id")) {
			if (parse_number(argv[i + 1], 1, HEARTH_MAX_TENANTS - 1, &spec->id)) {
				snprintf(msg, size, "tenant id is 1 to %d, not '%s'",
					 HEARTH_MAX_TENANTS - 1, argv[i + 1]);
				ret = -EINVAL;
			}
		} else if (!strcmp(w, "prio")) {
			if (parse_number(argv[i + 1], 1, HEARTH_PRIO_MAX, &spec->prio)) {
				snprintf(msg, size, "prio is 1 (first to borrow) to %d, not '%s' (0 is the home's)",
					 HEARTH_PRIO_MAX, argv[i + 1]);
				ret = -EINVAL;
			}
		} else if (!strcmp(w, "host-share")) {
			if (parse_number(argv[i + 1], 1, 100, &spec->host_share)) {
				snprintf(msg, size, "host-share is a percentage of the connection table from 1 to 100, not '%s'",
					 argv[i + 1]);
				ret = -EINVAL;
			}
		} else if (!strcmp(w, "iface") || !strcmp(w, "prefix") || !strcmp(w, "mac")) {
			ret = parse_match(spec, w, argv[i + 1], msg, size);
		} else {
			snprintf(msg, size, "unknown tenant setting '%s'", w);
			return -EINVAL;
		}
		if (ret)
			return ret;
		i += used;
	}
	return 0;
}

int hearth_tenant_spec_check(const struct hearth_tenant_spec *spec,
			     const __u64 capacity[HEARTH_DIR_MAX], char *msg,
			     size_t size)
{
	static const char *const names[] = { "up", "down" };
	char a[32], b[32];

	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		const struct hearth_tenant_dir_spec *s = &spec->dir[d];

		if (s->rate && s->ceil && s->rate > s->ceil) {
			snprintf(msg, size, "%s rate %s is above its ceil %s", names[d],
				 hearth_rate_format(s->rate, a, sizeof(a)),
				 hearth_rate_format(s->ceil, b, sizeof(b)));
			return -EINVAL;
		}
		if (capacity[d] && (s->rate > capacity[d] || s->ceil > capacity[d])) {
			snprintf(msg, size, "%s %s %s is above the WAN capacity %s", names[d],
				 s->rate > capacity[d] ? "rate" : "ceil",
				 hearth_rate_format(s->rate > capacity[d] ? s->rate : s->ceil,
						    a, sizeof(a)),
				 hearth_rate_format(capacity[d], b, sizeof(b)));
			return -EINVAL;
		}
	}
	return 0;
}
