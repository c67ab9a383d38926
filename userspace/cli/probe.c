// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearth probe: researchers' probe bundles. check judges a bundle whole
 * without loading anything (a researcher runs it at home); key and sign
 * are the researcher's side of signing; digest names what an operator
 * approves.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../lib/probe_bundle.h"
#include "cli.h"

static int bundle_open(struct cli *cli, const char *dir, struct hearth_probe_bundle *b)
{
	struct hearth_err err = {};

	if (hearth_probe_bundle_read(b, dir, &err)) {
		hearth_probe_bundle_free(b);
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	}
	return 0;
}

static void when(time_t t, char *out, size_t size)
{
	struct tm tm;

	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
}

/* {"name", "bytes", "fields": [{"name", "offset", "size", "signed", "count"}]} */
static struct json_object *record_json(const struct hearth_probe_record *r)
{
	struct json_object *o = json_object_new_object(), *fields = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(r->name));
	json_object_object_add(o, "bytes", json_object_new_uint64(r->size));
	for (int i = 0; i < r->n_fields; i++) {
		struct json_object *f = json_object_new_object();

		json_object_object_add(f, "name", json_object_new_string(r->field[i].name));
		json_object_object_add(f, "offset", json_object_new_uint64(r->field[i].offset));
		json_object_object_add(f, "size", json_object_new_uint64(r->field[i].size));
		json_object_object_add(f, "signed", json_object_new_boolean(r->field[i].is_signed));
		json_object_object_add(f, "count", json_object_new_uint64(r->field[i].count));
		json_object_array_add(fields, f);
	}
	json_object_object_add(o, "fields", fields);
	return o;
}

static struct json_object *bundle_json(const struct hearth_probe_bundle *b)
{
	const struct hearth_probe_manifest *m = &b->manifest;
	struct json_object *o = json_object_new_object(), *maps = json_object_new_array();
	char expires[32];

	when(m->expires, expires, sizeof(expires));
	json_object_object_add(o, "name", json_object_new_string(m->name));
	json_object_object_add(o, "digest", json_object_new_string(b->digest_hex));
	json_object_object_add(o, "author", json_object_new_string(m->author));
	json_object_object_add(o, "key", json_object_new_string(m->key));
	json_object_object_add(o, "signed_by", json_object_new_string(b->key_path));
	json_object_object_add(o, "purpose", json_object_new_string(m->purpose));
	json_object_object_add(o, "point", json_object_new_string(m->point));
	for (int i = 0; i < b->obj.n_maps; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "name", json_object_new_string(b->obj.map[i].name));
		json_object_object_add(e, "type", json_object_new_string(b->obj.map[i].type));
		json_object_object_add(e, "bytes", json_object_new_uint64(b->obj.map[i].bytes));
		json_object_object_add(e, "hosts_view", json_object_new_boolean(b->obj.map[i].view));
		json_object_array_add(maps, e);
	}
	json_object_object_add(o, "maps", maps);
	json_object_object_add(o, "map_bytes", json_object_new_uint64(b->obj.map_bytes));
	json_object_object_add(o, "output", json_object_new_string(m->output));
	if (m->record[0])
		json_object_object_add(o, "record", record_json(&b->record));
	json_object_object_add(o, "cpu_budget_ns", json_object_new_uint64(m->cpu_budget_ns));
	json_object_object_add(o, "expires", json_object_new_string(expires));
	return o;
}

/* What the probe asks for, in plain words. */
static void bundle_print(const struct hearth_probe_bundle *b)
{
	const struct hearth_probe_manifest *m = &b->manifest;
	char expires[32];

	when(m->expires, expires, sizeof(expires));
	printf("probe %s, by %s\n", m->name, m->author);
	printf("  for         %s\n", m->purpose);
	printf("  digest      %s\n", b->digest_hex);
	printf("  signed by   %s (key %.16s...)\n", b->key_path, m->key);
	for (int i = 0; i < b->obj.n_progs; i++)
		printf("  watches     %s, %s: %u instructions\n", b->obj.prog[i].point,
		       b->obj.prog[i].fexit ? "after it runs (fexit)" : "as it starts (fentry)",
		       b->obj.prog[i].insns);
	for (int i = 0; i < b->obj.n_maps; i++)
		if (b->obj.map[i].view)
			printf("  reads       the home hosts' addresses, as flow records show them (anonymized unless privacy raw)\n");
		else
			printf("  keeps       %s, %s of %llu bytes%s\n", b->obj.map[i].name,
			       b->obj.map[i].type, (unsigned long long)b->obj.map[i].bytes,
			       strcmp(b->obj.map[i].name, m->output) ? "" : ": its results");
	if (m->record[0]) {
		printf("  records     struct %s, %u bytes:", m->record, b->record.size);
		for (int i = 0; i < b->record.n_fields; i++)
			printf(" %s%s", b->record.field[i].name, b->record.field[i].count ? "[]" : "");
		printf("\n");
	}
	printf("  memory      %llu bytes of maps in all (budget %u)\n",
	       (unsigned long long)b->obj.map_bytes, HEARTH_PROBE_MAP_BUDGET);
	printf("  cpu         %u ns a run on average, at most\n", m->cpu_budget_ns);
	printf("  expires     %s\n", expires);
}

