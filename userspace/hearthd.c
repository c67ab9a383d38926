// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearthd: loads or adopts the pinned data plane, keeps its interface table
 * in step with the configuration and the kernel, and invalidates cached
 * forwarding decisions on every route, neighbour or link change.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <getopt.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "lib/config.h"
#include "lib/conntrack.h"
#include "lib/attach.h"
#include "lib/dataplane.h"
#include "lib/dpstate.h"
#include "lib/ifaces.h"
#include "lib/kclock.h"
#include "lib/loader.h"
#include "lib/nat.h"
#include "lib/shaper.h"
#include "lib/tenant.h"
#include "lib/nlwatch.h"
#include "lib/rundir.h"
#include "lib/isolate.h"
#include "lib/teardown.h"
#include "../sandbox/chute.h"

#define HEARTH_DEFAULT_CONFIG "/etc/hearth/hearth.conf"
#define CT_EXPIRY_INTERVAL_MS 5000
#define CHUTE_SUPERVISE_INTERVAL_MS 500

struct daemon {
	struct hearth_config cfg;
	struct hearth_dp dp;
	struct hearth_nlwatch nl;
	int signal_fd;
	int pid_fd;
	unsigned int hz;
	bool clock_warned;
	in_addr_t nat_addr; /* what connections were translated to, even
			     * across NAT being turned off and on */
	struct chute_env chutes;
};

__attribute__((format(printf, 1, 2))) static void logmsg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hearthd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: hearthd [-c FILE] [--check]\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"      --check        validate the configuration and exit\n"
		"  -h, --help         this text\n",
		HEARTH_DEFAULT_CONFIG);
}

/* Slots whose interface the configuration no longer names are released. */
static void drop_unconfigured(struct daemon *d)
{
	struct hearth_iface iface;

	for (__u32 slot = 1; slot < HEARTH_MAX_IFACES; slot++) {
		bool wanted = false;

		if (hearth_dp_iface_get(&d->dp, slot, &iface))
			continue;
		if (iface.role == HEARTH_ROLE_CHUTE)
			continue; /* the chute runtime's, not the config's */
		for (int i = 0; i < d->cfg.n_ifaces; i++)
			wanted |= !strncmp(iface.name, d->cfg.ifaces[i].name,
					   sizeof(iface.name));
		if (!wanted) {
			logmsg("%s is no longer configured, detaching", iface.name);
			hearth_dp_iface_down(&d->dp, slot);
		}
	}
}

enum sync_mode {
	SYNC_START, /* the first failure is fatal */
	SYNC_RELOAD, /* failures are logged, missing interfaces named */
	SYNC_EVENT, /* interfaces come and go: failures are logged */
};

/* Brings every configured interface up (an interface can vanish and come
 * back at run time; it is attached again when it does). */
static int sync_ifaces(struct daemon *d, enum sync_mode mode)
{
	struct hearth_err err = {};
	int ret;

	for (int i = 0; i < d->cfg.n_ifaces; i++) {
		const struct hearth_config_iface *ci = &d->cfg.ifaces[i];

		ret = hearth_dp_iface_up(&d->dp, ci->name, ci->role,
					 d->cfg.xdp_mode, &err);
		if (ret && mode == SYNC_START) {
			logmsg("%s:%d: %s", d->cfg.path, ci->line, err.msg);
			return ret;
		}
		if (ret == -ENODEV) {
			/* gone: its old ifindex may be handed to another device */
			__u32 slot = hearth_dp_slot_of(&d->dp, ci->name);

			if (slot)
				hearth_dp_iface_forget(&d->dp, slot);
			else if (mode == SYNC_RELOAD)
				logmsg("%s:%d: interface '%s' does not exist yet; attaching when it appears",
				       d->cfg.path, ci->line, ci->name);
		} else if (ret) {
			logmsg("%s", err.msg);
		}
	}
	return 0;
}

static const struct hearth_config_iface *config_wan(const struct hearth_config *cfg)
{
	for (int i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].role == HEARTH_ROLE_WAN)
			return &cfg->ifaces[i];
	return NULL;
}

