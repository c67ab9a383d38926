/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include <json-c/json.h>
#include <stdbool.h>

#include "../lib/api.h"
#include "../lib/dataplane.h"

struct cli {
	bool json;
	bool pretty;
	const char *pin_dir;
	const char *run_dir;
};

struct cli_cmd {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
};

/* Exit codes: 0 success, 1 runtime failure, 2 usage error. */
#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

__attribute__((format(printf, 3, 4))) int cli_error(struct cli *cli, int code,
						    const char *fmt, ...);
/* Runs the command of @cmds that @argv[0] names (or a unique prefix of). */
int cli_dispatch(struct cli *cli, const char *object,
		 const struct cli_cmd *cmds, const char *deflt, int argc,
		 char **argv);
void cli_print_json(struct cli *cli, struct json_object *obj);
/* Sends a request to hearthd (@args taken) and, with -j, prints the answer
 * as it came. An error answer is printed as one line: exit 1 (2 for a
 * request hearthd could not read). On success *@answer (when given) is
 * the answer, for the caller to put. */
int cli_call(struct cli *cli, const char *verb, struct json_object *args,
	     struct json_object **answer);
/* Opens the pinned data plane, reporting failure as a CLI error. */
int cli_open_dp(struct cli *cli, struct hearth_dp *dp);

int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_fib(struct cli *cli, int argc, char **argv);
int cmd_down(struct cli *cli, int argc, char **argv);
int cmd_nat(struct cli *cli, int argc, char **argv);
int cmd_firewall(struct cli *cli, int argc, char **argv);
int cmd_tenant(struct cli *cli, int argc, char **argv);
int cmd_chute(struct cli *cli, int argc, char **argv);
int cmd_config(struct cli *cli, int argc, char **argv);
int cmd_flows(struct cli *cli, int argc, char **argv);
int cmd_probe(struct cli *cli, int argc, char **argv);

#endif
