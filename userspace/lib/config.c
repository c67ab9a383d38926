// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearth.conf: one directive per line, words separated by blanks, '#' starts
 * a comment. See docs/man/hearth.conf.5 for the grammar.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "firewall_spec.h"
#include "tenant_spec.h"

#define MAX_WORDS 40
#define MAX_LINE 1024

struct parse_ctx {
	struct hearth_config *cfg;
	struct hearth_err *err;
	const char *path;
	int line;
};

struct directive {
	const char *name;
	int min_args, max_args;
	const char *usage;
	int (*handle)(struct parse_ctx *pc, int argc, char **argv);
};

void hearth_config_defaults(struct hearth_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	snprintf(cfg->pin_dir, sizeof(cfg->pin_dir), "%s",
		 HEARTH_PIN_DIR_DEFAULT);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "/run/hearth");
	cfg->fib_cache = true;
	cfg->fib_cache_ttl_ms = HEARTH_FIB_CACHE_TTL_MS;
	cfg->ct_sets = HEARTH_CT_SETS_DEFAULT;
	cfg->ct_host_ways = HEARTH_CT_HOST_WAYS_DEFAULT;
	cfg->ct_open_rate = HEARTH_OPEN_RATE_DEFAULT;
	cfg->ct_tcp_pickup = true;
	cfg->ct_rtt = true;
	cfg->metrics_on = true;
	snprintf(cfg->metrics_listen, sizeof(cfg->metrics_listen), "%s", HEARTH_METRICS_LISTEN);
	hearth_sockaddr_parse(HEARTH_METRICS_LISTEN, &cfg->metrics_addr);
	cfg->xdp_mode = HEARTH_XDP_AUTO;
	cfg->nat_port_min = HEARTH_NAT_PORT_MIN_DEFAULT;
	cfg->nat_port_max = HEARTH_NAT_PORT_MAX_DEFAULT;
	snprintf(cfg->chute_dir, sizeof(cfg->chute_dir), "%s", HEARTH_CHUTE_DIR_DEFAULT);
	snprintf(cfg->state_file, sizeof(cfg->state_file), "%s", HEARTH_STATE_FILE_DEFAULT);
	snprintf(cfg->probe_keys, sizeof(cfg->probe_keys), "%s", HEARTH_PROBE_KEYS_DEFAULT);
	snprintf(cfg->probe_approved, sizeof(cfg->probe_approved), "%s",
		 HEARTH_PROBE_APPROVED_DEFAULT);
	hearth_prefix_parse(HEARTH_CHUTE_POOL_DEFAULT, &cfg->chute_pool);
	hearth_export_defaults(&cfg->export);
}

const char *hearth_role_name(enum hearth_iface_role role)
{
	switch (role) {
	case HEARTH_ROLE_LAN:
		return "lan";
	case HEARTH_ROLE_WAN:
		return "wan";
	case HEARTH_ROLE_CHUTE:
		return "chute";
	default:
		return "none";
	}
}

const char *hearth_xdp_mode_name(enum hearth_xdp_mode mode)
{
	static const char *const names[] = { "auto", "native", "generic" };

	return mode <= HEARTH_XDP_GENERIC ? names[mode] : "?";
}

#define FIREWALL_USAGE                                                             \
	"'firewall' takes 'on', 'off', 'open IFACE', 'icmpv6-echo on|off' or "   \
	"'allow PROTO ADDR[/LEN] [PORT[-PORT]]'"

static int fail(struct parse_ctx *pc, const char *fmt, const char *arg)
{
	char what[400];

	snprintf(what, sizeof(what), fmt, arg);
	return hearth_err_set(pc->err, EINVAL, "%s:%d: %s", pc->path, pc->line,
			      what);
}

static int check_ifname(struct parse_ctx *pc, const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IF_NAMESIZE || strchr(name, '/') ||
	    !strcmp(name, ".") || !strcmp(name, ".."))
		return fail(pc, "bad interface name '%s'", name);
	for (int i = 0; i < pc->cfg->n_ifaces; i++) {
		const struct hearth_config_iface *other = &pc->cfg->ifaces[i];
		char what[160];

		if (strcmp(other->name, name))
			continue;
		snprintf(what, sizeof(what),
			 "interface '%s' already defined at line %d", name,
			 other->line);
		return fail(pc, "%s", what);
	}
	if (pc->cfg->n_ifaces >= HEARTH_CONFIG_MAX_IFACES) {
		char max[16];

		snprintf(max, sizeof(max), "%d", HEARTH_CONFIG_MAX_IFACES);
		return fail(pc, "too many interfaces (at most %s)", max);
	}
	return 0;
}

