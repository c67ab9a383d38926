// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearth chute { install | start | stop | restart | status | list | logs |
 *                update | remove }
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../sandbox/chute.h"
#include "cli.h"
#include "../lib/tenant.h"
#include "../lib/tenant_show.h"

#define CHUTE_USAGE                                                            \
	"usage: hearth chute { install NAME PATH [replace] [KEY VALUE]... | "    \
	"start NAME | stop NAME | restart NAME | status [NAME] | list | "        \
	"logs NAME [tail N] | update NAME KEY VALUE... | remove NAME }"

/* The chute dir and pool hearthd announced. */
static int chute_open(struct cli *cli, struct chute_env *env)
{
	struct hearth_err err = {};

	if (chute_env_load(env, cli->run_dir, &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	return 0;
}

static int need_name(struct cli *cli, int argc, char **argv, int max)
{
	if (argc < 1)
		return cli_error(cli, CLI_EXIT_USAGE, "%s", CHUTE_USAGE);
	if (max >= 0 && argc > max)
		return cli_error(cli, CLI_EXIT_USAGE, "unexpected '%s'; %s", argv[max],
				 CHUTE_USAGE);
	return 0;
}

/* A request naming the chute, with the CLI's settings words as pairs. */
static struct json_object *chute_args(const char *name, int argc, char **argv)
{
	struct json_object *args = json_object_new_object(), *list = json_object_new_array();

	json_object_object_add(args, "name", json_object_new_string(name));
	for (int i = 0; i + 1 < argc; i += 2) {
		struct json_object *pair = json_object_new_array();

		json_object_array_add(pair, json_object_new_string(argv[i]));
		json_object_array_add(pair, json_object_new_string(argv[i + 1]));
		json_object_array_add(list, pair);
	}
	json_object_object_add(args, "settings", list);
	return args;
}

/* Asks hearthd for one lifecycle step and reports it. */
static int lifecycle(struct cli *cli, int argc, char **argv, const char *verb, const char *done)
{
	int ret = need_name(cli, argc, argv, 1);

	if (!ret)
		ret = cli_call(cli, verb, chute_args(argv[0], 0, NULL), NULL);
	if (!ret && !cli->json)
		printf("chute %s %s\n", argv[0], done);
	return ret;
}

static int chute_cmd_start(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, "chute.start", "started");
}

static int chute_cmd_stop(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, "chute.stop", "stopped");
}

static int chute_cmd_restart(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, "chute.restart", "restarted");
}

static int chute_cmd_remove(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, "chute.remove", "removed");
}

/* hearthd runs elsewhere: PATH (a directory, or an image layout with
 * :TAG) as an absolute path. */
static int absolute_source(struct cli *cli, const char *path, char *buf, size_t size)
{
	char dir[PATH_MAX], real[PATH_MAX];
	const char *colon = strrchr(path, ':');

	if (realpath(path, real))
		return snprintf(buf, size, "%s", real) >= (int)size ?
			       cli_error(cli, CLI_EXIT_USAGE, "path '%s' is too long", path) : 0;
	if (colon && (size_t)(colon - path) < sizeof(dir)) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(colon - path), path);
		if (realpath(dir, real) && snprintf(buf, size, "%s%s", real, colon) < (int)size)
			return 0;
	}
	return cli_error(cli, CLI_EXIT_FAIL, "no such bundle or image '%s'", path);
}

static int chute_cmd_install(struct cli *cli, int argc, char **argv)
{
	struct json_object *args;
	char path[PATH_MAX];
	bool replace;
	int ret;

	if (argc < 2)
		return cli_error(cli, CLI_EXIT_USAGE, "%s", CHUTE_USAGE);
	replace = argc > 2 && !strcmp(argv[2], "replace");
	if ((argc - 2 - replace) % 2)
		return cli_error(cli, CLI_EXIT_FAIL, "setting '%s' needs a value", argv[argc - 1]);
	ret = absolute_source(cli, argv[1], path, sizeof(path));
	if (ret)
		return ret;
	args = chute_args(argv[0], argc - 2 - replace, argv + 2 + replace);
	json_object_object_add(args, "path", json_object_new_string(path));
	json_object_object_add(args, "replace", json_object_new_boolean(replace));
	ret = cli_call(cli, "chute.install", args, NULL);
	if (!ret && !cli->json)
		printf("chute %s installed\n", argv[0]);
	return ret;
}

static int chute_cmd_update(struct cli *cli, int argc, char **argv)
{
	int ret;

	if (argc < 3)
		return cli_error(cli, CLI_EXIT_USAGE, "%s", CHUTE_USAGE);
	if ((argc - 1) % 2)
		return cli_error(cli, CLI_EXIT_FAIL, "setting '%s' needs a value", argv[argc - 1]);
	ret = cli_call(cli, "chute.update", chute_args(argv[0], argc - 1, argv + 1), NULL);
	if (!ret && !cli->json)
		printf("chute %s updated\n", argv[0]);
	return ret;
}

