// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearth: the command line, `hearth [OPTIONS] OBJECT [COMMAND] [ARGS]` in
 * the style of bpftool and ip. Only this layer prints and exits.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "../lib/libbpf_silent.h"
#include "../../util/options.h"
#include "cli.h"

#define HEARTH_VERSION "0.1.0"

/* -p implies -j; -h and -V end the options and act at once */
struct options {
	bool json, pretty, help, version;
	const char *pin_dir, *run_dir;
};

static const struct hearth_opt option_table[] = {
	HEARTH_OPT_FLAG('j', "json", struct options, json, "JSON output"),
	HEARTH_OPT_FLAG('p', "pretty", struct options, pretty,
			"JSON output, indented"),
	HEARTH_OPT_STRING('P', "pin-dir", struct options, pin_dir, "DIR",
			  "the data plane's pins"),
	HEARTH_OPT_STRING('R', "run-dir", struct options, run_dir, "DIR",
			  "hearthd's socket and state"),
	HEARTH_OPT_STOP('h', "help", struct options, help, "this text"),
	HEARTH_OPT_STOP('V', "version", struct options, version,
			"the version"),
	{},
};

/* options end at the object, as in ip and bpftool */
static const struct hearth_opts options = {
	.opts = option_table,
	.hint = "try 'hearth help'",
};

static void usage(FILE *out)
{
	char opts[512];

	hearth_opts_synopsis(&options, "OPTIONS := ", 72, opts, sizeof(opts));
	fprintf(out,
		"Usage: hearth [OPTIONS] OBJECT [COMMAND] [ARGS]\n"
		"  OBJECT := { status | stats | fib | nat | firewall | tenant | chute | probe | config |\n"
		"             down | help | version }\n"
		"  hearth status                 data plane, interfaces, daemon\n"
		"  hearth stats [show] [dev IF]  per-interface counters by reason\n"
		"  hearth fib show | flush       cached forwarding decisions\n"
		"  hearth nat show               masqueraded connections\n"
		"  hearth nat forward add { tcp | udp } WANPORT ADDR:PORT [replace]\n"
		"  hearth nat forward del { tcp | udp } WANPORT | list\n"
		"  hearth firewall [show]        on or off, open interfaces, pinholes\n"
		"  hearth firewall { allow | delete } { tcp | udp } ADDR[/LEN] [PORT[-PORT]]\n"
		"  hearth flows [tenant NAME] [host ADDR] [proto P] [limit N] [exported]\n"
		"                                live connections as flow records, biggest first\n"
		"  hearth tenant show [NAME]     tenants, rates, meters\n"
		"  hearth tenant { add | set } NAME [id N] [prio 1-7] [up|down [rate R] [ceil R] [burst B]]\n"
		"                [iface DEV] [prefix ADDR/LEN] [mac MAC]\n"
		"  hearth tenant del NAME\n"
		"  hearth chute { install NAME PATH [replace] [KEY VALUE]... | start | stop | restart NAME |\n"
		"                 status [NAME] | list | logs NAME [tail N] | update NAME KEY VALUE... | remove NAME }\n"
		"  hearth probe check BUNDLE [key FILE|DIR]   a probe bundle judged, nothing loaded\n"
		"  hearth probe { sign BUNDLE PRIVATE-KEY | digest BUNDLE | key KEY-FILE }\n"
		"  hearth probe { approve DIGEST | attach BUNDLE | detach NAME | list | read NAME }\n"
		"  hearth config show            each setting and where it came from\n"
		"  hearth down                   stop hearthd, detach and unpin all\n"
		"%s\n",
		opts);
}

int cli_error(struct cli *cli, int code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (cli->json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "error", json_object_new_string(msg));
		printf("%s\n", json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
		json_object_put(obj);
	}
	fprintf(stderr, "hearth: %s\n", msg);
	return code;
}

