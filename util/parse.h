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

/* A number of digits (no sign, no space) from @min to @max. */
int hearth_number_parse(const char *text, __u64 min, __u64 max, __u64 *out);
/* Splits a copy of @text in @buf at each @sep into exactly @n fields;
 * -EINVAL when @text does not fit @buf or has another number of them. */
int hearth_split(const char *text, char sep, char *buf, size_t size,
		 char *fields[], int n);

/* "100mbit", "2.5gbit", "640kbit", "1000000bit" (SI units, bits/s), from
 * HEARTH_RATE_MIN to HEARTH_RATE_MAX: -ERANGE beyond. */
#define HEARTH_RATE_MIN 8000ull /* 8kbit */
#define HEARTH_RATE_MAX 100000000000ull /* 100gbit */
int hearth_rate_parse(const char *text, __u64 *bps);
const char *hearth_rate_format(__u64 bps, char *buf, size_t size);
/* "1514", "32k", "32kb", "1m" (bytes, k = 1024), 1514 to 64m (a burst):
 * -ERANGE beyond. */
int hearth_size_parse(const char *text, __u32 *bytes);
/* "64M", "1G", "512kib", "4096": k, m or g, optionally followed by b or
 * ib, any case; powers of 1024. -ERANGE above @max. */
int hearth_size64_parse(const char *text, __u64 max, __u64 *bytes);
int hearth_mac_parse(const char *text, __u8 mac[6]);
/* "aa:bb:cc:dd:ee:ff" into @buf (at least 18 bytes). */
const char *hearth_mac_format(const unsigned char *mac, char *buf, size_t size);
/* @len bytes as lowercase hex into @out, which holds 2 * @len + 1. */
void hearth_hex_format(const void *data, size_t len, char *out);
/* "ADDRESS/LEN", IPv4 or IPv6; host bits are cleared. */
int hearth_prefix_parse(const char *text, struct hearth_prefix *prefix);
/* "ADDR/LEN" into @buf (INET6_ADDRSTRLEN + 4 bytes hold any). */
const char *hearth_prefix_format(const struct hearth_prefix *prefix, char *buf, size_t size);
/* "tcp" or "udp"; 0 for anything else. */
__u8 hearth_proto_parse(const char *text);
/* "tcp", "udp", "icmp", "icmp6", "esp"; "?" for any other protocol. */
const char *hearth_proto_name(__u8 proto);
/* A port number 1-65535, host order; 0 when not one. */
__u16 hearth_port_parse(const char *text);
/* "IPV4:PORT" */
int hearth_endpoint_parse(const char *text, struct in_addr *addr, __u16 *port);
/* "IPV4:PORT" (@port in host order) into @buf (at least 22 bytes). */
const char *hearth_endpoint_format(struct in_addr addr, __u16 port, char *buf, size_t size);
/* ADDR:PORT (IPv4) or [ADDR]:PORT (IPv6) into @sa; -EINVAL if not one. */
struct sockaddr_storage;
int hearth_sockaddr_parse(const char *text, struct sockaddr_storage *sa);

#endif
