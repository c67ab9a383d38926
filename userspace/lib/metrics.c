// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Prometheus metrics from the JSON the CLI shows, so that both read the
 * maps one way. Names and units follow Prometheus' conventions: counters
 * end in _total, sizes in _bytes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conntrack.h"
#include "metrics.h"
#include "stats_show.h"
#include "rtt_hist.h"
#include "tenant_show.h"

/* A label value, with \, " and newlines escaped as the format asks. */
static void label_value(FILE *f, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static __u64 u64_of(struct json_object *o, const char *key)
{
	return (__u64)json_object_get_uint64(json_object_object_get(o, key));
}

static const char *str_of(struct json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

/* hearth_packets_total / hearth_bytes_total{interface, role, class, reason} */
static void interface_metrics(FILE *f, struct json_object *ifaces, const char *what,
			      const char *key)
{
	for (size_t i = 0; i < json_object_array_length(ifaces); i++) {
		struct json_object *o = json_object_array_get_idx(ifaces, i);
		struct json_object *counters = json_object_object_get(o, "counters");

		json_object_object_foreach(counters, reason, c) {
			fprintf(f, "hearth_%s_total{interface=\"", what);
			label_value(f, str_of(o, "name") ?: "unregistered");
			fputs("\",role=\"", f);
			label_value(f, str_of(o, "role") ?: "");
			fputs("\",class=\"", f);
			label_value(f, str_of(c, "class"));
			fputs("\",reason=\"", f);
			label_value(f, reason);
			fprintf(f, "\"} %llu\n", (unsigned long long)u64_of(c, key));
		}
	}
}

static int interfaces(FILE *f, struct hearth_dp *dp)
{
	struct json_object *root = NULL, *ifaces;
	int ret = hearth_stats_json(dp, NULL, &root);

	if (ret)
		return ret;
	ifaces = json_object_object_get(root, "interfaces");
	family(f, "hearth_packets_total", "counter",
	       "Packets by the interface they came in by (egress reasons: went out by) and what became of them.");
	interface_metrics(f, ifaces, "packets", "packets");
	family(f, "hearth_bytes_total", "counter", "Bytes (frames) of hearth_packets_total.");
	interface_metrics(f, ifaces, "bytes", "bytes");
	json_object_put(root);
	return 0;
}

static void tenant_line(FILE *f, const char *metric, const char *tenant, const char *dir,
			const char *reason, __u64 v)
{
	fprintf(f, "%s{tenant=\"", metric);
	label_value(f, tenant);
	fprintf(f, "\",direction=\"%s\"", dir);
	if (reason) {
		fputs(",reason=\"", f);
		label_value(f, reason);
		fputc('"', f);
	}
	fprintf(f, "} %llu\n", (unsigned long long)v);
}

static const char *const dir_names[] = { "up", "down" };

/* @metric for each tenant and direction: the direction's @key. */
static void tenant_values(FILE *f, struct json_object *list, const char *metric,
			  const char *key)
{
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *t = json_object_array_get_idx(list, i);

		for (int d = 0; d < 2; d++)
			tenant_line(f, metric, str_of(t, "name"), dir_names[d], NULL,
				    u64_of(json_object_object_get(t, dir_names[d]), key));
	}
}

/* Each tenant's round-trip times, toward the WAN and the home, as a
 * Prometheus histogram in seconds (cumulative buckets). */
static void rtt_histograms(FILE *f, struct hearth_dp *dp, struct json_object *list)
{
	family(f, "hearth_rtt_seconds", "histogram",
	       "Round-trip times of TCP connections measured passively at the gateway (handshake and TCP timestamps), by tenant and where the far end is.");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *t = json_object_array_get_idx(list, i);
		__u32 id = (__u32)json_object_get_int(json_object_object_get(t, "id"));
		struct hearth_rtt_hist h;

		for (int where = 0; where < 2; where++) {
			__u64 seen = 0;

			if (hearth_rtt_hist_read(dp, id, where, &h))
				continue;
			for (int b = 0; b < HEARTH_RTT_BUCKETS; b++) {
				seen += h.bucket[b];
				fprintf(f, "hearth_rtt_seconds_bucket{tenant=\"");
				label_value(f, str_of(t, "name"));
				if (b < HEARTH_RTT_BUCKETS - 1)
					fprintf(f, "\",where=\"%s\",le=\"%g\"} %llu\n",
						hearth_rtt_where_name(where),
						hearth_rtt_bound_us(b) / 1e6, (unsigned long long)seen);
				else
					fprintf(f, "\",where=\"%s\",le=\"+Inf\"} %llu\n",
						hearth_rtt_where_name(where), (unsigned long long)seen);
			}
			fprintf(f, "hearth_rtt_seconds_sum{tenant=\"");
			label_value(f, str_of(t, "name"));
			fprintf(f, "\",where=\"%s\"} %g\n", hearth_rtt_where_name(where),
				(double)h.sum_us / 1e6);
			fprintf(f, "hearth_rtt_seconds_count{tenant=\"");
			label_value(f, str_of(t, "name"));
			fprintf(f, "\",where=\"%s\"} %llu\n", hearth_rtt_where_name(where),
				(unsigned long long)h.count);
		}
	}
}

