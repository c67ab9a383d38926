/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
#ifndef HEARTH_CONFIG_H
#define HEARTH_CONFIG_H

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "export_spec.h"
#include "../../util/error.h"
#include "../../util/parse.h"
#include "tenant_spec.h"
#include "../../maps/hearth_maps.h"

#define HEARTH_CONFIG_MAX_PREFIXES 8
#define HEARTH_CONFIG_MAX_IFACES (HEARTH_MAX_IFACES - 1)

struct hearth_config_iface {
	char name[IF_NAMESIZE];
	enum hearth_iface_role role;
	int line;
	int n_prefixes;
	struct hearth_prefix prefixes[HEARTH_CONFIG_MAX_PREFIXES];
};

#define HEARTH_CONFIG_MAX_FORWARDS 64

struct hearth_config_forward {
	__u8 proto; /* IPPROTO_TCP or IPPROTO_UDP */
	__u16 wan_port; /* host order */
	struct in_addr addr;
	__u16 port;
	int line;
};

#define HEARTH_CONFIG_MAX_TENANTS 32
#define HEARTH_CONFIG_MAX_PINHOLES 32

/* The firewall's settings (docs/operator-guide.md, "Firewall"). */
struct hearth_config_fw {
	bool off; /* "firewall off": a plain router, nothing filtered */
	bool echo6_refused; /* "firewall icmpv6-echo off" */
	int n_open; /* "firewall open IFACE": home interfaces left open */
	char open[HEARTH_CONFIG_MAX_IFACES][IF_NAMESIZE];
	int open_line[HEARTH_CONFIG_MAX_IFACES];
	int n_pinholes; /* "firewall allow ..." */
	struct hearth_pinhole pinholes[HEARTH_CONFIG_MAX_PINHOLES];
	int pinhole_line[HEARTH_CONFIG_MAX_PINHOLES];
};

enum hearth_xdp_mode {
	HEARTH_XDP_AUTO, /* native where the driver has it, else generic */
	HEARTH_XDP_NATIVE,
	HEARTH_XDP_GENERIC,
};

#define HEARTH_CHUTE_DIR_DEFAULT "/var/lib/hearth/chutes"
#define HEARTH_CHUTE_POOL_DEFAULT "10.213.0.0/24"
/* Runtime changes (hearth tenant, hearth nat forward) kept across restarts
 * and reboots: not under the run dir, which a reboot empties. */
#define HEARTH_STATE_FILE_DEFAULT "/var/lib/hearth/state.json"
/* Probes: the trusted keys, and the approved digests (kept like the
 * state file, across reboots). */
#define HEARTH_PROBE_KEYS_DEFAULT "/etc/hearth/probe-keys"
#define HEARTH_PROBE_APPROVED_DEFAULT "/var/lib/hearth/probes-approved"
#define HEARTH_CONFIG_MAX_DIRECTIVES 28

struct hearth_config {
	char path[256];
	char pin_dir[256];
	char run_dir[256];
	bool fib_cache;
	unsigned int fib_cache_ttl_ms; /* a load-time setting of the program */
	/* the connection table (load-time settings too): its sets, a home
	 * host's ways of each, openings from the WAN per second and CPU */
	unsigned int ct_sets, ct_host_ways, ct_open_rate;
	bool ct_tcp_pickup; /* a mid-stream TCP segment from home opens a connection */
	bool ct_rtt; /* passive round-trip times of TCP connections */
	int ct_size_line, ct_share_line, ct_rate_line, ct_pickup_line, ct_rtt_line; /* 0: default */
	enum hearth_xdp_mode xdp_mode;
	bool nat_masquerade; /* the LAN subnets behind the WAN address */
	__u16 nat_port_min, nat_port_max;
	__u8 nat_filtering; /* enum hearth_nat_filtering */
	int masquerade_line, ports_line, filtering_line; /* 0: not in the file */
	int n_forwards;
	struct hearth_config_forward forwards[HEARTH_CONFIG_MAX_FORWARDS];
	int n_ifaces;
	struct hearth_config_iface ifaces[HEARTH_CONFIG_MAX_IFACES];
	__u64 capacity[HEARTH_DIR_MAX]; /* WAN, bits/s; 0: not set */
	int capacity_line;
	int n_tenants;
	struct hearth_tenant_spec tenants[HEARTH_CONFIG_MAX_TENANTS];
	struct hearth_config_fw fw;
	struct hearth_config_export export; /* flow records (export_spec.h) */
	char chute_dir[256];
	struct hearth_prefix chute_pool; /* IPv4 */
	char state_file[256];
	/* the researchers' keys hearth trusts for probes (PEM files), and the
	 * file of the bundle digests the operator approved */
	char probe_keys[256];
	char probe_approved[256];
	bool probe_export; /* probes' ring records into the flow log too */
	char control_group[64]; /* besides root, may use hearthd's API; "" none */
	/* exports carry home addresses anonymized (privacy.h) unless raw */
	bool privacy_raw;
	char privacy_key[256]; /* default: privacy.key beside the state file */
	/* /metrics: on by default, on the loopback (HEARTH_METRICS_LISTEN) */
	bool metrics_on;
	char metrics_listen[64]; /* as written: ADDR:PORT or [ADDR]:PORT */
	struct sockaddr_storage metrics_addr;
	/* the last line of each directive (hearth_config_directive), 0: none */
	int directive_line[HEARTH_CONFIG_MAX_DIRECTIVES];
};

#define HEARTH_METRICS_LISTEN "127.0.0.1:9477"

void hearth_config_defaults(struct hearth_config *cfg);
/* Does @ph open a way to the home only (inside a LAN subnet or the chute
 * pool)? Else 0 with the reason in @msg. */
int hearth_pinhole_check(const struct hearth_config *cfg, const struct hearth_pinhole *ph,
			 char *msg, size_t size);
/* Is @addr/@len one of the configured LAN IPv4 subnets? */
bool hearth_config_lan_v4(const struct hearth_config *cfg, unsigned int len, __be32 addr);
int hearth_config_load(const char *path, struct hearth_config *cfg,
		       struct hearth_err *err);
const char *hearth_role_name(enum hearth_iface_role role);
/* What the file and the API both ask of a forward: NAT on, and a target
 * inside a LAN subnet; -EINVAL with the sentence in @msg. */
int hearth_forward_check(const struct hearth_config *cfg, const struct hearth_config_forward *f,
			 char *msg, size_t size);
/* The name of directive @i (0, 1, ...), NULL past the last. */
const char *hearth_config_directive(int i);
const char *hearth_xdp_mode_name(enum hearth_xdp_mode mode);

#endif