static int add_iface(struct parse_ctx *pc, enum hearth_iface_role role,
		     int argc, char **argv)
{
	struct hearth_config_iface *iface;
	int err = check_ifname(pc, argv[0]);

	if (err)
		return err;
	iface = &pc->cfg->ifaces[pc->cfg->n_ifaces];
	memset(iface, 0, sizeof(*iface));
	snprintf(iface->name, sizeof(iface->name), "%s", argv[0]);
	iface->role = role;
	iface->line = pc->line;
	for (int i = 1; i < argc; i++) {
		if (hearth_prefix_parse(argv[i], &iface->prefixes[i - 1]))
			return fail(pc, "bad subnet '%s' (want ADDRESS/LENGTH)",
				    argv[i]);
		iface->n_prefixes++;
	}
	pc->cfg->n_ifaces++;
	return 0;
}

static int do_wan(struct parse_ctx *pc, int argc, char **argv)
{
	for (int i = 0; i < pc->cfg->n_ifaces; i++) {
		char what[80];

		if (pc->cfg->ifaces[i].role != HEARTH_ROLE_WAN)
			continue;
		snprintf(what, sizeof(what), "second 'wan' (first at line %d)",
			 pc->cfg->ifaces[i].line);
		return fail(pc, "%s", what);
	}
	return add_iface(pc, HEARTH_ROLE_WAN, argc, argv);
}

static int do_lan(struct parse_ctx *pc, int argc, char **argv)
{
	return add_iface(pc, HEARTH_ROLE_LAN, argc, argv);
}

static int set_dir(struct parse_ctx *pc, const char *what, const char *path,
		   char *dst, size_t size)
{
	char msg[96];

	if (path[0] != '/')
		snprintf(msg, sizeof(msg), "%s '%%s' must be an absolute path", what);
	else if (strlen(path) >= size - 32) /* room for the names below it */
		snprintf(msg, sizeof(msg), "%s '%%s' is too long", what);
	else
		return snprintf(dst, size, "%s", path) < 0;
	return fail(pc, msg, path);
}

static int do_pin_dir(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	/* hearth removes its pin dir on `hearth down`: it must be its own */
	if (!strcmp(argv[0], "/sys/fs/bpf") || !strcmp(argv[0], "/sys/fs/bpf/"))
		return fail(pc, "pin-dir '%s' must be a directory of its own, e.g. /sys/fs/bpf/hearth",
			    argv[0]);
	return set_dir(pc, "pin-dir", argv[0], pc->cfg->pin_dir,
		       sizeof(pc->cfg->pin_dir));
}

static int do_run_dir(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "run-dir", argv[0], pc->cfg->run_dir,
		       sizeof(pc->cfg->run_dir));
}

static int do_probe_keys(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "probe-keys", argv[0], pc->cfg->probe_keys,
		       sizeof(pc->cfg->probe_keys));
}

static int do_probe_approved(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "probe-approved", argv[0], pc->cfg->probe_approved,
		       sizeof(pc->cfg->probe_approved));
}

/* probe-export on|off: probes' ring buffer records in the flow log */
static int do_probe_export(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[0], "on") && strcmp(argv[0], "off"))
		return fail(pc, "probe-export takes on or off, not '%s'", argv[0]);
	pc->cfg->probe_export = !strcmp(argv[0], "on");
	return 0;
}

static int do_state_file(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "state-file", argv[0], pc->cfg->state_file,
		       sizeof(pc->cfg->state_file));
}

/* Checked by hearthd when it opens its socket: a group may not exist yet
 * when the file is written. */