static void warn_port_overlap(const struct hearth_config *cfg)
{
	unsigned int lo, hi;

	if (hearth_nat_range_overlaps_local(cfg->nat_port_min, cfg->nat_port_max, &lo, &hi))
		logmsg("nat: ports %u-%u overlap the kernel's ephemeral ports %u-%u; replies to the gateway's own connections may be taken for a home host's",
		       cfg->nat_port_min, cfg->nat_port_max, lo, hi);
}

/* The WAN egress filter, the inside subnets and the NAT settings, with the
 * WAN's address as it is now (it may come and go with DHCP). */
static int sync_nat(struct daemon *d, enum sync_mode mode)
{
	const struct hearth_config_iface *wan = config_wan(&d->cfg);
	__u32 ifindex = wan ? if_nametoindex(wan->name) : 0;
	in_addr_t addr = ifindex ? hearth_iface_ipv4(wan->name) : 0;
	struct hearth_err err = {};
	int ret = 0;

	if (mode != SYNC_EVENT) {
		ret = hearth_nat_inside_sync(&d->dp, &d->cfg);
		if (!ret)
			ret = hearth_nat_forwards_sync(&d->dp, &d->cfg);
		if (!ret)
			ret = hearth_isolate_sync(&d->dp, &d->cfg);
	}
	if (ret)
		hearth_err_set(&err, ret, "cannot write the NAT subnets and forwards: %s",
			       strerror(-ret));
	if (!ret && ifindex)
		ret = hearth_tc_attach(&d->dp, ifindex, &err);
	if (!ret)
		ret = hearth_nat_apply(&d->dp, &d->cfg, ifindex, addr, &err);
	/* translations to a gone address can only black-hole */
	if (!ret && d->cfg.nat_masquerade && addr != d->nat_addr) {
		char text[INET_ADDRSTRLEN];
		struct in_addr old = { .s_addr = d->nat_addr };

		if (d->nat_addr) {
			logmsg("nat: WAN address %s gone, %d connections dropped",
			       inet_ntop(AF_INET, &old, text, sizeof(text)),
			       hearth_ct_flush(&d->dp));
			/* the per-CPU lines copy them: retire those at once */
			hearth_dp_bump_generation(&d->dp);
		}
		d->nat_addr = addr;
	}
	if (ret) {
		logmsg("%s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	if (d->cfg.nat_masquerade && !addr && mode != SYNC_EVENT)
		logmsg("nat: %s has no IPv4 address yet; new connections are refused (leak-blocked) until it has one",
		       wan ? wan->name : "the WAN");
	if (d->cfg.nat_masquerade && mode != SYNC_EVENT)
		warn_port_overlap(&d->cfg);
	return 0;
}

/* The WAN link's capacities, the configured tenants and the upload
 * shaper; runtime tenants (hearth tenant add) stay as they are. */
static int sync_tenants(struct daemon *d, enum sync_mode mode)
{
	const struct hearth_config_iface *wan = config_wan(&d->cfg);
	__u32 ifindex = wan ? if_nametoindex(wan->name) : 0;
	__u32 slot = wan ? hearth_dp_slot_of(&d->dp, wan->name) : 0;
	struct hearth_err err = {};
	int ret;

	ret = hearth_link_apply(&d->dp, d->cfg.capacity, ifindex ? slot : 0, &err);
	if (!ret && mode != SYNC_EVENT)
		ret = hearth_tenants_sync(&d->dp, &d->cfg, &err);
	if (!ret && ifindex)
		ret = hearth_shaper_sync(&d->dp, ifindex, &err);
	if (ret) {
		logmsg("tenants: %s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	return 0;
}

/* The CLI finds the chute dir and pool where hearthd says. */
static int sync_chutes(struct daemon *d, enum sync_mode mode)
{
	struct hearth_err err = {};
	int ret = chute_env_save(&d->cfg, &err);

	chute_env_from_config(&d->chutes, &d->cfg);
	d->chutes.dp = &d->dp;
	if (ret) {
		logmsg("chutes: %s", err.msg);
		return mode == SYNC_START ? ret : 0;
	}
	return 0;
}

static int setup_signals(void)
{
	sigset_t mask;
	int fd;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL))
		return -errno;
	fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	return fd < 0 ? -errno : fd;
}

/* What a reload cannot change without a restart (they shape the loaded
 * program or where its state lives). */
static void warn_restart_needed(const struct hearth_config *old,
				const struct hearth_config *new)
{
	if (strcmp(old->pin_dir, new->pin_dir))
		logmsg("reload: pin-dir changes on restart only");
	if (strcmp(old->run_dir, new->run_dir))
		logmsg("reload: run-dir changes on restart only");
	if (old->fib_cache_ttl_ms != new->fib_cache_ttl_ms)
		logmsg("reload: fib-cache-ttl is a load-time setting, applied on restart");
	if (old->xdp_mode != new->xdp_mode)
		logmsg("reload: xdp-mode applies to newly attached interfaces only");
}

/* SIGHUP: re-read the file; a bad one changes nothing. */
static void reload(struct daemon *d)
{
	struct hearth_config *cfg = malloc(sizeof(*cfg));
	struct hearth_err err = {};
	int ret;

	if (!cfg) {
		logmsg("reload: out of memory");
		return;
	}
	if (hearth_config_load(d->cfg.path, cfg, &err)) {
		logmsg("reload refused, keeping the running configuration: %s", err.msg);
		goto cleanup;
	}
	warn_restart_needed(&d->cfg, cfg);
	/* keep what needs a restart as it runs */
	snprintf(cfg->pin_dir, sizeof(cfg->pin_dir), "%s", d->cfg.pin_dir);
	snprintf(cfg->run_dir, sizeof(cfg->run_dir), "%s", d->cfg.run_dir);
	cfg->fib_cache_ttl_ms = d->cfg.fib_cache_ttl_ms;
	d->cfg = *cfg;
	drop_unconfigured(d);
	sync_ifaces(d, SYNC_RELOAD);
	sync_nat(d, SYNC_RELOAD);
	sync_tenants(d, SYNC_RELOAD);
	sync_chutes(d, SYNC_RELOAD);
	ret = hearth_dp_set_flags(&d->dp, d->cfg.fib_cache ? 0 : HEARTH_STATE_NO_FIB_CACHE);
	if (!ret)
		ret = hearth_dp_bump_generation(&d->dp);
	logmsg("reloaded %s: %d interfaces%s", d->cfg.path, d->cfg.n_ifaces,
	       ret ? " (could not update the data plane state)" : "");
cleanup:
	free(cfg);
}

/* Returns 1 to keep running, 0 on a stop signal. */
static int handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->signal_fd, &si, sizeof(si)) != sizeof(si))
		return 1;
	if (si.ssi_signo == SIGHUP) {
		reload(d);
		return 1;
	}
	logmsg("%s: stopping; the pinned data plane keeps forwarding",
	       strsignal(si.ssi_signo));
	return 0;
}

