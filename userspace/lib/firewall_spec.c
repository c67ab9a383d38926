// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../../util/parse.h"
#include "firewall_spec.h"

/* ADDR or ADDR/LEN: a bare address is one host. */
static int pinhole_addr(const char *text, struct hearth_pinhole *ph)
{
	struct hearth_prefix prefix;
	char with_len[INET6_ADDRSTRLEN + 8];

	if (!strchr(text, '/')) {
		bool v6 = strchr(text, ':') != NULL;

		if (snprintf(with_len, sizeof(with_len), "%s/%d", text, v6 ? 128 : 32) >=
		    (int)sizeof(with_len))
			return -EINVAL;
		text = with_len;
	}
	if (hearth_prefix_parse(text, &prefix))
		return -EINVAL;
	memset(&ph->addr, 0, sizeof(ph->addr));
	if (prefix.family == AF_INET)
		ph->addr.ip4 = prefix.addr.v4.s_addr;
	else
		memcpy(ph->addr.b, &prefix.addr.v6, 16);
	ph->family = (__u8)prefix.family;
	ph->prefixlen = prefix.len;
	return 0;
}

/* PORT or PORT-PORT */
static int pinhole_ports(const char *text, struct hearth_pinhole *ph)
{
	char buf[16], *field[2];

	if (!strchr(text, '-')) {
		ph->port_min = ph->port_max = hearth_port_parse(text);
		return ph->port_min ? 0 : -EINVAL;
	}
	if (hearth_split(text, '-', buf, sizeof(buf), field, 2))
		return -EINVAL;
	ph->port_min = hearth_port_parse(field[0]);
	ph->port_max = hearth_port_parse(field[1]);
	return ph->port_min && ph->port_max && ph->port_min <= ph->port_max ? 0 : -EINVAL;
}

int hearth_pinhole_parse(int argc, char **argv, struct hearth_pinhole *ph, char *msg,
			 size_t size)
{
	memset(ph, 0, sizeof(*ph));
	if (argc < 2 || argc > 3) {
		snprintf(msg, size, "a pinhole is PROTO ADDR[/LEN] [PORT[-PORT]]");
		return -EINVAL;
	}
	ph->proto = hearth_proto_parse(argv[0]);
	if (!ph->proto) {
		snprintf(msg, size, "pinhole protocol is tcp or udp, not '%s'", argv[0]);
		return -EINVAL;
	}
	if (pinhole_addr(argv[1], ph)) {
		snprintf(msg, size, "bad pinhole address '%s' (want ADDR or ADDR/LEN)", argv[1]);
		return -EINVAL;
	}
	if (argc == 3 && pinhole_ports(argv[2], ph)) {
		snprintf(msg, size, "bad pinhole port '%s' (want PORT or MIN-MAX within 1-65535)",
			 argv[2]);
		return -EINVAL;
	}
	return 0;
}

const char *hearth_pinhole_format(const struct hearth_pinhole *ph, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	int n;

	inet_ntop(ph->family, ph->family == AF_INET ? (const void *)&ph->addr.ip4 :
						      (const void *)ph->addr.b,
		  addr, sizeof(addr));
	n = snprintf(buf, size, "%s %s/%u", hearth_proto_name(ph->proto), addr, ph->prefixlen);
	if (n < 0 || (size_t)n >= size || !ph->port_min)
		return buf;
	if (ph->port_min == ph->port_max)
		snprintf(buf + n, size - (size_t)n, " %u", ph->port_min);
	else
		snprintf(buf + n, size - (size_t)n, " %u-%u", ph->port_min, ph->port_max);
	return buf;
}

bool hearth_pinhole_equal(const struct hearth_pinhole *a, const struct hearth_pinhole *b)
{
	return a->family == b->family && a->prefixlen == b->prefixlen && a->proto == b->proto &&
	       a->port_min == b->port_min && a->port_max == b->port_max &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}
