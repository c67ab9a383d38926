// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearthd's flow export (flows.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/sha.h>

#include "../../util/clock.h"
#include "../../util/files.h"
#include "../lib/conntrack.h"
#include "../lib/flow_json.h"
#include "../lib/probe_record.h"
#include "../lib/tenant.h"
#include "daemon.h"
#include "flows.h"

/* The observation domain when none is configured: the same across
 * restarts, different between gateways, telling nothing of the key. */
static __u32 default_domain(const struct daemon *d)
{
	__u8 digest[SHA256_DIGEST_LENGTH], seed[64] = { 0 };
	size_t len = sizeof(d->privacy_key);
	FILE *f;

	if (!d->cfg.privacy_raw) {
		memcpy(seed, d->privacy_key, len);
	} else {
		/* no key is read with privacy raw: the machine's id */
		f = fopen("/etc/machine-id", "re");
		len = f ? fread(seed, 1, sizeof(seed), f) : 0;
		if (f)
			fclose(f);
	}
	SHA256(seed, len, digest);
	return (__u32)digest[0] << 24 | (__u32)digest[1] << 16 | (__u32)digest[2] << 8 | digest[3];
}

/* A connection live at the start, what was reported of it not known. */
static int adopt_one(const struct hearth_conn *c, void *arg)
{
	struct daemon *d = arg;

	hearth_flow_reports_adopt(&d->flows.reports, c, &d->flows.clock, (__u64)hearth_wall_ms());
	return 0;
}

/* What long flows reported, kept from one run to the next (flow_reports.h). */
static void reports_path(const struct daemon *d, char *buf, size_t size)
{
	snprintf(buf, size, "%s/flow-reports", d->cfg.run_dir);
}

/* A rotated flow log is compressed in a child (jobs.h), so that the loop
 * never waits for zlib; with no child to spare, the log does it itself. */
static struct compress_job {
	struct hearth_flowlog_cfg cfg;
	char rotated[PATH_MAX + 16];
} compress_job; /* the child has its own copy from the fork */

static int compress_work(void *arg, struct hearth_err *err)
{
	const struct compress_job *job = arg;

	return hearth_flowlog_finish(&job->cfg, job->rotated, err);
}

static int compress_in_child(void *ctx, const struct hearth_flowlog_cfg *cfg, const char *rotated)
{
	struct json_object *answer;

	compress_job.cfg = *cfg;
	snprintf(compress_job.rotated, sizeof(compress_job.rotated), "%s", rotated);
	answer = job_start(ctx, 0, compress_work, &compress_job);
	if (answer == API_ANSWER_LATER)
		return 0;
	json_object_put(answer);
	return -EBUSY;
}

static int exporters_open(struct daemon *d, struct hearth_err *err)
{
	struct flow_export *fx = &d->flows;
	int ret = 0;

	fx->cfg = d->cfg.export;
	fx->domain = fx->cfg.domain_set ? fx->cfg.domain : default_domain(d);
	for (int i = 0; i < fx->cfg.n_ipfix && !ret; i++) {
		ret = hearth_ipfix_open(&fx->ipfix[i], &fx->cfg.ipfix[i], fx->domain,
					!d->cfg.privacy_raw, err);
		if (!ret)
			fx->n_ipfix++;
	}
	if (!ret && fx->cfg.log_on) {
		ret = hearth_flowlog_open(&fx->log, &fx->cfg.log, time(NULL), err);
		fx->log_open = !ret;
		fx->log.compress = compress_in_child;
		fx->log.compress_ctx = d;
	}
	fx->log_error[0] = '\0';
	return ret;
}

static void exporters_close(struct flow_export *fx)
{
	for (int i = 0; i < fx->n_ipfix; i++)
		hearth_ipfix_close(fx->ipfix[i]);
	fx->n_ipfix = 0;
	if (fx->log_open)
		hearth_flowlog_close(&fx->log);
	fx->log_open = false;
}