static int do_control_group(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	if (strlen(argv[0]) >= sizeof(pc->cfg->control_group) || !argv[0][0] ||
	    strspn(argv[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") !=
		    strlen(argv[0]))
		return fail(pc, "control-group '%s' is not a group name", argv[0]);
	snprintf(pc->cfg->control_group, sizeof(pc->cfg->control_group), "%s", argv[0]);
	return 0;
}

static int do_chute_dir(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "chute-dir", argv[0], pc->cfg->chute_dir,
		       sizeof(pc->cfg->chute_dir));
}

/* Each chute takes a /30 (network, gateway, chute, broadcast). */
static int do_chute_pool(struct parse_ctx *pc, int argc, char **argv)
{
	struct hearth_prefix pool;

	(void)argc;
	if (hearth_prefix_parse(argv[0], &pool) || pool.family != AF_INET)
		return fail(pc, "chute-pool '%s' is not an IPv4 subnet", argv[0]);
	if (pool.len < 24 || pool.len > 28)
		return fail(pc, "chute-pool '%s' must be a /24 to a /28 (a /30 per chute)",
			    argv[0]);
	pc->cfg->chute_pool = pool;
	return 0;
}

static int do_fib_cache(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	if (!strcmp(argv[0], "on"))
		pc->cfg->fib_cache = true;
	else if (!strcmp(argv[0], "off"))
		pc->cfg->fib_cache = false;
	else
		return fail(pc, "fib-cache takes 'on' or 'off', not '%s'",
			    argv[0]);
	return 0;
}

static int do_fib_cache_ttl(struct parse_ctx *pc, int argc, char **argv)
{
	char *end;
	unsigned long ms;

	(void)argc;
	errno = 0;
	ms = strtoul(argv[0], &end, 10);
	if (errno || *end || argv[0][0] == '-' || ms < 100 || ms > 60000)
		return fail(pc, "fib-cache-ttl takes milliseconds from 100 to 60000, not '%s'",
			    argv[0]);
	pc->cfg->fib_cache_ttl_ms = (unsigned int)ms;
	return 0;
}

static int do_xdp_mode(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	for (int m = HEARTH_XDP_AUTO; m <= HEARTH_XDP_GENERIC; m++) {
		if (!strcmp(argv[0], hearth_xdp_mode_name(m))) {
			pc->cfg->xdp_mode = m;
			return 0;
		}
	}
	return fail(pc, "xdp-mode takes auto, native or generic, not '%s'",
		    argv[0]);
}

/* nat forward PROTO WANPORT ADDR:PORT */
static int nat_forward(struct parse_ctx *pc, char **argv)
{
	struct hearth_config_forward *f;

	if (pc->cfg->n_forwards >= HEARTH_CONFIG_MAX_FORWARDS)
		return fail(pc, "%s", "too many forwards");
	f = &pc->cfg->forwards[pc->cfg->n_forwards];
	f->proto = hearth_proto_parse(argv[0]);
	if (!f->proto)
		return fail(pc, "forward protocol is tcp or udp, not '%s'", argv[0]);
	f->wan_port = hearth_port_parse(argv[1]);
	if (!f->wan_port)
		return fail(pc, "bad forward port '%s'", argv[1]);
	if (hearth_endpoint_parse(argv[2], &f->addr, &f->port))
		return fail(pc, "bad forward target '%s' (want IPV4:PORT)", argv[2]);
	for (int i = 0; i < pc->cfg->n_forwards; i++) {
		const struct hearth_config_forward *o = &pc->cfg->forwards[i];
		char what[96];

		if (o->proto != f->proto || o->wan_port != f->wan_port)
			continue;
		snprintf(what, sizeof(what), "%s port %u already forwarded at line %d",
			 argv[0], f->wan_port, o->line);
		return fail(pc, "%s", what);
	}
	f->line = pc->line;
	pc->cfg->n_forwards++;
	return 0;
}

/* "nat filtering address-dependent|endpoint-independent" */
static int nat_filtering(struct parse_ctx *pc, const char *word)
{
	if (!strcmp(word, "address-dependent"))
		pc->cfg->nat_filtering = HEARTH_FILTER_ADDRESS;
	else if (!strcmp(word, "endpoint-independent"))
		pc->cfg->nat_filtering = HEARTH_FILTER_ENDPOINT;
	else
		return fail(pc, "nat filtering takes 'address-dependent' or 'endpoint-independent', not '%s'",
			    word);
	pc->cfg->filtering_line = pc->line;
	return 0;
}

/* "nat masquerade", "nat ports MIN-MAX", "nat filtering KIND",
 * "nat forward PROTO PORT ADDR:PORT" */
static int do_nat(struct parse_ctx *pc, int argc, char **argv)
{
	if (!strcmp(argv[0], "forward") && argc == 4)
		return nat_forward(pc, argv + 1);
	if (!strcmp(argv[0], "filtering") && argc == 2)
		return nat_filtering(pc, argv[1]);
	unsigned int lo, hi;
	char tail;

	if (!strcmp(argv[0], "masquerade") && argc == 1) {
		pc->cfg->nat_masquerade = true;
		pc->cfg->masquerade_line = pc->line;
		return 0;
	}
	if (!strcmp(argv[0], "ports") && argc == 2) {
		if (sscanf(argv[1], "%u-%u%c", &lo, &hi, &tail) != 2 || lo < 1 ||
		    hi > 65535 || lo > hi)
			return fail(pc, "nat ports takes MIN-MAX within 1-65535, not '%s'",
				    argv[1]);
		pc->cfg->nat_port_min = (__u16)lo;
		pc->cfg->nat_port_max = (__u16)hi;
		pc->cfg->ports_line = pc->line;
		return 0;
	}
	return fail(pc, "%s",
		    "'nat' takes 'masquerade', 'ports MIN-MAX', 'filtering KIND' or 'forward PROTO PORT ADDR:PORT'");
}

static int fw_onoff(struct parse_ctx *pc, const char *word, bool *on)
{
	if (strcmp(word, "on") && strcmp(word, "off"))
		return fail(pc, "expected on or off, not '%s'", word);
	*on = !strcmp(word, "on");
	return 0;
}

/* "firewall on|off", "firewall open IFACE", "firewall icmpv6-echo on|off",
 * "firewall allow PROTO ADDR[/LEN] [PORT[-PORT]]" */
static int do_firewall(struct parse_ctx *pc, int argc, char **argv)
{
	struct hearth_config_fw *fw = &pc->cfg->fw;
	char msg[200];
	bool on = true;

	if (argc == 1 && (!strcmp(argv[0], "on") || !strcmp(argv[0], "off"))) {
		fw->off = !strcmp(argv[0], "off");
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "icmpv6-echo")) {
		if (fw_onoff(pc, argv[1], &on))
			return -EINVAL;
		fw->echo6_refused = !on;
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "open")) {
		if (fw->n_open == HEARTH_CONFIG_MAX_IFACES)
			return fail(pc, "%s", "too many open interfaces");
		if (strlen(argv[1]) >= IF_NAMESIZE)
			return fail(pc, "interface name '%s' too long", argv[1]);
		fw->open_line[fw->n_open] = pc->line;
		snprintf(fw->open[fw->n_open++], IF_NAMESIZE, "%s", argv[1]);
		return 0;
	}
	if (argc >= 3 && !strcmp(argv[0], "allow")) {
		if (fw->n_pinholes == HEARTH_CONFIG_MAX_PINHOLES)
			return fail(pc, "too many pinholes (at most %s)", "32");
		if (hearth_pinhole_parse(argc - 1, argv + 1, &fw->pinholes[fw->n_pinholes], msg,
					 sizeof(msg)))
			return fail(pc, "%s", msg);
		fw->pinhole_line[fw->n_pinholes++] = pc->line;
		return 0;
	}
	return fail(pc, "%s", FIREWALL_USAGE);
}

