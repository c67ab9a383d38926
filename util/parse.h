/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Parsing the values settings are written in (config file, CLI words,
 * chute specs): one parser per kind of value, nothing else.
 */
#ifndef HEARTH_UTIL_PARSE_H
#define HEARTH_UTIL_PARSE_H

#include <netinet/in.h>
#include <stddef.h>
#include <linux/types.h>

struct hearth_prefix {
	int family; /* AF_INET or AF_INET6 */
	unsigned char len;
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr; /* host bits cleared */
};

/* "100mbit", "2.5gbit", "640kbit", "1000000bit" (SI units, bits/s). */
int hearth_rate_parse(const char *text, __u64 *bps);
const char *hearth_rate_format(__u64 bps, char *buf, size_t size);
/* "1514", "32k", "32kb", "1m" (bytes, k = 1024). */
int hearth_size_parse(const char *text, __u32 *bytes);
int hearth_mac_parse(const char *text, __u8 mac[6]);
/* "ADDRESS/LEN", IPv4 or IPv6; host bits are cleared. */
int hearth_prefix_parse(const char *text, struct hearth_prefix *prefix);
/* "tcp" or "udp"; 0 for anything else. */
__u8 hearth_proto_parse(const char *text);
/* A port number 1-65535, host order; 0 when not one. */
__u16 hearth_port_parse(const char *text);
/* "IPV4:PORT" */
int hearth_endpoint_parse(const char *text, struct in_addr *addr, __u16 *port);

#endif