int cli_dispatch(struct cli *cli, const char *object, const struct cli_cmd *cmds,
		 const char *deflt, int argc, char **argv)
{
	const struct cli_cmd *match = NULL;
	const char *word = argc > 0 ? argv[0] : deflt;

	if (!word)
		return cli_error(cli, CLI_EXIT_USAGE, "'%s' needs a command", object);
	/* exact names only: a prefix must never reach a destructive command */
	for (const struct cli_cmd *c = cmds; c->name && !match; c++)
		if (!strcmp(c->name, word))
			match = c;
	if (!match && object)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "unknown command '%s' for '%s'; try 'hearth help'",
				 word, object);
	if (!match)
		return cli_error(cli, CLI_EXIT_USAGE,
				 "unknown object '%s'; try 'hearth help'", word);
	return argc > 0 ? match->run(cli, argc - 1, argv + 1) :
			  match->run(cli, 0, argv);
}

void cli_print_json(struct cli *cli, struct json_object *obj)
{
	int flags = cli->pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN;

	printf("%s\n", json_object_to_json_string_ext(obj, flags));
}

int cli_call(struct cli *cli, const char *verb, struct json_object *args,
	     struct json_object **answer)
{
	const char *code, *message;
	struct hearth_err err = {};
	struct json_object *a = NULL, *result;
	int ret;

	ret = hearth_api_call(cli->run_dir, verb, args, &a, &err);
	if (ret)
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	if (cli->json)
		cli_print_json(cli, a);
	if (!hearth_api_answer_ok(a, &result, &code, &message)) {
		/* the daemon's refusals are failures; malformed requests ours */
		ret = !strcmp(code, "bad-request") || !strcmp(code, "unknown-verb") ?
			      CLI_EXIT_USAGE : CLI_EXIT_FAIL;
		fprintf(stderr, "hearth: %s\n", message);
		json_object_put(a);
		return ret;
	}
	if (answer)
		*answer = a;
	else
		json_object_put(a);
	return 0;
}

int cli_open_dp(struct cli *cli, struct hearth_dp *dp)
{
	struct hearth_err err = {};

	if (hearth_dp_open(dp, cli->pin_dir, &err))
		return cli_error(cli, CLI_EXIT_FAIL, "%s", err.msg);
	return 0;
}

static int cmd_help(struct cli *cli, int argc, char **argv)
{
	(void)cli, (void)argc, (void)argv;
	usage(stdout);
	return 0;
}

static int cmd_version(struct cli *cli, int argc, char **argv)
{
	(void)argc, (void)argv;
	if (cli->json) {
		struct json_object *obj = json_object_new_object();

		json_object_object_add(obj, "version",
				       json_object_new_string(HEARTH_VERSION));
		cli_print_json(cli, obj);
		json_object_put(obj);
	} else {
		printf("hearth %s\n", HEARTH_VERSION);
	}
	return 0;
}

static const struct cli_cmd objects[] = {
	{ "status", cmd_status }, { "stats", cmd_stats },
	{ "fib", cmd_fib },	  { "down", cmd_down },
	{ "nat", cmd_nat },	  { "firewall", cmd_firewall },
	{ "tenant", cmd_tenant },  { "flows", cmd_flows },
	{ "chute", cmd_chute },	  { "config", cmd_config },
	{ "probe", cmd_probe },
	{ "help", cmd_help },	  { "version", cmd_version },
	{},
};

int main(int argc, char **argv)
{
	struct options o = {
		.pin_dir = getenv("HEARTH_PIN_DIR") ?: HEARTH_PIN_DIR_DEFAULT,
		.run_dir = getenv("HEARTH_RUN_DIR") ?: "/run/hearth",
	};
	struct hearth_err err = {};
	int first = hearth_opts_parse(&options, argc, argv, &o, &err);
	struct cli cli = {
		.json = o.json || o.pretty,
		.pretty = o.pretty,
		.pin_dir = o.pin_dir,
		.run_dir = o.run_dir,
	};

	if (first < 0)
		return cli_error(&cli, CLI_EXIT_USAGE, "%s", err.msg);
	if (o.help) {
		usage(stdout);
		return 0;
	}
	if (o.version)
		return cmd_version(&cli, 0, NULL);
	libbpf_set_print(hearth_libbpf_silent);
	if (first >= argc) {
		usage(stderr);
		return CLI_EXIT_USAGE;
	}
	return cli_dispatch(&cli, NULL, objects, NULL, argc - first,
			    argv + first);
}
