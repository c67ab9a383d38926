// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#define _GNU_SOURCE
#include <bpf/bpf.h>
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fixture.h"
#include "pkt.h"

int fixture_sh(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	if (rc)
		fprintf(stderr, "fixture: '%s' failed (%d)\n", cmd, rc);
	return rc ? -EIO : 0;
}

static const char *const setup_cmds[] = {
	"ip link set lo up",
	"ip link add lan0 address " FX_LAN_MAC " type veth peer name lanp",
	"ip link add wan0 address " FX_WAN_MAC " type veth peer name wanp",
	"ip link add ext0 type veth peer name extp",
	"sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1",
	"sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
	"ip link set lan0 up && ip link set lanp up && ip link set wan0 up && ip link set wanp up && ip link set ext0 up && ip link set extp up",
	"ip addr add 192.168.1.1/24 dev lan0 && ip addr add 2001:db8:1::1/64 dev lan0 nodad",
	"ip addr add 198.51.100.1/24 dev wan0 && ip addr add 2001:db8:ff::1/64 dev wan0 nodad",
	"ip addr add 10.9.9.1/24 dev ext0",
	"ip route add default via 198.51.100.2 && ip -6 route add default via 2001:db8:ff::2",
	"ip route add unreachable 203.0.113.99/32",
	"ip route add 203.0.113.200/32 via 198.51.100.2 mtu lock 1300",
	"ip neigh add 198.51.100.2 lladdr " FX_INET_MAC " dev wan0 nud permanent",
	"ip neigh add 2001:db8:ff::2 lladdr " FX_INET_MAC " dev wan0 nud permanent",
	"ip neigh add " FX_H1_V4 " lladdr " FX_H1_MAC " dev lan0 nud permanent",
	"ip neigh add " FX_H1_V6 " lladdr " FX_H1_MAC " dev lan0 nud permanent",
	"ip neigh add " FX_H2_V4 " lladdr " FX_H2_MAC " dev lan0 nud permanent",
	"ip neigh add 10.9.9.2 lladdr 02:00:00:00:09:02 dev ext0 nud permanent",
};

int fixture_netns(struct fixture *fx)
{
	memset(fx, 0, sizeof(*fx));
	if (unshare(CLONE_NEWNET))
		return -errno;
	for (size_t i = 0; i < sizeof(setup_cmds) / sizeof(setup_cmds[0]); i++)
		if (fixture_sh("%s", setup_cmds[i]))
			return -EIO;
	fx->lan = (int)if_nametoindex("lan0");
	fx->wan = (int)if_nametoindex("wan0");
	fx->stray = (int)if_nametoindex("lanp");
	pkt_mac(FX_LAN_MAC, fx->lan_mac);
	pkt_mac(FX_WAN_MAC, fx->wan_mac);
	pkt_mac(FX_H1_MAC, fx->h1_mac);
	pkt_mac(FX_INET_MAC, fx->inet_mac);
	pkt_mac(FX_H2_MAC, fx->h2_mac);
	return fx->lan && fx->wan && fx->stray ? 0 : -ENODEV;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *map = bpf_object__find_map_by_name(obj, name);

	return map ? bpf_map__fd(map) : -ENOENT;
}

static int register_iface(struct bpf_object *obj, __u32 slot, int ifindex,
			  const char *name, enum hearth_iface_role role,
			  const __u8 *mac, const char *addr4)
{
	struct hearth_iface iface = { .ifindex = (__u32)ifindex, .role = role,
				      .mtu = 1500 };
	__u32 idx = (__u32)ifindex;

	memcpy(iface.mac, mac, 6);
	inet_pton(AF_INET, addr4, &iface.addr4);
	snprintf(iface.name, sizeof(iface.name), "%s", name);
	if (bpf_map_update_elem(map_fd(obj, HEARTH_STR(HEARTH_MAP_IFACES)), &slot,
				&iface, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, HEARTH_STR(HEARTH_MAP_TXPORTS)), &slot,
				&idx, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(obj, HEARTH_STR(HEARTH_MAP_IFSLOTS)), &idx,
				&slot, BPF_ANY))
		return -errno;
	return 0;
}