#define CONNTRACK_USAGE                                                            \
	"'conntrack' takes size CONNECTIONS, host-share PERCENT, open-rate N, tcp-pickup on|off or rtt on|off"

static int parse_uint(const char *text, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	errno = 0;
	*v = strtoul(text, &end, 10);
	return errno || *end || text[0] == '-' || !text[0] || *v < min || *v > max ? -EINVAL : 0;
}

/*
 * conntrack size CONNECTIONS: rounded up to a power of 2 of sets (two
 * entries a connection, HEARTH_CT_WAYS a set); conntrack host-share
 * PERCENT: a home host's ways of each set, rounded up; conntrack
 * open-rate N: openings from the WAN per second and CPU.
 */
static int do_conntrack(struct parse_ctx *pc, int argc, char **argv)
{
	unsigned long v, sets;

	(void)argc;
	if (!strcmp(argv[0], "size")) {
		if (parse_uint(argv[1], 1024, 8388608, &v))
			return fail(pc, "conntrack size takes connections from 1024 to 8388608, not '%s'",
				    argv[1]);
		for (sets = 1; sets * HEARTH_CT_WAYS < v * 2; sets <<= 1)
			;
		pc->cfg->ct_sets = (unsigned int)sets;
		pc->cfg->ct_size_line = pc->line;
		return 0;
	}
	if (!strcmp(argv[0], "host-share")) {
		if (parse_uint(argv[1], 1, 100, &v))
			return fail(pc, "conntrack host-share takes a percentage from 1 to 100, not '%s'",
				    argv[1]);
		pc->cfg->ct_host_ways = hearth_ct_share_ways((__u32)v);
		pc->cfg->ct_share_line = pc->line;
		return 0;
	}
	if (!strcmp(argv[0], "open-rate")) {
		if (parse_uint(argv[1], 1, 1000000, &v))
			return fail(pc, "conntrack open-rate takes openings a second from 1 to 1000000, not '%s'",
				    argv[1]);
		pc->cfg->ct_open_rate = (unsigned int)v;
		pc->cfg->ct_rate_line = pc->line;
		return 0;
	}
	if (!strcmp(argv[0], "tcp-pickup")) {
		if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
			return fail(pc, "conntrack tcp-pickup takes on or off, not '%s'", argv[1]);
		pc->cfg->ct_tcp_pickup = !strcmp(argv[1], "on");
		pc->cfg->ct_pickup_line = pc->line;
		return 0;
	}
	if (!strcmp(argv[0], "rtt")) {
		if (strcmp(argv[1], "on") && strcmp(argv[1], "off"))
			return fail(pc, "conntrack rtt takes on or off, not '%s'", argv[1]);
		pc->cfg->ct_rtt = !strcmp(argv[1], "on");
		pc->cfg->ct_rtt_line = pc->line;
		return 0;
	}
	return fail(pc, "%s", CONNTRACK_USAGE);
}