int flows_open(struct daemon *d, struct hearth_err *err)
{
	struct flow_export *fx = &d->flows;
	int sets = hearth_ct_capacity(&d->dp), ret;

	if (sets < 0)
		return hearth_err_set(err, -sets, "flow export: cannot size the table: %s",
				      strerror(-sets));
	ret = hearth_flow_reports_init(&fx->reports, (__u32)sets / HEARTH_CT_WAYS,
				       d->cfg.export.active_timeout_s);
	if (!ret)
		ret = hearth_flow_privacy_init(&fx->privacy, d->cfg.privacy_raw, d->privacy_key);
	if (ret)
		return hearth_err_set(err, -ret, "flow export: %s", strerror(-ret));
	hearth_flow_privacy_prefixes(&fx->privacy, &d->cfg);
	fx->clock_ok = !hearth_flow_clock_read(&fx->clock, d->hz);
	reports_path(d, fx->reports_path, sizeof(fx->reports_path));
	/* adopted only where something exports: else nothing reports them */
	if (hearth_flow_reports_load(&fx->reports, fx->reports_path) == -ENOENT && fx->clock_ok &&
	    hearth_export_any(&d->cfg.export))
		hearth_ct_walker_run(&d->walker, &d->dp, fx->clock.jiffies, fx->clock.hz,
				     adopt_one, d);
	fx->next_walk_ms = hearth_monotonic_ms() + FLOWS_WALK_MS;
	return exporters_open(d, err);
}

void flows_reconfigure(struct daemon *d)
{
	struct hearth_err err = {};

	exporters_close(&d->flows);
	d->flows.clock_ok = !hearth_flow_clock_read(&d->flows.clock, d->hz);
	d->flows.reports.active_timeout_s = d->cfg.export.active_timeout_s;
	hearth_flow_privacy_prefixes(&d->flows.privacy, &d->cfg);
	if (exporters_open(d, &err))
		logmsg("flow export: %s", err.msg);
}

void flows_close(struct daemon *d)
{
	int ret;

	if (d->flows.reports.rows && d->flows.reports_path[0] && hearth_export_any(&d->flows.cfg)) {
		ret = hearth_flow_reports_save(&d->flows.reports, d->flows.reports_path);
		if (ret)
			logmsg("flow export: cannot keep what was reported in %s: %s",
			       d->flows.reports_path, strerror(-ret));
	}
	exporters_close(&d->flows);
	hearth_flow_reports_free(&d->flows.reports);
	hearth_flow_privacy_free(&d->flows.privacy);
}

static const char *tenant_name(struct daemon *d, __u16 id, struct hearth_tenant *t)
{
	if (id == HEARTH_TENANT_HOME || hearth_tenant_get(&d->dp, id, t) || !t->in_use)
		return id == HEARTH_TENANT_HOME ? "home" : "unknown";
	t->name[sizeof(t->name) - 1] = '\0';
	return t->name;
}

/* One line into the flow log; a write that fails stops the log. */
static bool log_write(struct daemon *d, const char *line, size_t len)
{
	struct flow_export *fx = &d->flows;
	struct hearth_err err = {};

	if (!hearth_flowlog_write(&fx->log, line, len, time(NULL), hearth_monotonic_ms(), &err)) {
		fx->log_lines++;
		return true;
	}
	/* a full disk stops the log, not the daemon */
	snprintf(fx->log_error, sizeof(fx->log_error), "%.199s", err.msg);
	logmsg("%s: the flow log stops here (hearth status shows it; SIGHUP starts it again)",
	       err.msg);
	hearth_flowlog_close(&fx->log);
	fx->log_open = false;
	return false;
}

static void log_line(struct daemon *d, const struct hearth_flow *f)
{
	char line[HEARTH_FLOW_JSON_MAX];
	struct hearth_tenant t;
	int len = hearth_flow_json(f, tenant_name(d, f->tenant, &t), line, sizeof(line));

	if (len >= 0)
		log_write(d, line, (size_t)len);
}

void flows_probe_record(struct daemon *d, const char *probe, __u64 wall_ms,
			struct json_object *record)
{
	struct json_object *o;
	const char *line;

	if (!d->cfg.probe_export || !d->flows.log_open) {
		json_object_put(record);
		return;
	}
	o = hearth_probe_rec_json(probe, wall_ms, record);
	line = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						  JSON_C_TO_STRING_NOSLASHESCAPE);
	if (log_write(d, line, strlen(line)))
		d->flows.probe_lines++;
	json_object_put(o);
}