int fixture_attach_maps(struct fixture *fx, struct bpf_object *obj,
			const char *prog)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, prog);
	struct hearth_state st = { .generation = 1 };
	__u32 zero = 0;
	int ret;

	if (!p)
		return -ENOENT;
	fx->obj = obj;
	fx->prog_fd = bpf_program__fd(p);
	fx->stats_fd = map_fd(obj, HEARTH_STR(HEARTH_MAP_STATS));
	fx->fib_fd = map_fd(obj, HEARTH_STR(HEARTH_MAP_FIBCACHE));
	fx->fibl1_fd = map_fd(obj, HEARTH_STR(HEARTH_MAP_FIBL1));
	fx->state_fd = map_fd(obj, HEARTH_STR(HEARTH_MAP_STATE));
	ret = register_iface(obj, 1, fx->wan, "wan0", HEARTH_ROLE_WAN, fx->wan_mac,
			     FX_WAN_V4);
	if (!ret)
		ret = register_iface(obj, 2, fx->lan, "lan0", HEARTH_ROLE_LAN,
				     fx->lan_mac, FX_LAN_V4);
	if (!ret && bpf_map_update_elem(fx->state_fd, &zero, &st, BPF_ANY))
		ret = -errno;
	return ret;
}

/* Each chute's link as sandbox/net.c makes it: the gateway's end holds the
 * /30's first address, the chute's is a static neighbour. The chute's end
 * stays here unconfigured: the program only sees the frames it is handed. */
static const struct {
	const char *name, *gw_mac, *gw_v4, *mac, *v4;
} fx_chutes[FX_CHUTES] = {
	{ "hc-a", "02:00:00:00:03:01", FX_CHUTE_A_GW_V4, "02:00:00:00:03:02", FX_CHUTE_A_V4 },
	{ "hc-b", "02:00:00:00:04:01", FX_CHUTE_B_GW_V4, "02:00:00:00:04:02", FX_CHUTE_B_V4 },
};

int fixture_add_chutes(struct fixture *fx)
{
	for (int i = 0; i < FX_CHUTES; i++) {
		const char *name = fx_chutes[i].name;
		__u32 slot, src;
		int ret;

		if (fixture_sh("ip link add %s address %s type veth peer name %sp", name,
			       fx_chutes[i].gw_mac, name) ||
		    fixture_sh("ip link set %s up && ip link set %sp up", name, name) ||
		    fixture_sh("ip addr add %s/30 dev %s", fx_chutes[i].gw_v4, name) ||
		    fixture_sh("ip neigh add %s lladdr %s dev %s nud permanent",
			       fx_chutes[i].v4, fx_chutes[i].mac, name))
			return -EIO;
		fx->chute[i] = (int)if_nametoindex(name);
		if (!fx->chute[i])
			return -ENODEV;
		pkt_mac(fx_chutes[i].gw_mac, fx->chute_gw_mac[i]);
		pkt_mac(fx_chutes[i].mac, fx->chute_mac[i]);
		ret = register_iface(fx->obj, 3 + (__u32)i, fx->chute[i], name,
				     HEARTH_ROLE_CHUTE, fx->chute_gw_mac[i],
				     fx_chutes[i].gw_v4);
		if (ret)
			return ret;
		/* as the chute runtime does once the veth is registered */
		slot = 3 + (__u32)i;
		src = inet_addr(fx_chutes[i].v4);
		if (bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_CHSRC)), &slot,
					&src, BPF_ANY))
			return -errno;
	}
	return 0;
}

int fixture_run(struct fixture *fx, int ifindex, const void *in, __u32 len,
		void *out, __u32 *out_len, __u32 *retval)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = (__u32)ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in, .data_size_in = len,
		    .data_out = out, .data_size_out = out_len ? *out_len : 0,
		    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx), .repeat = 1);
	int ret = bpf_prog_test_run_opts(fx->prog_fd, &opts);

	if (ret)
		return -errno;
	if (out_len)
		*out_len = opts.data_size_out;
	*retval = opts.retval;
	return 0;
}

static __u32 slot_of(struct fixture *fx, int ifindex)
{
	__u32 slot = 0, idx = (__u32)ifindex;

	bpf_map_lookup_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_IFSLOTS)), &idx,
			    &slot);
	return slot;
}