/* privacy anonymize|raw, privacy-key FILE */
static int do_privacy(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	if (strcmp(argv[0], "anonymize") && strcmp(argv[0], "raw"))
		return fail(pc, "privacy takes anonymize or raw, not '%s'", argv[0]);
	pc->cfg->privacy_raw = !strcmp(argv[0], "raw");
	return 0;
}

static int do_privacy_key(struct parse_ctx *pc, int argc, char **argv)
{
	(void)argc;
	return set_dir(pc, "privacy-key", argv[0], pc->cfg->privacy_key,
		       sizeof(pc->cfg->privacy_key));
}

#define METRICS_USAGE "'metrics' takes listen ADDR:PORT, listen [ADDR]:PORT or off"

/* metrics listen ADDR:PORT | metrics off */
static int do_metrics(struct parse_ctx *pc, int argc, char **argv)
{
	if (argc == 1 && !strcmp(argv[0], "off")) {
		pc->cfg->metrics_on = false;
		return 0;
	}
	if (argc != 2 || strcmp(argv[0], "listen"))
		return fail(pc, "%s", METRICS_USAGE);
	if (strlen(argv[1]) >= sizeof(pc->cfg->metrics_listen) ||
	    hearth_sockaddr_parse(argv[1], &pc->cfg->metrics_addr))
		return fail(pc, "bad metrics address '%s' (want ADDR:PORT or [ADDR]:PORT, e.g. 127.0.0.1:9477)",
			    argv[1]);
	snprintf(pc->cfg->metrics_listen, sizeof(pc->cfg->metrics_listen), "%s", argv[1]);
	pc->cfg->metrics_on = true;
	return 0;
}

/* export ipfix|log|domain|active-timeout ... (export_spec.h) */
static int do_export(struct parse_ctx *pc, int argc, char **argv)
{
	char msg[200];

	if (hearth_export_parse(&pc->cfg->export, argc, argv, msg, sizeof(msg)))
		return fail(pc, "%s", msg);
	return 0;
}

/* wan-capacity [up RATE] [down RATE] */
static int do_wan_capacity(struct parse_ctx *pc, int argc, char **argv)
{
	if (argc % 2)
		return fail(pc, "%s", "'wan-capacity' takes up RATE and/or down RATE");
	for (int i = 0; i < argc; i += 2) {
		int dir = !strcmp(argv[i], "up") ? HEARTH_DIR_UP :
			  !strcmp(argv[i], "down") ? HEARTH_DIR_DOWN : -1;

		if (dir < 0)
			return fail(pc, "'wan-capacity' takes up RATE and/or down RATE, not '%s'",
				    argv[i]);
		if (hearth_rate_parse(argv[i + 1], &pc->cfg->capacity[dir]))
			return fail(pc, "bad capacity '%s' (want a rate from 8kbit to 100gbit, e.g. 100mbit)",
				    argv[i + 1]);
	}
	pc->cfg->capacity_line = pc->line;
	return 0;
}