static long long monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Connections idle past their timeout leave the table. */
static void expire_connections(struct daemon *d)
{
	__u64 now;
	int ret = hearth_jiffies_now(&now);

	if (ret) {
		if (!d->clock_warned)
			logmsg("cannot read jiffies from /proc/timer_list (%s): connections do not expire",
			       strerror(-ret));
		d->clock_warned = true;
		return;
	}
	ret = hearth_ct_expire(&d->dp, now, d->hz);
	if (ret < 0)
		logmsg("connection expiry: %s", strerror(-ret));
}

static void run(struct daemon *d)
{
	struct pollfd fds[2] = {
		{ .fd = d->signal_fd, .events = POLLIN },
		{ .fd = hearth_nlwatch_fd(&d->nl), .events = POLLIN },
	};

	long long next_expiry = monotonic_ms() + CT_EXPIRY_INTERVAL_MS;
	long long next_supervise = monotonic_ms();

	for (;;) {
		long long due = next_expiry < next_supervise ? next_expiry : next_supervise;
		long long wait = due - monotonic_ms();
		int n = poll(fds, 2, wait > 0 ? (int)wait : 0);

		/* on deadlines, so that a stream of events cannot starve them */
		if (monotonic_ms() >= next_expiry) {
			expire_connections(d);
			next_expiry = monotonic_ms() + CT_EXPIRY_INTERVAL_MS;
		}
		if (monotonic_ms() >= next_supervise) {
			chute_supervise(&d->chutes, logmsg);
			next_supervise = monotonic_ms() + CHUTE_SUPERVISE_INTERVAL_MS;
		}
		if (n == 0)
			continue;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			logmsg("poll: %s", strerror(errno));
			return;
		}
		if ((fds[0].revents & POLLIN) && !handle_signal(d))
			return;
		if (fds[1].revents & POLLIN) {
			unsigned int changes = hearth_nlwatch_drain(&d->nl);

			if (changes & HEARTH_NL_LINK)
				sync_ifaces(d, SYNC_EVENT);
			if (changes)
				sync_nat(d, SYNC_EVENT);
			if (changes & HEARTH_NL_LINK)
				sync_tenants(d, SYNC_EVENT);
			if (changes)
				hearth_dp_bump_generation(&d->dp);
		}
	}
}

