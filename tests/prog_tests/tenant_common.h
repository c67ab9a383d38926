/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* Tenants written in the program tests as hearthd and the CLI write them:
 * words parsed into a spec, then the library call. */
#ifndef HEARTH_TENANT_COMMON_H
#define HEARTH_TENANT_COMMON_H

#include <stdio.h>
#include <string.h>

#include "../lib/test.h"
#include "../../userspace/lib/tenant.h"

/* tenant NAME WORDS...: added (@create) or changed, as `hearth tenant
 * add|set` does. Returns the tenant's id, or a negative errno. */
static inline int tenant_words(struct hearth_dp *dp, const char *name, const char *words,
			       bool create)
{
	struct hearth_tenant_spec spec;
	struct hearth_err err = {};
	char buf[256], msg[256], *argv[32];
	int argc = 0, ret;

	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok(buf, " "); w && argc < 32; w = strtok(NULL, " "))
		argv[argc++] = w;
	hearth_tenant_spec_init(&spec, name);
	if (!ASSERT_OK(hearth_tenant_spec_parse(&spec, argc, argv, msg, sizeof(msg)), msg))
		return -1;
	ret = hearth_tenant_put(dp, &spec, HEARTH_TENANT_RUNTIME, create, &err);
	ASSERT_TRUE(ret > 0, err.msg[0] ? err.msg : "tenant written");
	return ret;
}

#endif