/* tenant NAME SETTINGS...; lines naming the same tenant add up */
static int do_tenant(struct parse_ctx *pc, int argc, char **argv)
{
	struct hearth_config *cfg = pc->cfg;
	struct hearth_tenant_spec *spec = NULL;
	char msg[256];

	if (!hearth_tenant_name_ok(argv[0]))
		return fail(pc, "bad tenant name '%s' (letters, digits, '-', '_', '.'; at most 31)",
			    argv[0]);
	if (!strcmp(argv[0], "home"))
		return fail(pc, "%s", "'home' is tenant 0: it takes what the tenants leave, and has no settings");
	for (int i = 0; i < cfg->n_tenants && !spec; i++)
		if (!strcmp(cfg->tenants[i].name, argv[0]))
			spec = &cfg->tenants[i];
	if (!spec) {
		if (cfg->n_tenants == HEARTH_CONFIG_MAX_TENANTS)
			return fail(pc, "too many tenants in the file (at most %s)", "32");
		spec = &cfg->tenants[cfg->n_tenants++];
		hearth_tenant_spec_init(spec, argv[0]);
		spec->line = pc->line;
	}
	if (hearth_tenant_spec_parse(spec, argc - 1, argv + 1, msg, sizeof(msg)))
		return fail(pc, "%s", msg);
	return 0;
}

static const struct directive directives[] = {
	{ "wan", 1, 1, "'wan' takes one interface name", do_wan },
	{ "lan", 2, 1 + HEARTH_CONFIG_MAX_PREFIXES,
	  "'lan' takes an interface name and 1 to 8 subnets", do_lan },
	{ "pin-dir", 1, 1, "'pin-dir' takes one path", do_pin_dir },
	{ "run-dir", 1, 1, "'run-dir' takes one path", do_run_dir },
	{ "fib-cache", 1, 1, "'fib-cache' takes on or off", do_fib_cache },
	{ "fib-cache-ttl", 1, 1, "'fib-cache-ttl' takes milliseconds",
	  do_fib_cache_ttl },
	{ "xdp-mode", 1, 1, "'xdp-mode' takes auto, native or generic",
	  do_xdp_mode },
	{ "nat", 1, 4,
	  "'nat' takes 'masquerade', 'ports MIN-MAX' or 'forward PROTO PORT ADDR:PORT'",
	  do_nat },
	{ "firewall", 1, 5, FIREWALL_USAGE, do_firewall },
	{ "conntrack", 2, 2, CONNTRACK_USAGE, do_conntrack },
	{ "wan-capacity", 2, 4, "'wan-capacity' takes up RATE and/or down RATE",
	  do_wan_capacity },
	{ "tenant", 2, MAX_WORDS - 1, "'tenant' takes a name and settings", do_tenant },
	{ "chute-dir", 1, 1, "'chute-dir' takes one path", do_chute_dir },
	{ "chute-pool", 1, 1, "'chute-pool' takes one IPv4 subnet", do_chute_pool },
	{ "state-file", 1, 1, "'state-file' takes one path", do_state_file },
	{ "probe-keys", 1, 1, "'probe-keys' takes one directory", do_probe_keys },
	{ "probe-approved", 1, 1, "'probe-approved' takes one path", do_probe_approved },
	{ "probe-export", 1, 1, "'probe-export' takes on or off", do_probe_export },
	{ "control-group", 1, 1, "'control-group' takes one group name", do_control_group },
	{ "metrics", 1, 2, METRICS_USAGE, do_metrics },
	{ "privacy", 1, 1, "'privacy' takes anonymize or raw", do_privacy },
	{ "privacy-key", 1, 1, "'privacy-key' takes one path", do_privacy_key },
	{ "export", 2, 11, "'export' takes ipfix, log, domain or active-timeout and their values",
	  do_export },
};

#define N_DIRECTIVES (sizeof(directives) / sizeof(directives[0]))
_Static_assert(N_DIRECTIVES <= HEARTH_CONFIG_MAX_DIRECTIVES, "directive lines");

const char *hearth_config_directive(int i)
{
	return i >= 0 && (size_t)i < N_DIRECTIVES ? directives[i].name : NULL;
}

static int split_words(char *line, char **words)
{
	int n = 0;
	char *save = NULL, *word;

	for (word = strtok_r(line, " \t\r", &save); word;
	     word = strtok_r(NULL, " \t\r", &save)) {
		if (n == MAX_WORDS)
			return -E2BIG;
		words[n++] = word;
	}
	return n;
}

static int parse_line(struct parse_ctx *pc, char *line)
{
	char *words[MAX_WORDS], *hash = strchr(line, '#');
	int n;

	if (hash)
		*hash = '\0';
	n = split_words(line, words);
	if (n < 0)
		return fail(pc, "%s", "too many words on one line");
	if (n == 0)
		return 0;
	for (size_t i = 0; i < sizeof(directives) / sizeof(directives[0]);
	     i++) {
		const struct directive *d = &directives[i];

		if (strcmp(words[0], d->name))
			continue;
		if (n - 1 < d->min_args || n - 1 > d->max_args)
			return fail(pc, "%s", d->usage);
		pc->cfg->directive_line[i] = pc->line;
		return d->handle(pc, n - 1, words + 1);
	}
	return fail(pc, "unknown directive '%s'", words[0]);
}

