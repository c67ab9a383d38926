/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Where flow records go, as the operator writes it ("export ..." lines of
 * hearth.conf(5)):
 *   export ipfix ADDR:PORT|[ADDR]:PORT [udp|tcp|tls ca FILE [cert FILE key FILE]]
 *                                          a collector (at most 4)
 *   export domain N                        the observation domain
 *   export active-timeout SECONDS          a long flow's report period
 *   export log PATH [size SIZE] [age SECONDS] [keep N] [sync-ms MS]
 */
#ifndef HEARTH_EXPORT_SPEC_H
#define HEARTH_EXPORT_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "flowlog.h"
#include "ipfix.h"

#define HEARTH_EXPORT_MAX_COLLECTORS 4
#define HEARTH_EXPORT_ACTIVE_TIMEOUT_S 60
#define HEARTH_EXPORT_LOG_SIZE (64u << 20)
#define HEARTH_EXPORT_LOG_AGE_S 86400
#define HEARTH_EXPORT_LOG_KEEP 8
#define HEARTH_EXPORT_LOG_SYNC_MS 1000

struct hearth_config_export {
	int n_ipfix;
	struct hearth_ipfix_target ipfix[HEARTH_EXPORT_MAX_COLLECTORS];
	bool domain_set; /* else derived from the privacy key (privacy.h) */
	__u32 domain;
	unsigned int active_timeout_s;
	bool log_on;
	struct hearth_flowlog_cfg log;
};

void hearth_export_defaults(struct hearth_config_export *x);
/* One "export" line's words after "export"; on error, one line in @msg. */
int hearth_export_parse(struct hearth_config_export *x, int argc, char **argv, char *msg,
			size_t size);
/* Any exporter at all (the table is walked for active reports only then). */
bool hearth_export_any(const struct hearth_config_export *x);

#endif