static int probe_check(struct cli *cli, int argc, char **argv)
{
	const char *keys = HEARTH_PROBE_KEYS_DIR;
	struct hearth_probe_bundle b;
	struct hearth_err err = {};
	int ret;

	if (argc != 1 && !(argc == 3 && !strcmp(argv[1], "key")))
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe check BUNDLE [key FILE|DIR]");
	if (argc == 3)
		keys = argv[2];
	ret = bundle_open(cli, argv[0], &b);
	if (ret)
		return ret;
	if (hearth_probe_bundle_check(&b, keys, time(NULL), HEARTH_PROBE_MAP_BUDGET, &err)) {
		ret = cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	} else if (cli->json) {
		struct json_object *o = bundle_json(&b);

		cli_print_json(cli, o);
		json_object_put(o);
	} else {
		bundle_print(&b);
		printf("%s: passes every check (nothing was loaded)\n", argv[0]);
	}
	hearth_probe_bundle_free(&b);
	return ret;
}

static int probe_sign(struct cli *cli, int argc, char **argv)
{
	struct hearth_probe_bundle b;
	struct hearth_err err = {};
	int ret;

	if (argc != 2)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe sign BUNDLE PRIVATE-KEY");
	ret = bundle_open(cli, argv[0], &b);
	if (ret)
		return ret;
	if (hearth_probe_bundle_sign(&b, argv[1], &err))
		ret = cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	else
		printf("%s: signed, digest %s\n", argv[0], b.digest_hex);
	hearth_probe_bundle_free(&b);
	return ret;
}

static int probe_digest(struct cli *cli, int argc, char **argv)
{
	struct hearth_probe_bundle b;
	int ret;

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe digest BUNDLE");
	ret = bundle_open(cli, argv[0], &b);
	if (!ret)
		printf("%s\n", b.digest_hex);
	hearth_probe_bundle_free(&b);
	return ret;
}

static int probe_key(struct cli *cli, int argc, char **argv)
{
	char fp[HEARTH_PROBE_HEX_LEN];
	struct hearth_err err = {};

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe key KEY-FILE");
	if (hearth_probe_key_fingerprint(argv[0], fp, &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	printf("%s\n", fp);
	return 0;
}

/* approve DIGEST, detach NAME, read NAME: one argument to hearthd. */
static int probe_call1(struct cli *cli, int argc, char **argv, const char *verb,
		       const char *key, const char *usage)
{
	struct json_object *args, *answer;
	int ret;

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: %s", usage);
	args = json_object_new_object();
	json_object_object_add(args, key, json_object_new_string(argv[0]));
	ret = cli_call(cli, verb, args, &answer);
	if (ret)
		return ret;
	if (!cli->json && !strcmp(verb, "probe.read")) {
		struct json_object *r = json_object_object_get(answer, "result");
		/* a map's entries, or the records its ring gave */
		struct json_object *e = json_object_object_get(r, "entries") ?:
					json_object_object_get(r, "records");

		for (size_t i = 0; i < json_object_array_length(e); i++)
			printf("%s\n", json_object_to_json_string_ext(json_object_array_get_idx(e, i),
								      JSON_C_TO_STRING_PLAIN |
								      JSON_C_TO_STRING_NOSLASHESCAPE));
	}
	json_object_put(answer);
	return 0;
}

static int probe_approve(struct cli *cli, int argc, char **argv)
{
	return probe_call1(cli, argc, argv, "probe.approve", "digest",
			   "hearth probe approve DIGEST");
}

static int probe_detach(struct cli *cli, int argc, char **argv)
{
	return probe_call1(cli, argc, argv, "probe.detach", "name", "hearth probe detach NAME");
}

static int probe_read(struct cli *cli, int argc, char **argv)
{
	return probe_call1(cli, argc, argv, "probe.read", "name", "hearth probe read NAME");
}

static int probe_attach(struct cli *cli, int argc, char **argv)
{
	struct json_object *args, *answer;
	char path[PATH_MAX];
	int ret;

	if (argc != 1)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe attach BUNDLE");
	if (!realpath(argv[0], path))
		return cli_error(cli, CLI_EXIT_FAIL, "%s: %s", argv[0], strerror(errno));
	args = json_object_new_object();
	json_object_object_add(args, "path", json_object_new_string(path));
	ret = cli_call(cli, "probe.attach", args, &answer);
	if (ret)
		return ret;
	if (!cli->json)
		printf("probe %s attached\n",
		       json_object_get_string(json_object_object_get(
			       json_object_object_get(answer, "result"), "name")));
	json_object_put(answer);
	return 0;
}

static int probe_list(struct cli *cli, int argc, char **argv)
{
	struct json_object *answer, *list;
	int ret;

	(void)argv;
	if (argc)
		return cli_error(cli, CLI_EXIT_USAGE, "usage: hearth probe list");
	ret = cli_call(cli, "probe.list", NULL, &answer);
	if (ret || cli->json)
		goto cleanup;
	list = json_object_object_get(json_object_object_get(answer, "result"), "probes");
	printf("%-20s %-17s %-9s %-17s %-21s %s\n", "name", "digest", "programs", "ns a run/budget",
	       "expires", "author");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *p = json_object_array_get_idx(list, i);
#define S(k) json_object_get_string(json_object_object_get(p, k))
		char cpu[32];

		snprintf(cpu, sizeof(cpu), "%s/%s", S("mean_ns"), S("budget_ns"));
		printf("%-20s %.16s  %-9s %-17s %-21s %s\n", S("name"), S("digest"), S("programs"),
		       cpu, S("expires"), S("author"));
#undef S
	}
cleanup:
	if (!ret)
		json_object_put(answer);
	return ret;
}

int cmd_probe(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "check", probe_check },
		{ "show", probe_check },
		{ "approve", probe_approve },
		{ "attach", probe_attach },
		{ "detach", probe_detach },
		{ "list", probe_list },
		{ "read", probe_read },
		{ "sign", probe_sign },
		{ "digest", probe_digest },
		{ "key", probe_key },
		{},
	};

	return cli_dispatch(cli, "probe", cmds, NULL, argc, argv);
}
