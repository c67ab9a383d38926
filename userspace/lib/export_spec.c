// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* "export ..." lines: collectors, observation domain, active timeout, log. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../util/parse.h"
#include "export_spec.h"

void hearth_export_defaults(struct hearth_config_export *x)
{
	memset(x, 0, sizeof(*x));
	x->active_timeout_s = HEARTH_EXPORT_ACTIVE_TIMEOUT_S;
	x->log.max_bytes = HEARTH_EXPORT_LOG_SIZE;
	x->log.max_age_s = HEARTH_EXPORT_LOG_AGE_S;
	x->log.keep = HEARTH_EXPORT_LOG_KEEP;
	x->log.sync_ms = HEARTH_EXPORT_LOG_SYNC_MS;
}

bool hearth_export_any(const struct hearth_config_export *x)
{
	return x->n_ipfix || x->log_on;
}

static int bad(char *msg, size_t size, const char *fmt, const char *arg)
{
	snprintf(msg, size, fmt, arg);
	return -EINVAL;
}

/* the words after ADDR:PORT: udp, tcp or tls, and with tls ca FILE,
 * cert FILE, key FILE */
static int parse_ipfix_option(struct hearth_ipfix_target *t, int argc, char **argv, int *i,
			      char *msg, size_t size)
{
	const char *w = argv[*i];
	char *path = !strcmp(w, "ca") ? t->ca : !strcmp(w, "cert") ? t->cert :
		     !strcmp(w, "key") ? t->key : NULL;

	if (!strcmp(w, "udp") || !strcmp(w, "tcp") || !strcmp(w, "tls")) {
		t->transport = !strcmp(w, "udp") ? HEARTH_IPFIX_UDP :
			       !strcmp(w, "tcp") ? HEARTH_IPFIX_TCP : HEARTH_IPFIX_TLS;
		return 0;
	}
	if (!path)
		return bad(msg, size, "export ipfix takes udp, tcp or tls (with ca FILE, cert FILE, key FILE), not '%s'",
			   w);
	if (++*i >= argc || argv[*i][0] != '/' || strlen(argv[*i]) >= sizeof(t->ca))
		return bad(msg, size, "export ipfix %s takes an absolute path", w);
	snprintf(path, sizeof(t->ca), "%s", argv[*i]);
	return 0;
}

static int parse_ipfix(struct hearth_config_export *x, int argc, char **argv, char *msg,
		       size_t size)
{
	struct hearth_ipfix_target *t = &x->ipfix[x->n_ipfix];

	if (argc < 2)
		return bad(msg, size, "%s", "export ipfix takes ADDR:PORT or [ADDR]:PORT, then udp, tcp or tls");
	if (x->n_ipfix == HEARTH_EXPORT_MAX_COLLECTORS)
		return bad(msg, size, "%s", "too many IPFIX collectors (at most 4)");
	memset(t, 0, sizeof(*t));
	if (strlen(argv[1]) >= sizeof(t->text) || hearth_sockaddr_parse(argv[1], &t->addr))
		return bad(msg, size, "bad collector address '%s' (want ADDR:PORT or [ADDR]:PORT, e.g. 192.0.2.10:4739)",
			   argv[1]);
	snprintf(t->text, sizeof(t->text), "%s", argv[1]);
	for (int i = 2; i < argc; i++)
		if (parse_ipfix_option(t, argc, argv, &i, msg, size))
			return -EINVAL;
	if (t->transport == HEARTH_IPFIX_TLS && !t->ca[0])
		return bad(msg, size, "%s", "export ipfix ... tls needs ca FILE: the authority the collector's certificate chains to");
	if (t->transport != HEARTH_IPFIX_TLS && (t->ca[0] || t->cert[0] || t->key[0]))
		return bad(msg, size, "%s", "export ipfix: ca, cert and key go with tls");
	if (!t->cert[0] != !t->key[0])
		return bad(msg, size, "%s", "export ipfix: cert and key go together");
	x->n_ipfix++;
	return 0;
}

/* the words after PATH: size SIZE, age SECONDS, keep N, sync-ms MS */
static int parse_log_option(struct hearth_flowlog_cfg *log, const char *name, const char *value,
			    char *msg, size_t size)
{
	__u64 v;

	if (!strcmp(name, "size")) {
		if (hearth_size64_parse(value, 1ull << 40, &v) || v < 4096)
			return bad(msg, size, "export log size takes a size from 4k to 1t, not '%s'", value);
		log->max_bytes = (size_t)v;
	} else if (!strcmp(name, "age")) {
		if (hearth_number_parse(value, 0, 31 * 86400, &v))
			return bad(msg, size, "export log age takes seconds from 0 (never) to 2678400, not '%s'",
				   value);
		log->max_age_s = (unsigned int)v;
	} else if (!strcmp(name, "keep")) {
		if (hearth_number_parse(value, 0, 1000, &v))
			return bad(msg, size, "export log keep takes 0 to 1000 files, not '%s'", value);
		log->keep = (unsigned int)v;
	} else if (!strcmp(name, "sync-ms")) {
		if (hearth_number_parse(value, 10, 60000, &v))
			return bad(msg, size, "export log sync-ms takes 10 to 60000, not '%s'", value);
		log->sync_ms = (unsigned int)v;
	} else {
		return bad(msg, size, "export log takes size, age, keep or sync-ms, not '%s'", name);
	}
	return 0;
}

static int parse_log(struct hearth_config_export *x, int argc, char **argv, char *msg,
		     size_t size)
{
	if (argc < 2 || argc % 2)
		return bad(msg, size, "%s",
			   "export log takes a path, then size SIZE, age SECONDS, keep N or sync-ms MS");
	if (argv[1][0] != '/' || strlen(argv[1]) >= sizeof(x->log.path))
		return bad(msg, size, "export log takes an absolute path (at most 255 bytes), not '%s'",
			   argv[1]);
	snprintf(x->log.path, sizeof(x->log.path), "%s", argv[1]);
	for (int i = 2; i < argc; i += 2)
		if (parse_log_option(&x->log, argv[i], argv[i + 1], msg, size))
			return -EINVAL;
	x->log_on = true;
	return 0;
}

int hearth_export_parse(struct hearth_config_export *x, int argc, char **argv, char *msg,
			size_t size)
{
	__u64 v;

	if (argc >= 1 && !strcmp(argv[0], "ipfix"))
		return parse_ipfix(x, argc, argv, msg, size);
	if (argc >= 1 && !strcmp(argv[0], "log"))
		return parse_log(x, argc, argv, msg, size);
	if (argc == 2 && !strcmp(argv[0], "domain")) {
		if (hearth_number_parse(argv[1], 0, 0xffffffffu, &v))
			return bad(msg, size, "export domain takes 0 to 4294967295, not '%s'", argv[1]);
		x->domain = (__u32)v;
		x->domain_set = true;
		return 0;
	}
	if (argc == 2 && !strcmp(argv[0], "active-timeout")) {
		if (hearth_number_parse(argv[1], 1, 86400, &v))
			return bad(msg, size, "export active-timeout takes seconds from 1 to 86400, not '%s'",
				   argv[1]);
		x->active_timeout_s = (unsigned int)v;
		return 0;
	}
	return bad(msg, size, "%s",
		   "'export' takes 'ipfix ADDR:PORT [udp|tcp|tls ...]', 'log PATH ...', 'domain N' or 'active-timeout SECONDS'");
}