/* One record to every exporter, its home addresses anonymized first. */
static void flow_out(struct daemon *d, struct hearth_flow *f)
{
	struct flow_export *fx = &d->flows;
	long long now = hearth_monotonic_ms();

	if (hearth_flow_anonymize(&fx->privacy, f)) {
		fx->anonymize_errors++; /* never sent raw */
		return;
	}
	fx->records++;
	for (int i = 0; i < fx->n_ipfix; i++)
		hearth_ipfix_add(fx->ipfix[i], f, now);
	if (fx->log_open)
		log_line(d, f);
}

void flows_ended(void *ctx, const struct hearth_ct_end *end)
{
	struct daemon *d = ctx;
	struct hearth_flow f;

	if (!d->flows.clock_ok || !hearth_export_any(&d->flows.cfg))
		return;
	hearth_flow_from_end(&f, end, &d->flows.clock);
	hearth_flow_reports_end(&d->flows.reports, end, &f);
	flow_out(d, &f);
}

/* A connection about to be flushed, as an end record of its own. */
static int forced_one(const struct hearth_conn *c, void *arg)
{
	struct hearth_ct_end end = { .reason = HEARTH_CT_END_FORCED, .halves = 1 };
	struct daemon *d = arg;
	struct hearth_conn timed = *c;

	hearth_ct_walker_rtt(&d->walker, &timed);
	end.rtt = timed.rtt;
	end.half[HEARTH_CT_ORIG].key = c->key;
	end.half[HEARTH_CT_ORIG].e = c->orig;
	if (c->reply.gen) {
		end.half[HEARTH_CT_REPLY].key = c->orig.peer;
		end.half[HEARTH_CT_REPLY].e = c->reply;
		end.halves |= 1 << HEARTH_CT_REPLY;
	}
	flows_ended(arg, &end);
	return 0;
}

void flows_flushing(struct daemon *d)
{
	if (!d->flows.clock_ok || !hearth_export_any(&d->flows.cfg))
		return;
	hearth_ct_ends_drain(&d->ends);
	hearth_ct_walker_run(&d->walker, &d->dp, d->flows.clock.jiffies, d->flows.clock.hz,
			     forced_one, d);
}

struct walk_ctx {
	struct daemon *d;
	__u64 now_ms;
};

static int walk_one(const struct hearth_conn *c, void *arg)
{
	struct walk_ctx *w = arg;
	struct flow_export *fx = &w->d->flows;
	struct hearth_conn timed;
	struct hearth_flow f;

	/* most connections are not due: judged before their times are read */
	if (!hearth_flow_reports_due(&fx->reports, c, &fx->clock, w->now_ms))
		return 0;
	timed = *c;
	hearth_ct_walker_rtt(&w->d->walker, &timed);
	if (hearth_flow_reports_live(&fx->reports, &timed, &fx->clock, w->now_ms, &f)) {
		fx->active_reports++;
		flow_out(w->d, &f);
	}
	return 0;
}

/* Long flows' reports: ends waiting in the ring are read first, so that a
 * connection's end is never taken for a live one. */
static void walk(struct daemon *d)
{
	struct flow_export *fx = &d->flows;
	struct walk_ctx w = { .d = d, .now_ms = (__u64)hearth_wall_ms() };

	hearth_ct_ends_drain(&d->ends);
	hearth_flow_reports_walk_begin(&fx->reports);
	hearth_ct_walker_run(&d->walker, &d->dp, fx->clock.jiffies, fx->clock.hz, walk_one, &w);
	hearth_flow_reports_walk_end(&fx->reports);
}

long long flows_tick(struct daemon *d, long long now_ms)
{
	struct flow_export *fx = &d->flows;
	struct hearth_err err = {};

	/* The clock costs a read of /proc/timer_list: only exports need it. */
	if (now_ms >= fx->next_tick_ms) {
		if (hearth_export_any(&fx->cfg))
			fx->clock_ok = !hearth_flow_clock_read(&fx->clock, d->hz);
		fx->next_tick_ms = now_ms + 1000;
	}
	if (now_ms >= fx->next_walk_ms) {
		if (fx->clock_ok && hearth_export_any(&fx->cfg))
			walk(d);
		fx->next_walk_ms = now_ms + FLOWS_WALK_MS;
	}
	for (int i = 0; i < fx->n_ipfix; i++)
		hearth_ipfix_flush(fx->ipfix[i], now_ms);
	if (fx->log_open && hearth_flowlog_tick(&fx->log, time(NULL), now_ms, &err))
		logmsg("%s", err.msg);
	return fx->next_tick_ms < fx->next_walk_ms ? fx->next_tick_ms : fx->next_walk_ms;
}

