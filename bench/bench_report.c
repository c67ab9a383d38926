// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * xdp_bench's text report: the table of scenarios, the headline, the
 * breakdown and the notes, on stdout.
 */
#include <stdio.h>
#include <string.h>

#include "xdp_bench.h"

/* Word-wrapped at 78 columns, continuation lines indented under the text. */
static void print_wrapped(const char *prefix, const char *text)
{
	int indent = (int)strlen(prefix), col = indent;

	fputs(prefix, stdout);
	while (*text) {
		int word = (int)strcspn(text, " ");

		if (col > indent && col + 1 + word > 78) {
			printf("\n%*s", indent, "");
			col = indent;
		} else if (col > indent) {
			putchar(' ');
			col++;
		}
		printf("%.*s", word, text);
		col += word;
		text += word;
		text += strspn(text, " ");
	}
	putchar('\n');
}

static void print_forward_lines(const struct bench *b)
{
	printf("cache: a hit saves %.1f ns/pkt on IPv4, %.1f on IPv6\n",
	       b->res[SC_NOCACHE4].median - b->res[SC_FWD4].median,
	       b->res[SC_NOCACHE6].median - b->res[SC_FWD6].median);
	printf("the firewall adds %.1f ns/pkt to an established IPv4 connection, %.1f to an IPv6 one (fw_* vs fwd_*)\n",
	       bench_firewall_extra_ns(b, SC_FWD4, SC_FW4),
	       bench_firewall_extra_ns(b, SC_FWD6, SC_FW6));
}

static void print_nat_lines(const struct bench *b)
{
	double target = b->suite->target;

	printf("established inbound %s: %.2fx empty (%.2fx net of the restore prologue), target <= %.1fx: %s\n",
	       scenarios[SC_NAT_IN].key, bench_ratio(b, SC_NAT_IN),
	       bench_net_ratio_of(b, SC_NAT_IN, SC_NAT_RESTORE), target,
	       bench_target_met_of(b, SC_NAT_IN) ? "met" : "NOT MET");
	printf("new connection %s: %.2fx empty (%.2fx net of its prologue), %u repeats per trial\n",
	       scenarios[SC_NAT_NEW].key, bench_ratio(b, SC_NAT_NEW),
	       bench_net_ratio_of(b, SC_NAT_NEW, SC_NAT_RESTORE_NEW), NEW_REPEATS);
	printf("translation adds %.1f ns/pkt to the routed path (nat_out vs fwd_ipv4, net of prologues)\n",
	       bench_nat_extra_ns(b));
	printf("opening a connection adds %.1f ns to the established path (nat_new vs nat_out, net of prologues)\n",
	       bench_open_extra_ns(b));
	printf("the firewall adds %.1f ns to the established outbound path (nat_out_fw vs nat_out)\n",
	       bench_firewall_extra_ns(b, SC_NAT_OUT, SC_NAT_OUT_FW));
}

void bench_print_table(const struct bench *b, const struct machine *m)
{
	const struct suite *su = b->suite;
	int h = su->headline;

	printf("\n%s: BPF_PROG_TEST_RUN, %u repeats x %d trials, pinned to CPU %d\n",
	       su->name, b->opt.repeats, b->opt.trials, b->opt.cpu);
	printf("kernel %s, %s, %ld CPUs, %s\n\n", m->kernel, m->cpu_model, m->nproc,
	       m->date);
	printf("%-30s %9s %6s %6s %8s\n", "scenario", "median", "min", "max", "x empty");
	printf("%-30s %9s %6s %6s %8s\n", "", "ns/pkt", "", "", "");
	for (int i = 0; i < SC_COUNT; i++)
		if (bench_in_suite(b, i))
			printf("%-30s %9.1f %6u %6u %8.2f\n", scenarios[i].name,
			       b->res[i].median, b->res[i].min, b->res[i].max,
			       bench_ratio(b, i));
	printf("\nrestore prologue: %.1f ns/pkt (%s - empty), included in every %s row\n",
	       bench_restore_ns(b), scenarios[su->restore].key,
	       b->opt.suite == SUITE_NAT ? "NAT" : "gateway");
	printf("headline %s: %.2fx empty (%.2fx net of the restore prologue), target <= %.1fx: %s\n",
	       scenarios[h].name, bench_ratio(b, h), bench_net_ratio(b), su->target,
	       bench_target_met_of(b, h) ? "met" : "NOT MET");
	printf("the same from the fastest trials (min / min): %.2fx\n", bench_min_ratio(b));
	if (b->opt.suite == SUITE_NAT)
		print_nat_lines(b);
	else
		print_forward_lines(b);
	printf("\nwhere %s goes (differences of medians, ns/pkt):\n", scenarios[h].key);
	for (int i = 0; i < su->n_stages; i++)
		printf("  %-38s %6.1f\n", su->stages[i].name, bench_stage_ns(b, &su->stages[i]));
	printf("\n");
	for (int i = 0; i < su->n_notes; i++)
		print_wrapped("note: ", su->notes[i]);
}
