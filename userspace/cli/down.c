// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth down: stop hearthd, then detach and unpin the whole data plane. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "../lib/rundir.h"
#include "../lib/teardown.h"
#include "../../sandbox/chute.h"

#define STOP_TIMEOUT_MS 5000

static int stop_daemon(struct cli *cli)
{
	pid_t pid = hearth_daemon_pid(cli->run_dir);
	struct timespec tick = { .tv_nsec = 10 * 1000 * 1000 };

	if (!pid)
		return 0;
	if (kill(pid, SIGTERM) && errno != ESRCH)
		return cli_error(cli, CLI_EXIT_FAIL, "cannot stop hearthd (pid %d): %s",
				 (int)pid, strerror(errno));
	for (int waited = 0; waited < STOP_TIMEOUT_MS; waited += 10) {
		if (!hearth_daemon_pid(cli->run_dir))
			return 0;
		nanosleep(&tick, NULL);
	}
	return cli_error(cli, CLI_EXIT_FAIL, "hearthd (pid %d) did not stop", (int)pid);
}

static void print_stopped(int stopped)
{
	if (stopped)
		printf("%d chute%s stopped; they start again with hearthd\n", stopped,
		       stopped == 1 ? "" : "s");
}

/* Chutes need the data plane for isolation and NAT: they stop first, and
 * start again with the next hearthd. No chutes file: hearthd never ran
 * with chutes here. */
static int stop_chutes(struct cli *cli)
{
	struct chute_env env;
	int ret, stopped;

	/* no hooks: the data plane goes whole right after */
	if (chute_env_load(&env, cli->run_dir, NULL))
		return 0;
	ret = chute_suspend_all(&env, &stopped);
	if (ret < 0)
		return cli_error(cli, CLI_EXIT_FAIL, "cannot stop the chutes: %s", strerror(-ret));
	print_stopped(stopped);
	return 0;
}

/* hearthd stops the chutes and ends; 1 when no hearthd answers (the
 * caller then does both itself). */
static int down_by_daemon(struct cli *cli)
{
	struct json_object *answer = NULL, *result;
	struct hearth_err err = {};
	const char *code, *message;
	int ret;

	ret = hearth_api_call(cli->run_dir, "gateway.down", NULL, &answer, &err);
	if (ret == -ENOENT || ret == -ECONNREFUSED)
		return 1;
	if (ret)
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	if (!hearth_api_answer_ok(answer, &result, &code, &message)) {
		ret = cli_error(cli, CLI_EXIT_FAIL, "%s", message);
	} else {
		print_stopped(json_object_get_int(json_object_object_get(result, "chutes_stopped")));
		ret = stop_daemon(cli); /* it is on its way out: wait for it */
	}
	json_object_put(answer);
	return ret;
}

int cmd_down(struct cli *cli, int argc, char **argv)
{
	struct hearth_err err = {};
	int ret;

	if (argc > 0)
		return cli_error(cli, CLI_EXIT_USAGE, "'down' takes no arguments, got '%s'",
				 argv[0]);
	ret = down_by_daemon(cli);
	if (ret == 1) {
		ret = stop_daemon(cli);
		if (!ret)
			ret = stop_chutes(cli);
	}
	if (ret)
		return ret;
	if (hearth_dp_teardown(cli->pin_dir, &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	return 0;
}
