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
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "parse.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The number @text starts with, digits only; *@end is what follows. -EINVAL
 * when it starts with no digit, -ERANGE when the digits overflow. */
static int leading_digits(const char *text, unsigned long long *v, char **end)
{
	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(text, end, 10);
	return errno ? -ERANGE : 0;
}

int hearth_number_parse(const char *text, __u64 min, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	if (leading_digits(text, &v, &end) || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int hearth_split(const char *text, char sep, char *buf, size_t size,
		 char *fields[], int n)
{
	char *c = buf;

	if (strlen(text) >= size)
		return -EINVAL;
	strcpy(buf, text);
	for (int i = 0; i < n; i++) {
		fields[i] = c;
		c = strchr(c, sep);
		if (i == n - 1)
			return c ? -EINVAL : 0;
		if (!c)
			return -EINVAL;
		*c++ = '\0';
	}
	return -EINVAL; /* n < 1 */
}

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
	for (size_t i = 0; i < ARRAY_SIZE(rate_units); i++) {
		if (strcmp(end, rate_units[i].suffix))
			continue;
		v *= rate_units[i].scale;
		/* 8 kbit/s to 100 Gbit/s: beyond either end is a typo */
		if (!(v >= HEARTH_RATE_MIN && v <= HEARTH_RATE_MAX))
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

struct size_unit {
	const char *suffix;
	unsigned int shift;
};

/* A burst's units, as tc writes them */
static const struct size_unit burst_units[] = {
	{ "", 0 }, { "b", 0 }, { "k", 10 }, { "kb", 10 }, { "m", 20 }, { "mb", 20 },
};

static const struct size_unit size_units[] = {
	{ "", 0 },     { "b", 0 },    { "k", 10 },   { "kb", 10 },
	{ "kib", 10 }, { "m", 20 },   { "mb", 20 },  { "mib", 20 },
	{ "g", 30 },   { "gb", 30 },  { "gib", 30 },
};

static int size_parse(const char *text, const struct size_unit *units,
		      size_t n_units, bool any_case, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;
	int ret = leading_digits(text, &v, &end);

	if (ret == -EINVAL)
		return ret;
	for (size_t i = 0; i < n_units; i++) {
		if (any_case ? strcasecmp(end, units[i].suffix) :
			       strcmp(end, units[i].suffix))
			continue;
		if (ret || v > max >> units[i].shift)
			return -ERANGE;
		*out = (__u64)v << units[i].shift;
		return 0;
	}
	return -EINVAL;
}

int hearth_size_parse(const char *text, __u32 *bytes)
{
	__u64 v;
	int ret = size_parse(text, burst_units, ARRAY_SIZE(burst_units), false,
			     64ull * 1024 * 1024, &v);

	if (ret)
		return ret;
	if (v < 1514)
		return -ERANGE;
	*bytes = (__u32)v;
	return 0;
}

int hearth_size64_parse(const char *text, __u64 max, __u64 *bytes)
{
	return size_parse(text, size_units, ARRAY_SIZE(size_units), true, max,
			  bytes);
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
	char buf[INET6_ADDRSTRLEN + 8], *field[2], *end;
	long len;
	int max;

	if (hearth_split(text, '/', buf, sizeof(buf), field, 2) || !field[1][0])
		return -EINVAL;
	memset(prefix, 0, sizeof(*prefix));
	if (inet_pton(AF_INET, field[0], &prefix->addr.v4) == 1)
		prefix->family = AF_INET;
	else if (inet_pton(AF_INET6, field[0], &prefix->addr.v6) == 1)
		prefix->family = AF_INET6;
	else
		return -EINVAL;
	max = prefix->family == AF_INET ? 32 : 128;
	errno = 0;
	len = strtol(field[1], &end, 10);
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

const char *hearth_proto_name(__u8 proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" :
	       proto == IPPROTO_ICMP ? "icmp" : proto == IPPROTO_ICMPV6 ? "icmp6" :
	       proto == IPPROTO_ESP ? "esp" : "?";
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
	char buf[INET_ADDRSTRLEN + 8], *field[2];

	if (hearth_split(text, ':', buf, sizeof(buf), field, 2))
		return -EINVAL;
	*port = hearth_port_parse(field[1]);
	if (!*port || inet_pton(AF_INET, field[0], addr) != 1)
		return -EINVAL;
	return 0;
}

const char *hearth_mac_format(const unsigned char *mac, char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}

const char *hearth_prefix_format(const struct hearth_prefix *prefix, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	inet_ntop(prefix->family, &prefix->addr, addr, sizeof(addr));
	snprintf(buf, size, "%s/%u", addr, prefix->len);
	return buf;
}

const char *hearth_endpoint_format(struct in_addr addr, __u16 port, char *buf, size_t size)
{
	char text[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &addr, text, sizeof(text));
	snprintf(buf, size, "%s:%u", text, port);
	return buf;
}

int hearth_sockaddr_parse(const char *text, struct sockaddr_storage *sa)
{
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *in = (struct sockaddr_in *)sa;
	const char *colon = strrchr(text, ':');
	char addr[INET6_ADDRSTRLEN + 2];
	__u64 port;
	size_t len;

	if (!colon || hearth_number_parse(colon + 1, 1, 65535, &port))
		return -EINVAL;
	len = (size_t)(colon - text);
	if (len < 2 || len >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(sa, 0, sizeof(*sa));
	if (addr[0] == '[' && addr[len - 1] == ']') {
		addr[len - 1] = '\0';
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((__u16)port);
		return inet_pton(AF_INET6, addr + 1, &in6->sin6_addr) == 1 ? 0 : -EINVAL;
	}
	in->sin_family = AF_INET;
	in->sin_port = htons((__u16)port);
	return inet_pton(AF_INET, addr, &in->sin_addr) == 1 ? 0 : -EINVAL;
}

void hearth_hex_format(const void *data, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *b = data;

	for (size_t i = 0; i < len; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 0xf];
	}
	out[2 * len] = '\0';
}
