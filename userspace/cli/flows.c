// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth flows [tenant NAME] [host ADDR] [proto PROTO] [limit N] [exported] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define FLOWS_USAGE                                                                        \
	"usage: hearth flows [tenant NAME] [host ADDR] [proto tcp|udp|icmp|icmpv6|esp] [limit N] " \
	"[exported]"

static const char *str(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s ? s : "";
}

static long long num(struct json_object *o, const char *key)
{
	return (long long)json_object_get_int64(json_object_object_get(o, key));
}

/* "20.14" ms, or "-" */
static const char *rtt_ms(struct json_object *f, const char *where, char *buf, size_t size)
{
	struct json_object *w = json_object_object_get(json_object_object_get(f, "rtt"), where);

	if (!w)
		return "-";
	snprintf(buf, size, "%.2f", (double)num(w, "min_us") / 1000.0);
	return buf;
}

static void print_text(struct json_object *root)
{
	struct json_object *list = json_object_object_get(root, "flows");
	size_t n = json_object_array_length(list);

	printf("flows: %lld live, the %zu biggest%s; counts since each opened\n", num(root, "total"),
	       n, json_object_get_boolean(json_object_object_get(root, "exported_view")) ?
			  ", as the exports see them (home addresses anonymized)" :
			  "");
	printf("%-6s %-40s %-40s %-10s %9s %9s %11s %11s %8s %8s\n", "prot", "source", "destination",
	       "tenant", "pkts out", "pkts in", "bytes out", "bytes in", "rtt wan", "rtt home");
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(list, i);
		char src[64], dst[64], a[16], b[16];
		const char *fmt_s = strchr(str(f, "src"), ':') ? "[%s]:%lld" : "%s:%lld";
		const char *fmt_d = strchr(str(f, "dst"), ':') ? "[%s]:%lld" : "%s:%lld";

		snprintf(src, sizeof(src), fmt_s, str(f, "src"), num(f, "sport"));
		snprintf(dst, sizeof(dst), fmt_d, str(f, "dst"), num(f, "dport"));
		printf("%-6s %-40s %-40s %-10s %9lld %9lld %11lld %11lld %8s %8s\n", str(f, "proto"),
		       src, dst, str(f, "tenant"), num(f, "packets"), num(f, "rev_packets"),
		       num(f, "bytes"), num(f, "rev_bytes"), rtt_ms(f, "wan", a, sizeof(a)),
		       rtt_ms(f, "home", b, sizeof(b)));
	}
}

int cmd_flows(struct cli *cli, int argc, char **argv)
{
	struct json_object *args = json_object_new_object(), *answer = NULL, *result;
	int ret;

	for (int i = 0; i < argc; i++) {
		const char *key = argv[i];

		if (!strcmp(key, "exported")) {
			json_object_object_add(args, "exported", json_object_new_boolean(1));
			continue;
		}
		if (i + 1 >= argc || (strcmp(key, "tenant") && strcmp(key, "host") &&
				      strcmp(key, "proto") && strcmp(key, "limit"))) {
			json_object_put(args);
			return cli_error(cli, CLI_EXIT_USAGE, "%s", FLOWS_USAGE);
		}
		if (!strcmp(key, "limit")) {
			char *end;
			long n = strtol(argv[i + 1], &end, 10);

			if (*end || n < 1 || n > 10000) {
				json_object_put(args);
				return cli_error(cli, CLI_EXIT_USAGE, "limit takes 1 to 10000, not '%s'",
						 argv[i + 1]);
			}
			json_object_object_add(args, key, json_object_new_int((int)n));
		} else {
			json_object_object_add(args, key, json_object_new_string(argv[i + 1]));
		}
		i++;
	}
	ret = cli_call(cli, "flows.list", args, &answer);
	if (ret)
		return ret;
	if (!cli->json) {
		result = json_object_object_get(answer, "result");
		print_text(result);
	}
	json_object_put(answer);
	return 0;
}