static bool in_lan_subnet(const struct hearth_config *cfg, struct in_addr addr)
{
	for (int i = 0; i < cfg->n_ifaces; i++)
		for (int j = 0; cfg->ifaces[i].role == HEARTH_ROLE_LAN &&
				j < cfg->ifaces[i].n_prefixes; j++) {
			const struct hearth_prefix *p = &cfg->ifaces[i].prefixes[j];
			__u32 mask = p->len ? htonl(~0u << (32 - p->len)) : 0;

			if (p->family == AF_INET &&
			    (addr.s_addr & mask) == p->addr.v4.s_addr)
				return true;
		}
	return false;
}

int hearth_forward_check(const struct hearth_config *cfg, const struct hearth_config_forward *f,
			 char *msg, size_t size)
{
	char what[INET_ADDRSTRLEN];

	if (!cfg->nat_masquerade) {
		snprintf(msg, size, "'nat forward' needs 'nat masquerade'");
		return -EINVAL;
	}
	if (!in_lan_subnet(cfg, f->addr)) {
		inet_ntop(AF_INET, &f->addr, what, sizeof(what));
		snprintf(msg, size, "forward target %s is not in a LAN subnet", what);
		return -EINVAL;
	}
	return 0;
}

/* Forwards only act behind masquerade, and only to home addresses. */
static int check_forwards(struct parse_ctx *pc)
{
	char msg[128];

	for (int i = 0; i < pc->cfg->n_forwards; i++) {
		pc->line = pc->cfg->forwards[i].line;
		if (hearth_forward_check(pc->cfg, &pc->cfg->forwards[i], msg, sizeof(msg)))
			return fail(pc, "%s", msg);
	}
	return 0;
}

static bool is_lan(const struct hearth_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].role == HEARTH_ROLE_LAN && !strcmp(cfg->ifaces[i].name, name))
			return true;
	return false;
}

/* Each tenant against the capacity, their interfaces, and ids and
 * guarantees across all of them. */
static int check_tenants(struct parse_ctx *pc)
{
	const struct hearth_config *cfg = pc->cfg;
	__u64 sum[HEARTH_DIR_MAX] = { 0, 0 };
	char msg[256];

	for (int i = 0; i < cfg->n_tenants; i++) {
		const struct hearth_tenant_spec *t = &cfg->tenants[i];

		pc->line = t->line;
		if (hearth_tenant_spec_check(t, cfg->capacity, msg, sizeof(msg)))
			return fail(pc, "tenant %s", msg);
		for (int j = 0; j < t->n_ifaces; j++)
			if (!is_lan(cfg, t->ifaces[j]))
				return fail(pc, "tenant interface '%s' is not a 'lan' interface",
					    t->ifaces[j]);
		for (int j = 0; j < i; j++)
			if (t->id >= 0 && cfg->tenants[j].id == t->id)
				return fail(pc, "tenant id already given to '%s'",
					    cfg->tenants[j].name);
		for (int d = 0; d < HEARTH_DIR_MAX; d++)
			sum[d] += t->dir[d].rate;
	}
	for (int d = 0; d < HEARTH_DIR_MAX; d++) {
		char a[32], b[32];

		if (!cfg->capacity[d] || sum[d] <= cfg->capacity[d])
			continue;
		pc->line = cfg->capacity_line;
		snprintf(msg, sizeof(msg), "the tenants' guaranteed %s rates add up to %s, above the capacity %s",
			 d == HEARTH_DIR_UP ? "up" : "down", hearth_rate_format(sum[d], a, sizeof(a)),
			 hearth_rate_format(cfg->capacity[d], b, sizeof(b)));
		return fail(pc, "%s", msg);
	}
	return 0;
}

/* Does @p hold @len bits of @addr (@family's layout, network order)? */
static bool prefix_holds(const struct hearth_prefix *p, int family, const void *addr,
			 unsigned int len)
{
	const __u8 *a = addr, *b = (const __u8 *)&p->addr;
	unsigned int bits = p->len;

	if (p->family != family || len < p->len)
		return false;
	if (memcmp(a, b, bits / 8))
		return false;
	return !(bits % 8) || !((a[bits / 8] ^ b[bits / 8]) & (0xff00 >> (bits % 8)));
}