__u64 fixture_counter(struct fixture *fx, int ifindex, int id)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_counter vals[ncpus > 0 ? ncpus : 1];
	__u32 key = HEARTH_STATS_INDEX(slot_of(fx, ifindex), (__u32)id);
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fx->stats_fd, &key, vals))
		return (__u64)-1;
	for (int i = 0; i < ncpus; i++)
		sum += vals[i].packets;
	return sum;
}

int fixture_clear_l1(struct fixture *fx)
{
	int ncpus = libbpf_num_possible_cpus();
	struct hearth_fib_l1 *zero = calloc(ncpus > 0 ? ncpus : 1, sizeof(*zero));
	int ret = zero ? 0 : -ENOMEM;

	for (__u32 i = 0; !ret && i < HEARTH_FIB_L1_ENTRIES; i++)
		if (bpf_map_update_elem(fx->fibl1_fd, &i, zero, BPF_ANY))
			ret = -errno;
	free(zero);
	return ret;
}

int fixture_enable_nat(struct fixture *fx, __u16 port_min, __u16 port_max)
{
	struct hearth_nat_cfg cfg = {
		.enabled = 1,
		.wan_ifindex = (__u32)fx->wan,
		.port_min = port_min,
		.port_max = port_max,
	};
	struct hearth_inside_key inside = { .prefixlen = 24 };
	__u32 zero = 0, one = 1;

	inet_pton(AF_INET, FX_WAN_V4, &cfg.wan_addr);
	inet_pton(AF_INET, "192.168.1.0", &inside.addr);
	if (bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_NATCFG)), &zero,
				&cfg, BPF_ANY) ||
	    bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_INSIDE)), &inside,
				&one, BPF_ANY))
		return -errno;
	fx->ct_fd = map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_CT));
	return 0;
}

static int home_put(struct fixture *fx, int family, const char *addr, __u32 len)
{
	struct hearth_home_key key = { .prefixlen = family == AF_INET ? 96 + len : len };
	__u32 one = 1;

	inet_pton(family, addr, family == AF_INET ? (void *)&key.addr.ip4 : (void *)key.addr.b);
	return bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_HOME)), &key, &one,
				   BPF_ANY) ? -errno : 0;
}

int fixture_enable_firewall(struct fixture *fx)
{
	struct hearth_fw_cfg cfg = { .enabled = 1, .echo6_in = 1 };
	__u32 zero = 0;
	int ret;

	ret = home_put(fx, AF_INET, "192.168.1.0", 24) ?:
	      home_put(fx, AF_INET6, "2001:db8:1::", 64) ?:
	      home_put(fx, AF_INET, "10.213.0.0", 24);
	if (ret)
		return ret;
	fx->ct_fd = map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_CT));
	return bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_FWCFG)), &zero, &cfg,
				   BPF_ANY) ? -errno : 0;
}

int fixture_add_pinhole(struct fixture *fx, const struct hearth_pinhole *ph)
{
	int cfg_fd = map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_FWCFG));
	struct hearth_fw_cfg cfg;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(cfg_fd, &zero, &cfg) || cfg.n_pinholes >= HEARTH_PINHOLES)
		return -ENOSPC;
	if (bpf_map_update_elem(map_fd(fx->obj, HEARTH_STR(HEARTH_MAP_PINHOLES)),
				&cfg.n_pinholes, ph, BPF_ANY))
		return -errno;
	cfg.n_pinholes++;
	return bpf_map_update_elem(cfg_fd, &zero, &cfg, BPF_ANY) ? -errno : 0;
}

int fixture_state_flags(struct fixture *fx, __u32 mask, bool on)
{
	struct hearth_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fx->state_fd, &zero, &st))
		return -errno;
	st.flags = on ? st.flags | mask : st.flags & ~mask;
	return bpf_map_update_elem(fx->state_fd, &zero, &st, BPF_ANY) ? -errno : 0;
}

int fixture_bump_generation(struct fixture *fx)
{
	struct hearth_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(fx->state_fd, &zero, &st))
		return -errno;
	st.generation++;
	return bpf_map_update_elem(fx->state_fd, &zero, &st, BPF_ANY) ? -errno : 0;
}
