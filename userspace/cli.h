/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CLI_H
#define HEARTH_CLI_H

#include <json-c/json.h>
#include <stdbool.h>

#include "lib/dataplane.h"

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
/* Opens the pinned data plane, reporting failure as a CLI error. */
int cli_open_dp(struct cli *cli, struct hearth_dp *dp);
const char *cli_mac(const unsigned char *mac, char *buf, size_t size);

int cmd_status(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_fib(struct cli *cli, int argc, char **argv);
int cmd_down(struct cli *cli, int argc, char **argv);
int cmd_nat(struct cli *cli, int argc, char **argv);
int cmd_tenant(struct cli *cli, int argc, char **argv);
int cmd_chute(struct cli *cli, int argc, char **argv);

#endif