static void print_status(struct json_object *o)
{
	struct json_object *v, *s;

	printf("%s: %s", json_object_get_string(json_object_object_get(o, "name")),
	       json_object_get_string(json_object_object_get(o, "state")));
	if (json_object_object_get_ex(o, "pid", &v))
		printf(" pid %d", json_object_get_int(v));
	if (json_object_object_get_ex(o, "address", &v))
		printf(" address %s", json_object_get_string(v));
	printf(" restarts %d", json_object_get_int(json_object_object_get(o, "restarts")));
	if (json_object_object_get_ex(o, "last_exit", &v))
		printf(" last-exit \"%s\"", json_object_get_string(v));
	if (json_object_object_get_ex(o, "id_base", &v))
		printf(" ids %lld+65536", (long long)json_object_get_int64(v));
	if (json_object_object_get_ex(o, "cpu_seconds", &v))
		printf(" used %.2f s cpu, %lld bytes memory", json_object_get_double(v),
		       (long long)json_object_get_int64(json_object_object_get(o, "memory_bytes")));
	s = json_object_object_get(o, "settings");
	printf("\n  cpus %.3g memory %lld pids %d priority %d restart %s rootfs %s\n",
	       json_object_get_double(json_object_object_get(s, "cpus")),
	       (long long)json_object_get_int64(json_object_object_get(s, "memory")),
	       json_object_get_int(json_object_object_get(s, "pids")),
	       json_object_get_int(json_object_object_get(s, "priority")),
	       json_object_get_string(json_object_object_get(s, "restart")),
	       json_object_get_string(json_object_object_get(s, "rootfs")));
	v = json_object_object_get(s, "forwards");
	for (size_t i = 0; i < json_object_array_length(v); i++) {
		struct json_object *f = json_object_array_get_idx(v, i);

		printf("  forward %s wan %d -> %d\n",
		       json_object_get_string(json_object_object_get(f, "proto")),
		       json_object_get_int(json_object_object_get(f, "wan_port")),
		       json_object_get_int(json_object_object_get(f, "chute_port")));
	}
	for (int d = 0; d < 2; d++) {
		const char *dir = d ? "down" : "up";

		if (json_object_object_get_ex(o, dir, &v))
			printf("  %s %lld packets %lld bytes\n", dir,
			       (long long)json_object_get_int64(json_object_object_get(v, "packets")),
			       (long long)json_object_get_int64(json_object_object_get(v, "bytes")));
	}
}

/* status NAME: one chute; status or list: all of them. */
static int show(struct cli *cli, char **argv, bool one)
{
	struct json_object *all = NULL;
	struct hearth_dp dp, *have_dp = NULL;
	struct hearth_err err = {};
	struct chute_env env;
	int ret;

	ret = chute_open(cli, &env);
	if (ret)
		return ret;
	/* counters when the data plane is there; the rest without it */
	if (!hearth_dp_open(&dp, cli->pin_dir, NULL))
		have_dp = &dp;
	ret = one ? chute_status(&env, argv[0], &all, &err) : chute_status_all(&env, &all, &err);
	if (!ret && have_dp && one)
		hearth_chute_traffic_json(have_dp, all);
	for (size_t i = 0; !ret && have_dp && !one && i < json_object_array_length(all); i++)
		hearth_chute_traffic_json(have_dp, json_object_array_get_idx(all, i));
	if (have_dp)
		hearth_dp_close(have_dp);
	if (ret) {
		json_object_put(all);
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	}
	if (cli->json)
		cli_print_json(cli, all);
	else if (one)
		print_status(all);
	else
		for (size_t i = 0; i < json_object_array_length(all); i++)
			print_status(json_object_array_get_idx(all, i));
	json_object_put(all);
	return 0;
}

static int chute_cmd_status(struct cli *cli, int argc, char **argv)
{
	if (argc > 1)
		return cli_error(cli, CLI_EXIT_USAGE, "unexpected '%s'; %s", argv[1], CHUTE_USAGE);
	return show(cli, argv, argc == 1);
}

static int chute_cmd_list(struct cli *cli, int argc, char **argv)
{
	if (argc)
		return cli_error(cli, CLI_EXIT_USAGE, "unexpected '%s'; %s", argv[0], CHUTE_USAGE);
	return show(cli, argv, false);
}

/* logs NAME [tail N]: the chute's stdout and stderr. */
static int chute_cmd_logs(struct cli *cli, int argc, char **argv)
{
	struct hearth_err err = {};
	struct chute_env env;
	char path[PATH_MAX], *end;
	long tail = -1;
	int ret = need_name(cli, argc, argv, 3);

	if (ret)
		return ret;
	if (argc == 3 && !strcmp(argv[1], "tail")) {
		tail = strtol(argv[2], &end, 10);
		if (*end || tail < 0)
			return cli_error(cli, CLI_EXIT_USAGE, "tail takes a number of lines, not '%s'",
					 argv[2]);
	} else if (argc != 1) {
		return cli_error(cli, CLI_EXIT_USAGE, "unexpected '%s'; %s", argv[1], CHUTE_USAGE);
	}
	ret = chute_open(cli, &env);
	if (ret)
		return ret;
	if (chute_log_path(&env, argv[0], path, sizeof(path), &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	fflush(stdout);
	if (tail >= 0) {
		char n[32];

		snprintf(n, sizeof(n), "%ld", tail);
		execlp("tail", "tail", "-n", n, "--", path, (char *)NULL);
	} else {
		/* the part cut off last, then the current one */
		char old[PATH_MAX + 8];

		snprintf(old, sizeof(old), "%s.1", path);
		if (!access(old, R_OK))
			execlp("cat", "cat", "--", old, path, (char *)NULL);
		execlp("cat", "cat", "--", path, (char *)NULL);
	}
	return cli_error(cli, CLI_EXIT_FAIL, "cannot show %s: %s", path, strerror(errno));
}

int cmd_chute(struct cli *cli, int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "install", chute_cmd_install }, { "start", chute_cmd_start },
		{ "stop", chute_cmd_stop },	    { "restart", chute_cmd_restart },
		{ "status", chute_cmd_status },   { "list", chute_cmd_list },
		{ "logs", chute_cmd_logs },	    { "update", chute_cmd_update },
		{ "remove", chute_cmd_remove },   {},
	};

	return cli_dispatch(cli, "chute", cmds, "list", argc, argv);
}
