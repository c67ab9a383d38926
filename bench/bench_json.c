// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench's JSON report: method, machine, headline, breakdown and every
 * result, written via a temporary file.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "xdp_bench.h"

/* json-c prints doubles with 17 digits; a measurement has one decimal. */
static struct json_object *json_fixed(double v, int decimals)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *json_machine(const struct bench *b, const struct machine *m)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "kernel", json_object_new_string(m->kernel));
	json_object_object_add(o, "cpu_model", json_object_new_string(m->cpu_model));
	json_object_object_add(o, "nproc", json_object_new_int64(m->nproc));
	json_object_object_add(o, "pinned_cpu", json_object_new_int(b->opt.cpu));
	json_object_object_add(o, "spectre_v2", json_object_new_string(m->spectre_v2));
	json_object_object_add(o, "spec_rstack_overflow", json_object_new_string(m->srso));
	return o;
}

static bool frame_used(const struct bench *b, int frame)
{
	for (int i = 0; i < SC_COUNT; i++)
		if (bench_in_suite(b, i) && (int)scenarios[i].frame == frame)
			return true;
	return false;
}

static struct json_object *json_method(const struct bench *b)
{
	struct json_object *o = json_object_new_object();
	struct json_object *frames = json_object_new_object();
	struct json_object *n = json_object_new_array();

	json_object_object_add(o, "generator",
			       json_object_new_string("BPF_PROG_TEST_RUN (non-live)"));
	json_object_object_add(o, "repeats", json_object_new_int64(b->opt.repeats));
	json_object_object_add(o, "trials", json_object_new_int(b->opt.trials));
	json_object_object_add(o, "warmup_repeats", json_object_new_int64(WARMUP_REPEATS));
	if (b->opt.suite == SUITE_NAT) {
		json_object_object_add(o, "new_connection_repeats",
				       json_object_new_int64(NEW_REPEATS));
		json_object_object_add(o, "new_connection_warmup",
				       json_object_new_int64(NEW_WARMUP));
		json_object_object_add(o, "ct_capacity",
				       json_object_new_int64(HEARTH_CT_ENTRIES));
	}
	json_object_object_add(o, "rtt", json_object_new_string(b->opt.rtt_off ? "off" : "on"));
	json_object_object_add(o, "probe_flag", json_object_new_boolean(b->opt.probe_flag));
	json_object_object_add(o, "run_time_stats", json_object_new_boolean(b->opt.run_time_stats));
	json_object_object_add(o, "statistic", json_object_new_string("median of trials"));
	json_object_object_add(o, "unit", json_object_new_string("ns/packet"));
	for (int i = 0; i < FRAME_COUNT; i++) {
		struct json_object *f;

		if (!frame_used(b, i))
			continue;
		f = json_object_new_object();
		json_object_object_add(f, "description",
				       json_object_new_string(b->frames[i].desc));
		json_object_object_add(f, "bytes", json_object_new_int64(b->frames[i].len));
		json_object_object_add(frames, frame_keys[i], f);
	}
	json_object_object_add(o, "frames", frames);
	for (int i = 0; i < b->suite->n_notes; i++)
		json_object_array_add(n, json_object_new_string(b->suite->notes[i]));
	json_object_object_add(o, "notes", n);
	return o;
}

static struct json_object *json_result(const struct bench *b, int idx)
{
	const struct scenario *s = &scenarios[idx];
	const struct result *r = &b->res[idx];
	struct json_object *o = json_object_new_object();
	struct json_object *trials = json_object_new_array();

	json_object_object_add(o, "name", json_object_new_string(s->key));
	json_object_object_add(o, "description", json_object_new_string(s->what));
	json_object_object_add(o, "program", json_object_new_string(prog_names[s->prog]));
	json_object_object_add(o, "frame", json_object_new_string(frame_keys[s->frame]));
	json_object_object_add(o, "action", json_object_new_string(action_names[s->action]));
	if (b->opt.suite == SUITE_NAT) {
		json_object_object_add(o, "nat", json_object_new_boolean(s->nat));
		json_object_object_add(o, "repeats",
				       json_object_new_int64(bench_repeats_of(b, s)));
	}
	json_object_object_add(o, "median_ns", json_fixed(r->median, 1));
	json_object_object_add(o, "min_ns", json_object_new_int64(r->min));
	json_object_object_add(o, "max_ns", json_object_new_int64(r->max));
	for (int t = 0; t < b->opt.trials; t++)
		json_object_array_add(trials, json_object_new_int64(r->ns[t]));
	json_object_object_add(o, "trials_ns", trials);
	json_object_object_add(o, "ratio_to_empty", json_fixed(bench_ratio(b, idx), 2));
	json_object_object_add(o, "verified", json_object_new_boolean(1));
	return o;
}