static int start(struct daemon *d)
{
	struct hearth_err err = {};
	int ret;

	d->pid_fd = hearth_pidfile_claim(d->cfg.run_dir, &err);
	if (d->pid_fd < 0) {
		logmsg("%s", err.msg);
		return d->pid_fd;
	}
	/* subscribe before loading so no change slips between the two */
	ret = hearth_nlwatch_open(&d->nl, &err);
	if (!ret)
		ret = hearth_dp_load(&d->dp, &d->cfg, &err);
	if (ret) {
		logmsg("%s", err.msg);
		return ret;
	}
	/* adopted connections were translated to what the data plane says; a
	 * WAN address that changed while hearthd was away is caught below */
	d->nat_addr = hearth_nat_current_addr(&d->dp);
	/* release slots first, so a swapped interface finds one free */
	drop_unconfigured(d);
	ret = sync_ifaces(d, SYNC_START);
	if (!ret)
		ret = sync_nat(d, SYNC_START);
	if (!ret)
		ret = sync_tenants(d, SYNC_START);
	if (!ret)
		ret = sync_chutes(d, SYNC_START);
	if (ret) {
		if (!d->dp.adopted && !d->dp.replaced)
			hearth_dp_teardown(d->cfg.pin_dir, NULL);
		return ret;
	}
	hearth_dp_bump_generation(&d->dp);
	d->hz = hearth_kernel_hz();
	d->signal_fd = setup_signals();
	if (d->signal_fd < 0) {
		logmsg("signalfd: %s", strerror(-d->signal_fd));
		return d->signal_fd;
	}
	/* one line once everything is up: a refused start prints only why */
	logmsg("%s the data plane at %s (program id %u), running with %d interfaces",
	       d->dp.adopted ? "adopted" : d->dp.replaced ? "upgraded" : "loaded",
	       d->cfg.pin_dir, d->dp.prog_id, d->cfg.n_ifaces);
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	struct daemon d = { .signal_fd = -1, .pid_fd = -1 };
	const char *config = HEARTH_DEFAULT_CONFIG;
	struct hearth_err err = {};
	bool check_only = false;
	int opt, ret;

	opterr = 0; /* one line of our own instead of getopt's */
	while ((opt = getopt_long(argc, argv, "+:c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'C':
			check_only = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case ':':
			logmsg("option '%s' needs an argument", argv[optind - 1]);
			return 2;
		default:
			if (optopt)
				logmsg("bad option '-%c'; try 'hearthd --help'", optopt);
			else
				logmsg("bad option '%s'; try 'hearthd --help'",
				       argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		logmsg("unexpected argument '%s'", argv[optind]);
		return 2;
	}
	if (hearth_config_load(config, &d.cfg, &err)) {
		logmsg("%s", err.msg);
		return 1;
	}
	if (check_only) {
		printf("%s: ok, %d interfaces\n", config, d.cfg.n_ifaces);
		return 0;
	}
	libbpf_set_print(libbpf_quiet);
	ret = start(&d);
	if (!ret)
		run(&d);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	hearth_nlwatch_close(&d.nl);
	hearth_dp_close(&d.dp);
	hearth_pidfile_release(d.cfg.run_dir, d.pid_fd);
	return ret ? 1 : 0;
}