int hearth_pinhole_check(const struct hearth_config *cfg, const struct hearth_pinhole *ph,
			 char *msg, size_t size)
{
	const void *addr = ph->family == AF_INET ? (const void *)&ph->addr.ip4 :
						   (const void *)ph->addr.b;
	char text[80];

	if (prefix_holds(&cfg->chute_pool, ph->family, addr, ph->prefixlen))
		return 0;
	for (int i = 0; i < cfg->n_ifaces; i++)
		for (int j = 0; cfg->ifaces[i].role == HEARTH_ROLE_LAN &&
				j < cfg->ifaces[i].n_prefixes; j++)
			if (prefix_holds(&cfg->ifaces[i].prefixes[j], ph->family, addr,
					 ph->prefixlen))
				return 0;
	snprintf(msg, size, "pinhole %s is not inside a LAN subnet",
		 hearth_pinhole_format(ph, text, sizeof(text)));
	return -EINVAL;
}

static int check_firewall(struct parse_ctx *pc)
{
	const struct hearth_config_fw *fw = &pc->cfg->fw;
	char msg[200];

	for (int i = 0; i < fw->n_open; i++) {
		bool lan = false;

		for (int j = 0; j < pc->cfg->n_ifaces; j++)
			lan |= pc->cfg->ifaces[j].role == HEARTH_ROLE_LAN &&
			       !strcmp(pc->cfg->ifaces[j].name, fw->open[i]);
		pc->line = fw->open_line[i];
		if (!lan)
			return fail(pc, "'firewall open' names '%s', which is not a 'lan' interface",
				    fw->open[i]);
	}
	for (int i = 0; i < fw->n_pinholes; i++) {
		pc->line = fw->pinhole_line[i];
		if (hearth_pinhole_check(pc->cfg, &fw->pinholes[i], msg, sizeof(msg)))
			return fail(pc, "%s", msg);
	}
	return 0;
}

static int check_complete(struct parse_ctx *pc)
{
	bool wan = false, lan = false;

	for (int i = 0; i < pc->cfg->n_ifaces; i++) {
		wan |= pc->cfg->ifaces[i].role == HEARTH_ROLE_WAN;
		lan |= pc->cfg->ifaces[i].role == HEARTH_ROLE_LAN;
	}
	if (!wan)
		return hearth_err_set(pc->err, EINVAL,
				      "%s: no 'wan' interface defined",
				      pc->path);
	if (!lan)
		return hearth_err_set(pc->err, EINVAL,
				      "%s: no 'lan' interface defined",
				      pc->path);
	return check_forwards(pc) ?: check_tenants(pc) ?: check_firewall(pc);
}

int hearth_config_load(const char *path, struct hearth_config *cfg,
		       struct hearth_err *err)
{
	struct parse_ctx pc = { .cfg = cfg, .err = err, .path = path };
	char line[MAX_LINE];
	FILE *f;
	int ret = 0;

	hearth_config_defaults(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	f = fopen(path, "r");
	if (!f)
		return hearth_err_set(err, errno, "%s: %s", path,
				      strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		pc.line++;
		if (!strchr(line, '\n') && !feof(f)) {
			ret = fail(&pc, "%s", "line too long");
			goto cleanup;
		}
		line[strcspn(line, "\n")] = '\0';
		ret = parse_line(&pc, line);
		if (ret)
			goto cleanup;
	}
	if (ferror(f)) {
		ret = hearth_err_set(err, EIO, "%s: read error", path);
		goto cleanup;
	}
	ret = check_complete(&pc);
	if (!ret && !cfg->privacy_key[0]) {
		/* beside the state file: kept, like it, across restarts */
		const char *slash = strrchr(cfg->state_file, '/');
		int dir = slash ? (int)(slash - cfg->state_file) : 0;

		snprintf(cfg->privacy_key, sizeof(cfg->privacy_key), "%.*s/privacy.key", dir,
			 cfg->state_file);
	}
cleanup:
	fclose(f);
	return ret;
}

bool hearth_config_lan_v4(const struct hearth_config *cfg, unsigned int len, __be32 addr)
{
	for (int i = 0; i < cfg->n_ifaces; i++) {
		const struct hearth_config_iface *ci = &cfg->ifaces[i];

		for (int j = 0; ci->role == HEARTH_ROLE_LAN && j < ci->n_prefixes; j++)
			if (ci->prefixes[j].family == AF_INET && ci->prefixes[j].len == len &&
			    ci->prefixes[j].addr.v4.s_addr == addr)
				return true;
	}
	return false;
}
