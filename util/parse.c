// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one parser for the values hearth's settings are written in: rates,
 * sizes, MAC addresses, prefixes, protocols, ports and endpoints. Used by
 * the configuration file, the CLI and chute specs alike.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static const struct {
	const char *suffix;
	double scale;
} rate_units[] = {
	{ "gbit", 1e9 }, { "mbit", 1e6 }, { "kbit", 1e3 }, { "bit", 1 },
};

int hearth_rate_parse(const char *text, __u64 *bps)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(rate_units) / sizeof(rate_units[0]); i++) {
		if (strcmp(end, rate_units[i].suffix))
			continue;
		v *= rate_units[i].scale;
		/* 8 kbit/s to 100 Gbit/s: beyond either end is a typo */
		if (!(v >= 8000 && v <= 100e9))
			return -ERANGE;
		*bps = (__u64)llround(v);
		return 0;
	}
	return -EINVAL;
}

const char *hearth_rate_format(__u64 bps, char *buf, size_t size)
{
	if (bps >= 1000000000ull && bps % 1000000 == 0)
		snprintf(buf, size, "%ggbit", (double)bps / 1e9);
	else if (bps >= 1000000 && bps % 1000 == 0)
		snprintf(buf, size, "%gmbit", (double)bps / 1e6);
	else if (bps >= 1000 && bps % 1000 == 0)
		snprintf(buf, size, "%llukbit", (unsigned long long)bps / 1000);
	else
		snprintf(buf, size, "%llubit", (unsigned long long)bps);
	return buf;
}

int hearth_size_parse(const char *text, __u32 *bytes)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || !isdigit((unsigned char)text[0]))
		return -EINVAL;
	if (!strcmp(end, "k") || !strcmp(end, "kb"))
		v *= 1024;
	else if (!strcmp(end, "m") || !strcmp(end, "mb"))
		v *= 1024 * 1024;
	else if (*end && strcmp(end, "b"))
		return -EINVAL;
	if (v < 1514 || v > 64ull * 1024 * 1024)
		return -ERANGE;
	*bytes = (__u32)v;
	return 0;
}

int hearth_mac_parse(const char *text, __u8 mac[6])
{
	unsigned int b[6];
	char tail;

	if (sscanf(text, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6 || strlen(text) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++)
		mac[i] = (__u8)b[i];
	if (mac[0] & 1)
		return -EINVAL; /* a group address is no host */
	return 0;
}

static void prefix_clear_host_bits(struct hearth_prefix *p)
{
	unsigned char *bytes = p->family == AF_INET ?
				       (unsigned char *)&p->addr.v4 :
				       (unsigned char *)&p->addr.v6;
	int total = p->family == AF_INET ? 4 : 16;

	for (int i = 0; i < total; i++) {
		int bits = (int)p->len - i * 8;

		if (bits <= 0)
			bytes[i] = 0;
		else if (bits < 8)
			bytes[i] &= (unsigned char)(0xff << (8 - bits));
	}
}

/* "ADDRESS/LEN", IPv4 or IPv6; host bits are cleared. */
int hearth_prefix_parse(const char *text, struct hearth_prefix *prefix)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	long len;
	int max;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash || slash[1] == '\0')
		return -EINVAL;
	*slash = '\0';
	memset(prefix, 0, sizeof(*prefix));
	if (inet_pton(AF_INET, buf, &prefix->addr.v4) == 1)
		prefix->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &prefix->addr.v6) == 1)
		prefix->family = AF_INET6;
	else
		return -EINVAL;
	max = prefix->family == AF_INET ? 32 : 128;
	errno = 0;
	len = strtol(slash + 1, &end, 10);
	if (errno || *end || len < 0 || len > max)
		return -EINVAL;
	prefix->len = (unsigned char)len;
	prefix_clear_host_bits(prefix);
	return 0;
}

__u8 hearth_proto_parse(const char *text)
{
	return !strcmp(text, "tcp") ? IPPROTO_TCP : !strcmp(text, "udp") ? IPPROTO_UDP : 0;
}

__u16 hearth_port_parse(const char *text)
{
	char *end;
	unsigned long port;

	errno = 0;
	port = strtoul(text, &end, 10);
	if (errno || *end || text[0] < '0' || text[0] > '9' || port < 1 || port > 65535)
		return 0;
	return (__u16)port;
}

int hearth_endpoint_parse(const char *text, struct in_addr *addr, __u16 *port)
{
	char buf[INET_ADDRSTRLEN + 8], *colon;

	if (strlen(text) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, text);
	colon = strrchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	*port = hearth_port_parse(colon + 1);
	if (!*port || inet_pton(AF_INET, buf, addr) != 1)
		return -EINVAL;
	return 0;
}