/* One path against the empty program and the target. */
static struct json_object *json_path(const struct bench *b, int idx, int restore,
				     bool with_target)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "scenario", json_object_new_string(scenarios[idx].key));
	json_object_object_add(o, "median_ns", json_fixed(b->res[idx].median, 1));
	json_object_object_add(o, "empty_median_ns", json_fixed(b->res[SC_EMPTY].median, 1));
	json_object_object_add(o, "ratio", json_fixed(bench_ratio(b, idx), 2));
	json_object_object_add(o, "restore_ns", json_fixed(bench_prologue_ns(b, restore), 1));
	json_object_object_add(o, "ratio_net_of_restore",
			       json_fixed(bench_net_ratio_of(b, idx, restore), 2));
	json_object_object_add(o, "ratio_of_min", json_fixed(bench_min_ratio_of(b, idx), 2));
	if (with_target) {
		json_object_object_add(o, "target_ratio", json_fixed(b->suite->target, 1));
		json_object_object_add(o, "target_met",
				       json_object_new_boolean(bench_target_met_of(b, idx)));
	}
	return o;
}

static struct json_object *json_headline(const struct bench *b)
{
	struct json_object *o = json_path(b, b->suite->headline, b->suite->restore, true);

	if (b->opt.suite != SUITE_NAT) {
		json_object_object_add(o, "ipv6", json_path(b, SC_FWD6, SC_RESTORE, false));
		json_object_object_add(o, "firewall_ipv4", json_path(b, SC_FW4, SC_RESTORE, false));
		json_object_object_add(o, "firewall_ipv6", json_path(b, SC_FW6, SC_RESTORE, false));
		json_object_object_add(o, "firewall_extra_ns_ipv4",
				       json_fixed(bench_firewall_extra_ns(b, SC_FWD4, SC_FW4), 1));
		json_object_object_add(o, "firewall_extra_ns_ipv6",
				       json_fixed(bench_firewall_extra_ns(b, SC_FWD6, SC_FW6), 1));
		return o;
	}
	json_object_object_add(o, "inbound", json_path(b, SC_NAT_IN, SC_NAT_RESTORE, true));
	json_object_object_add(o, "new_connection",
			       json_path(b, SC_NAT_NEW, SC_NAT_RESTORE_NEW, false));
	json_object_object_add(o, "nat_extra_ns_over_fwd_ipv4", json_fixed(bench_nat_extra_ns(b), 1));
	json_object_object_add(o, "open_extra_ns_over_nat_out", json_fixed(bench_open_extra_ns(b), 1));
	json_object_object_add(o, "firewall_on", json_path(b, SC_NAT_OUT_FW, SC_NAT_RESTORE, false));
	json_object_object_add(o, "firewall_extra_ns",
			       json_fixed(bench_firewall_extra_ns(b, SC_NAT_OUT, SC_NAT_OUT_FW), 1));
	json_object_object_add(o, "target_met_both_directions",
			       json_object_new_boolean(bench_target_met(b)));
	return o;
}

static struct json_object *json_breakdown(const struct bench *b)
{
	struct json_object *a = json_object_new_array();

	for (int i = 0; i < b->suite->n_stages; i++) {
		const struct stage *st = &b->suite->stages[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "stage", json_object_new_string(st->key));
		json_object_object_add(o, "description", json_object_new_string(st->name));
		json_object_object_add(o, "ns", json_fixed(bench_stage_ns(b, st), 1));
		json_object_array_add(a, o);
	}
	return a;
}

static struct json_object *json_report(const struct bench *b, const struct machine *m)
{
	struct json_object *o = json_object_new_object();
	struct json_object *results = json_object_new_array();

	json_object_object_add(o, "benchmark", json_object_new_string(b->suite->name));
	json_object_object_add(o, "date", json_object_new_string(m->date));
	if (b->opt.revision)
		json_object_object_add(o, "revision", json_object_new_string(b->opt.revision));
	json_object_object_add(o, "machine", json_machine(b, m));
	json_object_object_add(o, "method", json_method(b));
	json_object_object_add(o, "headline", json_headline(b));
	json_object_object_add(o, b->suite->breakdown_key, json_breakdown(b));
	for (int i = 0; i < SC_COUNT; i++)
		if (bench_in_suite(b, i))
			json_object_array_add(results, json_result(b, i));
	json_object_object_add(o, "results", results);
	return o;
}

/* Via a temporary file, so that a crash never leaves half a result. */
int bench_write_json(const struct bench *b, const struct machine *m)
{
	struct json_object *report = json_report(b, m);
	char tmp[4096];
	int ret = 0;

	snprintf(tmp, sizeof(tmp), "%s.tmp", b->opt.out);
	if (json_object_to_file_ext(tmp, report,
				    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE) ||
	    rename(tmp, b->opt.out)) {
		fprintf(stderr, "xdp_bench: writing %s: %s\n", b->opt.out, strerror(errno));
		unlink(tmp);
		ret = -EIO;
		goto cleanup;
	}
	printf("\nwrote %s\n", b->opt.out);
cleanup:
	json_object_put(report);
	return ret;
}
