// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hearth.conf parsing: what a good file gives, and FILE:LINE errors. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

#include "../lib/test.h"
#include "../../userspace/lib/config.h"

static int parse_text(const char *text, struct hearth_config *cfg,
		      struct hearth_err *err, char *path, size_t path_size)
{
	int fd, ret;

	snprintf(path, path_size, "/tmp/hearth-conf-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		close(fd);
		return -1;
	}
	close(fd);
	ret = hearth_config_load(path, cfg, err);
	unlink(path);
	return ret;
}

TEST(config_good_file)
{
	static const char text[] =
		"# gateway\n"
		"\n"
		"wan  eth0   # uplink\n"
		"lan  eth1 192.168.1.1/24 2001:db8:1::1/64\n"
		"lan\tbr-guest 10.0.0.0/8\n"
		"pin-dir /sys/fs/bpf/hearth-x\n"
		"fib-cache off\n"
		"fib-cache-ttl 500\n"
		"nat masquerade\n"
		"nat ports 20000-29999\n"
		"nat forward tcp 8080 192.168.1.10:80\n"
		"nat forward udp 8080 192.168.1.11:53\n"
		"conntrack size 100000\n"
		"conntrack host-share 25\n"
		"conntrack open-rate 200\n"
		"conntrack tcp-pickup off\n"
		"metrics listen [::1]:9100\n"
		"export ipfix 192.0.2.10:4739\n"
		"export ipfix [2001:db8::10]:4740 tcp\n"
		"export active-timeout 30\n"
		"export domain 77\n"
		"export log /var/log/hearth/flows.json size 1m age 600 keep 3 sync-ms 200\n"
		"privacy raw\n"
		"probe-export on\n"
		"xdp-mode generic\n";
	struct hearth_config cfg;
	struct hearth_err err = {};
	char path[64], addr[INET6_ADDRSTRLEN];

	if (!ASSERT_OK(parse_text(text, &cfg, &err, path, sizeof(path)), err.msg))
		return;
	ASSERT_EQ(cfg.n_ifaces, 3, "interfaces");
	ASSERT_STRHAS(cfg.ifaces[0].name, "eth0", "wan name");
	ASSERT_EQ(cfg.ifaces[0].role, HEARTH_ROLE_WAN, "wan role");
	ASSERT_EQ(cfg.ifaces[1].role, HEARTH_ROLE_LAN, "lan role");
	ASSERT_EQ(cfg.ifaces[1].line, 4, "line recorded");
	ASSERT_EQ(cfg.ifaces[1].n_prefixes, 2, "lan prefixes");
	inet_ntop(AF_INET, &cfg.ifaces[1].prefixes[0].addr.v4, addr, sizeof(addr));
	ASSERT_STRHAS(addr, "192.168.1.0", "host bits cleared");
	ASSERT_EQ(cfg.ifaces[1].prefixes[0].len, 24, "prefix length");
	inet_ntop(AF_INET6, &cfg.ifaces[1].prefixes[1].addr.v6, addr, sizeof(addr));
	ASSERT_STRHAS(addr, "2001:db8:1::", "IPv6 host bits cleared");
	ASSERT_STRHAS(cfg.ifaces[2].name, "br-guest", "tab-separated words");
	ASSERT_STRHAS(cfg.pin_dir, "/sys/fs/bpf/hearth-x", "pin-dir");
	ASSERT_TRUE(!cfg.fib_cache, "fib-cache off");
	ASSERT_EQ(cfg.fib_cache_ttl_ms, 500, "fib-cache-ttl");
	/* 200000 entries in sets of 16: 12500, rounded up to 16384 */
	ASSERT_EQ(cfg.ct_sets, 16384, "conntrack size");
	ASSERT_EQ(cfg.ct_host_ways, 4, "conntrack host-share: 4 of 16 ways");
	ASSERT_EQ(cfg.ct_open_rate, 200, "conntrack open-rate");
	ASSERT_EQ(cfg.export.n_ipfix, 2, "two collectors");
	ASSERT_EQ(cfg.export.ipfix[0].transport, HEARTH_IPFIX_UDP, "udp by default");
	ASSERT_EQ(((struct sockaddr_in *)&cfg.export.ipfix[0].addr)->sin_port, htons(4739), "  its port");
	ASSERT_EQ(cfg.export.ipfix[1].transport, HEARTH_IPFIX_TCP, "tcp when asked");
	ASSERT_EQ(cfg.export.ipfix[1].addr.ss_family, AF_INET6, "  an IPv6 collector");
	ASSERT_EQ(cfg.export.active_timeout_s, 30, "export active-timeout");
	ASSERT_TRUE(cfg.export.domain_set && cfg.export.domain == 77, "export domain");
	ASSERT_TRUE(cfg.export.log_on, "export log");
	ASSERT_STREQ(cfg.export.log.path, "/var/log/hearth/flows.json", "  its path");
	ASSERT_EQ(cfg.export.log.max_bytes, 1 << 20, "  size");
	ASSERT_EQ(cfg.export.log.max_age_s, 600, "  age");
	ASSERT_EQ(cfg.export.log.keep, 3, "  keep");
	ASSERT_EQ(cfg.export.log.sync_ms, 200, "  sync-ms");
	ASSERT_TRUE(!cfg.ct_tcp_pickup, "conntrack tcp-pickup off");
	ASSERT_TRUE(cfg.metrics_on && cfg.metrics_addr.ss_family == AF_INET6 &&
			    ((struct sockaddr_in6 *)&cfg.metrics_addr)->sin6_port == htons(9100),
		    "metrics listen [::1]:9100");
	ASSERT_TRUE(cfg.privacy_raw, "privacy raw");
	ASSERT_TRUE(cfg.probe_export, "probe-export on");
	ASSERT_TRUE(cfg.nat_masquerade, "nat masquerade");
	ASSERT_EQ(cfg.nat_port_min, 20000, "nat ports min");
	ASSERT_EQ(cfg.nat_port_max, 29999, "nat ports max");
	ASSERT_EQ(cfg.n_forwards, 2, "forwards");
	ASSERT_EQ(cfg.forwards[0].proto, IPPROTO_TCP, "forward protocol");
	ASSERT_EQ(cfg.forwards[0].wan_port, 8080, "forward WAN port");
	ASSERT_EQ(cfg.forwards[0].port, 80, "forward target port");
	inet_ntop(AF_INET, &cfg.forwards[0].addr, addr, sizeof(addr));
	ASSERT_STRHAS(addr, "192.168.1.10", "forward target");
	ASSERT_EQ(cfg.xdp_mode, HEARTH_XDP_GENERIC, "xdp-mode");
}

