/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTHD_VERBS_H
#define HEARTHD_VERBS_H

/* The API's verbs, one file per object (docs/api.md lists them). */

#include <json-c/json.h>

#include "daemon.h"

struct verb {
	const char *name; /* "tenant.add" */
	struct json_object *(*run)(struct daemon *d, struct json_object *args);
};

/* Each table ends with an empty entry. */
extern const struct verb tenant_verbs[];
extern const struct verb forward_verbs[];
extern const struct verb firewall_verbs[];
extern const struct verb chute_verbs[];
extern const struct verb gateway_verbs[];
extern const struct verb show_verbs[];
extern const struct verb flow_verbs[];
extern const struct verb probe_verbs[];

/* args.KEY as a string, or NULL (missing or another type). */
const char *arg_string(struct json_object *args, const char *key);
/* An error answer for a library failure: its code from the errno. */
struct json_object *verb_fail(int neg_errno, const struct hearth_err *err);
/* Saves the state file after a change: @ok when it is kept, else an error
 * answer that says the change applies but was not kept (and puts @ok). */
struct json_object *verb_keep(struct daemon *d, struct json_object *ok);

#endif
