// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Tenants as the API and the state file write them: JSON and back, and
 * the same refusals as the CLI's words; the API's error codes. */
#include <errno.h>

#include <json-c/json.h>

#include "../lib/test.h"
#include "../../userspace/lib/api.h"
#include "../../userspace/lib/tenant.h"
#include "../../userspace/lib/tenant_json.h"

static int from_text(const char *text, struct hearth_tenant_spec *spec, struct hearth_err *err)
{
	struct json_object *o = json_tokener_parse(text);
	int ret = hearth_tenant_spec_from_json(o, spec, err);

	json_object_put(o);
	return ret;
}

TEST(tenant_json_round_trip)
{
	struct hearth_tenant_spec spec, back;
	struct hearth_err err = {};
	char *words[] = { "prio", "2", "down", "rate", "2mbit", "ceil", "8mbit", "up", "burst",
			  "32k", "prefix", "192.168.1.11/32", "mac", "02:00:00:00:00:0b",
			  "iface", "lan0" };
	struct json_object *o;
	char msg[256];

	hearth_tenant_spec_init(&spec, "guest");
	if (!ASSERT_OK(hearth_tenant_spec_parse(&spec, 16, words, msg, sizeof(msg)), msg))
		return;
	o = hearth_tenant_spec_json(&spec);
	ASSERT_OK(hearth_tenant_spec_from_json(o, &back, &err), err.msg);
	json_object_put(o);
	ASSERT_STREQ(back.name, "guest", "name");
	ASSERT_EQ(back.prio, 2, "prio");
	ASSERT_EQ(back.dir[HEARTH_DIR_DOWN].rate, 2000000ull, "down rate");
	ASSERT_EQ(back.dir[HEARTH_DIR_DOWN].ceil, 8000000ull, "down ceil");
	ASSERT_EQ(back.dir[HEARTH_DIR_DOWN].given, HEARTH_FIELD_RATE | HEARTH_FIELD_CEIL,
		  "down: only rate and ceil given");
	ASSERT_EQ(back.dir[HEARTH_DIR_UP].burst, 32768u, "up burst");
	ASSERT_EQ(back.dir[HEARTH_DIR_UP].given, HEARTH_FIELD_BURST, "up: only burst given");
	ASSERT_TRUE(back.matches_given, "rules given");
	ASSERT_EQ(back.n_prefixes, 1, "one prefix");
	ASSERT_EQ(back.n_macs, 1, "one mac");
	ASSERT_MEMEQ(back.macs[0], spec.macs[0], 6, "the mac");
	ASSERT_EQ(back.n_ifaces, 1, "one interface");
	ASSERT_STREQ(back.ifaces[0], "lan0", "the interface");
}

TEST(tenant_json_values)
{
	struct hearth_tenant_spec spec;
	struct hearth_err err = {};

	ASSERT_OK(from_text("{\"name\": \"g\", \"down\": {\"ceil\": \"20mbit\", \"rate\": 1000000}}",
			    &spec, &err), err.msg);
	ASSERT_EQ(spec.dir[HEARTH_DIR_DOWN].ceil, 20000000ull, "a rate as the CLI writes it");
	ASSERT_EQ(spec.dir[HEARTH_DIR_DOWN].rate, 1000000ull, "a rate in bits/s");
	ASSERT_TRUE(!spec.matches_given, "no match: the rules stay");
	ASSERT_OK(from_text("{\"name\": \"g\", \"match\": {}}", &spec, &err), err.msg);
	ASSERT_TRUE(spec.matches_given && !spec.n_prefixes, "an empty match clears the rules");
}

TEST(tenant_json_refusals)
{
	static const struct {
		const char *json, *says;
	} cases[] = {
		{ "[1]", "a tenant is a JSON object" },
		{ "{\"prio\": 2}", "needs a \"name\"" },
		{ "{\"name\": \"../x\"}", "bad tenant name '../x'" },
		/* the words parser's own sentences */
		{ "{\"name\": \"g\", \"down\": {\"rate\": \"lots\"}}", "bad down rate 'lots'" },
		{ "{\"name\": \"g\", \"prio\": 9}", "prio is 1 (first to borrow) to 7, not '9'" },
		{ "{\"name\": \"g\", \"prio\": -1}", "prio: want a number or a string" },
		{ "{\"name\": \"g\", \"up\": {}}", "up: give rate, ceil or burst" },
		{ "{\"name\": \"g\", \"up\": {\"speed\": 1}}", "up: unknown field 'speed'" },
		{ "{\"name\": \"g\", \"colour\": 1}", "unknown tenant field 'colour'" },
		{ "{\"name\": \"g\", \"match\": {\"vlan\": [1]}}", "match: unknown kind 'vlan'" },
		{ "{\"name\": \"g\", \"match\": {\"prefix\": \"10.0.0.0/8\"}}", "match.prefix: want a list" },
	};
	struct hearth_tenant_spec spec;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct hearth_err err = {};

		ASSERT_EQ(from_text(cases[i].json, &spec, &err), -EINVAL, cases[i].json);
		ASSERT_STRHAS(err.msg, cases[i].says, cases[i].json);
	}
}

TEST(api_codes)
{
	struct json_object *a = hearth_api_error(hearth_api_code_of(-ENOENT), "no tenant '%s'", "x");
	struct json_object *result;
	const char *code, *message;

	ASSERT_TRUE(!hearth_api_answer_ok(a, &result, &code, &message), "an error answer");
	ASSERT_STREQ(code, "not-found", "-ENOENT is not-found");
	ASSERT_STREQ(message, "no tenant 'x'", "the message");
	json_object_put(a);
	ASSERT_STREQ(hearth_api_code_name(hearth_api_code_of(-EEXIST)), "exists", "-EEXIST");
	ASSERT_STREQ(hearth_api_code_name(hearth_api_code_of(-EADDRINUSE)), "conflict", "-EADDRINUSE");
	ASSERT_STREQ(hearth_api_code_name(hearth_api_code_of(-EINVAL)), "invalid", "-EINVAL");
	ASSERT_STREQ(hearth_api_code_name(hearth_api_code_of(-EIO)), "failed", "anything else");
	a = hearth_api_ok(json_object_new_int(7));
	ASSERT_TRUE(hearth_api_answer_ok(a, &result, &code, &message) &&
			    json_object_get_int(result) == 7, "an ok answer carries its result");
	json_object_put(a);
}