TEST(config_defaults)
{
	struct hearth_config cfg;
	struct hearth_err err = {};
	char path[64];

	if (!ASSERT_OK(parse_text("wan a\nlan b 10.0.0.0/24\n", &cfg, &err, path,
				  sizeof(path)), err.msg))
		return;
	ASSERT_STRHAS(cfg.pin_dir, HEARTH_PIN_DIR_DEFAULT, "default pin dir");
	ASSERT_TRUE(cfg.fib_cache, "cache on by default");
	ASSERT_TRUE(cfg.ct_tcp_pickup, "TCP pick-up from home on by default");
	ASSERT_TRUE(cfg.metrics_on && cfg.metrics_addr.ss_family == AF_INET &&
			    ((struct sockaddr_in *)&cfg.metrics_addr)->sin_addr.s_addr == htonl(INADDR_LOOPBACK),
		    "metrics on the loopback by default");
	ASSERT_TRUE(!cfg.privacy_raw, "home addresses anonymized by default");
	ASSERT_TRUE(!cfg.probe_export, "probes' records stay out of the flow log by default");
	ASSERT_STRHAS(cfg.privacy_key, "/var/lib/hearth/privacy.key", "the key beside the state file");
	ASSERT_EQ(cfg.fib_cache_ttl_ms, HEARTH_FIB_CACHE_TTL_MS, "default TTL");
	ASSERT_EQ(cfg.ct_sets, HEARTH_CT_SETS_DEFAULT, "default table size");
	ASSERT_EQ(cfg.ct_host_ways, HEARTH_CT_HOST_WAYS_DEFAULT, "default host share");
	ASSERT_TRUE(!cfg.nat_masquerade, "NAT off by default");
	ASSERT_EQ(cfg.nat_port_min, 1024, "default port range");
	ASSERT_EQ(cfg.xdp_mode, HEARTH_XDP_AUTO, "auto mode by default");
}