int flows_pollfds(struct daemon *d, struct pollfd *fds, int max)
{
	int n = 0;

	for (int i = 0; i < d->flows.n_ipfix && n < max; i++) {
		short events;
		int fd = hearth_ipfix_pollfd(d->flows.ipfix[i], &events);

		if (fd >= 0)
			fds[n++] = (struct pollfd){ .fd = fd, .events = events };
	}
	return n;
}

static struct json_object *collector_json(const struct flow_export *fx,
					  const struct hearth_ipfix *x)
{
	const struct hearth_ipfix_stats *s = hearth_ipfix_stats(x);
	const struct hearth_ipfix_target *t = hearth_ipfix_target(x);
	struct json_object *o = json_object_new_object();
	char label[80];

	json_object_object_add(o, "collector", json_object_new_string(t->text));
	/* how /metrics names it: a home address anonymized, as in the exports */
	if (hearth_flow_privacy_endpoint(&fx->privacy, &t->addr, label, sizeof(label)))
		snprintf(label, sizeof(label), "hidden");
	json_object_object_add(o, "label", json_object_new_string(label));
	json_object_object_add(o, "transport",
			       json_object_new_string(t->transport == HEARTH_IPFIX_TLS ? "tls" :
						      t->transport == HEARTH_IPFIX_TCP ? "tcp" :
											 "udp"));
	json_object_object_add(o, "records", json_object_new_uint64(s->records));
	json_object_object_add(o, "messages", json_object_new_uint64(s->messages));
	json_object_object_add(o, "bytes", json_object_new_uint64(s->bytes));
	json_object_object_add(o, "dropped_messages", json_object_new_uint64(s->dropped_messages));
	json_object_object_add(o, "dropped_records", json_object_new_uint64(s->dropped_records));
	json_object_object_add(o, "errors", json_object_new_uint64(s->errors));
	json_object_object_add(o, "last_error",
			       json_object_new_string(s->last_error[0] ? s->last_error :
						      s->last_errno ? strerror(s->last_errno) : ""));
	return o;
}

struct json_object *flows_json(const struct daemon *d)
{
	const struct flow_export *fx = &d->flows;
	struct json_object *o = json_object_new_object(), *list = json_object_new_array();

	json_object_object_add(o, "records", json_object_new_uint64(fx->records));
	json_object_object_add(o, "active_reports", json_object_new_uint64(fx->active_reports));
	json_object_object_add(o, "anonymize_errors", json_object_new_uint64(fx->anonymize_errors));
	/* live connections taken at their counts after an unclean stop */
	json_object_object_add(o, "adopted", json_object_new_uint64(fx->reports.adopted));
	json_object_object_add(o, "observation_domain", json_object_new_uint64(fx->domain));
	json_object_object_add(o, "active_timeout_s",
			       json_object_new_uint64(fx->cfg.active_timeout_s));
	for (int i = 0; i < fx->n_ipfix; i++)
		json_object_array_add(list, collector_json(fx, fx->ipfix[i]));
	json_object_object_add(o, "ipfix", list);
	if (fx->cfg.log_on) {
		struct json_object *log = json_object_new_object();

		json_object_object_add(log, "path", json_object_new_string(fx->cfg.log.path));
		json_object_object_add(log, "running", json_object_new_boolean(fx->log_open));
		json_object_object_add(log, "lines", json_object_new_uint64(fx->log_lines));
		/* of them, probes' records (probe-export) */
		json_object_object_add(log, "probe_lines", json_object_new_uint64(fx->probe_lines));
		json_object_object_add(log, "error", json_object_new_string(fx->log_error));
		json_object_object_add(o, "log", log);
	}
	return o;
}