/* Per tenant and direction: what crossed the WAN, and what was dropped. */
static int tenants(FILE *f, struct hearth_dp *dp)
{
	struct json_object *root = hearth_tenants_json(dp, NULL), *list;

	if (!root)
		return -ENOMEM;
	list = json_object_object_get(root, "tenants");
	family(f, "hearth_tenant_packets_total", "counter",
	       "Packets a tenant sent (up) or received (down) across the WAN.");
	tenant_values(f, list, "hearth_tenant_packets_total", "packets");
	family(f, "hearth_tenant_bytes_total", "counter", "Bytes of hearth_tenant_packets_total.");
	tenant_values(f, list, "hearth_tenant_bytes_total", "bytes");
	family(f, "hearth_tenant_drops_total", "counter",
	       "Packets of a tenant dropped by the download policer (by reason) or its upload shaper's full queue.");
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *t = json_object_array_get_idx(list, i);

		for (int d = 0; d < 2; d++) {
			struct json_object *dir = json_object_object_get(t, dir_names[d]);

			json_object_object_foreach(json_object_object_get(dir, "drops"), reason, v)
				tenant_line(f, "hearth_tenant_drops_total", str_of(t, "name"),
					    dir_names[d], reason, (__u64)json_object_get_uint64(v));
		}
	}
	rtt_histograms(f, dp, list);
	json_object_put(root);
	return 0;
}

/* The connection table: fill, what the data plane did to it, what ended. */
static int conntrack(FILE *f, struct hearth_dp *dp, const struct hearth_ct_ends *ends)
{
	__u64 events[HEARTH_CT_EV_MAX];
	int entries = hearth_ct_entries(dp), capacity = hearth_ct_capacity(dp), ret;

	if (entries < 0 || capacity < 0)
		return entries < 0 ? entries : capacity;
	ret = hearth_ct_events(dp, events);
	if (ret)
		return ret;
	family(f, "hearth_conntrack_entries", "gauge", "Live entries in the connection table (two a connection).");
	fprintf(f, "hearth_conntrack_entries %d\n", entries);
	family(f, "hearth_conntrack_capacity_entries", "gauge", "Entries the connection table holds.");
	fprintf(f, "hearth_conntrack_capacity_entries %d\n", capacity);
	family(f, "hearth_conntrack_events_total", "counter",
	       "What the data plane did to the connection table: openings, expiries, evictions by rank, refusals.");
	for (__u32 id = 0; id < HEARTH_CT_EV_MAX; id++)
		fprintf(f, "hearth_conntrack_events_total{event=\"%s\"} %llu\n",
			hearth_ct_event_name(id), (unsigned long long)events[id]);
	if (!ends)
		return 0;
	family(f, "hearth_conntrack_ended_total", "counter",
	       "Connections that ended, by reason, as hearthd read them since it started.");
	for (int k = 0; k < HEARTH_CT_ENDED_KINDS; k++)
		fprintf(f, "hearth_conntrack_ended_total{reason=\"%s\"} %llu\n",
			hearth_ct_ended_name(k), (unsigned long long)ends->conns[k]);
	family(f, "hearth_conntrack_ended_packets_total", "counter",
	       "Packets of the connections that ended, both directions.");
	fprintf(f, "hearth_conntrack_ended_packets_total %llu\n", (unsigned long long)ends->packets);
	family(f, "hearth_conntrack_ended_bytes_total", "counter",
	       "Bytes of the connections that ended, both directions.");
	fprintf(f, "hearth_conntrack_ended_bytes_total %llu\n", (unsigned long long)ends->bytes);
	return 0;
}

static void collector_line(FILE *f, const char *metric, struct json_object *c, const char *key)
{
	fprintf(f, "%s{collector=\"", metric);
	label_value(f, str_of(c, "label"));
	fprintf(f, "\",transport=\"");
	label_value(f, str_of(c, "transport"));
	fprintf(f, "\"} %llu\n",
		(unsigned long long)json_object_get_uint64(json_object_object_get(c, key)));
}

