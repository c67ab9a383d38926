// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * hearthd: loads or adopts the pinned data plane, keeps it in step with the
 * configuration, the runtime changes and the kernel, and answers the local
 * API. This file: options, start, and the loop that serves signals,
 * netlink events, API clients and the timers (expiry, supervision).
 */
#include <errno.h>
#include <arpa/inet.h>
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

#include "../../util/clock.h"
#include "../lib/conntrack.h"
#include "../lib/natmap.h"
#include "../lib/dpstate.h"
#include "../lib/kclock.h"
#include "../lib/loader.h"
#include "../lib/teardown.h"
#include "../lib/nat.h"
#include "../lib/rundir.h"
#include "../../util/options.h"
#include "daemon.h"
#include "runtime.h"

#define HEARTH_DEFAULT_CONFIG "/etc/hearth/hearth.conf"
#define CT_EXPIRY_INTERVAL_MS 5000
#define CHUTE_SUPERVISE_INTERVAL_MS 500
/* signals, netlink, the API socket and its clients, the jobs, collectors */
#define MAX_POLL_FDS (5 + API_MAX_CLIENTS + MAX_JOBS + HEARTH_EXPORT_MAX_COLLECTORS)

void logmsg(const char *fmt, ...)
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

struct options {
	const char *config;
	bool check, help;
};

static const struct hearth_opt option_table[] = {
	HEARTH_OPT_STRING('c', "config", struct options, config, "FILE",
			  "configuration (default " HEARTH_DEFAULT_CONFIG ")"),
	HEARTH_OPT_FLAG(0, "check", struct options, check,
			"validate the configuration and exit"),
	HEARTH_OPT_STOP('h', "help", struct options, help, "this text"),
	{},
};

static const struct hearth_opts options = {
	.opts = option_table,
	.hint = "try 'hearthd --help'",
	.no_operands = true,
};

static void usage(FILE *out)
{
	char opts[512];

	hearth_opts_usage(&options, opts, sizeof(opts));
	fprintf(out, "Usage: hearthd [-c FILE] [--check]\n%s", opts);
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

/* Mappings no connection uses any more expire (connections expire in the
 * data plane itself). */
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
	ret = hearth_natmap_expire(&d->dp, &d->walker, now, d->hz);
	if (ret < 0)
		logmsg("mapping expiry: %s", strerror(-ret));
}

static void netlink_changes(struct daemon *d)
{
	unsigned int changes = hearth_nlwatch_drain(&d->nl);

	if (changes & (HEARTH_NL_LINK | HEARTH_NL_ADDR)) {
		sync_ifaces(d, SYNC_EVENT);
		sync_firewall(d, SYNC_EVENT);
		/* the WAN address is a home address to anonymize */
		hearth_flow_privacy_prefixes(&d->flows.privacy, &d->cfg);
	}
	if (changes)
		sync_nat(d, SYNC_EVENT);
	if (changes & HEARTH_NL_LINK)
		sync_tenants(d, SYNC_EVENT);
	if (changes)
		hearth_dp_bump_generation(&d->dp);
}

/* Timers run on deadlines, so that a stream of events cannot starve them;
 * API clients are served a line at a time, so none can hold the loop. */
static void run(struct daemon *d)
{
	long long next_expiry = hearth_monotonic_ms() + CT_EXPIRY_INTERVAL_MS;
	long long next_supervise = hearth_monotonic_ms();
	struct pollfd fds[MAX_POLL_FDS];

	while (!d->stopping) {
		long long due = next_expiry < next_supervise ? next_expiry : next_supervise;
		long long wait, flows_due = flows_tick(d, hearth_monotonic_ms());
		int n, nfds = 4, napi, njobs, nflows;
		long long metrics_wait = metrics_server_wait_ms(&d->metrics);

		if (flows_due < due)
			due = flows_due;
		due = api_server_expire(&d->api, hearth_monotonic_ms(), due);
		wait = due - hearth_monotonic_ms();
		if (metrics_wait >= 0 && metrics_wait < wait)
			wait = metrics_wait;
		fds[0] = (struct pollfd){ .fd = d->signal_fd, .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = hearth_nlwatch_fd(&d->nl), .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = hearth_ct_ends_fd(&d->ends), .events = POLLIN };
		fds[3] = (struct pollfd){ .fd = metrics_server_fd(&d->metrics), .events = POLLIN };
		njobs = jobs_pollfds(d, fds + 4, MAX_JOBS);
		napi = api_server_pollfds(&d->api, fds + 4 + njobs, MAX_POLL_FDS - 4 - njobs);
		/* TCP collectors: woken when they take bytes; served by the tick */
		nflows = flows_pollfds(d, fds + 4 + njobs + napi, MAX_POLL_FDS - 4 - njobs - napi);
		nfds += njobs + napi + nflows;
		n = poll(fds, nfds, wait > 0 ? (int)wait : 0);
		if (hearth_monotonic_ms() >= next_expiry) {
			expire_connections(d);
			next_expiry = hearth_monotonic_ms() + CT_EXPIRY_INTERVAL_MS;
		}
		if (hearth_monotonic_ms() >= next_supervise) {
			chute_supervise(&d->chutes, logmsg);
			probes_supervise(d);
			next_supervise = hearth_monotonic_ms() + CHUTE_SUPERVISE_INTERVAL_MS;
		}
		/* on its descriptor, and on its own timeouts (idle clients) */
		metrics_server_run(&d->metrics);
		if (n < 0 && errno != EINTR) {
			logmsg("poll: %s", strerror(errno));
			return;
		}
		if (n <= 0)
			continue;
		if ((fds[0].revents & POLLIN) && !handle_signal(d))
			return;
		if (fds[1].revents & POLLIN)
			netlink_changes(d);
		if (fds[2].revents & POLLIN)
			hearth_ct_ends_drain(&d->ends);
		jobs_serve(d, fds + 4, njobs);
		api_server_serve(&d->api, fds + 4 + njobs, napi);
	}
}