struct bad_case {
	const char *text;
	const char *where; /* ":LINE:" or ": " for whole-file errors */
	const char *message;
};

static const struct bad_case bad[] = {
	{ "wan a\nlan b 10.0.0.0/24\nbogus x\n", ":3:", "unknown directive 'bogus'" },
	{ "wan a\nlan b\n", ":2:", "'lan' takes an interface name and 1 to 8 subnets" },
	{ "wan\n", ":1:", "'wan' takes one interface name" },
	{ "wan a b\n", ":1:", "'wan' takes one interface name" },
	{ "wan a\nlan b 10.0.0.0/33\n", ":2:", "bad subnet '10.0.0.0/33'" },
	{ "wan a\nlan b 10.0.0.300/24\n", ":2:", "bad subnet '10.0.0.300/24'" },
	{ "wan a\nlan b 10.0.0.0\n", ":2:", "bad subnet '10.0.0.0'" },
	{ "wan a\nlan b 2001:db8::/129\n", ":2:", "bad subnet" },
	{ "wan a\nlan a 10.0.0.0/24\n", ":2:", "interface 'a' already defined at line 1" },
	{ "wan a\nwan b\n", ":2:", "second 'wan' (first at line 1)" },
	{ "wan a/b\n", ":1:", "bad interface name 'a/b'" },
	{ "wan ..\n", ":1:", "bad interface name '..'" },
	{ "wan abcdefghijklmnopq\n", ":1:", "bad interface name" },
	{ "wan a\nlan b 10.0.0.0/24\nfib-cache maybe\n", ":3:", "fib-cache takes 'on' or 'off'" },
	{ "wan a\nlan b 10.0.0.0/24\nprobe-export yes\n", ":3:", "probe-export takes on or off, not 'yes'" },
	{ "wan a\nlan b 10.0.0.0/24\nxdp-mode fast\n", ":3:", "xdp-mode takes auto, native or generic" },
	{ "wan a\nlan b 10.0.0.0/24\nfib-cache-ttl 50\n", ":3:", "fib-cache-ttl takes milliseconds from 100 to 60000, not '50'" },
	{ "wan a\nlan b 10.0.0.0/24\nfib-cache-ttl 2s\n", ":3:", "not '2s'" },
	{ "wan a\nlan b 10.0.0.0/24\nconntrack size 10\n", ":3:", "conntrack size takes connections from 1024 to 8388608, not '10'" },
	{ "wan a\nlan b 10.0.0.0/24\nconntrack host-share 0\n", ":3:", "conntrack host-share takes a percentage from 1 to 100, not '0'" },
	{ "wan a\nlan b 10.0.0.0/24\nconntrack open-rate fast\n", ":3:", "conntrack open-rate takes openings a second from 1 to 1000000, not 'fast'" },
	{ "wan a\nlan b 10.0.0.0/24\nconntrack tcp-pickup maybe\n", ":3:", "conntrack tcp-pickup takes on or off, not 'maybe'" },
	{ "wan a\nlan b 10.0.0.0/24\nmetrics listen nowhere\n", ":3:", "bad metrics address 'nowhere' (want ADDR:PORT or [ADDR]:PORT, e.g. 127.0.0.1:9477)" },
	{ "wan a\nlan b 10.0.0.0/24\nmetrics listen 127.0.0.1:0\n", ":3:", "bad metrics address '127.0.0.1:0'" },
	{ "wan a\nlan b 10.0.0.0/24\nprivacy maybe\n", ":3:", "privacy takes anonymize or raw, not 'maybe'" },
	{ "wan a\nlan b 10.0.0.0/24\nprivacy-key key\n", ":3:", "privacy-key 'key' must be an absolute path" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix nowhere\n", ":3:", "bad collector address 'nowhere' (want ADDR:PORT or [ADDR]:PORT, e.g. 192.0.2.10:4739)" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix 192.0.2.1:4739 sctp\n", ":3:", "export ipfix takes udp, tcp or tls (with ca FILE, cert FILE, key FILE), not 'sctp'" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix 192.0.2.1:1\nexport ipfix 192.0.2.1:2\nexport ipfix 192.0.2.1:3\nexport ipfix 192.0.2.1:4\nexport ipfix 192.0.2.1:5\n", ":7:", "too many IPFIX collectors (at most 4)" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix 192.0.2.1:4739 tls\n", ":3:", "export ipfix ... tls needs ca FILE" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix 192.0.2.1:4739 tls ca /x cert /y\n", ":3:", "export ipfix: cert and key go together" },
	{ "wan a\nlan b 10.0.0.0/24\nexport ipfix 192.0.2.1:4739 udp ca /x\n", ":3:", "export ipfix: ca, cert and key go with tls" },
	{ "wan a\nlan b 10.0.0.0/24\nexport active-timeout 0\n", ":3:", "export active-timeout takes seconds from 1 to 86400, not '0'" },
	{ "wan a\nlan b 10.0.0.0/24\nexport log flows.json\n", ":3:", "export log takes an absolute path (at most 255 bytes), not 'flows.json'" },
	{ "wan a\nlan b 10.0.0.0/24\nexport log /tmp/f size 1\n", ":3:", "export log size takes a size from 4k to 1t, not '1'" },
	{ "wan a\nlan b 10.0.0.0/24\nexport log /tmp/f keep\n", ":3:", "export log takes a path, then size SIZE, age SECONDS, keep N or sync-ms MS" },
	{ "wan a\nlan b 10.0.0.0/24\nexport log /tmp/f color red\n", ":3:", "export log takes size, age, keep or sync-ms, not 'color'" },
	{ "wan a\nlan b 10.0.0.0/24\nexport nfv9 1.2.3.4:5\n", ":3:", "'export' takes 'ipfix ADDR:PORT [udp|tcp|tls ...]', 'log PATH ...', 'domain N' or 'active-timeout SECONDS'" },
	{ "wan a\nlan b 10.0.0.0/24\nmetrics on\n", ":3:", "'metrics' takes listen ADDR:PORT, listen [ADDR]:PORT or off" },
	{ "wan a\nlan b 10.0.0.0/24\nconntrack bogus 1\n", ":3:", "'conntrack' takes size CONNECTIONS, host-share PERCENT, open-rate N, tcp-pickup on|off or rtt on|off" },
	{ "wan a\nlan b 10.0.0.0/24\npin-dir relative\n", ":3:", "must be an absolute path" },
	{ "wan a\nlan b 10.0.0.0/24\npin-dir /sys/fs/bpf\n", ":3:", "must be a directory of its own" },
	{ "wan a\nlan b 10.0.0.0/24\nnat ports 2000-1000\n", ":3:", "nat ports takes MIN-MAX within 1-65535" },
	{ "wan a\nlan b 10.0.0.0/24\nnat ports 0-10\n", ":3:", "not '0-10'" },
	{ "wan a\nlan b 10.0.0.0/24\nnat bogus\n", ":3:", "'nat' takes 'masquerade'" },
	{ "wan a\nlan b 10.0.0.0/24\nnat forward sctp 80 10.0.0.1:80\n", ":3:", "forward protocol is tcp or udp, not 'sctp'" },
	{ "wan a\nlan b 10.0.0.0/24\nnat forward tcp 70000 10.0.0.1:80\n", ":3:", "bad forward port '70000'" },
	{ "wan a\nlan b 10.0.0.0/24\nnat forward tcp 80 10.0.0.1\n", ":3:", "bad forward target '10.0.0.1' (want IPV4:PORT)" },
	{ "wan a\nlan b 10.0.0.0/24\nnat forward tcp 80 10.0.0.1:80\nnat forward tcp 80 10.0.0.2:80\n", ":4:", "tcp port 80 already forwarded at line 3" },
	{ "wan a\nlan b 10.0.0.0/24\nnat forward tcp 80 10.0.0.1:80\n", ":3:", "'nat forward' needs 'nat masquerade'" },
	{ "wan a\nlan b 10.0.0.0/24\nnat masquerade\nnat forward tcp 80 10.1.0.1:80\n", ":4:", "forward target 10.1.0.1 is not in a LAN subnet" },
	{ "lan b 10.0.0.0/24\n", ": ", "no 'wan' interface defined" },
	{ "wan a\nlan b 10.0.0.0/24\nwan-capacity up fast\n", ":3:", "bad capacity 'fast'" },
	{ "wan a\nlan b 10.0.0.0/24\nchute-pool 2001:db8::/64\n", ":3:", "is not an IPv4 subnet" },
	{ "wan a\nlan b 10.0.0.0/24\nchute-pool 10.9.0.0/16\n", ":3:", "must be a /24 to a /28" },
	{ "wan a\nlan b 10.0.0.0/24\nchute-dir relative/path\n", ":3:", "must be an absolute path" },
	{ "wan a\nlan b 10.0.0.0/24\nwan-capacity sideways 10mbit\n", ":3:", "not 'sideways'" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant ../x prio 2\n", ":3:", "bad tenant name '../x'" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant home prio 2\n", ":3:", "'home' is tenant 0" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant g prio 9\n", ":3:", "prio is 1 (first to borrow) to 7, not '9'" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant g up rate 10mbit ceil 5mbit\n", ":3:", "up rate 10mbit is above its ceil 5mbit" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant g colour red\n", ":3:", "unknown tenant setting 'colour'" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant g mac 01:02:03:04:05:06\n", ":3:", "bad MAC address '01:02:03:04:05:06'" },
	{ "wan a\nlan b 10.0.0.0/24\ntenant g iface a\n", ":3:", "tenant interface 'a' is not a 'lan' interface" },
	{ "wan a\nlan b 10.0.0.0/24\nwan-capacity down 10mbit\ntenant g down ceil 20mbit\n", ":4:", "down ceil 20mbit is above the WAN capacity 10mbit" },
	{ "wan a\nlan b 10.0.0.0/24\nwan-capacity down 10mbit\ntenant g down rate 6mbit\ntenant h down rate 6mbit\n", ":3:", "guaranteed down rates add up to 12mbit" },
	{ "wan a\n", ": ", "no 'lan' interface defined" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall maybe\n", ":3:", "'firewall' takes 'on', 'off'" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall icmpv6-echo often\n", ":3:", "expected on or off, not 'often'" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall open a\n", ":3:", "names 'a', which is not a 'lan' interface" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall allow sctp 10.0.0.5 22\n", ":3:", "pinhole protocol is tcp or udp, not 'sctp'" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall allow tcp 10.0.0.5/40\n", ":3:", "bad pinhole address '10.0.0.5/40'" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall allow tcp 10.0.0.5 30-20\n", ":3:", "bad pinhole port '30-20'" },
	{ "wan a\nlan b 10.0.0.0/24 2001:db8:1::/64\n\nfirewall allow udp 2001:db8:2::1 53\n", ":4:",
	  "pinhole udp 2001:db8:2::1/128 53 is not inside a LAN subnet" },
	{ "wan a\nlan b 10.0.0.0/24\nfirewall allow tcp 10.0.0.0/16 22\n", ":3:", "is not inside a LAN subnet" },
};

TEST(config_firewall)
{
	struct hearth_config cfg;
	struct hearth_err err = {};
	char path[64];
	struct hearth_pinhole *ph = &cfg.fw.pinholes[1];
	__u8 want[16];

	if (!ASSERT_OK(parse_text("wan a\nlan b 10.0.0.0/24 2001:db8:1::/64\nlan c 10.0.1.0/24\n"
				  "firewall open c\nfirewall icmpv6-echo off\n"
				  "firewall allow tcp 10.0.0.5 22\n"
				  "firewall allow udp 2001:db8:1::/112 6000-6010\n",
				  &cfg, &err, path, sizeof(path)), err.msg))
		return;
	ASSERT_TRUE(!cfg.fw.off, "on unless 'firewall off'");
	ASSERT_TRUE(cfg.fw.echo6_refused, "icmpv6-echo off");
	ASSERT_EQ(cfg.fw.n_open, 1, "one open interface");
	ASSERT_STRHAS(cfg.fw.open[0], "c", "... c");
	ASSERT_EQ(cfg.fw.n_pinholes, 2, "two pinholes");
	ASSERT_EQ(cfg.fw.pinholes[0].prefixlen, 32, "a bare IPv4 address is a /32");
	ASSERT_EQ(cfg.fw.pinholes[0].port_min, 22, "one port");
	ASSERT_EQ(cfg.fw.pinholes[0].port_max, 22, "... min = max");
	ASSERT_EQ(ph->family, AF_INET6, "IPv6");
	ASSERT_EQ(ph->proto, IPPROTO_UDP, "udp");
	ASSERT_EQ(ph->prefixlen, 112, "its prefix");
	ASSERT_EQ(ph->port_min, 6000, "range from");
	ASSERT_EQ(ph->port_max, 6010, "range to");
	inet_pton(AF_INET6, "2001:db8:1::", want);
	ASSERT_MEMEQ(ph->addr.b, want, 16, "the address as the map keeps it");
	ASSERT_EQ(cfg.fw.pinhole_line[1], 7, "its line");
	if (!ASSERT_OK(parse_text("wan a\nlan b 10.0.0.0/24\nfirewall off\n", &cfg, &err, path,
				  sizeof(path)), err.msg))
		return;
	ASSERT_TRUE(cfg.fw.off, "firewall off");
}

TEST(config_errors_name_file_and_line)
{
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hearth_config cfg;
		struct hearth_err err = {};
		char path[64], want[96];

		ASSERT_NEQ(parse_text(bad[i].text, &cfg, &err, path, sizeof(path)), 0,
			   bad[i].message);
		snprintf(want, sizeof(want), "%s%s", path, bad[i].where);
		ASSERT_STRHAS(err.msg, want, "error starts with FILE:LINE");
		ASSERT_STRHAS(err.msg, bad[i].message, "error names the problem");
	}
}

TEST(config_line_too_long)
{
	char text[2200];
	struct hearth_config cfg;
	struct hearth_err err = {};
	char path[64];

	memset(text, 'x', sizeof(text));
	memcpy(text, "wan a\n# ", 8);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	ASSERT_NEQ(parse_text(text, &cfg, &err, path, sizeof(path)), 0, "refused");
	ASSERT_STRHAS(err.msg, ":2: line too long", "long line named");
}

TEST(config_missing_file)
{
	struct hearth_config cfg;
	struct hearth_err err = {};

	ASSERT_NEQ(hearth_config_load("/nonexistent/hearth.conf", &cfg, &err), 0, "refused");
	ASSERT_STRHAS(err.msg, "/nonexistent/hearth.conf: No such file", "names the file");
}