/* Flow export: records made, and each collector's and the log's fate. */
static void flow_export(FILE *f, struct json_object *x, int entries)
{
	static const struct {
		const char *metric, *key, *help;
	} per_collector[] = {
		{ "hearth_export_records_total", "records", "Flow records put in IPFIX messages for a collector." },
		{ "hearth_export_messages_total", "messages", "IPFIX messages handed to a collector's socket." },
		{ "hearth_export_dropped_records_total", "dropped_records",
		  "Flow records in messages a collector could not be sent (down, unreachable, slow)." },
		{ "hearth_export_errors_total", "errors", "Failed sends and connects to a collector." },
	};
	struct json_object *list = json_object_object_get(x, "ipfix");
	struct json_object *log = json_object_object_get(x, "log");

	family(f, "hearth_flows_active", "gauge", "Connections in the table (its live entries over two).");
	fprintf(f, "hearth_flows_active %d\n", entries / 2);
	if (!x)
		return;
	family(f, "hearth_flow_records_total", "counter",
	       "Flow records made (ended connections, long flows' periodic reports).");
	fprintf(f, "hearth_flow_records_total %llu\n",
		(unsigned long long)json_object_get_uint64(json_object_object_get(x, "records")));
	for (size_t m = 0; m < sizeof(per_collector) / sizeof(per_collector[0]); m++) {
		family(f, per_collector[m].metric, "counter", per_collector[m].help);
		for (size_t i = 0; i < json_object_array_length(list); i++)
			collector_line(f, per_collector[m].metric, json_object_array_get_idx(list, i),
				       per_collector[m].key);
	}
	if (!log)
		return;
	family(f, "hearth_export_log_lines_total", "counter", "Lines written to the JSON flow log.");
	fprintf(f, "hearth_export_log_lines_total %llu\n",
		(unsigned long long)json_object_get_uint64(json_object_object_get(log, "lines")));
	family(f, "hearth_export_log_running", "gauge",
	       "1 while the JSON flow log is written, 0 once an error (a full disk) stopped it.");
	fprintf(f, "hearth_export_log_running %d\n",
		json_object_get_boolean(json_object_object_get(log, "running")));
}

/* `METRIC{chute="NAME"`: the caller adds its labels and closes them. */
static void chute_labels(FILE *f, const char *metric, struct json_object *c)
{
	fprintf(f, "%s{chute=\"", metric);
	label_value(f, str_of(c, "name"));
	fputc('"', f);
}

/* Chutes, from the runtime's status (an array of chute.list objects):
 * one state line each (the current state's, value 1), restarts, and the
 * CPU and memory of the running ones from their cgroups (a chute without
 * the field has no line). */
static void chute_metrics(FILE *f, struct json_object *chutes)
{
	static const char *const states[] = { "running", "starting", "restarting", "stopped" };
	static const struct {
		const char *metric, *type, *help, *key;
		bool seconds; /* a real number, else an integer */
	} per_chute[] = {
		{ "hearth_chute_restarts_total", "counter", "Times the runtime restarted a chute.",
		  "restarts", false },
		{ "hearth_chute_cpu_seconds_total", "counter",
		  "CPU time a running chute used since it started (its cgroup's).", "cpu_seconds",
		  true },
		{ "hearth_chute_memory_bytes", "gauge", "Memory a running chute uses (its cgroup's).",
		  "memory_bytes", false },
	};
	size_t n = json_object_array_length(chutes);

	if (!chutes)
		return;
	family(f, "hearth_chute_state", "gauge",
	       "1 for the state each installed chute is in (running, starting, restarting, stopped), 0 for the others.");
	for (size_t i = 0; i < n; i++) {
		struct json_object *c = json_object_array_get_idx(chutes, i);

		for (size_t s = 0; s < sizeof(states) / sizeof(states[0]); s++) {
			chute_labels(f, "hearth_chute_state", c);
			fprintf(f, ",state=\"%s\"} %d\n", states[s],
				!strcmp(str_of(c, "state") ?: "", states[s]));
		}
	}
	for (size_t m = 0; m < sizeof(per_chute) / sizeof(per_chute[0]); m++) {
		family(f, per_chute[m].metric, per_chute[m].type, per_chute[m].help);
		for (size_t i = 0; i < n; i++) {
			struct json_object *c = json_object_array_get_idx(chutes, i), *v;

			if (!json_object_object_get_ex(c, per_chute[m].key, &v))
				continue;
			chute_labels(f, per_chute[m].metric, c);
			if (per_chute[m].seconds)
				fprintf(f, "} %.6f\n", json_object_get_double(v));
			else
				fprintf(f, "} %llu\n", (unsigned long long)json_object_get_uint64(v));
		}
	}
}

int hearth_metrics_render(struct hearth_dp *dp, const struct hearth_ct_ends *ends,
			  struct json_object *export, struct json_object *chutes, char **out,
			  size_t *len)
{
	FILE *f = open_memstream(out, len);
	int ret;

	if (!f)
		return -errno;
	ret = interfaces(f, dp);
	if (!ret)
		ret = tenants(f, dp);
	if (!ret)
		ret = conntrack(f, dp, ends);
	if (!ret)
		flow_export(f, export, hearth_ct_entries(dp));
	if (!ret)
		chute_metrics(f, chutes);
	if (fclose(f) && !ret)
		ret = -errno;
	if (ret) {
		free(*out);
		*out = NULL;
	}
	return ret;
}