/* A key that is there must be fit to use before anything else starts;
 * one that is not is made once the start has succeeded (*@make_key), so
 * that a refused start leaves nothing behind. */
static int privacy_check(struct daemon *d, bool *make_key, struct hearth_err *err)
{
	bool created;
	int ret;

	*make_key = false;
	if (d->cfg.privacy_raw)
		return 0;
	ret = hearth_privacy_key(d->cfg.privacy_key, false, d->privacy_key, &created, err);
	*make_key = ret == -ENOENT;
	return *make_key ? 0 : ret;
}

/* What runs on the loaded data plane: the configuration, the API, the
 * ring of ends (what waited while hearthd was away is read at the first
 * poll), /metrics, and the privacy key when it is new. */
static int start_serving(struct daemon *d, bool make_key, struct hearth_err *err)
{
	bool created;
	int ret = sync_all(d, SYNC_START);

	if (!ret)
		ret = api_server_open(&d->api, d->cfg.run_dir, d->cfg.control_group, daemon_answer,
				      d, err);
	if (!ret) {
		ret = hearth_ct_ends_open(&d->ends, &d->dp, flows_ended, d);
		if (ret)
			hearth_err_set(err, -ret, "cannot read the ring of ended connections: %s",
				       strerror(-ret));
	}
	if (!ret)
		ret = metrics_server_open(&d->metrics, &d->cfg, d, err);
	if (!ret && make_key)
		ret = hearth_privacy_key(d->cfg.privacy_key, true, d->privacy_key, &created, err);
	if (!ret)
		ret = flows_open(d, err);
	if (!ret)
		ret = probes_open(d, err);
	return ret;
}

static int start(struct daemon *d)
{
	struct hearth_err err = {};
	bool make_key;
	int ret;

	d->pid_fd = hearth_pidfile_claim(d->cfg.run_dir, &err);
	if (d->pid_fd < 0) {
		logmsg("%s", err.msg);
		return d->pid_fd;
	}
	/* a state file hearthd cannot read stops it: starting without the
	 * operator's runtime changes would undo them silently */
	ret = state_load(&d->state, d->cfg.state_file, &err);
	if (!ret)
		ret = privacy_check(d, &make_key, &err);
	/* subscribe before loading so no change slips between the two */
	if (!ret)
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
	runtime_adopt(d);
	d->hz = hearth_kernel_hz();
	ret = start_serving(d, make_key, &err);
	if (ret) {
		if (err.msg[0])
			logmsg("%s", err.msg);
		if (!d->dp.adopted && !d->dp.replaced)
			hearth_dp_teardown(d->cfg.pin_dir, NULL);
		return ret;
	}
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
	static struct daemon d = { .signal_fd = -1, .pid_fd = -1, .api.listen_fd = -1 };
	struct options o = { .config = HEARTH_DEFAULT_CONFIG };
	struct hearth_err err = {};
	const char *config;
	int ret;

	if (hearth_opts_parse(&options, argc, argv, &o, &err) < 0) {
		logmsg("%s", err.msg);
		return 2;
	}
	if (o.help) {
		usage(stdout);
		return 0;
	}
	config = o.config;
	if (hearth_config_load(config, &d.cfg, &err)) {
		logmsg("%s", err.msg);
		return 1;
	}
	if (o.check) {
		printf("%s: ok, %d interfaces\n", config, d.cfg.n_ifaces);
		return 0;
	}
	libbpf_set_print(libbpf_quiet);
	ret = start(&d);
	if (!ret)
		run(&d);
	metrics_server_close(&d.metrics);
	api_server_close(&d.api);
	if (d.signal_fd >= 0)
		close(d.signal_fd);
	hearth_nlwatch_close(&d.nl);
	flows_close(&d);
	probes_close(&d);
	hearth_ct_walker_free(&d.walker);
	hearth_ct_ends_close(&d.ends);
	hearth_dp_close(&d.dp);
	hearth_pidfile_release(d.cfg.run_dir, d.pid_fd);
	return ret ? 1 : 0;
}
